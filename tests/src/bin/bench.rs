//! rustpy's browser benchmark: `cargo xtask bench` (builds `dist/` first).
//!
//! Measures, in headless Chromium on pages served from 127.0.0.1 with COOP/COEP:
//! - boot: navigation start → a worker's first Python statement, cold (fresh browser
//!   profile: no HTTP or code cache) and warm (the same page reloaded).
//!
//! Prints median, min and max over the runs. Figures are machine- and load-dependent:
//! compare runs made together, never bake them into tests.

use std::time::Duration;

use rustpy_e2e::browser::{Browser, Page};
use rustpy_e2e::server::{Isolation, TestServer};

const RUNS: usize = 5;

async fn first_statement_ms(page: &Page<'_>) -> Result<f64, Box<dyn std::error::Error>> {
    let line = page
        .wait_for_console("log", "first statement at", Duration::from_secs(120))
        .await?;
    let at: f64 = line.rsplit(' ').next().unwrap_or_default().parse()?;
    let origin = page.eval("return performance.timeOrigin", vec![]).await?;
    Ok(at - origin.as_f64().unwrap_or(f64::NAN))
}

fn summary(name: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    println!(
        "{name:<44} median {median:>8.1} ms   min {:>8.1}   max {:>8.1}   (n={})",
        values[0],
        values[values.len() - 1],
        values.len()
    );
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = rustpy_e2e::workspace_root();
    let server = TestServer::start(
        &root.join("tests/pages"),
        &root.join("dist/rustpy"),
        Isolation::Isolated,
    )
    .await?;
    let url = server.url("/bench/boot.html");
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for run in 1..=RUNS {
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
    println!("rustpy boot, headless Chromium, {RUNS} runs");
    summary("navigation -> worker first statement, cold", cold);
    summary("navigation -> worker first statement, warm", warm);
    Ok(())
}
