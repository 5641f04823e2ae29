//! The `js` module (issue 23, point 1) on the pages of `tests/pages/js/`.
//!
//! - In a worker, `js` is the worker's own `globalThis`, used on the worker's thread: a
//!   global set through it is not the page's, `WorkerGlobalScope` is there and `document`
//!   is not; calls, `.new()`, `to_py()`, `to_js()`, Python callables (`create_proxy`) and
//!   `await` on its promises (`fetch`, timers, `Promise.reject`) work, a worker object
//!   handed to the page arrives as a copy, a page object handed to the worker's JS raises
//!   a `TypeError` saying why, a Python error inside a nested JS call comes back as
//!   `JsException`, and one raised in a callback the worker's own timer calls is shown on
//!   the page. 100 000 proxies made and dropped give their handles back. PyScript's
//!   `pyscript.ffi` names (`create_proxy` counting as a `JsProxy`, `assign`, `gather`,
//!   `jsnull`, `direct`, `query`) work on both tables.
//! - On the main thread, `js` is the page's `window`.
//! - Reads and calls on this thread's own objects (the direct path) answer every kind of
//!   value and raise every failure as the request path does, on the page and in a worker.
//! - Without cross-origin isolation, a worker's `js` and `pyscript.fetch` still work.

use std::time::Duration;

use rustpy_e2e::Harness;
use serde_json::json;

const LONG: Duration = Duration::from_secs(120);
const SHORT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn js_in_a_worker_is_the_workers_own_global_scope() {
    let h = Harness::start().await;
    let page = h.open("/js/worker.html").await;
    let result = page.result(LONG).await.unwrap();

    let identity = &result["identity"];
    assert_eq!(identity["moduleIsProxy"], true, "{result}");
    assert_eq!(identity["workerScope"], true, "{result}");
    assert_eq!(identity["selfIsGlobal"], true, "{result}");
    assert_eq!(identity["location"], "/rustpy/rustpy-worker.js", "{result}");
    assert_eq!(identity["markerHere"], "set by the worker", "{result}");
    assert_eq!(
        identity["pageMarker"],
        json!(null),
        "a global the worker set through js is not the page's: {result}"
    );
    assert_eq!(identity["pageTitle"], "js module page", "{result}");
    assert_eq!(identity["consoleLog"], true, "{result}");

    let values = &result["values"];
    assert_eq!(
        values["parsed"],
        json!({"a": [1, 2.5, "x"], "b": null}),
        "{result}"
    );
    assert_eq!(values["sorted"], json!([1, 2, 3]), "{result}");
    assert_eq!(values["bytes"], json!([7, 8, 9]), "{result}");
    assert_eq!(values["date"], 0, "{result}");
    assert_eq!(values["forEach"], json!([1, 2, 3]), "{result}");
    assert_eq!(values["toJsIsArray"], true, "{result}");
    assert_eq!(values["toJsKeys"], json!(["k"]), "{result}");
    assert_eq!(values["nowIsNumber"], true, "{result}");
    assert_eq!(values["typeof"], "function", "{result}");
    assert_eq!(
        values["pageSawCopy"],
        json!({"plainObject": true, "json": "{\"k\":[1,2]}"}),
        "{result}"
    );

    let mixing = &result["mixing"];
    let page_object = mixing["pageObject"].as_str().unwrap_or_default();
    assert!(
        page_object.contains("a page object") && page_object.contains("cannot be used"),
        "{result}"
    );
    assert_eq!(mixing["nested"], "PythonError: True", "{result}");

    let waits = &result["waits"];
    assert_eq!(waits["status"], 200, "{result}");
    assert_eq!(
        waits["text"], "{\"answer\": 42, \"list\": [1, 2, 3]}\n",
        "{result}"
    );
    assert_eq!(waits["timer"], "timer fired", "{result}");
    assert_eq!(waits["resolved"], 42, "{result}");
    assert!(
        waits["rejected"]
            .as_str()
            .unwrap_or_default()
            .contains("Error: nope"),
        "{result}"
    );

    let soak = &result["soak"];
    let (before, after) = (
        soak["before"].as_i64().unwrap_or(-1),
        soak["after"].as_i64().unwrap_or(-1),
    );
    assert!(
        before >= 0 && after - before <= 2,
        "100 000 dropped proxies gave their handles back: {result}"
    );

    let fetching = &result["fetching"];
    let data = json!({"answer": 42, "list": [1, 2, 3]});
    assert_eq!(fetching["ok"], true, "{result}");
    assert_eq!(fetching["status"], 200, "{result}");
    assert_eq!(fetching["json"], data, "{result}");
    assert_eq!(fetching["chainedJson"], data, "{result}");
    assert_eq!(
        fetching["chainedText"], "{\"answer\": 42, \"list\": [1, 2, 3]}\n",
        "{result}"
    );
    assert_eq!(fetching["bytes"], json!([123, 34, 97]), "{result}");
    assert_eq!(fetching["arrayBuffer"], "{\"a", "{result}");
    assert_eq!(fetching["posted"], 200, "{result}");
    assert_eq!(fetching["missingOk"], false, "{result}");
    assert_eq!(fetching["missingStatus"], 404, "{result}");
    let missing = &fetching["missingJson"];
    assert!(
        missing[0]
            .as_str()
            .unwrap_or_default()
            .contains("/js/missing.json: HTTP 404")
            && missing[1] == 404,
        "an HTTP error names the URL: {result}"
    );
    assert!(
        fetching["network"]
            .as_str()
            .unwrap_or_default()
            .starts_with("fetch http://127.0.0.1:1/nothing failed"),
        "{result}"
    );

    assert_eq!(
        result["ffiNames"],
        json!({
            "proxyCalls": 42,
            "proxyIsJsProxy": true,
            "toJsIsJsProxy": true,
            "dictIsNotJsProxy": false,
            "assigned": [3, 2],
            "assignedOnPage": "{\"c\":4}",
            "jsnullIsNone": true,
            "gathered": ["js module page", "BODY"],
            "direct": 5,
            "queried": ["BODY", 2, "js module page"],
        }),
        "pyscript.ffi's names: {result}"
    );

    let shown = match page
        .wait_for_error_box("raised in a worker timer", SHORT)
        .await
    {
        Ok(shown) => shown,
        Err(error) => panic!("{error}; console: {:?}", page.console().await),
    };
    assert!(shown.contains("called by the worker's JS"), "{shown}");
}

#[tokio::test]
async fn js_on_the_main_thread_is_the_pages_window() {
    let h = Harness::start().await;
    let page = h.open("/js/main.html").await;
    let result = page.result(LONG).await.unwrap();
    assert_eq!(
        result,
        json!({
            "isWindow": true,
            "title": "js module main",
            "parsed": [1, {"b": 2}],
            "date": 0,
            "forEach": [4, 5],
            "fetched": {"answer": 42, "list": [1, 2, 3]},
            "pyscriptFetch": {"answer": 42, "list": [1, 2, 3]},
            "missing": 404,
        })
    );
}

/// Without cross-origin isolation a worker cannot block on the page, yet its own `js` and
/// `pyscript.fetch` need no page round trip: a relative URL resolves against the page's
/// address the boot message carried.
#[tokio::test]
async fn js_and_fetch_work_in_a_worker_without_shared_memory() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/js/plain.html").await;
    let result = page.result(LONG).await.unwrap();
    assert_eq!(
        result,
        json!({"data": {"answer": 42, "list": [1, 2, 3]}, "isolated": false})
    );
}

/// `tests/pages/js/direct_cases.py` on the page and in a worker: results of every kind
/// (ints exact, a big int, -0.0, NaN, text, None, booleans, objects), arguments of every
/// kind (the direct path's and those that make a call take the request path: a big int, a
/// list) and the failures, the same on both tables and as PyScript's `js` gives them.
#[tokio::test]
async fn direct_reads_and_calls_answer_as_requests_do() {
    let h = Harness::start().await;
    let page = h.open("/js/direct.html").await;
    let result = page.result(LONG).await.unwrap();
    let expected = json!({
        "pi": std::f64::consts::PI,
        "int": 7,
        "float": 2.5,
        // (As text: the page's JSON.parse of the results would round a big int.)
        "bigInt": ["int", "1152921504606846976"],
        "negativeZero": "-0.0",
        "nan": "nan",
        "text": r#""é\n\"x\"""#,
        "none": null,
        "bool": true,
        "object": "{\"items\":[1,2]}",
        "args": "[null,true,-3,0.5,\"s\",[1,2]]",
        "bigArg": "1152921504606846976",
        "listArg": "[1,[2]]",
        "method": true,
        "missing": ["AttributeError", "Math has no attribute 'nothing'"],
        "missingMethod": ["AttributeError", "Math has no attribute 'nothing'"],
        "notCallable": ["TypeError", "'int' object is not callable"],
    });
    for side in ["main", "worker"] {
        let cases = &result[side];
        for (key, value) in expected.as_object().unwrap() {
            assert_eq!(&cases[key], value, "{side} {key}: {result}");
        }
        let throws = &cases["throws"];
        assert_eq!(throws[0], "JsException", "{side}: {result}");
        assert!(
            throws[1]
                .as_str()
                .unwrap_or_default()
                .starts_with("SyntaxError"),
            "{side}: {result}"
        );
    }
}
