//! The memory section (`--memory-only`): the wasm memory of a booted worker, reported from
//! inside the worker by a hook (`wasm-memory-hook.js`) that the page loads first in every
//! worker it starts.

use std::fmt::Write as _;

use crate::BoxError;
use crate::table::{Row, Section, line};

use super::{Ctx, Paged, RUNS, TASK_WAIT, task_pages};

/// The section's pages: one per contender.
pub fn pages(ctx: &Ctx<'_>) -> Paged {
    let pages = task_pages(ctx, "task=memory", ": wasm memory");
    Paged::new("memory", pages, ctx.rounds(RUNS), TASK_WAIT)
}

/// The section's report and rows.
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Result<Section, BoxError> {
    let mut report = format!(
        "memory: the size of the worker's wasm memories once it answered a ping \
         (tests/pages/bench/wasm-memory-hook.js, loaded first in the worker, records every \
         WebAssembly.Memory; worker-memory.js), {} rounds\n",
        paged.rounds
    );
    let mut values = Vec::new();
    for ((name, _), outcome) in paged.pages.iter().zip(&paged.outcomes) {
        let figures = outcome.figures("wasmBytes").map(|bytes| bytes / 1e6);
        report += &line(name, ctx.only.selects(name), "MB", &figures);
        if let Some(last) = outcome.results.last() {
            writeln!(report, "  {name}: {} memories", last["memories"])?;
        }
        values.push(figures);
    }
    let values: [_; 3] = values.try_into().map_err(|_| "one page per contender")?;
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
