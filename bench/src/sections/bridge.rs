//! The bridge section (`--bridge-only`): a worker→page blocking `sync.add(i, 1)` (a call is
//! `run(2000)`: the worker times 2000 of them) and a page→worker `await worker.sync.ping()`
//! (a call is 500 pings timed on the page), for rustpy, the two PyScript workers and the
//! raw-JS floor (the same round trips with no interpreter, `bridge-raw.html`). Every
//! contender makes the same calls (`?warm=&timed=`, see [`Calls`](super::Calls)); the
//! figures are the median of the last timed calls and the first call, per round trip.

use std::fmt::Write as _;
use std::time::Duration;

use crate::BoxError;
use crate::peers::CONTENDERS;
use crate::stats::Figures;
use crate::table::{Row, Section, line, number, ratio};

use super::{Ctx, Paged, call_figures, call_pages};

/// Rounds of the section.
const BRIDGE_ROUNDS: usize = 3;

/// How long the bench waits for a bridge page (its own limit is 240 s).
const BRIDGE_WAIT: Duration = Duration::from_secs(300);

/// The section's pages: name and path (a query follows: `warm=&timed=` is added). The
/// floor comes first, then the contenders in [`CONTENDERS`] order.
const BRIDGE_PAGES: [(&str, &str); 4] = [
    ("raw JS floor", "/bench/bridge-raw.html?"),
    ("rustpy", "/bench/bridge-rustpy.html?"),
    (
        "PyScript + MicroPython",
        "/bench/bridge-pyscript.html?type=micropython&",
    ),
    (
        "PyScript + Pyodide",
        "/bench/bridge-pyscript.html?type=pyodide&",
    ),
];

/// The directions measured: key of the page's `calls`, label.
const DIRECTIONS: [(&str, &str); 2] = [
    ("sync", "worker->page blocking sync.add (calls of 2000)"),
    ("ping", "page->worker await ping (calls of 500)"),
];

/// The section's pages.
pub fn pages(ctx: &Ctx<'_>) -> Paged {
    let pages = call_pages(ctx, &BRIDGE_PAGES);
    Paged::new("bridge", pages, ctx.rounds(BRIDGE_ROUNDS), BRIDGE_WAIT)
}

/// The section's report and rows.
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Result<Section, BoxError> {
    let calls = ctx.calls;
    let mut report = format!(
        "bridge, per round trip, {} rounds in one browser; {} warm-up then {} timed calls \
         per direction for every contender: the median of the timed calls and the first call\n",
        paged.rounds, calls.warm, calls.timed
    );
    let mut rows = Vec::new();
    for (key, label) in DIRECTIONS {
        // [page] -> [first, last]
        let figures: Vec<[Figures; 2]> = paged
            .pages
            .iter()
            .zip(&paged.outcomes)
            .map(|((name, _), outcome)| {
                call_figures(outcome, key, calls, &format!("bridge {name}"))
            })
            .collect();
        for ((name, _), [first, last]) in paged.pages.iter().zip(&figures) {
            let selected = ctx.only.selects(name);
            report += &line(
                &format!("{name}: {label}, median of the last {}", calls.timed),
                selected,
                "µs",
                last,
            );
            report += &line(
                &format!("{name}: {label}, first call"),
                selected,
                "µs",
                first,
            );
        }
        let floor = figures[0][1].median();
        let contenders =
            |which: usize| -> [Figures; 3] { [1, 2, 3].map(|page| figures[page][which].clone()) };
        rows.push(
            Row::new(
                format!(
                    "{label}, median of the last {} calls, per round trip",
                    calls.timed
                ),
                "µs",
                contenders(1),
            )
            .with_note(format!(
                "raw JS floor, the same calls with no interpreter (postMessage request, \
                 Atomics.wait for the reply): {} µs; rustpy / floor = {}",
                number(floor),
                ratio(figures[1][1].median(), floor)
            )),
        );
        rows.push(Row::new(
            format!("{label}, first call, per round trip"),
            "µs",
            contenders(0),
        ));
        let best = figures[2][1].median().min(figures[3][1].median());
        writeln!(
            report,
            "  {label}: rustpy / best PyScript = {}   rustpy / raw floor = {}",
            ratio(figures[1][1].median(), best),
            ratio(figures[1][1].median(), floor)
        )?;
    }
    debug_assert_eq!(CONTENDERS.len() + 1, BRIDGE_PAGES.len());
    Ok(Section { report, rows })
}
