//! Property-based fuzzing of the conversion between bridge [`Value`]s and Python objects
//! (`convert::from_value` and `convert::to_value`), through the runtime's public entry
//! points, on one interpreter per test (an interpreter is expensive: each is made once and
//! reused for every case).
//!
//! What it proves, for every generated case:
//!
//! * **Copy mode** (`pyscript.sync`: [`Runtime::call_export`] of a function that returns
//!   its arguments). Any plain value (nested lists and dicts, integers of any size, every
//!   `f64` bit pattern, strings of any Unicode, bytes) reaches Python and comes back
//!   unchanged; a dict whose keys repeat comes back as Python builds it (the last value, at
//!   the first key's place). Integers written as the wire allows (`-?[0-9]+`, leading zeros
//!   and thousands of digits included) arrive as the number they spell; any other text
//!   where digits belong is a `ValueError`, and a reference anywhere (a JS object, a Python
//!   callable, a method marker, a slot, a bound method) is a `TypeError`: the call fails
//!   with a traceback and delivers nothing, never a panic.
//! * **FFI mode** ([`Runtime::invoke_callback`] of a registered function that returns its
//!   arguments). Plain values round-trip as above; a JS reference comes back as a reference
//!   to the same handle, the registered function as itself; anything else answers `Ok` or a
//!   traceback, never a panic.
//! * **Whatever the wire decoder accepts** (`Value::decode` of arbitrary bytes, token soups,
//!   nesting up to serde_json's depth limit) converts in both modes without a panic or a
//!   stack overflow.
//!
//! Case counts: `PROPTEST_CASES` when set, else [`DEFAULT_CASES`] per property (the file
//! runs in well under a minute in debug on 2 cores). To search longer locally:
//!
//! ```text
//! PROPTEST_CASES=20000 cargo test -p rustpy-interp --test fuzz_values --release
//! ```
//!
//! A failure prints the smallest input proptest found (no regression files are written):
//! fix the conversion and add that input as a plain `#[test]` (e.g. in `tests/runtime.rs`).

use std::rc::Rc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use rustpy_bridge::{JsRef, PyRef};
use rustpy_interp::{Runtime, Value};

#[path = "support/fake_host.rs"]
mod fake_host;
// The leaves (strings, integers, floats, bytes) are the bridge's property tests' own.
#[path = "support/fake_page.rs"]
mod fake_page;
#[path = "../../bridge/tests/support/strategies.rs"]
#[allow(dead_code)]
mod strategies;

use fake_host::{FakeHost, run_ok, runtime};
use strategies::{plain_leaf, text};

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 256;

/// `Number.MAX_SAFE_INTEGER`: the page's handles stay below it.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// `PROPTEST_CASES` if set (proptest reads it), else [`DEFAULT_CASES`]; no regression files.
fn config() -> Config {
    let mut config = if std::env::var_os("PROPTEST_CASES").is_some() {
        Config::default()
    } else {
        Config::with_cases(DEFAULT_CASES)
    };
    config.failure_persistence = None;
    config
}

/// Runs property `name` over `strategy`; a failure panics with the smallest input found.
fn check<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(config());
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("property {name} failed: {failure}");
    }
}

// ---------------------------------------------------------------------------------------
// Generators.

/// Dict keys: few distinct ones, so that keys repeat.
fn key() -> BoxedStrategy<String> {
    prop_oneof![
        2 => proptest::sample::select(vec!["a", "b", "", "é", "__class__"]).prop_map(str::to_string),
        1 => text(),
    ]
    .boxed()
}

/// Trees of `leaf`: lists and dicts (keys may repeat).
fn tree(leaf: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    leaf.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::List),
            vec((key(), inner), 0..5).prop_map(Value::Dict),
        ]
    })
    .boxed()
}

fn plain_value() -> BoxedStrategy<Value> {
    tree(plain_leaf())
}

/// A reference of any kind; `echo` is the id of the registered callable, when there is one.
fn reference(echo: u64) -> BoxedStrategy<Value> {
    prop_oneof![
        (1..=MAX_SAFE_INTEGER, any::<u32>(), any::<bool>()).prop_map(|(id, class, callable)| {
            Value::Js(JsRef {
                id,
                class,
                callable,
            })
        }),
        // Handles the page never hands out.
        prop_oneof![Just(0), MAX_SAFE_INTEGER + 1..=u64::MAX].prop_map(|id| Value::Js(JsRef {
            id,
            class: 0,
            callable: false,
        })),
        (
            prop_oneof![Just(echo), any::<u64>()],
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(id, prevent_default, stop_propagation)| {
                Value::Py(PyRef {
                    id,
                    prevent_default,
                    stop_propagation,
                })
            }),
        Just(Value::Method),
        any::<u32>().prop_map(Value::Slot),
        (1..=MAX_SAFE_INTEGER, text()).prop_map(|(id, name)| Value::Bound(
            Box::new(Value::Js(JsRef {
                id,
                class: 0,
                callable: false
            })),
            name
        )),
    ]
    .boxed()
}

/// Values that may hold references.
fn any_value(echo: u64) -> BoxedStrategy<Value> {
    tree(prop_oneof![3 => plain_leaf(), 1 => reference(echo)].boxed())
}

/// Bytes the wire decoder may accept: token soups, values' encodings, deep nesting.
fn wire_bytes() -> BoxedStrategy<Vec<u8>> {
    const TOKENS: &[&str] = &[
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "null",
        "true",
        "1",
        "-0",
        "2.0",
        "1e308",
        "\"i\"",
        "\"007\"",
        "\"-0\"",
        "\"f\"",
        "\"nan\"",
        "\"-0\"",
        "\"d\"",
        "\"k\"",
        "\"b\"",
        "\"AA==\"",
        "\"js\"",
        "\"py\"",
        "\"m\"",
        "\"s\"",
        "\"bound\"",
    ];
    prop_oneof![
        vec(proptest::sample::select(TOKENS), 0..40)
            .prop_map(|tokens| tokens.concat().into_bytes()),
        any_value(1).prop_map(|value| value.encode()),
        (
            1_usize..140,
            proptest::sample::select(vec!["[", "{\"d\":[[\"k\","])
        )
            .prop_map(|(depth, open)| {
                let close = if open == "[" { "]" } else { "]]}" };
                format!(
                    "{}{{\"i\":\"0012\"}}{}",
                    open.repeat(depth),
                    close.repeat(depth)
                )
                .into_bytes()
            }),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Models.

/// `value` as Python gives it back: a dict keeps each key once, with its last value, at its
/// first place.
fn as_python_builds_it(value: &Value) -> Value {
    match value {
        Value::List(items) => Value::List(items.iter().map(as_python_builds_it).collect()),
        Value::Dict(entries) => {
            let mut dict: Vec<(String, Value)> = Vec::new();
            for (key, item) in entries {
                let item = as_python_builds_it(item);
                match dict.iter_mut().find(|(existing, _)| existing == key) {
                    Some(entry) => entry.1 = item,
                    None => dict.push((key.clone(), item)),
                }
            }
            Value::Dict(dict)
        }
        other => other.clone(),
    }
}

/// True when `value` holds anything but plain data.
fn holds_a_reference(value: &Value) -> bool {
    match value {
        Value::List(items) => items.iter().any(holds_a_reference),
        Value::Dict(entries) => entries.iter().any(|(_, item)| holds_a_reference(item)),
        Value::Js(_) | Value::Py(_) | Value::Method | Value::Slot(_) | Value::Bound(..) => true,
        _ => false,
    }
}

/// What the FFI gives back for `value`, when it promises to give it back: JS references
/// to the page's handles by handle, the callable `echo` as itself; `None` when it makes no
/// promise (a method marker, a slot, a bound method, a handle never handed out, an unknown
/// callable).
fn as_the_ffi_gives_it_back(value: &Value, echo: u64) -> Option<Value> {
    Some(match value {
        Value::List(items) => Value::List(
            items
                .iter()
                .map(|item| as_the_ffi_gives_it_back(item, echo))
                .collect::<Option<_>>()?,
        ),
        Value::Dict(entries) => {
            let entries = entries
                .iter()
                .map(|(key, item)| Some((key.clone(), as_the_ffi_gives_it_back(item, echo)?)))
                .collect::<Option<Vec<_>>>()?;
            as_python_builds_it(&Value::Dict(entries))
        }
        Value::Js(js) if (1..=MAX_SAFE_INTEGER).contains(&js.id) => Value::Js(JsRef {
            id: js.id,
            class: 0,
            callable: false,
        }),
        Value::Py(py) if py.id == echo => Value::Py(PyRef {
            id: echo,
            prevent_default: false,
            stop_propagation: false,
        }),
        Value::Js(_) | Value::Py(_) | Value::Method | Value::Slot(_) | Value::Bound(..) => {
            return None;
        }
        other => other.clone(),
    })
}

// ---------------------------------------------------------------------------------------
// The interpreter.

/// An interpreter whose `pyscript.sync.echo` returns its arguments as a list.
fn copy_runtime() -> (Rc<FakeHost>, Runtime) {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import sync\nsync.echo = lambda *args: list(args)",
    );
    (host, rt)
}

/// Calls `echo(*args)` by copy: its result, or the traceback (`Err`) when the call failed
/// before anything was delivered.
fn echo_by_copy(host: &FakeHost, rt: &Runtime, args: &Value) -> Result<Value, String> {
    host.export_results.borrow_mut().clear();
    if let Err(error) = rt.call_export(1, "echo", args) {
        assert!(
            host.export_results.borrow().is_empty(),
            "a failed call delivered a result"
        );
        return Err(error.to_string());
    }
    let results = std::mem::take(&mut *host.export_results.borrow_mut());
    match results.as_slice() {
        [(1, result)] => result.clone(),
        other => panic!("one result expected, got {other:?}"),
    }
}

/// Properties of the copy mode, on one interpreter.
#[test]
fn values_cross_into_python_and_back_by_copy() {
    let (host, rt) = copy_runtime();
    let host = &host;
    let rt = &rt;

    check("plain values round-trip", plain_value(), |value| {
        let back = echo_by_copy(host, rt, &Value::List(vec![value.clone()]));
        prop_assert_eq!(back, Ok(Value::List(vec![as_python_builds_it(&value)])));
        Ok(())
    });

    check(
        "integers of any digits arrive as their number, or raise ValueError",
        prop_oneof![
            "-?[0-9]{1,60}",
            "-?0{0,30}[0-9]{1,30}",
            "[0-9]{4300,4400}",
            "[-+ 0-9a_.e]{0,12}",
            any::<String>(),
        ],
        |digits| {
            let back = echo_by_copy(host, rt, &Value::List(vec![Value::Int(digits.clone())]));
            let spelled = digits.strip_prefix('-').unwrap_or(&digits);
            if !spelled.is_empty() && spelled.bytes().all(|byte| byte.is_ascii_digit()) {
                // What the wire decoder accepts: the number, canonically.
                let magnitude = spelled.trim_start_matches('0');
                let canonical = match (magnitude, digits.starts_with('-')) {
                    ("", _) => "0".to_string(),
                    (magnitude, true) => format!("-{magnitude}"),
                    (magnitude, false) => magnitude.to_string(),
                };
                prop_assert_eq!(back, Ok(Value::List(vec![Value::Int(canonical)])));
            } else if let Err(traceback) = back {
                prop_assert!(traceback.contains("ValueError"), "{}", traceback);
            }
            Ok(())
        },
    );

    check(
        "a reference never crosses by copy",
        (any_value(0), reference(0), any::<bool>()).prop_map(|(value, reference, in_a_list)| {
            if in_a_list {
                Value::List(vec![value, reference])
            } else {
                Value::Dict(vec![("a".into(), value), ("b".into(), reference)])
            }
        }),
        |value| {
            let back = echo_by_copy(host, rt, &Value::List(vec![value]));
            prop_assert!(
                matches!(&back, Err(traceback) if traceback.contains("TypeError")),
                "{:?}",
                back
            );
            Ok(())
        },
    );

    check(
        "whatever the wire decoder accepts converts without a panic",
        wire_bytes(),
        |bytes| {
            if let Ok(value) = Value::decode(&bytes) {
                let back = echo_by_copy(host, rt, &Value::List(vec![value.clone()]));
                if !holds_a_reference(&value) {
                    prop_assert!(back.is_ok(), "{:?}", back);
                }
            }
            Ok(())
        },
    );
}

/// Properties of the FFI mode, on one interpreter.
#[test]
fn values_cross_into_python_and_back_through_the_ffi() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "import _rustpy_ffi\ndef echo(*args):\n    return list(args)\n\
         print(_rustpy_ffi.register_callable(echo)[0])",
    );
    let echo: u64 = host.stdout()[0].parse().expect("the callable's id");
    let rt = &rt;

    check(
        "plain values and references round-trip",
        any_value(echo),
        |value| {
            let back = rt.invoke_callback(echo, &Value::List(vec![value.clone()]));
            // Without a promise, only this: a value or a traceback, not a panic.
            if let Some(expected) = as_the_ffi_gives_it_back(&value, echo) {
                prop_assert_eq!(back, Ok(Value::List(vec![expected])));
            }
            Ok(())
        },
    );

    check(
        "whatever the wire decoder accepts converts without a panic",
        wire_bytes(),
        |bytes| {
            if let Ok(value) = Value::decode(&bytes) {
                let _ = rt.invoke_callback(echo, &Value::List(vec![value]));
            }
            Ok(())
        },
    );
}
