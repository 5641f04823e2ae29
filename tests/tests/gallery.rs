//! The demo gallery (`demo/`): each app shows what it should, driven as a user would, and
//! the suite takes the screenshots the README shows (`docs/screenshots/`, from Chromium;
//! rewritten on every run, never compared; the other engines' go to the temporary folder,
//! `rustpy-screenshots/<engine>/`).

use std::path::PathBuf;
use std::time::Duration;

use rustpy_e2e::browser::{Engine, Page};
use rustpy_e2e::{Harness, workspace_root};
use serde_json::json;

const BOOT: Duration = Duration::from_secs(120);

/// Saves what the page shows as `docs/screenshots/<name>.png` (Chromium) or in the
/// temporary folder (the other engines: the README shows one engine's).
async fn screenshot(page: &Page<'_>, name: &str) {
    let png = page.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let folder = match Engine::from_env().unwrap() {
        Engine::Chromium => workspace_root().join("docs/screenshots"),
        other => std::env::temp_dir()
            .join("rustpy-screenshots")
            .join(other.name()),
    };
    let path = folder.join(format!("{name}.png"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, png).unwrap();
}

/// Waits until the app's source is shown beside it and contains `needle`.
async fn source_shown(page: &Page<'_>, needle: &str) {
    let source = page
        .wait_for(
            "document.querySelector('pre[data-source]').dataset.loaded && \
             document.querySelector('pre[data-source]').textContent",
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert!(source.as_str().unwrap().contains(needle), "{source}");
}

#[tokio::test]
async fn the_gallery_links_every_app() {
    let h = Harness::start_serving("demo").await;
    let page = h.open("/index.html").await;
    let links = page
        .eval(
            "return [...document.querySelectorAll('.apps a')].map((a) => a.getAttribute('href'))",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        links,
        json!([
            "data.html",
            "mandelbrot.html",
            "compare.html",
            "basics.html",
            "seed.html"
        ])
    );
    let missing = page
        .eval(
            "return document.querySelector('.apps .missing').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        missing.as_str().unwrap().contains("not there yet"),
        "{missing}"
    );
    screenshot(&page, "gallery").await;
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn the_data_app_filters_and_sorts_a_csv_in_a_worker() {
    let h = Harness::start_serving("demo").await;
    let page = h.open("/data.html").await;
    let shown = "document.getElementById('status').dataset.shown";
    assert_eq!(
        page.wait_for(&format!("{shown} === '312' && {shown}"), BOOT)
            .await
            .unwrap(),
        "312"
    );
    let first = page
        .eval(
            "return document.querySelector('#rows tr').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        first.as_str().unwrap().starts_with("Africa/Abidjan"),
        "{first}"
    );
    source_shown(&page, "with batch():").await;
    page.type_into("#filter", "Europe/").await.unwrap();
    page.wait_for(&format!("{shown} === '38'"), Duration::from_secs(60))
        .await
        .unwrap();
    // A numeric heading sorts from the largest: the northernmost European zone first.
    page.click("th[data-key='latitude']").await.unwrap();
    let latitudes = page
        .wait_for(
            "document.getElementById('status').textContent.includes('by latitude') && \
             [...document.querySelectorAll('#rows tr td:nth-child(5)')].map((td) => Number(td.textContent))",
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let latitudes: Vec<f64> = serde_json::from_value(latitudes).unwrap();
    assert_eq!(latitudes.len(), 38);
    assert!(latitudes.windows(2).all(|w| w[0] >= w[1]), "{latitudes:?}");
    assert!(page.error_boxes().await.unwrap().is_empty());
    screenshot(&page, "data").await;
    h.browser.close().await.unwrap();
}

/// The number of distinct colours in the canvas, and whether it has black (the set).
const CANVAS_COLOURS: &str = "\
    const canvas = document.getElementById('canvas');\
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;\
    const colours = new Set(); let black = false;\
    for (let i = 0; i < data.length; i += 4) {\
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);\
      if (data[i + 3] === 255 && !data[i] && !data[i + 1] && !data[i + 2]) black = true;\
    }\
    return [colours.size, black];";

#[tokio::test]
async fn the_mandelbrot_is_drawn_from_a_worker_and_zooms() {
    let h = Harness::start_serving("demo").await;
    let page = h.open("/mandelbrot.html").await;
    page.wait_for(
        "document.getElementById('canvas').dataset.zoom === '1'",
        BOOT,
    )
    .await
    .unwrap();
    let [colours, black] = serde_json::from_value::<[serde_json::Value; 2]>(
        page.eval(CANVAS_COLOURS, vec![]).await.unwrap(),
    )
    .unwrap();
    assert!(colours.as_u64().unwrap() > 20, "{colours} colours");
    assert_eq!(black, json!(true));
    source_shown(&page, "putImageData").await;
    screenshot(&page, "mandelbrot").await;
    page.click("#canvas").await.unwrap();
    page.wait_for(
        "document.getElementById('canvas').dataset.zoom === '2'",
        BOOT,
    )
    .await
    .unwrap();
    let status = page
        .eval(
            "return document.getElementById('status').textContent",
            vec![],
        )
        .await
        .unwrap();
    assert!(status.as_str().unwrap().starts_with("zoom x2:"), "{status}");
    assert!(page.error_boxes().await.unwrap().is_empty());
    h.browser.close().await.unwrap();
}

/// PyScript's packages as the benchmark installs them (`./dev setup` runs `npm ci`).
fn peers() -> PathBuf {
    let peers = workspace_root().join("tests/bench/node_modules");
    assert!(
        peers.join("@pyscript/core/dist/core.js").is_file(),
        "{} lacks PyScript: run `./dev setup` (npm ci in tests/bench)",
        peers.display()
    );
    peers
}

/// The text of the element with `id`.
async fn text_of(page: &Page<'_>, id: &str) -> String {
    let text = page
        .eval(
            &format!("return document.getElementById('{id}').textContent"),
            vec![],
        )
        .await
        .unwrap();
    text.as_str().unwrap_or_default().to_string()
}

/// A measurement cell's number (`12,345`), or `None` if it shows something else.
async fn cell_number(page: &Page<'_>, id: &str) -> Option<f64> {
    text_of(page, id).await.replace(',', "").parse().ok()
}

/// Waits until the comparison page finished `rounds` rounds; checks it found the peers
/// (`"installed"`), not (`"missing"`) or cannot run them here (`"unsupported"`), and that
/// rustpy's figures are there.
async fn compared(page: &Page<'_>, rounds: u32, peers: &str) {
    // Probed once a second: a WebDriver probe runs on the page's main thread, which serves
    // the workers' calls being measured (every 50 ms made rustpy's figure 3x lower).
    page.wait_for_quietly(
        &format!("Number(document.body.dataset.rounds) >= {rounds}"),
        Duration::from_secs(240),
    )
    .await
    .unwrap();
    let found = page.eval("return document.body.dataset.peers", vec![]);
    assert_eq!(found.await.unwrap(), peers);
    for id in ["rustpy-calls", "rustpy-rows", "rustpy-batched"] {
        let value = cell_number(page, id).await;
        assert!(value.is_some_and(|v| v > 0.0), "{id}: {value:?}");
    }
    assert!(page.error_boxes().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_comparison_runs_the_same_code_on_rustpy_and_pyscript() {
    let peers = peers();
    let demo = workspace_root().join("demo");
    let h = Harness::start_at(&demo, &[("/node_modules", peers.as_path())]).await;
    let page = h.open("/compare.html").await;
    // PyScript's workers need SharedArrayBuffer (WebKitGTK has none): where it is missing
    // the page runs rustpy alone (through its relay) and says why.
    let shared = page
        .eval("return typeof SharedArrayBuffer === 'function'", vec![])
        .await
        .unwrap();
    if shared == true {
        compared(&page, 5, "installed").await;
        for id in ["mpy-calls", "mpy-rows"] {
            let value = cell_number(&page, id).await;
            assert!(value.is_some_and(|v| v > 0.0), "{id}: {value:?}");
        }
        assert_eq!(text_of(&page, "mpy-batched").await, "— (no batch())");
    } else {
        compared(&page, 5, "unsupported").await;
        let note = page.eval(
            "const note = document.getElementById('peers-unsupported'); \
             return !note.hidden && note.textContent",
            vec![],
        );
        assert!(
            note.await
                .unwrap()
                .as_str()
                .unwrap_or_default()
                .contains("SharedArrayBuffer")
        );
        assert_eq!(text_of(&page, "mpy-calls").await, "needs SharedArrayBuffer");
    }
    source_shown(&page, "def calls_per_second").await;
    screenshot(&page, "compare").await;
    h.browser.close().await.unwrap();
}

#[tokio::test]
async fn the_comparison_without_pyscript_says_how_to_get_it() {
    // Served as `trunk serve` serves the demo: no /node_modules/.
    let h = Harness::start_serving("demo").await;
    let page = h.open("/compare.html").await;
    compared(&page, 1, "missing").await;
    let note = page
        .eval(
            "const note = document.getElementById('peers-missing'); \
             return !note.hidden && note.textContent",
            vec![],
        )
        .await
        .unwrap();
    assert!(note.as_str().unwrap().contains("npm ci"), "{note}");
    assert_eq!(text_of(&page, "mpy-calls").await, "not installed");
    h.browser.close().await.unwrap();
}
