//! rustpy's browser benchmark: `cargo xtask bench` (builds `dist/` first).
//!
//! Measures, in headless Chromium on pages served from 127.0.0.1 with COOP/COEP:
//! - boot: navigation start → a worker's first Python statement, cold (fresh browser
//!   profile: no HTTP or code cache) and warm (the same page reloaded).
//!
//! - the bridge: mean latency of a worker→page blocking `sync.add(i, 1)` (N=2000) and a
//!   page→worker `await worker.sync.ping()` (N=500), for rustpy, a raw-JS floor (the same
//!   postMessage + Atomics round trip with no interpreter) and PyScript 0.7.31's MicroPython
//!   and Pyodide workers (npm packages in `tests/bench/`, served from 127.0.0.1), alternated
//!   over rounds in one browser session.
//!
//! - the DOM from a worker (`from pyscript import document`), for rustpy and the same two
//!   PyScript workers: reads of a cached `dataset.test` (N=2000), `createElement("div")` +
//!   `body.append(el)` (N=500), and a 1000-row table (three `td` with text per `tr`), per
//!   row; rustpy builds the table a second time inside `with batch():`.
//!
//! - the service-worker relay against shared memory: mean latency of a worker→page
//!   `sync.add(i, 1)` (N=500) for the same worker (`serviceWorker: ...` given) on a page
//!   served without isolation headers (blocking calls are synchronous XHRs relayed by a
//!   service worker: rustpy's `/rustpy-sw.js`, PyScript's sabayon) and on an isolated one
//!   (shared memory), alternated over rounds; rustpy, PyScript + MicroPython and PyScript +
//!   Pyodide, each peer's relay page on its own origin (their service workers would clash).
//!
//! - interrupt latency (rustpy): `worker.interrupt()` → the rejection of a pending export
//!   (`KeyboardInterrupt`), 20 runs each of an export in `time.sleep(600)` and one looping on
//!   `sys.stdout.write("")`, on an isolated page.
//!
//! Prints median, min and max over the runs, and ratios. Figures are machine- and
//! load-dependent: compare runs made together, never bake them into tests.
//!
//! `--bridge-only` runs only the bridge section, `--dom-only` only the DOM section,
//! `--relay-only` only the relay section, `--interrupt-only` only the interrupt section (no
//! boot runs with any of them; several of them run those sections). `--only NAME` (e.g.
//! `--only rustpy`) opens only the contenders whose name contains NAME (case-insensitive);
//! the others are reported as skipped. A page that fails or times out is reported as not run; the
//! other figures still count.

use std::fmt::Write as _;
use std::time::Duration;

use rustpy_e2e::browser::{Browser, Page};
use rustpy_e2e::server::{Isolation, TestServer};
use serde_json::Value;

const RUNS: usize = 5;
const BRIDGE_ROUNDS: usize = 3;
const DOM_ROUNDS: usize = 3;
const RELAY_ROUNDS: usize = 3;

/// The bridge benchmark's contenders: name and page.
const BRIDGE_PAGES: [(&str, &str); 4] = [
    ("raw JS floor", "/bench/bridge-raw.html"),
    ("rustpy", "/bench/bridge-rustpy.html"),
    (
        "PyScript + MicroPython",
        "/bench/bridge-pyscript.html?type=micropython",
    ),
    (
        "PyScript + Pyodide",
        "/bench/bridge-pyscript.html?type=pyodide",
    ),
];

/// How long the bench waits for a bridge page (its own limit is 240 s).
const BRIDGE_WAIT: Duration = Duration::from_secs(300);

/// The DOM benchmark's contenders: name and page. rustpy comes first.
const DOM_PAGES: [(&str, &str); 3] = [
    ("rustpy", "/bench/dom-rustpy.html"),
    (
        "PyScript + MicroPython",
        "/bench/dom-pyscript.html?type=micropython",
    ),
    (
        "PyScript + Pyodide",
        "/bench/dom-pyscript.html?type=pyodide",
    ),
];

/// How long the bench waits for a DOM page (their own limits are 600 s and 1200 s: the
/// Pyodide worker's table takes minutes).
const DOM_WAIT: Duration = Duration::from_secs(1300);

/// The relay benchmark's contenders: name and page (a query follows: `mode=` is added).
const RELAY_PAGES: [(&str, &str); 3] = [
    ("rustpy", "/bench/relay-rustpy.html?"),
    (
        "PyScript + MicroPython",
        "/bench/relay-pyscript.html?type=micropython&",
    ),
    (
        "PyScript + Pyodide",
        "/bench/relay-pyscript.html?type=pyodide&",
    ),
];

/// The relay comparison's two modes: `?mode=` of the page, label, and whether the page is
/// served with the isolation headers.
const RELAY_MODES: [(&str, &str, bool); 2] = [
    ("shared", "shared memory (isolated page)", true),
    ("relay", "service-worker relay (no isolation)", false),
];

/// How long the bench waits for a relay page (its own limit is 240 s).
const RELAY_WAIT: Duration = Duration::from_secs(300);

/// How long the bench waits for the interrupt page (its own limit is 240 s).
const INTERRUPT_WAIT: Duration = Duration::from_secs(300);

/// The interrupt cases: key in the page's result (`tests/pages/bench/interrupt.html`) and
/// label.
const INTERRUPT_CASES: [(&str, &str); 2] = [
    ("nap", "time.sleep(600)"),
    ("chatty", "while True: sys.stdout.write(\"\")"),
];

/// The DOM cases: key in the page's result (see `tests/pages/bench/bench.js`), label, and
/// the key of the PyScript figure rustpy's is compared with.
const DOM_CASES: [(&str, &str, &str); 4] = [
    (
        "dataset_reads",
        "cached dataset.test read (N=2000)",
        "dataset_reads",
    ),
    (
        "create_append",
        "createElement + body.append (N=500)",
        "create_append",
    ),
    ("table", "1000-row table, per row", "table"),
    ("table_batch", "1000-row table in batch(), per row", "table"),
];

async fn first_statement_ms(page: &Page<'_>) -> Result<f64, Box<dyn std::error::Error>> {
    let line = page
        .wait_for_console("log", "first statement at", Duration::from_secs(120))
        .await?;
    let at: f64 = line.rsplit(' ').next().unwrap_or_default().parse()?;
    let origin = page.eval("return performance.timeOrigin", vec![]).await?;
    Ok(at - origin.as_f64().unwrap_or(f64::NAN))
}

/// The median (the mean of the middle two for an even count); NaN when empty.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 0 => (sorted[middle - 1] + sorted[middle]) / 2.0,
        _ => sorted[middle],
    }
}

/// One line of the report: median, min and max of `values`.
fn summary(name: &str, unit: &str, values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!(
        "{name:<60} median {:>9.1} {unit}   min {min:>9.1}   max {max:>9.1}   (n={})\n",
        median(values),
        values.len()
    )
}

/// The line of a contender that has no figure.
fn did_not_run(name: &str) -> String {
    format!("{name:<60} did not run (see the FAILED lines above)\n")
}

/// `a / b` to two decimals, or `n/a` when either side did not run.
fn ratio(a: f64, b: f64) -> String {
    let value = a / b;
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        "n/a".to_string()
    }
}

/// The first line of an error (stacks and consoles are long), at most 300 characters.
fn brief(error: &str) -> String {
    let line = error.lines().next().unwrap_or_default();
    line.chars().take(300).collect()
}

/// Which contenders to open: `--only NAME` keeps those whose name contains NAME
/// (case-insensitive); without it, all of them.
#[derive(Clone, Copy)]
struct Only<'a>(Option<&'a str>);

impl Only<'_> {
    fn selects(self, name: &str) -> bool {
        self.0
            .is_none_or(|only| name.to_lowercase().contains(&only.to_lowercase()))
    }
}

/// The line of a contender left out by `--only`.
fn skipped(name: &str) -> String {
    format!("{name:<60} skipped (--only)\n")
}

/// `pages` (name, path) as (name, URL) on `server`.
fn on(server: &TestServer, pages: &[(&str, &str)]) -> Vec<(String, String)> {
    pages
        .iter()
        .map(|(name, path)| (name.to_string(), server.url(path)))
        .collect()
}

/// Opens each of `pages` (name, URL) selected by `only` `rounds` times, alternating, and
/// waits (at most `wait`) for its `window.benchResult`. Returns per page the results that
/// are not `{ error }` (none for a page left out); failures and timeouts are reported on
/// stderr, never fatal.
async fn run_rounds(
    browser: &Browser,
    section: &str,
    pages: &[(String, String)],
    (rounds, wait, only): (usize, Duration, Only<'_>),
) -> Result<Vec<Vec<Value>>, Box<dyn std::error::Error>> {
    let mut results = vec![Vec::new(); pages.len()];
    for round in 1..=rounds {
        for (index, (name, url)) in pages.iter().enumerate() {
            if !only.selects(name) {
                continue;
            }
            let page = browser.open(url).await?;
            let prefix = format!("{section} round {round}/{rounds} {name}");
            match page.wait_for("window.benchResult", wait).await {
                Ok(result) => match result.get("error") {
                    Some(error) => {
                        eprintln!("{prefix}: FAILED: {}", error.as_str().unwrap_or_default())
                    }
                    None => {
                        eprintln!("{prefix}: {}", progress(&result));
                        results[index].push(result);
                    }
                },
                Err(error) => eprintln!("{prefix}: FAILED: {}", brief(&error.to_string())),
            }
        }
    }
    Ok(results)
}

/// A page's figures for the progress lines: `name 12.3 µs, ...`, then the cases that failed.
fn progress(result: &Value) -> String {
    let mut parts = Vec::new();
    for (key, value) in result.as_object().into_iter().flatten() {
        if let Some(micros) = value.as_f64() {
            parts.push(format!("{} {micros:.1} µs", key.trim_end_matches("Micros")));
        }
    }
    for (case, error) in result["errors"].as_object().into_iter().flatten() {
        let error = brief(error.as_str().unwrap_or_default());
        parts.push(format!("{case} FAILED: {error}"));
    }
    parts.join(", ")
}

/// The numbers under `key` in `results`.
fn figures(results: &[Value], key: &str) -> Vec<f64> {
    results.iter().filter_map(|r| r[key].as_f64()).collect()
}

/// The bridge section: runs it and returns its report.
async fn bridge(
    browser: &Browser,
    server: &TestServer,
    only: Only<'_>,
) -> Result<String, Box<dyn std::error::Error>> {
    let limits = (BRIDGE_ROUNDS, BRIDGE_WAIT, only);
    let pages = on(server, &BRIDGE_PAGES);
    let results = run_rounds(browser, "bridge", &pages, limits).await?;
    let mut report =
        format!("bridge, per call, {BRIDGE_ROUNDS} alternating rounds in one browser\n");
    let mut medians = Vec::new();
    for ((name, _), page_results) in BRIDGE_PAGES.iter().zip(&results) {
        let sync = figures(page_results, "syncMicros");
        let ping = figures(page_results, "pingMicros");
        medians.push((median(&sync), median(&ping)));
        if !only.selects(name) {
            report += &skipped(name);
            continue;
        }
        if sync.is_empty() {
            report += &did_not_run(name);
            continue;
        }
        report += &summary(
            &format!("{name}: worker->page sync.add (N=2000)"),
            "µs",
            &sync,
        );
        report += &summary(
            &format!("{name}: page->worker await ping (N=500)"),
            "µs",
            &ping,
        );
    }
    let (raw, rustpy) = (medians[0], medians[1]);
    // f64::min ignores NaN, so a peer that did not run drops out of "best".
    let best_sync = medians[2].0.min(medians[3].0);
    let best_ping = medians[2].1.min(medians[3].1);
    report += "\nratios (medians; lower is better for rustpy)\n";
    writeln!(
        report,
        "  worker->page: rustpy / best PyScript = {}   rustpy / raw floor = {}",
        ratio(rustpy.0, best_sync),
        ratio(rustpy.0, raw.0)
    )?;
    writeln!(
        report,
        "  page->worker: rustpy / best PyScript = {}   rustpy / raw floor = {}",
        ratio(rustpy.1, best_ping),
        ratio(rustpy.1, raw.1)
    )?;
    Ok(report)
}

/// The DOM section: runs it and returns its report.
async fn dom(
    browser: &Browser,
    server: &TestServer,
    only: Only<'_>,
) -> Result<String, Box<dyn std::error::Error>> {
    let limits = (DOM_ROUNDS, DOM_WAIT, only);
    let pages = on(server, &DOM_PAGES);
    let results = run_rounds(browser, "DOM", &pages, limits).await?;
    let mut report = format!(
        "DOM from a worker, per operation, {DOM_ROUNDS} alternating rounds in one browser\n"
    );
    // medians[page][case]; NaN where a contender did not run the case.
    let mut medians = vec![[f64::NAN; DOM_CASES.len()]; DOM_PAGES.len()];
    for (page, ((name, _), page_results)) in DOM_PAGES.iter().zip(&results).enumerate() {
        if !only.selects(name) {
            report += &skipped(name);
            continue;
        }
        if page_results.is_empty() {
            report += &did_not_run(name);
            continue;
        }
        for (case, (key, label, _)) in DOM_CASES.iter().enumerate() {
            let values = figures(page_results, key);
            if values.is_empty() {
                // PyScript has no batch(): no line for it.
                if page == 0 || *key != "table_batch" {
                    report += &did_not_run(&format!("{name}: {label}"));
                }
                continue;
            }
            medians[page][case] = median(&values);
            report += &summary(&format!("{name}: {label}"), "µs", &values);
        }
    }
    report += "\nratios (medians; lower is better for rustpy)\n";
    for (case, (_, label, peer_key)) in DOM_CASES.iter().enumerate() {
        let peer = DOM_CASES
            .iter()
            .position(|(key, _, _)| key == peer_key)
            .unwrap_or(case);
        // f64::min ignores NaN, so a peer that did not run drops out of "best".
        let best = medians[1][peer].min(medians[2][peer]);
        let versus = if peer == case {
            ""
        } else {
            " (PyScript without batch)"
        };
        writeln!(
            report,
            "  {label}: rustpy / best PyScript{versus} = {}",
            ratio(medians[0][case], best)
        )?;
    }
    Ok(report)
}

/// The servers of the relay section: the isolated one, rustpy's relay origin and PyScript's
/// relay origin (both without isolation headers). Two origins because service workers
/// clash: rustpy-sw.js's scope (`/`) covers `/bench/`, and sabayon, finding that
/// registration, unregisters it and reloads the page.
struct RelayServers<'a> {
    isolated: &'a TestServer,
    rustpy: &'a TestServer,
    pyscript: &'a TestServer,
}

/// The relay section: runs it and returns its report.
async fn relay(
    browser: &Browser,
    servers: &RelayServers<'_>,
    only: Only<'_>,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut pages = Vec::new();
    for (contender, (name, path)) in RELAY_PAGES.iter().enumerate() {
        for (mode, label, isolated) in RELAY_MODES {
            let server = match (isolated, contender) {
                (true, _) => servers.isolated,
                (false, 0) => servers.rustpy,
                (false, _) => servers.pyscript,
            };
            let url = server.url(&format!("{path}mode={mode}"));
            pages.push((format!("{name}: {label}"), url));
        }
    }
    let limits = (RELAY_ROUNDS, RELAY_WAIT, only);
    let results = run_rounds(browser, "relay", &pages, limits).await?;
    let mut report = format!(
        "service-worker relay vs shared memory: worker->page sync.add (N=500), per call, \
         {RELAY_ROUNDS} alternating rounds in one browser\n"
    );
    // medians[contender][mode]; NaN where it did not run.
    let mut medians = vec![[f64::NAN; RELAY_MODES.len()]; RELAY_PAGES.len()];
    for (index, ((name, _), page_results)) in pages.iter().zip(&results).enumerate() {
        if !only.selects(name) {
            report += &skipped(name);
            continue;
        }
        let values = figures(page_results, "syncMicros");
        if values.is_empty() {
            report += &did_not_run(name);
            continue;
        }
        medians[index / RELAY_MODES.len()][index % RELAY_MODES.len()] = median(&values);
        report += &summary(name, "µs", &values);
    }
    report += "\nratios (medians)\n";
    for ((name, _), [shared, relayed]) in RELAY_PAGES.iter().zip(&medians) {
        writeln!(
            report,
            "  {name}: relay / shared = {}",
            ratio(*relayed, *shared)
        )?;
    }
    // f64::min ignores NaN, so a peer that did not run drops out of "best".
    let best_peer = medians[1][1].min(medians[2][1]);
    writeln!(
        report,
        "  relay: rustpy / best PyScript = {}",
        ratio(medians[0][1], best_peer)
    )?;
    Ok(report)
}

/// The interrupt section: runs it and returns its report.
async fn interrupt(
    browser: &Browser,
    server: &TestServer,
    only: Only<'_>,
) -> Result<String, Box<dyn std::error::Error>> {
    let name = "rustpy";
    let mut report = String::from(
        "interrupt latency: worker.interrupt() -> the pending export's rejection \
         (KeyboardInterrupt), isolated page, one worker\n",
    );
    if !only.selects(name) {
        report += &skipped(name);
        return Ok(report);
    }
    let page = browser.open(&server.url("/bench/interrupt.html")).await?;
    let result = match page.wait_for("window.benchResult", INTERRUPT_WAIT).await {
        Ok(result) => result,
        Err(error) => {
            eprintln!("interrupt: FAILED: {}", brief(&error.to_string()));
            Value::Null
        }
    };
    if let Some(error) = result.get("error") {
        eprintln!(
            "interrupt: FAILED: {}",
            brief(error.as_str().unwrap_or_default())
        );
    }
    for (key, label) in INTERRUPT_CASES {
        let line = format!("{name}: interrupt in {label}");
        let values: Vec<f64> = result[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_f64)
            .collect();
        if values.is_empty() {
            report += &did_not_run(&line);
            continue;
        }
        let runs: Vec<String> = values.iter().map(|v| format!("{v:.0}")).collect();
        eprintln!("interrupt {key}: {} µs", runs.join(", "));
        report += &summary(&line, "µs", &values);
    }
    Ok(report)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = rustpy_e2e::workspace_root();
    let node_modules = root.join("tests/bench/node_modules");
    if !node_modules.join("@pyscript/core").is_dir() {
        return Err(
            "tests/bench/node_modules is missing: `cargo xtask bench` installs it (npm ci)".into(),
        );
    }
    let server = TestServer::start_with(
        &root.join("tests/pages"),
        &root.join("dist/rustpy"),
        Isolation::Isolated,
        &[("/node_modules", node_modules.as_path())],
    )
    .await?;
    let url = server.url("/bench/boot.html");
    // `--bridge-only` / `--dom-only` / `--relay-only` / `--interrupt-only` run just that
    // section (quicker when working on it); several of them run those sections.
    let flag = |name: &str| std::env::args().any(|a| a == name);
    let sections_only = [
        flag("--bridge-only"),
        flag("--dom-only"),
        flag("--relay-only"),
        flag("--interrupt-only"),
    ];
    let all = !sections_only.contains(&true);
    let [run_bridge, run_dom, run_relay, run_interrupt] = sections_only.map(|only| all || only);
    let args: Vec<String> = std::env::args().collect();
    let only = match args.iter().position(|a| a == "--only") {
        Some(at) => Only(Some(
            args.get(at + 1)
                .ok_or("--only needs a contender name, e.g. `--only rustpy`")?,
        )),
        None => Only(None),
    };
    let boot_runs = if all { RUNS } else { 0 };
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for run in 1..=boot_runs {
        let browser = Browser::start().await?;
        let page = browser.open(&url).await?;
        cold.push(first_statement_ms(&page).await?);
        let page = browser.open(&url).await?;
        warm.push(first_statement_ms(&page).await?);
        browser.close().await?;
        eprintln!(
            "run {run}/{RUNS}: cold {:.1} ms, warm {:.1} ms",
            cold[run - 1],
            warm[run - 1]
        );
    }
    // The report is printed in one piece at the end (progress goes to stderr meanwhile).
    let mut sections = Vec::new();
    if boot_runs > 0 {
        sections.push(format!(
            "rustpy boot, headless Chromium, {boot_runs} runs\n{}{}",
            summary("navigation -> worker first statement, cold", "ms", &cold),
            summary("navigation -> worker first statement, warm", "ms", &warm),
        ));
    }
    let browser = Browser::start().await?;
    if run_bridge {
        sections.push(bridge(&browser, &server, only).await?);
    }
    if run_dom {
        sections.push(dom(&browser, &server, only).await?);
    }
    if run_relay {
        let mounts = [("/node_modules", node_modules.as_path())];
        let (pages, dist) = (root.join("tests/pages"), root.join("dist/rustpy"));
        let not_isolated = Isolation::NotIsolated;
        let rustpy = TestServer::start_with(&pages, &dist, not_isolated, &mounts).await?;
        let pyscript = TestServer::start_with(&pages, &dist, not_isolated, &mounts).await?;
        let servers = RelayServers {
            isolated: &server,
            rustpy: &rustpy,
            pyscript: &pyscript,
        };
        sections.push(relay(&browser, &servers, only).await?);
    }
    if run_interrupt {
        sections.push(interrupt(&browser, &server, only).await?);
    }
    browser.close().await?;
    print!("{}", sections.join("\n"));
    Ok(())
}
