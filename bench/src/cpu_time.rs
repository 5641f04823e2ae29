//! CPU time of the browser's processes (the driver's process group: browser, renderers with
//! their workers' threads, GPU and utility processes), sampled from `/proc/<pid>/stat` in a
//! thread of its own, so that a page's timed calls can be charged the CPU the browser used
//! while they ran: the pages report when their timed calls started and ended (epoch ms), and
//! [`CpuSampler::cpu_ms`] interpolates between the samples around those instants.
//!
//! Resolution: the kernel counts in clock ticks (`getconf CLK_TCK`, 10 ms at 100 Hz), so a
//! figure over a span of ~100 ms is good to about a tenth.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often the known processes' CPU times are read.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// How often `/proc` is scanned for the group's processes (a new renderer, a process gone).
const SCAN_EVERY: Duration = Duration::from_millis(250);

/// Samples: epoch milliseconds and the group's CPU milliseconds so far (monotonic: a
/// process that ended keeps what it used).
type Samples = Arc<Mutex<Vec<(f64, f64)>>>;

/// A thread sampling the CPU time of one process group, until dropped.
pub struct CpuSampler {
    samples: Samples,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CpuSampler {
    /// Starts sampling the processes of group `group`; `None` where there is no `/proc`.
    pub fn start(group: u32) -> Option<Self> {
        if !std::path::Path::new("/proc/self/stat").is_file() {
            return None;
        }
        let tick_ms = 1000.0 / clock_ticks_per_second();
        let samples: Samples = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (samples, stop) = (samples.clone(), stop.clone());
            std::thread::spawn(move || sample(group, tick_ms, &samples, &stop))
        };
        Some(Self {
            samples,
            stop,
            thread: Some(thread),
        })
    }

    /// The CPU milliseconds the group used between the epoch instants `from` and `to` (ms),
    /// or `None` when the samples do not cover that span.
    pub fn cpu_ms(&self, from: f64, to: f64) -> Option<f64> {
        let samples = self.samples.lock().ok()?;
        Some(at(&samples, to)? - at(&samples, from)?)
    }
}

impl Drop for CpuSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The sampling loop: see [`CpuSampler`].
fn sample(group: u32, tick_ms: f64, samples: &Samples, stop: &AtomicBool) {
    let mut pids = Vec::new();
    let mut last_scan: Option<Instant> = None;
    // Per process, its last CPU ticks (kept after it ends).
    let mut ticks: HashMap<u32, u64> = HashMap::new();
    while !stop.load(Ordering::Relaxed) {
        if last_scan.is_none_or(|at| at.elapsed() >= SCAN_EVERY) {
            pids = group_pids(group);
            last_scan = Some(Instant::now());
        }
        for &pid in &pids {
            if let Some((_, used)) = stat(pid) {
                ticks.insert(pid, used);
            }
        }
        let total = ticks.values().sum::<u64>() as f64 * tick_ms;
        if let Ok(mut samples) = samples.lock() {
            samples.push((epoch_ms(), total));
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
}

/// Milliseconds since the Unix epoch, now.
fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |elapsed| elapsed.as_secs_f64() * 1000.0)
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`; 100 if it cannot be asked).
fn clock_ticks_per_second() -> f64 {
    crate::report::command_output("getconf", &["CLK_TCK"])
        .parse()
        .unwrap_or(100.0)
}

/// The processes whose process group is `group`.
fn group_pids(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat(pid).is_some_and(|(pgrp, _)| pgrp == group))
        .collect()
}

/// A process's group and its user + system CPU ticks, from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(u32, u64)> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The group and the user + system ticks of a `/proc/<pid>/stat` line (the command name,
/// in parentheses, may hold spaces and parentheses: the fields start after the last `)`).
fn parse_stat(line: &str) -> Option<(u32, u64)> {
    let fields: Vec<&str> = line
        .get(line.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // After the name: state, ppid, pgrp, ..., utime (12th field after the name), stime.
    let pgrp = fields.get(2)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((pgrp, utime + stime))
}

/// The CPU milliseconds at epoch instant `when`, interpolated between the samples around
/// it (`None` outside them).
fn at(samples: &[(f64, f64)], when: f64) -> Option<f64> {
    let after = samples.iter().position(|(time, _)| *time >= when)?;
    let (t1, c1) = samples[after];
    if after == 0 {
        return (t1 == when).then_some(c1);
    }
    let (t0, c0) = samples[after - 1];
    Some(c0 + (c1 - c0) * (when - t0) / (t1 - t0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_stat_line_whose_name_has_spaces_and_parentheses() {
        let line = "4167 (chromium (x) y) S 4038 4027 5900 0 -1 4194560 100 0 0 0 250 31 0 0 \
                    20 0 20 0 1 2 3";
        assert_eq!(parse_stat(line), Some((4027, 281)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn interpolates_between_samples_and_refuses_outside_them() {
        let samples = [(1000.0, 10.0), (1010.0, 20.0), (1020.0, 40.0)];
        assert_eq!(at(&samples, 1005.0), Some(15.0));
        assert_eq!(at(&samples, 1015.0), Some(30.0));
        assert_eq!(at(&samples, 1000.0), Some(10.0));
        assert_eq!(at(&samples, 999.0), None);
        assert_eq!(at(&samples, 1021.0), None);
    }

    #[test]
    fn samples_this_process_group() {
        // This test's own group: its CPU time only grows.
        let group = stat(std::process::id())
            .map(|(group, _)| group)
            .expect("a stat");
        let sampler = CpuSampler::start(group).expect("Linux has /proc");
        let from = epoch_ms() + 20.0;
        let busy = Instant::now();
        while busy.elapsed() < Duration::from_millis(300) {
            std::hint::black_box(busy.elapsed());
        }
        let to = epoch_ms() - 20.0;
        std::thread::sleep(Duration::from_millis(30));
        let used = sampler.cpu_ms(from, to).expect("samples cover the span");
        assert!(used >= 0.0, "{used}");
    }
}
