//! The protocol between the page (main thread) and a rustpy worker.
//!
//! Messages travel with `postMessage`; on the Rust side they are these serde types, turned
//! into JS objects with `serde-wasm-bindgen` at the edges. The JS glue reads only the `type`
//! field. The compiled `WebAssembly.Module` rides along the boot message as a separate,
//! non-serde field (`module`), so that every worker reuses the page's one compilation.
//!
//! The synchronous shared-memory channel (`pyscript.sync`, `window`, `document`) will be
//! added here as further message kinds and a buffer layout.

use serde::{Deserialize, Serialize};

pub mod value;

pub use value::{Float, SpecialFloat, Value};

/// The boot message: everything a worker needs to run its script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boot {
    /// The Python source (already fetched and dedented by the page).
    pub source: String,
    /// The name shown in tracebacks: the `src` URL as written, or a label for inline code.
    pub filename: String,
    /// The worker's `name` attribute, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// The worker's configuration (the `config` attribute, parsed), `null` when absent.
    #[serde(default)]
    pub config: serde_json::Value,
}

/// Which console stream a line of output belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputStream {
    /// `print()`; the page logs it with `console.log`.
    Stdout,
    /// `sys.stderr`; the page logs it with `console.error`.
    Stderr,
}

/// Messages a worker sends to the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// One line of output.
    Output {
        /// The stream it was written to.
        stream: OutputStream,
        /// The line, without its newline.
        line: String,
    },
    /// The script (including any top-level `await`) finished without error.
    Ready,
    /// The script raised or did not compile: the Python traceback.
    Failed {
        /// The formatted traceback, as Python prints it.
        traceback: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn worker_messages_have_the_shape_the_page_reads() {
        let output = FromWorker::Output {
            stream: OutputStream::Stderr,
            line: "héllo ✓".into(),
        };
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            json!({"type": "output", "stream": "stderr", "line": "héllo ✓"})
        );
        assert_eq!(
            serde_json::to_value(FromWorker::Ready).unwrap(),
            json!({"type": "ready"})
        );
        let failed = FromWorker::Failed {
            traceback: "Traceback ...".into(),
        };
        let back: FromWorker =
            serde_json::from_value(serde_json::to_value(&failed).unwrap()).unwrap();
        assert_eq!(back, failed);
    }

    #[test]
    fn boot_accepts_a_minimal_message() {
        let boot: Boot = serde_json::from_value(json!({
            "type": "boot", "source": "print(1)", "filename": "w.py"
        }))
        .unwrap();
        assert_eq!(boot.name, None);
        assert_eq!(boot.config, serde_json::Value::Null);
    }

    #[test]
    fn malformed_boot_is_an_error() {
        assert!(serde_json::from_value::<Boot>(json!({"source": 3})).is_err());
    }
}
