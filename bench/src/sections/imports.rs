//! The import section (`--imports-only`): the first `import NAME` in a fresh worker, timed
//! inside the worker (`tasks-*.html?task=import`, `imp` in `tasks-worker.py`), which also
//! says whether the module was in `sys.modules` already.
//!
//! The rows compared are modules neither side imports while booting ([`SHARED`]): PyScript's
//! `pyscript` package imports `json` and `re` as it boots, so their first import in a
//! PyScript worker is a `sys.modules` hit whose cost is inside the boot figures; rustpy's
//! first `json` / `re` ([`RUSTPY_ONLY`]) are shown as rustpy-only rows. A module a contender
//! had preloaded after all is named in the row's note.

use crate::peers::{CONTENDERS, task_page};
use crate::stats::Figures;
use crate::table::{Row, Section, line};

use super::{Ctx, Paged, RUNS, TASK_WAIT};

/// Modules neither side preloads: the same first import for every contender. (Not
/// `dataclasses`: Pyodide 314.0.2's worker has it in `sys.modules` after booting.) `csv`,
/// `pathlib` and `logging` are issue 24's: modules a multi-file app imports first.
const SHARED: [&str; 7] = [
    "statistics",
    "fractions",
    "decimal",
    "ipaddress",
    "csv",
    "pathlib",
    "logging",
];

/// Modules PyScript preloads and rustpy does not: rustpy's first import alone.
const RUSTPY_ONLY: [&str; 2] = ["json", "re"];

/// The section's pages: every contender for each shared module, rustpy alone for the rest.
pub fn pages(ctx: &Ctx<'_>) -> Paged {
    let mut pages = Vec::new();
    for module in SHARED.iter().chain(&RUSTPY_ONLY) {
        let contenders = if SHARED.contains(module) { 3 } else { 1 };
        for (index, name) in CONTENDERS.iter().enumerate().take(contenders) {
            let query = format!("task=import&module={module}");
            let url = ctx.cached.url(&task_page(index, &query));
            pages.push((format!("{name}: first import {module}"), url));
        }
    }
    Paged::new("imports", pages, ctx.rounds(RUNS), TASK_WAIT)
}

/// The section's report and rows.
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Section {
    let mut report = format!(
        "imports: the first `import NAME` of a fresh worker (one page and worker per import), \
         timed in the worker, {} rounds\n",
        paged.rounds
    );
    let mut rows = Vec::new();
    let mut at = 0;
    for module in SHARED.iter().chain(&RUSTPY_ONLY) {
        let shared = SHARED.contains(module);
        let mut values: [Option<Figures>; 3] = [None, None, None];
        let mut preloaded = Vec::new();
        for (index, slot) in values
            .iter_mut()
            .enumerate()
            .take(if shared { 3 } else { 1 })
        {
            let ((name, _), outcome) = (&paged.pages[at], &paged.outcomes[at]);
            at += 1;
            let figures = outcome.figures("importMs");
            report += &line(name, ctx.only.selects(name), "ms", &figures);
            let hits = outcome
                .results
                .iter()
                .filter(|result| result["preloaded"].as_u64() == Some(1))
                .count();
            if hits > 0 {
                preloaded.push(format!("{} ({hits} rounds)", CONTENDERS[index]));
            }
            *slot = Some(figures);
        }
        let metric = if shared {
            format!("first `import {module}` in a worker")
        } else {
            format!("rustpy-only: first `import {module}` in a worker")
        };
        let mut row = Row::some(metric, "ms", values);
        if !shared {
            row = row.with_ratio("n/a").with_note(format!(
                "PyScript's `pyscript` package imports `{module}` while booting: its first \
                 import is a `sys.modules` hit, not comparable"
            ));
        }
        if !preloaded.is_empty() {
            let note = format!(
                "`{module}` was in `sys.modules` before the import in {}: a cache hit there",
                preloaded.join(", ")
            );
            report += &format!("  {note}\n");
            row = row.with_ratio("n/a (a cache hit)");
            let joined = if row.note.is_empty() {
                note
            } else {
                format!("{}; {note}", row.note)
            };
            row = row.with_note(joined);
        }
        rows.push(row);
    }
    Section { report, rows }
}
