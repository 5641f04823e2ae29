//! The CPU section (`--cpu-only`): `tests/pages/bench/cpu.py` (fib(25), a 10^6 loop,
//! strings, dict/list churn, `json.dumps`/`json.loads` of ~1 MB, a regex scan) run in a
//! fresh worker per round, each case timed inside the worker; the same source for all three.

use crate::peers::CONTENDERS;
use crate::stats::Figures;
use crate::table::{Row, Section, line};

use super::{Ctx, Paged, RUNS, TASK_WAIT, task_pages};

/// The CPU cases: key in the page's result (cpu.py's run_all()) and label.
pub const CPU_CASES: [(&str, &str); 7] = [
    ("fib", "CPU: recursive fib(25)"),
    ("loop", "CPU: 10^6-iteration arithmetic loop"),
    ("strings", "CPU: string building, join, split"),
    ("churn", "CPU: dict/list churn"),
    ("json_dumps", "CPU: json.dumps of ~1 MB"),
    ("json_loads", "CPU: json.loads of ~1 MB"),
    ("regex", "CPU: regex scan of 20,000 lines"),
];

/// The section's pages: one per contender.
pub fn pages(ctx: &Ctx<'_>) -> Paged {
    let pages = task_pages(ctx, "task=cpu", "");
    Paged::new("CPU", pages, ctx.rounds(RUNS), TASK_WAIT)
}

/// The CPU case `key` of each round of `outcome`.
pub fn case(outcome: &crate::rounds::Outcome, key: &str) -> Figures {
    outcome.pick(|result| result["cpu"][key].as_f64())
}

/// The section's report and rows.
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Section {
    let mut report = format!(
        "CPU: tests/pages/bench/cpu.py in a fresh worker per round, each case timed in the \
         worker, {} rounds\n",
        paged.rounds
    );
    let mut rows = Vec::new();
    for (key, label) in CPU_CASES {
        let values: [Figures; 3] = [0, 1, 2].map(|index| case(&paged.outcomes[index], key));
        for (name, figures) in CONTENDERS.iter().zip(&values) {
            report += &line(
                &format!("{name}: {label}"),
                ctx.only.selects(name),
                "ms",
                figures,
            );
        }
        rows.push(Row::new(label, "ms", values));
    }
    Section { report, rows }
}
