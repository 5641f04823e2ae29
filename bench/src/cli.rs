//! The command line (`cargo run --release -q -p rustpy-bench --bin bench -- --help`).

use std::path::PathBuf;

use clap::Parser;

use crate::sections::Kind;

/// rustpy's browser benchmark against PyScript's MicroPython and Pyodide workers.
///
/// Without a section flag every section runs, and the summary table is written into
/// BENCHMARKS.md. Section flags may be combined. Each round runs the sections selected in a
/// shuffled order (seeded; the seed is printed, `--seed` repeats the order).
#[derive(Parser, Debug)]
#[command(name = "bench")]
pub struct Args {
    /// Boot cold and warm, four workers at once, bytes sent.
    #[arg(long)]
    pub boot_only: bool,
    /// First imports in a fresh worker.
    #[arg(long)]
    pub imports_only: bool,
    /// Wasm memory of a booted worker.
    #[arg(long)]
    pub memory_only: bool,
    /// CPU micro-benchmarks (cpu.py).
    #[arg(long)]
    pub cpu_only: bool,
    /// The bridge: worker->page sync calls, page->worker pings, and the floors.
    #[arg(long)]
    pub bridge_only: bool,
    /// The DOM from a worker.
    #[arg(long)]
    pub dom_only: bool,
    /// The service-worker relay against shared memory.
    #[arg(long)]
    pub relay_only: bool,
    /// Interrupt latency (one round).
    #[arg(long)]
    pub interrupt_only: bool,
    /// The cost of rustpy's interrupt checks (rustpy alone).
    #[arg(long)]
    pub interrupt_cost_only: bool,
    /// FFI calls and fetch in a worker.
    #[arg(long)]
    pub ffi_only: bool,
    /// The page side in Python: main-thread Python starting a worker (boot, sync, DOM,
    /// pings).
    #[arg(long)]
    pub python_page_only: bool,
    /// Open only the contenders whose name contains NAME (case-insensitive), e.g. `rustpy`.
    #[arg(long, value_name = "NAME")]
    pub only: Option<String>,
    /// Serve this build instead of `dist/rustpy/`.
    #[arg(long, value_name = "DIR")]
    pub dist: Option<PathBuf>,
    /// Write the summary table into BENCHMARKS.md (a full run always does).
    #[arg(long)]
    pub write: bool,
    /// The seed of the sections' order per round (default: from the clock, printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Every section's rounds (instead of each section's own count), e.g. 1 while developing.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub rounds: Option<u64>,
    /// Untimed warm-up calls of each bridge and DOM case, the same for every contender.
    #[arg(long, default_value_t = 5)]
    pub warm: usize,
    /// Timed calls of each bridge and DOM case (their median is the figure).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..100))]
    pub timed: u64,
}

impl Args {
    /// The sections selected, in the order of the summary table (all without a flag).
    pub fn sections(&self) -> Vec<Kind> {
        let flags = self.flags();
        let all = !flags.iter().any(|(chosen, _)| *chosen);
        flags
            .into_iter()
            .filter(|(chosen, _)| all || *chosen)
            .map(|(_, kind)| kind)
            .collect()
    }

    /// Whether every section runs (no section flag).
    pub fn all(&self) -> bool {
        !self.flags().iter().any(|(chosen, _)| *chosen)
    }

    /// Each section's flag.
    fn flags(&self) -> [(bool, Kind); 11] {
        [
            (self.boot_only, Kind::Boot),
            (self.imports_only, Kind::Imports),
            (self.memory_only, Kind::Memory),
            (self.cpu_only, Kind::Cpu),
            (self.bridge_only, Kind::Bridge),
            (self.dom_only, Kind::Dom),
            (self.relay_only, Kind::Relay),
            (self.interrupt_only, Kind::Interrupt),
            (self.interrupt_cost_only, Kind::InterruptCost),
            (self.ffi_only, Kind::Ffi),
            (self.python_page_only, Kind::PythonPage),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flag_selects_every_section_and_flags_combine() {
        let all = Args::try_parse_from(["bench"]).expect("no flags");
        assert!(all.all());
        let two = Args::try_parse_from(["bench", "--dom-only", "--boot-only"]).expect("flags");
        assert_eq!(two.sections(), vec![Kind::Boot, Kind::Dom]);
        assert!(!two.all());
    }

    #[test]
    fn bad_input_is_an_error_that_names_it() {
        let error = Args::try_parse_from(["bench", "--only"]).expect_err("no value");
        assert!(error.to_string().contains("--only"), "{error}");
        assert!(Args::try_parse_from(["bench", "--rounds", "0"]).is_err());
        assert!(Args::try_parse_from(["bench", "--timed", "0"]).is_err());
        assert!(Args::try_parse_from(["bench", "--frobnicate"]).is_err());
        let seeded = Args::try_parse_from(["bench", "--seed", "42"]).expect("a seed");
        assert_eq!(seeded.seed, Some(42));
    }
}
