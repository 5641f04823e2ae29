//! Times the precompression of a folder as on a fresh machine: a copy of it (without its
//! `.br`/`.gz` copies) compressed with an empty cache. The README's timings come from
//!
//!     cargo run --release -p rustpy-precompress --example timing -- dist/rustpy

use std::path::{Path, PathBuf};
use std::time::Instant;

fn copy_originals(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            copy_originals(&path, &to.join(entry.file_name()))?;
        } else if !rustpy_precompress::is_compressed_copy(&path) {
            std::fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let folder = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .ok_or_else(|| std::io::Error::other("usage: timing <folder>"))?;
    let scratch = std::env::temp_dir().join(format!("rustpy-timing-{}", std::process::id()));
    let (copy, cache) = (scratch.join("folder"), scratch.join("cache"));
    copy_originals(&folder, &copy)?;
    let started = Instant::now();
    rustpy_precompress::precompress_tree(&copy, &cache)?;
    let took = started.elapsed().as_secs_f64();
    let again = Instant::now();
    rustpy_precompress::precompress_tree(&copy, &cache)?;
    println!(
        "{}: {took:.1} s with an empty cache, {:.1} s from the cache",
        folder.display(),
        again.elapsed().as_secs_f64()
    );
    std::fs::remove_dir_all(&scratch)
}
