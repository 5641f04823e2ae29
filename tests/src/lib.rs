//! rustpy's end-to-end test kit: [`server`] serves `dist/rustpy/` and the test pages on
//! 127.0.0.1 with real cross-origin-isolation headers, and [`browser`] drives a headless
//! browser through WebDriver (via `fantoccini`): Chromium (chromedriver), Firefox ESR
//! (geckodriver) or WebKitGTK (WebKitWebDriver), as `RUSTPY_BROWSER` says ([`engines`]).
//!
//! WebDriver rather than CDP because the same client drives all three engines, and
//! `fantoccini` is a maintained async Rust client for it.

#![deny(missing_docs)]

pub mod browser;
pub mod echo;
pub mod engines;
pub mod npm;
pub mod scratch;
pub mod server;

use std::path::PathBuf;

/// The workspace root (this crate lives in `tests/`). Read at run time: the build cache is
/// shared between checkouts, and cargo sets `CARGO_MANIFEST_DIR` for the binaries it runs.
pub fn workspace_root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// A server on the test pages plus a browser session: what each browser test starts with.
pub struct Harness {
    /// The static server (isolated unless started otherwise).
    pub server: server::TestServer,
    /// The browser session.
    pub browser: browser::Browser,
}

impl Harness {
    /// Serves `tests/pages` (and the demo under `/demo/`) and `dist/rustpy` with COOP/COEP
    /// headers and opens a browser.
    pub async fn start() -> Self {
        Self::start_serving("tests/pages").await
    }

    /// Like [`Harness::start`], serving the pages of `folder` (relative to the workspace).
    pub async fn start_serving(folder: &str) -> Self {
        Self::start_with(folder, server::Isolation::Isolated).await
    }

    /// Like [`Harness::start`], with a browser that accepts only gzip (and deflate)
    /// encodings ([`browser::Encodings::GzipOnly`]; the server also ignores `br` in requests,
    /// [`server::ServerOptions::gzip_only`], for Chromium, which cannot be told not to ask).
    pub async fn start_gzip_only() -> Self {
        let root = workspace_root();
        let options = server::ServerOptions {
            gzip_only: true,
            ..server::ServerOptions::suite(server::Isolation::Isolated, &[])
        };
        Self::serve_to(
            &root.join("tests/pages"),
            options,
            browser::Encodings::GzipOnly,
        )
        .await
    }

    /// Like [`Harness::start`], without the cross-origin isolation headers.
    pub async fn start_not_isolated() -> Self {
        Self::start_with("tests/pages", server::Isolation::NotIsolated).await
    }

    /// Like [`Harness::start_not_isolated`], also serving each `(url_prefix, folder)` of
    /// `mounts` (e.g. `dist/rustpy` again under a deeper folder).
    pub async fn start_not_isolated_with(mounts: &[(&str, &std::path::Path)]) -> Self {
        let root = workspace_root();
        Self::serve(
            &root.join("tests/pages"),
            server::ServerOptions::suite(server::Isolation::NotIsolated, mounts),
        )
        .await
    }

    async fn start_with(folder: &str, isolation: server::Isolation) -> Self {
        let root = workspace_root();
        let demo = root.join("demo");
        // rustpy's browser code as written (not bundled), for pages that test one of its
        // modules alone (`/rustpy-web/shared/handle-table.js`).
        let web = root.join("web");
        let mounts = [("/demo", demo.as_path()), ("/rustpy-web", web.as_path())];
        Self::serve(
            &root.join(folder),
            server::ServerOptions::suite(isolation, &mounts),
        )
        .await
    }

    /// Like [`Harness::start`], with [`server::EXAMPLE_CSP`] on every response.
    pub async fn start_with_example_csp() -> Self {
        let pages = workspace_root().join("tests/pages");
        let options = server::ServerOptions {
            csp: Some(server::EXAMPLE_CSP),
            ..server::ServerOptions::suite(server::Isolation::Isolated, &[])
        };
        Self::serve(&pages, options).await
    }

    /// Serves `pages` (any folder) and the `(url_prefix, folder)` `mounts`, isolated and
    /// with precompressed variants under the mounts, and opens a browser.
    pub async fn start_at(pages: &std::path::Path, mounts: &[(&str, &std::path::Path)]) -> Self {
        Self::serve(
            pages,
            server::ServerOptions::suite(server::Isolation::Isolated, mounts),
        )
        .await
    }

    async fn serve(pages: &std::path::Path, options: server::ServerOptions<'_>) -> Self {
        Self::serve_to(pages, options, browser::Encodings::EngineDefault).await
    }

    async fn serve_to(
        pages: &std::path::Path,
        options: server::ServerOptions<'_>,
        encodings: browser::Encodings,
    ) -> Self {
        let dist = workspace_root().join("dist/rustpy");
        let server = server::TestServer::start_configured(pages, &dist, options)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let engine = browser::Engine::from_env().unwrap_or_else(|e| panic!("{e}"));
        let browser = browser::Browser::start_accepting(engine, encodings)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        Self { server, browser }
    }

    /// Opens a page of `tests/pages` by its path (starting with `/`).
    pub async fn open(&self, path: &str) -> browser::Page<'_> {
        self.browser
            .open(&self.server.url(path))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }
}
