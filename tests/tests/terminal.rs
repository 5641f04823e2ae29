//! The `terminal` attribute (README, "Terminal"), on the pages of `tests/pages/terminal/`:
//!
//! - two worker terminals on one page, each showing its own script's output; the test types
//!   into the first: an `input()` answer, then lines of a `code.interact()` REPL (an
//!   expression, line editing with Backspace, the history's Up arrow), and Ctrl-C stopping
//!   a `while True` loop, after which the REPL prompts again; `__terminal__` is the page's
//!   xterm.js `Terminal`;
//! - a main-thread terminal shows its script's output instead of the console; a second
//!   main-thread terminal is refused with an error box and its script still runs;
//! - a page without a terminal fetches neither `rustpy-terminal.js` nor xterm.js.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::Page;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(90);

/// WebDriver's keys: Backspace, Up arrow.
const BACKSPACE: &str = "\u{E003}";
const UP: &str = "\u{E013}";

/// Waits until the terminal after script `id` shows text containing `wanted` (after the
/// first `after` occurrences of it), and returns that text. (Its lines come without their
/// trailing spaces: a prompt `"name? "` shows as `"name?"` until something is typed.)
async fn wait_for_text(page: &Page<'_>, id: &str, wanted: &str, after: usize) -> String {
    let script = format!(
        "(() => {{ const text = window.terminalText?.({id:?}); \
         return text && text.split({wanted:?}).length > {after} + 1 ? text : null }})()"
    );
    let found = page.wait_for(&script, WAIT).await;
    let text = page
        .eval(&format!("return window.terminalText({id:?})"), vec![])
        .await
        .unwrap_or_default();
    match found {
        Ok(value) => value.as_str().unwrap_or_default().to_string(),
        Err(error) => panic!("terminal {id} never showed {wanted:?} ({error}); it shows:\n{text}"),
    }
}

/// Types `keys` into the terminal after script `id` (focused first), Control held with
/// `control`.
async fn press(page: &Page<'_>, id: &str, keys: &str, control: bool) {
    page.eval(
        &format!("document.getElementById({id:?}).terminal.focus(); return true"),
        vec![],
    )
    .await
    .unwrap();
    page.press_keys(keys, control).await.unwrap();
}

async fn type_keys(page: &Page<'_>, id: &str, keys: &str) {
    press(page, id, keys, false).await;
}

#[tokio::test]
async fn worker_terminals_read_input_and_run_a_repl_each_with_its_own_output() {
    let h = Harness::start().await;
    let page = h.open("/terminal/workers.html").await;
    let first = wait_for_text(&page, "session", "name?", 0).await;
    let columns = page
        .eval(
            "return document.getElementById('session').terminal.cols",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        first.contains(&format!("terminal of {columns} columns")),
        "__terminal__ is the page's Terminal: {first}"
    );
    let prompt_at = first.find("name?").unwrap_or_default();
    assert!(
        first
            .find("before the prompt")
            .is_some_and(|at| at < prompt_at),
        "the prompt comes after what was printed before it: {first}"
    );

    type_keys(&page, "session", "Ada\n").await;
    wait_for_text(&page, "session", "hello Ada", 0).await;
    wait_for_text(&page, "session", ">>>", 0).await;
    let text = wait_for_text(&page, "session", "repl ready", 0).await;
    assert!(text.contains("name? Ada"), "the typed line stays: {text}");

    type_keys(&page, "session", "6*7\n").await;
    wait_for_text(&page, "session", "42", 0).await;
    // Line editing: "10+5", Backspace, "7" is 10+7.
    type_keys(&page, "session", &format!("10+5{BACKSPACE}7\n")).await;
    wait_for_text(&page, "session", "17", 0).await;
    // The history: Up twice brings back "6*7".
    type_keys(&page, "session", &format!("{UP}{UP}\n")).await;
    wait_for_text(&page, "session", "42", 1).await;

    // Ctrl-C stops a loop that never waits (it announces itself first); the REPL prompts
    // again and goes on.
    let prompts = page
        .eval(
            "return window.terminalText('session').split('>>>').length",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(0) as usize;
    type_keys(
        &page,
        "session",
        "print('looping'); exec('while True: pass')\n",
    )
    .await;
    // The typed line shows "looping" once; the loop's output is the second.
    wait_for_text(&page, "session", "looping", 1).await;
    press(&page, "session", "c", true).await;
    wait_for_text(&page, "session", "KeyboardInterrupt", 0).await;
    wait_for_text(&page, "session", ">>>", prompts.saturating_sub(1)).await;
    type_keys(&page, "session", "'alive'\n").await;
    let text = wait_for_text(&page, "session", "'alive'", 1).await;

    let second = wait_for_text(&page, "second", "second terminal", 0).await;
    assert!(
        !second.contains("hello") && !text.contains("second terminal"),
        "each terminal shows its own script's output: {second:?}"
    );
    let logged = page.log_lines().await.unwrap();
    assert!(
        !logged
            .iter()
            .any(|line| line.contains("hello Ada") || line.contains("second terminal")),
        "a terminal's output does not go to the console: {logged:?}"
    );
    assert!(page.error_boxes().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_main_thread_terminal_shows_output_and_a_second_one_is_refused() {
    let h = Harness::start().await;
    let page = h.open("/terminal/main.html").await;
    page.wait_for("window.mainDone === true", WAIT)
        .await
        .unwrap();
    let text = wait_for_text(&page, "first", "main says hi", 0).await;
    let columns = page
        .eval(
            "return document.getElementById('first').terminal.cols",
            vec![],
        )
        .await
        .unwrap();
    assert!(text.contains(&format!("cols {columns}")), "{text}");
    let boxes = page.error_boxes().await.unwrap();
    assert!(
        boxes
            .iter()
            .any(|b| b.contains("at most one main-thread terminal")),
        "the second main-thread terminal is refused: {boxes:?}"
    );
    let logged = page.log_lines().await.unwrap();
    assert!(
        logged.iter().any(|line| line.contains("other main script")),
        "the refused script still runs, its output in the console: {logged:?}"
    );
    assert!(
        !logged.iter().any(|line| line.contains("main says hi")),
        "the terminal's output does not go to the console: {logged:?}"
    );
    assert_eq!(
        page.eval(
            "return document.getElementById('other').terminal ?? null",
            vec![]
        )
        .await
        .unwrap(),
        json!(null)
    );
}

#[tokio::test]
async fn only_pages_with_a_terminal_load_xterm() {
    let h = Harness::start().await;
    let page = h.open("/terminal/none.html").await;
    page.wait_for("window.noTerminalDone === true", WAIT)
        .await
        .unwrap();
    let served = h.server.bytes_served();
    for file in [
        "/rustpy/rustpy-terminal.js",
        "/rustpy/xterm.mjs",
        "/rustpy/xterm.css",
    ] {
        assert!(
            !served.contains_key(file),
            "a page without a terminal fetched {file}"
        );
    }
    h.server.reset_bytes_served();
    let page = h.open("/terminal/main.html").await;
    page.wait_for("window.mainDone === true", WAIT)
        .await
        .unwrap();
    let served = h.server.bytes_served();
    let mut added = 0;
    for file in [
        "/rustpy/rustpy-terminal.js",
        "/rustpy/xterm.mjs",
        "/rustpy/xterm.css",
    ] {
        let sent = served
            .get(file)
            .unwrap_or_else(|| panic!("a page with a terminal did not fetch {file}"));
        added += sent.bytes;
    }
    // What a terminal adds to a page, as sent (README and BENCHMARKS.md quote it).
    println!("a terminal adds {added} bytes as sent");
}
