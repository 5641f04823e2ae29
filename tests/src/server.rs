//! A static file server for the browser suite and for trying pages by hand.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Errors starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// `dist/rustpy/` has not been built.
    #[error("{0} is missing: build it first with `cargo xtask dist`")]
    MissingDist(PathBuf),
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(#[from] std::io::Error),
}

/// Whether pages get the headers that make them cross-origin isolated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolation {
    /// `Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy:
    /// require-corp` and `Cross-Origin-Resource-Policy: cross-origin` on every response.
    Isolated,
    /// No such headers: `SharedArrayBuffer` is unavailable to the page.
    NotIsolated,
}

/// A running server; it stops when its tokio runtime does.
pub struct TestServer {
    addr: SocketAddr,
}

impl TestServer {
    /// Serves `pages` at `/` and `dist_rustpy` at `/rustpy/` on an ephemeral port.
    pub async fn start(
        pages: &Path,
        dist_rustpy: &Path,
        isolation: Isolation,
    ) -> Result<Self, ServerError> {
        Self::start_with(pages, dist_rustpy, isolation, &[]).await
    }

    /// Like [`TestServer::start`], also serving each `(url_prefix, folder)` of `mounts`
    /// (e.g. `("/node_modules", ...)` for the benchmark's peers).
    pub async fn start_with(
        pages: &Path,
        dist_rustpy: &Path,
        isolation: Isolation,
        mounts: &[(&str, &Path)],
    ) -> Result<Self, ServerError> {
        if !dist_rustpy.join("rustpy.js").is_file() {
            return Err(ServerError::MissingDist(dist_rustpy.to_path_buf()));
        }
        // The service workers must sit next to the pages they serve (their scope).
        let mut app = Router::new()
            .nest_service("/rustpy", ServeDir::new(dist_rustpy))
            .route_service(
                "/rustpy-coi.js",
                ServeFile::new(dist_rustpy.join("rustpy-coi.js")),
            )
            .route_service(
                "/rustpy-sw.js",
                ServeFile::new(dist_rustpy.join("rustpy-sw.js")),
            );
        for (prefix, folder) in mounts {
            app = app.nest_service(prefix, ServeDir::new(folder));
        }
        let mut app = app
            .fallback_service(ServeDir::new(pages))
            .layer(header("cache-control", "no-store"));
        if isolation == Isolation::Isolated {
            app = app
                .layer(header("cross-origin-opener-policy", "same-origin"))
                .layer(header("cross-origin-embedder-policy", "require-corp"))
                .layer(header("cross-origin-resource-policy", "cross-origin"));
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("test server stopped: {error}");
            }
        });
        Ok(Self { addr })
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}
