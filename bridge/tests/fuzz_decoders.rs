//! Property-based fuzzing of the protocol's native decoders and encoders (proptest).
//!
//! What it proves, for every generated case:
//!
//! * **No decoder panics.** Arbitrary bytes, a soup of JSON tokens, arbitrary JSON
//!   documents built from the protocol's own field names and tags, byte-level mutations of
//!   valid encodings, and nesting far past serde_json's depth limit are fed to every
//!   decoder: [`Value::decode`], [`FromWorker`], [`ToWorker`], [`Boot`], [`SyncReply`],
//!   [`CallOutcome`], [`JsReply::decode`], [`BatchPart::decode`] (and [`split_ops`] on what
//!   decodes as a list of items), and JSON documents also through a `serde_json::Value`
//!   tree's deserializer. Each answers `Ok` or its typed `Err`. What decodes
//!   re-encodes to a form that decodes again and is then stable (encoding normalises:
//!   `{"i":"007"}` becomes `7`).
//! * **Round trips.** Any [`Value`] (nested lists and dicts, integers of any size, every
//!   `f64` bit pattern including NaN, ±infinity, -0.0 and subnormals, strings of any
//!   Unicode, bytes, references) encodes and decodes to itself, bit for bit; so does every
//!   message (`FromWorker`, `ToWorker`, `Boot`, `SyncReply`, `JsReply`, `BatchPart`)
//!   holding such values. Plain values also round-trip through a `serde_json::Value` tree
//!   (not references: a tree's map sorts keys, and a reference's fields must follow its
//!   tag, `{"js":7,"c":3}`, as both sides write them). Plain JSON turned into a value
//!   (`Value::from(&json)`, a worker's config) is a value that round-trips.
//! * **FFI framing.** [`split_ops`] never panics on any item list, and what it splits
//!   rebuilds the input exactly; operations flattened the way requests carry them split
//!   back into themselves. [`OpWriter`] writes, byte for byte, the JSON of the operation's
//!   [`Value`] (its documented promise), with the same item count; an [`OpJournal`] gives
//!   each operation back and writes the [`BatchPart`]s serde would write; [`request`]
//!   splits back into its operations. [`name_operand`] and [`is_call_ref`] read what the
//!   writer means.
//!
//! Case counts: proptest's own `PROPTEST_CASES` (default 256 per property; the file runs in
//! a few seconds in debug). To search longer locally:
//!
//! ```text
//! PROPTEST_CASES=100000 cargo test -p rustpy-bridge --test fuzz_decoders --release
//! ```
//!
//! Run it in debug too: only there do overflow checks turn an arithmetic slip into a
//! failure. A failure prints the smallest input proptest found (no regression files are
//! written): fix the decoder and add that input as a plain `#[test]` in the crate's unit
//! tests. Found so far, each now such a test: `split_ops` overflowing on a count near
//! `usize::MAX`, floats read one ulp off (serde_json without `float_roundtrip`), and an
//! empty operation making a request that is not JSON.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use serde::Serialize;
use serde::de::DeserializeOwned;

use rustpy_bridge::ffi::{
    self, BatchPart, CALL_REF_BITS, JsFailure, JsReply, OpJournal, OpWriter, WELL_KNOWN_NAMES,
    WrittenOp, is_call_ref, name_operand, request, split_ops, well_known_name,
};
use rustpy_bridge::{
    Boot, CallOutcome, Float, FromWorker, JsRef, OutputStream, PyRef, SyncFailure, SyncReply,
    ToWorker, Value,
};

/// `Number.MAX_SAFE_INTEGER`: integers past it travel tagged.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// proptest's defaults (`PROPTEST_CASES` included), without regression files.
fn config() -> Config {
    Config {
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------
// Generators.

/// The protocol's field names and tags: decoders take other paths for them.
const KEYS: &[&str] = &[
    "i",
    "f",
    "b",
    "d",
    "js",
    "c",
    "fn",
    "py",
    "pd",
    "sp",
    "m",
    "bound",
    "s",
    "t",
    "v",
    "type",
    "stream",
    "line",
    "exports",
    "id",
    "name",
    "args",
    "result",
    "request",
    "handles",
    "what",
    "traceback",
    "delivered",
    "ok",
    "err",
    "kind",
    "message",
    "size",
    "limit",
    "index",
    "python",
    "batch",
    "ops",
    "want",
    "source",
    "filename",
    "config",
    "target",
    "relay",
    "library",
    "reply_limit",
    "call",
    "callback",
    "interrupt",
];

/// String values the decoders give meaning to (variant names, float names, digits...).
const WORDS: &[&str] = &[
    "output",
    "ready",
    "sync_call",
    "call_result",
    "js_part",
    "abandoned",
    "error",
    "release",
    "failed",
    "stdout",
    "stderr",
    "Missing",
    "Raised",
    "TooLarge",
    "nan",
    "inf",
    "-inf",
    "-0",
    "0",
    "-",
    "",
    "12a",
    "007",
    "+5",
    "-9007199254740993",
    "18446744073709551616",
    "AAEC",
    "AA==",
    "!!",
    "get",
    "set",
    "count",
    "append",
];

/// Any string: any `char` (controls, quotes, astral planes), or a protocol word.
fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => vec(any::<char>(), 0..12).prop_map(String::from_iter),
        1 => proptest::sample::select(KEYS).prop_map(str::to_string),
        1 => proptest::sample::select(WORDS).prop_map(str::to_string),
    ]
    .boxed()
}

/// Canonical decimal digits of an integer: small, at the edge of JS's exact range, past
/// `u64`, hundreds of digits.
fn canonical_int() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (-2_i64..=2, any::<bool>()).prop_map(|(delta, negative)| {
            let n = MAX_SAFE_INTEGER + delta;
            (if negative { -n } else { n }).to_string()
        }),
        (any::<bool>(), "[1-9][0-9]{0,150}").prop_map(|(negative, digits)| if negative {
            format!("-{digits}")
        } else {
            digits
        }),
    ]
    .boxed()
}

/// Any `f64`: proptest's classes, every bit pattern (signalling NaNs, subnormals),
/// integral values, and the edges by name.
fn any_f64() -> BoxedStrategy<f64> {
    prop_oneof![
        any::<f64>(),
        any::<u64>().prop_map(f64::from_bits),
        any::<i32>().prop_map(f64::from),
        (any::<i64>()).prop_map(|n| n as f64),
        proptest::sample::select(vec![
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            5e-324,
            9007199254740993.0,
            0.1,
        ]),
    ]
    .boxed()
}

/// The values plain data crosses as (what `pyscript.sync` copies).
fn plain_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        canonical_int().prop_map(Value::Int),
        any_f64().prop_map(|f| Value::Float(Float::new(f))),
        text().prop_map(Value::Str),
        vec(any::<u8>(), 0..24).prop_map(Value::Bytes),
    ]
    .boxed()
}

/// The FFI's references and markers.
fn reference() -> BoxedStrategy<Value> {
    prop_oneof![
        (any::<u64>(), any::<u32>(), any::<bool>()).prop_map(|(id, class, callable)| {
            Value::Js(JsRef {
                id,
                class,
                callable,
            })
        }),
        (any::<u64>(), any::<bool>(), any::<bool>()).prop_map(
            |(id, prevent_default, stop_propagation)| {
                Value::Py(PyRef {
                    id,
                    prevent_default,
                    stop_propagation,
                })
            }
        ),
        Just(Value::Method),
        any::<u32>().prop_map(Value::Slot),
    ]
    .boxed()
}

/// Trees over `leaf`: lists, dicts (keys may repeat), and with `refs` bound methods.
fn tree(leaf: BoxedStrategy<Value>, refs: bool) -> BoxedStrategy<Value> {
    leaf.prop_recursive(6, 64, 6, move |inner| {
        let list = vec(inner.clone(), 0..6).prop_map(Value::List);
        let dict = vec((text(), inner.clone()), 0..6).prop_map(Value::Dict);
        if refs {
            let bound =
                (inner, text()).prop_map(|(owner, name)| Value::Bound(Box::new(owner), name));
            prop_oneof![list, dict, bound].boxed()
        } else {
            prop_oneof![list, dict].boxed()
        }
    })
    .boxed()
}

/// Plain data: what `pyscript.sync` copies.
fn plain_value() -> BoxedStrategy<Value> {
    tree(plain_leaf(), false)
}

/// Any value the bridge carries.
fn any_value() -> BoxedStrategy<Value> {
    tree(
        prop_oneof![3 => plain_leaf(), 1 => reference()].boxed(),
        true,
    )
}

fn call_outcome() -> BoxedStrategy<CallOutcome> {
    prop_oneof![
        any_value().prop_map(CallOutcome::Ok),
        text().prop_map(CallOutcome::Err),
    ]
    .boxed()
}

fn from_worker() -> BoxedStrategy<FromWorker> {
    let stream = prop_oneof![Just(OutputStream::Stdout), Just(OutputStream::Stderr)];
    prop_oneof![
        (stream, text()).prop_map(|(stream, line)| FromWorker::Output { stream, line }),
        vec(text(), 0..4).prop_map(|exports| FromWorker::Ready { exports }),
        (any::<u64>(), text(), any_value()).prop_map(|(id, name, args)| FromWorker::SyncCall {
            id,
            name,
            args
        }),
        (any::<u64>(), call_outcome())
            .prop_map(|(id, result)| FromWorker::CallResult { id, result }),
        (any::<u64>(), text()).prop_map(|(id, request)| FromWorker::Js { id, request }),
        text().prop_map(|request| FromWorker::JsPart { request }),
        any::<u64>().prop_map(|id| FromWorker::Abandoned { id }),
        (text(), text()).prop_map(|(what, traceback)| FromWorker::Error { what, traceback }),
        vec(any::<u64>(), 0..6).prop_map(|handles| FromWorker::Release { handles }),
        any::<bool>().prop_map(|delivered| FromWorker::Interrupt { delivered }),
        text().prop_map(|traceback| FromWorker::Failed { traceback }),
    ]
    .boxed()
}

fn to_worker() -> BoxedStrategy<ToWorker> {
    prop_oneof![
        (any::<u64>(), text(), any_value()).prop_map(|(id, name, args)| ToWorker::Call {
            id,
            name,
            args
        }),
        Just(ToWorker::Interrupt),
        (any::<u64>(), text()).prop_map(|(id, args)| ToWorker::Callback { id, args }),
    ]
    .boxed()
}

fn sync_reply() -> BoxedStrategy<SyncReply> {
    prop_oneof![
        any_value().prop_map(SyncReply::Ok),
        Just(SyncReply::Err(SyncFailure::Missing)),
        (text(), text())
            .prop_map(|(name, message)| SyncReply::Err(SyncFailure::Raised { name, message })),
        (any::<usize>(), any::<usize>())
            .prop_map(|(size, limit)| SyncReply::Err(SyncFailure::TooLarge { size, limit })),
    ]
    .boxed()
}

/// Any JSON document, its keys and strings often the protocol's own.
fn json() -> BoxedStrategy<serde_json::Value> {
    use serde_json::Value as Json;
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        (0_u64..8).prop_map(Json::from),
        any_f64().prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
        text().prop_map(Json::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        let key = prop_oneof![
            3 => proptest::sample::select(KEYS).prop_map(str::to_string),
            1 => text(),
        ];
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Json::Array),
            vec((key, inner), 0..4).prop_map(|entries| Json::Object(entries.into_iter().collect())),
        ]
    })
    .boxed()
}

fn boot() -> BoxedStrategy<Boot> {
    (
        (text(), text(), proptest::option::of(text()), json()),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            text(),
            any::<usize>(),
        ),
    )
        .prop_map(
            |((source, filename, name, config), (target, relay, library, reply_limit))| Boot {
                source,
                filename,
                name,
                config,
                target,
                relay,
                library,
                reply_limit,
            },
        )
        .boxed()
}

fn js_reply() -> BoxedStrategy<JsReply> {
    prop_oneof![
        vec(any_value(), 0..6).prop_map(JsReply::Ok),
        (any::<usize>(), text(), text(), proptest::option::of(text())).prop_map(
            |(index, name, message, python)| JsReply::Err(JsFailure {
                index,
                name,
                message,
                python
            })
        ),
    ]
    .boxed()
}

fn batch_part() -> BoxedStrategy<BatchPart> {
    (
        any::<u64>(),
        vec(any_value(), 0..8),
        proptest::option::of(vec(any::<usize>(), 0..6)),
    )
        .prop_map(|(batch, ops, want)| BatchPart { batch, ops, want })
        .boxed()
}

/// Pieces of JSON, for token soups that are nearly, or by chance, the protocol.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "false",
    "0",
    "1",
    "3",
    "-1",
    "1.5",
    "2.0",
    "-0.0",
    "1e400",
    "1e-400",
    "9007199254740993",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "\"\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"AAEC\"",
    " ",
];

fn token_soup() -> BoxedStrategy<Vec<u8>> {
    let token = prop_oneof![
        3 => proptest::sample::select(TOKENS).prop_map(str::to_string),
        2 => proptest::sample::select(KEYS).prop_map(|key| format!("\"{key}\"")),
        1 => proptest::sample::select(WORDS).prop_map(|word| format!("\"{word}\"")),
    ];
    vec(token, 0..40)
        .prop_map(|tokens| tokens.concat().into_bytes())
        .boxed()
}

/// One byte-level edit of an encoding.
#[derive(Debug, Clone)]
enum Edit {
    Flip(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Edit::Flip(at, byte)),
        (
            any::<Index>(),
            prop_oneof![
                proptest::sample::select(b"{}[],:\"\\-.0123456789eE".to_vec()),
                any::<u8>()
            ]
        )
            .prop_map(|(at, byte)| Edit::Insert(at, byte)),
        any::<Index>().prop_map(Edit::Delete),
        any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn mutate(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        match edit {
            Edit::Insert(at, byte) => {
                let at = at.index(bytes.len() + 1);
                bytes.insert(at, *byte);
            }
            _ if bytes.is_empty() => {}
            Edit::Flip(at, byte) => {
                let at = at.index(bytes.len());
                bytes[at] = *byte;
            }
            Edit::Delete(at) => {
                bytes.remove(at.index(bytes.len()));
            }
            Edit::Truncate(at) => bytes.truncate(at.index(bytes.len())),
        }
    }
    bytes
}

/// A valid encoding of some value or message: the seed of a mutation.
fn valid_encoding() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        any_value().prop_map(|value| value.encode()),
        from_worker().prop_map(|message| serde_json::to_vec(&message).unwrap()),
        to_worker().prop_map(|message| serde_json::to_vec(&message).unwrap()),
        sync_reply().prop_map(|reply| serde_json::to_vec(&reply).unwrap()),
        js_reply().prop_map(|reply| serde_json::to_vec(&reply).unwrap()),
        batch_part().prop_map(|part| serde_json::to_vec(&part).unwrap()),
        boot().prop_map(|boot| serde_json::to_vec(&boot).unwrap()),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Checks.

/// `first` (something a decoder accepted) re-encodes to JSON that decodes, unless the
/// normalised form is deeper than serde_json reads (a bare `2.0` becomes `{"f":2.0}`),
/// and the decoded form is then stable.
fn settles<T>(first: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let encoded = serde_json::to_vec(first).expect("what decoded encodes");
    let once: T = match serde_json::from_slice(&encoded) {
        Ok(once) => once,
        Err(error) if error.to_string().contains("recursion limit") => return,
        Err(error) => panic!(
            "{first:?} decoded, but its encoding {} does not: {error}",
            String::from_utf8_lossy(&encoded)
        ),
    };
    let again: T = serde_json::from_slice(&serde_json::to_vec(&once).unwrap())
        .expect("a normalised encoding decodes");
    assert_eq!(
        once, again,
        "encoding is not stable after one normalisation"
    );
}

/// Runs `bytes` through every decoder: each answers `Ok` or `Err` (a panic fails the
/// property), and what decodes settles.
fn decode_everything(bytes: &[u8]) {
    if let Ok(value) = Value::decode(bytes) {
        settles(&value);
        if let Value::List(items) = &value {
            check_split(items);
        }
    }
    fn typed<T>(bytes: &[u8])
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        if let Ok(decoded) = serde_json::from_slice::<T>(bytes) {
            settles(&decoded);
        }
    }
    typed::<FromWorker>(bytes);
    typed::<ToWorker>(bytes);
    typed::<Boot>(bytes);
    typed::<SyncReply>(bytes);
    typed::<CallOutcome>(bytes);
    if let Ok(reply) = JsReply::decode(bytes) {
        settles(&reply);
    }
    if let Ok(part) = BatchPart::decode(bytes) {
        settles(&part);
        check_split(&part.ops);
    }
}

/// [`split_ops`] on `items`: an error, or operations that rebuild `items` exactly: each
/// is the slice after a count item whose number is its length.
fn check_split(items: &[Value]) {
    let Ok(ops) = split_ops(items) else { return };
    let mut at = 0;
    for op in ops {
        assert!(!op.is_empty(), "an operation has at least its name");
        let Value::Int(digits) = &items[at] else {
            panic!("no count at {at}: {items:?}")
        };
        assert_eq!(digits.parse::<usize>().ok(), Some(op.len()), "{items:?}");
        assert_eq!(op, &items[at + 1..at + 1 + op.len()]);
        at += 1 + op.len();
    }
    assert_eq!(at, items.len(), "split_ops covers every item once");
}

/// A request's operations in the flat form: per operation its item count, then its items.
fn flat(ops: &[Vec<Value>]) -> Vec<Value> {
    let mut flat = Vec::new();
    for op in ops {
        flat.push(Value::Int(op.len().to_string()));
        flat.extend(op.iter().cloned());
    }
    flat
}

/// The round trip through JSON text.
fn round_trips<T>(message: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(message).expect("messages encode");
    let back: T = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{text} does not decode: {error}"));
    assert_eq!(&back, message, "through {text}");
}

/// The round trip through a `serde_json::Value` tree (another deserializer than the text
/// one, as `serde-wasm-bindgen` is). Only for plain values: the tree's maps sort their keys,
/// while a reference's fields must follow its tag (`{"js":7,"c":3}`), as both sides write
/// them.
fn round_trips_as_tree<T>(message: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let tree = serde_json::to_value(message).expect("messages encode");
    let back: T = serde_json::from_value(tree.clone())
        .unwrap_or_else(|error| panic!("{tree} does not decode: {error}"));
    assert_eq!(&back, message, "through {tree}");
}

// ---------------------------------------------------------------------------------------
// OpWriter commands.

/// One call on an [`OpWriter`].
#[derive(Debug, Clone)]
enum Write {
    None,
    Int(i64),
    Str(String),
    Name(String),
    Handle(u64),
    TargetHandle(u64),
    TargetSlot(u32),
    Slot(u32),
    Value(Value),
    BeginList,
    EndList,
}

fn write() -> BoxedStrategy<Write> {
    let name = prop_oneof![
        proptest::sample::select(WELL_KNOWN_NAMES).prop_map(str::to_string),
        text(),
    ];
    prop_oneof![
        Just(Write::None),
        prop_oneof![
            any::<i64>(),
            -MAX_SAFE_INTEGER - 2..=-MAX_SAFE_INTEGER + 2,
            MAX_SAFE_INTEGER - 2..=MAX_SAFE_INTEGER + 2,
        ]
        .prop_map(Write::Int),
        text().prop_map(Write::Str),
        name.prop_map(Write::Name),
        any::<u64>().prop_map(Write::Handle),
        // Handles the page hands out: from 1, within a JS number's exact range.
        (1..=MAX_SAFE_INTEGER as u64).prop_map(Write::TargetHandle),
        any::<u32>().prop_map(Write::TargetSlot),
        any::<u32>().prop_map(Write::Slot),
        any_value().prop_map(Write::Value),
        Just(Write::BeginList),
        Just(Write::EndList),
    ]
    .boxed()
}

fn op_name() -> BoxedStrategy<String> {
    prop_oneof![
        proptest::sample::select(vec![
            ffi::op::GET,
            ffi::op::SET,
            ffi::op::CALL,
            ffi::op::NEW,
            ffi::op::COUNT,
            ffi::op::GLOBAL,
        ])
        .prop_map(str::to_string),
        text(),
    ]
    .boxed()
}

/// Writes `writes` after `name`, and builds the [`Value`] the operation stands for.
fn write_op(name: &str, writes: &[Write], reuse: Option<Vec<u8>>) -> (WrittenOp, Value) {
    let mut writer = match reuse {
        Some(buffer) => OpWriter::reusing(buffer, name),
        None => OpWriter::new(name),
    };
    // The open lists, outermost (the operation) first.
    let mut open: Vec<Vec<Value>> = vec![vec![Value::Str(name.to_string())]];
    for write in writes {
        let item = match write {
            Write::None => {
                writer.none();
                Value::None
            }
            Write::Int(n) => {
                writer.int(*n);
                Value::Int(n.to_string())
            }
            Write::Str(text) => {
                writer.str(text);
                Value::Str(text.clone())
            }
            Write::Name(name) => {
                writer.name(name);
                match well_known_name(name) {
                    Some(index) => Value::Int(index.to_string()),
                    None => Value::Str(name.clone()),
                }
            }
            Write::Handle(id) => {
                writer.handle(*id);
                Value::Js(JsRef {
                    id: *id,
                    class: 0,
                    callable: false,
                })
            }
            Write::TargetHandle(id) => {
                writer.target_handle(*id);
                Value::Int(id.to_string())
            }
            Write::TargetSlot(slot) => {
                writer.target_slot(*slot);
                Value::Int((-i64::from(*slot) - 1).to_string())
            }
            Write::Slot(slot) => {
                writer.slot(*slot);
                Value::Slot(*slot)
            }
            Write::Value(value) => {
                writer.value(value);
                value.clone()
            }
            // The operation is one list: 63 more may open (`begin_list` panics past 64,
            // a caller's bug).
            Write::BeginList if open.len() < 64 => {
                writer.begin_list();
                open.push(Vec::new());
                continue;
            }
            Write::BeginList => continue,
            // Closing the operation itself and writing on would be a caller's bug.
            Write::EndList if open.len() > 1 => {
                writer.end_list();
                let list = open.pop().expect("more than one list is open");
                Value::List(list)
            }
            Write::EndList => continue,
        };
        open.last_mut().expect("the operation is open").push(item);
    }
    while open.len() > 1 {
        let list = open.pop().expect("more than one list is open");
        open.last_mut()
            .expect("the operation is open")
            .push(Value::List(list));
    }
    let op = Value::List(open.pop().expect("the operation"));
    (writer.finish(), op)
}

// ---------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config())]

    /// Arbitrary bytes: every decoder answers Ok or Err.
    #[test]
    fn arbitrary_bytes_never_panic_a_decoder(bytes in vec(any::<u8>(), 0..256)) {
        decode_everything(&bytes);
    }

    /// JSON tokens in any order (mostly malformed, sometimes protocol-shaped).
    #[test]
    fn token_soups_never_panic_a_decoder(bytes in token_soup()) {
        decode_everything(&bytes);
    }

    /// Well-formed JSON of any shape, keyed with the protocol's names.
    #[test]
    fn arbitrary_json_never_panics_a_decoder(document in json()) {
        decode_everything(&serde_json::to_vec(&document).unwrap());
        // The same document through a JSON tree's deserializer (another `MapAccess`, as
        // `serde-wasm-bindgen`'s is): Ok or Err as well.
        fn from_tree<T: DeserializeOwned>(document: &serde_json::Value) {
            let _ = serde_json::from_value::<T>(document.clone());
        }
        from_tree::<Value>(&document);
        from_tree::<FromWorker>(&document);
        from_tree::<ToWorker>(&document);
        from_tree::<Boot>(&document);
        from_tree::<SyncReply>(&document);
        from_tree::<JsReply>(&document);
        from_tree::<BatchPart>(&document);
    }

    /// Valid encodings of values and messages, edited byte by byte.
    #[test]
    fn mutated_encodings_never_panic_a_decoder(
        seed in valid_encoding(),
        edits in vec(edit(), 1..6),
    ) {
        decode_everything(&mutate(seed, &edits));
    }

    /// Nesting far past serde_json's limit (128), in every form a value nests: an error
    /// (or a value, when shallow enough), never a stack overflow.
    #[test]
    fn deep_nesting_is_an_error_not_a_crash(
        layers in vec(0_usize..6, 1..400),
        leaf in proptest::sample::select(vec!["null", "1", "2.0", "\"x\"", "[]", "{\"js\":1}"]),
    ) {
        const OPEN: [&str; 6] = ["[", "{\"d\":[[\"k\",", "{\"bound\":[", "{\"ok\":", "{\"f\":", "{\"i\":"];
        const CLOSE: [&str; 6] = ["]", "]]}", ",\"n\"]}", "}", "}", "}"];
        let mut json = String::new();
        for layer in &layers {
            json.push_str(OPEN[*layer]);
        }
        json.push_str(leaf);
        for layer in layers.iter().rev() {
            json.push_str(CLOSE[*layer]);
        }
        decode_everything(json.as_bytes());
    }

    /// Every value encodes and decodes to itself (bit-exact floats, exact integers).
    #[test]
    fn values_round_trip(value in any_value()) {
        let bytes = value.encode();
        let back = Value::decode(&bytes);
        prop_assert!(back.is_ok(), "{} does not decode: {:?}", String::from_utf8_lossy(&bytes), back);
        prop_assert_eq!(back.unwrap(), value.clone(), "through {}", String::from_utf8_lossy(&bytes));
        round_trips(&value);
    }

    /// Plain values (and a sync reply of one) round-trip through a JSON tree too.
    #[test]
    fn plain_values_round_trip_through_json_trees(value in plain_value()) {
        round_trips_as_tree(&value);
        round_trips_as_tree(&SyncReply::Ok(value.clone()));
        round_trips_as_tree(&ToWorker::Call { id: 1, name: "f".into(), args: value });
    }

    /// Every message carrying such values round-trips.
    #[test]
    fn messages_round_trip(
        from in from_worker(),
        to in to_worker(),
        reply in sync_reply(),
        outcome in call_outcome(),
    ) {
        round_trips(&from);
        round_trips(&to);
        round_trips(&reply);
        round_trips(&outcome);
    }

    /// The boot message and the FFI's replies and batch parts round-trip.
    #[test]
    fn boot_replies_and_parts_round_trip(boot in boot(), reply in js_reply(), part in batch_part()) {
        round_trips(&boot);
        round_trips(&reply);
        let bytes = serde_json::to_vec(&reply).unwrap();
        prop_assert_eq!(JsReply::decode(&bytes).unwrap(), reply);
        let bytes = serde_json::to_vec(&part).unwrap();
        prop_assert_eq!(BatchPart::decode(&bytes).unwrap(), part.clone());
        round_trips(&part);
    }

    /// Plain JSON (a worker's config) becomes a value that round-trips.
    #[test]
    fn plain_json_becomes_a_value_that_round_trips(document in json()) {
        let value = Value::from(&document);
        prop_assert_eq!(Value::decode(&value.encode()).unwrap(), value);
    }

    /// Items of any kind, counts of any size: split_ops answers Ok or Err, and an Ok
    /// rebuilds the items.
    #[test]
    fn split_ops_never_panics(items in vec(
        prop_oneof![
            4 => (0_usize..5).prop_map(|n| Value::Int(n.to_string())),
            1 => proptest::sample::select(vec![
                "-1", "007", "+2", "18446744073709551615", "18446744073709551614",
                "9223372036854775808", "18446744073709551616", "",
            ]).prop_map(|digits| Value::Int(digits.to_string())),
            1 => any::<u64>().prop_map(|n| Value::Int(n.to_string())),
            2 => any_value(),
        ],
        0..24,
    )) {
        check_split(&items);
    }

    /// Operations in the flat form split back into themselves.
    #[test]
    fn flattened_operations_split_back(
        ops in vec(vec(any_value(), 1..6), 0..8),
    ) {
        let flat = flat(&ops);
        let split = split_ops(&flat).expect("a well-formed flat request splits");
        prop_assert_eq!(split.len(), ops.len());
        for (split, op) in split.iter().zip(&ops) {
            prop_assert_eq!(*split, op.as_slice());
        }
    }

    /// `name_operand` reads what `OpWriter::name` writes; other operands are no name.
    #[test]
    fn names_read_back(name in text(), index in any::<usize>(), other in any_value()) {
        let written = match well_known_name(&name) {
            Some(index) => Value::Int(index.to_string()),
            None => Value::Str(name.clone()),
        };
        prop_assert_eq!(name_operand(&written), Some(name.as_str()));
        let by_index = Value::Int(index.to_string());
        prop_assert_eq!(name_operand(&by_index), WELL_KNOWN_NAMES.get(index).copied());
        match &other {
            Value::Str(text) => prop_assert_eq!(name_operand(&other), Some(text.as_str())),
            Value::Int(_) => {}
            _ => prop_assert_eq!(name_operand(&other), None),
        }
    }

    /// A `call`'s reference mask covers its first 31 arguments, bit by bit.
    #[test]
    fn call_ref_bits_are_the_mask(refs in any::<i64>(), index in any::<usize>()) {
        prop_assert_eq!(
            is_call_ref(refs, index),
            index < CALL_REF_BITS && refs & (1 << index) != 0
        );
    }

    /// OpWriter writes, byte for byte, the JSON of the operation's Value, with its item
    /// count; a reused buffer changes nothing.
    #[test]
    fn written_operations_are_the_json_of_their_value(
        name in op_name(),
        writes in vec(write(), 0..24),
        stale in vec(any::<u8>(), 0..16),
    ) {
        let (written, op) = write_op(&name, &writes, None);
        prop_assert_eq!(&written, &WrittenOp::of(&op),
            "wrote {}", String::from_utf8_lossy(&written.json));
        let (reused, _) = write_op(&name, &writes, Some(stale));
        prop_assert_eq!(&reused, &written);
        let Value::List(items) = &op else { unreachable!("an operation is a list") };
        prop_assert_eq!(written.items, items.len());
        prop_assert_eq!(Value::decode(&written.json).unwrap(), op.clone());
    }

    /// A journal of written operations gives each back, writes the parts serde would
    /// write, and a request of them splits back into them.
    #[test]
    fn journals_and_requests_give_the_operations_back(
        ops in vec((op_name(), vec(write(), 0..8)), 0..10),
        batch in any::<u64>(),
        first in any::<Index>(),
        want in proptest::option::of(vec(any::<usize>(), 0..4)),
    ) {
        let (written, values): (Vec<WrittenOp>, Vec<Value>) =
            ops.iter().map(|(name, writes)| write_op(name, writes, None)).unzip();
        let lists: Vec<Vec<Value>> = values
            .iter()
            .map(|op| match op {
                Value::List(items) => items.clone(),
                _ => unreachable!("an operation is a list"),
            })
            .collect();
        let mut journal = OpJournal::default();
        for op in &written {
            journal.push_written(op);
        }
        prop_assert_eq!(journal.len(), values.len());
        for (index, op) in values.iter().enumerate() {
            prop_assert_eq!(journal.op(index), Some(op.clone()));
        }
        prop_assert_eq!(journal.op(values.len()), None);

        let first = first.index(values.len() + 1);
        let part = journal.part(batch, first, want.as_deref());
        let expected = BatchPart { batch, ops: flat(&lists[first..]), want: want.clone() };
        prop_assert_eq!(&part, &serde_json::to_string(&expected).unwrap());
        let decoded = BatchPart::decode(part.as_bytes()).unwrap();
        prop_assert_eq!(&decoded, &expected);
        prop_assert_eq!(split_ops(&decoded.ops).unwrap().len(), values.len() - first);

        let text = request(&written);
        let Value::List(items) = Value::decode(text.as_bytes()).unwrap() else {
            panic!("a request is a list: {text}")
        };
        let split = split_ops(&items).unwrap();
        prop_assert_eq!(split.len(), lists.len());
        for (split, op) in split.iter().zip(&lists) {
            prop_assert_eq!(*split, op.as_slice());
        }
    }

    /// Operations queued as values (`OpJournal::push`, `WrittenOp::of`), whatever their
    /// shape, make requests and parts that are JSON, one operation per push.
    #[test]
    fn journals_of_any_values_write_json(
        ops in vec(any_value(), 0..8),
        batch in any::<u64>(),
    ) {
        let mut journal = OpJournal::default();
        for op in &ops {
            journal.push(op);
        }
        let part = journal.part(batch, 0, Some(&[]));
        let decoded = BatchPart::decode(part.as_bytes());
        prop_assert!(decoded.is_ok(), "{} is not a batch part: {:?}", part, decoded);
        prop_assert_eq!(split_ops(&decoded.unwrap().ops).map(|ops| ops.len()), Ok(ops.len()));
        let written: Vec<WrittenOp> = ops.iter().map(WrittenOp::of).collect();
        let text = request(&written);
        let items = Value::decode(text.as_bytes());
        prop_assert!(items.is_ok(), "{} is not a request: {:?}", text, items);
        let Ok(Value::List(items)) = items else { panic!("a request is a list: {text}") };
        prop_assert_eq!(split_ops(&items).map(|ops| ops.len()), Ok(ops.len()));
    }
}
