//! Scratch folders that go away with their owner: every folder the suite writes under the
//! temporary folder (an npm install, a Vite build, a browser's profile and the driver's
//! temporary files) is a [`ScratchDir`], removed when it is dropped (a failing test's
//! included: its panic unwinds through the drop).
//!
//! A process killed outright runs no drop: the next [`ScratchDir::new`] of any test process
//! removes the folders of processes that no longer run (their names carry the process id).

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

/// The folder, under the temporary folder, that holds every scratch folder of the suite.
pub const SCRATCH_ROOT: &str = "rustpy-e2e";

/// How many times a drop tries to remove its folder (a browser killed a moment ago may
/// still be closing a file in it).
const REMOVE_ATTEMPTS: usize = 20;
/// The pause between two of those tries.
const REMOVE_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// Numbers the scratch folders of this process (tests run in parallel threads).
static NEXT: AtomicU64 = AtomicU64::new(0);
/// The sweep of dead processes' folders runs once per process.
static SWEPT: Once = Once::new();

/// An empty folder `$TMPDIR/rustpy-e2e/<name>-<pid>-<n>`, removed with everything in it
/// when dropped.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Makes a new empty folder named after `name`, this process and a counter (so two
    /// folders of one name in one process never meet).
    pub fn new(name: &str) -> std::io::Result<Self> {
        let root = std::env::temp_dir().join(SCRATCH_ROOT);
        SWEPT.call_once(|| sweep_dead(&root));
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = root.join(format!("{name}-{}-{number}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::ops::Deref for ScratchDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for ScratchDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let mut last = None;
        for _ in 0..REMOVE_ATTEMPTS {
            match std::fs::remove_dir_all(&self.path) {
                Ok(()) => return,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => return,
                Err(error) => last = Some(error),
            }
            std::thread::sleep(REMOVE_PAUSE);
        }
        if let Some(error) = last {
            eprintln!("cannot remove {}: {error}", self.path.display());
        }
    }
}

/// The process id a scratch folder's name carries: `<name>-<pid>-<n>`, or `<name>-<pid>`
/// (the folders of kits before [`ScratchDir`]).
fn owner_of(folder: &str) -> Option<u32> {
    let mut parts = folder.rsplit('-');
    let last = parts.next()?;
    let before = parts.next()?;
    match (before.parse::<u32>(), last.parse::<u32>()) {
        (Ok(pid), Ok(_)) if parts.next().is_some() => Some(pid),
        (_, Ok(pid)) => Some(pid),
        _ => None,
    }
}

/// Removes the folders under `root` whose process no longer runs.
fn sweep_dead(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = owner_of(&name.to_string_lossy()) else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ScratchDir, owner_of};

    #[test]
    fn a_scratch_folder_is_new_empty_and_gone_when_dropped() {
        let first = ScratchDir::new("unit").unwrap();
        let second = ScratchDir::new("unit").unwrap();
        assert_ne!(first.path(), second.path());
        assert_eq!(std::fs::read_dir(first.path()).unwrap().count(), 0);
        std::fs::create_dir_all(first.join("deep/er")).unwrap();
        std::fs::write(first.join("deep/er/file"), b"bytes").unwrap();
        let path = first.path().to_path_buf();
        drop(first);
        assert!(!path.exists());
        assert!(second.path().is_dir());
    }

    #[test]
    fn folder_names_carry_their_process() {
        assert_eq!(owner_of("browser-4242-7"), Some(4242));
        assert_eq!(owner_of("vite-5381"), Some(5381));
        assert_eq!(owner_of("vite"), None);
        assert_eq!(owner_of("a-b"), None);
    }
}
