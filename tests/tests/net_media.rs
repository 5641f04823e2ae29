//! `pyscript.media` (issue 26, point 5) on `tests/pages/net/media.html`, with the fake
//! camera and microphone the suite starts each engine with (`engines.rs`), on the
//! page's main thread and in a worker (where the devices and streams are the page's):
//! `list_devices()` lists them (`kind`, `label` once allowed, `device["kind"]`),
//! `Device.request_stream(video=True)` and `Device.load(video=True)` give a stream with a
//! video track, `device.get_stream()` one of that camera, and a bad constraint raises a
//! `TypeError`.

use std::time::Duration;

use rustpy_e2e::Harness;
use serde_json::{Value, json};

const LONG: Duration = Duration::from_secs(120);

fn assert_report(report: &Value, side: &str, in_worker: bool) {
    assert_eq!(report["inWorker"], in_worker, "{side}: {report}");
    assert_eq!(report["listed"], true, "{side}: devices listed: {report}");
    let kinds = report["kinds"].as_array().cloned().unwrap_or_default();
    assert!(
        kinds.contains(&json!("videoinput")) && kinds.contains(&json!("audioinput")),
        "{side}: the fake camera and microphone: {report}"
    );
    assert_eq!(report["labelled"], true, "{side}: {report}");
    assert_eq!(report["itemAccess"], true, "{side}: {report}");
    assert_eq!(
        report["videoTracks"],
        json!([["video", true]]),
        "{side}: {report}"
    );
    assert_eq!(report["chosenDevice"], true, "{side}: {report}");
    assert_eq!(report["loadTracks"], 1, "{side}: {report}");
    assert_eq!(
        report["badConstraint"],
        "TypeError: video must be a bool or a dict of constraints, not str",
        "{side}: {report}"
    );
}

#[tokio::test]
async fn fake_devices_are_listed_and_streamed_on_the_main_thread_and_in_a_worker() {
    let h = Harness::start().await;
    let page = h.open("/net/media.html").await;
    let result = page.result(LONG).await.unwrap();
    assert_report(&result["main"], "main", false);
    assert_report(&result["worker"], "worker", true);
}
