//! Values that cross between the page and a worker, by copy.
//!
//! This is the data model both sides agree on (PyScript's rules): `None`, booleans, exact
//! integers of any size, floats including NaN, ±infinity and -0.0, strings, bytes, lists
//! (Python lists and tuples, JS arrays) and string-keyed dicts (JS plain objects). Anything
//! else does not cross by copy: the sender raises a `TypeError` naming the type. The FFI
//! (`window`/`document` proxies, see `crate::ffi`) adds references: [`Value::Js`] for JS
//! objects held on the page and [`Value::Py`] for Python callables offered to JS.
//!
//! The wire form is JSON (or, between a worker and the page, the same shape as JS objects
//! built by `serde-wasm-bindgen`), with every value JSON has natively written natively, so
//! that the page reads and writes it with `JSON.parse`/`JSON.stringify` and little else:
//!
//! | value | wire |
//! | --- | --- |
//! | `None` | `null` |
//! | bool | `true` / `false` |
//! | int within ±(2^53 − 1) | a JSON integer: `42` |
//! | any other int | `{"i": "123456789012345678901"}` |
//! | float with a fractional part | a JSON number: `1.5` |
//! | float with an integral value | `{"f": 2.0}` (JS has one number type: a bare `2` is an int) |
//! | NaN, ±infinity, -0.0 | `{"f": "nan"}`, `{"f": "inf"}`, `{"f": "-inf"}`, `{"f": "-0"}` |
//! | str | a JSON string |
//! | bytes | `{"b": "<base64>"}` |
//! | list | a JSON array |
//! | dict | `{"d": [["key", value], ...]}` (insertion order kept) |
//! | JS reference | `{"js": 7, "c": 3, "fn": true}` (`c`, `fn` left out when 0/false) |
//! | Python callable | `{"py": 2, "pd": true, "sp": true}` (likewise) |
//! | method marker | `{"m": 1}` |
//! | bound method | `{"bound": [owner, "name"]}` |
//! | batch slot | `{"s": 4}` |
//! | bytes sent beside the message | `{"x": 0}` (worker to page: the first transferred buffer) |
//!
//! Nothing is lost: integers are exact, special floats travel by name. (An earlier form
//! tagged every value, `{"t": "int", "v": "42"}`; parsing it was most of the page's cost
//! per DOM operation.)
//!
//! The JS ends of this form: `web/shared/codec.js` (`toWire`/`fromWire` for whole values:
//! sync calls, exports, page operations) and the handle tables of
//! `web/shared/handle-table.js`, which build on its primitives for the FFI.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One value crossing the bridge (see the module docs for its wire form).
#[derive(Debug, Clone, PartialEq)]
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
    Bytes(Vec<u8>),
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
    /// Bytes sent beside the message rather than in it: the n-th buffer transferred with a
    /// worker's message to the page ([`Value::take_large_bytes`]), so that large bytes
    /// skip base64 and JSON on the page's thread.
    Buffer(u32),
}

impl Value {
    /// Bytes values of at least `threshold` bytes, taken out of `self` (each replaced by a
    /// [`Value::Buffer`] numbering it), in order; the rest of the value is unchanged.
    pub fn take_large_bytes(&mut self, threshold: usize, taken: &mut Vec<Vec<u8>>) {
        match self {
            Value::Bytes(bytes) if bytes.len() >= threshold => {
                let index = u32::try_from(taken.len()).unwrap_or(u32::MAX);
                taken.push(std::mem::take(bytes));
                *self = Value::Buffer(index);
            }
            Value::List(items) => {
                for item in items {
                    item.take_large_bytes(threshold, taken);
                }
            }
            Value::Dict(entries) => {
                for (_, item) in entries {
                    item.take_large_bytes(threshold, taken);
                }
            }
            _ => {}
        }
    }
}

/// A JavaScript object in the page's handle table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsRef {
    /// The handle; ids are never reused, so a released handle cannot name another object.
    pub id: u64,
    /// An id of the object's prototype (0 when unknown): objects of one class share it,
    /// which lets Python remember which attribute names are methods.
    pub class: u32,
    /// True when the object is a function.
    pub callable: bool,
}

/// A Python callable registered for JavaScript, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PyRef {
    /// The callable's id in the Python side's registry.
    pub id: u64,
    /// Call `preventDefault()` on the first argument (an event) on the page, before the
    /// call reaches Python (which runs later, in the worker).
    pub prevent_default: bool,
    /// Call `stopPropagation()` on the first argument on the page, likewise.
    pub stop_propagation: bool,
}

/// A float that survives JSON: finite values as numbers, the rest by name.
#[derive(Debug, Clone, Copy)]
pub enum Float {
    /// A finite float other than -0.0.
    Finite(f64),
    /// NaN, ±infinity or -0.0.
    Special(SpecialFloat),
}

/// The floats JSON numbers cannot carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialFloat {
    /// Not a number (`"nan"` on the wire).
    Nan,
    /// Positive infinity (`"inf"`).
    Infinity,
    /// Negative infinity (`"-inf"`).
    NegativeInfinity,
    /// Negative zero (`"-0"`).
    NegativeZero,
}

impl SpecialFloat {
    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            SpecialFloat::Nan => "nan",
            SpecialFloat::Infinity => "inf",
            SpecialFloat::NegativeInfinity => "-inf",
            SpecialFloat::NegativeZero => "-0",
        }
    }

    /// The special float a wire name stands for.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "nan" => SpecialFloat::Nan,
            "inf" => SpecialFloat::Infinity,
            "-inf" => SpecialFloat::NegativeInfinity,
            "-0" => SpecialFloat::NegativeZero,
            _ => return None,
        })
    }
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

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A one-field wire object: `{"<key>": value}`.
fn tagged<S: Serializer, T: Serialize + ?Sized>(
    serializer: S,
    key: &'static str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut object = serializer.serialize_struct("Value", 1)?;
    object.serialize_field(key, value)?;
    object.end()
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine as _;
        match self {
            Value::None => serializer.serialize_unit(),
            Value::Bool(flag) => serializer.serialize_bool(*flag),
            Value::Int(digits) => match digits.parse::<i64>() {
                Ok(small) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&small) => {
                    serializer.serialize_i64(small)
                }
                _ => tagged(serializer, "i", digits),
            },
            Value::Float(Float::Finite(value)) if value.fract() != 0.0 => {
                serializer.serialize_f64(*value)
            }
            Value::Float(Float::Finite(value)) => tagged(serializer, "f", value),
            Value::Float(Float::Special(special)) => tagged(serializer, "f", special.name()),
            Value::Str(text) => serializer.serialize_str(text),
            Value::Bytes(bytes) => tagged(
                serializer,
                "b",
                &base64::engine::general_purpose::STANDARD.encode(bytes),
            ),
            Value::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Dict(entries) => tagged(serializer, "d", entries),
            Value::Js(js) => {
                let fields = 1 + usize::from(js.class != 0) + usize::from(js.callable);
                let mut object = serializer.serialize_struct("Value", fields)?;
                object.serialize_field("js", &js.id)?;
                if js.class != 0 {
                    object.serialize_field("c", &js.class)?;
                }
                if js.callable {
                    object.serialize_field("fn", &true)?;
                }
                object.end()
            }
            Value::Py(py) => {
                let fields = 1 + usize::from(py.prevent_default) + usize::from(py.stop_propagation);
                let mut object = serializer.serialize_struct("Value", fields)?;
                object.serialize_field("py", &py.id)?;
                if py.prevent_default {
                    object.serialize_field("pd", &true)?;
                }
                if py.stop_propagation {
                    object.serialize_field("sp", &true)?;
                }
                object.end()
            }
            Value::Method => tagged(serializer, "m", &1),
            Value::Bound(owner, name) => tagged(serializer, "bound", &(owner, name)),
            Value::Slot(slot) => tagged(serializer, "s", slot),
            Value::Buffer(index) => tagged(serializer, "x", index),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// Reads any wire value (JSON, or JS objects through `serde-wasm-bindgen`).
struct ValueVisitor;

/// A float's wire payload in `{"f": ...}`: an integral-valued number or a special's name.
#[derive(Deserialize)]
#[serde(untagged)]
enum FloatPayload {
    Number(f64),
    Name(String),
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a rustpy bridge value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Value, E> {
        Ok(Value::Bool(flag))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Value, E> {
        Ok(Value::Int(number.to_string()))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Value, E> {
        Ok(Value::Int(number.to_string()))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Value, E> {
        Ok(Value::Float(Float::new(number)))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        Ok(Value::Str(text.to_string()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Value, E> {
        Ok(Value::Str(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use base64::Engine as _;
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom("an empty object is not a bridge value"));
        };
        let value = match key.as_str() {
            "i" => {
                let digits: String = map.next_value()?;
                let valid = digits.strip_prefix('-').unwrap_or(&digits);
                if valid.is_empty() || !valid.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(de::Error::custom(format!("{digits:?} is not an integer")));
                }
                Value::Int(digits)
            }
            "f" => match map.next_value()? {
                FloatPayload::Number(number) => Value::Float(Float::new(number)),
                FloatPayload::Name(name) => {
                    Value::Float(Float::Special(SpecialFloat::from_name(&name).ok_or_else(
                        || de::Error::custom(format!("{name:?} is not a float name")),
                    )?))
                }
            },
            "b" => {
                let text: String = map.next_value()?;
                Value::Bytes(
                    base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .map_err(de::Error::custom)?,
                )
            }
            "d" => Value::Dict(map.next_value()?),
            "js" => {
                let mut js = JsRef {
                    id: map.next_value()?,
                    class: 0,
                    callable: false,
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "c" => js.class = map.next_value()?,
                        "fn" => js.callable = map.next_value()?,
                        _ => return Err(de::Error::unknown_field(&key, &["c", "fn"])),
                    }
                }
                return Ok(Value::Js(js));
            }
            "py" => {
                let mut py = PyRef {
                    id: map.next_value()?,
                    prevent_default: false,
                    stop_propagation: false,
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "pd" => py.prevent_default = map.next_value()?,
                        "sp" => py.stop_propagation = map.next_value()?,
                        _ => return Err(de::Error::unknown_field(&key, &["pd", "sp"])),
                    }
                }
                return Ok(Value::Py(py));
            }
            "m" => {
                map.next_value::<de::IgnoredAny>()?;
                Value::Method
            }
            "bound" => {
                let (owner, name): (Value, String) = map.next_value()?;
                Value::Bound(Box::new(owner), name)
            }
            "s" => Value::Slot(map.next_value()?),
            "x" => Value::Buffer(map.next_value()?),
            other => {
                return Err(de::Error::unknown_field(
                    other,
                    &["i", "f", "b", "d", "js", "py", "m", "bound", "s", "x"],
                ));
            }
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "unexpected field {extra:?} after {key:?}"
            )));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bytes_are_taken_out_in_order_and_small_ones_stay() {
        let mut value = Value::List(vec![
            Value::Bytes(vec![1; 8]),
            Value::Dict(vec![("big".into(), Value::Bytes(vec![2; 100]))]),
            Value::Bytes(vec![3; 200]),
        ]);
        let mut taken = Vec::new();
        value.take_large_bytes(100, &mut taken);
        assert_eq!(taken, vec![vec![2; 100], vec![3; 200]]);
        assert_eq!(
            value,
            Value::List(vec![
                Value::Bytes(vec![1; 8]),
                Value::Dict(vec![("big".into(), Value::Buffer(0))]),
                Value::Buffer(1),
            ])
        );
    }

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
        round_trip(Value::Buffer(1));
    }

    #[test]
    fn references_read_as_the_page_writes_them() {
        assert_eq!(
            Value::decode(br#"{"js":5}"#).unwrap(),
            Value::Js(JsRef {
                id: 5,
                class: 0,
                callable: false
            })
        );
        assert_eq!(
            Value::decode(br#"{"js":5,"fn":true,"c":2}"#).unwrap(),
            Value::Js(JsRef {
                id: 5,
                class: 2,
                callable: true
            })
        );
        assert_eq!(
            String::from_utf8(Value::Bound(Box::new(Value::Slot(0)), "f".into()).encode()).unwrap(),
            r#"{"bound":[{"s":0},"f"]}"#
        );
        assert_eq!(Value::decode(br#"{"m":1}"#).unwrap(), Value::Method);
    }

    #[test]
    fn numbers_cross_as_js_numbers_where_they_can() {
        let encoded = |value: Value| String::from_utf8(value.encode()).unwrap();
        assert_eq!(
            encoded(Value::Int("9007199254740991".into())),
            "9007199254740991"
        );
        assert_eq!(
            encoded(Value::Int("-9007199254740992".into())),
            r#"{"i":"-9007199254740992"}"#
        );
        assert_eq!(encoded(Value::Float(Float::new(0.25))), "0.25");
        assert_eq!(encoded(Value::Float(Float::new(2.0))), r#"{"f":2.0}"#);
        assert_eq!(encoded(Value::Float(Float::new(-0.0))), r#"{"f":"-0"}"#);
        // What JS's JSON.stringify writes: integral numbers are ints, the rest floats.
        assert_eq!(Value::decode(b"3").unwrap(), Value::Int("3".into()));
        assert_eq!(
            Value::decode(b"-0.5").unwrap(),
            Value::Float(Float::new(-0.5))
        );
        assert_eq!(
            Value::decode(br#"{"f":3}"#).unwrap(),
            Value::Float(Float::new(3.0))
        );
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

    /// Found by `tests/fuzz_decoders.rs`: serde_json without `float_roundtrip` read these
    /// one ulp off, so a float from the page did not reach Python exactly.
    #[test]
    fn floats_decode_bit_exact() {
        for (text, float) in [
            ("2.2594031171433628e197", 2.2594031171433628e197),
            ("-6.797173896125341e164", -6.797173896125341e164),
            ("1.9986666666632745e-40", 1.9986666666632745e-40),
            ("-9.336748771863501e17", -9.336748771863501e17),
        ] {
            let Ok(Value::Float(decoded)) = Value::decode(text.as_bytes()) else {
                panic!("{text} is not a float")
            };
            assert_eq!(decoded.get().to_bits(), f64::to_bits(float), "{text}");
            round_trip(Value::Float(Float::new(float)));
        }
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
            r#"[7,{"f":"nan"}]"#
        );
        let dict = Value::Dict(vec![
            ("b".into(), Value::Str("x".into())),
            ("a".into(), Value::None),
        ]);
        assert_eq!(
            String::from_utf8(dict.encode()).unwrap(),
            r#"{"d":[["b","x"],["a",null]]}"#
        );
    }

    #[test]
    fn malformed_input_is_an_error() {
        for bad in [
            &b""[..],
            b"{",
            b"{}",
            b"{\"t\":\"int\",\"v\":\"1\"}",
            b"{\"i\":\"12a\"}",
            b"{\"f\":\"zero\"}",
            b"{\"b\":\"!!\"}",
            b"{\"js\":1,\"x\":2}",
            b"{\"s\":1,\"m\":1}",
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
