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
//! Prints median, min and max over the runs, and ratios. Figures are machine- and
//! load-dependent: compare runs made together, never bake them into tests.

use std::time::Duration;

use rustpy_e2e::browser::{Browser, Page};
use rustpy_e2e::server::{Isolation, TestServer};

const RUNS: usize = 5;
const BRIDGE_ROUNDS: usize = 3;

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

async fn first_statement_ms(page: &Page<'_>) -> Result<f64, Box<dyn std::error::Error>> {
    let line = page
        .wait_for_console("log", "first statement at", Duration::from_secs(120))
        .await?;
    let at: f64 = line.rsplit(' ').next().unwrap_or_default().parse()?;
    let origin = page.eval("return performance.timeOrigin", vec![]).await?;
    Ok(at - origin.as_f64().unwrap_or(f64::NAN))
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn summary(name: &str, unit: &str, values: &[f64]) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!(
        "{name:<44} median {:>9.1} {unit}   min {min:>9.1}   max {max:>9.1}   (n={})",
        median(values),
        values.len()
    );
}

/// Runs every bridge page `BRIDGE_ROUNDS` times, alternating; returns per-contender
/// (sync µs, ping µs) samples.
async fn bridge(
    browser: &Browser,
    server: &TestServer,
) -> Result<Vec<(Vec<f64>, Vec<f64>)>, Box<dyn std::error::Error>> {
    let mut samples = vec![(Vec::new(), Vec::new()); BRIDGE_PAGES.len()];
    for round in 1..=BRIDGE_ROUNDS {
        for (index, (name, path)) in BRIDGE_PAGES.iter().enumerate() {
            let page = browser.open(&server.url(path)).await?;
            let result = page
                .wait_for("window.benchResult", Duration::from_secs(180))
                .await?;
            if let Some(error) = result.get("error") {
                // A peer that fails is reported, not fatal: the other figures still count.
                eprintln!("round {round}/{BRIDGE_ROUNDS} {name}: FAILED: {error}");
                continue;
            }
            let sync = result["syncMicros"].as_f64().unwrap_or(f64::NAN);
            let ping = result["pingMicros"].as_f64().unwrap_or(f64::NAN);
            eprintln!("round {round}/{BRIDGE_ROUNDS} {name}: sync {sync:.1} µs, ping {ping:.1} µs");
            samples[index].0.push(sync);
            samples[index].1.push(ping);
        }
    }
    Ok(samples)
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
    // `--bridge-only` skips the boot runs (quicker when working on the bridge).
    let boot_runs = if std::env::args().any(|a| a == "--bridge-only") {
        0
    } else {
        RUNS
    };
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
    let browser = Browser::start().await?;
    let bridge_samples = bridge(&browser, &server).await?;
    browser.close().await?;

    if boot_runs > 0 {
        println!("rustpy boot, headless Chromium, {boot_runs} runs");
        summary("navigation -> worker first statement, cold", "ms", &cold);
        summary("navigation -> worker first statement, warm", "ms", &warm);
        println!();
    }
    println!("bridge, per call, {BRIDGE_ROUNDS} alternating rounds in one browser");
    for ((name, _), (sync, ping)) in BRIDGE_PAGES.iter().zip(&bridge_samples) {
        if sync.is_empty() {
            println!("{name:<44} did not run (see the FAILED lines above)");
            continue;
        }
        summary(
            &format!("{name}: worker->page sync.add (N=2000)"),
            "µs",
            sync,
        );
        summary(
            &format!("{name}: page->worker await ping (N=500)"),
            "µs",
            ping,
        );
    }
    let medians: Vec<(f64, f64)> = bridge_samples
        .iter()
        .map(|(s, p)| (median(s), median(p)))
        .collect();
    let (raw, rustpy) = (medians[0], medians[1]);
    // f64::min ignores NaN, so a peer that did not run drops out of "best".
    let best_sync = medians[2].0.min(medians[3].0);
    let best_ping = medians[2].1.min(medians[3].1);
    println!();
    println!("ratios (medians; lower is better for rustpy)");
    println!(
        "  worker->page: rustpy / best PyScript = {:.2}   rustpy / raw floor = {:.2}",
        rustpy.0 / best_sync,
        rustpy.0 / raw.0
    );
    println!(
        "  page->worker: rustpy / best PyScript = {:.2}   rustpy / raw floor = {:.2}",
        rustpy.1 / best_ping,
        rustpy.1 / raw.1
    );
    Ok(())
}
