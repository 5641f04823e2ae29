//! Serves the test pages (or, with `--demo`, the demo) and `dist/rustpy/` on 127.0.0.1 with
//! COOP/COEP headers and the precompressed `.br`/`.gz` files, for looking at them by hand:
//! `cargo run -p rustpy-e2e --bin serve [--demo] [--no-isolation]`. (`trunk serve`, which
//! `./dev demo` runs, sends every file uncompressed.)

use rustpy_e2e::server::{Isolation, TestServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pages = if std::env::args().any(|a| a == "--demo") {
        "demo"
    } else {
        "tests/pages"
    };
    let isolation = if std::env::args().any(|a| a == "--no-isolation") {
        Isolation::NotIsolated
    } else {
        Isolation::Isolated
    };
    let root = rustpy_e2e::workspace_root();
    let node_modules = root.join("tests/bench/node_modules");
    let server = TestServer::start_with(
        &root.join(pages),
        &root.join("dist/rustpy"),
        isolation,
        &[("/node_modules", node_modules.as_path())],
    )
    .await?;
    println!("serving {} ({isolation:?}); Ctrl-C stops", server.url("/"));
    tokio::signal::ctrl_c().await?;
    Ok(())
}
