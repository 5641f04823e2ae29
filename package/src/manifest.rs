//! The package's `package.json`, built from Cargo's metadata so the version lives only in
//! the workspace's `Cargo.toml`.

use serde_json::{Value, json};

/// The npm package name.
pub const NAME: &str = "rustpy";
/// The package version: the workspace version (`[workspace.package] version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `package.json` for a package whose top-level entries are `entries` (file names, and
/// folder names ending in `/`), as `files` lists them.
pub fn package_json(entries: &[String]) -> Value {
    json!({
        "name": NAME,
        "version": VERSION,
        "description": "Python in the browser, on the page and in Web Workers: RustPython compiled to WebAssembly, with PyScript's API under type=\"rustpy\".",
        "license": env!("CARGO_PKG_LICENSE"),
        "repository": { "type": "git", "url": format!("git+{}.git", env!("CARGO_PKG_REPOSITORY")) },
        "homepage": env!("CARGO_PKG_REPOSITORY"),
        "keywords": [
            "python", "webassembly", "wasm", "rustpython", "pyscript", "web-worker",
            "browser", "interpreter"
        ],
        "type": "module",
        "main": "./rustpy.js",
        "types": "./rustpy.d.ts",
        "exports": {
            ".": { "types": "./rustpy.d.ts", "default": "./rustpy.js" },
            "./rustpy.js": { "types": "./rustpy.d.ts", "default": "./rustpy.js" },
            "./rustpy-coi.js": "./rustpy-coi.js",
            "./rustpy-sw.js": "./rustpy-sw.js",
            "./vite": { "types": "./vite.d.ts", "default": "./vite.js" },
            "./library/*": "./library/*",
            "./package.json": "./package.json"
        },
        "files": entries,
        // rustpy.js runs the page's Python scripts when it is imported.
        "sideEffects": ["./rustpy.js"]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_workspace_version() {
        let manifest = package_json(&["rustpy.js".into()]);
        assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(manifest["name"], "rustpy");
        assert_eq!(manifest["license"], "MIT");
        assert_eq!(manifest["type"], "module");
        assert_eq!(manifest["exports"]["."]["default"], "./rustpy.js");
        assert_eq!(manifest["files"], json!(["rustpy.js"]));
    }
}
