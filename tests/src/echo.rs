//! The suite's WebSocket echo server, at `/ws/echo` of every [`crate::server::TestServer`]:
//! each text or binary message comes back as it came; a close from the browser is answered
//! (axum's `ws` feature, over `tokio-tungstenite`, does the protocol).
//!
//! `/ws/echo?close=<code>` closes the connection itself, with that code and the reason
//! `"closed by the server"`, after echoing the first message (for `onclose` tests).

use std::collections::HashMap;

use axum::extract::Query;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;

/// The reason of the server's own close (`?close=<code>`).
pub const SERVER_CLOSE_REASON: &str = "closed by the server";

/// Upgrades the request to a WebSocket that echoes (see the module's docs).
pub async fn echo(
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let close_code = query.get("close").and_then(|code| code.parse::<u16>().ok());
    upgrade.on_upgrade(move |socket| echo_messages(socket, close_code))
}

async fn echo_messages(mut socket: WebSocket, close_code: Option<u16>) {
    let mut closing = false;
    // Until the browser's side ends: after a close (either side's), tungstenite sends the
    // reply itself and the next `recv` ends the loop once the browser answered, so both
    // sides see a clean close.
    while let Some(Ok(message)) = socket.recv().await {
        let reply = match message {
            Message::Text(_) | Message::Binary(_) if !closing => message,
            _ => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
        if let Some(code) = close_code {
            let frame = CloseFrame {
                code,
                reason: SERVER_CLOSE_REASON.into(),
            };
            if socket.send(Message::Close(Some(frame))).await.is_err() {
                break;
            }
            closing = true;
        }
    }
}
