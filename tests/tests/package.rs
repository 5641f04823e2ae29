//! The npm package works installed: `npm install ./rustpy-<version>.tgz` (offline) into a
//! scratch folder, then pages that include `node_modules/rustpy/rustpy.js`; its types
//! check with the pinned `tsc`.

use std::collections::BTreeSet;
use std::time::Duration;

use rustpy_e2e::server::best_encoding;
use rustpy_e2e::{Harness, npm, workspace_root};
use serde_json::{Value, json};

#[tokio::test]
async fn the_installed_package_runs_a_page_script_and_a_worker() {
    let dir = npm::scratch("installed").unwrap();
    let packed = npm::install_package(&dir).unwrap();
    let names: BTreeSet<&str> = packed.entries.iter().map(|e| e.name.as_str()).collect();
    for needed in [
        "package.json",
        "README.md",
        "LICENSE",
        "rustpy.d.ts",
        "vite.js",
        "vite.d.ts",
        "rustpy.js",
        "rustpy.js.br",
        "rustpy.js.gz",
        "rustpy-worker.js",
        "rustpy-coi.js",
        "rustpy-sw.js",
        "rustpy-terminal.js",
        "xterm.mjs",
        "xterm.css",
        "xterm-LICENSE.txt",
        "rustpy_wasm.js",
        "rustpy_wasm_bg.wasm",
        "rustpy_wasm_bg.wasm.br",
        "library/json.bin",
        "library/json.bin.br",
    ] {
        assert!(
            names.contains(needed),
            "the package lacks {needed}: {names:?}"
        );
    }
    let sources = [".rs", ".py", ".toml", ".ts.map"];
    assert!(
        names
            .iter()
            .all(|n| !sources.iter().any(|s| n.ends_with(s))),
        "sources in the package: {names:?}"
    );
    let installed = dir.join("node_modules/rustpy");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(installed.join("package.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert!(installed.join("library/json.bin.br").is_file());

    npm::copy_tree(&workspace_root().join("tests/bundler/installed"), &dir).unwrap();
    let node_modules = dir.join("node_modules");
    let h = Harness::start_at(&dir, &[("/node_modules", node_modules.as_path())]).await;
    let page = h.open("/index.html").await;
    let main = page
        .wait_for(
            "document.getElementById('main').textContent",
            Duration::from_secs(90),
        )
        .await
        .unwrap();
    assert_eq!(main, "main thread: 1180591620717411303424 on rustpython");
    // The worker called the page (`sync.words`) and wrote into its DOM.
    let rows = page
        .wait_for(
            "document.body.dataset.worker === 'done' && \
             [...document.querySelectorAll('#rows li')].map((li) => li.textContent).join()",
            Duration::from_secs(90),
        )
        .await
        .unwrap();
    assert_eq!(rows, "ALPHA,BETA,GAMMA");
    let tripled = page
        .wait_for("window.tripled", Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(tripled, json!(42));
    assert!(page.error_boxes().await.unwrap().is_empty());
    // Everything came from the installed package, precompressed as the browser asked.
    let served = h.server.bytes_served();
    assert!(
        served.keys().all(|path| !path.starts_with("/rustpy/")),
        "{served:?}"
    );
    let wasm = &served["/node_modules/rustpy/rustpy_wasm_bg.wasm"];
    assert_eq!(
        wasm.content_encoding,
        best_encoding(&wasm.accept_encoding),
        "{wasm:?}"
    );
    h.browser.close().await.unwrap();
}

/// What a page with one bare worker downloads of rustpy, per file (path after `prefix`).
async fn bare_worker_bytes(h: &Harness, page: &str, prefix: &str) -> Vec<(String, u64)> {
    h.server.reset_bytes_served();
    let opened = h.open(page).await;
    opened
        .wait_for("window.ready", Duration::from_secs(90))
        .await
        .unwrap();
    h.server
        .bytes_served()
        .into_iter()
        .filter_map(|(path, served)| {
            path.strip_prefix(prefix)
                .map(|file| (file.to_string(), served.bytes))
        })
        .collect()
}

#[tokio::test]
async fn a_bare_worker_downloads_the_same_bytes_installed_as_from_dist() {
    let dir = npm::scratch("bare").unwrap();
    let packed = npm::install_package(&dir).unwrap();
    npm::copy_tree(&workspace_root().join("tests/bundler/installed"), &dir).unwrap();
    let node_modules = dir.join("node_modules");
    let h = Harness::start_at(&dir, &[("/node_modules", node_modules.as_path())]).await;
    let installed = bare_worker_bytes(&h, "/bare.html", "/node_modules/rustpy/").await;
    let dist = bare_worker_bytes(&h, "/bare.html?dist", "/rustpy/").await;
    assert_eq!(installed, dist);
    let total: u64 = installed.iter().map(|(_, bytes)| bytes).sum();
    eprintln!(
        "package: {} bytes packed, {} bytes installed ({} files); a bare worker page \
         downloads {total} bytes of it ({installed:?})",
        packed.packed_bytes,
        packed.unpacked_bytes(),
        packed.entries.len()
    );
    h.browser.close().await.unwrap();
}

#[test]
fn the_types_check_with_tsc() {
    let dir = npm::scratch("types").unwrap();
    npm::install_package(&dir).unwrap();
    let typed = workspace_root().join("tests/bundler/typed");
    npm::copy_tree(&typed, &dir).unwrap();
    let tsc = npm::tool("typescript/bin/tsc").unwrap();
    npm::node(&dir, &tsc, &["-p", "tsconfig.json"]).unwrap();
    // The types are real: tsc rejects exactly the lines of wrong.ts marked ERROR.
    let output = npm::node_failing(
        &dir,
        &tsc,
        &[
            "--noEmit",
            "--strict",
            "--target",
            "ES2022",
            "--module",
            "ESNext",
            "--moduleResolution",
            "bundler",
            "--lib",
            "ES2022,DOM",
            "wrong.ts",
        ],
    )
    .unwrap();
    let wrong = std::fs::read_to_string(typed.join("wrong.ts")).unwrap();
    let expected: BTreeSet<usize> = wrong
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains("// ERROR"))
        .map(|(index, _)| index + 1)
        .collect();
    let found: BTreeSet<usize> = output
        .lines()
        .filter_map(|line| line.strip_prefix("wrong.ts("))
        .filter_map(|rest| rest.split(',').next()?.parse().ok())
        .collect();
    assert_eq!(found, expected, "{output}");
}
