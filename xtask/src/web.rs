//! The browser code of `dist/rustpy/`, built from `web/`: each realm's entry bundled with
//! esbuild into one file, the files served apart copied, and xterm.js.
//!
//! Why a bundler: the page's code is split by job (`web/page/`, `web/shared/`), but a page
//! should fetch one loader, not a tree of modules one import level after another.
//! esbuild (npm `esbuild`, MIT, pinned in `web/package.json` with its lock file and
//! installed by `./dev setup`) is the fastest well-kept bundler, a single binary with no
//! plugins to configure; its output is a plain ES module, unminified, so it stays readable
//! and bundlers of rustpy's users (Vite) still find `new URL("./x", import.meta.url)` and
//! `import("./rustpy_wasm.js")` in it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{TaskError, root, run};

/// The folder of rustpy's browser code and of its npm packages (`web/node_modules`).
const WEB_DIR: &str = "web";

/// The served siblings that the bundled code loads at run time, by their `dist/rustpy/`
/// names: kept out of the bundles. The wasm-bindgen glue (written by `wasm-bindgen` beside
/// them) and the terminal, fetched only by a page that has one.
const SERVED_APART: [&str; 2] = ["./rustpy_wasm.js", "./rustpy-terminal.js"];

/// Entries bundled with their imports: source under [`WEB_DIR`] and `dist/rustpy/` name.
const BUNDLES: [(&str, &str); 2] = [
    // The page loader, the one file a page includes.
    ("page/main.js", "rustpy.js"),
    // The worker bootstrap (`new Worker(new URL("./rustpy-worker.js", ...))`).
    ("worker/main.js", "rustpy-worker.js"),
];

/// Files served as they are: source under [`WEB_DIR`] and `dist/rustpy/` name. Each runs
/// on its own (a service worker, a classic script, a lazily imported module) and imports
/// nothing of rustpy's.
const COPIED: [(&str, &str); 3] = [
    ("sw/relay.js", "rustpy-sw.js"),
    ("sw/coi.js", "rustpy-coi.js"),
    ("page/terminal.js", "rustpy-terminal.js"),
];

/// The third-party files copied into `dist/rustpy/`: source under `web/node_modules` and
/// name. xterm.js (MIT) for the `terminal` attribute, with its licence.
const VENDOR_FILES: [(&str, &str); 3] = [
    ("@xterm/xterm/lib/xterm.mjs", "xterm.mjs"),
    ("@xterm/xterm/css/xterm.css", "xterm.css"),
    ("@xterm/xterm/LICENSE", "xterm-LICENSE.txt"),
];

/// Writes rustpy's browser code into `out` (`dist/rustpy/`).
pub(crate) fn build(out: &Path) -> Result<(), TaskError> {
    let web = root().join(WEB_DIR);
    let esbuild = installed(&web, "node_modules/.bin/esbuild")?;
    for (entry, name) in BUNDLES {
        let mut command = Command::new(&esbuild);
        command
            .current_dir(&web)
            .args([
                entry,
                "--bundle",
                "--format=esm",
                "--charset=utf8",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", out.join(name).display()));
        for apart in SERVED_APART {
            command.arg(format!("--external:{apart}"));
        }
        run(&mut command)?;
    }
    for (source, name) in COPIED {
        std::fs::copy(web.join(source), out.join(name))?;
    }
    for (source, name) in VENDOR_FILES {
        std::fs::copy(
            installed(&web, &format!("node_modules/{source}"))?,
            out.join(name),
        )?;
    }
    Ok(())
}

/// `web/<path>` of an installed npm package, or the error that says how to install it.
fn installed(web: &Path, path: &str) -> Result<PathBuf, TaskError> {
    let file = web.join(path);
    if file.exists() {
        Ok(file)
    } else {
        Err(TaskError::Setup(format!(
            "{} is missing: run `./dev setup` (it runs `npm ci` in web/)",
            file.display()
        )))
    }
}
