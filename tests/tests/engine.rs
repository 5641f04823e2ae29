//! The kit opens a session in the engine `RUSTPY_BROWSER` names, and no other; what the
//! session writes to disk goes with it.

use std::path::Path;

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

/// The files under `dir` (subfolders included), relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path.clone());
            }
            if let Ok(relative) = path.strip_prefix(dir) {
                found.push(relative.to_string_lossy().into_owned());
            }
        }
    }
    found
}

#[tokio::test]
async fn a_session_writes_only_into_its_scratch_folder_and_the_folder_goes_with_it() {
    // One session closed as a passing test does, one dropped as a failing test's is.
    for close in [true, false] {
        let browser = Browser::start().await.unwrap_or_else(|e| panic!("{e}"));
        let scratch = browser.scratch().to_path_buf();
        let page = browser.open("about:blank").await.unwrap();
        page.eval("return document.title", vec![]).await.unwrap();
        let files = files_under(&scratch);
        // Where chromedriver and geckodriver put the profiles they make (WebKit's automation
        // sessions keep theirs in memory and write nothing there).
        let profile = match browser.engine() {
            Engine::Chromium => Some("org.chromium.Chromium."),
            Engine::Firefox => Some("rust_mozprofile"),
            Engine::Webkit => None,
        };
        if let Some(profile) = profile {
            assert!(
                files.iter().any(|file| file.starts_with(profile)),
                "the browser's profile is in {}: {files:?}",
                scratch.display()
            );
        }
        if close {
            browser.close().await.unwrap();
        } else {
            drop(browser);
        }
        assert!(!scratch.exists(), "{} is left behind", scratch.display());
    }
}
