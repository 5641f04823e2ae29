//! PyScript parity of a script's events and of the JS API (issue 23, points 3 and 5), on
//! the pages of `tests/pages/parity_events/`: `rustpy:ready` before the script runs and
//! `rustpy:done` after it (main-thread tags, worker tags, `<rustpy-script>`), both bubbling
//! to `document`; `rustpy:all-done` on `window` once every script of the page ended, failed
//! ones included, and never for tags added later or workers made from JS; `await
//! PyWorker(url, options)` (PyScript's async form) beside `new PyWorker(url, options)`, with
//! a worker exporting `then`; `<rustpy-script>` code holding markup-like text.

use std::time::Duration;

use rustpy_e2e::Harness;
use serde_json::{Value, json};

/// Generous: the first page of a run compiles the wasm module on a busy 2-core machine.
const LONG: Duration = Duration::from_secs(150);

/// The entries of `order` that start with `prefix`, in order.
fn entries_of(order: &Value, prefix: &str) -> Vec<String> {
    order
        .as_array()
        .expect("order is a list")
        .iter()
        .filter_map(Value::as_str)
        .filter(|entry| entry.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// Where `entry` stands in `order` (panics, naming the order, if absent).
fn position(order: &Value, entry: &str) -> usize {
    order
        .as_array()
        .expect("order is a list")
        .iter()
        .position(|e| e == entry)
        .unwrap_or_else(|| panic!("{entry:?} missing from {order}"))
}

#[tokio::test]
async fn ready_comes_before_the_script_and_done_after_and_both_bubble() {
    let h = Harness::start().await;
    let page = h.open("/parity_events/order.html").await;
    let result = page.result(LONG).await.unwrap();
    let order = &result["order"];
    // Each tag: ready, then what its script did (a page call, its printed line), then done.
    assert_eq!(
        entries_of(order, "main-tag:"),
        [
            "main-tag:ready",
            "main-tag:script",
            "main-tag:print main tag prints",
            "main-tag:done"
        ],
        "{order}"
    );
    // The worker's script called the page function its tag's rustpy:ready listener set:
    // the event came before the script ran.
    assert_eq!(
        entries_of(order, "worker-tag:"),
        [
            "worker-tag:ready",
            "worker-tag:script set in rustpy:ready",
            "worker-tag:print worker tag prints",
            "worker-tag:done"
        ],
        "{order}"
    );
    assert_eq!(
        entries_of(order, "custom:"),
        ["custom:ready", "custom:script", "custom:done"],
        "{order}"
    );
    // Main-thread scripts run one after another, in document order.
    assert!(
        position(order, "main-tag:done") < position(order, "custom:ready"),
        "{order}"
    );
    // all-done once, after every done.
    assert_eq!(entries_of(order, "all-done").len(), 1, "{order}");
    assert_eq!(
        order.as_array().unwrap().last(),
        Some(&json!("all-done")),
        "{order}"
    );
    // Heard on `document` in the bubbling phase; detail.worker: the PyWorker, or false.
    for id in ["main-tag", "worker-tag", "custom"] {
        for what in ["ready", "done"] {
            assert_eq!(
                result["bubbled"][format!("{id}:{what}")],
                true,
                "{id}:{what}: {result}"
            );
        }
    }
    assert_eq!(
        result["detail"],
        json!({
            "main-tag:ready": "false", "main-tag:done": "false",
            "custom:ready": "false", "custom:done": "false",
            "worker-tag:ready": "worker", "worker-tag:done": "worker",
        }),
        "{result}"
    );
}

#[tokio::test]
async fn all_done_comes_once_after_every_script_ended_failed_ones_included() {
    let h = Harness::start().await;
    let page = h.open("/parity_events/all_done.html").await;
    let result = page.result(LONG).await.unwrap();
    let at_all_done = &result["atAllDone"];
    let tags = [
        "main-ok",
        "main-fails",
        "worker-ok",
        "worker-fails",
        "worker-missing",
        "main-missing",
        "custom-fails",
    ];
    // Every tag of the page had its done (failed or not) before all-done, which came last.
    for tag in tags {
        assert!(
            position(at_all_done, &format!("{tag}:done")) < position(at_all_done, "all-done"),
            "{result}"
        );
    }
    assert_eq!(
        at_all_done.as_array().unwrap().len(),
        tags.len() + 1,
        "{result}"
    );
    // Once, though a tag added later ended after it, and a JS-made worker was not awaited
    // (its script waited for the page, which let it go only after all-done).
    assert_eq!(result["allDone"], 1, "{result}");
    assert_eq!(result["gated"], "opened", "{result}");
    let order = &result["order"];
    assert!(
        position(order, "all-done") < position(order, "late-tag:done"),
        "{result}"
    );
    // A failed run's done carries its error.
    let errors = &result["errors"];
    assert_eq!(errors["main-ok"], Value::Null, "{result}");
    assert_eq!(errors["worker-ok"], Value::Null, "{result}");
    for (tag, expected) in [
        ("main-fails", "PythonError: ValueError: main script fails"),
        (
            "worker-fails",
            "PythonError: ValueError: worker script fails",
        ),
        (
            "custom-fails",
            "PythonError: ZeroDivisionError: division by zero",
        ),
    ] {
        assert_eq!(errors[tag], expected, "{result}");
    }
    for tag in ["worker-missing", "main-missing"] {
        let error = errors[tag].as_str().unwrap_or_default();
        assert!(
            error.contains("no_such_file.py") && error.contains("404"),
            "{tag}: {result}"
        );
    }
}

#[tokio::test]
async fn a_page_without_scripts_gets_all_done_once() {
    let h = Harness::start().await;
    let page = h.open("/parity_events/no_scripts.html").await;
    let result = page.result(LONG).await.unwrap();
    assert_eq!(result, json!({"allDone": 1, "type": "Event"}));
}

#[tokio::test]
async fn await_py_worker_and_new_py_worker_both_work_with_an_export_named_then() {
    let h = Harness::start().await;
    let page = h.open("/parity_events/api.html").await;
    let result = page.result(LONG).await.unwrap();
    // `PyWorker(url, options)`: a promise of the worker once its script ran.
    assert_eq!(
        result["asyncForm"],
        json!({
            "isPromise": true,
            "isPyWorker": true,
            "exportsWhenResolved": ["ping", "then"],
            "readyGivesSame": true,
            "thenIsUndefined": true,
            "thenExport": 42,
            "ping": "pong",
            "resolvesToItself": true,
        }),
        "{result}"
    );
    assert_eq!(
        result["failures"]["noOptions"],
        json!(["ok", 2]),
        "{result}"
    );
    let wrong_type = result["failures"]["wrongType"].to_string();
    assert!(
        wrong_type.contains("\"err\"")
            && wrong_type.contains("TypeError")
            && wrong_type.contains("pyodide"),
        "a wrong type rejects the promise: {result}"
    );
    let fails = result["failures"]["scriptFails"].to_string();
    assert!(
        fails.contains("\"err\"") && fails.contains("PythonError: ValueError: this worker fails"),
        "{result}"
    );
    // `new PyWorker(url, options)`: the worker at once (no exports yet); awaiting it gives it.
    assert_eq!(
        result["constructorForm"],
        json!({
            "isPyWorker": true,
            "exportsAtOnce": 0,
            "awaitGivesIt": true,
            "readyGivesIt": true,
            "thenExport": 10,
        }),
        "{result}"
    );
    assert_eq!(
        result["namedForm"],
        json!({"ping": "pong", "then": "undefined"}),
        "{result}"
    );
}

#[tokio::test]
async fn rustpy_script_code_with_markup_runs_as_written() {
    let h = Harness::start().await;
    let page = h.open("/parity_events/markup.html").await;
    let result = page.result(LONG).await.unwrap();
    assert_eq!(
        result["printed"],
        json!({
            "markup-main": ["<b>x</b>", "x & y <i class=\"c\">it</i>", "16 True"],
            "text-only": ["a < b & b > a"],
            "markup-worker": ["<p>in a worker</p> True"],
        }),
        "{result}"
    );
    assert_eq!(result["errorBoxes"], 0, "{result}");
    assert_eq!(
        result["shown"], false,
        "the code is not shown on the page: {result}"
    );
}

/// Main-thread Python's `await workers[name]` calls every export of the worker, one named
/// `then` included (the page looked Python's calls up on `sync`, which never offers it).
#[tokio::test]
async fn python_calls_a_worker_export_named_then() {
    let h = Harness::start().await;
    let page = h.open("/parity_events/python_then.html").await;
    let result = page.result(LONG).await.unwrap();
    assert_eq!(result, json!({"then": 8, "ping": "pong"}));
}

#[tokio::test]
async fn tag_started_workers_take_page_functions_through_workers_sync() {
    let h = Harness::start().await;
    let page = h.open("/parity_events/named_sync.html").await;
    let python = page.wait_for("window.pyOutcome", LONG).await.unwrap();
    assert_eq!(
        python,
        json!({"export": 5, "through_sync": 9, "sync_again": 2}),
        "main-thread Python's page function, offered with workers[name].sync"
    );
    let js = page.wait_for("window.jsOutcome", LONG).await.unwrap();
    assert_eq!(
        js,
        json!({"export": 42, "throughSync": 4}),
        "JS's page function, offered before the tag existed"
    );
}
