//! rustpy's tasks, run as `cargo xtask <task>` (after `./dev setup` installed the tools):
//!
//! - `dist`: builds the wasm module and writes the self-contained `dist/rustpy/`
//!   (`dist --no-compress`: without the brotli/gzip copies, for quick edit-and-test rounds);
//! - `package`: the npm package `dist/rustpy-<version>.tgz` of the built `dist/rustpy/`
//!   (`rustpy-package`);
//! - `size`: prints the sizes of `dist/rustpy/` files, raw, gzip and brotli;
//! - `test`: `dist`, then every native test and the browser suite in Chromium, the browser
//!   suite again in Firefox and in WebKit (one engine after the other, see `ENGINES`), then
//!   a trunk build of the demo;
//! - `bench`: `dist`, then the browser benchmark (`bench/`, crate `rustpy-bench`);
//! - `wire`: writes `web/shared/wire.js`, the protocol's constants for the page,
//!   from their definition in `rustpy-bridge` (a bridge test fails while it is stale).
//!
//! Builds go to a target folder outside the checkout (`$RUSTPY_CACHE`, by default
//! `~/.cache/rustpy`), so fresh clones on the same machine reuse them.

#![deny(missing_docs)]

mod package;
mod web;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Why a task failed.
#[derive(Debug, thiserror::Error)]
enum TaskError {
    #[error("usage: cargo xtask <dist [--no-compress]|package|size|test|bench|wire>")]
    Usage,
    #[error("`{command}` failed ({status})")]
    Failed { command: String, status: String },
    #[error("`{command}` could not start: {source}; run `./dev setup` to install the tools")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Setup(String),
    #[error("{0}")]
    Package(#[from] rustpy_package::PackageError),
}

fn main() {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "dist" => match std::env::args().nth(2).as_deref() {
            None => dist(Compress::Yes),
            Some("--no-compress") => dist(Compress::No),
            Some(_) => Err(TaskError::Usage),
        },
        "package" => package::package(),
        "size" => size(),
        "test" => test(),
        "bench" => bench(),
        "wire" => wire(),
        _ => Err(TaskError::Usage),
    };
    if let Err(error) = result {
        eprintln!("xtask {task}: {error}");
        std::process::exit(1);
    }
}

/// Writes the protocol's constants for the page's JavaScript (`rustpy_bridge::js`).
fn wire() -> Result<(), TaskError> {
    let path = root().join(rustpy_bridge::js::WIRE_MODULE_PATH);
    std::fs::write(&path, rustpy_bridge::js::wire_module())?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

/// The workspace root. Read at run time: the build cache is shared between checkouts, so a
/// binary built in one clone may run for another (`cargo run` sets `CARGO_MANIFEST_DIR`).
fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("xtask/ is inside the workspace")
        .to_path_buf()
}

/// The folder where builds are cached across checkouts.
fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RUSTPY_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    home.join(".cache/rustpy")
}

/// Echoes `command` as it is shown in logs and errors; returns that text.
fn announce(command: &Command) -> String {
    let shown = format!("{command:?}").replace('"', "");
    eprintln!("xtask: {shown}");
    shown
}

/// The error for a command that could not start.
fn spawn_failed(shown: &str) -> impl FnOnce(std::io::Error) -> TaskError + '_ {
    move |source| TaskError::Spawn {
        command: shown.to_string(),
        source,
    }
}

/// `Ok` if the command succeeded, else the error naming it and its exit status.
fn check_status(shown: String, status: std::process::ExitStatus) -> Result<(), TaskError> {
    if status.success() {
        Ok(())
    } else {
        Err(TaskError::Failed {
            command: shown,
            status: status.to_string(),
        })
    }
}

fn run(command: &mut Command) -> Result<(), TaskError> {
    let shown = announce(command);
    let status = command.status().map_err(spawn_failed(&shown))?;
    check_status(shown, status)
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

/// The wasm-bindgen version in Cargo.lock: the CLI must be exactly that one.
fn locked_wasm_bindgen_version() -> Result<String, TaskError> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_string());
        }
    }
    Err(TaskError::Setup(
        "Cargo.lock has no wasm-bindgen entry".into(),
    ))
}

fn check_wasm_bindgen_cli() -> Result<(), TaskError> {
    let wanted = locked_wasm_bindgen_version()?;
    let output = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .map_err(|source| TaskError::Spawn {
            command: "wasm-bindgen --version".into(),
            source,
        })?;
    let found = String::from_utf8_lossy(&output.stdout);
    if !found.split_whitespace().any(|word| word == wanted) {
        return Err(TaskError::Setup(format!(
            "wasm-bindgen CLI is `{}`, Cargo.lock needs {wanted}: run `./dev setup`",
            found.trim()
        )));
    }
    Ok(())
}

/// Whether `dist` writes the precompressed copies of `dist/rustpy/`.
#[derive(Clone, Copy, PartialEq)]
enum Compress {
    Yes,
    No,
}

fn dist(compress: Compress) -> Result<(), TaskError> {
    check_wasm_bindgen_cli()?;
    let target_dir = cache_dir().join("target-wasm");
    let started = Instant::now();
    let messages = run_capturing(
        cargo()
            .args([
                "build",
                // Cargo.toml's `wasm-release`: fat LTO, one codegen unit.
                "--profile",
                "wasm-release",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "rustpy-wasm",
                "--message-format=json-render-diagnostics",
            ])
            .arg("--target-dir")
            .arg(&target_dir),
    )?;
    let library = library_build_dir(&messages)?;
    eprintln!(
        "xtask: wasm build took {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let wasm = target_dir.join("wasm32-unknown-unknown/wasm-release/rustpy_wasm.wasm");
    let out = root().join("dist/rustpy");
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    run(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            // Function names (2 MB) only help reading a panic's stack: not worth shipping.
            "--remove-name-section",
            "--remove-producers-section",
            "--out-name",
            "rustpy_wasm",
            "--out-dir",
        ])
        .arg(&out)
        .arg(&wasm))?;
    web::build(&out)?;
    // The stdlib modules loaded on first import (interp/build.rs, `_rustpy_lazy.py`).
    copy_tree(&library, &out.join("library"))?;
    for entry in std::fs::read_dir(&out)?.flatten() {
        eprintln!(
            "xtask: {:>10} bytes  {}",
            entry.metadata()?.len(),
            entry.path().display()
        );
    }
    if compress == Compress::No {
        // The folder was written anew above: no stale .br/.gz copy is left to be served.
        eprintln!("xtask: --no-compress: no brotli/gzip copies written");
        return Ok(());
    }
    let started = Instant::now();
    rustpy_precompress::precompress_tree(&out, &cache_dir().join("compressed"))?;
    eprintln!(
        "xtask: precompressed dist/rustpy/ (brotli, gzip) in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Copies the folder `from` to `to`, subfolders included.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Runs a cargo command whose stdout is JSON messages; returns them.
fn run_capturing(command: &mut Command) -> Result<String, TaskError> {
    let shown = announce(command);
    let output = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(spawn_failed(&shown))?;
    check_status(shown, output.status)?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The `library/` folder `rustpy-interp`'s build script wrote, from cargo's JSON messages.
fn library_build_dir(messages: &str) -> Result<PathBuf, TaskError> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "build-script-executed")
        .filter(|message| {
            message["package_id"]
                .as_str()
                .is_some_and(|id| id.contains("rustpy-interp"))
        })
        .find_map(|message| message["out_dir"].as_str().map(PathBuf::from))
        .map(|out_dir| out_dir.join("library"))
        .ok_or_else(|| {
            TaskError::Setup("cargo reported no build script output for rustpy-interp".into())
        })
}

/// Prints the size of each file of `dist/rustpy/` as built and as served (its `.gz` and
/// `.br` copies), and the totals of `library/`.
fn size() -> Result<(), TaskError> {
    let out = root().join("dist/rustpy");
    let served = |path: &std::path::Path| -> Result<[u64; 3], TaskError> {
        let mut sizes = [std::fs::metadata(path)?.len(), 0, 0];
        for (slot, extension) in [(1, "gz"), (2, "br")] {
            let mut copy = path.as_os_str().to_owned();
            copy.push(format!(".{extension}"));
            sizes[slot] = std::fs::metadata(PathBuf::from(copy))
                .map_err(|_| {
                    TaskError::Setup("no precompressed copies: run `cargo xtask dist`".into())
                })?
                .len();
        }
        Ok(sizes)
    };
    let files = |dir: &std::path::Path| -> Result<Vec<PathBuf>, TaskError> {
        let mut files: Vec<_> = std::fs::read_dir(dir)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && !rustpy_precompress::is_compressed_copy(p))
            .collect();
        files.sort();
        Ok(files)
    };
    println!(
        "{:<28} {:>12} {:>12} {:>12}",
        "dist/rustpy/", "raw", "gzip -9", "brotli -11"
    );
    for path in files(&out)? {
        let [raw, gzip, brotli] = served(&path)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!("{name:<28} {raw:>12} {gzip:>12} {brotli:>12}");
    }
    for (folder, what) in [("library", "bundles"), ("library/one", "modules")] {
        let files = files(&out.join(folder))?;
        let mut total = [0u64; 3];
        for path in &files {
            for (sum, size) in total.iter_mut().zip(served(path)?) {
                *sum += size;
            }
        }
        let label = format!("{folder}/ ({} {what})", files.len());
        println!(
            "{label:<28} {:>12} {:>12} {:>12}",
            total[0], total[1], total[2]
        );
    }
    Ok(())
}

fn test() -> Result<(), TaskError> {
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    dist(Compress::Yes)?;
    // Native unit tests and the browser suite in the first engine (which serves the fresh
    // dist/); then the browser suite in each other engine, one after the other: two
    // browsers at once on two cores would make timings flaky.
    let mut runs = Vec::new();
    for (index, engine) in ENGINES.into_iter().enumerate() {
        let mut command = cargo();
        command.env(ENGINE_VARIABLE, engine).arg("test");
        if index == 0 {
            command.arg("--workspace");
        } else {
            command.args(["-p", "rustpy-e2e"]);
        }
        command.args(["--no-fail-fast", "--", "--test-threads=2"]);
        let started = Instant::now();
        let counted = run_counting_tests(&mut command)?;
        runs.push((engine, counted, started.elapsed()));
    }
    // The demo must keep building with trunk (offline, with the installed wasm-bindgen).
    let demo = run(Command::new("trunk")
        .current_dir(root())
        .args(["build", "--offline", "--dist"])
        .arg(cache_dir().join("demo-dist")));
    // One plain closing line per engine (cargo's own last line is a doc-test crate's).
    let mut failure = None;
    for (engine, (passed, failed, tests), took) in runs {
        println!(
            "xtask test: {engine}: {passed} passed, {failed} failed ({:.0} s)",
            took.as_secs_f64()
        );
        failure = failure.or(tests.err());
    }
    failure.map_or(demo, Err)
}

/// The variable the browser suite reads its engine from (`rustpy_e2e::engines`).
const ENGINE_VARIABLE: &str = "RUSTPY_BROWSER";
/// The engines `test` runs the browser suite in, in order (the first with the native tests).
/// WebKit runs with its optimising wasm tier off (`rustpy_e2e::engines::JSC_OMG_VARIABLE`;
/// README, "Testing in each engine").
const ENGINES: [&str; 3] = ["chromium", "firefox", "webkit"];

/// Runs `cargo test`, echoing its output and adding up its `test result:` lines.
fn run_counting_tests(
    command: &mut Command,
) -> Result<(u64, u64, Result<(), TaskError>), TaskError> {
    use std::io::BufRead as _;
    let shown = announce(command);
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(spawn_failed(&shown))?;
    let (mut passed, mut failed) = (0, 0);
    if let Some(stdout) = child.stdout.take() {
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            if let Some(result) = line.strip_prefix("test result: ") {
                passed += count_before(result, " passed");
                failed += count_before(result, " failed");
            }
        }
    }
    let status = child.wait()?;
    Ok((passed, failed, check_status(shown, status)))
}

/// The number just before `label` in a line such as `ok. 3 passed; 0 failed; ...`.
fn count_before(text: &str, label: &str) -> u64 {
    text.split(';')
        .find_map(|part| {
            part.trim()
                .trim_start_matches("ok. ")
                .trim_start_matches("FAILED. ")
                .strip_suffix(label.trim_start())
        })
        .and_then(|number| number.trim().parse().ok())
        .unwrap_or(0)
}

fn bench() -> Result<(), TaskError> {
    dist(Compress::Yes)?;
    // PyScript and its interpreters, pinned in tests/bench/package-lock.json.
    let peers = root().join("tests/bench");
    if !peers.join("node_modules/@pyscript/core").is_dir() {
        run(Command::new("npm")
            .current_dir(&peers)
            .args(["ci", "--no-audit", "--no-fund"]))?;
    }
    run(cargo().args(["run", "--release", "-p", "rustpy-bench", "--bin", "bench"]))
}

#[cfg(test)]
mod tests {
    use super::count_before;

    #[test]
    fn reads_cargo_test_result_lines() {
        let ok = "ok. 14 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1s";
        assert_eq!(count_before(ok, " passed"), 14);
        assert_eq!(count_before(ok, " failed"), 0);
        let bad = "FAILED. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(count_before(bad, " passed"), 7);
        assert_eq!(count_before(bad, " failed"), 2);
    }
}
