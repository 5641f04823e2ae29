//! The bridge in a real browser, driven from the page's JavaScript: `pyscript.sync` calls
//! from a worker into page functions (values, errors, large replies), exports called from
//! the page, named workers, `ready` and `terminate()`, and a load of concurrent calls.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::page_outcome;

#[tokio::test]
async fn worker_and_page_call_each_other() {
    calls_both_ways("/bridge.html").await;
}

/// The same, on a page without `Atomics.waitAsync` (`?no-wait-async`, `capture.js`): the
/// worker posts its requests to the page instead of writing them into shared memory, as in
/// an engine that lacks it.
#[tokio::test]
async fn worker_and_page_call_each_other_without_wait_async() {
    calls_both_ways("/bridge.html?no-wait-async").await;
}

/// The same with `config: {spin: false}` (`?no-spin`): neither the worker nor the page
/// watches for the other's answer before sleeping, and every call still arrives.
#[tokio::test]
async fn worker_and_page_call_each_other_without_spinning() {
    calls_both_ways("/bridge.html?no-spin").await;
}

/// `bridge.html` at `path`: every call, both ways.
async fn calls_both_ways(path: &str) {
    let h = Harness::start().await;
    let page = h.open(path).await;
    let results = page
        .wait_for(
            "window.results && window.results.done && window.results",
            Duration::from_secs(90),
        )
        .await
        .unwrap();
    let text = |key: &str| {
        results[key]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| results[key].to_string())
    };

    for line in [
        "sum 3",
        "slow 42",
        "js error TypeError | TypeError: boom",
        "echo True",
        "huge ints True",
        "refused circular | the arguments of sync.echo: a list that contains itself cannot cross",
        "refused surrogate | the arguments of sync.echo: a str holding a lone surrogate",
        "deep refused RecursionError | maximum recursion depth exceeded while converting a value",
        "grown reply 200000",
        "too large True",
        "still works 2",
    ] {
        page.wait_for_console("log", line, Duration::from_secs(5))
            .await
            .unwrap();
    }
    let missing = page
        .wait_for_console("log", "missing ", Duration::from_secs(5))
        .await
        .unwrap();
    assert!(
        missing.contains("nothere") && missing.contains("worker.sync.nothere"),
        "{missing}"
    );
    let crossing = page
        .wait_for_console("log", "cannot cross the arguments", Duration::from_secs(5))
        .await
        .unwrap();
    assert!(
        crossing.contains("object") && crossing.contains("sync.echo"),
        "{crossing}"
    );

    assert_eq!(results["ready"], "ready");
    assert_eq!(results["syncExport"], 42);
    assert_eq!(results["direct"], 6);
    assert_eq!(
        results["hugeIn"], true,
        "2n ** 100000n reaches Python exactly"
    );
    assert_eq!(results["hugeOut"], true, "-(3 ** 50000) reaches JS exactly");
    let refused = |key: &str, why: &str| {
        let text = text(key);
        assert!(
            text.starts_with("error: the arguments of shout(): ") && text.contains(why),
            "{key}: {text}"
        );
    };
    refused(
        "surrogateIn",
        "a string holding a lone surrogate cannot cross",
    );
    refused("deepIn", "nested too deep to cross to the worker");
    assert_eq!(results["afterBadInput"], 9, "the worker goes on");
    assert_eq!(results["asyncExport"], 6);
    let export_error = text("exportError");
    assert!(
        export_error.contains("PythonError") && export_error.contains("ValueError: export failed"),
        "{export_error}"
    );
    assert!(
        export_error.contains("line "),
        "with a traceback: {export_error}"
    );
    assert!(
        text("notExported").contains("exports no function"),
        "{results}"
    );
    assert_eq!(results["callOrder"], "in order");
    assert_eq!(results["calc"], 5);
    assert_eq!(results["calcSync"], 42);
    assert!(
        text("wrongType").contains("rustpy"),
        "lists the supported type: {results}"
    );
    let script_error = text("scriptError");
    assert!(
        script_error.contains("KeyError") && script_error.contains("broken on purpose"),
        "{results}"
    );
    assert!(
        script_error.contains("File \"scripts/raises.py\", line 1"),
        "{results}"
    );
    let terminate = text("terminate");
    assert!(terminate.contains("was terminated"), "{terminate}");
    assert!(
        text("afterTerminate").contains("was terminated"),
        "{results}"
    );
    assert!(text("missingName").contains("nobody"), "{results}");
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn main_thread_python_drives_workers() {
    let h = Harness::start().await;
    let page = h.open("/main-python.html").await;
    page.wait_for_console("log", "main done", Duration::from_secs(90))
        .await
        .unwrap();
    let log = page.log_lines().await.unwrap();
    // The seed's order: before ready, the worker's greeting, after ready, 42.
    let seed: Vec<&str> = log
        .iter()
        .map(String::as_str)
        .filter(|l| {
            [
                "before ready",
                "RustPython bootstrapped",
                "after ready",
                "42",
            ]
            .contains(l)
        })
        .collect();
    assert_eq!(
        seed,
        vec![
            "before ready",
            "RustPython bootstrapped",
            "after ready",
            "42"
        ],
        "{log:?}"
    );
    for line in [
        "calc add 5",
        "calc double 42",
        "helper report [42, True, 'refused']",
    ] {
        assert!(log.iter().any(|l| l == line), "{line:?} in {log:?}");
    }
    let wrong = log
        .iter()
        .find(|l| l.starts_with("wrong type:"))
        .expect("ValueError printed");
    assert!(
        wrong.contains("'rustpy'"),
        "lists the supported type: {wrong}"
    );
    // Deadlock: both sides fail at once, and the message names both calls.
    let main_saw = log
        .iter()
        .find(|l| l.starts_with("main saw"))
        .expect("main side failed");
    assert!(
        main_saw.contains("deadlock")
            && main_saw.contains("reenter")
            && main_saw.contains("ping()"),
        "{main_saw}"
    );
    let worker_saw = log
        .iter()
        .find(|l| l.starts_with("worker saw"))
        .expect("worker side failed");
    assert!(
        worker_saw.contains("deadlock") && worker_saw.contains("reenter"),
        "{worker_saw}"
    );
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn eight_workers_answer_ten_thousand_concurrent_calls_each_correctly() {
    let h = Harness::start().await;
    let page = h.open("/load.html").await;
    let results = page
        .wait_for_quietly("window.loadResults", Duration::from_secs(600))
        .await
        .and_then(page_outcome)
        .unwrap();
    assert_eq!(results["answered"], 80000, "{results}");
    assert_eq!(results["callbacks"], 8000, "{results}");
    assert_eq!(results["wrong"], 0, "{results}");
}

/// Calls from the page back to back (`call-window.html`, the worker's `call_watch_ms` long
/// enough for a loaded machine): where there is shared memory, the worker watches for the
/// next call after answering one, and the page hands it over without posting a message.
/// Calls that are not ASCII or do not fit are posted, and so is a call that comes before
/// the worker is watching again: the worker opens the window only once its work for the
/// previous call is done, and on a loaded machine the page's next call sometimes comes
/// first (8–32 % of the calls went through the window with a second test beside this one,
/// most of them alone). No call overtakes an interrupt request or a Python callback posted
/// before it, and a coroutine's call still answers. Without shared memory (WebKit) every
/// call is posted.
#[tokio::test]
async fn calls_back_to_back_can_skip_the_posted_message_and_keep_their_order() {
    let h = Harness::start().await;
    let page = h.open("/call-window.html").await;
    let results = page
        .wait_for("window.results", Duration::from_secs(120))
        .await
        .and_then(page_outcome)
        .unwrap();
    assert_eq!(results["wrong"], serde_json::json!([]), "{results}");
    assert_eq!(
        results["order"],
        serde_json::json!([r#"[["ok",false],["ok","quick ran to its end"]]"#]),
        "an interrupt posted before a call is taken before it: {results}"
    );
    assert_eq!(
        results["later"],
        serde_json::json!((0..20).collect::<Vec<_>>()),
        "{results}"
    );
    let made = results["calls"]["made"].as_u64().unwrap_or_default();
    let posted = results["calls"]["posted"].as_u64().unwrap_or_default();
    // 10 of the 500 are not ASCII and 5 larger than the buffer: always posted.
    assert!(posted >= 15, "{results}");
    if results["shared"] == true {
        assert!(
            posted < made,
            "calls back to back go through the window: {results}"
        );
    } else {
        assert_eq!(posted, made, "{results}");
    }
}
