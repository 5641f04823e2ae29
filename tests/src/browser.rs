//! A headless browser session in the engine `RUSTPY_BROWSER` names ([`crate::engines`]),
//! and the page helpers the suite uses.

use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::process::Child;

pub use crate::engines::{CHROMEDRIVER, CHROMIUM, Encodings, Engine};
use crate::scratch::ScratchDir;

/// How long a driver may take to open its first session (Firefox and WebKit start slowly
/// on a busy two-core machine).
const SESSION_START: Duration = Duration::from_secs(60);

/// How long one WebDriver command may take: a driver that never answers (WebKitWebDriver
/// taking a screenshot of some pages) fails the test instead of hanging it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// How often the waits of the tests probe the page.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How often [`Page::wait_for_quietly`] probes the page.
const QUIET_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How many times [`Page::click`] clicks an element before it reports that every click
/// landed elsewhere.
const CLICK_ATTEMPTS: usize = 5;
/// Arms the page's click probe for the element `arguments[0]` selects (installs the capture
/// listener once per page).
const CLICK_PROBE_ARM: &str = "\
    if (!window.__rustpyClickProbe) {\
      window.__rustpyClickProbe = { element: null, reached: false };\
      window.addEventListener('click', (event) => {\
        const probe = window.__rustpyClickProbe;\
        if (probe.element && probe.element.contains(event.target)) probe.reached = true;\
      }, true);\
    }\
    window.__rustpyClickProbe.element = document.querySelector(arguments[0]);\
    window.__rustpyClickProbe.reached = false;";
/// Reads the probe: `false` if the click went elsewhere, `null` if the page navigated.
const CLICK_PROBE_READ: &str =
    "return window.__rustpyClickProbe ? window.__rustpyClickProbe.reached : null;";

/// Errors driving the browser. Every one fails the test that hit it.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// The browser or its driver is not installed: the suite never skips silently.
    #[error(
        "{program} is not installed, and RUSTPY_BROWSER={engine} needs it: run `./dev setup` \
         (it comes from {package})"
    )]
    Missing {
        /// The engine asked for.
        engine: &'static str,
        /// The missing program.
        program: String,
        /// What installs it.
        package: &'static str,
    },
    /// `RUSTPY_BROWSER` names no engine the suite knows.
    #[error("RUSTPY_BROWSER={0:?} is not an engine: use chromium, firefox or webkit")]
    UnknownEngine(String),
    /// The WebDriver server (or the X server WebKit draws into) did not start or answer.
    #[error("the WebDriver server did not start: {0}")]
    Driver(String),
    /// A WebDriver session could not be created.
    #[error("cannot open a browser session: {0}")]
    Session(#[from] fantoccini::error::NewSessionError),
    /// A WebDriver command failed.
    #[error("WebDriver command failed: {0}")]
    Command(#[from] fantoccini::error::CmdError),
    /// A WebDriver command got no answer in `COMMAND_TIMEOUT` (two minutes).
    #[error("the WebDriver command `{0}` got no answer in {COMMAND_TIMEOUT:?}")]
    CommandHung(&'static str),
    /// Every click aimed at an element landed on something else (the page kept moving it).
    #[error("{attempts} clicks on `{selector}` all landed elsewhere: the page kept moving it")]
    ClickMissed {
        /// The CSS selector of the element.
        selector: String,
        /// How many clicks were made.
        attempts: usize,
    },
    /// A test page reported that one of its steps threw: its outcome object carries an
    /// `error` field ([`page_outcome`]).
    #[error("a page step failed: {0}")]
    PageStepFailed(String),
    /// A condition the test waited for did not come true in time.
    #[error("timed out after {timeout:?} waiting for {what}; console so far:\n{console}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        timeout: Duration,
        /// The page's console at that moment.
        console: String,
    },
}

impl BrowserError {
    /// True when a script failed only because the document it ran in went away: the page
    /// navigated (`rustpy-coi.js` reloads it once) while the script ran. Firefox's
    /// Marionette reports that as "Document was unloaded", or, when the old window is
    /// already torn down, as `NS_ERROR_OUT_OF_MEMORY` from `evalInSandbox` (its sandbox
    /// wraps a dead window; `chrome://remote/content/marionette/evaluate.sys.mjs`).
    /// Chromium's and WebKit's drivers wait for the navigation and run the script in the
    /// new document instead.
    pub fn is_document_gone(&self) -> bool {
        let BrowserError::Command(fantoccini::error::CmdError::Standard(error)) = self else {
            return false;
        };
        let message = &error.message;
        error.error == fantoccini::error::ErrorStatus::JavascriptError
            && (message.contains("Document was unloaded")
                || (message.contains("evalInSandbox")
                    && message.contains("NS_ERROR_OUT_OF_MEMORY")))
    }
}

/// A test page's outcome object (`window.result = {...}`, or `{error}` when a step threw):
/// the object, or [`BrowserError::PageStepFailed`] with it.
pub fn page_outcome(outcome: Value) -> Result<Value, BrowserError> {
    if outcome.get("error").is_some() {
        return Err(BrowserError::PageStepFailed(outcome.to_string()));
    }
    Ok(outcome)
}

/// A WebDriver server and a browser session on it.
///
/// The driver runs in its own process group with the browser it starts (and, for WebKit,
/// the X server it draws into); dropping the `Browser` kills the whole group, so a test
/// that fails (and never calls [`Browser::close`]) leaves no browser behind to load the
/// machine. Everything the driver and the browser write to disk (the browser's profile, the
/// driver's temporary files) goes to a [`ScratchDir`] of the session's, removed after the
/// group is killed.
pub struct Browser {
    client: Client,
    engine: Engine,
    group: Option<u32>,
    _children: Vec<Child>,
    // Dropped after `drop` has killed the group: nothing writes to it any more.
    scratch: ScratchDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(self.group);
    }
}

impl Browser {
    /// Starts the driver of the engine `RUSTPY_BROWSER` names (Chromium by default) on a
    /// free port and opens a headless session.
    pub async fn start() -> Result<Self, BrowserError> {
        Self::start_engine(Engine::from_env()?).await
    }

    /// Starts `engine`'s driver on a free port and opens a headless session.
    pub async fn start_engine(engine: Engine) -> Result<Self, BrowserError> {
        Self::start_accepting(engine, Encodings::EngineDefault).await
    }

    /// Starts `engine`'s driver on a free port and opens a headless session whose browser
    /// accepts `encodings`.
    pub async fn start_accepting(
        engine: Engine,
        encodings: Encodings,
    ) -> Result<Self, BrowserError> {
        let scratch = ScratchDir::new(engine.name())
            .map_err(|e| BrowserError::Driver(format!("no scratch folder for the session: {e}")))?;
        let launched = engine.launch(scratch.path(), encodings).await?;
        let deadline = Instant::now() + SESSION_START;
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(launched.capabilities.clone())
                .connect(&launched.url)
                .await
            {
                Ok(client) => break client,
                Err(error) if Instant::now() > deadline => {
                    // The browser the driver may have started goes with it.
                    kill_group(launched.group);
                    return Err(error.into());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Self {
            client,
            engine,
            group: launched.group,
            _children: launched.children,
            scratch,
        })
    }

    /// The session's scratch folder: the browser's profile and the driver's temporary
    /// files, removed when the `Browser` is dropped.
    pub fn scratch(&self) -> &std::path::Path {
        self.scratch.path()
    }

    /// The engine of the session.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The id of the process group of the driver and the browser it started (every
    /// process of the browser: renderers, GPU, utilities), where the platform has one.
    pub fn process_group(&self) -> Option<u32> {
        self.group
    }

    /// Opens `url` and returns a handle on the page.
    pub async fn open(&self, url: &str) -> Result<Page<'_>, BrowserError> {
        bounded("navigate", self.client.goto(url)).await?;
        Ok(Page {
            client: &self.client,
        })
    }

    /// Ends the session (the driver process is killed when dropped).
    pub async fn close(self) -> Result<(), BrowserError> {
        // `Client::close` takes the client; a clone shares the same session.
        self.client.clone().close().await?;
        Ok(())
    }
}

/// Runs the WebDriver command `command`, failing with [`BrowserError::CommandHung`] if the
/// driver gives no answer in [`COMMAND_TIMEOUT`].
async fn bounded<T>(
    what: &'static str,
    command: impl std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
) -> Result<T, BrowserError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(BrowserError::CommandHung(what)),
    }
}

/// Kills the process group `group` (the driver's, with the browser it started).
fn kill_group(group: Option<u32>) {
    if let Some(group) = group {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{group}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// One console entry captured by `tests/pages/capture.js`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleLine {
    /// `log`, `error`, `warn` or `info`.
    pub level: String,
    /// The message text.
    pub text: String,
}

/// A page [`Browser::open`] opened: what tests do on it (click, type, evaluate scripts,
/// wait for results, read the console and error boxes). It acts on the browser's one
/// WebDriver session, so opening another page navigates this one away.
pub struct Page<'a> {
    client: &'a Client,
}

impl Page<'_> {
    /// Clicks the first element matching the CSS `selector`, as a user would (WebDriver),
    /// and makes sure the click reached it.
    ///
    /// WebDriver aims a click at where the element was when it looked: if the page moves
    /// the element in between (a worker's output appended above it), the click lands on
    /// something else and WebDriver reports success. A capture listener on `window` sees
    /// whether the `click` event's target is the element (or inside it); a click that
    /// missed is made again, up to `CLICK_ATTEMPTS` (5) in all. A click that navigated the
    /// page away cannot be checked and counts as delivered.
    pub async fn click(&self, selector: &str) -> Result<(), BrowserError> {
        let selector_arg = vec![json!(selector)];
        for _ in 0..CLICK_ATTEMPTS {
            self.eval(CLICK_PROBE_ARM, selector_arg.clone()).await?;
            let element = bounded("find", self.client.find(Locator::Css(selector))).await?;
            bounded("click", element.click()).await?;
            let reached = self.eval(CLICK_PROBE_READ, vec![]).await?;
            if reached != json!(false) {
                return Ok(());
            }
        }
        Err(BrowserError::ClickMissed {
            selector: selector.to_owned(),
            attempts: CLICK_ATTEMPTS,
        })
    }

    /// Types `text` into the first element matching `selector` (`"\n"` presses Enter).
    pub async fn type_into(&self, selector: &str, text: &str) -> Result<(), BrowserError> {
        // WebDriver's Enter key: chromedriver reads "\n" as Enter, geckodriver types a line
        // break (which submits nothing).
        let keys = text.replace('\n', "\u{E007}");
        let element = bounded("find", self.client.find(Locator::Css(selector))).await?;
        bounded("send keys", element.send_keys(&keys)).await?;
        Ok(())
    }

    /// Presses `keys` one after the other on the keyboard, into whatever has the focus
    /// (WebDriver key actions: unlike [`Page::type_into`] no element is looked up, so this
    /// also reaches a text area WebDriver would not call interactable, such as xterm.js's).
    /// `"\n"` is Enter; WebDriver's key codes (`"\u{E003}"` Backspace...) are keys too.
    /// With `control`, Control is held down around them (`"c"`: Ctrl-C).
    pub async fn press_keys(&self, keys: &str, control: bool) -> Result<(), BrowserError> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        const CONTROL: char = '\u{E009}';
        let mut actions = KeyActions::new("keyboard".to_string());
        if control {
            actions = actions.then(KeyAction::Down { value: CONTROL });
        }
        for key in keys.chars() {
            let key = if key == '\n' { '\u{E007}' } else { key };
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        if control {
            actions = actions.then(KeyAction::Up { value: CONTROL });
        }
        bounded("key actions", self.client.perform_actions(actions)).await?;
        Ok(())
    }

    /// A PNG of what the browser window shows.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        bounded("screenshot", self.client.screenshot()).await
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Result<Value, BrowserError> {
        bounded("execute script", self.client.execute(script, args)).await
    }

    /// Reloads the page with WebDriver's Refresh command, which returns once the new load
    /// began (a script's `location.reload()` can unload the page before WebKit's driver
    /// answers the script call: "Callback was not called before the unload event").
    pub async fn reload(&self) -> Result<(), BrowserError> {
        bounded("refresh", self.client.refresh()).await
    }

    /// Everything the page logged so far (pages include `/capture.js` first).
    pub async fn console(&self) -> Result<Vec<ConsoleLine>, BrowserError> {
        let value = self.eval("return window.__console || [];", vec![]).await?;
        Ok(value
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| ConsoleLine {
                        level: entry["level"].as_str().unwrap_or_default().to_string(),
                        text: entry["text"].as_str().unwrap_or_default().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The lines of everything logged with `console.log` so far, in order. One console
    /// entry may hold several lines: a worker's output lines that reach the page together
    /// are logged as one entry (`emitOutput` in `web/page/output.js`), so entries are split
    /// at line breaks and each printed line is one item however it was batched.
    pub async fn log_lines(&self) -> Result<Vec<String>, BrowserError> {
        Ok(self
            .console()
            .await?
            .into_iter()
            .filter(|entry| entry.level == "log")
            .flat_map(|entry| {
                entry
                    .text
                    .split('\n')
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    async fn console_text(&self) -> String {
        match self.console().await {
            Ok(lines) => lines
                .iter()
                .map(|l| format!("[{}] {}", l.level, l.text))
                .collect::<Vec<_>>()
                .join("\n"),
            Err(error) => format!("(console unavailable: {error})"),
        }
    }

    /// Polls `probe` every [`POLL_INTERVAL`] until it yields a value or `timeout` passes;
    /// the timeout error names `what` and carries the page's console.
    async fn poll<T, F, Fut>(
        &self,
        what: String,
        timeout: Duration,
        probe: F,
    ) -> Result<T, BrowserError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, BrowserError>>,
    {
        self.poll_every(POLL_INTERVAL, what, timeout, probe).await
    }

    /// [`Self::poll`] with probes `interval` apart. A probe whose document went away while
    /// it ran ([`BrowserError::is_document_gone`]) is probed again in the new document;
    /// any other error ends the wait.
    async fn poll_every<T, F, Fut>(
        &self,
        interval: Duration,
        what: String,
        timeout: Duration,
        mut probe: F,
    ) -> Result<T, BrowserError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Option<T>, BrowserError>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            match probe().await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {}
                Err(error) if error.is_document_gone() => {
                    eprintln!("{what}: the probe's document went away ({error}); probing again");
                }
                Err(error) => return Err(error),
            }
            if Instant::now() > deadline {
                return Err(BrowserError::Timeout {
                    what,
                    timeout,
                    console: self.console_text().await,
                });
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// Waits until a console line at `level` contains `needle`; returns that line.
    pub async fn wait_for_console(
        &self,
        level: &str,
        needle: &str,
        timeout: Duration,
    ) -> Result<String, BrowserError> {
        let what = format!("console.{level} containing {needle:?}");
        self.poll(what, timeout, || async {
            Ok(self
                .console()
                .await?
                .into_iter()
                .find(|l| l.level == level && l.text.contains(needle))
                .map(|l| l.text))
        })
        .await
    }

    /// Waits until `expression` (a JS expression) is truthy; returns its value.
    pub async fn wait_for(
        &self,
        expression: &str,
        timeout: Duration,
    ) -> Result<Value, BrowserError> {
        self.wait_for_every(POLL_INTERVAL, expression, timeout)
            .await
    }

    /// Waits for the page's `window.result` ([`page_outcome`]: a step that threw fails).
    pub async fn result(&self, timeout: Duration) -> Result<Value, BrowserError> {
        self.wait_for("window.result", timeout)
            .await
            .and_then(page_outcome)
    }

    /// [`Self::wait_for`] probing only once a second, for pages that time
    /// themselves: each probe is a WebDriver command whose script (and the driver's own
    /// checks around it) runs on the page's main thread, and probing every 50 ms made a
    /// worker's loop of synchronous DOM calls, which needs that thread, 25–40 % slower.
    pub async fn wait_for_quietly(
        &self,
        expression: &str,
        timeout: Duration,
    ) -> Result<Value, BrowserError> {
        self.wait_for_every(QUIET_POLL_INTERVAL, expression, timeout)
            .await
    }

    async fn wait_for_every(
        &self,
        interval: Duration,
        expression: &str,
        timeout: Duration,
    ) -> Result<Value, BrowserError> {
        // An expression that throws (`window.results.done` before the page set `results`)
        // is not true yet; what it last threw is named if it never comes true.
        let script = format!(
            "try {{ return [({expression}) || null, null]; }} \
             catch (error) {{ return [null, String(error)]; }}"
        );
        let (script, thrown) = (&script, &std::cell::RefCell::new(None));
        let outcome = self
            .poll_every(interval, expression.to_string(), timeout, || async move {
                let value = self.eval(script, vec![]).await?;
                *thrown.borrow_mut() = value[1].as_str().map(str::to_owned);
                let found = value[0].clone();
                Ok((!found.is_null()).then_some(found))
            })
            .await;
        match (outcome, thrown.take()) {
            (
                Err(BrowserError::Timeout {
                    what,
                    timeout,
                    console,
                }),
                Some(error),
            ) => Err(BrowserError::Timeout {
                what: format!("{what} (it last threw {error})"),
                timeout,
                console,
            }),
            (outcome, _) => outcome,
        }
    }

    /// The texts of the visible rustpy error boxes on the page.
    pub async fn error_boxes(&self) -> Result<Vec<String>, BrowserError> {
        let mut texts = Vec::new();
        let found = self.client.find_all(Locator::Css(".rustpy-error"));
        for element in bounded("find all", found).await? {
            if bounded("is displayed", element.is_displayed()).await? {
                texts.push(bounded("element text", element.text()).await?);
            }
        }
        Ok(texts)
    }

    /// Waits for an error box containing `needle`; returns its text.
    pub async fn wait_for_error_box(
        &self,
        needle: &str,
        timeout: Duration,
    ) -> Result<String, BrowserError> {
        let what = format!("an error box containing {needle:?}");
        self.poll(what, timeout, || async {
            Ok(self
                .error_boxes()
                .await?
                .into_iter()
                .find(|t| t.contains(needle)))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::BrowserError;
    use fantoccini::error::{CmdError, ErrorStatus, WebDriver};

    fn failed(status: ErrorStatus, message: &'static str) -> BrowserError {
        BrowserError::Command(CmdError::Standard(WebDriver::new(status, message)))
    }

    #[test]
    fn only_a_script_whose_document_went_away_counts_as_gone() {
        // The message Firefox 153 gave when the coi page reloaded under a probe.
        let dead_window = "[Exception... \"Component returned failure code: 0x8007000e \
             (NS_ERROR_OUT_OF_MEMORY) [nsIXPCComponents_Utils.evalInSandbox]\"  nsresult: \
             \"0x8007000e (NS_ERROR_OUT_OF_MEMORY)\"]";
        assert!(failed(ErrorStatus::JavascriptError, dead_window).is_document_gone());
        assert!(failed(ErrorStatus::JavascriptError, "Document was unloaded").is_document_gone());
        // A page's own error, or another command's failure, ends a wait.
        assert!(!failed(ErrorStatus::JavascriptError, "ReferenceError: x").is_document_gone());
        assert!(!failed(ErrorStatus::NoSuchWindow, "Document was unloaded").is_document_gone());
        assert!(!BrowserError::PageStepFailed("Document was unloaded".into()).is_document_gone());
    }
}
