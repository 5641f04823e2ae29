//! Freezes the Python that rustpy ships into one blob of compiled bytecode.
//!
//! Two sources go in:
//! - rustpy's own modules under `python/` (they shadow stdlib modules of the same name,
//!   e.g. our browser `os`);
//! - the stdlib modules listed in `stdlib-roots.txt`, taken from the `rustpython-pylib`
//!   crate's `Lib/`, plus every module they import *at import time* (module level, class
//!   bodies, `if`/`try`/`with` blocks; imports inside functions are left out, they run
//!   only when called). Names in `stdlib-excluded.txt` are never followed.
//!
//! The blob is `$OUT_DIR/frozen.bin` (a `rustpython_compiler_core::frozen::FrozenLib`), and
//! `$OUT_DIR/frozen-manifest.txt` lists what went in, one module per line with its size.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ruff_python_ast::{ExceptHandler, Stmt};
use rustpython_compiler_core::bytecode::{CodeObject, ConstantData};
use rustpython_compiler_core::frozen::{FrozenCodeObject, FrozenLib, FrozenModule};
use rustpython_compiler_core::marshal;

/// A module found on disk: its dotted name, its file and whether it is a package.
struct SourceModule {
    path: PathBuf,
    package: bool,
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let own_dir = manifest_dir.join("python");
    let stdlib_dir = PathBuf::from(rustpython_pylib::LIB_PATH);
    println!("cargo:rerun-if-changed=python");
    println!("cargo:rerun-if-changed=stdlib-roots.txt");
    println!("cargo:rerun-if-changed=stdlib-excluded.txt");
    println!("cargo:rerun-if-changed=boot-roots.txt");

    let roots = read_list(&manifest_dir.join("stdlib-roots.txt"));
    let excluded: BTreeSet<String> = read_list(&manifest_dir.join("stdlib-excluded.txt"))
        .into_iter()
        .collect();

    let mut own = BTreeMap::new();
    collect_tree(&own_dir, "", &mut own);
    for path in own.values() {
        println!("cargo:rerun-if-changed={}", path.path.display());
    }

    // Breadth-first walk over import-time imports, starting from our modules and the roots.
    let mut chosen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut packages: BTreeSet<String> = BTreeSet::new();
    // What each chosen module imports while it is being imported (its parent included).
    let mut imports: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queue: VecDeque<String> = own.keys().cloned().chain(roots).collect();
    while let Some(name) = queue.pop_front() {
        if chosen.contains_key(&name) || excluded.contains(&name) || excluded.contains(top(&name)) {
            continue;
        }
        let Some(found) = own
            .get(&name)
            .map(|m| (m.path.clone(), m.package))
            .or_else(|| find_module(&stdlib_dir, &name))
        else {
            continue; // native module or not shipped: the import fails at run time, as it should.
        };
        let (path, package) = found;
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let package_name = if package {
            name.clone()
        } else {
            name.rsplit_once('.')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default()
        };
        let mut found_imports = import_time_imports(&source, &package_name, &path);
        // A package's parents are imported first by Python, so they come along.
        if let Some((parent, _)) = name.rsplit_once('.') {
            found_imports.push(parent.to_string());
        }
        queue.extend(found_imports.iter().cloned());
        imports.insert(name.clone(), found_imports);
        if package {
            packages.insert(name.clone());
        }
        chosen.insert(name, path);
    }

    // Compile everything once.
    let mut compiled: BTreeMap<String, CodeObject> = BTreeMap::new();
    for (name, path) in &chosen {
        let source = std::fs::read_to_string(path).expect("read above");
        let display_path = path
            .strip_prefix(&stdlib_dir)
            .or_else(|_| path.strip_prefix(&own_dir))
            .unwrap_or(path);
        let code = rustpython_compiler::compile(
            &source,
            rustpython_compiler::Mode::Exec,
            &display_path.display().to_string(),
            rustpython_compiler::CompileOpts::default(),
        )
        .unwrap_or_else(|e| panic!("compiling {}: {e}", path.display()));
        compiled.insert(name.clone(), code);
    }

    // The boot image: what an interpreter imports before a script runs, and what
    // `pyscript` needs. Everything else is loaded on first import (see `_rustpy_lazy.py`).
    let boot = closure(
        read_list(&manifest_dir.join("boot-roots.txt")),
        &imports,
        &chosen,
    );
    let mut manifest = String::new();
    let mut frozen = Vec::new();
    for name in &boot {
        let code = FrozenCodeObject::encode(&compiled[name]);
        writeln!(manifest, "{name}\t{}", code.bytes.len()).expect("string write");
        frozen.push((name.as_str(), code, packages.contains(name)));
    }
    let lib = FrozenLib::encode(frozen.iter().map(|(name, code, package)| {
        (
            *name,
            FrozenModule {
                code: FrozenCodeObject {
                    bytes: &code.bytes[..],
                },
                package: *package,
            },
        )
    }));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out_dir.join("frozen.bin"), &lib.bytes).expect("write frozen.bin");
    std::fs::write(out_dir.join("frozen-manifest.txt"), manifest).expect("write manifest");

    // One file per other module, holding it and what it imports at import time, less the
    // boot image and (for a submodule) what its parent package already brought: Python
    // imports the parent first. One request per `import` a script writes, not one per
    // module it pulls in. `one/<module>.bin` holds the module alone, for when most of its
    // bundle is already loaded (`import asyncio` after `import json`).
    let library_dir = out_dir.join("library");
    if library_dir.exists() {
        std::fs::remove_dir_all(&library_dir).expect("clear library/");
    }
    std::fs::create_dir_all(library_dir.join("one")).expect("create library/one/");
    let marshal_bundle = |modules: &BTreeSet<String>| -> Vec<u8> {
        let entries: Vec<ConstantData> = modules
            .iter()
            .map(|module| ConstantData::Tuple {
                elements: vec![
                    ConstantData::Bytes {
                        value: module.as_bytes().to_vec(),
                    },
                    ConstantData::Boolean {
                        value: packages.contains(module),
                    },
                    ConstantData::Code {
                        code: Box::new(compiled[module].clone()),
                    },
                ],
            })
            .collect();
        let mut bytes = Vec::new();
        marshal::serialize_value(&mut bytes, marshal::DumpableValue::Tuple(&entries))
            .unwrap_or_else(|never| match never {});
        bytes
    };
    let mut index = String::new();
    for name in chosen.keys().filter(|name| !boot.contains(*name)) {
        let mut bundle = closure(vec![name.clone()], &imports, &chosen);
        bundle.retain(|module| !boot.contains(module));
        if let Some((parent, _)) = name.rsplit_once('.') {
            for already in closure(vec![parent.to_string()], &imports, &chosen) {
                bundle.remove(&already);
            }
            bundle.insert(name.clone());
        }
        let bytes = marshal_bundle(&bundle);
        std::fs::write(library_dir.join(format!("{name}.bin")), bytes).expect("write bundle");
        if bundle.len() > 1 {
            let alone = marshal_bundle(&BTreeSet::from([name.clone()]));
            std::fs::write(library_dir.join(format!("one/{name}.bin")), alone)
                .expect("write module");
        }
        let members: Vec<&str> = bundle.iter().map(String::as_str).collect();
        writeln!(
            index,
            "{name}\t{}\t{}",
            u8::from(packages.contains(name)),
            members.join(",")
        )
        .expect("string write");
    }
    std::fs::write(out_dir.join("library-index.txt"), index).expect("write library index");
}

/// `roots` and every chosen module they import at import time, transitively.
fn closure(
    roots: Vec<String>,
    imports: &BTreeMap<String, Vec<String>>,
    chosen: &BTreeMap<String, PathBuf>,
) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = roots;
    while let Some(name) = stack.pop() {
        if !chosen.contains_key(&name) || !found.insert(name.clone()) {
            continue;
        }
        stack.extend(imports.get(&name).into_iter().flatten().cloned());
    }
    found
}

/// Reads a list file: one name per line, `#` starts a comment.
fn read_list(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

fn top(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// Every `.py` file under `dir`, keyed by dotted module name.
fn collect_tree(dir: &Path, prefix: &str, out: &mut BTreeMap<String, SourceModule>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let dotted = if prefix.is_empty() {
            stem.to_string()
        } else {
            format!("{prefix}.{stem}")
        };
        if path.is_dir() {
            if path.join("__init__.py").is_file() {
                collect_tree(&path, &dotted, out);
            }
        } else if path.extension().is_some_and(|e| e == "py") {
            if stem == "__init__" {
                out.insert(
                    prefix.to_string(),
                    SourceModule {
                        path,
                        package: true,
                    },
                );
            } else {
                out.insert(
                    dotted,
                    SourceModule {
                        path,
                        package: false,
                    },
                );
            }
        }
    }
}

/// Finds `a.b.c` under the stdlib folder as `a/b/c.py` or `a/b/c/__init__.py`.
fn find_module(lib: &Path, name: &str) -> Option<(PathBuf, bool)> {
    let rel: PathBuf = name.split('.').collect();
    let package_init = lib.join(&rel).join("__init__.py");
    if package_init.is_file() {
        return Some((package_init, true));
    }
    let file = lib.join(&rel).with_extension("py");
    file.is_file().then_some((file, false))
}

/// The absolute names of modules a source imports while it is being imported.
fn import_time_imports(source: &str, package: &str, path: &Path) -> Vec<String> {
    let parsed = ruff_python_parser::parse_module(source)
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    let mut found = Vec::new();
    walk(&parsed.syntax().body, package, &mut found);
    found
}

fn walk(body: &[Stmt], package: &str, found: &mut Vec<String>) {
    for stmt in body {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    push_with_parents(alias.name.as_str(), found);
                }
            }
            Stmt::ImportFrom(import) => {
                let base = resolve_relative(
                    import.module.as_ref().map(|m| m.as_str()),
                    import.level,
                    package,
                );
                if base.is_empty() {
                    continue;
                }
                push_with_parents(&base, found);
                // `from pkg import sub` may name a submodule.
                for alias in &import.names {
                    if alias.name.as_str() != "*" {
                        found.push(format!("{base}.{}", alias.name.as_str()));
                    }
                }
            }
            Stmt::If(node) => {
                walk(&node.body, package, found);
                for clause in &node.elif_else_clauses {
                    walk(&clause.body, package, found);
                }
            }
            Stmt::Try(node) => {
                walk(&node.body, package, found);
                for ExceptHandler::ExceptHandler(handler) in &node.handlers {
                    walk(&handler.body, package, found);
                }
                walk(&node.orelse, package, found);
                walk(&node.finalbody, package, found);
            }
            Stmt::With(node) => walk(&node.body, package, found),
            Stmt::ClassDef(node) => walk(&node.body, package, found),
            _ => {}
        }
    }
}

fn push_with_parents(name: &str, found: &mut Vec<String>) {
    let mut prefix = String::new();
    for part in name.split('.') {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(part);
        found.push(prefix.clone());
    }
}

fn resolve_relative(module: Option<&str>, level: u32, package: &str) -> String {
    if level == 0 {
        return module.unwrap_or_default().to_string();
    }
    let mut parts: Vec<&str> = if package.is_empty() {
        Vec::new()
    } else {
        package.split('.').collect()
    };
    for _ in 1..level {
        parts.pop();
    }
    let mut base = parts.join(".");
    if let Some(module) = module {
        if !base.is_empty() {
            base.push('.');
        }
        base.push_str(module);
    }
    base
}
