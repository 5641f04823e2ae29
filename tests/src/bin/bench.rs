//! rustpy's browser benchmark: `cargo xtask bench` (builds `dist/` first).
//!
//! Measures, in one headless Chromium run on pages served from 127.0.0.1 with COOP/COEP,
//! rustpy next to PyScript 0.7.31's MicroPython and Pyodide workers (npm packages in
//! `tests/bench/`, served from 127.0.0.1). Every file is served precompressed (`X.br` /
//! `X.gz` next to `X`, brotli -11 and gzip -9): `dist/rustpy/` as `cargo xtask dist` writes
//! it, the peers' `node_modules` from a copy the bench makes under `$RUSTPY_CACHE/bench/`
//! (see [`precompressed_copy`]), so that no contender pays for compressing on the fly.
//!
//! - boot: navigation start (`performance.timeOrigin`) → the wall clock taken by the first
//!   statement of a worker tag's script (`boot-*.html`, `boot-worker-*.py`), cold (a fresh
//!   browser profile: no HTTP or code cache) and warm (the page loaded again; the boot
//!   server sends `Cache-Control: max-age`), and four worker tags booting at once (warm:
//!   navigation → the last of the four); the response body bytes the server sent for the
//!   cold and the warm load, as sent (compressed), counted by the test server.
//!
//! - imports: the first `import json` / `re` / `datetime` / `csv` / `pathlib` / `logging`
//!   in a fresh worker, timed inside the worker (`tasks-*.html?task=import`).
//!
//! - memory: the wasm memory of a booted worker, reported from inside the worker by a hook
//!   (`wasm-memory-hook.js`) that the page loads first in every worker it starts.
//!
//! - CPU: `tests/pages/bench/cpu.py` (fib(25), a 10^6 loop, strings, dict/list churn,
//!   `json.dumps`/`json.loads` of ~1 MB, a regex scan) run in a worker, each case timed
//!   inside the worker; the same source for all three.
//!
//! - the bridge: mean latency of a worker→page blocking `sync.add(i, 1)` (N=2000) and a
//!   page→worker `await worker.sync.ping()` (N=500), for rustpy, a raw-JS floor (the same
//!   postMessage + Atomics round trip with no interpreter) and the two PyScript workers;
//!   each timed loop after an untimed one of the same size (`bench.js`).
//!
//! - the DOM from a worker (`from pyscript import document`), for rustpy and the same two
//!   PyScript workers: reads of a cached `dataset.test` (N=2000), `createElement("div")` +
//!   `body.append(el)` (N=500), and a 1000-row table (three `td` with text per `tr`), per
//!   row; rustpy builds the table a second time inside `with batch():`. Each case: one
//!   warm-up call (the size of the timed call, a tenth for the tables), then full-size calls
//!   while the next fits in 3 s from the warm-up's start (at most 50); the figure is the
//!   median of the last five, and for the tables the first full-size call is reported too
//!   (`DOM_CASES`, `DOM_WARM_UP_MS` in `bench.js`): each contender gets the same time to
//!   warm up, so its JIT (V8 compiling the interpreter) is not what the figure measures.
//!
//! - the service-worker relay against shared memory: mean latency of a worker→page
//!   `sync.add(i, 1)` (N=500 after 500 untimed) for the same worker (`serviceWorker: ...`
//!   given) on a page served without isolation headers (blocking calls are synchronous XHRs
//!   relayed by a service worker: rustpy's `/rustpy-sw.js`, PyScript's sabayon) and on an
//!   isolated one (shared memory), and the floor of any such relay (a synchronous XHR that
//!   a service worker answers at once); each relay page on its own origin (their service
//!   workers would clash).
//!
//! - interrupt latency: rustpy's `worker.interrupt()` → the rejection of a pending export
//!   (`KeyboardInterrupt`), 20 runs each of an export in `time.sleep(600)`, one looping on
//!   `sys.stdout.write("")` and loops that never wait (`while True: pass`, a `for` over a
//!   huge range, recursion, a comprehension, an `exec`'d loop; `tests/pages/bench/
//!   interrupt-loops.py`), each call entered before it is interrupted; Pyodide's interrupt
//!   buffer in a plain Pyodide worker on the same loops, on an isolated page.
//!
//! - interrupt cost: the CPU cases in rustpy workers with the default interrupt checks, with
//!   `config: {interrupts: "everywhere"}` and without (`config: {interrupts: false}`),
//!   alternating; the ratios of medians per case, their
//!   geometric mean and the worst.
//!
//! - FFI and fetch in a worker (issue 23): `js.performance.now()` on the worker's own
//!   `globalThis` (µs per call in a loop of 20,000, after untimed loops) and `data = await
//!   pyscript.fetch(url).json()` of a generated ~1 MB JSON (10,000 records), both timed in
//!   the worker, for the three contenders (`bench/ffi.rs`).
//!
//! Every page times itself and publishes `window.benchResult`; the bench probes for it once a
//! second ([`Page::wait_for_quietly`](rustpy_e2e::browser::Page::wait_for_quietly)), not every
//! 50 ms as the tests do: each probe runs on the page's main thread, which the DOM and bridge
//! loops measure (probing every 50 ms made rustpy's `createElement` + `append` 25–40 % slower).
//!
//! Contenders alternate within each round, in one browser session (the boot section starts
//! a fresh browser per contender and run). Prints each section's figures (median, min and
//! max over the runs), then ONE summary table with the ratio rustpy / best peer for every
//! metric; a full run (no section flag) or `--write` also writes that table into
//! `BENCHMARKS.md` between `<!-- bench:begin -->` and `<!-- bench:end -->`. Figures are
//! machine- and load-dependent: compare runs made together, never bake them into tests.
//!
//! Section flags (any number; without one, every section runs): `--boot-only`,
//! `--imports-only`, `--memory-only`, `--cpu-only`, `--bridge-only`, `--dom-only`,
//! `--relay-only`, `--interrupt-only`, `--interrupt-cost-only`, `--ffi-only`. `--only NAME` (e.g. `--only rustpy`) opens only the
//! contenders whose name contains NAME (case-insensitive); the others are reported as
//! skipped. `--dist DIR` serves another build than `dist/rustpy/`. A page that fails or
//! times out is reported as not run; the other figures still count.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustpy_e2e::browser::Browser;
use rustpy_e2e::server::{Caching, Isolation, Served, ServerOptions, TestServer};
use rustpy_precompress as precompress;
use serde_json::Value;

// A module of this bin (its root is this file, so the path is spelled out).
#[path = "bench/ffi.rs"]
mod ffi;

type BoxError = Box<dyn std::error::Error>;

const RUNS: usize = 5;
const BRIDGE_ROUNDS: usize = 3;
const DOM_ROUNDS: usize = 3;
const RELAY_ROUNDS: usize = 3;

/// The interpreters compared, in the order of every table's columns.
const CONTENDERS: [&str; 3] = ["rustpy", "PyScript + MicroPython", "PyScript + Pyodide"];

/// The `?type=` of the PyScript pages, per contender (none for rustpy).
const PEER_TYPES: [&str; 3] = ["", "micropython", "pyodide"];

/// How many workers the concurrency figure boots at once.
const CONCURRENT: usize = 4;

/// How long the bench waits for a boot page (its own limit is 240 s).
const BOOT_WAIT: Duration = Duration::from_secs(300);

/// How long the bench waits for a task page (import, memory, CPU; its own limit is 900 s).
const TASK_WAIT: Duration = Duration::from_secs(960);

/// The modules of the import section.
const IMPORTS: [&str; 6] = ["json", "re", "datetime", "csv", "pathlib", "logging"];

/// The CPU cases: key in the page's result (cpu.py's run_all()) and label.
const CPU_CASES: [(&str, &str); 7] = [
    ("fib", "CPU: recursive fib(25)"),
    ("loop", "CPU: 10^6-iteration arithmetic loop"),
    ("strings", "CPU: string building, join, split"),
    ("churn", "CPU: dict/list churn"),
    ("json_dumps", "CPU: json.dumps of ~1 MB"),
    ("json_loads", "CPU: json.loads of ~1 MB"),
    ("regex", "CPU: regex scan of 20,000 lines"),
];

/// How long the boot server lets the browser cache a file (the warm loads use it).
const MAX_AGE: u32 = 3600;

/// Marks the generated part of `BENCHMARKS.md`.
const BEGIN_MARKER: &str = "<!-- bench:begin -->";
/// See [`BEGIN_MARKER`].
const END_MARKER: &str = "<!-- bench:end -->";

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

/// The relay's floor: a worker's synchronous XHR that a service worker answers at once.
const RELAY_RAW_PAGE: &str = "/bench/relay-raw.html?mode=relay";

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

/// The interrupt cases: key in the pages' results (`tests/pages/bench/interrupt.html`,
/// `interrupt-pyodide.html`; the functions of `interrupt-loops.py`), label, and whether
/// Pyodide's page runs it too (the loops that never wait; see `INTERRUPT_CASES` in
/// `bench.js`).
const INTERRUPT_CASES: [(&str, &str, bool); 7] = [
    ("nap", "time.sleep(600)", false),
    ("chatty", "while True: sys.stdout.write(\"\")", false),
    ("spin", "while True: pass", true),
    ("count", "for i in range(10**12): x = i * i", true),
    ("recurse", "branching recursion, depth 60", true),
    ("comprehension", "[i * i for i in range(10**12)]", true),
    ("in_exec", "while True: pass in an exec'd function", true),
];

/// The DOM cases: key in the page's result (see `tests/pages/bench/bench.js`), label, and
/// the key of the PyScript figure rustpy's is compared with.
const DOM_CASES: [(&str, &str, &str); 6] = [
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
    (
        "table_first",
        "1000-row table, first full-size call, per row",
        "table_first",
    ),
    (
        "table_batch_first",
        "1000-row table in batch(), first full-size call, per row",
        "table_first",
    ),
];

/// One line of the summary table: a metric with, per contender (in [`CONTENDERS`] order),
/// its runs' figures (`None`: not measured for that contender; empty: it did not run).
struct Row {
    metric: String,
    unit: &'static str,
    values: [Option<Vec<f64>>; 3],
    note: String,
}

impl Row {
    /// A row with the same kind of figure for all three contenders.
    fn new(metric: impl Into<String>, unit: &'static str, values: [Vec<f64>; 3]) -> Self {
        Self {
            metric: metric.into(),
            unit,
            values: values.map(Some),
            note: String::new(),
        }
    }

    fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// rustpy / the best (lowest) peer median, and which peer that is.
    fn ratio(&self) -> String {
        let rustpy = self.values[0].as_deref().map_or(f64::NAN, median);
        let mut best: Option<(f64, &str)> = None;
        for (index, values) in self.values.iter().enumerate().skip(1) {
            let value = values.as_deref().map_or(f64::NAN, median);
            if value.is_finite() && best.is_none_or(|(b, _)| value < b) {
                best = Some((value, CONTENDERS[index].trim_start_matches("PyScript + ")));
            }
        }
        match best {
            Some((peer, name)) if (rustpy / peer).is_finite() => {
                format!("{} (vs {name})", ratio(rustpy, peer))
            }
            _ => "n/a".to_string(),
        }
    }
}

/// A section's outcome: its detailed report and its lines of the summary table.
struct Section {
    report: String,
    rows: Vec<Row>,
}

/// A number for a table cell: one decimal below 1000, none above, thousands separated.
fn number(value: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_string();
    }
    // No "-0.0".
    let value = if value == 0.0 { 0.0 } else { value };
    let text = if value.abs() < 1000.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A summary cell: `median (min–max)`, `not run`, or `—` where not measured.
fn cell(values: Option<&[f64]>) -> String {
    match values {
        None => "—".to_string(),
        Some([]) => "not run".to_string(),
        Some([one]) => number(*one),
        Some(values) => {
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!(
                "{} ({}–{})",
                number(median(values)),
                number(min),
                number(max)
            )
        }
    }
}

/// The summary table (Markdown) of `rows`, with the notes under it.
fn summary_table(rows: &[Row]) -> String {
    let mut table = format!(
        "| metric | {} | {} | {} | rustpy / best peer |\n| --- | ---: | ---: | ---: | ---: |\n",
        CONTENDERS[0], CONTENDERS[1], CONTENDERS[2]
    );
    let mut notes = String::new();
    for row in rows {
        let mut metric = format!("{} ({})", row.metric, row.unit);
        if !row.note.is_empty() {
            let mark = notes.lines().count() + 1;
            metric += &format!(" [{mark}]");
            let _ = writeln!(notes, "[{mark}] {}", row.note);
        }
        let cells = row.values.iter().map(|v| cell(v.as_deref()));
        let cells: Vec<String> = cells.collect();
        let _ = writeln!(
            table,
            "| {metric} | {} | {} |",
            cells.join(" | "),
            row.ratio()
        );
    }
    if !notes.is_empty() {
        table += "\n";
        for line in notes.lines() {
            let _ = writeln!(table, "{line}  ");
        }
    }
    table
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

/// Opens each of `pages` (name, URL) selected by `only` `rounds` times, alternating in an
/// order that turns by one page a round (each after a blank page and a pause,
/// [`settle_between_pages`]), and waits (at most `wait`) for
/// its `window.benchResult`. Returns per page the results that
/// are not `{ error }` (none for a page left out); failures and timeouts are reported on
/// stderr, never fatal.
async fn run_rounds(
    browser: &Browser,
    section: &str,
    pages: &[(String, String)],
    (rounds, wait, only): (usize, Duration, Only<'_>),
) -> Result<Vec<Vec<Value>>, BoxError> {
    let mut results = vec![Vec::new(); pages.len()];
    for round in 1..=rounds {
        // Each round starts one page later, so every contender takes every place in the
        // order equally often over a multiple of `pages.len()` rounds (the first page of a
        // round ran measurably slower).
        let order: Vec<usize> = (0..pages.len())
            .map(|place| (place + round - 1) % pages.len())
            .collect();
        for index in order {
            let (name, url) = &pages[index];
            if !only.selects(name) {
                continue;
            }
            settle_between_pages(browser, url).await?;
            let page = browser.open(url).await?;
            let prefix = format!("{section} round {round}/{rounds} {name}");
            match page.wait_for_quietly("window.benchResult", wait).await {
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

/// How long the browser idles on a blank page before each benchmark page.
const SETTLE: Duration = Duration::from_secs(2);

/// Leaves the previous page for a blank one on the origin of `next` and waits [`SETTLE`]: a
/// page's workers and memory are torn down after it is left, and without the pause that
/// work ran into the next page's timings (rustpy's pages came right after Pyodide's in every
/// round). The blank page is on the next page's origin, not `about:blank`: leaving for
/// `about:blank` gave every page a fresh renderer process, whose compiled code starts cold
/// (rustpy's `sync.add` 93–123 µs that way against 38–66 µs).
async fn settle_between_pages(browser: &Browser, next: &str) -> Result<(), BoxError> {
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
) -> Result<Section, BoxError> {
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
    let per_contender =
        |key: &str| -> [Vec<f64>; 3] { [1, 2, 3].map(|page| figures(&results[page], key)) };
    let rows = vec![
        Row::new(
            "worker->page blocking sync.add, per call (N=2000)",
            "µs",
            per_contender("syncMicros"),
        )
        .with_note(format!(
            "raw JS floor (postMessage + Atomics, no interpreter): {} µs",
            number(medians[0].0)
        )),
        Row::new(
            "page->worker await ping, per call (N=500)",
            "µs",
            per_contender("pingMicros"),
        )
        .with_note(format!("raw JS floor: {} µs", number(medians[0].1))),
    ];
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
    Ok(Section { report, rows })
}

/// The DOM section: runs it and returns its report.
async fn dom(browser: &Browser, server: &TestServer, only: Only<'_>) -> Result<Section, BoxError> {
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
                if page == 0 || !key.starts_with("table_batch") {
                    report += &did_not_run(&format!("{name}: {label}"));
                }
                continue;
            }
            medians[page][case] = median(&values);
            report += &summary(&format!("{name}: {label}"), "µs", &values);
        }
        report += &full_size_calls(name, page_results);
    }
    let mut rows = Vec::new();
    for (key, label, peer_key) in DOM_CASES {
        let values = [
            figures(&results[0], key),
            figures(&results[1], peer_key),
            figures(&results[2], peer_key),
        ];
        let row = Row::new(format!("DOM from a worker: {label}"), "µs", values);
        rows.push(if key == peer_key {
            row
        } else {
            row.with_note("the peers have no batch(): their figure is the unbatched table")
        });
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
    Ok(Section { report, rows })
}

/// How many full-size calls each DOM case of a contender made per round (`calls` in the
/// page's result; see `DOM_WARM_UP_MS` in `bench.js`), as a report line.
fn full_size_calls(name: &str, results: &[Value]) -> String {
    let mut line = format!("{name}: full-size calls per round:");
    let cases = DOM_CASES
        .iter()
        .filter(|(key, ..)| !key.ends_with("_first"));
    for (key, ..) in cases {
        let counts: Vec<String> = results
            .iter()
            .filter_map(|result| result["calls"][key].as_u64())
            .map(|count| count.to_string())
            .collect();
        if !counts.is_empty() {
            let _ = write!(line, " {key} {}", counts.join("/"));
        }
    }
    line + "\n"
}

/// The servers of the relay section: the isolated one, rustpy's relay origin, PyScript's
/// relay origin and the raw floor's (the last three without isolation headers). One origin
/// each because service workers clash: rustpy-sw.js's scope (`/`) covers `/bench/`, and
/// sabayon, finding that registration, unregisters it and reloads the page.
struct RelayServers<'a> {
    isolated: &'a TestServer,
    rustpy: &'a TestServer,
    pyscript: &'a TestServer,
    raw: &'a TestServer,
}

/// The relay section: runs it and returns its report.
async fn relay(
    browser: &Browser,
    servers: &RelayServers<'_>,
    only: Only<'_>,
) -> Result<Section, BoxError> {
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
    let raw_name = "raw floor: a synchronous XHR a service worker answers at once";
    pages.push((raw_name.to_string(), servers.raw.url(RELAY_RAW_PAGE)));
    let limits = (RELAY_ROUNDS, RELAY_WAIT, only);
    let results = run_rounds(browser, "relay", &pages, limits).await?;
    let mut report = format!(
        "service-worker relay vs shared memory: worker->page sync.add (N=500), per call, \
         {RELAY_ROUNDS} alternating rounds in one browser\n"
    );
    // medians[contender][mode]; NaN where it did not run.
    let mut medians = vec![[f64::NAN; RELAY_MODES.len()]; RELAY_PAGES.len()];
    let raw_floor = median(&figures(&results[pages.len() - 1], "syncMicros"));
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
        if index < RELAY_PAGES.len() * RELAY_MODES.len() {
            medians[index / RELAY_MODES.len()][index % RELAY_MODES.len()] = median(&values);
        }
        report += &summary(name, "µs", &values);
    }
    let rows = RELAY_MODES
        .iter()
        .enumerate()
        .map(|(mode, (_, label, _))| {
            let values =
                [0, 1, 2].map(|c| figures(&results[c * RELAY_MODES.len() + mode], "syncMicros"));
            let row = Row::new(format!("sync.add per call, {label} (N=500)"), "µs", values);
            if mode == 1 {
                row.with_note(format!(
                    "raw floor (a worker's synchronous XHR that a service worker answers at \
                     once: no page, no interpreter): {} µs",
                    number(raw_floor)
                ))
            } else {
                row
            }
        })
        .collect();
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
        "  relay: rustpy / best PyScript = {}   rustpy / raw floor = {}   best PyScript / raw floor = {}",
        ratio(medians[0][1], best_peer),
        ratio(medians[0][1], raw_floor),
        ratio(best_peer, raw_floor)
    )?;
    Ok(Section { report, rows })
}

/// The interrupt section: rustpy's `worker.interrupt()` and, for the loops that never
/// wait, Pyodide's interrupt buffer in a plain Pyodide worker, in the same run; returns
/// its report.
async fn interrupt(
    browser: &Browser,
    server: &TestServer,
    only: Only<'_>,
) -> Result<Section, BoxError> {
    let mut report = String::from(
        "interrupt latency: the interrupt sent -> the page hears the loop's KeyboardInterrupt \
         (rustpy: worker.interrupt() -> the pending export's rejection; Pyodide: SIGINT in \
         its interrupt buffer -> the worker's message), each call entered first, isolated \
         page, one worker; median and p95 of 20\n",
    );
    let mut results = [Value::Null, Value::Null, Value::Null];
    for (index, path) in [
        (0, "/bench/interrupt.html"),
        (2, "/bench/interrupt-pyodide.html"),
    ] {
        let name = CONTENDERS[index];
        if !only.selects(name) {
            report += &skipped(name);
            continue;
        }
        let page = browser.open(&server.url(path)).await?;
        results[index] = match page
            .wait_for_quietly("window.benchResult", INTERRUPT_WAIT)
            .await
        {
            Ok(result) => result,
            Err(error) => {
                eprintln!("interrupt {name}: FAILED: {}", brief(&error.to_string()));
                Value::Null
            }
        };
        if let Some(error) = results[index].get("error") {
            eprintln!(
                "interrupt {name}: FAILED: {}",
                brief(error.as_str().unwrap_or_default())
            );
        }
    }
    let mut rows = Vec::new();
    for (key, label, pyodide_too) in INTERRUPT_CASES {
        let mut values: [Option<Vec<f64>>; 3] = [None, None, None];
        for index in [0, 2] {
            if index == 2 && !pyodide_too {
                continue;
            }
            let name = CONTENDERS[index];
            let line = format!("{name}: interrupt in {label}");
            let runs: Vec<f64> = results[index][key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_f64)
                .collect();
            if runs.is_empty() {
                report += &did_not_run(&line);
            } else {
                let shown: Vec<String> = runs.iter().map(|v| format!("{v:.0}")).collect();
                eprintln!("interrupt {name} {key}: {} µs", shown.join(", "));
                report += &summary(&line, "µs", &runs);
                report += &format!("{:<60} p95 {:>9.1} µs\n", "", percentile(&runs, 0.95));
            }
            if let Some(lost) = results[index]["lost"][key].as_u64() {
                report += &format!(
                    "{:<60} {lost} run(s) lost: the interrupt was not taken within 10 s \
                     (sent again, not timed)\n",
                    ""
                );
            }
            values[index] = Some(runs);
        }
        rows.push(Row {
            metric: format!("interrupt latency, {label} (20 runs)"),
            unit: "µs",
            values,
            note: if pyodide_too {
                "the Pyodide figure is Pyodide's own interrupt buffer in a plain Pyodide \
                 worker (PyScript offers no interrupt); MicroPython has none"
                    .into()
            } else {
                String::new()
            },
        });
    }
    Ok(Section { report, rows })
}

/// Rounds of the interrupt-cost section: a multiple of its three contenders, so each takes
/// each place in the order twice.
const COST_ROUNDS: usize = 6;

/// The interrupt-cost section: cpu.py's cases in rustpy workers with the default interrupt
/// checks (the rewrite of the user's code), with the `sys.monitoring` checks
/// (`config: {interrupts: "everywhere"}`) and without (`config: {interrupts: false}`),
/// alternating within each of [`COST_ROUNDS`] rounds; reports each case's medians, the ratios to
/// no checks, their geometric means and the worst. Rustpy against itself: no rows for the
/// summary table.
async fn interrupt_cost(
    browser: &Browser,
    server: &TestServer,
    only: Only<'_>,
) -> Result<Section, BoxError> {
    let pages = [
        ("rustpy", "/bench/tasks-rustpy.html?task=cpu"),
        (
            "rustpy, interrupts everywhere",
            "/bench/tasks-rustpy.html?task=cpu&interrupts=everywhere",
        ),
        (
            "rustpy, interrupts off",
            "/bench/tasks-rustpy.html?task=cpu&interrupts=off",
        ),
    ]
    .map(|(name, path)| (name.to_string(), server.url(path)));
    let mut report = format!(
        "interrupt cost: tests/pages/bench/cpu.py in a fresh rustpy worker with the default \
         interrupt checks (user code), with interrupts: \"everywhere\" (sys.monitoring) and \
         without (interrupts: false), {COST_ROUNDS} rounds, each starting one page later; ratios of medians to no checks\n"
    );
    if !only.selects("rustpy") {
        report += &skipped("rustpy");
        return Ok(Section {
            report,
            rows: Vec::new(),
        });
    }
    let results = run_rounds(
        browser,
        "interrupt cost",
        &pages,
        (COST_ROUNDS, TASK_WAIT, only),
    )
    .await?;
    let mut ratios: [Vec<f64>; 2] = Default::default();
    for (key, label) in CPU_CASES {
        let [user, everywhere, off] = [0, 1, 2].map(|index| {
            results[index]
                .iter()
                .filter_map(|r| r["cpu"][key].as_f64())
                .collect::<Vec<f64>>()
        });
        if user.is_empty() || everywhere.is_empty() || off.is_empty() {
            report += &did_not_run(&format!("interrupt cost: {label}"));
            continue;
        }
        let ratio = [
            median(&user) / median(&off),
            median(&everywhere) / median(&off),
        ];
        ratios[0].push(ratio[0]);
        ratios[1].push(ratio[1]);
        let _ = writeln!(
            report,
            "{label:<40} user code {:>8.1} ms (n={}) {:.3}x  everywhere {:>8.1} ms (n={}) \
             {:.3}x  off {:>8.1} ms (n={})",
            median(&user),
            user.len(),
            ratio[0],
            median(&everywhere),
            everywhere.len(),
            ratio[1],
            median(&off),
            off.len()
        );
    }
    for (checks, ratios) in ["user code (default)", "everywhere"].iter().zip(&ratios) {
        if ratios.is_empty() {
            continue;
        }
        let geomean = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
        let worst = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let _ = writeln!(
            report,
            "interrupt checks in {checks}: geometric mean {geomean:.3}x, worst {worst:.3}x"
        );
    }
    Ok(Section {
        report,
        rows: Vec::new(),
    })
}

/// The `q` quantile of `values` (0 to 1; nearest rank), NaN when empty.
fn percentile(values: &[f64], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

/// The folders the servers serve, to find a served file on disk.
struct Files {
    /// `tests/pages`, served at `/`.
    pages: PathBuf,
    /// The `dist/rustpy/` served at `/rustpy/` (with its `.br` / `.gz` files).
    dist: PathBuf,
    /// The peers' `node_modules` served at `/node_modules/` (with `.br` / `.gz` files).
    peers: PathBuf,
}

impl Files {
    /// The file on disk a request `path` was answered from, if it is one of ours.
    fn file(&self, path: &str) -> Option<PathBuf> {
        let relative = |prefix: &str| path.strip_prefix(prefix).map(str::to_string);
        let file = if let Some(rest) = relative("/rustpy/") {
            self.dist.join(rest)
        } else if let Some(rest) = relative("/node_modules/") {
            self.peers.join(rest)
        } else {
            self.pages.join(path.trim_start_matches('/'))
        };
        file.is_file().then_some(file)
    }
}

/// The URL path of contender `index`'s boot page with `workers` worker tags.
fn boot_page(index: usize, workers: usize) -> String {
    match index {
        0 => format!("/bench/boot-rustpy.html?n={workers}"),
        _ => format!(
            "/bench/boot-pyscript.html?type={}&n={workers}",
            PEER_TYPES[index]
        ),
    }
}

/// The URL path of contender `index`'s task page with `query` (`task=...`).
fn task_page(index: usize, query: &str) -> String {
    match index {
        0 => format!("/bench/tasks-rustpy.html?{query}"),
        _ => format!(
            "/bench/tasks-pyscript.html?type={}&{query}",
            PEER_TYPES[index]
        ),
    }
}

/// Opens a boot page and returns navigation start → the last worker's first statement, ms.
async fn boot_ms(browser: &Browser, url: &str, workers: usize) -> Result<f64, BoxError> {
    let page = browser.open(url).await?;
    let result = page
        .wait_for_quietly("window.benchResult", BOOT_WAIT)
        .await?;
    if let Some(error) = result.get("error") {
        return Err(brief(error.as_str().unwrap_or_default()).into());
    }
    let origin = result["origin"]
        .as_f64()
        .ok_or("the boot page published no origin")?;
    let stamps = figures_in(&result["stamps"]);
    if stamps.len() < workers {
        return Err(format!("{} stamps for {workers} workers", stamps.len()).into());
    }
    let last = stamps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(last - origin)
}

/// The numbers of a JSON array.
fn figures_in(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64)
        .collect()
}

/// Waits until the server's byte counts stop moving (a worker may still be fetching when
/// its first statement runs), at most 5 s; returns the last snapshot.
async fn settled(server: &TestServer) -> BTreeMap<String, Served> {
    let total = |s: &BTreeMap<String, Served>| -> Vec<(u64, u64)> {
        s.values().map(|v| (v.bytes, v.responses)).collect()
    };
    let mut last = server.bytes_served();
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = server.bytes_served();
        if total(&now) == total(&last) {
            return now;
        }
        last = now;
    }
    last
}

/// The sum of body bytes in a snapshot.
fn total_bytes(served: &BTreeMap<String, Served>) -> f64 {
    served.values().map(|s| s.bytes).sum::<u64>() as f64
}

/// One boot run of one contender, in a fresh browser.
struct BootRun {
    cold: f64,
    warm: f64,
    concurrent: f64,
    cold_served: BTreeMap<String, Served>,
    warm_served: BTreeMap<String, Served>,
}

async fn boot_run(server: &TestServer, index: usize) -> Result<BootRun, BoxError> {
    let browser = Browser::start().await?;
    let single = server.url(&boot_page(index, 1));
    server.reset_bytes_served();
    let cold = boot_ms(&browser, &single, 1).await?;
    let cold_served = settled(server).await;
    server.reset_bytes_served();
    let warm = boot_ms(&browser, &single, 1).await?;
    let warm_served = settled(server).await;
    let several = server.url(&boot_page(index, CONCURRENT));
    let concurrent = boot_ms(&browser, &several, CONCURRENT).await?;
    browser.close().await?;
    Ok(BootRun {
        cold,
        warm,
        concurrent,
        cold_served,
        warm_served,
    })
}

/// Raw, gzip -9 and brotli -11 sizes of the files of a snapshot (those found on disk; the
/// `.gz` / `.br` next to a file when there is one, else compressed here).
fn offline_sizes(files: &Files, served: &BTreeMap<String, Served>) -> [u64; 3] {
    let mut sizes = [0; 3];
    for path in served.keys() {
        let Some(file) = files.file(path) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        let variant = |extension: &str, compress: fn(&[u8]) -> std::io::Result<Vec<u8>>| {
            std::fs::metadata(precompress::with_appended_extension(&file, extension))
                .map(|m| m.len())
                .or_else(|_| compress(&bytes).map(|c| c.len() as u64))
                .unwrap_or(bytes.len() as u64)
        };
        sizes[0] += bytes.len() as u64;
        sizes[1] += variant("gz", precompress::gzip_best);
        sizes[2] += variant("br", precompress::brotli_best);
    }
    sizes
}

/// Groups a snapshot by origin of the files (`/rustpy/`, each `/node_modules/` package,
/// the bench's own pages): `group: bytes as sent (encodings)`, and the `Accept-Encoding`
/// values the browser sent.
fn breakdown(served: &BTreeMap<String, Served>) -> (String, BTreeSet<String>) {
    let mut groups: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    let mut accepted = BTreeSet::new();
    for (path, entry) in served {
        let group = if let Some(rest) = path.strip_prefix("/node_modules/") {
            let mut parts = rest.split('/');
            let first = parts.next().unwrap_or_default();
            let package = if first.starts_with('@') {
                format!("{first}/{}", parts.next().unwrap_or_default())
            } else {
                first.to_string()
            };
            format!("/node_modules/{package}/")
        } else if path.starts_with("/rustpy/") {
            "/rustpy/".to_string()
        } else {
            "pages".to_string()
        };
        let slot = groups.entry(group).or_default();
        slot.0 += entry.bytes;
        let encoding = match entry.content_encoding.as_str() {
            "" => "identity",
            other => other,
        };
        if entry.bytes > 0 {
            slot.1.insert(encoding.to_string());
        }
        if !entry.accept_encoding.is_empty() {
            accepted.insert(entry.accept_encoding.clone());
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(group, (bytes, encodings))| {
            let encodings: Vec<&str> = encodings.iter().map(String::as_str).collect();
            format!(
                "{group} {} B ({})",
                number(*bytes as f64),
                encodings.join("+")
            )
        })
        .collect();
    (parts.join(", "), accepted)
}

/// The boot section (boot times, concurrency, bytes): runs it and returns its report.
async fn boot(server: &TestServer, files: &Files, only: Only<'_>) -> Result<Section, BoxError> {
    let mut cold: [Vec<f64>; 3] = Default::default();
    let mut warm: [Vec<f64>; 3] = Default::default();
    let mut concurrent: [Vec<f64>; 3] = Default::default();
    let mut per_one: [Vec<f64>; 3] = Default::default();
    let mut cold_bytes: [Vec<f64>; 3] = Default::default();
    let mut warm_bytes: [Vec<f64>; 3] = Default::default();
    let mut last_cold: [Option<BTreeMap<String, Served>>; 3] = Default::default();
    for run in 1..=RUNS {
        for (index, name) in CONTENDERS.iter().enumerate() {
            if !only.selects(name) {
                continue;
            }
            let prefix = format!("boot run {run}/{RUNS} {name}");
            match boot_run(server, index).await {
                Ok(figures) => {
                    eprintln!(
                        "{prefix}: cold {:.1} ms, warm {:.1} ms, {CONCURRENT} at once {:.1} ms, \
                         {} B cold, {} B warm",
                        figures.cold,
                        figures.warm,
                        figures.concurrent,
                        total_bytes(&figures.cold_served),
                        total_bytes(&figures.warm_served)
                    );
                    cold[index].push(figures.cold);
                    warm[index].push(figures.warm);
                    concurrent[index].push(figures.concurrent);
                    per_one[index].push(figures.concurrent / figures.warm);
                    cold_bytes[index].push(total_bytes(&figures.cold_served) / 1000.0);
                    warm_bytes[index].push(total_bytes(&figures.warm_served) / 1000.0);
                    last_cold[index] = Some(figures.cold_served);
                }
                Err(error) => eprintln!("{prefix}: FAILED: {}", brief(&error.to_string())),
            }
        }
    }
    let mut report = format!(
        "boot: navigation -> a worker's first statement, {RUNS} runs, a fresh browser per \
         contender and run (cold), then the page again (warm, files from the HTTP cache: \
         max-age={MAX_AGE}), then {CONCURRENT} worker tags at once (warm)\n"
    );
    let mut offline: [Vec<f64>; 3] = Default::default();
    let mut raw: [Vec<f64>; 3] = Default::default();
    let mut gzipped: [Vec<f64>; 3] = Default::default();
    let mut accepted = BTreeSet::new();
    for (index, name) in CONTENDERS.iter().enumerate() {
        if !only.selects(name) {
            report += &skipped(name);
            continue;
        }
        if cold[index].is_empty() {
            report += &did_not_run(name);
            continue;
        }
        report += &summary(&format!("{name}: boot, cold"), "ms", &cold[index]);
        report += &summary(&format!("{name}: boot, warm"), "ms", &warm[index]);
        report += &summary(
            &format!("{name}: {CONCURRENT} workers at once, warm"),
            "ms",
            &concurrent[index],
        );
        report += &summary(
            &format!("{name}: bytes sent, cold load"),
            "KB",
            &cold_bytes[index],
        );
        report += &summary(
            &format!("{name}: bytes sent, warm load"),
            "KB",
            &warm_bytes[index],
        );
        if let Some(served) = &last_cold[index] {
            let (parts, accept) = breakdown(served);
            accepted.extend(accept);
            let [r, g, b] = offline_sizes(files, served);
            writeln!(report, "  {name}, cold load (last run): {parts}")?;
            writeln!(
                report,
                "  {name}, the same files offline: raw {} B, gzip -9 {} B, brotli -11 {} B",
                number(r as f64),
                number(g as f64),
                number(b as f64)
            )?;
            raw[index].push(r as f64 / 1000.0);
            gzipped[index].push(g as f64 / 1000.0);
            offline[index].push(b as f64 / 1000.0);
        }
    }
    let accepted: Vec<String> = accepted.into_iter().collect();
    writeln!(
        report,
        "  Accept-Encoding sent by the browser (http://127.0.0.1): {}",
        accepted.join(" | ")
    )?;
    let rows = vec![
        Row::new("boot to first statement, cold", "ms", cold),
        Row::new("boot to first statement, warm", "ms", warm),
        Row::new(
            format!("{CONCURRENT} workers booting at once, warm, to the last"),
            "ms",
            concurrent,
        ),
        Row::new(
            format!("{CONCURRENT} workers at once / 1 worker"),
            "×",
            per_one,
        ),
        Row::new(
            "bytes sent for a bare worker, cold, as served",
            "KB",
            cold_bytes,
        )
        .with_note(format!(
            "response bodies counted by the test server, compressed as sent; the browser \
                 sent `Accept-Encoding: {}` and every file has a brotli -11 and a gzip -9 \
                 variant (see the boot section for the split per folder)",
            accepted.join(" | ")
        )),
        Row::new("the same files, brotli -11 (offline)", "KB", offline),
        Row::new("the same files, gzip -9 (offline)", "KB", gzipped),
        Row::new("the same files, uncompressed", "KB", raw),
        Row::new("bytes sent for a bare worker, warm", "KB", warm_bytes),
    ];
    Ok(Section { report, rows })
}

/// The import section: the first `import NAME` in a fresh worker, per module.
async fn imports(
    browser: &Browser,
    server: &TestServer,
    only: Only<'_>,
) -> Result<Section, BoxError> {
    let mut pages = Vec::new();
    for (index, name) in CONTENDERS.iter().enumerate() {
        for module in IMPORTS {
            let url = server.url(&task_page(index, &format!("task=import&module={module}")));
            pages.push((format!("{name}: first import {module}"), url));
        }
    }
    let results = run_rounds(browser, "imports", &pages, (RUNS, TASK_WAIT, only)).await?;
    let mut report = format!(
        "imports: the first `import NAME` of a fresh worker (one page and worker per import), \
         timed in the worker, {RUNS} alternating rounds\n"
    );
    let mut rows = Vec::new();
    for (number, module) in IMPORTS.iter().enumerate() {
        let mut values: [Vec<f64>; 3] = Default::default();
        for (index, slot) in values.iter_mut().enumerate() {
            let at = index * IMPORTS.len() + number;
            let (name, _) = &pages[at];
            *slot = figures(&results[at], "importMs");
            report += &line(name, only.selects(name), "ms", slot);
        }
        rows.push(Row::new(
            format!("first `import {module}` in a worker"),
            "ms",
            values,
        ));
    }
    Ok(Section { report, rows })
}

/// A section line: skipped, did not run, or the summary of `values`.
fn line(name: &str, selected: bool, unit: &str, values: &[f64]) -> String {
    if !selected {
        skipped(name)
    } else if values.is_empty() {
        did_not_run(name)
    } else {
        summary(name, unit, values)
    }
}

/// The memory section: the wasm memory of a booted worker, reported from inside it.
async fn memory(
    browser: &Browser,
    server: &TestServer,
    only: Only<'_>,
) -> Result<Section, BoxError> {
    let pages: Vec<(String, String)> = CONTENDERS
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let url = server.url(&task_page(index, "task=memory"));
            (format!("{name}: wasm memory"), url)
        })
        .collect();
    let results = run_rounds(browser, "memory", &pages, (RUNS, TASK_WAIT, only)).await?;
    let mut report = format!(
        "memory: the size of the worker's wasm memories once it answered a ping \
         (tests/pages/bench/wasm-memory-hook.js, loaded first in the worker, records every \
         WebAssembly.Memory; worker-memory.js), {RUNS} alternating rounds\n"
    );
    let mut values: [Vec<f64>; 3] = Default::default();
    for (index, (name, _)) in pages.iter().enumerate() {
        values[index] = figures(&results[index], "wasmBytes")
            .into_iter()
            .map(|bytes| bytes / 1e6)
            .collect();
        report += &line(name, only.selects(name), "MB", &values[index]);
        if let Some(last) = results[index].last() {
            writeln!(report, "  {name}: {} memories", last["memories"])?;
        }
    }
    let rows = vec![
        Row::new("wasm memory of a booted worker", "MB", values).with_note(
            "the byteLength of every WebAssembly.Memory of the worker, recorded by a hook the \
         page loads first in each worker. performance.measureUserAgentSpecificMemory() was \
         tried and dropped: Chromium attributes only the worker's JS heap to it (1.5 MB for \
         rustpy), not its wasm memory, and takes 13-19 s per measurement headless",
        ),
    ];
    Ok(Section { report, rows })
}

/// The CPU section: cpu.py's cases in a worker, timed inside the worker.
async fn cpu(browser: &Browser, server: &TestServer, only: Only<'_>) -> Result<Section, BoxError> {
    let pages: Vec<(String, String)> = CONTENDERS
        .iter()
        .enumerate()
        .map(|(index, name)| (name.to_string(), server.url(&task_page(index, "task=cpu"))))
        .collect();
    let results = run_rounds(browser, "CPU", &pages, (RUNS, TASK_WAIT, only)).await?;
    let mut report = format!(
        "CPU: tests/pages/bench/cpu.py in a fresh worker per round, each case timed in the \
         worker, {RUNS} alternating rounds\n"
    );
    let mut rows = Vec::new();
    for (key, label) in CPU_CASES {
        let mut values: [Vec<f64>; 3] = Default::default();
        for (index, name) in CONTENDERS.iter().enumerate() {
            values[index] = results[index]
                .iter()
                .filter_map(|r| r["cpu"][key].as_f64())
                .collect();
            report += &line(
                &format!("{name}: {label}"),
                only.selects(name),
                "ms",
                &values[index],
            );
        }
        rows.push(Row::new(label, "ms", values));
    }
    Ok(Section { report, rows })
}

/// Copies `source` into `copy` (only the files that changed) and writes a brotli -11
/// `X.br` and a gzip -9 `X.gz` next to every copied file of 1 KiB or more, for
/// `ServeDir::precompressed_br().precompressed_gzip()`: the peers' npm packages (and a
/// `dist/rustpy/` without them) are then served compressed exactly like rustpy's
/// precompressed `dist/`, at no compression cost per request. (tower-http's on-the-fly
/// `CompressionLayer` would compress each response again while the browser waits, at a
/// lower level for speed, slowing the peers' boot and sending them more bytes.) The copies
/// come from `rustpy_precompress`, as `cargo xtask dist`'s do, through its content cache
/// `cache`. Returns how many files were (re)compressed.
fn precompressed_copy(source: &Path, copy: &Path, cache: &Path) -> Result<usize, BoxError> {
    let mut files = Vec::new();
    precompress::files_under(source, &mut files)?;
    let mut jobs = Vec::new();
    for file in files {
        let relative = file.strip_prefix(source)?;
        let target = copy.join(relative);
        let from = std::fs::metadata(&file)?;
        // A copy carries its source's modification time: any other time means another
        // source (e.g. `--dist` of a different build) or a changed one.
        let stale = match std::fs::metadata(&target) {
            Ok(to) => to.len() != from.len() || from.modified()? != to.modified()?,
            Err(_) => true,
        };
        if stale {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(&file, &target)?;
            std::fs::File::options()
                .write(true)
                .open(&target)?
                .set_modified(from.modified()?)?;
        }
        let missing = ["br", "gz"]
            .iter()
            .any(|extension| !precompress::with_appended_extension(&target, extension).is_file());
        if !precompress::is_compressed_copy(&file) && from.len() >= 1024 && (stale || missing) {
            jobs.push(target);
        }
    }
    let count = jobs.len();
    if count > 0 {
        eprintln!(
            "compressing {count} files of {} into {} (brotli -11, gzip -9; once)",
            source.display(),
            copy.display()
        );
    }
    precompress::precompress_files(jobs, cache)?;
    Ok(count)
}

/// The output of a command, trimmed (empty when it cannot run).
fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The version of the npm package at `folder` (its package.json), or `?`.
fn package_version(folder: &Path) -> String {
    std::fs::read_to_string(folder.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}

/// The generated part of BENCHMARKS.md: when, where, how, and the summary table.
fn generated_section(context: &[String], table: &str) -> String {
    let mut text = format!(
        "{BEGIN_MARKER}\n<!-- Written by tests/src/bin/bench.rs: edits here are overwritten. -->\n\n\
         ### Latest generated run\n\n"
    );
    for line in context {
        let _ = writeln!(text, "- {line}");
    }
    text += "\n";
    text += table;
    text += &format!("\n{END_MARKER}");
    text
}

/// Replaces the part of BENCHMARKS.md between the markers with `section` (the markers
/// included); without markers, inserts it before the first `## ` heading after the title.
fn write_benchmarks_md(path: &Path, section: &str) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(path)?;
    let updated = match (text.find(BEGIN_MARKER), text.find(END_MARKER)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{section}{}",
            &text[..begin],
            &text[end + END_MARKER.len()..]
        ),
        _ => {
            let at = text.find("\n## ").map_or(text.len(), |i| i + 1);
            format!("{}{section}\n\n{}", &text[..at], &text[at..])
        }
    };
    std::fs::write(path, updated)?;
    Ok(())
}

/// Which sections run: `--NAME-only` flags select; none selects every section.
struct Sections {
    boot: bool,
    imports: bool,
    memory: bool,
    cpu: bool,
    bridge: bool,
    dom: bool,
    relay: bool,
    interrupt: bool,
    interrupt_cost: bool,
    ffi: bool,
    all: bool,
}

impl Sections {
    fn from_args(args: &[String]) -> Self {
        let flag = |name: &str| args.iter().any(|a| a == name);
        let chosen = [
            flag("--boot-only"),
            flag("--imports-only"),
            flag("--memory-only"),
            flag("--cpu-only"),
            flag("--bridge-only"),
            flag("--dom-only"),
            flag("--relay-only"),
            flag("--interrupt-only"),
            flag("--interrupt-cost-only"),
            flag("--ffi-only"),
        ];
        let all = !chosen.contains(&true);
        let [
            boot,
            imports,
            memory,
            cpu,
            bridge,
            dom,
            relay,
            interrupt,
            interrupt_cost,
            ffi,
        ] = chosen.map(|only| all || only);
        Self {
            boot,
            imports,
            memory,
            cpu,
            bridge,
            dom,
            relay,
            interrupt,
            interrupt_cost,
            ffi,
            all,
        }
    }
}

/// The `dist/rustpy/` to serve: `dir` itself when it has its precompressed files (as
/// `cargo xtask dist` writes them), else a copy with them under the cache.
fn served_dist(dir: &Path, cache: &Path) -> Result<PathBuf, BoxError> {
    if precompress::with_appended_extension(&dir.join("rustpy_wasm_bg.wasm"), "br").is_file() {
        return Ok(dir.to_path_buf());
    }
    eprintln!(
        "warning: {} has no precompressed rustpy_wasm_bg.wasm.br: serving a copy compressed \
         by the bench instead",
        dir.display()
    );
    let copy = cache.join("bench/dist-rustpy");
    precompressed_copy(dir, &copy, &cache.join("compressed"))?;
    Ok(copy)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let root = rustpy_e2e::workspace_root();
    let node_modules = root.join("tests/bench/node_modules");
    if !node_modules.join("@pyscript/core").is_dir() {
        return Err(
            "tests/bench/node_modules is missing: `cargo xtask bench` installs it (npm ci)".into(),
        );
    }
    let args: Vec<String> = std::env::args().collect();
    let sections = Sections::from_args(&args);
    let only = match args.iter().position(|a| a == "--only") {
        Some(at) => Only(Some(
            args.get(at + 1)
                .ok_or("--only needs a contender name, e.g. `--only rustpy`")?,
        )),
        None => Only(None),
    };
    let dist_dir = match args.iter().position(|a| a == "--dist") {
        Some(at) => PathBuf::from(args.get(at + 1).ok_or("--dist needs a folder")?),
        None => root.join("dist/rustpy"),
    };
    if !dist_dir.join("rustpy.js").is_file() {
        return Err(format!(
            "{} is missing: build it first with `cargo xtask dist`",
            dist_dir.display()
        )
        .into());
    }
    let cache = std::env::var_os("RUSTPY_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/rustpy")))
        .ok_or("set RUSTPY_CACHE (or HOME)")?;
    let started_at = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let peers = cache.join("bench/node_modules");
    precompressed_copy(&node_modules, &peers, &cache.join("compressed"))?;
    let dist = served_dist(&dist_dir, &cache)?;
    let files = Files {
        pages: root.join("tests/pages"),
        dist: dist.clone(),
        peers: peers.clone(),
    };
    // The FFI section's generated JSON (not in the repository), served at /bench-data/.
    let data = cache.join("bench/data");
    let data_bytes = ffi::write_data(&data)?;
    let mounts = [
        ("/node_modules", peers.as_path()),
        (ffi::DATA_PREFIX, data.as_path()),
    ];
    let pages_dir = root.join("tests/pages");
    // The interpreter sections' server lets the browser cache files (warm loads); the
    // bridge, DOM, relay and interrupt sections keep the suite's no-store server.
    let cached = TestServer::start_configured(
        &pages_dir,
        &dist,
        ServerOptions {
            caching: Caching::MaxAge(MAX_AGE),
            ..ServerOptions::suite(Isolation::Isolated, &mounts)
        },
    )
    .await?;
    let server = TestServer::start_with(&pages_dir, &dist, Isolation::Isolated, &mounts).await?;
    // The report is printed in one piece at the end (progress goes to stderr meanwhile).
    let mut done = Vec::new();
    if sections.boot {
        done.push(boot(&cached, &files, only).await?);
    }
    let browser = Browser::start().await?;
    if sections.imports {
        done.push(imports(&browser, &cached, only).await?);
    }
    if sections.memory {
        done.push(memory(&browser, &cached, only).await?);
    }
    if sections.cpu {
        done.push(cpu(&browser, &cached, only).await?);
    }
    if sections.bridge {
        done.push(bridge(&browser, &server, only).await?);
    }
    if sections.dom {
        done.push(dom(&browser, &server, only).await?);
    }
    if sections.relay {
        let not_isolated = Isolation::NotIsolated;
        let rustpy = TestServer::start_with(&pages_dir, &dist, not_isolated, &mounts).await?;
        let pyscript = TestServer::start_with(&pages_dir, &dist, not_isolated, &mounts).await?;
        let raw = TestServer::start_with(&pages_dir, &dist, not_isolated, &mounts).await?;
        let servers = RelayServers {
            isolated: &server,
            rustpy: &rustpy,
            pyscript: &pyscript,
            raw: &raw,
        };
        done.push(relay(&browser, &servers, only).await?);
    }
    if sections.interrupt {
        done.push(interrupt(&browser, &server, only).await?);
    }
    if sections.interrupt_cost {
        done.push(interrupt_cost(&browser, &cached, only).await?);
    }
    if sections.ffi {
        // The no-store server: every timed fetch reaches the server, none the HTTP cache.
        done.push(ffi::ffi(&browser, &server, only, data_bytes).await?);
    }
    browser.close().await?;
    let mut reports = Vec::new();
    let mut rows = Vec::new();
    for section in done {
        reports.push(section.report);
        rows.extend(section.rows);
    }
    // A contender left out by `--only` is not "not run": it has no figures to show.
    for row in &mut rows {
        for (index, name) in CONTENDERS.iter().enumerate() {
            if !only.selects(name) {
                row.values[index] = None;
            }
        }
    }
    let table = summary_table(&rows);
    print!("{}", reports.join("\n"));
    println!("\nsummary: median (min–max) over the runs; ratio of the medians\n\n{table}");

    let shown_args: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let command = if shown_args.is_empty() {
        "cargo run --release -q -p rustpy-e2e --bin bench".to_string()
    } else {
        format!(
            "cargo run --release -q -p rustpy-e2e --bin bench -- {}",
            shown_args.join(" ")
        )
    };
    let commit = command_output(
        "git",
        &[
            "-C",
            &root.to_string_lossy(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    let dirty = !command_output(
        "git",
        &["-C", &root.to_string_lossy(), "status", "--porcelain"],
    )
    .is_empty();
    let load_after = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = |text: &str| {
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let context = vec![
        format!(
            "Date: {started_at} (start) to {} (end)",
            command_output("date", &["-u", "+%H:%M UTC"])
        ),
        format!(
            "Machine: `nproc` = {}; `uname -a`: `{}`; load average {} before, {} after",
            command_output("nproc", &[]),
            command_output("uname", &["-a"]),
            load(&load_before),
            load(&load_after)
        ),
        format!(
            "Browser: `{}`, headless, through WebDriver; pages on http://127.0.0.1 with \
             COOP/COEP/CORP headers",
            command_output(
                rustpy_e2e::browser::Engine::from_env()
                    .map_or(rustpy_e2e::browser::CHROMIUM, |e| e.browser_binary()),
                &["--version"]
            )
        ),
        format!(
            "Command (`export CARGO_TARGET_DIR=$HOME/.cache/rustpy/target \
             RUSTPY_CACHE=$HOME/.cache/rustpy` first): `{command}`"
        ),
        format!(
            "rustpy: `{}` (tree at `{commit}`{}), served from `{}`",
            dist_dir.display(),
            if dirty { " with local changes" } else { "" },
            dist.display()
        ),
        format!(
            "Peers: `@pyscript/core` {}, MicroPython `{}`, Pyodide `{}` (tests/bench), \
             precompressed copy in `{}`",
            package_version(&node_modules.join("@pyscript/core")),
            package_version(&node_modules.join("@micropython/micropython-webassembly-pyscript")),
            package_version(&node_modules.join("pyodide")),
            peers.display()
        ),
        format!(
            "Runs: boot, imports, memory, CPU {RUNS}; bridge {BRIDGE_ROUNDS}, DOM \
             {DOM_ROUNDS}, relay {RELAY_ROUNDS} rounds, FFI {RUNS}; interrupt 20 per case"
        ),
    ];
    if sections.all || args.iter().any(|a| a == "--write") {
        let path = root.join("BENCHMARKS.md");
        write_benchmarks_md(&path, &generated_section(&context, &table))?;
        eprintln!("wrote the summary into {}", path.display());
    }
    Ok(())
}
