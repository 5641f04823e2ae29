//! The sections of the benchmark, one file each, and the job that runs a section one round
//! at a time (so the rounds of all the sections selected interleave, in a shuffled order
//! per round: see `main.rs`).

pub mod boot;
pub mod bridge;
pub mod cpu;
pub mod dom;
pub mod ffi;
pub mod imports;
pub mod interrupt;
pub mod interrupt_cost;
pub mod memory;
pub mod python_page;
pub mod relay;

use std::time::Duration;

use rustpy_e2e::browser::Browser;
use rustpy_e2e::server::TestServer;

use crate::BoxError;
use crate::cpu_time::CpuSampler;
use crate::peers::{Files, Only};
use crate::rounds::{Outcome, run_round};
use crate::stats::{CallStats, Figures};
use crate::table::Section;

/// Rounds of the interpreter sections (boot, imports, memory, CPU, FFI).
pub const RUNS: usize = 5;

/// How long the bench waits for a task page (import, memory, CPU, FFI; its own limit is
/// 900 s).
pub const TASK_WAIT: Duration = Duration::from_secs(960);

/// What every section needs: the browser, the servers, the contenders selected.
pub struct Ctx<'a> {
    /// The browser session the sections share (boot starts its own).
    pub browser: &'a Browser,
    /// The isolated server that lets the browser cache files (warm loads; interpreter
    /// sections).
    pub cached: &'a TestServer,
    /// The isolated no-store server (bridge, DOM, relay's shared-memory pages, interrupt,
    /// FFI).
    pub server: &'a TestServer,
    /// The relay section's servers without isolation (started only for it).
    pub relay: Option<relay::RelayServers<'a>>,
    /// The folders served, to find a served file on disk.
    pub files: &'a Files,
    /// The contenders opened.
    pub only: Only<'a>,
    /// The FFI section's generated JSON, its size in bytes.
    pub data_bytes: usize,
    /// `--rounds`: every section's rounds, instead of its own count.
    pub rounds: Option<usize>,
    /// `--warm`, `--timed`: the calls of each bridge and DOM case.
    pub calls: Calls,
    /// The CPU time of the shared browser's processes (none without `/proc`).
    pub cpu: Option<&'a CpuSampler>,
}

impl Ctx<'_> {
    /// `default` rounds, or `--rounds`.
    pub fn rounds(&self, default: usize) -> usize {
        self.rounds.unwrap_or(default)
    }
}

/// The calls each bridge and DOM case makes, the same for every contender: `warm` warm-up
/// calls, then `timed` ones; the figures are the first call and the median of the timed.
#[derive(Clone, Copy, Debug)]
pub struct Calls {
    /// Untimed calls first (the first of them is reported as the first call).
    pub warm: usize,
    /// The timed calls whose median is the figure.
    pub timed: usize,
}

impl Calls {
    /// The query the bridge and DOM pages read (`callCount` in bench.js).
    pub fn query(self) -> String {
        format!("warm={}&timed={}", self.warm, self.timed)
    }

    /// All the calls of a case.
    pub fn total(self) -> usize {
        self.warm + self.timed
    }
}

/// The bridge and DOM pages (name, path ending in `?` or `&`) as (name, URL) on the no-store
/// server, with the calls' query (`warm=&timed=`).
pub fn call_pages(ctx: &Ctx<'_>, pages: &[(&str, &str)]) -> Vec<(String, String)> {
    pages
        .iter()
        .map(|(name, path)| {
            let url = ctx.server.url(&format!("{path}{}", ctx.calls.query()));
            (name.to_string(), url)
        })
        .collect()
}

/// One task page per contender (`tasks-*.html?<query>`) on the caching server, named
/// `<contender><suffix>`.
pub fn task_pages(ctx: &Ctx<'_>, query: &str, suffix: &str) -> Vec<(String, String)> {
    crate::peers::CONTENDERS
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let url = ctx.cached.url(&crate::peers::task_page(index, query));
            (format!("{name}{suffix}"), url)
        })
        .collect()
}

/// The per-call statistic of `case` (`calls.<case>` of each result of `outcome`) over the
/// rounds: the first calls and the medians of the last `calls.timed`. A round whose list is
/// wrong (a case that failed on the page, a short list) is a failed round, reported on
/// stderr as `what`.
pub fn call_figures(outcome: &Outcome, case: &str, calls: Calls, what: &str) -> [Figures; 2] {
    let mut first = Figures {
        values: Vec::new(),
        attempts: outcome.attempts,
    };
    let mut last = first.clone();
    for result in &outcome.results {
        match CallStats::of_json(&result["calls"][case], calls.total(), calls.timed) {
            Ok(stats) => {
                first.values.push(stats.first);
                last.values.push(stats.last);
            }
            Err(error) => {
                let page_error = result["errors"][case].as_str().unwrap_or_default();
                let page_error = crate::rounds::brief(page_error);
                eprintln!("{what} {case}: FAILED: {error} {page_error}");
            }
        }
    }
    [first, last]
}

/// The CPU time of the browser's processes per operation of `case`'s timed calls over the
/// rounds, µs (`cpuMs.<case>` of each result: see `rounds::run_round`), where a timed call
/// makes `operations` operations.
pub fn cpu_figures(outcome: &Outcome, case: &str, calls: Calls, operations: usize) -> Figures {
    let per = (calls.timed * operations) as f64;
    outcome.pick(|result| result["cpuMs"][case].as_f64().map(|ms| ms * 1000.0 / per))
}

/// A call case's figures per page of `paged` (`key` of the pages' `calls`, `operations` per
/// call): `[first, last]` ([`call_figures`]) and the browser's CPU per operation
/// ([`cpu_figures`]); `what` names the section in failure lines.
pub fn case_figures(
    paged: &Paged,
    key: &str,
    calls: Calls,
    operations: usize,
    what: &str,
) -> (Vec<[Figures; 2]>, Vec<Figures>) {
    let figures = paged
        .pages
        .iter()
        .zip(&paged.outcomes)
        .map(|((name, _), outcome)| call_figures(outcome, key, calls, &format!("{what} {name}")))
        .collect();
    let cpu = paged
        .outcomes
        .iter()
        .map(|outcome| cpu_figures(outcome, key, calls, operations))
        .collect();
    (figures, cpu)
}

/// A section that opens pages: its pages (name, URL), their outcomes, its rounds and how
/// long it waits for a page.
pub struct Paged {
    /// The section's name in the progress lines.
    pub label: &'static str,
    /// Name and URL of each page.
    pub pages: Vec<(String, String)>,
    /// Per page, its results so far.
    pub outcomes: Vec<Outcome>,
    /// How many rounds the section makes.
    pub rounds: usize,
    /// How long it waits for a page's result.
    pub wait: Duration,
}

impl Paged {
    /// A section of `pages` run `rounds` times.
    pub fn new(
        label: &'static str,
        pages: Vec<(String, String)>,
        rounds: usize,
        wait: Duration,
    ) -> Self {
        let outcomes = vec![Outcome::default(); pages.len()];
        Self {
            label,
            pages,
            outcomes,
            rounds,
            wait,
        }
    }

    /// Its first `count` pages with their results (e.g. the contenders without the floors
    /// that follow them).
    pub fn first(&self, count: usize) -> Self {
        let count = count.min(self.pages.len());
        Self {
            label: self.label,
            pages: self.pages[..count].to_vec(),
            outcomes: self.outcomes[..count].to_vec(),
            rounds: self.rounds,
            wait: self.wait,
        }
    }

    /// Runs round `round` (from 0).
    pub async fn round(&mut self, ctx: &Ctx<'_>, round: usize) -> Result<(), BoxError> {
        run_round(
            ctx.browser,
            (self.label, round, self.rounds),
            &self.pages,
            (self.wait, ctx.only, ctx.cpu),
            &mut self.outcomes,
        )
        .await
    }
}

/// The sections, in the order of `--help` and of the summary table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Boot cold, warm, four at once, bytes.
    Boot,
    /// First imports.
    Imports,
    /// Wasm memory of a booted worker.
    Memory,
    /// CPU micro-benchmarks.
    Cpu,
    /// The bridge, both directions, and the floors.
    Bridge,
    /// The DOM from a worker.
    Dom,
    /// The service-worker relay.
    Relay,
    /// Interrupt latency.
    Interrupt,
    /// The cost of the interrupt checks.
    InterruptCost,
    /// FFI calls and fetch in a worker.
    Ffi,
    /// The page side in Python: boot, sync, DOM and pings.
    PythonPage,
}

/// A section being run: its state between rounds.
pub enum Job {
    /// The boot section (a fresh browser per contender and round).
    Boot(boot::Boot),
    /// The interrupt section (one round).
    Interrupt(interrupt::Interrupt),
    /// A section of pages.
    Paged(Kind, Paged),
}

impl Job {
    /// The job of section `kind`.
    pub fn new(kind: Kind, ctx: &Ctx<'_>) -> Result<Self, BoxError> {
        Ok(match kind {
            Kind::Boot => Job::Boot(boot::Boot::new(ctx)),
            Kind::Interrupt => Job::Interrupt(interrupt::Interrupt::default()),
            Kind::Imports => Job::Paged(kind, imports::pages(ctx)),
            Kind::Memory => Job::Paged(kind, memory::pages(ctx)),
            Kind::Cpu => Job::Paged(kind, cpu::pages(ctx)),
            Kind::Bridge => Job::Paged(kind, bridge::pages(ctx)),
            Kind::Dom => Job::Paged(kind, dom::pages(ctx)),
            Kind::Relay => Job::Paged(kind, relay::pages(ctx)?),
            Kind::InterruptCost => Job::Paged(kind, interrupt_cost::pages(ctx)),
            Kind::Ffi => Job::Paged(kind, ffi::pages(ctx)),
            Kind::PythonPage => Job::Paged(kind, python_page::pages(ctx)),
        })
    }

    /// The section's name (for the order printed each round).
    pub fn label(&self) -> &'static str {
        match self {
            Job::Boot(_) => "boot",
            Job::Interrupt(_) => "interrupt",
            Job::Paged(_, paged) => paged.label,
        }
    }

    /// How many rounds the section makes.
    pub fn rounds(&self) -> usize {
        match self {
            Job::Boot(boot) => boot.rounds,
            Job::Interrupt(_) => 1,
            Job::Paged(_, paged) => paged.rounds,
        }
    }

    /// Runs round `round` (from 0) of the section.
    pub async fn round(&mut self, ctx: &Ctx<'_>, round: usize) -> Result<(), BoxError> {
        match self {
            Job::Boot(boot) => boot.round(ctx, round).await,
            Job::Interrupt(interrupt) => interrupt.run(ctx).await,
            Job::Paged(_, paged) => paged.round(ctx, round).await,
        }
    }

    /// The section's report and rows, from its rounds.
    pub fn finish(self, ctx: &Ctx<'_>) -> Result<Section, BoxError> {
        Ok(match self {
            Job::Boot(boot) => boot.finish(ctx)?,
            Job::Interrupt(interrupt) => interrupt.finish(ctx),
            Job::Paged(kind, paged) => match kind {
                Kind::Imports => imports::report(&paged, ctx),
                Kind::Memory => memory::report(&paged, ctx)?,
                Kind::Cpu => cpu::report(&paged, ctx),
                Kind::Bridge => bridge::report(&paged, ctx)?,
                Kind::Dom => dom::report(&paged, ctx)?,
                Kind::Relay => relay::report(&paged, ctx)?,
                Kind::InterruptCost => interrupt_cost::report(&paged, ctx),
                Kind::Ffi => ffi::report(&paged, ctx),
                Kind::PythonPage => python_page::report(&paged, ctx)?,
                Kind::Boot | Kind::Interrupt => {
                    return Err(format!("{kind:?} is not a section of pages").into());
                }
            },
        })
    }
}
