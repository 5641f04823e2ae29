//! README promises of "Worker life" and "Python available" that no other browser test
//! checked, on the `life_*` pages of `tests/pages/promises/`:
//!
//! - `interrupt()` from main-thread Python on what `await workers["name"]` gives (and on a
//!   `PyWorker`), against `while True: pass` that the worker announced with a DOM attribute
//!   the page watches: the call raises `KeyboardInterrupt`, the awaitable gives `True`, the
//!   worker keeps its globals and answers;
//! - the worker config's `sync_timeout` (a `PyWorker` option and a tag's `config`
//!   attribute): a page function that never answers raises `TimeoutError` naming it,
//!   without `timeout=`;
//! - `os` in a browser, on the main thread and in a worker: `environ`, `path`, `getcwd()`,
//!   `fspath`, `urandom`, descriptors of in-memory files, and process calls raising `OSError(ENOSYS)` saying why
//!   (`errno.ENOSYS`, which rustpy's `posix` adds where RustPython's `errno` lacks it);
//! - `PyWorker(..., service_worker=...)` from main-thread Python on a page without shared
//!   memory: the worker calls the page through that relay, and rustpy registers none of its
//!   own (the JS option and the tag's attribute are `isolation.rs`');
//! - each kind of crash: a wasm trap (`unreachable`, where Rust's aborts end), a Rust panic
//!   inside RustPython (which ends there too, and whose text the crash report carries) and
//!   the browser's stack overflowing inside wasm: the crashing call and one queued behind
//!   it reject at once naming the cause, later calls fail with "crashed ... call
//!   restart()", the page shows it, `restart()` brings the worker back;
//! - `ready` never stays pending: it rejects for a worker whose script is a syntax error
//!   (a `PythonError` with the traceback) and for one that crashes while it boots (later
//!   calls fail with "crashed ... call restart()").
//!
//! A worker whose script raises at top level rejecting `ready` with a `PythonError` is
//! `promises.rs`' `error_boxes_follow_their_tag_unless_errors_go_to_the_console`;
//! `PyWorker.interrupt()` from main-thread Python of an export that announced itself through
//! `sync` is `interrupts.rs`' `main_thread_python_interrupts_a_worker`; `sync.f(timeout=...)`
//! is `life.rs`' `workers_survive_input_interrupts_crashes_and_restarts`.

use std::time::Duration;

use rustpy_e2e::Harness;
use serde_json::{Value, json};

#[tokio::test]
async fn python_interrupts_named_workers_and_pyworkers_spinning_in_while_true() {
    let h = Harness::start().await;
    let page = h.open("/promises/life_interrupt.html").await;
    let result = page.result(Duration::from_secs(180)).await.unwrap();
    for who in ["named", "pyworker"] {
        let case = &result[who];
        assert_eq!(
            case["delivered"], true,
            "{who}: interrupt() gives True once Python raised it: {result}"
        );
        let outcome = case["outcome"].as_str().unwrap_or_default();
        assert!(
            outcome.contains("KeyboardInterrupt"),
            "{who}: the spinning call raised KeyboardInterrupt: {result}"
        );
        assert_eq!(
            case["ping"], "pong kept",
            "{who}: the worker keeps its globals and answers: {result}"
        );
    }
}

#[tokio::test]
async fn the_config_sync_timeout_bounds_page_calls_without_a_timeout_argument() {
    let h = Harness::start().await;
    let page = h.open("/promises/life_timeout.html").await;
    let result = page.result(Duration::from_secs(180)).await.unwrap();
    for how in ["fromOption", "fromAttribute"] {
        let case = &result[how];
        assert_eq!(case["configured"], json!(["ok", 0.5]), "{how}: {result}");
        assert_eq!(case["outcome"][0], "ok", "{how}: {result}");
        let message = case["outcome"][1].as_str().unwrap_or_default();
        assert!(
            message.starts_with("TimeoutError") && message.contains("sync.never_answers()"),
            "{how}: TimeoutError naming the function: {result}"
        );
        assert!(
            message.contains("0.5"),
            "{how}: the configured timeout: {result}"
        );
    }
}

/// Checks one interpreter's `os` report (see `life_os.py`).
fn check_os(report: &Value, in_worker: bool) {
    assert_eq!(report["runningInWorker"], in_worker, "{report}");
    assert_eq!(
        report["environ"],
        json!({
            "homeIsStr": true,
            "set": "set here",
            "getenv": "set here",
            "contains": true,
            "missing": "default",
        }),
        "{report}"
    );
    assert_eq!(report["getcwd"], "/home/rustpy", "{report}");
    assert_eq!(report["join"], "a/b/c.txt", "{report}");
    assert_eq!(report["basename"], "y.py", "{report}");
    assert_eq!(report["fspath"], "p", "{report}");
    assert_eq!(report["urandom"], json!([16, true]), "{report}");
    // ENOSYS is 38 (Linux's number, rustpy's `posix.ENOSYS`), "Function not implemented",
    // and `errno.ENOSYS` names it.
    let enosys = 38;
    assert_eq!(report["errnoENOSYS"], enosys, "{report}");
    assert_eq!(report["strerror"], "Function not implemented", "{report}");
    // Descriptors of the in-memory filesystem: written, read back, sized; closed, EBADF (9).
    assert_eq!(report["descriptors"], json!(["hello", 5, 9]), "{report}");
    for call in ["pipe", "getuid", "kill", "dup", "system", "readlink"] {
        let raised = &report[call];
        assert_eq!(raised["type"], "OSError", "{call}: {report}");
        assert_eq!(raised["errno"], enosys, "{call}: ENOSYS: {report}");
        let message = raised["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("os.{call}()")) && message.contains("not available"),
            "{call}: the message names the call and says why: {report}"
        );
    }
}

#[tokio::test]
async fn os_keeps_environ_and_paths_and_its_descriptor_and_process_calls_raise_enosys() {
    let h = Harness::start().await;
    let page = h.open("/promises/life_os.html").await;
    let result = page.result(Duration::from_secs(180)).await.unwrap();
    check_os(&result["worker"], true);
    let main = page
        .wait_for("window.lifeMainOs", Duration::from_secs(60))
        .await
        .unwrap();
    let main: Value = serde_json::from_str(main.as_str().unwrap_or_default()).unwrap();
    check_os(&main, false);
    let boxes = page.error_boxes().await.unwrap();
    assert!(boxes.is_empty(), "{boxes:?}");
}

#[tokio::test]
async fn ready_rejects_for_a_syntax_error_and_for_a_crash_while_booting() {
    let h = Harness::start().await;
    let page = h.open("/promises/life_ready.html").await;
    let result = page.result(Duration::from_secs(240)).await.unwrap();

    let syntax = &result["syntaxReady"];
    assert_eq!(syntax["name"], "PythonError", "{result}");
    let traceback = syntax["traceback"].as_str().unwrap_or_default();
    assert!(
        traceback.contains("SyntaxError")
            && traceback.contains("life_syntax_worker.py")
            && traceback.contains("line 4"),
        "the syntax error's traceback, with file and line: {result}"
    );

    let crash = &result["crashReady"];
    assert!(crash.get("resolved").is_none(), "{result}");
    let message = crash["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("crashed"),
        "ready rejects as crashed: {result}"
    );
    let after = result["callAfterCrash"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        after.contains("crashed") && after.contains("restart()"),
        "a later call fails with \"crashed ... call restart()\": {result}"
    );
}

#[tokio::test]
async fn python_names_the_pages_own_relay_with_service_worker() {
    let h = Harness::start_not_isolated().await;
    let page = h.open("/promises/relay_python.html").await;
    let result = page.result(Duration::from_secs(180)).await.unwrap();
    assert_eq!(
        result,
        json!({"sum": 5, "dom": "via the relay", "isolated": false}),
        "the worker's sync, document and window calls went through the relay"
    );
    // The relay is the page's (`/rustpy-sw.js`, scope `/`), not rustpy's own fallback,
    // which would register under `/rustpy/__rustpy__/` and say so in the console.
    let scopes = page
        .eval(
            "return navigator.serviceWorker.getRegistrations().then((r) => r.map((x) => x.scope))",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(scopes, json!([h.server.url("/")]));
    let console = page.console().await.unwrap();
    assert!(
        !console
            .iter()
            .any(|line| line.text.contains("service-worker relay")),
        "no fallback note when Python names the relay: {console:?}"
    );
    assert!(page.error_boxes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_wasm_trap_a_rust_panic_and_a_stack_overflow_in_wasm_each_mark_the_worker_dead() {
    let h = Harness::start().await;
    let page = h.open("/promises/crash_kinds.html").await;
    let result = page.result(Duration::from_secs(300)).await.unwrap();
    // (kind, the cause as each engine names it (one of), what the report must also say)
    for (kind, cause, also) in [
        // WebKit: "RuntimeError: Unreachable code should not be executed".
        ("trap", &["runtimeerror: unreachable"][..], &[][..]),
        // A panic traps the same way; its own text follows: where it panicked, and why.
        (
            "panic",
            &["runtimeerror: unreachable"],
            &["panicked at", "frame.rs", "index out of bounds"],
        ),
        // Chromium and WebKit say RangeError, Firefox InternalError: too much recursion.
        ("overflow", &["rangeerror", "too much recursion"], &[]),
    ] {
        let case = &result[kind];
        for call in ["crashing", "queued"] {
            assert_eq!(case[call][0], "err", "{kind}: {call} rejects: {result}");
            let text = case[call][1].as_str().unwrap_or_default();
            let lower = text.to_lowercase();
            assert!(
                text.contains(&format!("\"crash-{kind}\""))
                    && cause.iter().any(|c| lower.contains(c))
                    && also.iter().all(|part| text.contains(part)),
                "{kind}: the {call} call rejects naming the crash and its cause: {result}"
            );
        }
        let later = case["later"][1].as_str().unwrap_or_default();
        assert!(
            case["later"][0] == "err" && later.contains("crashed") && later.contains("restart()"),
            "{kind}: a later call fails with \"crashed ... call restart()\": {result}"
        );
        assert_eq!(case["restarted"], json!(["ok", "pong"]), "{kind}: {result}");
    }
    let boxes = page.error_boxes().await.unwrap();
    for kind in ["trap", "panic", "overflow"] {
        assert!(
            boxes
                .iter()
                .any(|text| text.contains(&format!("\"crash-{kind}\"")) && text.contains("crashed")),
            "the page shows the {kind} crash: {boxes:?}"
        );
    }
    assert!(
        boxes
            .iter()
            .any(|text| text.contains("\"crash-panic\"") && text.contains("index out of bounds")),
        "the page shows what panicked: {boxes:?}"
    );
}

/// A page function still running when its worker restarts answers after the new run asked
/// its own first question (request ids start again with each run): the answer belongs to
/// the ended run, and the new run gets its own.
#[tokio::test]
async fn a_reply_of_a_run_that_ended_does_not_answer_the_restarted_run() {
    let h = Harness::start().await;
    let page = h.open("/promises/life_late_reply.html").await;
    let result = page.result(Duration::from_secs(180)).await.unwrap();
    assert_eq!(result["answers"], json!(["from this run"]), "{result}");
    assert_eq!(result["calls"], 2, "{result}");
}
