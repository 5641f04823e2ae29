//! The bridge section (`--bridge-only`): a worker→page blocking `sync.add(i, 1)` (a call is
//! `run(2000)`: the worker times 2000 of them) and a page→worker `await worker.sync.ping()`
//! (a call is 500 pings timed on the page), for rustpy, the two PyScript workers and two
//! raw-JS floors (`bridge-raw.html`: the same round trips with no interpreter), one per
//! transport: postMessage (requests by postMessage, a worker's reply through shared memory)
//! and shared memory both ways (a `SharedArrayBuffer` the page waits on with
//! `Atomics.waitAsync` and the worker with `Atomics.wait`). rustpy's worker→page calls use
//! shared memory and its page→worker calls postMessage: each rustpy row gives its ratio to
//! the floor of that transport. Every
//! contender makes the same calls (`?warm=&timed=`, see [`Calls`](super::Calls)); the
//! figures are the median of the last timed calls and the first call, per round trip.

use std::fmt::Write as _;
use std::time::Duration;

use crate::BoxError;
use crate::peers::CONTENDERS;
use crate::stats::Figures;
use crate::table::{Row, Section, line, number, ratio};

use super::{Ctx, Paged, call_pages, case_figures};

/// Rounds of the section.
const BRIDGE_ROUNDS: usize = 3;

/// How long the bench waits for a bridge page (its own limit is 240 s).
const BRIDGE_WAIT: Duration = Duration::from_secs(300);

/// The floors: name, path (a query follows) and what the transport is.
const FLOORS: [(&str, &str, &str); 2] = [
    (
        "floor: postMessage",
        "/bench/bridge-raw.html?transport=post&",
        "postMessage requests, replies through shared memory (Atomics.wait)",
    ),
    (
        "floor: shared memory",
        "/bench/bridge-raw.html?transport=shared&",
        "SharedArrayBuffer both ways, Atomics.waitAsync on the page, Atomics.wait in the worker",
    ),
];

/// The section's pages: name and path (a query follows: `warm=&timed=` is added). The
/// contenders come first, in [`CONTENDERS`] order, then the [`FLOORS`], then rustpy with
/// `config: {spin: false}` ([`NO_SPIN`]).
const BRIDGE_PAGES: [(&str, &str); 6] = [
    ("rustpy", "/bench/bridge-rustpy.html?"),
    (
        "PyScript + MicroPython",
        "/bench/bridge-pyscript.html?type=micropython&",
    ),
    (
        "PyScript + Pyodide",
        "/bench/bridge-pyscript.html?type=pyodide&",
    ),
    (FLOORS[0].0, FLOORS[0].1),
    (FLOORS[1].0, FLOORS[1].1),
    ("rustpy, spin: false", "/bench/bridge-rustpy.html?spin=off&"),
];

/// The page of rustpy without spinning (neither the worker nor the page watches for the
/// other's answer before it sleeps), whose latency and CPU the report sets beside
/// rustpy's: what the spinning buys and what it costs.
const NO_SPIN: usize = CONTENDERS.len() + FLOORS.len();

/// The directions measured: key of the page's `calls`, label, round trips per call, and
/// the floor (index in [`FLOORS`]) of the transport rustpy uses.
const DIRECTIONS: [(&str, &str, usize, usize); 2] = [
    (
        "sync",
        "worker->page blocking sync.add (calls of 2000)",
        2000,
        1,
    ),
    ("ping", "page->worker await ping (calls of 500)", 500, 0),
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
    for (key, label, operations, rustpy_floor) in DIRECTIONS {
        // [page] -> [first, last]
        let (figures, cpu) = case_figures(paged, key, calls, operations, "bridge");
        for (((name, _), [first, last]), cpu) in paged.pages.iter().zip(&figures).zip(&cpu) {
            let selected = ctx.only.selects(name);
            let last_label = format!("{name}: {label}, median of the last {}", calls.timed);
            report += &line(&last_label, selected, "µs", last);
            let first_label = format!("{name}: {label}, first call");
            report += &line(&first_label, selected, "µs", first);
            let cpu_label = format!("{name}: {label}, browser CPU per round trip");
            report += &line(&cpu_label, selected, "µs", cpu);
        }
        let floors: Vec<f64> = (0..FLOORS.len())
            .map(|floor| figures[CONTENDERS.len() + floor][1].median())
            .collect();
        let medians: Vec<f64> = figures.iter().map(|pair| pair[1].median()).collect();
        for (floor, (name, _, transport)) in FLOORS.iter().enumerate() {
            let ratios: Vec<String> = CONTENDERS
                .iter()
                .enumerate()
                .map(|(index, contender)| {
                    format!("{contender} {}", ratio(medians[index], floors[floor]))
                })
                .collect();
            writeln!(
                report,
                "  {label}: / {name} ({transport}, {} µs): {}",
                number(floors[floor]),
                ratios.join(", ")
            )?;
        }
        let contenders =
            |which: usize| -> [Figures; 3] { [0, 1, 2].map(|page| figures[page][which].clone()) };
        let (floor_name, _, transport) = FLOORS[rustpy_floor];
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
                "{floor_name} ({transport}; the same calls, no interpreter): {} µs, rustpy / \
                 this floor (rustpy's transport) = {}; the other floor ({}): {} µs",
                number(floors[rustpy_floor]),
                ratio(medians[0], floors[rustpy_floor]),
                FLOORS[1 - rustpy_floor].0,
                number(floors[1 - rustpy_floor]),
            )),
        );
        rows.push(Row::new(
            format!("{label}, first call, per round trip"),
            "µs",
            contenders(0),
        ));
        let floor_cpu = cpu[CONTENDERS.len() + rustpy_floor].median();
        rows.push(
            Row::new(
                format!("{label}, CPU time of the browser per round trip (timed calls)"),
                "µs",
                [0, 1, 2].map(|page| cpu[page].clone()),
            )
            .with_note(format!(
                "user + system CPU of every browser process (/proc/<pid>/stat of the driver's \
                 process group, 10 ms ticks) while the timed calls ran, per round trip; \
                 the CPU of all the timed calls, so compare it with their mean latency (above it: more than one core busy). {floor_name}: {} µs",
                number(floor_cpu)
            )),
        );
        let no_spin = format!(
            "rustpy with config {{spin: false}}: {} µs a round trip, {} µs of browser CPU; \
             rustpy / no spin = {} (latency), {} (CPU)",
            number(medians[NO_SPIN]),
            number(cpu[NO_SPIN].median()),
            ratio(medians[0], medians[NO_SPIN]),
            ratio(cpu[0].median(), cpu[NO_SPIN].median()),
        );
        writeln!(report, "  {label}: {no_spin}")?;
        rows.push(
            Row::some(
                format!(
                    "{label}, rustpy with spin: false, median of the last {} calls",
                    calls.timed
                ),
                "µs",
                [Some(figures[NO_SPIN][1].clone()), None, None],
            )
            .with_ratio("n/a")
            .with_note(no_spin),
        );
        let best = medians[1].min(medians[2]);
        writeln!(
            report,
            "  {label}: rustpy / best PyScript = {}",
            ratio(medians[0], best)
        )?;
    }
    Ok(Section { report, rows })
}
