//! The whole standard library a browser can run, natively against the fake host: every
//! module of the library imports, each module issue 24 names does its job (the checks the
//! browser test `tests/tests/stdlib_whole.rs` runs on the page and in a worker), and what
//! a browser cannot do fails saying why.

use rustpy_interp::ScriptOutcome;

#[path = "support/fake_host.rs"]
mod fake_host;
#[path = "support/fake_page.rs"]
mod fake_page;

use fake_host::runtime;

/// The checks shared with the browser test.
const CHECKS: &str = include_str!("../../tests/pages/stdlib_whole/checks.py");

/// Runs `script` after the checks' definitions; returns its printed lines.
fn run_with_checks(script: &str) -> Vec<String> {
    let (host, rt) = runtime();
    let source = format!("_NATIVE = True\n{CHECKS}\n{script}");
    let outcome = rt.run_script(&source, "checks.py", 1).unwrap();
    assert_eq!(
        outcome,
        ScriptOutcome::Finished,
        "stderr: {}",
        host.stderr()
    );
    host.stdout()
}

#[test]
fn every_module_of_the_library_imports() {
    // Scripts (`__main__` modules, `this`, `antigravity`) run something when imported.
    let lines = run_with_checks(
        r#"
import _rustpy_lazy
_rustpy_lazy._entry("json")
scripts = {"this", "antigravity", "__hello__", "__phello__"}
names = [n for n in sorted(_rustpy_lazy._index)
         if n.split(".")[0] not in scripts and not n.endswith("__main__")]
failed = []
for name in names:
    try:
        __import__(name)
    except BaseException as error:
        failed.append(f"{name}: {type(error).__name__}: {error}")
print(len(names))
print(failed)
"#,
    );
    let count: usize = lines[0].parse().unwrap();
    assert!(count > 450, "only {count} modules in the library");
    assert_eq!(lines[1], "[]");
}

#[test]
fn the_modules_issue_24_names_work() {
    let lines = run_with_checks(
        "r = stdlib_checks()\nprint(len(r))\nprint({k: v for k, v in r.items() if v != 'ok'})",
    );
    assert_eq!(lines, vec!["42".to_string(), "{}".to_string()]);
}

#[test]
fn what_a_browser_cannot_do_says_why() {
    let lines = run_with_checks(
        "r = unavailable_checks()\nprint(len(r))\nprint({k: v for k, v in r.items() if v != 'ok'})",
    );
    assert_eq!(lines, vec!["9".to_string(), "{}".to_string()]);
}
