//! `pyscript.WebSocket` (issue 26, point 4) against the suite's echo server (`/ws/echo`,
//! `rustpy_e2e::echo`), on the pages of `tests/pages/net/`:
//!
//! - in a worker whose page replaced its own `window.WebSocket` with a stub that throws (so
//!   only the worker's own socket, on the worker's thread, can work): a text message and a
//!   binary one (`bytes`, `bytearray`, `memoryview`) echo back as `str` and `memoryview`,
//!   `onopen`, `onmessage` (an `async` handler) and `onclose` fire in order, `close(code,
//!   reason)` closes cleanly with them, a server's close arrives with its code and reason, a port
//!   nobody listens on fires `onerror` then `onclose` (1006, not clean) without hanging,
//!   bad arguments raise clear errors, and a socket the script left open gets its message
//!   after the script ended, while the interpreter is idle;
//! - the same on the page's main thread;
//! - the module comes from the lazily fetched library (a page without it does not load it).

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::echo::SERVER_CLOSE_REASON;
use serde_json::{Value, json};

const LONG: Duration = Duration::from_secs(120);

/// A port on 127.0.0.1 that nobody listens on (bound, then let go).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("a bound address").port();
    drop(listener);
    port
}

fn assert_session(report: &Value, side: &str) {
    let echo = &report["echo"];
    assert_eq!(
        echo["stateAtStart"], 0,
        "{side}: CONNECTING at first: {report}"
    );
    assert!(
        echo["url"]
            .as_str()
            .unwrap_or_default()
            .starts_with("ws://127.0.0.1:")
            && echo["url"]
                .as_str()
                .unwrap_or_default()
                .ends_with("/ws/echo"),
        "{side}: the relative address resolved against the page: {report}"
    );
    assert_eq!(echo["stateOpen"], true, "{side}: {report}");
    assert_eq!(
        echo["text"],
        json!(["str", "hello \u{2603}"]),
        "{side}: {report}"
    );
    assert_eq!(
        echo["binary"],
        json!(["memoryview", true, 260]),
        "{side}: {report}"
    );
    assert_eq!(echo["bytesLike"], json!(["ba", "mv"]), "{side}: {report}");
    assert_eq!(echo["handlerRead"], true, "{side}: {report}");
    assert_eq!(
        echo["sendRefused"],
        "TypeError: WebSocket.send takes str, bytes, bytearray or memoryview, not int",
        "{side}: {report}"
    );
    assert_eq!(
        echo["close"],
        json!({"code": 3001, "reason": "bye from Python", "wasClean": true}),
        "{side}: {report}"
    );
    assert_eq!(echo["stateClosed"], true, "{side}: {report}");
    assert_eq!(
        echo["order"],
        json!(["open", "message", "message", "message", "message", "close"]),
        "{side}: {report}"
    );

    let server_close = &report["serverClose"];
    assert_eq!(server_close["echoed"], "last", "{side}: {report}");
    assert_eq!(
        server_close["close"],
        json!({"code": 4001, "reason": SERVER_CLOSE_REASON, "wasClean": true}),
        "{side}: {report}"
    );

    let unreachable = &report["unreachable"];
    assert_eq!(
        unreachable["order"],
        json!(["error", "close"]),
        "{side}: a closed port fires onerror, then onclose: {report}"
    );
    assert_eq!(unreachable["close"]["code"], 1006, "{side}: {report}");
    assert_eq!(unreachable["close"]["wasClean"], false, "{side}: {report}");

    let bad = &report["badArguments"];
    let text = |name: &str| bad[name].as_str().unwrap_or_default().to_string();
    assert!(
        text("scheme").starts_with("ValueError: WebSocket 'ftp://127.0.0.1/': the scheme"),
        "{side}: {report}"
    );
    assert!(
        text("notUrl").starts_with("ValueError: WebSocket 'ws://[nope': not a URL"),
        "{side}: {report}"
    );
    assert!(
        text("unknownHandler").starts_with("TypeError: WebSocket() got unexpected keyword")
            && text("unknownHandler").contains("onmesage"),
        "{side}: {report}"
    );
    assert!(
        text("notCallable").starts_with("TypeError: WebSocket.onopen must be callable"),
        "{side}: {report}"
    );
}

#[tokio::test]
async fn a_worker_echoes_on_its_own_websocket() {
    let h = Harness::start().await;
    let page = h
        .open(&format!("/net/websocket.html?closed={}", closed_port()))
        .await;
    let result = page.result(LONG).await.unwrap();
    assert_eq!(result["worker"]["inWorker"], true, "{result}");
    assert!(
        h.server.sent_library_module("pyscript.websocket")
            && !h.server.sent_library_module("pyscript.storage"),
        "pyscript.websocket came from the library, and pyscript.storage was not loaded"
    );
    assert_session(&result["worker"], "worker");
    assert_eq!(
        result["pageSockets"], 0,
        "the page's WebSocket was never called: {result}"
    );
    assert_eq!(
        result["idle"], "said at the start",
        "a socket's handler ran after the script ended: {result}"
    );
}

#[tokio::test]
async fn the_main_thread_echoes_too() {
    let h = Harness::start().await;
    let page = h
        .open(&format!(
            "/net/websocket-main.html?closed={}",
            closed_port()
        ))
        .await;
    let result = page.result(LONG).await.unwrap();
    assert_eq!(result["main"]["inWorker"], false, "{result}");
    assert_session(&result["main"], "main");
    assert_eq!(result["idle"], "said at the start", "{result}");
}
