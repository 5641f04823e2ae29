//! The DOM section (`--dom-only`): the DOM from a worker (`from pyscript import document`,
//! `tests/pages/bench/dom-worker.py`, the same file for every contender): reads of a cached
//! `dataset.test`, `createElement("div")` + `body.append(el)`, and a table (three `td` with
//! text per `tr`) built element by element and with one `innerHTML` write (the fastest way
//! through any FFI), per row; rustpy builds it a third way, inside `with batch():`. Every
//! contender makes the same calls of each case (`?warm=&timed=`, see
//! [`Calls`](super::Calls)); the figures are the median of the last timed calls and the
//! first call. The batched table is compared with rustpy's own unbatched table and with the
//! peers' fastest table (their `innerHTML` write), each ratio labelled. A table made with
//! `pyscript.web` (100 rows for every contender; 1000 rows for rustpy alone) is compared
//! with rustpy's own batch of the 1000-row table and with the peers' `pyscript.web`.

use std::fmt::Write as _;
use std::time::Duration;

use crate::BoxError;
use crate::peers::CONTENDERS;
use crate::stats::Figures;
use crate::table::{Row, Section, line, ratio};

use super::{Ctx, Paged, call_figures, call_pages, cpu_figures};

/// Rounds of the section.
const DOM_ROUNDS: usize = 3;

/// How long the bench waits for a DOM page (their own limits are 600 s and 1200 s).
const DOM_WAIT: Duration = Duration::from_secs(1300);

/// The section's pages: name and path (a query follows: `warm=&timed=` is added), in
/// [`CONTENDERS`] order, then rustpy without its interrupt checks (`config: {interrupts:
/// false}`) and rustpy without spinning (`config: {spin: false}`), whose figures the report
/// gives next to rustpy's (what the checks cost a DOM loop; what the spinning buys and
/// costs).
const DOM_PAGES: [(&str, &str); 5] = [
    ("rustpy", "/bench/dom-rustpy.html?"),
    (
        "PyScript + MicroPython",
        "/bench/dom-pyscript.html?type=micropython&",
    ),
    (
        "PyScript + Pyodide",
        "/bench/dom-pyscript.html?type=pyodide&",
    ),
    (
        "rustpy, interrupt checks off",
        "/bench/dom-rustpy.html?interrupts=off&",
    ),
    ("rustpy, spin: false", "/bench/dom-rustpy.html?spin=off&"),
];

/// Index in [`DOM_PAGES`] of rustpy without spinning.
const NO_SPIN: usize = CONTENDERS.len() + 1;

/// The cases every contender runs: key of the page's `calls` (`DOM_CASES` in bench.js),
/// label, and operations (or rows) per call.
const DOM_CASES: [(&str, &str, usize); 5] = [
    (
        "dataset_reads",
        "cached dataset.test read (calls of 2000)",
        2000,
    ),
    (
        "create_append",
        "createElement + body.append (calls of 200)",
        200,
    ),
    ("table", "100-row table element by element, per row", 100),
    (
        "table_html",
        "100-row table in one innerHTML write, per row",
        100,
    ),
    (
        "table_web_100",
        "100-row table with pyscript.web, per row",
        100,
    ),
];

/// rustpy's batched table: key, label, rows per call.
const BATCH: (&str, &str, usize) = (
    "table_batch",
    "100-row table in batch() (rustpy only), per row",
    100,
);

/// rustpy's 1000-row `pyscript.web` table (the peers run the 100-row one: at their ~10 ms a
/// row, 1000 rows do not fit the page's time limit) and its batched table of the same
/// size, what it is compared with: key, label, rows per call.
const WEB_1000: [(&str, &str, usize); 2] = [
    (
        "table_web",
        "1000-row table with pyscript.web (rustpy only), per row",
        1000,
    ),
    (
        "table_batch_1000",
        "1000-row table in batch() (rustpy only), per row",
        1000,
    ),
];

/// The note of the CPU rows.
const CPU_NOTE: &str = "user + system CPU of every browser process (/proc/<pid>/stat of the \
    driver's process group, 10 ms ticks) while the timed calls ran, per operation (row); compare \
    it with the timed calls' mean latency (above it: more than one core busy)";

/// The section's pages.
pub fn pages(ctx: &Ctx<'_>) -> Paged {
    let pages = call_pages(ctx, &DOM_PAGES);
    Paged::new("DOM", pages, ctx.rounds(DOM_ROUNDS), DOM_WAIT)
}

/// The section's report and rows.
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Result<Section, BoxError> {
    let calls = ctx.calls;
    let mut report = format!(
        "DOM from a worker, per operation, {} rounds in one browser; {} warm-up then {} \
         timed calls per case for every contender: the median of the timed calls and the \
         first call\n",
        paged.rounds, calls.warm, calls.timed
    );
    let timed = format!("median of the last {} calls", calls.timed);
    let of = |page: usize, key: &str| {
        call_figures(
            &paged.outcomes[page],
            key,
            calls,
            &format!("DOM {}", CONTENDERS[page]),
        )
    };
    let mut rows = Vec::new();
    // [case] -> [contender] -> [first, last]
    let mut all: Vec<[[Figures; 2]; 3]> = Vec::new();
    for (key, label, operations) in DOM_CASES {
        let figures = [0, 1, 2].map(|page| of(page, key));
        let cpu = [0, 1, 2].map(|page| cpu_figures(&paged.outcomes[page], key, calls, operations));
        for (name, cpu) in CONTENDERS.iter().zip(&cpu) {
            let cpu_label = format!("{name}: {label}, browser CPU");
            report += &line(&cpu_label, ctx.only.selects(name), "µs", cpu);
        }
        for (name, [first, last]) in CONTENDERS.iter().zip(&figures) {
            let selected = ctx.only.selects(name);
            report += &line(&format!("{name}: {label}, {timed}"), selected, "µs", last);
            report += &line(
                &format!("{name}: {label}, first call"),
                selected,
                "µs",
                first,
            );
        }
        let column = |which: usize| figures.clone().map(|pair| pair[which].clone());
        rows.push(Row::new(
            format!("DOM from a worker: {label}, {timed}"),
            "µs",
            column(1),
        ));
        rows.push(Row::new(
            format!("DOM from a worker: {label}, first call"),
            "µs",
            column(0),
        ));
        rows.push(
            Row::new(
                format!("DOM from a worker: {label}, CPU time of the browser"),
                "µs",
                cpu,
            )
            .with_note(CPU_NOTE),
        );
        all.push(figures);
    }
    let [batch_first, batch_last] = of(0, BATCH.0);
    let (name, label) = (CONTENDERS[0], BATCH.1);
    report += &line(
        &format!("{name}: {label}, {timed}"),
        ctx.only.selects(name),
        "µs",
        &batch_last,
    );
    report += &line(
        &format!("{name}: {label}, first call"),
        ctx.only.selects(name),
        "µs",
        &batch_first,
    );
    let batch_cpu = cpu_figures(&paged.outcomes[0], BATCH.0, calls, BATCH.2);
    let cpu_label = format!("{name}: {label}, browser CPU");
    report += &line(&cpu_label, ctx.only.selects(name), "µs", &batch_cpu);
    let table = DOM_CASES
        .iter()
        .position(|(key, ..)| *key == "table")
        .ok_or("no table case")?;
    let html = DOM_CASES
        .iter()
        .position(|(key, ..)| *key == "table_html")
        .ok_or("no html case")?;
    for (which, batch, what) in [
        (1, &batch_last, timed.as_str()),
        (0, &batch_first, "first call"),
    ] {
        let unbatched = all[table][0][which].median();
        // f64::min ignores NaN, so a peer that did not run drops out of "best".
        let peers_html = all[html][1][which]
            .median()
            .min(all[html][2][which].median());
        let versus = format!(
            "{} (vs rustpy unbatched); {} (vs best peer's innerHTML table)",
            ratio(batch.median(), unbatched),
            ratio(batch.median(), peers_html)
        );
        writeln!(report, "  {label}, {what}: {versus}")?;
        rows.push(
            Row::some(
                format!("DOM from a worker: {label}, {what}"),
                "µs",
                [Some(batch.clone()), None, None],
            )
            .with_ratio(versus),
        );
    }
    rows.push(
        Row::some(
            format!("DOM from a worker: {label}, CPU time of the browser"),
            "µs",
            [Some(batch_cpu), None, None],
        )
        .with_ratio("n/a")
        .with_note(CPU_NOTE),
    );
    web_rows(&mut report, &mut rows, paged, ctx, &all, &timed)?;
    let off = CONTENDERS.len();
    let off_name = DOM_PAGES[off].0;
    for (key, label, _) in DOM_CASES.iter().chain([&BATCH]).chain(&WEB_1000) {
        let [first, last] =
            call_figures(&paged.outcomes[off], key, calls, &format!("DOM {off_name}"));
        let selected = ctx.only.selects(off_name);
        report += &line(
            &format!("{off_name}: {label}, {timed}"),
            selected,
            "µs",
            &last,
        );
        report += &line(
            &format!("{off_name}: {label}, first call"),
            selected,
            "µs",
            &first,
        );
        let with_checks = of(0, key)[1].median();
        writeln!(
            report,
            "  {label}, {timed}: rustpy with its default interrupt checks / without = {}",
            ratio(with_checks, last.median())
        )?;
    }
    no_spin_lines(&mut report, &mut rows, paged, ctx, &timed)?;
    report += "\nratios (medians; lower is better for rustpy)\n";
    for ((_, label, _), figures) in DOM_CASES.iter().zip(&all) {
        let best = figures[1][1].median().min(figures[2][1].median());
        writeln!(
            report,
            "  {label}, {timed}: rustpy / best PyScript = {}",
            ratio(figures[0][1].median(), best)
        )?;
    }
    Ok(Section { report, rows })
}

/// rustpy's 1000-row `pyscript.web` and batched tables, and the ratios of the first: to
/// the second (target ≤ 1.5) and, per row, to the best peer's 100-row `pyscript.web` table
/// (target ≤ 0.05).
fn web_rows(
    report: &mut String,
    rows: &mut Vec<Row>,
    paged: &Paged,
    ctx: &Ctx<'_>,
    all: &[[[Figures; 2]; 3]],
    timed: &str,
) -> Result<(), BoxError> {
    let calls = ctx.calls;
    let name = CONTENDERS[0];
    let selected = ctx.only.selects(name);
    let mut figures = Vec::new();
    for (key, label, operations) in WEB_1000 {
        let [first, last] = call_figures(&paged.outcomes[0], key, calls, &format!("DOM {name}"));
        *report += &line(&format!("{name}: {label}, {timed}"), selected, "µs", &last);
        *report += &line(
            &format!("{name}: {label}, first call"),
            selected,
            "µs",
            &first,
        );
        let cpu = cpu_figures(&paged.outcomes[0], key, calls, operations);
        *report += &line(
            &format!("{name}: {label}, browser CPU"),
            selected,
            "µs",
            &cpu,
        );
        figures.push([first, last]);
    }
    let peers = DOM_CASES
        .iter()
        .position(|(key, ..)| *key == "table_web_100")
        .ok_or("no pyscript.web case")?;
    let label = WEB_1000[0].1;
    for (which, what) in [(1, timed), (0, "first call")] {
        let web = &figures[0][which];
        let batch = figures[1][which].median();
        let peers_web = all[peers][1][which]
            .median()
            .min(all[peers][2][which].median());
        let versus = format!(
            "{} (vs rustpy's 1000-row batch(); target ≤ 1.5); {} (per row, vs best peer's \
             100-row pyscript.web table; target ≤ 0.05)",
            ratio(web.median(), batch),
            ratio(web.median(), peers_web)
        );
        writeln!(report, "  {label}, {what}: {versus}")?;
        rows.push(
            Row::some(
                format!("DOM from a worker: {label}, {what}"),
                "µs",
                [Some(web.clone()), None, None],
            )
            .with_ratio(versus),
        );
    }
    for (which, what) in [(1, timed), (0, "first call")] {
        let label = WEB_1000[1].1;
        rows.push(
            Row::some(
                format!("DOM from a worker: {label}, {what}"),
                "µs",
                [Some(figures[1][which].clone()), None, None],
            )
            .with_ratio("n/a"),
        );
    }
    Ok(())
}

/// rustpy without spinning beside rustpy: latency and browser CPU of every case, their
/// ratios in the report, and a row per case of the generated table.
fn no_spin_lines(
    report: &mut String,
    rows: &mut Vec<Row>,
    paged: &Paged,
    ctx: &Ctx<'_>,
    timed: &str,
) -> Result<(), BoxError> {
    let calls = ctx.calls;
    let name = DOM_PAGES[NO_SPIN].0;
    let selected = ctx.only.selects(name);
    for (key, label, operations) in DOM_CASES.iter().chain([&BATCH]) {
        let what = format!("DOM {name}");
        let [first, last] = call_figures(&paged.outcomes[NO_SPIN], key, calls, &what);
        let cpu = cpu_figures(&paged.outcomes[NO_SPIN], key, calls, *operations);
        *report += &line(&format!("{name}: {label}, {timed}"), selected, "µs", &last);
        *report += &line(
            &format!("{name}: {label}, first call"),
            selected,
            "µs",
            &first,
        );
        *report += &line(
            &format!("{name}: {label}, browser CPU"),
            selected,
            "µs",
            &cpu,
        );
        let what = format!("DOM {}", CONTENDERS[0]);
        let spinning = call_figures(&paged.outcomes[0], key, calls, &what)[1].median();
        let spinning_cpu = cpu_figures(&paged.outcomes[0], key, calls, *operations).median();
        let versus = format!(
            "rustpy / no spin = {} (latency), {} (CPU); no spin: {} µs of browser CPU",
            ratio(spinning, last.median()),
            ratio(spinning_cpu, cpu.median()),
            crate::table::number(cpu.median()),
        );
        writeln!(report, "  {label}, {timed}: {versus}")?;
        rows.push(
            Row::some(
                format!("DOM from a worker: {label}, rustpy with spin: false, {timed}"),
                "µs",
                [Some(last), None, None],
            )
            .with_ratio("n/a")
            .with_note(versus),
        );
    }
    Ok(())
}
