//! Floods: a worker printing a million lines and sending a large value, and a worker
//! printing while its page is busy. Every line arrives, in order; the worker waits for a
//! page that cannot keep up. The first test prints its figures (delivery time against the
//! worker's own loop, the longest main-thread task, the large value's time): run it with
//! `--nocapture` (docs/reliability.md quotes them). No timing is asserted but the
//! back-pressure relation.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::page_outcome;

#[tokio::test]
async fn a_million_lines_arrive_in_order_and_a_large_value_crosses() {
    let lines: u64 = std::env::var("RUSTPY_FLOOD_LINES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let h = Harness::start().await;
    let page = h
        .open(&format!("/flood.html?lines={lines}&blob={}", 50 << 20))
        .await;
    let results = page
        .wait_for_quietly("window.results", Duration::from_secs(600))
        .await
        .and_then(page_outcome)
        .unwrap();
    eprintln!("{results}");
    assert_eq!(results["received"], lines, "every line arrived: {results}");
    assert_eq!(results["outOfOrder"], 0, "in order: {results}");
    assert_eq!(results["blobLength"], 50 << 20, "{results}");
}

#[tokio::test]
async fn a_flooding_worker_waits_for_a_busy_page() {
    waits_for_a_busy_page(&Harness::start().await).await;
}

/// The same through the service-worker relay (the page served without the isolation
/// headers, as WebKitGTK always runs): the relay keeps the page's count.
#[tokio::test]
async fn a_flooding_worker_waits_for_a_busy_page_through_the_relay() {
    waits_for_a_busy_page(&Harness::start_not_isolated().await).await;
}

/// `flood.html` with a page busy for 3 s after the first line, served by `h`.
async fn waits_for_a_busy_page(h: &Harness) {
    // 50 000 lines take the worker a fraction of the 3 s the page stays busy; it may run
    // ahead of the page by at most 16 messages of 1 024 lines, so it is still printing
    // when the page frees up.
    let page = h.open("/flood.html?lines=50000&busy=3000").await;
    let results = page
        .wait_for_quietly("window.results", Duration::from_secs(300))
        .await
        .and_then(page_outcome)
        .unwrap();
    assert_eq!(results["received"], 50000, "{results}");
    assert_eq!(results["outOfOrder"], 0, "{results}");
    let seconds = |key: &str| results[key].as_f64().unwrap_or(0.0);
    assert!(
        seconds("workerLoopSeconds") > seconds("busySeconds") / 2.0,
        "the worker's loop went on while the page could not read its output: {results}"
    );
}
