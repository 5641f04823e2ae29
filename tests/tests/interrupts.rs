//! `worker.interrupt()` against Python that never waits, prints nor calls the page, in a
//! real browser: loops, recursion, comprehensions, a generator, a loop in a user module and
//! in `exec`'d code; the user catching it; an interrupt with nothing running; native code
//! that cannot be interrupted; and `PyWorker.interrupt()` from main-thread Python.
//!
//! Every case waits for the worker to say it entered the call (`sync.started`), never for
//! a fixed time.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::Page;
use serde_json::Value;

/// The worker script: the loops, each marked `# loop` on the line the traceback names.
const WORKER: &str = include_str!("../pages/interrupts/loops_worker.py");

/// The interrupted loops: the case, and the function the innermost frame is in.
const LOOPS: [(&str, &str); 9] = [
    ("spin_while", "spin_while"),
    ("spin_counting", "spin_counting"),
    ("spin_for", "spin_for"),
    ("spin_recursion", "walk"),
    ("spin_list", "spin_list"),
    ("spin_dict", "spin_dict"),
    ("spin_generator", "<genexpr>"),
    ("spin_module", "spin"),
    ("spin_exec", "spin_exec_body"),
];

/// The lines of `loops_worker.py` marked `# loop`, 1-based.
fn loop_lines() -> Vec<usize> {
    WORKER
        .lines()
        .enumerate()
        .filter(|(_, line)| line.ends_with("# loop"))
        .map(|(index, _)| index + 1)
        .collect()
}

/// The last `File "...", line N, in F` line of a traceback.
fn innermost_frame(traceback: &str) -> &str {
    traceback
        .lines()
        .rfind(|line| line.trim_start().starts_with("File "))
        .unwrap_or_default()
}

#[tokio::test]
async fn interrupt_stops_any_python_loop_and_the_worker_goes_on() {
    interrupts_stop_loops(&Harness::start().await, "/interrupts/loops.html").await;
}

#[tokio::test]
async fn interrupts_everywhere_stop_any_python_loop_too() {
    let h = Harness::start().await;
    interrupts_stop_loops(&h, "/interrupts/loops.html?interrupts=everywhere").await;
}

/// The same through the service-worker relay: served without the isolation headers, the
/// page has no shared memory in any engine (WebKitGTK never has it), and the relay holds
/// the interrupt request that running Python polls.
#[tokio::test]
async fn interrupts_stop_any_python_loop_through_the_relay() {
    let h = Harness::start_not_isolated().await;
    let page = interrupts_stop_loops(&h, "/interrupts/loops.html").await;
    page.wait_for_console("info", "service-worker relay", Duration::from_secs(5))
        .await
        .unwrap();
}

/// The same, on a page without `Atomics.waitAsync` (`?no-wait-async`, `capture.js`): the
/// worker posts its requests to the page instead of writing them into shared memory, as in
/// an engine that lacks it.
#[tokio::test]
async fn interrupts_stop_any_python_loop_without_wait_async() {
    let h = Harness::start().await;
    interrupts_stop_loops(&h, "/interrupts/loops.html?no-wait-async").await;
}

/// Every case of `loops.html` at `path`, served by `h` (see the module documentation); the
/// page, for more checks.
async fn interrupts_stop_loops<'h>(h: &'h Harness, path: &str) -> Page<'h> {
    let page = h.open(path).await;
    let results = page
        .wait_for(
            "window.results.done && window.results",
            Duration::from_secs(180),
        )
        .await
        .unwrap();
    let marked = loop_lines();
    for (case, function) in LOOPS {
        let result = &results[case];
        assert_eq!(
            result["interrupt"],
            serde_json::json!(["ok", true]),
            "{case}: interrupt() reports KeyboardInterrupt raised: {result}"
        );
        let traceback = result["call"][1].as_str().unwrap_or_default();
        assert!(
            traceback.contains("KeyboardInterrupt: interrupted by the page"),
            "{case}: {result}"
        );
        let frame = innermost_frame(traceback);
        assert!(
            frame.ends_with(&format!("in {function}")),
            "{case}: the traceback ends in {function}: {traceback}"
        );
        if !matches!(case, "spin_module" | "spin_exec") {
            // A file of the page's: the frame names its line.
            let line: usize = frame
                .split("line ")
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("{case}: no line in {frame}"));
            assert!(
                frame.contains("loops_worker.py")
                    && marked.iter().any(|m| line == *m || line == m + 1),
                "{case}: line {line} is not a loop's (marked {marked:?}): {traceback}"
            );
        }
        assert_eq!(
            result["ping"],
            serde_json::json!(["ok", "pong kept"]),
            "{case}: the worker answers with its globals"
        );
    }
    assert!(
        innermost_frame(
            results["spin_module"]["call"][1]
                .as_str()
                .unwrap_or_default()
        )
        .contains("usermod.py"),
        "{}",
        results["spin_module"]
    );

    let caught = &results["spin_caught"];
    assert_eq!(caught["interrupt"], serde_json::json!(["ok", true]));
    assert_eq!(
        caught["call"],
        serde_json::json!(["ok", "caught after True"])
    );

    let idle = &results["idle"];
    assert_eq!(
        idle["interrupt"],
        serde_json::json!(["ok", false]),
        "with nothing running, interrupt() says nothing was interrupted"
    );
    assert_eq!(
        idle["call"],
        serde_json::json!(["ok", "quick ran to its end"]),
        "the dropped interrupt does not hit the next call"
    );

    let native = &results["spin_native"];
    let refusal = native["interrupt"][1].as_str().unwrap_or_default();
    assert!(
        native["interrupt"][0] == "err"
            && refusal.starts_with("InterruptError:")
            && refusal.contains("within 0.5 s")
            && refusal.contains("restart()"),
        "{native}"
    );
    assert_eq!(native["stillRunning"], true, "{native}");
    assert!(
        native["call"][0] == "err"
            && native["call"][1]
                .as_str()
                .is_some_and(|e| e.contains("restarted")),
        "{native}"
    );
    assert_eq!(native["ping"], serde_json::json!(["ok", "pong kept"]));

    assert_eq!(results["badConfig"][0], "err", "{}", results["badConfig"]);
    let refused = results["badConfig"][1].as_str().unwrap_or_default();
    assert!(
        refused.contains(
            r#"key "interrupts" must be true, false or "everywhere", not a string ("sometimes")"#
        ),
        "{}",
        results["badConfig"]
    );
    page
}

#[tokio::test]
async fn main_thread_python_interrupts_a_worker() {
    let h = Harness::start().await;
    let page = h.open("/interrupts/python.html").await;
    let result = page
        .wait_for("window.pythonResult", Duration::from_secs(120))
        .await
        .unwrap();
    let result: Value = serde_json::from_str(result.as_str().unwrap_or_default()).unwrap();
    assert_eq!(result["delivered"], true, "{result}");
    assert!(
        result["outcome"]
            .as_str()
            .is_some_and(|o| o.contains("KeyboardInterrupt")),
        "{result}"
    );
    assert_eq!(result["idle"], false, "{result}");
    assert_eq!(result["ping"], "pong kept", "{result}");
}
