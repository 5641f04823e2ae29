//! The stdlib outside the boot image is fetched on first import, one file per `import`,
//! from the precompressed `dist/rustpy/library/`; a worker that imports nothing fetches
//! none of it. Read on the server: what it sent, per path. A browser that accepts gzip but
//! not brotli gets `dist/rustpy/`'s `.gz` copies (README: "let your server send them").

use std::time::Duration;

use rustpy_e2e::browser::Page;
use rustpy_e2e::server::best_encoding;
use rustpy_e2e::{Harness, workspace_root};
use serde_json::{Value, json};

/// The library files the server has sent so far.
fn library_files(h: &Harness) -> Vec<String> {
    h.server
        .bytes_served()
        .into_keys()
        .filter(|path| path.starts_with("/rustpy/library/"))
        .collect()
}

/// `lazy.html`, once its worker is ready and its main thread has imported `json`.
async fn booted(h: &Harness) -> Page<'_> {
    let page = h.open("/lazy.html").await;
    page.wait_for("window.booted", Duration::from_secs(90))
        .await
        .unwrap();
    page.wait_for_console(
        "log",
        "main thread: {\"lazy\": true}",
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    page
}

/// Has the page's worker import `name`: what it answered (`{value}` or `{error}`).
async fn import(page: &Page<'_>, name: &str) -> Value {
    page.eval(
        &format!("window.importModule({name:?}); return true"),
        vec![],
    )
    .await
    .unwrap();
    page.wait_for("window.imported", Duration::from_secs(60))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_page_pays_only_for_the_modules_it_imports() {
    let h = Harness::start().await;
    // The main thread's `import json` went through the page's own (text) request.
    let page = booted(&h).await;
    assert_eq!(library_files(&h), vec!["/rustpy/library/json.bin"]);

    // The module itself came compressed, as the browser asked (`best_encoding`).
    let served = h.server.bytes_served();
    // rustpy's JavaScript is three requests: the loader (its modules bundled into one
    // file), the wasm-bindgen glue and the worker script; nothing else before the wasm.
    // Without shared memory (WebKit) the worker talks through the relay, whose service
    // worker script is the fourth.
    let shared_memory = page
        .eval("return typeof SharedArrayBuffer === 'function'", vec![])
        .await
        .unwrap();
    let mut expected = vec!["rustpy-worker.js", "rustpy.js", "rustpy_wasm.js"];
    if shared_memory != Value::Bool(true) {
        expected.insert(0, "rustpy-sw.js");
    }
    let scripts: Vec<&str> = served
        .keys()
        .filter_map(|path| path.strip_prefix("/rustpy/"))
        .filter(|file| file.ends_with(".js"))
        .collect();
    assert_eq!(scripts, expected, "{served:?}");
    let wasm = &served["/rustpy/rustpy_wasm_bg.wasm"];
    assert_eq!(
        wasm.content_encoding,
        best_encoding(&wasm.accept_encoding),
        "{wasm:?}"
    );
    let json_file = &served["/rustpy/library/json.bin"];
    assert_eq!(
        json_file.content_encoding,
        best_encoding(&json_file.accept_encoding),
        "{json_file:?}"
    );

    // In the worker: `import json` is one more request of the same file (a worker's own
    // request; the HTTP cache may answer it, the suite's server forbids storing)...
    h.server.reset_bytes_served();
    assert_eq!(
        import(&page, "json").await,
        json!({"value": [1, "two", null]})
    );
    assert_eq!(library_files(&h), vec!["/rustpy/library/json.bin"]);
    // ... and `import re` none: json's file brought re along.
    assert_eq!(import(&page, "re").await, json!({"value": "a-c"}));
    assert_eq!(library_files(&h), vec!["/rustpy/library/json.bin"]);
    // A module outside the curated stdlib is a plain ModuleNotFoundError, with no request.
    let missing = import(&page, "tkinter").await;
    let error = missing["error"].as_str().unwrap_or_default();
    assert!(error.contains("ModuleNotFoundError"), "{missing}");
    assert_eq!(library_files(&h), vec!["/rustpy/library/json.bin"]);
}

#[tokio::test]
async fn a_browser_without_brotli_gets_the_gzip_copies_and_the_page_works() {
    let h = Harness::start_gzip_only().await;
    let page = booted(&h).await;
    assert_eq!(
        import(&page, "json").await,
        json!({"value": [1, "two", null]})
    );

    // Every file of rustpy's with a `.gz` copy came as that copy, byte for byte, and the
    // browser decoded it: the wasm module, the JS, the library file both threads imported.
    let dist = workspace_root().join("dist/rustpy");
    let served = h.server.bytes_served();
    let mut sent_gzip = Vec::new();
    for (path, what) in &served {
        let Some(file) = path.strip_prefix("/rustpy/") else {
            continue;
        };
        let copy = dist.join(format!("{file}.gz"));
        if let Ok(metadata) = std::fs::metadata(&copy) {
            assert_eq!(what.content_encoding, "gzip", "{path} {what:?}");
            assert_eq!(
                what.bytes,
                what.responses * metadata.len(),
                "{path}: each response is the whole copy {what:?}"
            );
            sent_gzip.push(file);
        }
    }
    for needed in [
        "rustpy.js",
        "rustpy_wasm.js",
        "rustpy_wasm_bg.wasm",
        "rustpy-worker.js",
        "library/json.bin",
    ] {
        assert!(sent_gzip.contains(&needed), "{needed}: {served:?}");
    }
    assert!(page.error_boxes().await.unwrap().is_empty());
}

#[tokio::test]
async fn top_level_await_imports_no_asyncio_and_start_up_no_functools() {
    let h = Harness::start().await;
    let page = h.open("/lazy-await.html").await;
    page.wait_for_console(
        "log",
        "worker awaited: 20 True False",
        Duration::from_secs(120),
    )
    .await
    .unwrap();
    // `started_with`: functools and collections, had the start-up imported them (~80 ms of
    // a page's cold start in Chromium).
    page.wait_for_console("log", "main awaited: 42 False []", Duration::from_secs(60))
        .await
        .unwrap();
    let fetched = library_files(&h);
    assert!(
        fetched.iter().all(|path| !path.contains("asyncio")),
        "a script awaiting page operations, fetch and promises fetched asyncio: {fetched:?}"
    );
}

#[tokio::test]
async fn asyncio_arriving_mid_script_takes_over_its_task() {
    let h = Harness::start().await;
    let page = h.open("/await-asyncio.html").await;
    page.wait_for_console("log", "handed over: 1 True", Duration::from_secs(120))
        .await
        .unwrap();
    page.wait_for_console("log", "task group: 3 True", Duration::from_secs(60))
        .await
        .unwrap();
}
