//! rustpy's browser benchmark: `cargo xtask bench` (builds `dist/` first), or `cargo run
//! --release -q -p rustpy-bench --bin bench -- --help` for its flags.
//!
//! Measures, in headless Chromium on pages served from 127.0.0.1 with COOP/COEP, rustpy next
//! to PyScript 0.7.31's MicroPython and Pyodide workers (npm packages in `tests/bench/`,
//! served from 127.0.0.1). Every file is served precompressed (`X.br` / `X.gz` next to `X`,
//! brotli -11 and gzip -9): `dist/rustpy/` as `cargo xtask dist` writes it, the peers'
//! `node_modules` from a copy the bench makes under `$RUSTPY_CACHE/bench/` (see
//! [`peers::precompressed_copy`]), so that no contender pays for compressing on the fly.
//!
//! One file per section under `sections/` (each file's docs say what it measures). Every
//! page times itself and publishes `window.benchResult`; the bench probes for it once a
//! second ([`Page::wait_for_quietly`](rustpy_e2e::browser::Page::wait_for_quietly)), not
//! every 50 ms as the tests do: each probe runs on the page's main thread, which the DOM and
//! bridge loops measure (probing every 50 ms made rustpy's `createElement` + `append` 25–40 %
//! slower).
//!
//! Rounds: in each round, every section selected that still has rounds to make runs one
//! round, in an order shuffled per round (seeded: the seed is printed and `--seed` repeats
//! it); within a section's round the contenders alternate, starting one page later each
//! round. A page that fails or times out is a failed round: every cell of the summary table
//! shows its successful rounds of those attempted next to the median and range. Prints each
//! section's figures, then ONE summary table with the ratio rustpy / best peer for every
//! metric; a full run (no section flag) or `--write` also writes that table into
//! `BENCHMARKS.md` between `<!-- bench:begin -->` and `<!-- bench:end -->`. Figures are
//! machine- and load-dependent: compare runs made together, never bake them into tests.

#![deny(missing_docs)]

mod cli;
mod cpu_time;
mod order;
mod peers;
mod report;
mod rounds;
mod sections;
mod stats;
mod table;

use std::path::PathBuf;

use clap::Parser;
use rustpy_e2e::browser::Browser;
use rustpy_e2e::server::{Caching, Isolation, ServerOptions, TestServer};

use crate::peers::{CONTENDERS, Files, Only};
use crate::report::command_output;
use crate::sections::{Calls, Ctx, Job, Kind, boot, boot::MAX_AGE, ffi, relay::RelayServers};

/// The error of anything the bench does.
pub type BoxError = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args = cli::Args::parse();
    let root = rustpy_e2e::workspace_root();
    let node_modules = root.join("tests/bench/node_modules");
    if !node_modules.join("@pyscript/core").is_dir() {
        return Err(
            "tests/bench/node_modules is missing: `cargo xtask bench` installs it (npm ci)".into(),
        );
    }
    let dist_dir = args
        .dist
        .clone()
        .unwrap_or_else(|| root.join("dist/rustpy"));
    if !dist_dir.join("rustpy.js").is_file() {
        return Err(format!(
            "{} is missing: build it first with `cargo xtask dist`",
            dist_dir.display()
        )
        .into());
    }
    let cache = std::env::var_os("RUSTPY_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/rustpy")))
        .ok_or("set RUSTPY_CACHE (or HOME)")?;
    let started_at = command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let load_before = report::load_average();
    // The tree the run starts from (a commit made while it runs is not what it measured).
    let commit = report::commit(&root);
    let peers = cache.join("bench/node_modules");
    peers::precompressed_copy(&node_modules, &peers, &cache.join("compressed"))?;
    let dist = peers::served_dist(&dist_dir, &cache)?;
    let pages_dir = root.join("tests/pages");
    let files = Files {
        pages: pages_dir.clone(),
        dist: dist.clone(),
        peers: peers.clone(),
    };
    // The FFI section's generated JSON (not in the repository), served at /bench-data/.
    let data = cache.join("bench/data");
    let data_bytes = ffi::write_data(&data)?;
    boot::write_app_files(&data)?;
    let mounts = [
        ("/node_modules", peers.as_path()),
        (ffi::DATA_PREFIX, data.as_path()),
    ];
    // The interpreter sections' server lets the browser cache files (warm loads); the
    // bridge, DOM, relay, interrupt and FFI sections use the suite's no-store server.
    let cached = TestServer::start_configured(
        &pages_dir,
        &dist,
        ServerOptions {
            caching: Caching::MaxAge(MAX_AGE),
            ..ServerOptions::suite(Isolation::Isolated, &mounts)
        },
    )
    .await?;
    let server = TestServer::start_with(&pages_dir, &dist, Isolation::Isolated, &mounts).await?;
    let kinds = args.sections();
    let mut relay_servers = Vec::new();
    if kinds.contains(&Kind::Relay) {
        for _ in 0..3 {
            let not_isolated = Isolation::NotIsolated;
            relay_servers
                .push(TestServer::start_with(&pages_dir, &dist, not_isolated, &mounts).await?);
        }
    }
    let browser = Browser::start().await?;
    let engine = browser.engine();
    let cpu = browser
        .process_group()
        .and_then(cpu_time::CpuSampler::start);
    if cpu.is_none() {
        eprintln!("warning: no CPU time per call (no process group or no /proc)");
    }
    let ctx = Ctx {
        browser: &browser,
        cached: &cached,
        server: &server,
        relay: match relay_servers.as_slice() {
            [rustpy, pyscript, raw] => Some(RelayServers {
                rustpy,
                pyscript,
                raw,
            }),
            _ => None,
        },
        files: &files,
        only: Only(args.only.as_deref()),
        data_bytes,
        rounds: args.rounds.map(|rounds| rounds as usize),
        calls: Calls {
            warm: args.warm,
            timed: args.timed as usize,
        },
        cpu: cpu.as_ref(),
    };
    let mut jobs = kinds
        .iter()
        .map(|kind| Job::new(*kind, &ctx))
        .collect::<Result<Vec<Job>, BoxError>>()?;
    let seed = args.seed.unwrap_or_else(order::fresh_seed);
    let mut rng = order::Rng::new(seed);
    eprintln!("seed {seed} (repeat this order with --seed {seed})");
    let most = jobs.iter().map(Job::rounds).max().unwrap_or(0);
    let mut orders = Vec::new();
    for round in 0..most {
        let mut order: Vec<usize> = (0..jobs.len())
            .filter(|&job| jobs[job].rounds() > round)
            .collect();
        rng.shuffle(&mut order);
        let names: Vec<&str> = order.iter().map(|&job| jobs[job].label()).collect();
        eprintln!("round {}/{most}: {}", round + 1, names.join(", "));
        orders.push(format!("{}: {}", round + 1, names.join(", ")));
        for job in order {
            jobs[job].round(&ctx, round).await?;
        }
    }
    let mut reports = Vec::new();
    let mut rows = Vec::new();
    let rounds_line: Vec<String> = jobs
        .iter()
        .map(|job| format!("{} {}", job.label(), job.rounds()))
        .collect();
    for job in jobs {
        let section = job.finish(&ctx)?;
        reports.push(section.report);
        rows.extend(section.rows);
    }
    let (only, calls) = (Only(args.only.as_deref()), ctx.calls);
    browser.close().await?;
    // A contender left out by `--only` is not "not run": it has no figures to show.
    for row in &mut rows {
        for (index, name) in CONTENDERS.iter().enumerate() {
            if !only.selects(name) {
                row.values[index] = None;
            }
        }
    }
    let table = table::summary_table(&rows);
    print!("{}", reports.join("\n"));
    println!(
        "\nsummary: median (min–max) over the rounds, then the rounds that succeeded of those \
         attempted; ratio of the medians\n\n{table}"
    );

    let shown_args: Vec<String> = std::env::args().skip(1).collect();
    let context = vec![
        format!(
            "Date: {started_at} (start) to {} (end)",
            command_output("date", &["-u", "+%H:%M UTC"])
        ),
        format!(
            "Machine: `nproc` = {}; `uname -a`: `{}`; load average {load_before} before, {} after",
            command_output("nproc", &[]),
            command_output("uname", &["-a"]),
            report::load_average()
        ),
        format!(
            "Browser: `{}`, headless, through WebDriver; pages on http://127.0.0.1 with \
             COOP/COEP/CORP headers",
            command_output(engine.browser_binary(), &["--version"])
        ),
        format!(
            "Command (`export CARGO_TARGET_DIR=$HOME/.cache/rustpy/target \
             RUSTPY_CACHE=$HOME/.cache/rustpy` first): `{}`",
            report::command(&shown_args)
        ),
        format!(
            "rustpy: `{}` (tree at `{commit}` when the run started), served from `{}`",
            dist_dir.display(),
            dist.display()
        ),
        format!(
            "Peers: `@pyscript/core` {}, MicroPython `{}`, Pyodide `{}` (tests/bench), \
             precompressed copy in `{}`",
            peers::package_version(&node_modules.join("@pyscript/core")),
            peers::package_version(
                &node_modules.join("@micropython/micropython-webassembly-pyscript")
            ),
            peers::package_version(&node_modules.join("pyodide")),
            peers.display()
        ),
        format!(
            "Rounds: {}; interrupt 20 per case; bridge and DOM cases {} warm-up + {} timed \
             calls for every contender",
            rounds_line.join(", "),
            calls.warm,
            calls.timed
        ),
        format!(
            "Section order per round (seed {seed}, `--seed {seed}` repeats it): {}",
            orders.join("; ")
        ),
    ];
    eprintln!("\n{}", context.join("\n"));
    if args.all() || args.write {
        let path = root.join("BENCHMARKS.md");
        let generated = report::Generated { engine };
        generated.write(&path, &generated.section(&context, &table))?;
        eprintln!("wrote the summary into {}", path.display());
    }
    Ok(())
}
