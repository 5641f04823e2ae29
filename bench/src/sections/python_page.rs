//! The page-side-Python section (`--python-page-only`): the seed's own scenario, where the
//! page's main thread runs Python that starts a worker, gives it a page function written
//! in Python and awaits its exports. One file of Python for every contender
//! (`tests/pages/bench/pypage-main.py` on the main thread, `pypage-worker.py` in the
//! worker): rustpy's `<script type="rustpy">` against PyScript's MicroPython and Pyodide
//! main threads, each starting a worker of its own kind, on the no-store server (every
//! file fetched). It times the boot (navigation to the main script's first statement, to
//! the worker's first statement, to `await worker.ready`, to the first export answered),
//! and, with the same calls per contender (`warm=&timed=`): the worker's blocking
//! `sync.add(i, 1)` answered by Python on the page (calls of 2000), the worker's reads of
//! `dataset.test` while the page's Python awaits (calls of 2000) and the page's
//! `await worker.sync.ping()` (calls of 500). The JavaScript-driven figures of the same
//! calls are the bridge and DOM sections'. A floor page (`pypage-floor.html`) gives the
//! first-statement row its floor: the same server's rustpy wasm module downloaded, with
//! no loader, no compile and no interpreter.

use std::time::Duration;

use crate::BoxError;
use crate::peers::CONTENDERS;
use crate::stats::Figures;
use crate::table::{Row, Section, line, number, ratio};

use super::{Ctx, Paged, call_pages, case_figures};

/// Rounds of the section.
const ROUNDS: usize = 3;

/// How long the bench waits for a page (its own limit is 600 s).
const WAIT: Duration = Duration::from_secs(660);

/// The section's pages, in [`CONTENDERS`](crate::peers::CONTENDERS) order (a query follows).
const PAGES: [(&str, &str); 3] = [
    ("rustpy", "/bench/pypage-rustpy.html?"),
    (
        "PyScript + MicroPython",
        "/bench/pypage-pyscript.html?type=micropython&",
    ),
    (
        "PyScript + Pyodide",
        "/bench/pypage-pyscript.html?type=pyodide&",
    ),
];

/// The floor of the first-statement row: name and path (a query follows) of the page
/// that downloads rustpy's wasm module and does nothing else; its `boot.module` is
/// navigation -> the module's last byte. It runs after the contenders' pages in each round.
const FLOOR: (&str, &str) = (
    "floor: rustpy's module downloaded",
    "/bench/pypage-floor.html?",
);

/// The boot stamps: key of the page's `boot`, and what it is.
const BOOT: [(&str, &str); 4] = [
    ("main", "navigation -> the main script's first statement"),
    ("worker", "navigation -> the worker's first statement"),
    ("ready", "navigation -> `await worker.ready` returns"),
    ("exports", "navigation -> the first export call answered"),
];

/// The calls: key of the page's `calls`, label, and operations per call.
const CALLS: [(&str, &str, usize); 3] = [
    (
        "sync",
        "worker->page blocking sync.add, page function in Python (calls of 2000)",
        2000,
    ),
    (
        "dom",
        "worker DOM read of dataset.test while the page's Python awaits (calls of 2000)",
        2000,
    ),
    (
        "ping",
        "page Python -> worker await ping (calls of 500)",
        500,
    ),
];

/// The section's pages: the contenders', then the [`FLOOR`].
pub fn pages(ctx: &Ctx<'_>) -> Paged {
    let mut pages = PAGES.to_vec();
    pages.push(FLOOR);
    Paged::new(
        "python page",
        call_pages(ctx, &pages),
        ctx.rounds(ROUNDS),
        WAIT,
    )
}

/// The section's report and rows.
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Result<Section, BoxError> {
    let calls = ctx.calls;
    let mut report = format!(
        "page side in Python (pypage-main.py on the main thread starting pypage-worker.py), \
         {} rounds in one browser, no HTTP cache; {} warm-up then {} timed calls per case for \
         every contender: the median of the timed calls and the first call\n",
        paged.rounds, calls.warm, calls.timed
    );
    let floor = paged
        .outcomes
        .get(CONTENDERS.len())
        .map(|outcome| outcome.pick(|result| result["boot"]["module"].as_f64()))
        .unwrap_or_default();
    report += &line(
        &format!("{}: navigation -> its last byte", FLOOR.0),
        ctx.only.selects(FLOOR.0),
        "ms",
        &floor,
    );
    let contenders = paged.first(CONTENDERS.len());
    let mut rows = Vec::new();
    for (key, label) in BOOT {
        let figures: Vec<Figures> = contenders
            .outcomes
            .iter()
            .map(|outcome| outcome.pick(|result| result["boot"][key].as_f64()))
            .collect();
        for ((name, _), figures) in contenders.pages.iter().zip(&figures) {
            report += &line(
                &format!("{name}: page in Python, {label}"),
                ctx.only.selects(name),
                "ms",
                figures,
            );
        }
        let row = Row::new(format!("page in Python: {label}"), "ms", three(&figures));
        rows.push(if key == "main" {
            row.with_note(floor_note(&figures, &floor))
        } else {
            row
        });
    }
    for (key, label, operations) in CALLS {
        let (figures, cpu) = case_figures(&contenders, key, calls, operations, "python page");
        for (((name, _), [first, last]), cpu) in contenders.pages.iter().zip(&figures).zip(&cpu) {
            let selected = ctx.only.selects(name);
            let prefix = format!("{name}: page in Python, {label}");
            report += &line(
                &format!("{prefix}, median of the last {}", calls.timed),
                selected,
                "µs",
                last,
            );
            report += &line(&format!("{prefix}, first call"), selected, "µs", first);
            report += &line(
                &format!("{prefix}, browser CPU per operation"),
                selected,
                "µs",
                cpu,
            );
        }
        let pick = |which: usize| -> Vec<Figures> {
            figures.iter().map(|pair| pair[which].clone()).collect()
        };
        rows.push(Row::new(
            format!(
                "page in Python: {label}, median of the last {} calls, per operation",
                calls.timed
            ),
            "µs",
            three(&pick(1)),
        ));
        rows.push(Row::new(
            format!("page in Python: {label}, first call (a fresh worker), per operation"),
            "µs",
            three(&pick(0)),
        ));
        rows.push(
            Row::new(
                format!("page in Python: {label}, CPU time of the browser per operation"),
                "µs",
                three(&cpu),
            )
            .with_note(
                "user + system CPU of every browser process while the timed calls ran, per \
                 operation (see the bridge section's CPU rows)",
            ),
        );
    }
    Ok(Section { report, rows })
}

/// The first-statement row's note: the floor's median and each contender's ratio to it.
fn floor_note(main: &[Figures], floor: &Figures) -> String {
    let floor_ms = floor.median();
    let ratios: Vec<String> = CONTENDERS
        .iter()
        .zip(main)
        .map(|(name, figures)| format!("{name} {}", ratio(figures.median(), floor_ms)))
        .collect();
    format!(
        "{}: navigation -> the last byte of rustpy's wasm module, fetched from the same \
         server by a page that does nothing else (no loader, no compile, no interpreter): \
         {} ms ({}/{} rounds); each contender's first statement / this floor: {}",
        FLOOR.0,
        number(floor_ms),
        floor.values.len(),
        floor.attempts,
        ratios.join(", ")
    )
}

/// The first three figures (one per contender) as the table's row values.
fn three(figures: &[Figures]) -> [Figures; 3] {
    std::array::from_fn(|index| figures.get(index).cloned().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peers::CONTENDERS;

    #[test]
    fn pages_follow_the_contenders_order() {
        for ((name, _), contender) in PAGES.iter().zip(CONTENDERS) {
            assert_eq!(*name, contender);
        }
        assert_eq!(PAGES.len(), CONTENDERS.len());
    }
}
