//! The demo page works: both scripts report on the page, and the animation keeps running
//! while the worker computes.

use std::time::Duration;

use rustpy_e2e::Harness;

#[tokio::test]
async fn demo_shows_results_and_stays_responsive() {
    let h = Harness::start_serving("demo").await;
    let page = h.open("/basics.html").await;
    page.wait_for("document.getElementById('main-out').textContent.includes('2 ** 100 = 1267650600228229401496703205376')", Duration::from_secs(60))
        .await
        .unwrap();
    page.wait_for(
        "document.getElementById('worker-out').textContent.includes('working')",
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    // While the worker computes, the page's animation goes on: ten more frames are drawn
    // before its result appears.
    let frames_at_start = page
        .eval(
            "return Number(document.getElementById('frames').value)",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap_or(f64::MAX);
    let animated = page
        .wait_for(
            &format!(
                "(() => {{ const done = document.getElementById('worker-out').textContent.includes('done in'); \
                 const frames = Number(document.getElementById('frames').value); \
                 return (done || frames >= {frames_at_start} + 10) && {{ done, frames }}; }})()"
            ),
            Duration::from_secs(120),
        )
        .await
        .unwrap();
    assert_eq!(
        animated["done"], false,
        "ten frames were drawn while the worker computed: {animated}"
    );
    let done = page
        .wait_for(
            "document.getElementById('worker-out').textContent.includes('done in') && document.getElementById('worker-out').textContent",
            Duration::from_secs(120),
        )
        .await
        .unwrap();
    assert!(
        done.as_str()
            .unwrap()
            .contains("primes below 300000: 25997 (sieve)"),
        "{done}"
    );
    assert!(
        done.as_str()
            .unwrap()
            .contains("primes below 100000: 9592 (trial division)"),
        "{done}"
    );
    assert!(page.error_boxes().await.unwrap().is_empty());
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn demo_worker_builds_and_updates_the_dom() {
    let h = Harness::start_serving("demo").await;
    let page = h.open("/basics.html").await;
    page.wait_for(
        "document.querySelectorAll('#rows li').length === 10 && \
         document.body.textContent.includes('built 10 rows from the worker')",
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    page.click("#add-row").await.unwrap();
    let last = page
        .wait_for(
            "document.querySelectorAll('#rows li').length === 11 && \
             document.querySelector('#rows li:last-child').textContent",
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(last, "11 squared is 121 (added by the worker)");
    assert!(page.error_boxes().await.unwrap().is_empty());
    h.browser.close().await.unwrap();
}

/// PyScript's "common use case" (docs: workers), with `type="rustpy"` for the main script
/// and the worker: the console order and the appended result.
#[tokio::test]
async fn seed_common_use_case_runs() {
    let h = Harness::start().await;
    // tests/pages/seed.html runs demo/seed_main.py with the console captured.
    let page = h.open("/seed.html").await;
    page.wait_for(
        "document.body.lastChild?.nodeType === Node.TEXT_NODE && document.body.lastChild.textContent === '42'",
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let lines = page.log_lines().await.unwrap();
    assert_eq!(
        lines,
        vec!["before ready", "rustpy bootstrapped", "after ready", "42"]
    );
    assert!(page.error_boxes().await.unwrap().is_empty());
    h.browser.close().await.unwrap();
}
