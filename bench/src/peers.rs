//! The contenders and how they are served: rustpy's `dist/rustpy/` and the PyScript peers'
//! npm packages (`tests/bench/node_modules`), both precompressed (brotli -11, gzip -9) so
//! that no contender pays for compressing on the fly; the pages that start each of them.

use std::path::{Path, PathBuf};

use rustpy_precompress as precompress;
use serde_json::Value;

use crate::BoxError;

/// The interpreters compared, in the order of every table's columns.
pub const CONTENDERS: [&str; 3] = ["rustpy", "PyScript + MicroPython", "PyScript + Pyodide"];

/// The `?type=` of the PyScript pages, per contender (none for rustpy).
pub const PEER_TYPES: [&str; 3] = ["", "micropython", "pyodide"];

/// Which contenders to open: `--only NAME` keeps those whose name contains NAME
/// (case-insensitive); without it, all of them.
#[derive(Clone, Copy)]
pub struct Only<'a>(pub Option<&'a str>);

impl Only<'_> {
    /// Whether the contender (or page) `name` is opened.
    pub fn selects(self, name: &str) -> bool {
        self.0
            .is_none_or(|only| name.to_lowercase().contains(&only.to_lowercase()))
    }
}

/// The URL path of contender `index`'s boot page with `workers` worker tags.
pub fn boot_page(index: usize, workers: usize) -> String {
    match index {
        0 => format!("/bench/boot-rustpy.html?n={workers}"),
        _ => format!(
            "/bench/boot-pyscript.html?type={}&n={workers}",
            PEER_TYPES[index]
        ),
    }
}

/// The URL path of contender `index`'s task page with `query` (`task=...`).
pub fn task_page(index: usize, query: &str) -> String {
    match index {
        0 => format!("/bench/tasks-rustpy.html?{query}"),
        _ => format!(
            "/bench/tasks-pyscript.html?type={}&{query}",
            PEER_TYPES[index]
        ),
    }
}

/// The folders the servers serve, to find a served file on disk.
pub struct Files {
    /// `tests/pages`, served at `/`.
    pub pages: PathBuf,
    /// The `dist/rustpy/` served at `/rustpy/` (with its `.br` / `.gz` files).
    pub dist: PathBuf,
    /// The peers' `node_modules` served at `/node_modules/` (with `.br` / `.gz` files).
    pub peers: PathBuf,
}

impl Files {
    /// The file on disk a request `path` was answered from, if it is one of ours.
    pub fn file(&self, path: &str) -> Option<PathBuf> {
        let relative = |prefix: &str| path.strip_prefix(prefix).map(str::to_string);
        let file = if let Some(rest) = relative("/rustpy/") {
            self.dist.join(rest)
        } else if let Some(rest) = relative("/node_modules/") {
            self.peers.join(rest)
        } else {
            self.pages.join(path.trim_start_matches('/'))
        };
        file.is_file().then_some(file)
    }
}

/// Copies `source` into `copy` (only the files that changed) and writes a brotli -11
/// `X.br` and a gzip -9 `X.gz` next to every copied file of 1 KiB or more, for
/// `ServeDir::precompressed_br().precompressed_gzip()`: the peers' npm packages (and a
/// `dist/rustpy/` without them) are then served compressed exactly like rustpy's
/// precompressed `dist/`, at no compression cost per request. (tower-http's on-the-fly
/// `CompressionLayer` would compress each response again while the browser waits, at a
/// lower level for speed, slowing the peers' boot and sending them more bytes.) The copies
/// come from `rustpy_precompress`, as `cargo xtask dist`'s do, through its content cache
/// `cache`. Returns how many files were (re)compressed.
pub fn precompressed_copy(source: &Path, copy: &Path, cache: &Path) -> Result<usize, BoxError> {
    let mut files = Vec::new();
    precompress::files_under(source, &mut files)?;
    let mut jobs = Vec::new();
    for file in files {
        let relative = file.strip_prefix(source)?;
        let target = copy.join(relative);
        let from = std::fs::metadata(&file)?;
        // A copy carries its source's modification time: any other time means another
        // source (e.g. `--dist` of a different build) or a changed one.
        let stale = match std::fs::metadata(&target) {
            Ok(to) => to.len() != from.len() || from.modified()? != to.modified()?,
            Err(_) => true,
        };
        if stale {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(&file, &target)?;
            std::fs::File::options()
                .write(true)
                .open(&target)?
                .set_modified(from.modified()?)?;
        }
        let missing = ["br", "gz"]
            .iter()
            .any(|extension| !precompress::with_appended_extension(&target, extension).is_file());
        if !precompress::is_compressed_copy(&file) && from.len() >= 1024 && (stale || missing) {
            jobs.push(target);
        }
    }
    let count = jobs.len();
    if count > 0 {
        eprintln!(
            "compressing {count} files of {} into {} (brotli -11, gzip -9; once)",
            source.display(),
            copy.display()
        );
    }
    precompress::precompress_files(jobs, cache)?;
    Ok(count)
}

/// The `dist/rustpy/` to serve: `dir` itself when it has its precompressed files (as
/// `cargo xtask dist` writes them), else a copy with them under the cache.
pub fn served_dist(dir: &Path, cache: &Path) -> Result<PathBuf, BoxError> {
    if precompress::with_appended_extension(&dir.join("rustpy_wasm_bg.wasm"), "br").is_file() {
        return Ok(dir.to_path_buf());
    }
    eprintln!(
        "warning: {} has no precompressed rustpy_wasm_bg.wasm.br: serving a copy compressed \
         by the bench instead",
        dir.display()
    );
    let copy = cache.join("bench/dist-rustpy");
    precompressed_copy(dir, &copy, &cache.join("compressed"))?;
    Ok(copy)
}

/// The version of the npm package at `folder` (its package.json), or `?`.
pub fn package_version(folder: &Path) -> String {
    std::fs::read_to_string(folder.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|json| json["version"].as_str().map(str::to_string))
        .unwrap_or_else(|| "?".to_string())
}
