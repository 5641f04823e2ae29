//! Pages without shared memory: served without cross-origin isolation headers, or isolated
//! in an engine without `SharedArrayBuffer` (WebKitGTK; simulated in Chromium by a page that
//! deletes it, `js/simulate.js`). rustpy falls back by itself to its service-worker relay
//! (every feature, slower, one console note); where no relay can run (simulated: a browser
//! that refuses the registration) the page explains what is missing, naming the right
//! cause; `sync_main_only` workers serve the page; the page's own relay
//! (`service-worker`) and the shipped COI service worker keep working.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::Page;
use serde_json::{Value, json};

const BOOT: Duration = Duration::from_secs(90);

/// rustpy's console note when it falls back to its own relay.
const NOTE: &str = "so workers call the page through rustpy's service-worker relay";

/// `results[key]` of a page that settles promises as `["ok"|"err", value]`.
fn pair(results: &Value, key: &str) -> (String, String) {
    let value = &results[key];
    (
        value[0].as_str().unwrap_or_default().to_string(),
        value[1]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| value[1].to_string()),
    )
}

/// `relay.html`'s results, checked: sync both ways, `window`/`document` from a
/// worker, `input()`, a timeout and an interrupt of a blocked call, all through the relay.
async fn check_relayed(page: &Page<'_>, isolated: bool) -> Value {
    let results = match page
        .wait_for("window.results?.done && window.results", BOOT)
        .await
    {
        Ok(results) => results,
        Err(error) => {
            let partial = page.eval("return window.results", vec![]).await;
            panic!("{error}\nresults so far: {partial:?}");
        }
    };
    assert_eq!(pair(&results, "sum"), ("ok".into(), "5".into()));
    assert_eq!(pair(&results, "dom"), ("ok".into(), "via the relay".into()));
    assert_eq!(
        pair(&results, "window"),
        ("ok".into(), isolated.to_string())
    );
    assert_eq!(
        pair(&results, "asked"),
        ("ok".into(), "typed after name? ".into())
    );
    let (status, timed) = pair(&results, "timed");
    assert_eq!(status, "ok");
    assert!(timed.contains("sync.never()"), "{timed}");
    let (status, interrupted) = pair(&results, "interrupted");
    assert_eq!(status, "err");
    assert!(interrupted.contains("KeyboardInterrupt"), "{interrupted}");
    assert_eq!(pair(&results, "ping"), ("ok".into(), "pong".into()));
    let title = if isolated { "True" } else { "False" };
    page.wait_for_console("log", &format!("tag worker sees relay {title}"), BOOT)
        .await
        .unwrap();
    assert!(
        page.error_boxes().await.unwrap().is_empty(),
        "no diagnosis when the relay runs"
    );
    results
}

/// rustpy's own relay: the page itself stays uncontrolled, the scope is under `folder`.
fn check_own_relay(h: &Harness, results: &Value, folder: &str) {
    assert_eq!(
        results["controlled"], false,
        "the page itself stays uncontrolled"
    );
    assert_eq!(
        results["scopes"],
        json!([h.server.url(&format!("{folder}__rustpy__/"))])
    );
}

/// A text about an isolated page without `SharedArrayBuffer` names the engine, not
/// isolation.
fn names_the_engine(text: &str) {
    assert!(
        text.contains("no SharedArrayBuffer, although the page is cross-origin isolated")
            && !text.contains("not cross-origin isolated")
            && !text.contains("Cross-Origin-Embedder-Policy"),
        "{text}"
    );
}

/// The console notes about the automatic relay: exactly one per page load.
async fn the_note(page: &Page<'_>) -> String {
    let notes: Vec<String> = page
        .console()
        .await
        .unwrap()
        .into_iter()
        .filter(|line| line.text.contains(NOTE))
        .map(|line| format!("{}: {}", line.level, line.text))
        .collect();
    assert_eq!(notes.len(), 1, "one note for two workers: {notes:#?}");
    notes[0].clone()
}

#[tokio::test]
async fn without_headers_workers_call_the_page_through_rustpys_own_relay() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/relay.html").await;
    let results = check_relayed(&page, false).await;
    check_own_relay(&h, &results, "/rustpy/");
    let note = the_note(&page).await;
    assert!(
        note.starts_with("info: ") && note.contains("the page is not cross-origin isolated"),
        "{note}"
    );
    // The first load was served without a reload; the next load finds the service worker
    // active and works the same.
    page.reload().await.unwrap();
    page.wait_for("window.results?.navigation === 'reload'", BOOT)
        .await
        .unwrap();
    let results = check_relayed(&page, false).await;
    check_own_relay(&h, &results, "/rustpy/");
    the_note(&page).await;
}

#[tokio::test]
async fn isolated_without_shared_array_buffer_falls_back_too() {
    // WebKitGTK's case: crossOriginIsolated is true, SharedArrayBuffer is missing.
    let h = Harness::start().await;
    let page = h.open("/relay.html?nosab").await;
    let results = check_relayed(&page, true).await;
    check_own_relay(&h, &results, "/rustpy/");
    names_the_engine(&the_note(&page).await);
}

#[tokio::test]
async fn served_from_a_sub_folder_the_relay_scope_is_rustpys_folder() {
    let dist = rustpy_e2e::workspace_root().join("dist/rustpy");
    let h = Harness::start_not_isolated_with(&[("/lib/v1/rustpy", dist.as_path())]).await;
    let page = h.open("/relay.html?base=/lib/v1/rustpy/").await;
    let results = check_relayed(&page, false).await;
    check_own_relay(&h, &results, "/lib/v1/rustpy/");
    the_note(&page).await;
}

/// `no-isolation.html`'s worker lines and the page's one diagnosis box.
async fn diagnosis(page: &Page<'_>, title: &str) -> (Vec<String>, String) {
    page.wait_for_console("log", "document:", BOOT)
        .await
        .unwrap();
    let lines = page.log_lines().await.unwrap();
    assert!(
        lines.contains(&"isolated? True still runs 45".to_string()),
        "{lines:#?}"
    );
    let worker_lines = ["sync:", "document:"]
        .iter()
        .map(|prefix| {
            let line = lines.iter().find(|l| l.starts_with(prefix)).unwrap();
            assert!(
                line.contains("service workers are disabled (simulated by the test page)"),
                "{line}"
            );
            line.clone()
        })
        .collect();
    let shown = page.wait_for_error_box(title, BOOT).await.unwrap();
    assert_eq!(page.error_boxes().await.unwrap().len(), 1, "shown once");
    (worker_lines, shown)
}

#[tokio::test]
async fn where_no_relay_can_run_the_page_says_what_is_missing() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/no-isolation.html?refuse").await;
    let (lines, shown) = diagnosis(&page, "rustpy: this page is not cross-origin isolated").await;
    for line in lines {
        assert!(
            line.contains("not cross-origin isolated")
                && line.contains("Cross-Origin-Embedder-Policy: require-corp")
                && line.contains("rustpy-coi.js"),
            "{line}"
        );
    }
    for needle in [
        "Cross-Origin-Opener-Policy: same-origin",
        "Cross-Origin-Embedder-Policy: require-corp",
        "Cross-Origin-Resource-Policy: cross-origin",
        "rustpy-coi.js",
        "the relay cannot run: the browser refused to register the service worker",
        "sync_main_only",
    ] {
        assert!(shown.contains(needle), "{needle} in {shown}");
    }
}

#[tokio::test]
async fn isolated_without_shared_array_buffer_nor_relay_names_the_engine() {
    let h = Harness::start().await;
    let page = h.open("/no-isolation.html?refuse&nosab").await;
    let (lines, shown) =
        diagnosis(&page, "rustpy: this browser gives workers no shared memory").await;
    for text in lines.iter().chain([&shown]) {
        names_the_engine(text);
    }
}

#[tokio::test]
async fn sync_main_only_workers_serve_the_page() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/sync-main-only.html").await;
    let results = page
        .wait_for("window.results?.done && window.results", BOOT)
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
    let registered = page
        .eval(
            "return navigator.serviceWorker.getRegistrations().then((r) => r.length)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        registered, 0,
        "no relay for workers that never call the page"
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
    assert_eq!(state, json!([true, "yes"]));
}

#[tokio::test]
async fn the_pages_own_relay_gives_workers_sync_calls_without_shared_memory() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/relay.html?sw=/rustpy-sw.js").await;
    let results = check_relayed(&page, false).await;
    assert_eq!(
        results["scopes"],
        json!([h.server.url("/")]),
        "only the page's relay: rustpy registers none of its own"
    );
    assert!(
        !page
            .console()
            .await
            .unwrap()
            .iter()
            .any(|line| line.text.contains(NOTE)),
        "no fallback note when the page names its relay"
    );
}
