//! Sets the size of the WebAssembly shadow stack (the part of linear memory that holds
//! Rust's stack frames), which bounds how deep native recursion goes before RustPython's
//! guard raises `RecursionError`; see `STACK_BYTES` below. `RUSTPY_WASM_STACK=<bytes>` at
//! build time links another size, to measure where the browser's stack gives out.

/// The shadow stack rustpy links with. RustPython's `with_recursion` guard (on every
/// native `repr`, comparison and call) raises `RecursionError` when fewer than 32 KiB of
/// the shadow stack are left. The browser's own stack (about 1 MB of machine stack for a
/// worker or a page in Chromium) holds the machine frames of the same functions; with
/// Rust's default 1 MiB shadow stack the browser's ran out first and a deeply nested
/// `repr` killed the worker with `RangeError: Maximum call stack size exceeded`.
const STACK_BYTES: u32 = 262_144;

fn main() {
    println!("cargo:rerun-if-env-changed=RUSTPY_WASM_STACK");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let bytes = std::env::var("RUSTPY_WASM_STACK")
        .ok()
        .and_then(|value| value.parse::<u32>().ok())
        .unwrap_or(STACK_BYTES);
    println!("cargo:rustc-link-arg-cdylib=-zstack-size={bytes}");
}
