//! rustpy from a bundler: a Vite app (tests/bundler/app, Vite pinned in
//! tests/bundler/package-lock.json) does `import { PyWorker } from "rustpy"` with the
//! package installed from its tarball and the two documented lines of config; the built
//! app runs, with the worker, the wasm module and the lazy stdlib coming from the bundle's
//! files. The same app unbundled (its index.html with an import map onto node_modules,
//! written as plain.html) boots in the same run for comparison.

use std::path::Path;
use std::time::Duration;

use rustpy_e2e::{Harness, npm, workspace_root};

/// Opens one of the app's pages, checks what it shows and returns its boot time
/// (navigation start -> the worker ready, ms) and the bytes the server sent for it.
async fn run_app(h: &Harness, path: &str) -> (f64, u64) {
    h.server.reset_bytes_served();
    let page = h.open(path).await;
    let log = match page
        .wait_for(
            "window.done && [...document.querySelectorAll('#log li')].map((li) => li.textContent).join(' | ')",
            Duration::from_secs(90),
        )
        .await
    {
        Ok(log) => log,
        Err(error) => {
            // The app's pages have no console capture: what the server sent, and what the
            // page shows, say how far the boot got.
            let shown = page
                .eval("return document.body.innerHTML", vec![])
                .await
                .ok();
            let mut served: Vec<_> = h.server.bytes_served().into_keys().collect();
            served.sort();
            panic!("{path}: {error}\nthe page shows {shown:?}\nthe server sent {served:?}");
        }
    };
    assert_eq!(
        log, "worker: the page got hello {\"ok\": true} | export: 144",
        "{path}"
    );
    // The page's own script imported json from the lazy stdlib too.
    let main = page
        .wait_for("document.body.dataset.main", Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(main, "[1, 2]", "{path}");
    assert!(page.error_boxes().await.unwrap().is_empty(), "{path}");
    let boot = page.eval("return window.bootMs", vec![]).await.unwrap();
    let bytes = h.server.bytes_served().values().map(|s| s.bytes).sum();
    (boot.as_f64().unwrap_or(f64::NAN), bytes)
}

/// The files under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    rustpy_precompress::files_under(dir, &mut found).unwrap();
    let mut names: Vec<String> = found
        .iter()
        .filter_map(|path| path.strip_prefix(dir).ok())
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::test]
async fn a_vite_app_imports_rustpy_and_runs_it() {
    let dir = npm::scratch("vite").unwrap();
    npm::install_package(&dir).unwrap();
    let app = dir.join("app");
    npm::copy_tree(&workspace_root().join("tests/bundler/app"), &app).unwrap();
    let page = std::fs::read_to_string(app.join("index.html")).unwrap();
    let import_map = r#"<script type="importmap">{ "imports": { "rustpy": "/node_modules/rustpy/rustpy.js" } }</script>"#;
    let plain = page.replacen("<head>", &format!("<head>\n  {import_map}"), 1);
    assert_ne!(plain, page);
    std::fs::write(app.join("plain.html"), plain).unwrap();
    let vite = npm::tool("vite/bin/vite.js").unwrap();
    let log = npm::node(&app, &vite, &["build"]).unwrap();
    eprintln!("{log}");
    let built = app.join("dist");
    let files = files_under(&built);
    // Vite bundled the worker (with the glue) and emitted the wasm module as an asset; the
    // plugin put library/ next to the file holding the loader.
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("assets/rustpy-worker") && f.ends_with(".js")),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.ends_with(".wasm")), "{files:?}");
    assert!(
        files.contains(&"assets/library/json.bin".to_string()),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.ends_with("rustpy.js")), "{files:?}");
    // Serve the bundle as a host would, with compressed copies.
    rustpy_precompress::precompress_tree(&built, &npm::cache_dir().join("compressed")).unwrap();

    let node_modules = dir.join("node_modules");
    let assets = built.join("assets");
    // Mounts send the precompressed copies (the pages root does not), as they are sent
    // to the unbundled page from node_modules.
    let h = Harness::start_at(
        &built,
        &[
            ("/assets", assets.as_path()),
            ("/node_modules", node_modules.as_path()),
            ("/plain", app.as_path()),
        ],
    )
    .await;
    let (bundled_boot, bundled_bytes) = run_app(&h, "/index.html").await;
    let served = h.server.bytes_served();
    assert!(
        served
            .keys()
            .all(|path| !path.starts_with("/node_modules/") && !path.starts_with("/rustpy/")),
        "the bundle reached outside itself: {served:?}"
    );
    assert!(
        served.contains_key("/assets/library/json.bin"),
        "{served:?}"
    );
    let wasm: Vec<_> = served.keys().filter(|p| p.ends_with(".wasm")).collect();
    assert!(
        wasm.len() == 1 && wasm[0].starts_with("/assets/"),
        "{wasm:?}"
    );

    let (plain_boot, plain_bytes) = run_app(&h, "/plain/plain.html").await;
    assert!(
        h.server
            .bytes_served()
            .contains_key("/node_modules/rustpy/library/json.bin")
    );

    // Boot, bundled against unbundled, alternating in the same browser.
    let (mut bundled, mut plain) = (vec![bundled_boot], vec![plain_boot]);
    for _ in 0..4 {
        bundled.push(run_app(&h, "/index.html").await.0);
        plain.push(run_app(&h, "/plain/plain.html").await.0);
    }
    eprintln!(
        "boot to worker ready, median of {}: bundled {:.0} ms ({bundled_bytes} bytes sent), \
         plain {:.0} ms ({plain_bytes} bytes sent)",
        bundled.len(),
        median(&mut bundled),
        median(&mut plain)
    );
    h.browser.close().await.unwrap();
}
