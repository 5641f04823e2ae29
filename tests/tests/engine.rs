//! The kit opens a session in the engine `RUSTPY_BROWSER` names, and no other.

use rustpy_e2e::browser::{Browser, Engine};

#[tokio::test]
async fn the_session_runs_in_the_engine_asked_for() {
    let engine = Engine::from_env().unwrap_or_else(|e| panic!("{e}"));
    let browser = Browser::start().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(browser.engine(), engine);
    let page = browser.open("about:blank").await.unwrap();
    let agent = page
        .eval("return navigator.userAgent;", vec![])
        .await
        .unwrap();
    let agent = agent.as_str().unwrap_or_default().to_owned();
    let matches = match engine {
        Engine::Chromium => agent.contains("Chrome/"),
        Engine::Firefox => agent.contains("Firefox/") && !agent.contains("Chrome/"),
        Engine::Webkit => agent.contains("AppleWebKit/") && !agent.contains("Chrome/"),
    };
    assert!(
        matches,
        "{engine:?} session reports the user agent {agent:?}"
    );
    browser.close().await.unwrap();
}
