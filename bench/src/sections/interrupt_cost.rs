//! The interrupt-cost section (`--interrupt-cost-only`): cpu.py's cases in rustpy workers
//! with the default interrupt checks (the rewrite of the user's code), with the
//! `sys.monitoring` checks (`config: {interrupts: "everywhere"}`) and without (`config:
//! {interrupts: false}`), alternating within each round; reports each case's medians, the
//! ratios to no checks, their geometric means and the worst. Rustpy against itself: no rows
//! for the summary table.

use std::fmt::Write as _;

use crate::stats::geometric_mean;
use crate::table::{Section, did_not_run, skipped};

use super::cpu::{CPU_CASES, case};
use super::{Ctx, Paged, TASK_WAIT};

/// Rounds of the section: a multiple of its three pages, so each takes each place in the
/// order twice.
const COST_ROUNDS: usize = 6;

/// The section's pages: the three configurations.
pub fn pages(ctx: &Ctx<'_>) -> Paged {
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
    .map(|(name, path)| (name.to_string(), ctx.cached.url(path)));
    Paged::new(
        "interrupt cost",
        pages.to_vec(),
        ctx.rounds(COST_ROUNDS),
        TASK_WAIT,
    )
}

/// The section's report (no rows).
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Section {
    let mut report = format!(
        "interrupt cost: tests/pages/bench/cpu.py in a fresh rustpy worker with the default \
         interrupt checks (user code), with interrupts: \"everywhere\" (sys.monitoring) and \
         without (interrupts: false), {} rounds, each starting one page later; ratios of \
         medians to no checks\n",
        paged.rounds
    );
    if !ctx.only.selects("rustpy") {
        report += &skipped("rustpy");
        return Section {
            report,
            rows: Vec::new(),
        };
    }
    let mut ratios: [Vec<f64>; 2] = Default::default();
    for (key, label) in CPU_CASES {
        let [user, everywhere, off] = [0, 1, 2].map(|index| case(&paged.outcomes[index], key));
        if user.values.is_empty() || everywhere.values.is_empty() || off.values.is_empty() {
            report += &did_not_run(&format!("interrupt cost: {label}"));
            continue;
        }
        let ratio = [
            user.median() / off.median(),
            everywhere.median() / off.median(),
        ];
        ratios[0].push(ratio[0]);
        ratios[1].push(ratio[1]);
        let n = |figures: &crate::stats::Figures| {
            format!("{}/{}", figures.values.len(), figures.attempts)
        };
        let _ = writeln!(
            report,
            "{label:<40} user code {:>8.1} ms ({}) {:.3}x  everywhere {:>8.1} ms ({}) \
             {:.3}x  off {:>8.1} ms ({})",
            user.median(),
            n(&user),
            ratio[0],
            everywhere.median(),
            n(&everywhere),
            ratio[1],
            off.median(),
            n(&off)
        );
    }
    for (checks, ratios) in ["user code (default)", "everywhere"].iter().zip(&ratios) {
        if ratios.is_empty() {
            continue;
        }
        let worst = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let _ = writeln!(
            report,
            "interrupt checks in {checks}: geometric mean {:.3}x, worst {worst:.3}x",
            geometric_mean(ratios)
        );
    }
    Section {
        report,
        rows: Vec::new(),
    }
}
