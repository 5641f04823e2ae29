//! rustpy's npm package, written the way `npm pack` lays one out: a gzipped tar whose
//! entries sit under `package/`. It holds `dist/rustpy/` (with its precompressed copies),
//! `package.json` (made here, see [`manifest`]), the npm README, `LICENSE`, the TypeScript
//! types and the Vite plugin (`package/files/`), and nothing else.
//!
//! Written with the `tar` and `flate2` crates rather than by running `npm pack`: no
//! node needed to build it, and fixed timestamps and order make the same inputs give the
//! same bytes.

#![deny(missing_docs)]

pub mod manifest;

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The timestamp of every entry: the one `npm pack` writes (1985-10-26 08:15 UTC), so the
/// tarball depends only on the files.
const MTIME: u64 = 499_162_500;

/// The package's files beyond `dist/rustpy/`: (where in the workspace, name in the package).
const EXTRA_FILES: [(&str, &str); 5] = [
    ("LICENSE", "LICENSE"),
    ("package/files/README.md", "README.md"),
    ("package/files/rustpy.d.ts", "rustpy.d.ts"),
    ("package/files/vite.js", "vite.js"),
    ("package/files/vite.d.ts", "vite.d.ts"),
];

/// Why the package could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// `dist/rustpy/` has not been built.
    #[error("{0} is missing: build it first with `cargo xtask dist`")]
    MissingDist(PathBuf),
    /// A file could not be read or the tarball written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A path that is not UTF-8 (npm needs text names).
    #[error("{0}: the package's file names must be UTF-8")]
    NotUtf8(PathBuf),
}

/// One file in the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path inside the package (`library/json.bin`), without the `package/` prefix.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A written package.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The tarball, `rustpy-<version>.tgz`.
    pub path: PathBuf,
    /// Its size in bytes.
    pub packed_bytes: u64,
    /// Its files, in the tarball's order.
    pub entries: Vec<Entry>,
}

impl Packed {
    /// The bytes of every file, unpacked (what `node_modules/rustpy/` holds).
    pub fn unpacked_bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.bytes).sum()
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PackageError + '_ {
    move |source| PackageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `rustpy-<version>.tgz` into `out_dir` from the workspace at `root` (which must
/// hold a built `dist/rustpy/`).
pub fn pack(root: &Path, out_dir: &Path) -> Result<Packed, PackageError> {
    let dist = root.join("dist/rustpy");
    if !dist.join("rustpy.js").is_file() {
        return Err(PackageError::MissingDist(dist));
    }
    let mut files = Vec::new(); // (name in the package, file on disk)
    collect(&dist, "", &mut files)?;
    for (source, name) in EXTRA_FILES {
        files.push((name.to_string(), root.join(source)));
    }
    files.sort();
    let mut top: Vec<String> = files
        .iter()
        .map(|(name, _)| match name.split_once('/') {
            Some((folder, _)) => format!("{folder}/"),
            None => name.clone(),
        })
        .collect();
    top.dedup();
    let manifest = manifest::package_json(&top);
    let mut manifest_text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| io_error(Path::new("package.json"))(e.into()))?;
    manifest_text.push('\n');

    std::fs::create_dir_all(out_dir).map_err(io_error(out_dir))?;
    let path = out_dir.join(format!("{}-{}.tgz", manifest::NAME, manifest::VERSION));
    let file = File::create(&path).map_err(io_error(&path))?;
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    let mut entries = Vec::new();
    // package.json first, as npm writes it.
    append(&mut tar, "package.json", manifest_text.as_bytes(), &path)?;
    entries.push(Entry {
        name: "package.json".into(),
        bytes: manifest_text.len() as u64,
    });
    for (name, source) in &files {
        let bytes = std::fs::read(source).map_err(io_error(source))?;
        append(&mut tar, name, &bytes, &path)?;
        entries.push(Entry {
            name: name.clone(),
            bytes: bytes.len() as u64,
        });
    }
    let gzip = tar.into_inner().map_err(io_error(&path))?;
    gzip.finish()
        .and_then(|mut file| file.flush())
        .map_err(io_error(&path))?;
    let packed_bytes = std::fs::metadata(&path).map_err(io_error(&path))?.len();
    Ok(Packed {
        path,
        packed_bytes,
        entries,
    })
}

/// Adds `bytes` as `package/<name>` (mode 644, npm's fixed timestamp).
fn append<W: std::io::Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
    tarball: &Path,
) -> Result<(), PackageError> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(MTIME);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, format!("package/{name}"), bytes)
        .map_err(io_error(tarball))
}

/// Lists the files under `dir` as (`prefix` + relative name, path), subfolders included.
fn collect(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<(), PackageError> {
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let path = entry.path();
        let name = entry
            .file_name()
            .into_string()
            .map_err(|_| PackageError::NotUtf8(path.clone()))?;
        let kind = entry.file_type().map_err(io_error(&path))?;
        if kind.is_dir() {
            collect(&path, &format!("{prefix}{name}/"), out)?;
        } else {
            out.push((format!("{prefix}{name}"), path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    /// A workspace with a tiny `dist/rustpy/` and the package's own files.
    fn fake_root(name: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("rustpy-package-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in [
            ("dist/rustpy/rustpy.js", "export {};"),
            ("dist/rustpy/rustpy.js.br", "br"),
            ("dist/rustpy/library/json.bin", "bin"),
            ("LICENSE", "MIT"),
            ("package/files/README.md", "# rustpy"),
            ("package/files/rustpy.d.ts", "export {};"),
            ("package/files/vite.js", "export default () => ({});"),
            ("package/files/vite.d.ts", "export {};"),
        ] {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        root
    }

    #[test]
    fn packs_npm_layout_with_package_json_first() {
        let root = fake_root("layout");
        let packed = pack(&root, &root.join("out")).unwrap();
        assert!(
            packed
                .path
                .ends_with(format!("rustpy-{}.tgz", manifest::VERSION))
        );
        let mut names = Vec::new();
        let mut manifest_text = String::new();
        let file = File::open(&packed.path).unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            assert_eq!(entry.header().mtime().unwrap(), MTIME);
            if name == "package/package.json" {
                entry.read_to_string(&mut manifest_text).unwrap();
            }
            names.push(name);
        }
        assert_eq!(
            names,
            [
                "package/package.json",
                "package/LICENSE",
                "package/README.md",
                "package/library/json.bin",
                "package/rustpy.d.ts",
                "package/rustpy.js",
                "package/rustpy.js.br",
                "package/vite.d.ts",
                "package/vite.js",
            ]
        );
        let manifest: serde_json::Value = serde_json::from_str(&manifest_text).unwrap();
        assert_eq!(manifest["version"], manifest::VERSION);
        assert_eq!(
            manifest["files"],
            serde_json::json!([
                "LICENSE",
                "README.md",
                "library/",
                "rustpy.d.ts",
                "rustpy.js",
                "rustpy.js.br",
                "vite.d.ts",
                "vite.js"
            ])
        );
        // The same files give the same bytes.
        let again = pack(&root, &root.join("again")).unwrap();
        assert_eq!(
            std::fs::read(&packed.path).unwrap(),
            std::fs::read(&again.path).unwrap()
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn without_dist_it_says_to_build_it() {
        let root = fake_root("missing");
        std::fs::remove_dir_all(root.join("dist")).unwrap();
        let error = pack(&root, &root.join("out")).unwrap_err();
        assert!(error.to_string().contains("cargo xtask dist"), "{error}");
        std::fs::remove_dir_all(&root).unwrap();
    }
}
