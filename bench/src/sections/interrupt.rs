//! The interrupt section (`--interrupt-only`, one round): rustpy's `worker.interrupt()` →
//! the rejection of a pending export (`KeyboardInterrupt`), 20 runs each of an export in
//! `time.sleep(600)`, one looping on `sys.stdout.write("")` and loops that never wait
//! (`tests/pages/bench/interrupt-loops.py`), each call entered before it is interrupted;
//! Pyodide's interrupt buffer in a plain Pyodide worker on the same loops, on an isolated
//! page.

use std::time::Duration;

use serde_json::Value;

use crate::BoxError;
use crate::peers::CONTENDERS;
use crate::rounds::open_for_result;
use crate::stats::{Figures, percentile};
use crate::table::{Row, Section, did_not_run, skipped, summary};

use super::Ctx;

/// How long the bench waits for the interrupt page (its own limit is 240 s).
const INTERRUPT_WAIT: Duration = Duration::from_secs(300);

/// How many times each case is interrupted (`INTERRUPT_RUNS` in bench.js).
const INTERRUPT_RUNS: usize = 20;

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

/// The section's pages per contender (none for MicroPython), and their results.
#[derive(Default)]
pub struct Interrupt {
    results: [Option<Value>; 3],
    report: String,
}

impl Interrupt {
    /// Opens rustpy's and Pyodide's interrupt pages once each.
    pub async fn run(&mut self, ctx: &Ctx<'_>) -> Result<(), BoxError> {
        for (index, path) in [
            (0, "/bench/interrupt.html"),
            (2, "/bench/interrupt-pyodide.html"),
        ] {
            let name = CONTENDERS[index];
            if !ctx.only.selects(name) {
                self.report += &skipped(name);
                continue;
            }
            let url = ctx.server.url(path);
            self.results[index] = match open_for_result(ctx.browser, &url, INTERRUPT_WAIT).await {
                Ok(result) => Some(result),
                Err(error) => {
                    eprintln!("interrupt {name}: FAILED: {error}");
                    Some(Value::Null)
                }
            };
        }
        Ok(())
    }

    /// The section's report and rows.
    pub fn finish(self, _ctx: &Ctx<'_>) -> Section {
        let mut report = String::from(
            "interrupt latency: the interrupt sent -> the page hears the loop's \
             KeyboardInterrupt (rustpy: worker.interrupt() -> the pending export's rejection; \
             Pyodide: SIGINT in its interrupt buffer -> the worker's message), each call \
             entered first, isolated page, one worker; median and p95 of 20\n",
        );
        report += &self.report;
        let mut rows = Vec::new();
        for (key, label, pyodide_too) in INTERRUPT_CASES {
            let mut values: [Option<Figures>; 3] = [None, None, None];
            for index in [0, 2] {
                let Some(result) = &self.results[index] else {
                    continue;
                };
                if index == 2 && !pyodide_too {
                    continue;
                }
                let name = CONTENDERS[index];
                let line = format!("{name}: interrupt in {label}");
                let runs: Vec<f64> = result[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_f64)
                    .collect();
                let figures = Figures {
                    attempts: INTERRUPT_RUNS.max(runs.len()),
                    values: runs,
                };
                if figures.values.is_empty() {
                    report += &did_not_run(&line);
                } else {
                    report += &summary(&line, "µs", &figures);
                    report += &format!(
                        "{:<60} p95 {:>9.1} µs\n",
                        "",
                        percentile(&figures.values, 0.95)
                    );
                }
                if let Some(lost) = result["lost"][key].as_u64() {
                    report += &format!(
                        "{:<60} {lost} run(s) lost: the interrupt was not taken within 10 s \
                         (sent again, not timed)\n",
                        ""
                    );
                }
                values[index] = Some(figures);
            }
            let row = Row::some(
                format!("interrupt latency, {label} ({INTERRUPT_RUNS} runs)"),
                "µs",
                values,
            );
            rows.push(if pyodide_too {
                row.with_note(
                    "the Pyodide figure is Pyodide's own interrupt buffer in a plain Pyodide \
                     worker (PyScript offers no interrupt); MicroPython has none",
                )
            } else {
                row
            });
        }
        Section { report, rows }
    }
}
