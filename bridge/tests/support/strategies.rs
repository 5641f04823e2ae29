//! The proptest generators the bridge's property tests share: any [`Value`] (plain data, or
//! with the FFI's references), every message that carries values, and JSON documents keyed
//! with the protocol's own field names and tags. `interp/tests/fuzz_values.rs` takes its
//! leaves from here too.

use proptest::collection::vec;
use proptest::prelude::*;

use rustpy_bridge::ffi::{BatchPart, JsFailure, JsReply};
use rustpy_bridge::{
    Boot, CallOutcome, Float, FromWorker, JsRef, OutputStream, PyRef, SharedBuffer, SyncFailure,
    SyncReply, ToWorker, Value,
};

/// `Number.MAX_SAFE_INTEGER`: integers past it travel tagged.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The protocol's field names and tags: decoders take other paths for them.
pub const KEYS: &[&str] = &[
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
    "lines",
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
    "fast_requests",
    "terminal",
    "frame",
    "data",
    "call",
    "callback",
    "interrupt",
];

/// String values the decoders give meaning to (variant names, float names, digits...).
pub const WORDS: &[&str] = &[
    "output",
    "ready",
    "sync_call",
    "call_result",
    "js_part",
    "abandoned",
    "error",
    "release",
    "failed",
    "crashed",
    "relay",
    "grow",
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
pub fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => vec(any::<char>(), 0..12).prop_map(String::from_iter),
        1 => proptest::sample::select(KEYS).prop_map(str::to_string),
        1 => proptest::sample::select(WORDS).prop_map(str::to_string),
    ]
    .boxed()
}

/// Canonical decimal digits of an integer: small, at the edge of JS's exact range, past
/// `u64`, hundreds of digits.
pub fn canonical_int() -> BoxedStrategy<String> {
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
pub fn any_f64() -> BoxedStrategy<f64> {
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
pub fn plain_leaf() -> BoxedStrategy<Value> {
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
pub fn plain_value() -> BoxedStrategy<Value> {
    tree(plain_leaf(), false)
}

/// Any value the bridge carries.
pub fn any_value() -> BoxedStrategy<Value> {
    tree(
        prop_oneof![3 => plain_leaf(), 1 => reference()].boxed(),
        true,
    )
}

pub fn call_outcome() -> BoxedStrategy<CallOutcome> {
    prop_oneof![
        any_value().prop_map(CallOutcome::Ok),
        text().prop_map(CallOutcome::Err),
    ]
    .boxed()
}

pub fn from_worker() -> BoxedStrategy<FromWorker> {
    let stream = prop_oneof![Just(OutputStream::Stdout), Just(OutputStream::Stderr)];
    prop_oneof![
        (stream, vec(text(), 0..4))
            .prop_map(|(stream, lines)| FromWorker::Output { stream, lines }),
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
        text().prop_map(|message| FromWorker::Crashed { message }),
        text().prop_map(|frame| FromWorker::Relay { frame }),
        Just(FromWorker::Grow { data: SharedBuffer }),
    ]
    .boxed()
}

pub fn to_worker() -> BoxedStrategy<ToWorker> {
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

pub fn sync_reply() -> BoxedStrategy<SyncReply> {
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
pub fn json() -> BoxedStrategy<serde_json::Value> {
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

pub fn boot() -> BoxedStrategy<Boot> {
    (
        (text(), text(), proptest::option::of(text()), json()),
        (
            proptest::option::of(text()),
            (proptest::option::of(text()), proptest::option::of(text())),
            (text(), text()),
            (any::<usize>(), any::<bool>(), any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (source, filename, name, config),
                (
                    target,
                    (relay, no_shared_memory),
                    (library, page_url),
                    (reply_limit, fast_requests, terminal),
                ),
            )| Boot {
                source,
                filename,
                name,
                config,
                target,
                relay,
                no_shared_memory,
                library,
                page_url,
                reply_limit,
                fast_requests,
                terminal,
            },
        )
        .boxed()
}

pub fn js_reply() -> BoxedStrategy<JsReply> {
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

pub fn batch_part() -> BoxedStrategy<BatchPart> {
    (
        any::<u64>(),
        vec(any_value(), 0..8),
        proptest::option::of(vec(any::<usize>(), 0..6)),
    )
        .prop_map(|(batch, ops, want)| BatchPart { batch, ops, want })
        .boxed()
}
