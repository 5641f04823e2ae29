//! `window` and `document` in a worker, in a real browser: reads, writes, identity,
//! iteration, JS errors, handle lifetime, events handled by the worker (clicked by
//! WebDriver), `display`, `when`, timers and promises.

use std::time::Duration;

use rustpy_e2e::Harness;

const BOOT: Duration = Duration::from_secs(90);
const SHORT: Duration = Duration::from_secs(10);

/// Evaluates `calls`, a JS object literal of awaited calls on `w` (dom.html's `handles`
/// worker), on the page and waits up to `timeout` for it (`{error}` if a call rejected).
async fn handles_worker_results(
    page: &rustpy_e2e::browser::Page<'_>,
    calls: &str,
    timeout: Duration,
) -> serde_json::Value {
    let script = format!(
        "import('/rustpy/rustpy.js').then(async ({{ workers }}) => {{ \
           const w = await workers.handles; \
           window.__results = {calls}; \
         }}).catch((e) => {{ window.__results = {{ error: String(e) }}; }});"
    );
    page.eval(&script, vec![]).await.unwrap();
    page.wait_for("window.__results", timeout).await.unwrap()
}

#[tokio::test]
async fn worker_uses_window_and_document() {
    window_and_document("/dom.html").await;
}

/// The same, on a page without `Atomics.waitAsync` (`?no-wait-async`, `capture.js`): the
/// worker posts its requests to the page instead of writing them into shared memory, as in
/// an engine that lacks it.
#[tokio::test]
async fn worker_uses_window_and_document_without_wait_async() {
    window_and_document("/dom.html?no-wait-async").await;
}

/// `dom.html` at `path`: the worker's reads, writes, events and handles.
async fn window_and_document(path: &str) {
    let h = Harness::start().await;
    let page = h.open(path).await;
    page.wait_for_console("log", "dom ready", BOOT)
        .await
        .unwrap();
    let lines = page.log_lines().await.unwrap();
    for expected in [
        "dataset cached cached",
        "identity True True True",
        "items ['a', 'b', 'c'] 3 a c",
        "item v True",
        "deleted False",
        "date 0",
        "bool False True",
        "still works changed by worker",
        "unicode True 9",
        "repr <JsProxy HTMLBodyElement: [object HTMLBodyElement]> | 1,2",
        "to_py {'a': [1, 2.5, {'b': None}], 's': 'x'}",
        "worker True 42 True",
        "fetched True",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "missing {expected:?} in {lines:#?}"
        );
    }
    let js_error = lines.iter().find(|l| l.starts_with("js error")).unwrap();
    assert!(
        js_error.starts_with("js error SyntaxError | SyntaxError:") && js_error.contains("##"),
        "{js_error}"
    );
    let missing = lines.iter().find(|l| l.starts_with("missing")).unwrap();
    assert!(missing.contains("nothere"), "{missing}");
    let rejected = lines.iter().find(|l| l.starts_with("rejected")).unwrap();
    assert!(rejected.contains("Error: nope"), "{rejected}");

    // Writes reached the page.
    let state = page
        .eval(
            "return [document.title, document.querySelector('#made').textContent, \
             document.body.dataset.test, document.querySelector('#bold')?.textContent, \
             document.querySelector('#out').textContent, \
             document.querySelector('#bold')?.parentElement.parentElement.previousElementSibling?.getAttribute('name'), \
             [...document.querySelector('#appended').children].map((child) => child.textContent)];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        state,
        serde_json::json!([
            "changed by worker",
            "made in worker",
            "cached",
            "bold",
            "replaced",
            "dom",
            ["41", "42"]
        ])
    );

    // Events: the worker's handlers run when WebDriver clicks.
    page.click("#btn").await.unwrap();
    page.wait_for(
        "document.querySelector('#clicks').textContent === 'clicked btn'",
        SHORT,
    )
    .await
    .unwrap();
    page.click("#once").await.unwrap();
    page.wait_for(
        "document.querySelector('#once-count').textContent === '1'",
        SHORT,
    )
    .await
    .unwrap();
    page.click("#once").await.unwrap();
    // The timer callback fired long ago; the form was not submitted yet.
    page.wait_for(
        "document.querySelector('#timer').textContent === 'timer fired'",
        SHORT,
    )
    .await
    .unwrap();
    page.click("#submit").await.unwrap();
    page.wait_for(
        "document.querySelector('#submitted').textContent === 'submitted submit'",
        SHORT,
    )
    .await
    .unwrap();
    let after = page
        .eval(
            "return [location.pathname, document.querySelector('#once-count').textContent];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        after,
        serde_json::json!(["/dom.html", "1"]),
        "preventDefault ran on the page (no navigation) and once=True fired once"
    );
}

/// The most handles a loop of proxies made and dropped may leave behind.
const LEFT_AT_MOST: i64 = 4;

#[tokio::test]
async fn dropped_proxies_release_their_handles() {
    let h = Harness::start().await;
    let page = h.open("/dom.html").await;
    let leaked = handles_worker_results(
        &page,
        "{ one_by_one: await w.churn(5000, 1), leaked: await w.churn(100000, 1000) }",
        Duration::from_secs(240),
    )
    .await;
    let one_by_one = leaked["one_by_one"]
        .as_i64()
        .unwrap_or_else(|| panic!("{leaked}"));
    // live_handles() sends the releases Python still queues first, and they run in order
    // with requests: the count is exact, give or take a proxy the loop still holds.
    assert!(
        (0..=LEFT_AT_MOST).contains(&one_by_one),
        "5 000 proxies made and dropped one by one left {one_by_one} handles"
    );
    let leaked = leaked["leaked"]
        .as_i64()
        .unwrap_or_else(|| panic!("{leaked}"));
    assert!(
        (0..=LEFT_AT_MOST).contains(&leaked),
        "100 000 proxies made and dropped left {leaked} handles"
    );
}

#[tokio::test]
async fn main_thread_python_uses_the_same_names() {
    let h = Harness::start().await;
    let page = h.open("/dom-main.html").await;
    page.wait_for_console("log", "main done", BOOT)
        .await
        .unwrap();
    let lines = page.log_lines().await.unwrap();
    assert!(
        lines.contains(&"main False main-dom-target-1 True".to_string()),
        "{lines:#?}"
    );
    assert!(lines.contains(&"promise 5".to_string()), "{lines:#?}");
    assert!(
        lines.contains(&"worker target None".to_string()),
        "{lines:#?}"
    );
    let no_target = lines.iter().find(|l| l.starts_with("no target:")).unwrap();
    assert!(no_target.contains("target="), "{no_target}");
    let shown = page
        .eval(
            "const t = document.getElementById('main-dom-target-1'); \
             return [t.previousElementSibling.id, t.textContent];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, serde_json::json!(["main-dom", "main says hi!"]));
    page.click("#mlink").await.unwrap();
    page.wait_for(
        "document.querySelector('#mout').textContent === 'main clicked mlink'",
        SHORT,
    )
    .await
    .unwrap();
    let path = page.eval("return location.pathname", vec![]).await.unwrap();
    assert_eq!(path, "/dom-main.html");
}

/// `with batch():` longer than one part: the parts go through the shared request buffer
/// while Python queues (or are posted when one is too large for it) and arrive in order;
/// a failure in a middle part is reported at the end with its place in the batch.
#[tokio::test]
async fn long_batches_arrive_whole_and_in_order() {
    long_batches("/dom.html").await;
}

/// The same, on a page without `Atomics.waitAsync` (`?no-wait-async`, `capture.js`): the
/// worker posts its requests to the page instead of writing them into shared memory, as in
/// an engine that lacks it.
#[tokio::test]
async fn long_batches_arrive_whole_and_in_order_without_wait_async() {
    long_batches("/dom.html?no-wait-async").await;
}

/// The batches of `dom.html` at `path`.
async fn long_batches(path: &str) {
    let h = Harness::start().await;
    let page = h.open(path).await;
    let found = handles_worker_results(
        &page,
        "{ short: await w.batched_table(1000, false), long: await w.batched_table(1000, true), \
           failure: await w.batch_failure() }",
        Duration::from_secs(120),
    )
    .await;
    // (The middle row's first cell reads "500.0", or the 70 000 characters.)
    assert_eq!(
        found["short"],
        serde_json::json!([1000, "999.2", 5]),
        "{found}"
    );
    assert_eq!(
        found["long"],
        serde_json::json!([1000, "999.2", 70000]),
        "{found}"
    );
    // The rest of the message is the engine's own wording of the SyntaxError.
    let failure = found["failure"].as_str().unwrap_or_default();
    assert!(
        failure.starts_with(
            "JsException: operation 601 of 1201 in the batch (call 'querySelector') failed: \
             SyntaxError: "
        ) && failure.contains("'##' is not a valid selector"),
        "{found}"
    );
}
