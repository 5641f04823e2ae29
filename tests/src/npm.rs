//! The npm side of the suite: the package tarball installed into scratch folders with
//! npm (offline, from the file), and the pinned node tools of `tests/bundler/` (Vite, tsc;
//! `./dev setup` installs them with `npm ci`).

use std::path::{Path, PathBuf};
use std::process::Command;

use rustpy_package::Packed;

use crate::scratch::ScratchDir;

/// Why an npm step failed. Every one fails the test: a missing tool is never a skip.
#[derive(Debug, thiserror::Error)]
pub enum NpmError {
    /// node, npm or a pinned tool is not installed.
    #[error(
        "{0} is not installed: run `./dev setup` (node >= 20.19 and npm, then `npm ci` in tests/bundler)"
    )]
    Missing(String),
    /// A command failed; its output says why.
    #[error("`{command}` failed ({status}):\n{output}")]
    Failed {
        /// The command as run.
        command: String,
        /// Its exit status.
        status: String,
        /// Its stdout and stderr.
        output: String,
    },
    /// The package could not be made.
    #[error("{0}")]
    Package(#[from] rustpy_package::PackageError),
    /// A scratch file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> NpmError + '_ {
    move |source| NpmError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An empty folder for one test, `$TMPDIR/rustpy-e2e/<name>-<pid>-<n>`, removed when the
/// returned guard is dropped.
pub fn scratch(name: &str) -> Result<ScratchDir, NpmError> {
    ScratchDir::new(name).map_err(|source| NpmError::Io {
        path: std::env::temp_dir()
            .join(crate::scratch::SCRATCH_ROOT)
            .join(name),
        source,
    })
}

/// Packs `dist/rustpy/` and installs the tarball into `dir` with `npm install` (offline:
/// the package has no dependencies); returns what was packed.
pub fn install_package(dir: &Path) -> Result<Packed, NpmError> {
    let packed = rustpy_package::pack(&crate::workspace_root(), dir)?;
    let manifest = dir.join("package.json");
    std::fs::write(&manifest, "{ \"private\": true, \"type\": \"module\" }\n")
        .map_err(io_error(&manifest))?;
    run(Command::new("npm")
        .current_dir(dir)
        .args([
            "install",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
        ])
        .arg(&packed.path))?;
    Ok(packed)
}

/// The file of a pinned tool in `tests/bundler/node_modules/` (e.g. `vite/bin/vite.js`).
pub fn tool(relative: &str) -> Result<PathBuf, NpmError> {
    let path = crate::workspace_root()
        .join("tests/bundler/node_modules")
        .join(relative);
    if path.is_file() {
        Ok(path)
    } else {
        Err(NpmError::Missing(path.display().to_string()))
    }
}

/// Runs `node <script> <args>` in `dir`; returns its output (stdout then stderr).
pub fn node(dir: &Path, script: &Path, args: &[&str]) -> Result<String, NpmError> {
    run(Command::new("node").current_dir(dir).arg(script).args(args))
}

/// Like [`node`] for a command expected to fail: its output, or an error if it succeeded.
pub fn node_failing(dir: &Path, script: &Path, args: &[&str]) -> Result<String, NpmError> {
    let mut command = Command::new("node");
    command.current_dir(dir).arg(script).args(args);
    let (success, shown, output) = output_of(&mut command)?;
    if success {
        return Err(NpmError::Failed {
            command: shown,
            status: "succeeded, expected to fail".into(),
            output,
        });
    }
    Ok(output)
}

fn run(command: &mut Command) -> Result<String, NpmError> {
    let (success, shown, output) = output_of(command)?;
    if !success {
        return Err(NpmError::Failed {
            command: shown,
            status: "failed".into(),
            output,
        });
    }
    Ok(output)
}

/// Runs `command`: (whether it succeeded, how it is shown, stdout and stderr).
fn output_of(command: &mut Command) -> Result<(bool, String, String), NpmError> {
    let shown = format!("{command:?}").replace('"', "");
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command.output().map_err(|_| NpmError::Missing(program))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), shown, text))
}

/// Copies the files of `from` into `to` (subfolders included).
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), NpmError> {
    std::fs::create_dir_all(to).map_err(io_error(to))?;
    for entry in std::fs::read_dir(from).map_err(io_error(from))? {
        let entry = entry.map_err(io_error(from))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() != "node_modules" {
                copy_tree(&entry.path(), &target)?;
            }
        } else {
            std::fs::copy(entry.path(), &target).map_err(io_error(&target))?;
        }
    }
    Ok(())
}

/// rustpy's build cache (`$RUSTPY_CACHE`, by default `~/.cache/rustpy`): the compressed
/// copies of files are kept under its `compressed/`.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("RUSTPY_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/rustpy")))
        .unwrap_or_else(|| std::env::temp_dir().join("rustpy-cache"))
}
