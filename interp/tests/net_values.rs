//! `pyscript.storage`'s value format and the lazy loading of issue 26's modules, against
//! the fake host (the browser suite's `net_*.rs` tests cover IndexedDB and WebSockets):
//! every value storage holds comes back from its JSON text with the same types and values,
//! a refused value's `TypeError` names where it sits, a circular one is a `ValueError`, and
//! `pyscript.storage` / `pyscript.websocket` are library modules loaded on first use.

use rustpy_interp::ScriptOutcome;

#[path = "support/fake_host.rs"]
mod fake_host;
#[path = "support/fake_page.rs"]
mod fake_page;

use fake_host::{run_ok, runtime};

#[test]
fn every_allowed_value_round_trips_exactly() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript.storage import decode, encode\n\
         def describe(v):\n\
         \x20   if isinstance(v, dict):\n\
         \x20       return (type(v), [(describe(k), describe(x)) for k, x in v.items()])\n\
         \x20   if isinstance(v, (list, tuple)):\n\
         \x20       return (type(v), [describe(x) for x in v])\n\
         \x20   if isinstance(v, memoryview):\n\
         \x20       return (type(v), bytes(v))\n\
         \x20   return (type(v), repr(v))\n\
         values = [None, True, False, 0, -5, 2**200, -(2**70), 1.0, 0.1, -0.0, float('inf'),\n\
         \x20   float('nan'), '', 'h\\u00e9\\x00\\U0001f600', b'', bytes(range(256)),\n\
         \x20   bytearray(b'ab'), memoryview(b'mv'), [], (), {}, [1, [2, (3, b'x')]], (1,),\n\
         \x20   {'a': {1: None, (1, 2): b'', b'k': [True]}, '': 0.5}, ['l', 't', 'd', 'b']]\n\
         bad = [v for v in values if describe(decode(encode(v))) != describe(v)]\n\
         print('mismatches', bad)\n\
         print(encode({'a': [1, b'x']}))",
    );
    assert_eq!(
        host.stdout(),
        vec!["mismatches []", r#"["d","a",["l",1,["b","eA=="]]]"#]
    );
}

#[test]
fn a_refused_value_names_its_place() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript.storage import encode\n\
         def refused(value):\n\
         \x20   try:\n\
         \x20       encode(value, 'k')\n\
         \x20   except (TypeError, ValueError) as error:\n\
         \x20       print(type(error).__name__, error)\n\
         refused({1, 2})\n\
         refused({'x': [1, object()]})\n\
         refused({frozenset(): 1})\n\
         loop = []\n\
         loop.append(loop)\n\
         refused([loop])",
    );
    let allowed = "(it holds None, bool, int, float, str, bytes, bytearray, memoryview, \
                   and lists, tuples and dicts of those)";
    assert_eq!(
        host.stdout(),
        vec![
            format!("TypeError storage['k'] is of type 'set', which storage cannot hold {allowed}"),
            format!(
                "TypeError storage['k']['x'][1] is of type 'object', which storage cannot hold {allowed}"
            ),
            format!(
                "TypeError storage['k'] key frozenset() is of type 'frozenset', which storage cannot hold {allowed}"
            ),
            "ValueError storage['k'][0][0] contains itself: storage cannot hold a circular value"
                .to_string(),
        ]
    );
}

#[test]
fn the_modules_load_on_first_use_only() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "import pyscript\nprint(sorted(n for n in ('storage', 'Storage', 'WebSocket') if n in dir(pyscript)))",
    );
    assert_eq!(host.stdout(), vec!["['Storage', 'WebSocket', 'storage']"]);
    let loaded = |name: &str| {
        host.library_loads
            .borrow()
            .iter()
            .any(|file| file.ends_with(&format!("{name}.bin")))
    };
    assert!(!loaded("pyscript.storage") && !loaded("pyscript.websocket"));
    let outcome = rt
        .run_script(
            "import sys\nfrom pyscript import Storage, storage\n\
             module = sys.modules['pyscript.storage']\n\
             print(storage is module.storage, Storage is module.Storage)",
            "lazy.py",
            2,
        )
        .unwrap();
    assert_eq!(outcome, ScriptOutcome::Finished, "{}", host.stderr());
    assert!(loaded("pyscript.storage") && !loaded("pyscript.websocket"));
    assert_eq!(host.stdout()[1], "True True");
}
