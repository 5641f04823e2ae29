//! Property-based round trips of the protocol's values and messages (proptest): what is
//! encoded decodes to itself, exactly.
//!
//! What it proves, for every generated case: any [`Value`] (nested lists and dicts,
//! integers of any size, every `f64` bit pattern including NaN, ±infinity, -0.0 and
//! subnormals, strings of any Unicode, bytes, references) encodes and decodes to itself,
//! bit for bit; so does every message (`FromWorker`, `ToWorker`, `Boot`, `SyncReply`,
//! `CallOutcome`, `JsReply`, `BatchPart`) holding such values. Plain
//! values also round-trip through a `serde_json::Value` tree (not references: a tree's map
//! sorts keys, and a reference's fields must follow its tag, `{"js":7,"c":3}`, as both sides
//! write them). Plain JSON turned into a value (`Value::from(&json)`, a worker's config) is
//! a value that round-trips.
//!
//! That no decoder panics on any input is `fuzz_decoders.rs`; the FFI's operations are
//! `ffi_framing.rs`; the generators they share are `support/strategies.rs`.
//!
//! Case counts: proptest's own `PROPTEST_CASES` (default 256 per property; the file runs in
//! a few seconds in debug). To search longer locally:
//!
//! ```text
//! PROPTEST_CASES=100000 cargo test -p rustpy-bridge --test round_trips --release
//! ```
//!
//! Run it in debug too: only there do overflow checks turn an arithmetic slip into a
//! failure. A failure prints the smallest input proptest found (no regression files are
//! written): fix the encoder or decoder and add that input as a plain `#[test]` in the
//! crate's unit tests. Found so far, each now such a test: floats read one ulp off
//! (serde_json without `float_roundtrip`).

mod support;

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use rustpy_bridge::ffi::{BatchPart, JsReply};
use rustpy_bridge::{SyncReply, ToWorker, Value};

use support::config;
use support::strategies::{
    any_value, batch_part, boot, call_outcome, from_worker, js_reply, json, plain_value,
    sync_reply, to_worker,
};

// ---------------------------------------------------------------------------------------
// Checks.

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
// Properties.

proptest! {
    #![proptest_config(config())]

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
}
