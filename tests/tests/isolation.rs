//! Pages served without cross-origin isolation headers: the page explains what is missing
//! and the ways out, workers still run (their synchronous calls raise clearly),
//! `sync_main_only` workers serve the page, and the shipped COI service worker makes a
//! page isolated after one reload.

use std::time::Duration;

use rustpy_e2e::Harness;

const BOOT: Duration = Duration::from_secs(90);

#[tokio::test]
async fn without_headers_the_page_says_what_is_missing() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/no-isolation.html").await;
    page.wait_for_console("log", "document:", BOOT)
        .await
        .unwrap();
    let lines = page.log_lines().await.unwrap();
    assert!(
        lines.contains(&"isolated? True still runs 45".to_string()),
        "{lines:#?}"
    );
    for prefix in ["sync:", "document:"] {
        let line = lines.iter().find(|l| l.starts_with(prefix)).unwrap();
        assert!(
            line.contains("not cross-origin isolated")
                && line.contains("Cross-Origin-Embedder-Policy: require-corp")
                && line.contains("rustpy-coi.js"),
            "{line}"
        );
    }
    let diagnosis = page
        .wait_for_error_box("not cross-origin isolated", BOOT)
        .await
        .unwrap();
    for needle in [
        "Cross-Origin-Opener-Policy: same-origin",
        "Cross-Origin-Embedder-Policy: require-corp",
        "Cross-Origin-Resource-Policy: cross-origin",
        "rustpy-coi.js",
        "sync_main_only",
    ] {
        assert!(diagnosis.contains(needle), "{needle} in {diagnosis}");
    }
    assert_eq!(page.error_boxes().await.unwrap().len(), 1, "shown once");
}

#[tokio::test]
async fn sync_main_only_workers_serve_the_page() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/sync-main-only.html").await;
    let results = page
        .wait_for("window.results.done && window.results", BOOT)
        .await
        .unwrap();
    assert_eq!(results["export"], 42);
    assert_eq!(results["syncForm"], 8);
    let error = results["documentError"].as_str().unwrap();
    assert!(error.contains("sync_main_only"), "{error}");
    assert!(
        page.error_boxes().await.unwrap().is_empty(),
        "no diagnosis for a sync_main_only worker"
    );
}

#[tokio::test]
async fn the_coi_service_worker_isolates_the_page() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/coi.html").await;
    page.wait_for_console("log", "coi isolated: True", BOOT)
        .await
        .unwrap();
    let state = page
        .eval(
            "return [crossOriginIsolated, document.body.dataset.fromWorker];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(state, serde_json::json!([true, "yes"]));
}

#[tokio::test]
async fn the_service_worker_relay_gives_workers_sync_calls_without_shared_memory() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/relay.html").await;
    let results = page
        .wait_for("window.results.done && window.results", BOOT)
        .await
        .unwrap();
    let pair = |key: &str| {
        (
            results[key][0].as_str().unwrap_or_default().to_string(),
            results[key][1]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| results[key][1].to_string()),
        )
    };
    assert_eq!(pair("sum"), ("ok".into(), "5".into()));
    assert_eq!(pair("dom"), ("ok".into(), "via the relay".into()));
    let (status, timed) = pair("timed");
    assert_eq!(status, "ok");
    assert!(timed.contains("sync.never()"), "{timed}");
    let (status, interrupted) = pair("interrupted");
    assert_eq!(status, "err");
    assert!(interrupted.contains("KeyboardInterrupt"), "{interrupted}");
    assert_eq!(pair("ping"), ("ok".into(), "pong".into()));
    page.wait_for_console("log", "tag worker sees relay", BOOT)
        .await
        .unwrap();
    assert!(
        page.error_boxes().await.unwrap().is_empty(),
        "no isolation diagnosis when the relay is used"
    );
    let isolated = page
        .eval("return crossOriginIsolated", vec![])
        .await
        .unwrap();
    assert_eq!(isolated, false, "the relay works without isolation");
}
