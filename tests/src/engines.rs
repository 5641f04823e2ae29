//! The three engines the suite runs in, and how each one's WebDriver server is started
//! headless on a small machine: Chromium through chromedriver, Firefox ESR through
//! geckodriver, WebKitGTK's MiniBrowser through WebKitWebDriver (on its own Xvfb display:
//! WebKitGTK 2.50's MiniBrowser has no headless mode).
//!
//! `RUSTPY_BROWSER=chromium|firefox|webkit` picks the engine (default `chromium`).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Map, Value, json};
use tokio::io::AsyncBufReadExt as _;
use tokio::process::{Child, Command};

use crate::browser::BrowserError;

/// The environment variable that picks the engine.
pub const ENGINE_VARIABLE: &str = "RUSTPY_BROWSER";

/// Where Debian installs Chromium (`apt-get install chromium`).
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian installs chromedriver (`apt-get install chromium-driver`).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian installs Firefox ESR (`apt-get install firefox-esr`).
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
/// Where WebKitGTK's MiniBrowser lives (`libwebkit2gtk-4.1-0`, pulled in by
/// `webkit2gtk-driver`).
pub const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
/// Where Debian installs WebKitWebDriver (`apt-get install webkit2gtk-driver`).
pub const WEBKITWEBDRIVER: &str = "/usr/bin/WebKitWebDriver";
/// The JavaScriptCore option that turns WebKit's optimising WebAssembly tier on or off: the
/// suite runs WebKit with it off unless the caller sets it.
pub const JSC_OMG_VARIABLE: &str = "JSC_useOMGJIT";
/// The X server WebKitGTK draws into (`apt-get install xvfb`).
pub const XVFB: &str = "/usr/bin/Xvfb";
/// geckodriver's name: `cargo install --locked geckodriver`, found on `PATH` or in
/// `~/.cargo/bin`.
pub const GECKODRIVER: &str = "geckodriver";

/// How long an X server may take to report its display.
const XVFB_START: Duration = Duration::from_secs(20);

/// A browser engine of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Debian's Chromium, through chromedriver.
    Chromium,
    /// Debian's Firefox ESR, through geckodriver.
    Firefox,
    /// WebKitGTK's MiniBrowser, through WebKitWebDriver.
    Webkit,
}

/// The content encodings the browser accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encodings {
    /// What the engine asks for by itself (brotli over `http://127.0.0.1` but in WebKitGTK).
    EngineDefault,
    /// gzip and deflate only: Firefox with its `network.http.accept-encoding` lists set so;
    /// WebKitGTK asks for no more over `http://` by itself; Chromium has no switch for it
    /// (the server can ignore what it asks more, [`crate::server::ServerOptions::gzip_only`]).
    GzipOnly,
}

/// A WebDriver server started for one session, ready for `ClientBuilder::connect`.
pub struct Launched {
    /// The driver's URL.
    pub url: String,
    /// The capabilities of the new session.
    pub capabilities: Map<String, Value>,
    /// The processes started (the driver, and the X server for WebKit), all in one process
    /// group whose id is `group`: killing the group ends them and the browser they started.
    pub children: Vec<Child>,
    /// The id of the process group of `children`.
    pub group: Option<u32>,
}

impl Engine {
    /// Every engine, in the order `cargo xtask test` runs them.
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::Webkit];

    /// The engine `RUSTPY_BROWSER` names (Chromium when it is unset or empty).
    pub fn from_env() -> Result<Self, BrowserError> {
        match std::env::var(ENGINE_VARIABLE) {
            Ok(name) if !name.is_empty() => Self::from_name(&name),
            _ => Ok(Engine::Chromium),
        }
    }

    /// The engine called `name` (`chromium`, `firefox` or `webkit`).
    pub fn from_name(name: &str) -> Result<Self, BrowserError> {
        Self::ALL
            .into_iter()
            .find(|engine| engine.name() == name)
            .ok_or_else(|| BrowserError::UnknownEngine(name.to_owned()))
    }

    /// The engine's name as `RUSTPY_BROWSER` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::Webkit => "webkit",
        }
    }

    /// The browser's executable (for `--version`).
    pub fn browser_binary(self) -> &'static str {
        match self {
            Engine::Chromium => CHROMIUM,
            Engine::Firefox => FIREFOX,
            Engine::Webkit => MINIBROWSER,
        }
    }

    /// The programs the engine needs, each with the package that installs it.
    fn requirements(self) -> Vec<(String, &'static str)> {
        match self {
            Engine::Chromium => vec![
                (CHROMIUM.into(), "Debian's chromium"),
                (CHROMEDRIVER.into(), "Debian's chromium-driver"),
            ],
            Engine::Firefox => vec![
                (FIREFOX.into(), "Debian's firefox-esr"),
                (geckodriver_path(), "`cargo install --locked geckodriver`"),
            ],
            Engine::Webkit => vec![
                (MINIBROWSER.into(), "Debian's webkit2gtk-driver"),
                (WEBKITWEBDRIVER.into(), "Debian's webkit2gtk-driver"),
                (XVFB.into(), "Debian's xvfb"),
            ],
        }
    }

    /// Starts the engine's WebDriver server on a free port (and, for WebKit, the X server
    /// it draws into); fails with [`BrowserError::Missing`] when a program is missing.
    ///
    /// The driver and the browser it starts write their files under `scratch` (their
    /// `TMPDIR`, and geckodriver's `--profile-root`): the caller removes it after them.
    pub async fn launch(
        self,
        scratch: &Path,
        encodings: Encodings,
    ) -> Result<Launched, BrowserError> {
        for (path, package) in self.requirements() {
            if !std::path::Path::new(&path).exists() {
                return Err(BrowserError::Missing {
                    engine: self.name(),
                    program: path,
                    package,
                });
            }
        }
        let port = free_port().map_err(|e| BrowserError::Driver(e.to_string()))?;
        let mut children = Vec::new();
        let mut group = None;
        let mut driver = match self {
            Engine::Chromium => {
                let mut command = Command::new(CHROMEDRIVER);
                command.arg(format!("--port={port}"));
                command
            }
            Engine::Firefox => {
                let mut command = Command::new(geckodriver_path());
                command.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
                // Ports of its own for each session: sessions run two at a time.
                command.args(["--marionette-port", "0", "--websocket-port", "0"]);
                command.arg("--profile-root").arg(scratch);
                command
            }
            Engine::Webkit => {
                let (xvfb, display) = start_xvfb().await?;
                group = xvfb.id();
                children.push(xvfb);
                let mut command = Command::new(WEBKITWEBDRIVER);
                command.arg(format!("--port={port}"));
                command.env("DISPLAY", format!(":{display}"));
                // No GPU on the machines the suite runs on: software drawing, no sandbox
                // helper (bubblewrap may be missing, the suite may run as root). Not
                // WEBKIT_DISABLE_COMPOSITING_MODE: with it, screenshots never answer.
                command.env("LIBGL_ALWAYS_SOFTWARE", "1");
                command.env("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1");
                // WebKitGTK 2.50's optimising wasm tier (OMG) sometimes computes wrong under
                // load (README, "Testing in each engine"); its baseline tier does not. A
                // `JSC_useOMGJIT` of the caller's own wins (`=true` runs the engine as
                // shipped).
                if std::env::var_os(JSC_OMG_VARIABLE).is_none() {
                    command.env(JSC_OMG_VARIABLE, "false");
                }
                command
            }
        };
        // chromedriver's and Chromium's profile and sockets, Firefox's and WebKit's
        // temporary files: all in the session's folder.
        driver.env("TMPDIR", scratch);
        let driver = spawn_in_group(driver, group)?;
        group = group.or(driver.id());
        children.push(driver);
        Ok(Launched {
            url: format!("http://127.0.0.1:{port}"),
            capabilities: self.capabilities(encodings),
            children,
            group,
        })
    }

    /// The capabilities of a headless session in the engine, accepting `encodings`.
    fn capabilities(self, encodings: Encodings) -> Map<String, Value> {
        let gzip_only = encodings == Encodings::GzipOnly;
        let mut capabilities = Map::new();
        match self {
            Engine::Chromium => {
                let args = [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1200,900",
                    // gc(): tests that check what is collected force a full collection.
                    "--js-flags=--expose-gc",
                    // performance.measureUserAgentSpecificMemory() answers at once.
                    "--enable-blink-features=ForceEagerMeasureMemory",
                    // pyscript.media: a fake camera and microphone, allowed without a prompt.
                    "--use-fake-device-for-media-stream",
                    "--use-fake-ui-for-media-stream",
                ];
                capabilities.insert(
                    "goog:chromeOptions".into(),
                    json!({ "binary": CHROMIUM, "args": args }),
                );
            }
            Engine::Firefox => {
                capabilities.insert("browserName".into(), json!("firefox"));
                capabilities.insert(
                    "moz:firefoxOptions".into(),
                    json!({
                        "binary": FIREFOX,
                        "args": ["-headless", "-width=1200", "-height=900"],
                        "prefs": {
                            // Python running long on the page's thread is what a test does:
                            // no "this page is slowing down" prompt.
                            "dom.max_script_run_time": 0,
                            "dom.max_chrome_script_run_time": 0,
                            // Nothing but the page on the network, no first-run pages.
                            "app.update.disabledForTesting": true,
                            "browser.shell.checkDefaultBrowser": false,
                            "datareporting.policy.dataSubmissionEnabled": false,
                            "toolkit.telemetry.reportingpolicy.firstRun": false,
                            "network.captive-portal-service.enabled": false,
                            "network.connectivity-service.enabled": false,
                            // Fewer content processes on a two-core machine.
                            "dom.ipc.processCount": 2,
                            // No throttling of timers in a window the headless browser
                            // considers hidden.
                            "dom.min_background_timeout_value": 4,
                            "dom.timeout.enable_budget_timer_throttling": false,
                            // pyscript.media: fake devices, allowed without a prompt.
                            "media.navigator.streams.fake": true,
                            "media.navigator.permission.disabled": true,
                        },
                    }),
                );
                if gzip_only {
                    // The first list is for http://, the second for https:// and
                    // trustworthy origins such as 127.0.0.1.
                    let prefs = &mut capabilities["moz:firefoxOptions"]["prefs"];
                    prefs["network.http.accept-encoding"] = json!("gzip, deflate");
                    prefs["network.http.accept-encoding.secure"] = json!("gzip, deflate");
                }
            }
            Engine::Webkit => {
                capabilities.insert(
                    "webkitgtk:browserOptions".into(),
                    json!({
                        "binary": MINIBROWSER,
                        // pyscript.media: mock capture devices.
                        "args": [
                            "--automation",
                            "--enable-media-stream=true",
                            "--enable-mock-capture-devices=true",
                        ],
                    }),
                );
            }
        }
        capabilities
    }
}

/// geckodriver on `PATH`, else where `cargo install` puts it.
fn geckodriver_path() -> String {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(GECKODRIVER))
            .find(|candidate| candidate.is_file())
    });
    let installed = || {
        std::env::var_os("HOME").map(|home| {
            std::path::PathBuf::from(home)
                .join(".cargo/bin")
                .join(GECKODRIVER)
        })
    };
    on_path
        .or_else(installed)
        .map(|path| path.to_string_lossy().into_owned())
        .unwrap_or_else(|| GECKODRIVER.to_owned())
}

/// Spawns `command` quietly, in the process group `group` (a new one when `None`).
fn spawn_in_group(mut command: Command, group: Option<u32>) -> Result<Child, BrowserError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .process_group(group.map_or(0, |id| id as i32))
        .spawn()
        .map_err(|e| BrowserError::Driver(e.to_string()))
}

/// Starts an X server on a display it picks itself (`-displayfd`: no two servers race for
/// one number) and returns it with that display's number, once it accepts clients.
async fn start_xvfb() -> Result<(Child, u32), BrowserError> {
    let mut xvfb = Command::new(XVFB)
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .process_group(0)
        .spawn()
        .map_err(|e| BrowserError::Driver(format!("Xvfb: {e}")))?;
    let stdout = xvfb
        .stdout
        .take()
        .ok_or_else(|| BrowserError::Driver("Xvfb: no stdout".into()))?;
    let mut line = String::new();
    let mut reader = tokio::io::BufReader::new(stdout);
    match tokio::time::timeout(XVFB_START, reader.read_line(&mut line)).await {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => return Err(BrowserError::Driver(format!("Xvfb: {error}"))),
        Err(_) => {
            return Err(BrowserError::Driver(format!(
                "Xvfb reported no display in {XVFB_START:?}"
            )));
        }
    }
    let display = line
        .trim()
        .parse()
        .map_err(|_| BrowserError::Driver(format!("Xvfb reported {line:?}, not a display")))?;
    Ok((xvfb, display))
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

#[cfg(test)]
mod tests {
    use super::Engine;

    #[test]
    fn engines_are_named_as_the_variable_spells_them() {
        for engine in Engine::ALL {
            assert_eq!(Engine::from_name(engine.name()).unwrap(), engine);
        }
        assert!(Engine::from_name("safari").is_err());
    }
}
