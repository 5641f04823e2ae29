//! Property-based fuzzing of the protocol's native decoders (proptest): **no decoder panics**.
//!
//! What it proves, for every generated case: arbitrary bytes, a soup of JSON tokens,
//! arbitrary JSON documents built from the protocol's own field names and tags, byte-level
//! mutations of valid encodings, and nesting far past serde_json's depth limit are fed to
//! every decoder: [`Value::decode`], [`FromWorker`], [`ToWorker`], [`Boot`], [`SyncReply`],
//! [`CallOutcome`], [`JsReply::decode`], [`BatchPart::decode`] (and [`split_ops`] on what
//! decodes as a list of items), and JSON documents also through a `serde_json::Value` tree's
//! deserializer. Each answers `Ok` or its typed `Err`. What decodes re-encodes to a form that
//! decodes again and is then stable (encoding normalises: `{"i":"007"}` becomes `7`).
//! [`split_ops`] never panics on any item list either, and what it splits rebuilds the input
//! exactly.
//!
//! The exact round trips are `round_trips.rs` (values and messages) and `ffi_framing.rs`
//! (the FFI's writer, journal and requests); the generators they share are
//! `support/strategies.rs`.
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
//! `usize::MAX`.

mod support;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use serde::Serialize;
use serde::de::DeserializeOwned;

use rustpy_bridge::ffi::{BatchPart, JsReply, split_ops};
use rustpy_bridge::{Boot, CallOutcome, FromWorker, SyncReply, ToWorker, Value};

use support::config;
use support::strategies::{
    KEYS, WORDS, any_value, batch_part, boot, from_worker, js_reply, json, sync_reply, to_worker,
};

// ---------------------------------------------------------------------------------------
// Generators.

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
}
