//! The DOM section (`--dom-only`): the DOM from a worker (`from pyscript import document`,
//! `tests/pages/bench/dom-worker.py`, the same file for every contender): reads of a cached
//! `dataset.test`, `createElement("div")` + `body.append(el)`, and a table (three `td` with
//! text per `tr`) built element by element and with one `innerHTML` write (the fastest way
//! through any FFI), per row; rustpy builds it a third way, inside `with batch():`. Every
//! contender makes the same calls of each case (`?warm=&timed=`, see
//! [`Calls`](super::Calls)); the figures are the median of the last timed calls and the
//! first call. The batched table is compared with rustpy's own unbatched table and with the
//! peers' fastest table (their `innerHTML` write), each ratio labelled. A 1000-row table
//! made with `pyscript.web` (every contender) is compared with rustpy's own batch of the
//! same table and with the peers' `pyscript.web`.

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
/// false}`), whose figures the report gives next to rustpy's (what the checks cost a DOM
/// loop).
const DOM_PAGES: [(&str, &str); 4] = [
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
];

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
        "table_web",
        "1000-row table with pyscript.web, per row",
        1000,
    ),
];

/// rustpy's batched table: key, label, rows per call.
const BATCH: (&str, &str, usize) = (
    "table_batch",
    "100-row table in batch() (rustpy only), per row",
    100,
);

/// rustpy's batched table of `table_web`'s size, what `pyscript.web` is compared with:
/// key, label, rows per call.
const BATCH_1000: (&str, &str, usize) = (
    "table_batch_1000",
    "1000-row table in batch() (rustpy only), per row",
    1000,
);

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
    for (key, label, _) in DOM_CASES.iter().chain([&BATCH, &BATCH_1000]) {
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

/// rustpy's 1000-row batched table, and the `pyscript.web` table's ratios: to it (target
/// ≤ 1.5) and to the best peer's `pyscript.web` table (target ≤ 0.05).
fn web_rows(
    report: &mut String,
    rows: &mut Vec<Row>,
    paged: &Paged,
    ctx: &Ctx<'_>,
    all: &[[[Figures; 2]; 3]],
    timed: &str,
) -> Result<(), BoxError> {
    let calls = ctx.calls;
    let (key, label, operations) = BATCH_1000;
    let name = CONTENDERS[0];
    let [first, last] = call_figures(&paged.outcomes[0], key, calls, &format!("DOM {name}"));
    let selected = ctx.only.selects(name);
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
    let web = DOM_CASES
        .iter()
        .position(|(key, ..)| *key == "table_web")
        .ok_or("no pyscript.web case")?;
    let web_label = DOM_CASES[web].1;
    for (which, batch, what) in [(1, &last, timed), (0, &first, "first call")] {
        let rustpy_web = all[web][0][which].median();
        let peers_web = all[web][1][which].median().min(all[web][2][which].median());
        let versus = format!(
            "{} (rustpy's pyscript.web / this batch; target ≤ 1.5); {} (rustpy's pyscript.web / \
             best peer's pyscript.web; target ≤ 0.05)",
            ratio(rustpy_web, batch.median()),
            ratio(rustpy_web, peers_web)
        );
        writeln!(report, "  {web_label}, {what}: {versus}")?;
        rows.push(
            Row::some(
                format!("DOM from a worker: {label}, {what}"),
                "µs",
                [Some(batch.clone()), None, None],
            )
            .with_ratio(versus),
        );
    }
    Ok(())
}
