//! README promises that no other browser test checked, on pages of `tests/pages/promises/`:
//! the events a script tag dispatches (`rustpy:output` with its stream, line by line and in
//! order; `rustpy:ready` before the output and `rustpy:done` after it, with `detail.worker`
//! on a worker tag and `false` on a main-thread tag), where an error box goes and how `errors="console"` /
//! `showErrors: false` keep errors in the console, a worker whose `src` is missing (its
//! `ready` rejects naming the full URL and the page shows it), and how `bytes`, `dict` and
//! `list` results of a worker's exports arrive in JavaScript; `errors="console"` on a
//! main-thread tag, and `ready`/`detail.worker` being the object that calls exports (both
//! were broken when these tests were written).

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::Page;
use serde_json::{Value, json};

/// The text of the error box that directly follows the element `id`, if one does.
async fn box_after(page: &Page<'_>, id: &str) -> Option<String> {
    let script = "const next = document.getElementById(arguments[0]).nextElementSibling;\
                  return next && next.classList.contains('rustpy-error') ? next.textContent : null;";
    page.eval(script, vec![json!(id)])
        .await
        .unwrap()
        .as_str()
        .map(str::to_string)
}

#[tokio::test]
async fn script_tags_dispatch_output_ready_and_done_events() {
    let h = Harness::start().await;
    let page = h.open("/promises/events.html").await;
    let result = page.result(Duration::from_secs(120)).await.unwrap();
    let output = |stream: &str, line: &str| json!(["rustpy:output", stream, line]);
    assert_eq!(
        result["workerSeen"],
        json!([
            ["rustpy:ready"],
            output("stdout", "worker out one"),
            output("stderr", "worker err one"),
            output("stdout", "worker out two"),
            ["rustpy:done"],
        ]),
        "the worker tag's events, in order: {result}"
    );
    assert_eq!(
        result["mainSeen"],
        json!([
            ["rustpy:ready"],
            output("stdout", "main out one"),
            output("stderr", "main err one"),
            output("stdout", "main out two"),
            ["rustpy:done"],
        ]),
        "the main-thread tag's events, in order: {result}"
    );
    assert_eq!(
        result["mainDoneDetail"],
        json!({"worker": false}),
        "{result}"
    );
    assert_eq!(result["readyIsPyWorker"], true, "{result}");
    assert_eq!(result["doneHasSameWorker"], true, "{result}");
    assert_eq!(result["syncPing"], "pong", "{result}");
    assert_eq!(result["exportsPing"], "pong", "{result}");
    assert_eq!(result["readySettled"], true, "{result}");

    // Each line also went to the console: stdout with console.log, stderr with console.error.
    let console = page.console().await.unwrap();
    for (level, text) in [
        ("log", "worker out one"),
        ("error", "worker err one"),
        ("log", "main out one"),
        ("error", "main err one"),
    ] {
        assert!(
            console.iter().any(|l| l.level == level && l.text == text),
            "console.{level}({text:?}) missing: {console:?}"
        );
    }
}

#[tokio::test]
async fn error_boxes_follow_their_tag_unless_errors_go_to_the_console() {
    let h = Harness::start().await;
    let page = h.open("/promises/errors.html").await;
    let long = Duration::from_secs(120);
    let result = page.result(long).await.unwrap();

    // Shown: the box is the element right after the failing tag, with the traceback.
    page.wait_for_error_box("loud worker tag failed", long)
        .await
        .unwrap();
    let worker_box = box_after(&page, "loud-worker-tag").await;
    assert!(
        worker_box
            .as_deref()
            .is_some_and(|b| b.contains("KeyError") && b.contains("line ")),
        "the worker tag's box follows it: {worker_box:?}"
    );
    page.wait_for_error_box("loud main tag failed", long)
        .await
        .unwrap();
    let main_box = box_after(&page, "loud-main-tag").await;
    assert!(
        main_box
            .as_deref()
            .is_some_and(|b| b.contains("ZeroDivisionError") && b.contains("line ")),
        "the main tag's box follows it: {main_box:?}"
    );

    // Kept in the console: the traceback is logged, and no box shows it (showError logs
    // before it would add the box, so once the line is there the box would be too).
    let quiet_tag = page
        .wait_for_console("error", "quiet worker tag failed", long)
        .await
        .unwrap();
    assert!(
        quiet_tag.contains("ValueError") && quiet_tag.contains("Traceback"),
        "{quiet_tag}"
    );
    let (status, traceback) = result["failed"]
        .as_str()
        .unwrap_or_default()
        .split_once(": ")
        .unwrap_or_default();
    assert_eq!(status, "PythonError", "ready rejects: {result}");
    assert!(
        traceback.contains("RuntimeError: quiet PyWorker failed")
            && traceback.contains("failing_worker.py"),
        "{result}"
    );
    let quiet_worker = page
        .wait_for_console("error", "quiet PyWorker failed", long)
        .await
        .unwrap();
    assert!(quiet_worker.contains("Traceback"), "{quiet_worker}");
    let unawaited = page
        .wait_for_console("error", "quiet export failed with nobody awaiting", long)
        .await
        .unwrap();
    assert!(
        unawaited.contains("unawaited_failure() failed") && unawaited.contains("LookupError"),
        "{unawaited}"
    );

    let boxes = page.error_boxes().await.unwrap();
    assert_eq!(
        boxes.len(),
        2,
        "only the two loud failures are shown: {boxes:?}"
    );
    assert!(
        boxes.iter().all(|b| !b.contains("quiet")),
        "a quiet failure was shown: {boxes:?}"
    );
    assert_eq!(box_after(&page, "quiet-worker-tag").await, None);
}

#[tokio::test]
async fn a_worker_whose_src_is_missing_rejects_ready_naming_it_and_shows_it() {
    let h = Harness::start().await;
    let page = h.open("/promises/missing.html").await;
    let result = page.result(Duration::from_secs(60)).await.unwrap();
    let url = result["expectedUrl"].as_str().unwrap();
    assert!(url.ends_with("/promises/no_such_worker.py"), "{result}");
    let message = result["outcome"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("\"no_such_worker.py\"")
            && message.contains(url)
            && message.contains("404"),
        "ready rejects naming the file and its full URL: {result}"
    );
    let call = result["call"].as_str().unwrap_or_default();
    assert!(
        call.contains(url),
        "a call fails with the same error: {result}"
    );
    // Shown on the page: the PyWorker's (it has no tag) and the tag's, after the tag.
    let shown = page
        .wait_for_error_box("no_such_worker.py", Duration::from_secs(10))
        .await
        .unwrap();
    assert!(shown.contains(url) && shown.contains("404"), "{shown}");
    page.wait_for_error_box("no_such_tag_worker.py", Duration::from_secs(60))
        .await
        .unwrap();
    let tag_box = box_after(&page, "missing-tag").await;
    assert!(
        tag_box
            .as_deref()
            .is_some_and(|b| b.contains("/promises/no_such_tag_worker.py") && b.contains("404")),
        "{tag_box:?}"
    );
}

#[tokio::test]
async fn bytes_dicts_and_lists_arrive_as_uint8array_plain_objects_and_arrays() {
    let h = Harness::start().await;
    let page = h.open("/promises/values.html").await;
    let result = page.result(Duration::from_secs(120)).await.unwrap();
    let bytes =
        |length: usize, head: Value| json!({"isUint8Array": true, "length": length, "head": head});
    assert_eq!(
        result["small"],
        bytes(4, json!([0, 1, 254, 255])),
        "{result}"
    );
    assert_eq!(
        result["viaSync"],
        bytes(4, json!([0, 1, 254, 255])),
        "{result}"
    );
    assert_eq!(
        result["large"],
        json!({"isUint8Array": true, "length": 100_000, "head": [7, 7, 7, 7], "sum": 700_000}),
        "bytes past 64 KiB (a transferred buffer): {result}"
    );
    assert_eq!(
        result["record"],
        json!({
            "plain": true,
            "keys": ["name", "tags", "nested", "raw"],
            "name": "Ada",
            "tagsIsArray": true,
            "tags": ["x", "y"],
            "nestedPlain": true,
            "nested": {"n": 1},
            "raw": bytes(2, json!([97, 98])),
        }),
        "{result}"
    );
    assert_eq!(
        result["items"],
        json!({
            "isArray": true,
            "prototypeIsArray": true,
            "first": [1, "two"],
            "innerIsArray": true,
            "fromTupleIsArray": true,
            "lastPlain": true,
            "last": {"six": 6},
        }),
        "{result}"
    );
}

#[tokio::test]
async fn errors_console_on_a_main_thread_tag_keeps_its_errors_in_the_console() {
    let h = Harness::start().await;
    let page = h.open("/promises/main-quiet.html").await;
    let long = Duration::from_secs(120);
    for needle in ["quiet main timer failed", "quiet main tag failed"] {
        let logged = page.wait_for_console("error", needle, long).await.unwrap();
        assert!(logged.contains("ValueError"), "{logged}");
    }
    let boxes = page.error_boxes().await.unwrap();
    assert!(
        boxes.is_empty(),
        "errors=\"console\" failures were shown: {boxes:?}"
    );
}

#[tokio::test]
async fn the_worker_ready_and_events_give_calls_its_exports() {
    let h = Harness::start().await;
    let page = h.open("/promises/identity.html").await;
    let result = page.result(Duration::from_secs(120)).await.unwrap();
    assert_eq!(
        result,
        json!({
            "readyResolvesWithTheWorker": true,
            "callOnResolved": 4,
            "callOnEventWorker": "pong",
        })
    );
}
