//! The rewrite behind `InterruptChecks::InUserCode` keeps Python's meaning: the same
//! scripts give the same results with and without it, and what `compile`, `exec` and
//! `eval` return, raise and see is what the originals would. Each script asserts in Python
//! and prints one line per part, so a failed part names itself.

use rustpy_interp::{InterruptChecks, ScriptOutcome};

#[path = "support/fake_host.rs"]
mod fake_host;
#[path = "support/fake_page.rs"]
mod fake_page;

use fake_host::{FakeHost, runtime};

/// Loops, functions and lambdas in every shape the rewrite touches.
const SHAPES: &str = r#"
def loops():
    out = []
    i = 0
    while i < 3:
        i += 1
        if i == 2:
            continue
        out.append(i)
    else:
        out.append("else")
    while True:
        break
    else:
        out.append("not reached")
    n = 0
    while n < 5:
        n += 1
        if n == 4:
            break
    else:
        out.append("not reached")
    out.append(n)
    for outer in range(3):
        while outer < 10:
            outer += 10
        else:
            if outer == 12:
                break
            continue
    out.append(outer)
    for x, y in [(1, 2)]:
        out.append(x + y)
    else:
        out.append("for-else")
    return out

def documented():
    "the docstring"
    return 1

class Shape:
    sides = [s for s in range(3)]
    def __private(self):
        return "mangled"
    def area(self):
        return self.__private()

generator = (i * 2 for i in range(3))
nested = [[a * b for b in range(3) if b] for a in range(2)]
table = {k: v for k, v in zip("ab", range(2))}
unique = {c for c in "abca"}
square = lambda v: v * v

def counting():
    yield from range(2)
    for value in range(2, 4):
        yield value

print(loops())
print(documented.__doc__, documented())
print(Shape.sides, Shape().area())
print(list(generator), nested, table, sorted(unique), square(4), list(counting()))
print(sorted(name for name in globals() if "rustpy" in name))
"#;

/// `compile`, `exec` and `eval` as the builtins they replace.
const BUILTINS: &str = r##"
code = compile("for i in range(2):\n    pass\n", "user.py", "exec")
print("__rustpy_iterate__" in code.co_names, code.co_filename)
kept = compile("x = 1", "user.py", "exec")
print(type(kept).__name__, kept.co_names)
try:
    compile("x = (", "broken.py", "exec")
except SyntaxError as error:
    print("SyntaxError", error.filename, error.lineno)
exec("made = [i for i in range(3)]")
print(made)
def scoped():
    local = 5
    return eval("local + 1")
print(scoped(), eval("  1 + 1"), eval(b"\t 2 * 3"))
latin = compile(b"# -*- coding: latin-1 -*-\ntext = '\xc3\xa9'\nfor c in text:\n    pass\n", "latin.py", "exec")
namespace = {}
exec(latin, namespace)
print(len(namespace["text"]), "__rustpy_iterate__" in latin.co_names)
namespace = {}
exec(compile(b"\xef\xbb\xbfvalue = 7\n", "bom.py", "exec"), namespace)
print(namespace["value"])
print(compile("await_me = 1", "a.py", "exec", 0x2000, dont_inherit=True).co_filename)
print(eval(compile("3 + 4", "e.py", "eval")))
from collections import namedtuple
print(namedtuple("Point", "x y")(1, 2), eval("x + 1", {"__builtins__": {}, "x": 1}))
exec("for i in (0, 1):\n    pass\nseen = i", {"__builtins__": {}}, namespace)
print(namespace["seen"])
restricted = {"__builtins__": {}}
exec(compile("for i in (0, 1):\n    pass\nseen = i", "r.py", "exec"), restricted)
print(restricted["seen"], sorted(restricted["__builtins__"]))
"##;

/// Runs `script` with the rewrite, returns its printed lines.
fn printed(script: &str, how: Option<InterruptChecks>) -> (std::rc::Rc<FakeHost>, Vec<String>) {
    let (host, rt) = runtime();
    if let Some(how) = how {
        rt.watch_for_interrupts(how).expect("the checks install");
    }
    let outcome = rt.run_script(script, "shapes.py", 1).unwrap();
    assert_eq!(
        outcome,
        ScriptOutcome::Finished,
        "stderr: {}",
        host.stderr()
    );
    let lines = host.stdout();
    (host, lines)
}

#[test]
fn rewritten_code_means_what_it_meant() {
    let (_, plain) = printed(SHAPES, None);
    let (_, rewritten) = printed(SHAPES, Some(InterruptChecks::InUserCode));
    assert_eq!(rewritten, plain);
    assert_eq!(
        plain,
        vec![
            "[1, 3, 'else', 4, 12, 3, 'for-else']",
            "the docstring 1",
            "[0, 1, 2] mangled",
            "[0, 2, 4] [[0, 0], [1, 2]] {'a': 0, 'b': 1} ['a', 'b', 'c'] 16 [0, 1, 2, 3]",
            "[]",
        ]
    );
}

#[test]
fn compile_exec_and_eval_behave_as_the_originals() {
    let (_, rewritten) = printed(BUILTINS, Some(InterruptChecks::InUserCode));
    assert_eq!(
        rewritten,
        vec![
            "True user.py",
            "code ('x',)",
            "SyntaxError broken.py 1",
            "[0, 1, 2]",
            "6 2 6",
            "2 False",
            "7",
            "a.py",
            "7",
            "Point(x=1, y=2) 2",
            "1",
            "1 ['__rustpy_check__', '__rustpy_forever__', '__rustpy_iterate__']",
        ]
    );
    let (_, plain) = printed(BUILTINS, None);
    assert_eq!(plain[0], "False user.py", "without the rewrite: no checks");
    let last = plain.len() - 1;
    assert_eq!(plain[1..last], rewritten[1..last]);
    assert_eq!(plain[last], "1 []", "without the rewrite: nothing lent");
}
