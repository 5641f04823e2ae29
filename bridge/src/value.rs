//! Values that cross between the page and a worker, by copy.
//!
//! This is the data model both sides agree on (PyScript's rules): `None`, booleans, exact
//! integers of any size, floats including NaN, ±infinity and -0.0, strings, bytes, lists
//! (Python lists and tuples, JS arrays) and string-keyed dicts (JS plain objects). Anything
//! else does not cross by copy: the sender raises a `TypeError` naming the type. The FFI
//! (`window`/`document` proxies, see `crate::ffi`) adds references: [`Value::Js`] for JS
//! objects held on the page and [`Value::Py`] for Python callables offered to JS.
//!
//! The wire form is JSON with a tag per value (`{"t": "int", "v": "123"}`), so that the
//! page's JS reads and writes it with `JSON.parse`/`JSON.stringify` and nothing is lost
//! (integers travel as decimal strings, special floats as names, bytes as base64).

use serde::{Deserialize, Serialize};

/// One value crossing the bridge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "lowercase")]
pub enum Value {
    /// Python `None`, JS `null`/`undefined`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer of any size, as decimal digits with an optional leading `-`.
    Int(String),
    /// A float; see [`Float`].
    Float(Float),
    /// A Unicode string.
    Str(String),
    /// Bytes (`bytes`/`bytearray`, JS `Uint8Array`), base64 on the wire.
    Bytes(#[serde(with = "base64_bytes")] Vec<u8>),
    /// A Python list or tuple, a JS array.
    List(Vec<Value>),
    /// A dict with string keys, a JS plain object; insertion order is kept.
    Dict(Vec<(String, Value)>),
    /// A JavaScript object held in the page's handle table (`window`, `document`, ...);
    /// Python sees it as a proxy. Only the FFI operations of `crate::ffi` use it.
    Js(JsRef),
    /// A Python callable offered to JavaScript: the page wraps it in a JS function that
    /// calls back into Python.
    Py(PyRef),
    /// In a reply to `get`: the attribute is a method inherited from the object's
    /// prototype; call it through the object (`call`) instead of holding it.
    Method,
    /// `owner[name]` bound to `owner`: a method read from a JS object and handed back.
    Bound(Box<Value>, String),
    /// The result of an earlier operation of the same request (batches).
    Slot(u32),
}

/// A JavaScript object in the page's handle table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsRef {
    /// The handle; ids are never reused, so a released handle cannot name another object.
    pub id: u64,
    /// An id of the object's prototype (0 when unknown): objects of one class share it,
    /// which lets Python remember which attribute names are methods.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub class: u32,
    /// True when the object is a function.
    #[serde(default, skip_serializing_if = "is_false")]
    pub callable: bool,
}

/// A Python callable registered for JavaScript, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PyRef {
    /// The callable's id in the Python side's registry.
    pub id: u64,
    /// Call `preventDefault()` on the first argument (an event) on the page, before the
    /// call reaches Python (which runs later, in the worker).
    #[serde(default, skip_serializing_if = "is_false")]
    pub prevent_default: bool,
    /// Call `stopPropagation()` on the first argument on the page, likewise.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stop_propagation: bool,
}

fn is_zero(value: &u32) -> bool {
    *value == 0
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A float that survives JSON: finite values as numbers, the rest by name.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Float {
    /// A finite float other than -0.0.
    Finite(f64),
    /// `"nan"`, `"inf"`, `"-inf"` or `"-0"`.
    Special(SpecialFloat),
}

/// The floats JSON numbers cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SpecialFloat {
    /// Not a number.
    #[serde(rename = "nan")]
    Nan,
    /// Positive infinity.
    #[serde(rename = "inf")]
    Infinity,
    /// Negative infinity.
    #[serde(rename = "-inf")]
    NegativeInfinity,
    /// Negative zero.
    #[serde(rename = "-0")]
    NegativeZero,
}

impl Float {
    /// Wraps an `f64`, choosing the wire form.
    pub fn new(value: f64) -> Self {
        if value.is_nan() {
            Float::Special(SpecialFloat::Nan)
        } else if value == f64::INFINITY {
            Float::Special(SpecialFloat::Infinity)
        } else if value == f64::NEG_INFINITY {
            Float::Special(SpecialFloat::NegativeInfinity)
        } else if value == 0.0 && value.is_sign_negative() {
            Float::Special(SpecialFloat::NegativeZero)
        } else {
            Float::Finite(value)
        }
    }

    /// The `f64` it stands for.
    pub fn get(self) -> f64 {
        match self {
            Float::Finite(value) => value,
            Float::Special(SpecialFloat::Nan) => f64::NAN,
            Float::Special(SpecialFloat::Infinity) => f64::INFINITY,
            Float::Special(SpecialFloat::NegativeInfinity) => f64::NEG_INFINITY,
            Float::Special(SpecialFloat::NegativeZero) => -0.0,
        }
    }
}

impl PartialEq for Float {
    /// Bit-for-bit equality, so that NaN equals NaN and -0.0 differs from 0.0.
    fn eq(&self, other: &Self) -> bool {
        self.get().to_bits() == other.get().to_bits()
    }
}

/// Why bytes could not be decoded as a value.
#[derive(Debug, thiserror::Error)]
#[error("malformed bridge value: {0}")]
pub struct DecodeError(#[from] serde_json::Error);

impl Value {
    /// The wire form: UTF-8 JSON.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a Value always serialises")
    }

    /// Reads the wire form; malformed input is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Ok(serde_json::from_slice(bytes)?)
    }
}

impl From<&serde_json::Value> for Value {
    /// Plain JSON (e.g. a worker's `config`) as a value: integers exact, objects as dicts.
    fn from(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::None,
            serde_json::Value::Bool(flag) => Value::Bool(*flag),
            serde_json::Value::Number(number) if number.is_i64() || number.is_u64() => {
                Value::Int(number.to_string())
            }
            serde_json::Value::Number(number) => {
                Value::Float(Float::new(number.as_f64().unwrap_or(f64::NAN)))
            }
            serde_json::Value::String(text) => Value::Str(text.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from).collect()),
            serde_json::Value::Object(entries) => Value::Dict(
                entries
                    .iter()
                    .map(|(key, item)| (key.clone(), Value::from(item)))
                    .collect(),
            ),
        }
    }
}

mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: Value) {
        let bytes = value.encode();
        assert_eq!(
            Value::decode(&bytes).unwrap(),
            value,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }

    #[test]
    fn every_kind_round_trips() {
        round_trip(Value::None);
        round_trip(Value::Bool(true));
        round_trip(Value::Int("-123456789012345678901234567890".into()));
        for f in [
            1.5,
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            f64::MIN_POSITIVE,
        ] {
            round_trip(Value::Float(Float::new(f)));
        }
        round_trip(Value::Str("héllo\u{1F600}\0\"\\".into()));
        round_trip(Value::Bytes(vec![0, 255, 1, 2, 3]));
        round_trip(Value::List(vec![
            Value::None,
            Value::List(vec![Value::Bool(false)]),
        ]));
        round_trip(Value::Dict(vec![
            ("b".into(), Value::Int("1".into())),
            ("a".into(), Value::Dict(vec![])),
        ]));
        round_trip(Value::Js(JsRef {
            id: 7,
            class: 3,
            callable: true,
        }));
        round_trip(Value::Py(PyRef {
            id: 2,
            prevent_default: true,
            stop_propagation: false,
        }));
        round_trip(Value::Method);
        round_trip(Value::Bound(
            Box::new(Value::Js(JsRef {
                id: 1,
                class: 0,
                callable: false,
            })),
            "append".into(),
        ));
        round_trip(Value::Slot(4));
    }

    #[test]
    fn references_read_as_the_page_writes_them() {
        assert_eq!(
            Value::decode(br#"{"t":"js","v":{"id":5}}"#).unwrap(),
            Value::Js(JsRef {
                id: 5,
                class: 0,
                callable: false
            })
        );
        assert_eq!(
            String::from_utf8(Value::Bound(Box::new(Value::Slot(0)), "f".into()).encode()).unwrap(),
            r#"{"t":"bound","v":[{"t":"slot","v":0},"f"]}"#
        );
        assert_eq!(Value::decode(br#"{"t":"method"}"#).unwrap(), Value::Method);
    }

    #[test]
    fn plain_json_becomes_values() {
        let json =
            serde_json::json!({"n": 12345678901234567890u64, "f": 0.5, "l": [null, true, "s"]});
        assert_eq!(
            Value::from(&json),
            Value::Dict(vec![
                ("f".into(), Value::Float(Float::new(0.5))),
                (
                    "l".into(),
                    Value::List(vec![Value::None, Value::Bool(true), Value::Str("s".into())])
                ),
                ("n".into(), Value::Int("12345678901234567890".into())),
            ])
        );
    }

    #[test]
    fn special_floats_keep_their_identity() {
        assert!(Float::new(-0.0).get().is_sign_negative());
        assert!(Float::new(f64::NAN).get().is_nan());
        assert_ne!(Float::new(0.0), Float::new(-0.0));
    }

    #[test]
    fn wire_form_is_what_the_page_parses() {
        let value = Value::List(vec![
            Value::Int("7".into()),
            Value::Float(Float::new(f64::NAN)),
        ]);
        assert_eq!(
            String::from_utf8(value.encode()).unwrap(),
            r#"{"t":"list","v":[{"t":"int","v":"7"},{"t":"float","v":"nan"}]}"#
        );
    }

    #[test]
    fn malformed_input_is_an_error() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"t\":\"int\"}",
            b"{\"t\":\"bytes\",\"v\":\"!!\"}",
            b"\xff",
        ] {
            assert!(
                Value::decode(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
