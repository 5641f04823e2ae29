//! The foundation in a real browser: script tags on the main thread and in workers, the
//! custom element, top-level await, the promised modules, `time.sleep`, errors shown on
//! the page, tags added later, and pages below the site root.

use std::time::Duration;

use rustpy_e2e::Harness;

/// Generous: the first load compiles a large wasm module on a busy 2-core machine.
const BOOT: Duration = Duration::from_secs(60);
const SHORT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn main_thread_inline_src_and_custom_element_run_in_order() {
    let h = Harness::start().await;
    let page = h.open("/main.html").await;
    page.wait_for_console("log", "custom element main ok main inline ok", BOOT)
        .await
        .unwrap();
    let log = page.log_lines().await.unwrap();
    assert_eq!(
        log,
        vec![
            "main inline ok",
            "main src ok main inline ok",
            "custom element main ok main inline ok"
        ]
    );
    page.wait_for_console("error", "to stderr", SHORT)
        .await
        .unwrap();
    assert!(page.error_boxes().await.unwrap().is_empty());
    // The custom element's source text is not shown on the page.
    let shown = page
        .eval("return document.body.innerText", vec![])
        .await
        .unwrap();
    assert!(
        !shown.as_str().unwrap_or_default().contains("print("),
        "{shown}"
    );
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn workers_run_inline_src_and_custom_element() {
    let h = Harness::start().await;
    let page = h.open("/workers.html").await;
    // Each script says it runs in a worker (RUNNING_IN_WORKER / in_worker() come from the
    // realm's host: the page's interpreter says False).
    for line in [
        "worker inline ok True",
        "worker src ok True",
        "custom element worker ok True",
    ] {
        page.wait_for_console("log", line, BOOT).await.unwrap();
    }
    page.wait_for_console("error", "worker stderr", SHORT)
        .await
        .unwrap();
    // The server saw one request for the module in all (it forbids caching): the page
    // compiled it once and handed it to the three workers, which fetched nothing.
    let served = h.server.bytes_served();
    let wasm = &served["/rustpy/rustpy_wasm_bg.wasm"];
    assert_eq!(
        wasm.responses, 1,
        "the wasm module is fetched once and shared: {wasm:?}"
    );
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn top_level_await_on_main_and_in_worker() {
    let h = Harness::start().await;
    let page = h.open("/await.html").await;
    page.wait_for_console("log", "main awaited [1, 2]", BOOT)
        .await
        .unwrap();
    page.wait_for_console("log", "worker awaited True", BOOT)
        .await
        .unwrap();
    page.wait_for_console(
        "log",
        "second main script runs after the first finished",
        SHORT,
    )
    .await
    .unwrap();
    let log: Vec<String> = page
        .console()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.text)
        .collect();
    let first = log.iter().position(|l| l.contains("main awaited")).unwrap();
    let second = log
        .iter()
        .position(|l| l.contains("second main script"))
        .unwrap();
    assert!(first < second, "main scripts run in order: {log:?}");
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn promised_modules_work_on_main_and_in_worker() {
    let h = Harness::start().await;
    let page = h.open("/modules.html").await;
    for place in ["main", "worker"] {
        let line = page
            .wait_for_console("log", &format!("{place} modules"), BOOT)
            .await
            .unwrap();
        assert_eq!(
            line,
            format!("{place} modules 30 failed [] ModuleNotFoundError"),
            "every module imports and works"
        );
        let clock = page
            .wait_for_console("log", &format!("{place} wall clock"), SHORT)
            .await
            .unwrap();
        let python_time: f64 = clock.rsplit(' ').next().unwrap().parse().unwrap();
        let js_time = page.eval("return Date.now() / 1000", vec![]).await.unwrap();
        let drift = (js_time.as_f64().unwrap() - python_time).abs();
        assert!(
            drift < 120.0,
            "time.time() is the real wall clock (drift {drift}s)"
        );
    }
    assert!(page.error_boxes().await.unwrap().is_empty());
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn worker_sleep_blocks_for_the_duration() {
    let h = Harness::start().await;
    let page = h.open("/sleep.html").await;
    let line = page.wait_for_console("log", "slept", BOOT).await.unwrap();
    let values: Vec<f64> = line
        .split_whitespace()
        .filter_map(|part| part.split_once('=').and_then(|(_, v)| v.parse().ok()))
        .collect();
    assert_eq!(values.len(), 2, "{line}");
    for elapsed in values {
        assert!(
            (0.5..3.0).contains(&elapsed),
            "time.sleep(0.5) took {elapsed}s: {line}"
        );
    }
    assert!(page.error_boxes().await.unwrap().is_empty());
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn errors_show_tracebacks_on_page_and_console() {
    let h = Harness::start().await;
    let page = h.open("/errors.html").await;

    let divide = page
        .wait_for_error_box("ZeroDivisionError", BOOT)
        .await
        .unwrap();
    assert!(divide.contains("scripts/divide.py"), "{divide}");
    assert!(
        divide.contains("line 5"),
        "the failing call's line: {divide}"
    );
    assert!(
        divide.contains("line 2, in divide"),
        "the inner frame: {divide}"
    );
    page.wait_for_console("error", "ZeroDivisionError", SHORT)
        .await
        .unwrap();
    page.wait_for_console("log", "about to divide", SHORT)
        .await
        .unwrap();

    let main_syntax = page.wait_for_error_box("#broken", BOOT).await.unwrap();
    assert!(main_syntax.contains("SyntaxError"), "{main_syntax}");
    assert!(main_syntax.contains("line 3"), "{main_syntax}");

    let worker_syntax = page
        .wait_for_error_box("#broken-worker", BOOT)
        .await
        .unwrap();
    assert!(worker_syntax.contains("SyntaxError"), "{worker_syntax}");
    assert!(worker_syntax.contains("line 2"), "{worker_syntax}");

    let missing = page
        .wait_for_error_box("does-not-exist.py", BOOT)
        .await
        .unwrap();
    assert!(missing.contains("404"), "{missing}");
    assert!(missing.contains("http://"), "names the full URL: {missing}");
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn tags_added_after_load_are_picked_up() {
    let h = Harness::start().await;
    let page = h.open("/late.html").await;
    page.wait_for_console("log", "late main tag ran", BOOT)
        .await
        .unwrap();
    page.wait_for_console("log", "late worker element ran", BOOT)
        .await
        .unwrap();
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn pages_below_the_root_resolve_src_against_the_page() {
    let h = Harness::start().await;
    let page = h.open("/deep/nested/page.html").await;
    page.wait_for_console("log", "nested src resolved against the page", BOOT)
        .await
        .unwrap();
    page.wait_for_console("log", "relative worker src resolved", BOOT)
        .await
        .unwrap();
    assert!(page.error_boxes().await.unwrap().is_empty());
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn the_page_is_cross_origin_isolated() {
    let h = Harness::start().await;
    let page = h.open("/main.html").await;
    let isolated = page
        .eval("return self.crossOriginIsolated", vec![])
        .await
        .unwrap();
    assert_eq!(isolated, true, "the test server sends COOP/COEP");
    h.browser.close().await.unwrap();
}
