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
//! Prints median, min and max over the runs, and ratios. Figures are machine- and
//! load-dependent: compare runs made together, never bake them into tests.
//!
//! `--bridge-only` runs only the bridge section, `--dom-only` only the DOM section (no
//! boot runs with either). `--only NAME` (e.g. `--only rustpy`) opens only the contenders
//! whose name contains NAME (case-insensitive) in the bridge and DOM sections; the others
//! are reported as skipped. A page that fails or times out is reported as not run; the
//! other figures still count.

use std::fmt::Write as _;
use std::time::Duration;

use rustpy_e2e::browser::{Browser, Page};
use rustpy_e2e::server::{Isolation, TestServer};
use serde_json::Value;

const RUNS: usize = 5;
const BRIDGE_ROUNDS: usize = 3;
const DOM_ROUNDS: usize = 3;

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

/// Opens each of `pages` selected by `only` `rounds` times, alternating, and waits (at most
/// `wait`) for its `window.benchResult`. Returns per page the results that are not
/// `{ error }` (none for a page left out); failures and timeouts are reported on stderr,
/// never fatal.
async fn run_rounds(
    browser: &Browser,
    server: &TestServer,
    section: &str,
    pages: &[(&str, &str)],
    (rounds, wait, only): (usize, Duration, Only<'_>),
) -> Result<Vec<Vec<Value>>, Box<dyn std::error::Error>> {
    let mut results = vec![Vec::new(); pages.len()];
    for round in 1..=rounds {
        for (index, (name, path)) in pages.iter().enumerate() {
            if !only.selects(name) {
                continue;
            }
            let page = browser.open(&server.url(path)).await?;
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
    let results = run_rounds(browser, server, "bridge", &BRIDGE_PAGES, limits).await?;
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
    let results = run_rounds(browser, server, "DOM", &DOM_PAGES, limits).await?;
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
    // `--bridge-only` / `--dom-only` run just that section (quicker when working on it).
    let flag = |name: &str| std::env::args().any(|a| a == name);
    let (bridge_only, dom_only) = (flag("--bridge-only"), flag("--dom-only"));
    let args: Vec<String> = std::env::args().collect();
    let only = match args.iter().position(|a| a == "--only") {
        Some(at) => Only(Some(
            args.get(at + 1)
                .ok_or("--only needs a contender name, e.g. `--only rustpy`")?,
        )),
        None => Only(None),
    };
    let boot_runs = if bridge_only || dom_only { 0 } else { RUNS };
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
    if bridge_only || !dom_only {
        sections.push(bridge(&browser, &server, only).await?);
    }
    if dom_only || !bridge_only {
        sections.push(dom(&browser, &server, only).await?);
    }
    browser.close().await?;
    print!("{}", sections.join("\n"));
    Ok(())
}
