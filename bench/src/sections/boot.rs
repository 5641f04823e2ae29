//! The boot section (`--boot-only`): navigation start (`performance.timeOrigin`) → the wall
//! clock taken by the first statement of a worker tag's script (`boot-*.html`,
//! `boot-worker-*.py`), cold (a fresh browser profile: no HTTP or code cache) and warm (the
//! page loaded again; the boot server sends `Cache-Control: max-age`), and four worker tags
//! booting at once (warm: navigation → the last of the four), and one worker with 20
//! generated modules (200 KB) in its config's `files` (warm interpreter, the files fetched
//! for the first time: issue 24); the response body bytes the
//! server sent for the cold and the warm load, as sent (compressed), counted by the test
//! server. A fresh browser per contender and round.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use rustpy_e2e::browser::Browser;
use rustpy_e2e::server::{Served, TestServer};
use rustpy_precompress as precompress;
use serde_json::Value;

use crate::BoxError;
use crate::peers::{CONTENDERS, Files, boot_page};
use crate::rounds::brief;
use crate::stats::Figures;
use crate::table::{Row, Section, did_not_run, number, skipped, summary};

use super::{Ctx, RUNS};

/// How many workers the concurrency figure boots at once.
const CONCURRENT: usize = 4;

/// How long the bench waits for a boot page (its own limit is 240 s).
const BOOT_WAIT: Duration = Duration::from_secs(300);

/// How long the boot server lets the browser cache a file (the warm loads use it).
pub const MAX_AGE: u32 = 3600;

/// How many generated modules the "app files" boot gives its worker in the config's
/// `files` ([`write_app_files`]), each about [`APP_FILE_BYTES`]: issue 24's 20 files, 200 KB.
pub const APP_FILES: usize = 20;

/// The size of each generated app file, about.
const APP_FILE_BYTES: usize = 10_000;

/// Writes the app files into `folder`/app (served at `/bench-data/app/`, as `bootFiles` in
/// bench.js names them) unless they are there already; returns their total size in bytes.
pub fn write_app_files(folder: &Path) -> Result<usize, BoxError> {
    let app = folder.join("app");
    std::fs::create_dir_all(&app)?;
    let mut total = 0;
    for index in 0..APP_FILES {
        let mut text = format!(
            "\"\"\"Module {index} of the boot benchmark's generated app (bench/src/sections/boot.rs).\"\"\"\n\nVALUES = [\n"
        );
        let mut value = 0;
        while text.len() < APP_FILE_BYTES - 60 {
            let _ = writeln!(text, "    {},", value * 7919 + index);
            value += 1;
        }
        text.push_str("]\n\n\ndef total():\n    return sum(VALUES)\n");
        let path = app.join(format!("mod{index:02}.py"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, &text)?;
        }
        total += text.len();
    }
    Ok(total)
}

/// One boot run of one contender, in a fresh browser.
struct BootRun {
    cold: f64,
    warm: f64,
    /// Warm, with [`APP_FILES`] generated modules in the config's `files`, fetched for the
    /// first time (the interpreter's files come from the HTTP cache).
    with_files: f64,
    concurrent: f64,
    cold_served: BTreeMap<String, Served>,
    warm_served: BTreeMap<String, Served>,
}

/// The boot section's runs so far, per contender.
pub struct Boot {
    /// How many rounds the section makes.
    pub rounds: usize,
    runs: [Vec<BootRun>; 3],
    attempts: [usize; 3],
}

impl Boot {
    /// The section, before its first round.
    pub fn new(ctx: &Ctx<'_>) -> Self {
        Self {
            rounds: ctx.rounds(RUNS),
            runs: Default::default(),
            attempts: [0; 3],
        }
    }

    /// One run of each selected contender, each in a fresh browser.
    pub async fn round(&mut self, ctx: &Ctx<'_>, round: usize) -> Result<(), BoxError> {
        // The shared browser idles on a blank page meanwhile (no worker of its left running).
        ctx.browser.open("about:blank").await?;
        for (index, name) in CONTENDERS.iter().enumerate() {
            if !ctx.only.selects(name) {
                continue;
            }
            self.attempts[index] += 1;
            let prefix = format!("boot round {}/{} {name}", round + 1, self.rounds);
            match boot_run(ctx.cached, index).await {
                Ok(run) => {
                    eprintln!(
                        "{prefix}: cold {:.1} ms, warm {:.1} ms, warm with {APP_FILES} app \
                         files {:.1} ms, {CONCURRENT} at once {:.1} ms, {} B cold, {} B warm",
                        run.cold,
                        run.warm,
                        run.with_files,
                        run.concurrent,
                        total_bytes(&run.cold_served),
                        total_bytes(&run.warm_served)
                    );
                    self.runs[index].push(run);
                }
                Err(error) => eprintln!("{prefix}: FAILED: {}", brief(&error.to_string())),
            }
        }
        Ok(())
    }

    /// The section's report and rows.
    pub fn finish(self, ctx: &Ctx<'_>) -> Result<Section, BoxError> {
        let of = |index: usize, pick: &dyn Fn(&BootRun) -> f64| Figures {
            values: self.runs[index].iter().map(pick).collect(),
            attempts: self.attempts[index],
        };
        let each = |pick: &dyn Fn(&BootRun) -> f64| [0, 1, 2].map(|index| of(index, pick));
        let cold = each(&|run| run.cold);
        let warm = each(&|run| run.warm);
        let with_files = each(&|run| run.with_files);
        let files_cost = each(&|run| run.with_files / run.warm);
        let concurrent = each(&|run| run.concurrent);
        let per_one = each(&|run| run.concurrent / run.warm);
        let cold_bytes = each(&|run| total_bytes(&run.cold_served) / 1000.0);
        let warm_bytes = each(&|run| total_bytes(&run.warm_served) / 1000.0);
        let mut report = format!(
            "boot: navigation -> a worker's first statement, {} rounds, a fresh browser per \
             contender and round (cold), then the page again (warm, files from the HTTP cache: \
             max-age={MAX_AGE}), then {CONCURRENT} worker tags at once (warm)\n",
            self.rounds
        );
        let mut offline: [Figures; 3] = Default::default();
        let mut raw: [Figures; 3] = Default::default();
        let mut gzipped: [Figures; 3] = Default::default();
        let mut accepted = BTreeSet::new();
        for (index, name) in CONTENDERS.iter().enumerate() {
            if !ctx.only.selects(name) {
                report += &skipped(name);
                continue;
            }
            if cold[index].values.is_empty() {
                report += &did_not_run(name);
                continue;
            }
            report += &summary(&format!("{name}: boot, cold"), "ms", &cold[index]);
            report += &summary(&format!("{name}: boot, warm"), "ms", &warm[index]);
            report += &summary(
                &format!("{name}: boot, warm, {APP_FILES} app files fetched"),
                "ms",
                &with_files[index],
            );
            report += &summary(
                &format!("{name}: {CONCURRENT} workers at once, warm"),
                "ms",
                &concurrent[index],
            );
            report += &summary(
                &format!("{name}: bytes sent, cold load"),
                "KB",
                &cold_bytes[index],
            );
            report += &summary(
                &format!("{name}: bytes sent, warm load"),
                "KB",
                &warm_bytes[index],
            );
            if let Some(run) = self.runs[index].last() {
                let served = &run.cold_served;
                let (parts, accept) = breakdown(served);
                accepted.extend(accept);
                let [r, g, b] = offline_sizes(ctx.files, served);
                writeln!(report, "  {name}, cold load (last run): {parts}")?;
                writeln!(
                    report,
                    "  {name}, the same files offline: raw {} B, gzip -9 {} B, brotli -11 {} B",
                    number(r as f64),
                    number(g as f64),
                    number(b as f64)
                )?;
                raw[index] = Figures::all(vec![r as f64 / 1000.0]);
                gzipped[index] = Figures::all(vec![g as f64 / 1000.0]);
                offline[index] = Figures::all(vec![b as f64 / 1000.0]);
            }
        }
        let accepted: Vec<String> = accepted.into_iter().collect();
        writeln!(
            report,
            "  Accept-Encoding sent by the browser (http://127.0.0.1): {}",
            accepted.join(" | ")
        )?;
        let rows = vec![
            Row::new("boot to first statement, cold", "ms", cold),
            Row::new("boot to first statement, warm", "ms", warm),
            Row::new(
                format!(
                    "boot to first statement with {APP_FILES} app files (200 KB) in config \
                     files, fetched, interpreter warm"
                ),
                "ms",
                with_files,
            )
            .with_note(format!(
                "{APP_FILES} generated modules of ~10 KB each, PyScript's `files` form for \
                 every contender (bootFiles in bench.js); the worker counts them in ./app \
                 before the page takes its stamp"
            )),
            Row::new(
                format!("boot with {APP_FILES} app files / warm boot without"),
                "×",
                files_cost,
            ),
            Row::new(
                format!("{CONCURRENT} workers booting at once, warm, to the last"),
                "ms",
                concurrent,
            ),
            Row::new(
                format!("{CONCURRENT} workers at once / 1 worker"),
                "×",
                per_one,
            ),
            Row::new(
                "bytes sent for a bare worker, cold, as served",
                "KB",
                cold_bytes,
            )
            .with_note(format!(
                "response bodies counted by the test server, compressed as sent; the \
                     browser sent `Accept-Encoding: {}` and every file has a brotli -11 and a \
                     gzip -9 variant (see the boot section for the split per folder)",
                accepted.join(" | ")
            )),
            Row::new("the same files, brotli -11 (offline)", "KB", offline),
            Row::new("the same files, gzip -9 (offline)", "KB", gzipped),
            Row::new("the same files, uncompressed", "KB", raw),
            Row::new("bytes sent for a bare worker, warm", "KB", warm_bytes),
        ];
        Ok(Section { report, rows })
    }
}

/// Opens a boot page and returns navigation start → the last worker's first statement, ms.
async fn boot_ms(browser: &Browser, url: &str, workers: usize) -> Result<f64, BoxError> {
    let page = browser.open(url).await?;
    let result = page
        .wait_for_quietly("window.benchResult", BOOT_WAIT)
        .await?;
    if let Some(error) = result.get("error") {
        return Err(brief(error.as_str().unwrap_or_default()).into());
    }
    let origin = result["origin"]
        .as_f64()
        .ok_or("the boot page published no origin")?;
    let stamps: Vec<f64> = result["stamps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64)
        .collect();
    if stamps.len() < workers {
        return Err(format!("{} stamps for {workers} workers", stamps.len()).into());
    }
    let last = stamps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(last - origin)
}

/// Waits until the server's byte counts stop moving (a worker may still be fetching when
/// its first statement runs), at most 5 s; returns the last snapshot.
async fn settled(server: &TestServer) -> BTreeMap<String, Served> {
    let total = |s: &BTreeMap<String, Served>| -> Vec<(u64, u64)> {
        s.values().map(|v| (v.bytes, v.responses)).collect()
    };
    let mut last = server.bytes_served();
    for _ in 0..25 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = server.bytes_served();
        if total(&now) == total(&last) {
            return now;
        }
        last = now;
    }
    last
}

/// The sum of body bytes in a snapshot.
fn total_bytes(served: &BTreeMap<String, Served>) -> f64 {
    served.values().map(|s| s.bytes).sum::<u64>() as f64
}

async fn boot_run(server: &TestServer, index: usize) -> Result<BootRun, BoxError> {
    let browser = Browser::start().await?;
    let single = server.url(&boot_page(index, 1));
    server.reset_bytes_served();
    let cold = boot_ms(&browser, &single, 1).await?;
    let cold_served = settled(server).await;
    server.reset_bytes_served();
    let warm = boot_ms(&browser, &single, 1).await?;
    let warm_served = settled(server).await;
    let files = server.url(&format!("{}&files={APP_FILES}", boot_page(index, 1)));
    let with_files = boot_ms(&browser, &files, 1).await?;
    let several = server.url(&boot_page(index, CONCURRENT));
    let concurrent = boot_ms(&browser, &several, CONCURRENT).await?;
    browser.close().await?;
    Ok(BootRun {
        cold,
        warm,
        with_files,
        concurrent,
        cold_served,
        warm_served,
    })
}

/// Raw, gzip -9 and brotli -11 sizes of the files of a snapshot (those found on disk; the
/// `.gz` / `.br` next to a file when there is one, else compressed here).
fn offline_sizes(files: &Files, served: &BTreeMap<String, Served>) -> [u64; 3] {
    let mut sizes = [0; 3];
    for path in served.keys() {
        let Some(file) = files.file(path) else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        let variant = |extension: &str, compress: fn(&[u8]) -> std::io::Result<Vec<u8>>| {
            std::fs::metadata(precompress::with_appended_extension(&file, extension))
                .map(|m| m.len())
                .or_else(|_| compress(&bytes).map(|c| c.len() as u64))
                .unwrap_or(bytes.len() as u64)
        };
        sizes[0] += bytes.len() as u64;
        sizes[1] += variant("gz", precompress::gzip_best);
        sizes[2] += variant("br", precompress::brotli_best);
    }
    sizes
}

/// Groups a snapshot by origin of the files (`/rustpy/`, each `/node_modules/` package,
/// the bench's own pages): `group: bytes as sent (encodings)`, and the `Accept-Encoding`
/// values the browser sent.
fn breakdown(served: &BTreeMap<String, Served>) -> (String, BTreeSet<String>) {
    let mut groups: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    let mut accepted = BTreeSet::new();
    for (path, entry) in served {
        let group = if let Some(rest) = path.strip_prefix("/node_modules/") {
            let mut parts = rest.split('/');
            let first = parts.next().unwrap_or_default();
            let package = if first.starts_with('@') {
                format!("{first}/{}", parts.next().unwrap_or_default())
            } else {
                first.to_string()
            };
            format!("/node_modules/{package}/")
        } else if path.starts_with("/rustpy/") {
            "/rustpy/".to_string()
        } else {
            "pages".to_string()
        };
        let slot = groups.entry(group).or_default();
        slot.0 += entry.bytes;
        let encoding = match entry.content_encoding.as_str() {
            "" => "identity",
            other => other,
        };
        if entry.bytes > 0 {
            slot.1.insert(encoding.to_string());
        }
        if !entry.accept_encoding.is_empty() {
            accepted.insert(entry.accept_encoding.clone());
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(group, (bytes, encodings))| {
            let encodings: Vec<&str> = encodings.iter().map(String::as_str).collect();
            format!(
                "{group} {} B ({})",
                number(*bytes as f64),
                encodings.join("+")
            )
        })
        .collect();
    (parts.join(", "), accepted)
}
