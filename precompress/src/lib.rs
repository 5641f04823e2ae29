//! Precompressed copies: `X.br` (brotli 11, 16 MiB window) and `X.gz` (gzip 9) next to a
//! file `X`, for servers that serve them as they are (tower-http's `ServeDir`, nginx's
//! `gzip_static`/`brotli_static`, most static hosts). `cargo xtask dist` makes them for
//! `dist/rustpy/`, the benchmark for its PyScript peers: one piece of code, so every
//! contender is compressed the same way.
//!
//! Brotli at its best setting takes minutes for the 19 MB module on one core, so results
//! are cached by content (the caller's cache folder, `$RUSTPY_CACHE/compressed/`), files
//! are compressed on all cores, and a file of [`SPLIT_AT`] bytes or more is itself
//! compressed on all cores: the `brotli` crate's `compress_multi` compresses one piece of
//! it per thread into one standard brotli stream (any decoder reads it), no larger than
//! one piece would give (it came out 1 % smaller for the module). The module was the
//! last file to finish by minutes: with an empty cache on a busy two-core machine the
//! folder took 154 s before and 124 s now (README, "Timings"; the module alone, 58 s on
//! two cores against ~150 s on one).

#![deny(missing_docs)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Numbers the partial copies being written, so that no two share a name.
static PARTIAL: AtomicUsize = AtomicUsize::new(0);

/// Writes `X.br` and `X.gz` for every file under `dir` (recursively), the way rustpy ships
/// its folder: brotli at its best, except a file of more than [`BIG_LIBRARY_FILE`] bytes
/// inside a `library/` folder (the stdlib's big bundles), at [`BIG_LIBRARY_BROTLI_QUALITY`].
/// One rule for `cargo xtask dist` and for a bundler's copy of the folder (the Vite
/// plugin's `assets/library/`), so the same files hit the same cache entries.
pub fn precompress_tree(dir: &Path, cache: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    files_under(dir, &mut files)?;
    let mut big = Vec::new();
    let mut rest = Vec::new();
    for path in files.into_iter().filter(|path| !is_compressed_copy(path)) {
        let in_library = path
            .strip_prefix(dir)
            .is_ok_and(|inside| inside.components().any(|c| c.as_os_str() == "library"));
        if in_library && std::fs::metadata(&path)?.len() > BIG_LIBRARY_FILE {
            big.push(path);
        } else {
            rest.push(path);
        }
    }
    precompress_files(rest, cache)?;
    precompress_files_at(big, cache, BIG_LIBRARY_BROTLI_QUALITY)
}

/// The brotli quality of the big files of a `library/` folder (those above
/// [`BIG_LIBRARY_FILE`] bytes): the stdlib's big bundles are 135 MB of its 170, each
/// fetched only by the pages importing it, and quality 11 would take most of an hour on
/// two cores.
pub const BIG_LIBRARY_BROTLI_QUALITY: u32 = 9;

/// From this size on a `library/` file is compressed at [`BIG_LIBRARY_BROTLI_QUALITY`]:
/// the common imports (`json`, `re`, `csv`, `pathlib`, `datetime`) stay below it.
pub const BIG_LIBRARY_FILE: u64 = 512 * 1024;

/// Writes `X.br` and `X.gz` next to each of `files`, on all cores, taking them from `cache`
/// when the same content was compressed before.
pub fn precompress_files(files: Vec<PathBuf>, cache: &Path) -> std::io::Result<()> {
    precompress_files_at(files, cache, BROTLI_BEST)
}

/// Brotli's best quality, which [`precompress_files`] uses.
pub const BROTLI_BEST: u32 = 11;

/// As [`precompress_files`], with brotli at `brotli_quality` (0 to 11): the big bundles of
/// rustpy's stdlib library are 135 MB, where quality 11 takes most of an hour on two cores
/// and quality 9 a few minutes, for copies about 13 % larger.
pub fn precompress_files_at(
    files: Vec<PathBuf>,
    cache: &Path,
    brotli_quality: u32,
) -> std::io::Result<()> {
    std::fs::create_dir_all(cache)?;
    // Largest first, so the long brotli runs start at once.
    let mut sized = files
        .into_iter()
        .map(|path| Ok((std::fs::metadata(&path)?.len(), path)))
        .collect::<std::io::Result<Vec<_>>>()?;
    sized.sort();
    let queue = Mutex::new(sized);
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> std::io::Result<()> {
                    loop {
                        let next = queue.lock().map_err(|_| poisoned())?.pop();
                        let Some((_, path)) = next else {
                            return Ok(());
                        };
                        precompress_file(&path, cache, brotli_quality)?;
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|handle| handle.join().map_err(|_| poisoned())?)
    })
}

fn poisoned() -> std::io::Error {
    std::io::Error::other("a compression thread panicked")
}

/// Appends to `found` every file under `dir`, recursively (folders themselves are not
/// listed), in the order the file system gives them.
pub fn files_under(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            files_under(&entry.path(), found)?;
        } else {
            found.push(entry.path());
        }
    }
    Ok(())
}

/// `file` with `extension` appended: `x.js` → `x.js.br`.
pub fn with_appended_extension(file: &Path, extension: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

/// True for `X.br` / `X.gz` (the copies this module writes).
pub fn is_compressed_copy(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
}

fn precompress_file(path: &Path, cache: &Path, brotli_quality: u32) -> std::io::Result<()> {
    let bytes = std::fs::read(path)?;
    let key = format!("{:016x}-{}", fnv1a(&bytes), bytes.len());
    for extension in ["br", "gz"] {
        // Copies at another brotli quality than the best are cached under their own name.
        let cached = match (extension, brotli_quality) {
            ("br", BROTLI_BEST) | ("gz", _) => cache.join(format!("{key}.{extension}")),
            _ => cache.join(format!("{key}.q{brotli_quality}.{extension}")),
        };
        if !cached.is_file() {
            // Files of the same content (tzdata's aliases), or two builds sharing the cache,
            // may compress the same bytes at once: each writes its own partial copy, and the
            // last rename wins with the same bytes.
            let partial = with_appended_extension(
                &cached,
                &format!(
                    "partial-{}-{}",
                    std::process::id(),
                    PARTIAL.fetch_add(1, Ordering::Relaxed)
                ),
            );
            let compressed = if extension == "br" && brotli_quality == BROTLI_BEST {
                brotli_best(&bytes)?
            } else if extension == "br" {
                brotli_at(&bytes, brotli_quality)?
            } else {
                gzip_best(&bytes)?
            };
            std::fs::write(&partial, compressed)?;
            std::fs::rename(&partial, &cached)?;
        }
        std::fs::copy(&cached, with_appended_extension(path, extension))?;
    }
    Ok(())
}

/// Files at least this large are brotli-compressed on all cores ([`brotli_split`]).
pub const SPLIT_AT: usize = 4 << 20;

/// Brotli at quality 11 with a 16 MiB window; on all cores for a file of [`SPLIT_AT`]
/// bytes or more.
pub fn brotli_best(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    if bytes.len() >= SPLIT_AT && threads > 1 {
        return brotli_split(bytes, threads);
    }
    brotli_at(bytes, BROTLI_BEST)
}

/// Brotli at `quality` with a 16 MiB window, on one thread.
fn brotli_at(bytes: &[u8], quality: u32) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: i32::try_from(quality.min(BROTLI_BEST)).unwrap_or(11),
        lgwin: 24,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

/// Owned input for `compress_multi`, which hands it to its threads.
struct Shared(Vec<u8>);

impl brotli::enc::SliceWrapper<u8> for Shared {
    fn slice(&self) -> &[u8] {
        &self.0
    }
}

/// Brotli at quality 11 with a 16 MiB window: `bytes` cut into `threads` pieces, each
/// compressed on its own thread, joined into one standard brotli stream.
pub fn brotli_split(bytes: &[u8], threads: usize) -> std::io::Result<Vec<u8>> {
    use brotli::enc::threading::{Owned, SendAlloc};
    use brotli::enc::{BrotliEncoderMaxCompressedSizeMulti, StandardAlloc, UnionHasher};
    let threads = threads.clamp(1, 16);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    let mut allocators: Vec<_> = (0..threads)
        .map(|_| SendAlloc::new(StandardAlloc::default(), UnionHasher::Uninit))
        .collect();
    let mut out = vec![0u8; BrotliEncoderMaxCompressedSizeMulti(bytes.len(), threads)];
    let written = brotli::enc::compress_multi(
        &params,
        &mut Owned::new(Shared(bytes.to_vec())),
        &mut out,
        &mut allocators,
    )
    .map_err(|error| std::io::Error::other(format!("brotli on {threads} threads: {error:?}")))?;
    out.truncate(written);
    Ok(out)
}

/// `bytes` as a complete `.gz` file, compressed at gzip's best level (9).
pub fn gzip_best(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(bytes)?;
    gzip.finish()
}

/// FNV-1a, 64 bits: a stable content key for the cache (not a security hash).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_compressed_on_several_threads_is_one_standard_stream() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("line {} of {}\n", i % 977, i % 13).into_bytes())
            .collect();
        let split = brotli_split(&text, 2).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &split[..], &mut decoded).unwrap();
        assert_eq!(decoded, text);
        let whole = brotli_at(&text, BROTLI_BEST).unwrap();
        assert!(split.len() < text.len() / 10);
        assert!(
            split.len() <= whole.len() + whole.len() / 10,
            "{} vs {}",
            split.len(),
            whole.len()
        );
    }

    #[test]
    fn copies_decompress_to_the_original_and_come_from_the_cache_the_second_time() {
        let base = std::env::temp_dir().join(format!("rustpy-compress-{}", std::process::id()));
        let (dir, cache) = (base.join("dist"), base.join("cache"));
        std::fs::create_dir_all(dir.join("library")).unwrap();
        let text = b"print('hello')\n".repeat(1000);
        std::fs::write(dir.join("library/a.bin"), &text).unwrap();
        precompress_tree(&dir, &cache).unwrap();
        let br = std::fs::read(dir.join("library/a.bin.br")).unwrap();
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut decoded).unwrap();
        assert_eq!(decoded, text);
        let gz = std::fs::read(dir.join("library/a.bin.gz")).unwrap();
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
        assert!(br.len() < text.len() / 10);
        // A second run finds the copies in the cache and does not compress them again:
        // a planted cache entry is what it copies.
        let key = format!("{:016x}-{}", fnv1a(&text), text.len());
        std::fs::write(cache.join(format!("{key}.br")), b"cached").unwrap();
        precompress_tree(&dir, &cache).unwrap();
        assert_eq!(
            std::fs::read(dir.join("library/a.bin.br")).unwrap(),
            b"cached"
        );
        // The copies themselves are never compressed again.
        assert!(!dir.join("library/a.bin.br.br").exists());
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn big_library_files_are_compressed_at_the_library_quality_wherever_the_library_sits() {
        let base = std::env::temp_dir().join(format!("rustpy-quality-{}", std::process::id()));
        let (dir, cache) = (base.join("bundle"), base.join("cache"));
        // A bundler's copy: the library under assets/, next to a big file outside it.
        std::fs::create_dir_all(dir.join("assets/library")).unwrap();
        let size = usize::try_from(BIG_LIBRARY_FILE).unwrap() + 1;
        let big: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let mut other = big.clone();
        other[0] = 1;
        std::fs::write(dir.join("assets/library/big.bin"), &big).unwrap();
        std::fs::write(dir.join("assets/module.wasm"), &other).unwrap();
        precompress_tree(&dir, &cache).unwrap();
        let key = |bytes: &[u8]| format!("{:016x}-{}", fnv1a(bytes), bytes.len());
        assert!(
            cache
                .join(format!("{}.q{BIG_LIBRARY_BROTLI_QUALITY}.br", key(&big)))
                .is_file()
        );
        assert!(!cache.join(format!("{}.br", key(&big))).exists());
        assert!(cache.join(format!("{}.br", key(&other))).is_file());
        std::fs::remove_dir_all(&base).unwrap();
    }
}
