//! Worker life in a real browser: `input()`, `interrupt()` (while sleeping, at a prompt,
//! in a sync call, in a busy output loop), `RecursionError`, sync timeouts, a runaway
//! worker next to a responsive page, a crash, `restart()`, and errors nobody awaited.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::page_outcome;

#[tokio::test]
async fn workers_survive_input_interrupts_crashes_and_restarts() {
    let h = Harness::start().await;
    let page = h.open("/life.html").await;
    // The default input() prompt of a worker without a tag is an overlay on the page's body
    // (a tag worker's goes into its output target); type like a user.
    page.wait_for(
        "document.querySelector('.rustpy-input input')",
        Duration::from_secs(90),
    )
    .await
    .unwrap();
    let prompt = page
        .eval(
            "return document.querySelector('.rustpy-input label').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(prompt, "your name? ");
    let placed = page
        .eval(
            "const form = document.querySelector('.rustpy-input'); \
             return [form.parentElement === document.body, form.classList.contains('rustpy-input-overlay')]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        placed,
        serde_json::json!([true, true]),
        "the prompt's place"
    );
    page.type_into(".rustpy-input input", "Ada\n")
        .await
        .unwrap();

    let results = page
        .wait_for(
            "window.results.done && window.results",
            Duration::from_secs(120),
        )
        .await
        .unwrap();
    let pair = |key: &str| {
        let v = &results[key];
        (
            v[0].as_str().unwrap_or_default().to_string(),
            v[1].as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v[1].to_string()),
        )
    };
    assert_eq!(pair("asked"), ("ok".into(), "answer: Ada".into()));
    assert_eq!(
        pair("handled"),
        ("ok".into(), "answer: handled your name? ".into())
    );
    for name in ["nap", "ask", "wait_for_page", "chatty"] {
        let (status, message) = pair(&format!("interrupt_{name}"));
        assert_eq!(status, "err", "{name}: {message}");
        assert!(
            message.contains("KeyboardInterrupt") && message.contains("line "),
            "{name}: {message}"
        );
        assert_eq!(
            results[format!("interrupt_{name}")][3],
            serde_json::json!(["ok", true]),
            "{name}: interrupt() reports KeyboardInterrupt raised"
        );
        assert_eq!(
            pair(&format!("ping_after_{name}")),
            ("ok".into(), "pong".into()),
            "the worker answers after interrupting {name}"
        );
    }
    assert_eq!(
        results["promptsLeft"], 0,
        "the interrupted prompt was taken down"
    );
    let (status, deep) = pair("deep");
    assert_eq!(status, "ok");
    assert!(deep.starts_with("RecursionError"), "{deep}");
    let (status, timed) = pair("timed");
    assert_eq!(status, "ok");
    assert!(
        timed.starts_with("TimeoutError") && timed.contains("sync.never()"),
        "{timed}"
    );

    assert_eq!(
        results["framesWhileSpinning"], 10,
        "the page animates while a worker spins: {results}"
    );
    assert_eq!(pair("otherWorker"), ("ok".into(), "pong".into()));
    assert_eq!(
        results["stillSpinning"], true,
        "the frames and the other worker's answer came while the spinner spun"
    );
    let (status, spin) = pair("spinAfterTerminate");
    assert_eq!(status, "err");
    assert!(spin.contains("terminated"), "{spin}");

    let (status, crash) = pair("crash");
    assert_eq!(status, "err");
    assert!(crash.contains("crashed"), "{crash}");
    let (status, after) = pair("afterCrash");
    assert_eq!(status, "err");
    assert!(
        after.contains("crashed") && after.contains("restart()"),
        "{after}"
    );
    assert_eq!(pair("afterRestart"), ("ok".into(), "pong".into()));
    let boxes = page.error_boxes().await.unwrap();
    assert!(
        boxes.iter().any(|b| b.contains("crashed")),
        "the crash is shown on the page: {boxes:?}"
    );

    // An export that raised while nobody awaited it: shown on the page.
    let unawaited = page
        .wait_for_error_box("nobody awaited this", Duration::from_secs(10))
        .await
        .unwrap();
    assert!(
        unawaited.contains("deep_fail() failed") && unawaited.contains("LookupError"),
        "{unawaited}"
    );

    // An event handler that raises: nobody awaits it, so the page shows it.
    page.click("#boom").await.unwrap();
    let shown = page
        .wait_for_error_box("handler failed", Duration::from_secs(10))
        .await
        .unwrap();
    assert!(
        shown.contains("ValueError") && shown.contains("life_worker.py"),
        "{shown}"
    );
}

#[tokio::test]
async fn probing_a_worker_calls_no_export_and_never_hangs_nor_does_its_boot() {
    let h = Harness::start().await;
    let page = h.open("/probed.html").await;
    // A step that hung or threw reports {error}.
    let mut result = page.result(Duration::from_secs(180)).await.unwrap();
    // Each boot ended by terminate() settled: ready, or rejected as terminated before it
    // was ready (which one depends on the moment; the page bounds every wait). The last
    // was terminated while its script ran.
    let boot_ends = result["bootEnds"].take();
    let ends = boot_ends.as_array().cloned().unwrap_or_default();
    assert_eq!(ends.len(), 5, "{boot_ends}");
    assert!(
        ends[4]
            .as_str()
            .is_some_and(|end| end.ends_with("was terminated before it was ready")),
        "{boot_ends}"
    );
    for end in &ends {
        let end = end.as_str().unwrap_or_default();
        assert!(
            end == "ready" || end.ends_with("was terminated before it was ready"),
            "{end}"
        );
    }
    let restart = result["restartDuringBoot"].take();
    assert!(
        restart[0]
            .as_str()
            .is_some_and(|first| first.ends_with("was restarted before it was ready")),
        "{restart}"
    );
    assert_eq!(restart[1], "ready", "{restart}");
    assert_eq!(
        restart[2], "pong",
        "the restarted worker answers: {restart}"
    );
    let result = result;
    assert_eq!(
        result,
        serde_json::json!({
            "bootEnds": null,
            "restartDuringBoot": null,
            "resolvedIsWorker": true,
            "returnedIsWorker": true,
            "syncResolved": true,
            "namedHasPing": "function",
            "probedAreUndefined": true,
            "json": "string",
            "text": "[object Object]",
            "iterable": "TypeError",
            "calls": 1,
            "viaExports": "the export named toJSON",
            "unhandled": [],
        }),
        "probing the worker called an export or hung"
    );
}

#[tokio::test]
async fn native_recursion_raises_recursion_error_on_the_page_and_in_workers() {
    let h = Harness::start().await;
    let page = h.open("/recursion.html").await;
    let expected = serde_json::json!({
        "repr": "RecursionError",
        "str": "RecursionError",
        "eq": "RecursionError",
        "json": "RecursionError",
        "self_repr": "RecursionError",
        "yield_from_self": "RecursionError",
        "python": "RecursionError",
        "python_depth_ok": true,
    });
    let worker = page
        .wait_for("window.workerResults", Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(worker["outcomes"][0], "ok", "in a worker: {worker}");
    let outcomes: serde_json::Value =
        serde_json::from_str(worker["outcomes"][1].as_str().unwrap_or("null")).unwrap();
    assert_eq!(outcomes, expected, "in a worker: {worker}");
    assert_eq!(
        worker["ping"],
        serde_json::json!(["ok", "pong"]),
        "the worker goes on"
    );

    let on_page = page
        .wait_for("window.pageOutcomes", Duration::from_secs(120))
        .await
        .unwrap();
    let outcomes: serde_json::Value =
        serde_json::from_str(on_page.as_str().unwrap_or("null")).unwrap();
    assert_eq!(outcomes, expected, "on the page");
    let goes_on = page
        .wait_for("window.pageGoesOn", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(goes_on, "pong", "the page's next script runs");
}

#[tokio::test]
async fn errors_in_handlers_and_timers_show_on_the_page_and_python_goes_on() {
    let h = Harness::start().await;
    let page = h.open("/handler-errors.html").await;
    page.wait_for(
        "document.body.dataset.pageReady && document.body.dataset.workerReady",
        Duration::from_secs(120),
    )
    .await
    .unwrap();
    // Each error: shown on the page with its traceback (the line that raised), and the
    // interpreter that raised still runs its next handler.
    let cases = [
        (
            "#page-sync",
            "page sync handler failed",
            "ValueError",
            "page",
        ),
        (
            "#page-async",
            "page async handler failed",
            "KeyError",
            "page",
        ),
        (
            "#page-timer",
            "page timer failed",
            "ArithmeticError",
            "page",
        ),
        (
            "#worker-async",
            "worker async handler failed",
            "KeyError",
            "worker",
        ),
        (
            "#worker-timer",
            "worker timer failed",
            "ArithmeticError",
            "worker",
        ),
    ];
    let mut runs = std::collections::HashMap::new();
    for (button, message, kind, realm) in cases {
        page.click(button).await.unwrap();
        let shown = page
            .wait_for_error_box(message, Duration::from_secs(20))
            .await
            .unwrap();
        assert!(
            shown.contains(kind) && shown.contains("line "),
            "{button}: {shown}"
        );
        page.click(&format!("#{realm}-ok")).await.unwrap();
        let count = runs.entry(realm).or_insert(0);
        *count += 1;
        let ran = page
            .wait_for(
                &format!(
                    "document.querySelector('#{realm}-said').textContent === '{realm} ran {count}'"
                ),
                Duration::from_secs(20),
            )
            .await;
        assert!(ran.is_ok(), "{realm} goes on after {button}: {ran:?}");
    }
}

#[tokio::test]
async fn messages_off_the_protocol_are_refused_and_nothing_stops() {
    let h = Harness::start().await;
    let page = h.open("/hostile.html").await;
    let results = page
        .wait_for("window.results", Duration::from_secs(120))
        .await
        .and_then(page_outcome)
        .unwrap();
    assert_eq!(
        results["refused"], results["injected"],
        "each malformed message is refused with a console error: {results}"
    );
    assert_eq!(
        results["napped"], "slept",
        "a pending call still gets its real answer"
    );
    assert_eq!(results["ping"], "pong");
    assert_eq!(results["askPage"], "page says hi", "sync calls still work");
    for key in ["ffiNotJson", "ffiNotOps", "ffiBadWant"] {
        assert_eq!(results[key], "TypeError", "{key}: {results}");
    }
    assert_eq!(results["ffiSendRefused"], true);
    page.wait_for(
        "document.querySelector('#main-out').textContent === 'main ran'",
        Duration::from_secs(60),
    )
    .await
    .expect("the page's rustpy runs the next script");
    assert!(
        page.error_boxes().await.unwrap().is_empty(),
        "no forged message reached the page as an error"
    );
}

#[tokio::test]
async fn terminated_and_restarted_workers_are_collected_with_their_memory() {
    let h = Harness::start().await;
    let page = h.open("/many-workers.html?workers=200&restarts=80").await;
    let results = page
        .wait_for_quietly("window.results", Duration::from_secs(600))
        .await
        .and_then(page_outcome)
        .unwrap();
    assert_eq!(results["workers"], 205);
    assert_eq!(
        results["stillAlive"], 0,
        "every terminated PyWorker was collected: {results}"
    );
    // Memory is weighed where the engine measures it (Chromium's
    // measureUserAgentSpecificMemory); elsewhere the collected WeakRefs above are the check.
    let chromium = h.browser.engine() == rustpy_e2e::browser::Engine::Chromium;
    assert_eq!(
        results["bytesMeasured"], chromium,
        "Chromium measures the page's memory: {results}"
    );
    if !chromium {
        return;
    }
    let bytes = |key: &str| results[key].as_f64().unwrap_or(f64::MAX);
    // All the page's memory, measured by the browser (JS heap, DOM, shared buffers) once
    // the workers' threads are gone: a terminated worker's shared buffers (128 KiB) used to
    // stay; allow a sixteenth of that per worker and per restart.
    let per_worker = (bytes("afterBytes") - bytes("baselineBytes")) / 200.0;
    assert!(
        per_worker < 8192.0,
        "{per_worker} bytes per worker kept: {results}"
    );
    let per_restart = (bytes("afterRestartsBytes") - bytes("afterBytes")) / bytes("restartedPings");
    assert!(
        per_restart < 8192.0,
        "{per_restart} bytes per restart kept: {results}"
    );
}

#[tokio::test]
async fn terminate_and_restart_settle_a_call_a_sync_wait_and_a_batch() {
    terminate_and_restart_settle("/ending.html").await;
}

/// The same, on a page without `Atomics.waitAsync` (`?no-wait-async`, `capture.js`): the
/// worker posts its requests to the page instead of writing them into shared memory, as in
/// an engine that lacks it.
#[tokio::test]
async fn terminate_and_restart_settle_without_wait_async() {
    terminate_and_restart_settle("/ending.html?no-wait-async").await;
}

/// Every case of `ending.html` at `path`.
async fn terminate_and_restart_settle(path: &str) {
    let h = Harness::start().await;
    let page = h.open(path).await;
    let results = page
        .wait_for("window.results", Duration::from_secs(300))
        .await
        .and_then(page_outcome)
        .unwrap();
    for how in ["terminate", "restart"] {
        for name in ["spin", "wait_for_page", "batch_forever"] {
            let case = &results[format!("{how}_{name}")];
            let ended = if how == "terminate" {
                "was terminated"
            } else {
                "was restarted"
            };
            assert_eq!(case[0][0], "err", "{how} during {name}: {case}");
            assert!(
                case[0][1].as_str().is_some_and(|m| m.contains(ended)),
                "{how} during {name}: {case}"
            );
            let after = if how == "restart" {
                serde_json::json!(["ok", "pong"])
            } else {
                serde_json::Value::Null
            };
            assert_eq!(case[1], after, "{how} during {name}: {case}");
            assert_eq!(case[2], true, "{how}() rejected the call at once: {case}");
        }
    }
}
