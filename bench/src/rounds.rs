//! Opening the pages of a section, one round at a time: every page publishes
//! `window.benchResult` (figures or `{ error }`), which the bench probes for once a second;
//! failures and timeouts are counted as failed rounds, never fatal.

use std::time::Duration;

use rustpy_e2e::browser::Browser;
use serde_json::Value;

use crate::BoxError;
use crate::cpu_time::CpuSampler;
use crate::peers::Only;
use crate::stats::Figures;

/// A page's results over the rounds: those that succeeded, and how many were attempted.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The results that were not `{ error }`, in round order.
    pub results: Vec<Value>,
    /// The rounds this page was opened in.
    pub attempts: usize,
}

impl Outcome {
    /// The number under `key` of each result, over the rounds attempted.
    pub fn figures(&self, key: &str) -> Figures {
        Figures::of(&self.results, key, self.attempts)
    }

    /// What `pick` finds in each result, over the rounds attempted.
    pub fn pick(&self, pick: impl Fn(&Value) -> Option<f64>) -> Figures {
        Figures::pick(&self.results, self.attempts, pick)
    }
}

/// One round of a section's `pages` (name, URL): opens each page selected by `only` in an
/// order that turns by one page a round (each after a blank page and a pause,
/// [`settle_between_pages`]) and waits (at most `wait`) for its `window.benchResult`,
/// adding it to the page's [`Outcome`] (with, where `cpu` samples the browser, `cpuMs`: per
/// case of the page's `spans`, the CPU milliseconds the browser used in that span).
/// Failures and timeouts are reported on stderr.
pub async fn run_round(
    browser: &Browser,
    (section, round, rounds): (&str, usize, usize),
    pages: &[(String, String)],
    (wait, only, cpu): (Duration, Only<'_>, Option<&CpuSampler>),
    outcomes: &mut [Outcome],
) -> Result<(), BoxError> {
    // Each round starts one page later, so every contender takes every place in the order
    // equally often over a multiple of `pages.len()` rounds (the first page of a round ran
    // measurably slower).
    let order = (0..pages.len()).map(|place| (place + round) % pages.len());
    for index in order {
        let (name, url) = &pages[index];
        if !only.selects(name) {
            continue;
        }
        outcomes[index].attempts += 1;
        let prefix = format!("{section} round {}/{rounds} {name}", round + 1);
        match open_for_result(browser, url, wait).await {
            Ok(mut result) => {
                if let Some(cpu) = cpu {
                    charge_cpu(&mut result, cpu);
                }
                eprintln!("{prefix}: {}", progress(&result));
                outcomes[index].results.push(result);
            }
            Err(error) => eprintln!("{prefix}: FAILED: {error}"),
        }
    }
    Ok(())
}

/// Opens `url` after a blank page and waits (at most `wait`) for its `window.benchResult`:
/// the result, or the page's `{ error }` (its first line) as an error.
pub async fn open_for_result(
    browser: &Browser,
    url: &str,
    wait: Duration,
) -> Result<Value, String> {
    settle_between_pages(browser, url)
        .await
        .map_err(|error| brief(&error.to_string()))?;
    let page = browser
        .open(url)
        .await
        .map_err(|error| brief(&error.to_string()))?;
    let result = page
        .wait_for_quietly("window.benchResult", wait)
        .await
        .map_err(|error| brief(&error.to_string()))?;
    match result.get("error") {
        Some(error) => Err(brief(error.as_str().unwrap_or("an error that is not text"))),
        None => Ok(result),
    }
}

/// Adds `cpuMs: { <case>: ms }` to a result with `spans: { <case>: [from, to] }` (epoch
/// ms): the browser's CPU time in each span (a span the samples do not cover gets none).
fn charge_cpu(result: &mut Value, cpu: &CpuSampler) {
    let mut charged = serde_json::Map::new();
    for (case, span) in result["spans"].as_object().into_iter().flatten() {
        let (Some(from), Some(to)) = (span[0].as_f64(), span[1].as_f64()) else {
            continue;
        };
        if let Some(ms) = cpu.cpu_ms(from, to) {
            charged.insert(case.clone(), Value::from(ms));
        }
    }
    if let Some(object) = result.as_object_mut() {
        object.insert("cpuMs".to_string(), Value::Object(charged));
    }
}

/// How long the browser idles on a blank page before each benchmark page.
const SETTLE: Duration = Duration::from_secs(2);

/// Leaves the previous page for a blank one on the origin of `next` and waits [`SETTLE`]: a
/// page's workers and memory are torn down after it is left, and without the pause that
/// work ran into the next page's timings (rustpy's pages came right after Pyodide's in every
/// round). The blank page is on the next page's origin, not `about:blank`: leaving for
/// `about:blank` gave every page a fresh renderer process, whose compiled code starts cold
/// (rustpy's `sync.add` 93–123 µs that way against 38–66 µs).
pub async fn settle_between_pages(browser: &Browser, next: &str) -> Result<(), BoxError> {
    let path_start = next
        .find("://")
        .and_then(|scheme| next[scheme + 3..].find('/').map(|slash| scheme + 3 + slash))
        .unwrap_or(next.len());
    browser
        .open(&format!("{}/bench/blank.html", &next[..path_start]))
        .await?;
    tokio::time::sleep(SETTLE).await;
    Ok(())
}

/// The first line of an error (stacks and consoles are long), at most 300 characters.
pub fn brief(error: &str) -> String {
    let line = error.lines().next().unwrap_or_default();
    line.chars().take(300).collect()
}

/// A page's figures for the progress lines: `name 12.3 µs, ...`, then the cases that failed.
fn progress(result: &Value) -> String {
    let mut parts = Vec::new();
    for (key, value) in result.as_object().into_iter().flatten() {
        match (value.as_f64(), key.strip_suffix("Micros")) {
            (Some(micros), Some(name)) => parts.push(format!("{name} {micros:.1} µs")),
            (Some(figure), None) => parts.push(format!("{key} {figure:.1}")),
            _ => {}
        }
    }
    for (case, calls) in result["calls"].as_object().into_iter().flatten() {
        if let Some(calls) = calls.as_array() {
            let shown: Vec<String> = calls
                .iter()
                .filter_map(Value::as_f64)
                .map(|v| format!("{v:.1}"))
                .collect();
            parts.push(format!("{case} [{}]", shown.join(" ")));
        }
    }
    for (case, ms) in result["cpuMs"].as_object().into_iter().flatten() {
        if let Some(ms) = ms.as_f64() {
            parts.push(format!("{case} CPU {ms:.0} ms"));
        }
    }
    for (case, error) in result["errors"].as_object().into_iter().flatten() {
        let error = brief(error.as_str().unwrap_or_default());
        parts.push(format!("{case} FAILED: {error}"));
    }
    parts.join(", ")
}
