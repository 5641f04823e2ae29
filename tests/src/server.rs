//! A static file server for the browser suite and for trying pages by hand.
//!
//! Files are served precompressed where a `X.br` / `X.gz` sits next to `X` and the browser
//! accepts that encoding (`cargo xtask dist` writes them for `dist/rustpy/`); the bytes of
//! every response body, as sent, are counted per request path ([`TestServer::bytes_served`]).
//! `/ws/echo` is a WebSocket echo server ([`crate::echo`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
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

/// What the server tells the browser's HTTP cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// `Cache-Control: no-store` (the suite's default: every load fetches every file).
    NoStore,
    /// `Cache-Control: max-age=<seconds>`: a second load of a page takes its files from the
    /// browser's cache (and its compiled-code caches) without asking the server.
    MaxAge(u32),
}

/// How to start a [`TestServer`] beyond the pages and `dist/rustpy/`.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions<'a> {
    /// Cross-origin isolation headers or not.
    pub isolation: Isolation,
    /// The `Cache-Control` header of every response.
    pub caching: Caching,
    /// Further `(url_prefix, folder)` mounts (e.g. `("/node_modules", ...)` for the
    /// benchmark's peers), served with the same precompressed variants as `/rustpy/`.
    pub mounts: &'a [(&'a str, &'a Path)],
    /// A `Content-Security-Policy` header for every response, if any (e.g.
    /// [`EXAMPLE_CSP`]).
    pub csp: Option<&'static str>,
    /// Answer as if requests accepted gzip and deflate only: the `br` and `zstd` of their
    /// `Accept-Encoding` are ignored (for a browser that has no switch to leave them out,
    /// Chromium; [`TestServer::bytes_served`] still shows the header as sent).
    pub gzip_only: bool,
}

impl<'a> ServerOptions<'a> {
    /// The browser suite's options: `isolation`, `mounts`, `no-store` caching (every load
    /// fetches every file) and no Content-Security-Policy.
    pub fn suite(isolation: Isolation, mounts: &'a [(&'a str, &'a Path)]) -> Self {
        Self {
            isolation,
            caching: Caching::NoStore,
            mounts,
            csp: None,
            gzip_only: false,
        }
    }
}

/// The nonce the pages under [`EXAMPLE_CSP`] give their allowed inline scripts.
pub const EXAMPLE_NONCE: &str = "rustpy-example-nonce";

/// The example policy of the README's "Content-Security-Policy" section, word for word: no
/// inline scripts without the nonce, no `eval`, no inline styles; rustpy needs only
/// `'wasm-unsafe-eval'` on top of same-origin scripts, workers and fetches.
pub const EXAMPLE_CSP: &str = "default-src 'self'; script-src 'self' 'nonce-rustpy-example-nonce' 'wasm-unsafe-eval'; style-src 'self'";

/// What the server sent for one request path since the last
/// [`TestServer::reset_bytes_served`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    /// Response body bytes sent, as sent (compressed when the response was).
    pub bytes: u64,
    /// Responses sent (a `304 Not Modified` counts, with no body bytes).
    pub responses: u64,
    /// The `Content-Encoding` of the last response (empty: none).
    pub content_encoding: String,
    /// The `Accept-Encoding` of the last request (empty: none).
    pub accept_encoding: String,
}

/// The encoding the server answers a request that accepts `accepted` with: brotli where
/// the browser asks for it, else gzip (WebKitGTK asks for gzip only over `http://`).
pub fn best_encoding(accepted: &str) -> &'static str {
    if accepted
        .split(',')
        .any(|coding| coding.trim().starts_with("br"))
    {
        "br"
    } else {
        "gzip"
    }
}

/// Per request path (without the query), what was sent.
type Counter = Arc<Mutex<BTreeMap<String, Served>>>;

/// A running server; it stops when its tokio runtime does.
pub struct TestServer {
    addr: SocketAddr,
    served: Counter,
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
    /// (e.g. `("/node_modules", ...)` for the benchmark's peers), with `no-store` caching.
    pub async fn start_with(
        pages: &Path,
        dist_rustpy: &Path,
        isolation: Isolation,
        mounts: &[(&str, &Path)],
    ) -> Result<Self, ServerError> {
        Self::start_configured(pages, dist_rustpy, ServerOptions::suite(isolation, mounts)).await
    }

    /// Serves `pages` at `/` and `dist_rustpy` at `/rustpy/` as `options` say.
    pub async fn start_configured(
        pages: &Path,
        dist_rustpy: &Path,
        options: ServerOptions<'_>,
    ) -> Result<Self, ServerError> {
        if !dist_rustpy.join("rustpy.js").is_file() {
            return Err(ServerError::MissingDist(dist_rustpy.to_path_buf()));
        }
        let precompressed = |folder: &Path| {
            ServeDir::new(folder)
                .precompressed_br()
                .precompressed_gzip()
        };
        // The service workers must sit next to the pages they serve (their scope).
        let mut app = Router::new()
            .nest_service("/rustpy", precompressed(dist_rustpy))
            .route_service(
                "/rustpy-coi.js",
                ServeFile::new(dist_rustpy.join("rustpy-coi.js")),
            )
            .route_service(
                "/rustpy-sw.js",
                ServeFile::new(dist_rustpy.join("rustpy-sw.js")),
            )
            .route("/ws/echo", get(crate::echo::echo));
        for (prefix, folder) in options.mounts {
            app = app.nest_service(prefix, precompressed(folder));
        }
        let cache_control = match options.caching {
            Caching::NoStore => HeaderValue::from_static("no-store"),
            Caching::MaxAge(seconds) => HeaderValue::from_str(&format!("max-age={seconds}"))
                .unwrap_or_else(|_| HeaderValue::from_static("no-store")),
        };
        let mut app =
            app.fallback_service(ServeDir::new(pages))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    cache_control,
                ));
        if let Some(policy) = options.csp {
            app = app.layer(fixed_header("content-security-policy", policy));
        }
        if options.isolation == Isolation::Isolated {
            app = app
                .layer(fixed_header("cross-origin-opener-policy", "same-origin"))
                .layer(fixed_header("cross-origin-embedder-policy", "require-corp"))
                .layer(fixed_header("cross-origin-resource-policy", "cross-origin"));
        }
        if options.gzip_only {
            app = app.layer(middleware::from_fn(without_brotli));
        }
        // Outermost: it sees the bodies as they go to the socket (compressed or not).
        let served = Counter::default();
        let counter = served.clone();
        let app = app.layer(middleware::from_fn(move |request: Request, next: Next| {
            count(counter.clone(), request, next)
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("test server stopped: {error}");
            }
        });
        Ok(Self { addr, served })
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A snapshot of what was sent per request path (without the query) since the server
    /// started or [`TestServer::reset_bytes_served`] was last called. A body still being
    /// sent counts with the bytes sent so far.
    pub fn bytes_served(&self) -> BTreeMap<String, Served> {
        self.served
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the server sent the stdlib module `module` from the lazily fetched library
    /// (its bundle, or the module alone).
    pub fn sent_library_module(&self, module: &str) -> bool {
        let served = self.bytes_served();
        [
            format!("/rustpy/library/{module}.bin"),
            format!("/rustpy/library/one/{module}.bin"),
        ]
        .iter()
        .any(|path| served.contains_key(path))
    }

    /// Forgets what [`TestServer::bytes_served`] reported so far.
    pub fn reset_bytes_served(&self) {
        self.served
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

fn fixed_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

/// Records the request in `served` and wraps the response body so that its bytes are
/// counted as they are sent.
async fn count(served: Counter, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let accept_encoding = header_text(request.headers().get(header::ACCEPT_ENCODING));
    let response = next.run(request).await;
    {
        let mut served = served.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = served.entry(path.clone()).or_default();
        entry.responses += 1;
        entry.content_encoding = header_text(response.headers().get(header::CONTENT_ENCODING));
        entry.accept_encoding = accept_encoding;
    }
    response.map(|inner| {
        Body::new(CountingBody {
            inner,
            path,
            served,
        })
    })
}

/// Drops `br` and `zstd` from the request's `Accept-Encoding`.
async fn without_brotli(mut request: Request, next: Next) -> Response {
    let accepted = header_text(request.headers().get(header::ACCEPT_ENCODING));
    let kept: Vec<&str> = accepted
        .split(',')
        .map(str::trim)
        .filter(|coding| {
            let name = coding.split(';').next().unwrap_or_default().trim();
            !coding.is_empty() && name != "br" && name != "zstd"
        })
        .collect();
    match HeaderValue::from_str(&kept.join(", ")) {
        Ok(value) => {
            request.headers_mut().insert(header::ACCEPT_ENCODING, value);
        }
        Err(_) => {
            request.headers_mut().remove(header::ACCEPT_ENCODING);
        }
    }
    next.run(request).await
}

fn header_text(value: Option<&HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A response body that adds the length of each data frame to its path's count.
struct CountingBody {
    inner: Body,
    path: String,
    served: Counter,
}

impl HttpBody for CountingBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            let mut served = self.served.lock().unwrap_or_else(PoisonError::into_inner);
            served.entry(self.path.clone()).or_default().bytes += data.len() as u64;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
