//! The direct path: one `get` or `call` on a handle table of the interpreter's own thread
//! (a worker's own JS objects, the `js` module; or the page's, on the page), typed end to
//! end instead of written as JSON text.
//!
//! A request of [`crate::ffi`] crosses as JSON because the page's table may be on another
//! thread. When the table is on the caller's thread, the commonest operations (reading an
//! attribute, calling a method: `js.performance.now()`, `js.console.log(text)`) skip the
//! text both ways: the host hands the table the target handle, the name and the arguments
//! as JS values, and the table answers the result as a JS value with its kind in a small
//! array of numbers ([`Outcome`]). The JS end is `getDirect`/`callDirect` of
//! `web/shared/handle-table.js`, which `web-host` calls (its `direct.rs`). What runs is the
//! table's own `get` and `call`, so the behaviour is the request's, operation for
//! operation; [`DirectOp::written`] is that request, which a host without a direct path
//! sends instead.

use crate::ffi::{JsFailure, JsReply, OpWriter, WrittenOp, op};
use crate::value::MAX_SAFE_INTEGER;
use crate::{Float, JsRef, Value};

/// An argument of a direct call: what crosses without a conversion of its own.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DirectArg<'a> {
    /// `None`: JS `null`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer a JS number holds exactly.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(&'a str),
    /// An object of the same table, by handle.
    Handle(u64),
}

/// A direct operation: [`op::GET`] or [`op::CALL`] on the table's handle `target`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DirectOp<'a> {
    /// `target[name]`.
    Get {
        /// The object's handle.
        target: u64,
        /// The attribute's name.
        name: &'a str,
    },
    /// `target[name](...args)`, `this` the target.
    Call {
        /// The object's handle.
        target: u64,
        /// The method's name.
        name: &'a str,
        /// The arguments (at most [`MAX_DIRECT_ARGS`]).
        args: &'a [DirectArg<'a>],
    },
}

/// The most arguments a direct call carries: its handles are marked in a mask of this many
/// bits (a call with more goes as a request).
pub const MAX_DIRECT_ARGS: usize = 30;

impl DirectOp<'_> {
    /// The handle the operation acts on.
    pub fn target(&self) -> u64 {
        match *self {
            DirectOp::Get { target, .. } | DirectOp::Call { target, .. } => target,
        }
    }

    /// The same operation as a request's operation, for a host that has no direct path.
    pub fn written(&self) -> WrittenOp {
        match *self {
            DirectOp::Get { target, name } => {
                let mut writer = OpWriter::new(op::GET);
                writer.target_handle(target);
                writer.name(name);
                writer.finish()
            }
            DirectOp::Call { target, name, args } => {
                let mut writer = OpWriter::new(op::CALL);
                writer.target_handle(target);
                writer.name(name);
                writer.int(handle_mask(args));
                for arg in args {
                    match *arg {
                        DirectArg::None => writer.none(),
                        DirectArg::Bool(value) => writer.value(&Value::Bool(value)),
                        DirectArg::Int(value) => writer.int(value),
                        DirectArg::Float(value) => writer.value(&Value::Float(Float::new(value))),
                        DirectArg::Str(text) => writer.str(text),
                        DirectArg::Handle(handle) => writer.target_handle(handle),
                    }
                }
                writer.finish()
            }
        }
    }
}

/// Bit `i` set when argument `i` is a handle (the `refs` mask of [`op::CALL`]).
pub fn handle_mask(args: &[DirectArg<'_>]) -> i64 {
    args.iter()
        .take(MAX_DIRECT_ARGS)
        .enumerate()
        .filter(|(_, arg)| matches!(arg, DirectArg::Handle(_)))
        .fold(0, |mask, (index, _)| mask | 1 << index)
}

/// What a direct operation answered, as the table writes it: `[kind, handle, class,
/// callable]`, the kind one of these, the value itself returned beside.
pub mod outcome {
    /// The returned value is the result's wire form, a JSON-native primitive (`null`, a
    /// boolean, a string, or a number: integral ones are exact integers).
    pub const VALUE: u32 = 0;
    /// The result is an object of the table: `[_, handle, class, callable (0 or 1)]`.
    pub const REFERENCE: u32 = 1;
    /// The attribute is a method inherited from the object's prototype ([`crate::Value::Method`]).
    pub const METHOD: u32 = 2;
    /// The returned value is the result's wire form as JSON text (a special float, a big
    /// integer, a Python callable).
    pub const JSON: u32 = 3;
    /// The operation failed: the returned value is a [`crate::ffi::JsFailure`] as JSON text.
    pub const FAILED: u32 = 4;
    /// How many numbers the outcome array holds.
    pub const LEN: usize = 4;
}

/// The result of a direct operation, read from the table's answer.
pub type Outcome = Result<Value, JsFailure>;

/// Errors reading a table's answer (a table that breaks the protocol; never a panic).
#[derive(Debug, thiserror::Error)]
pub enum OutcomeError {
    /// The kind is none of [`outcome`]'s.
    #[error("unknown outcome kind {0}")]
    Kind(f64),
    /// The returned value does not fit its kind.
    #[error("an outcome of kind {kind} carried {what}")]
    Mismatch {
        /// The kind.
        kind: u32,
        /// What came instead.
        what: &'static str,
    },
    /// A failure's JSON text that does not decode.
    #[error("undecodable failure: {0}")]
    Json(#[from] serde_json::Error),
    /// A value's wire form that does not decode.
    #[error("undecodable value: {0}")]
    Value(#[from] crate::value::DecodeError),
}

/// The value the table returned beside the outcome array, as the host read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Returned {
    /// `null` or `undefined`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    Str(String),
    /// Anything else (an object): a table that breaks the protocol.
    Other,
}

/// The outcome of a direct operation from the table's answer: `numbers` (its outcome
/// array) and the value it returned.
pub fn read_outcome(
    numbers: &[f64; outcome::LEN],
    returned: Returned,
) -> Result<Outcome, OutcomeError> {
    let kind = numbers[0];
    let mismatch = |kind, what| OutcomeError::Mismatch { kind, what };
    match kind as u32 {
        outcome::VALUE if kind == f64::from(outcome::VALUE) => Ok(Ok(match returned {
            Returned::Null => Value::None,
            Returned::Bool(value) => Value::Bool(value),
            Returned::Number(number) => number_value(number),
            Returned::Str(text) => Value::Str(text),
            Returned::Other => return Err(mismatch(outcome::VALUE, "an object")),
        })),
        outcome::REFERENCE => Ok(Ok(Value::Js(JsRef {
            id: numbers[1] as u64,
            class: numbers[2] as u32,
            callable: numbers[3] != 0.0,
        }))),
        outcome::METHOD => Ok(Ok(Value::Method)),
        outcome::JSON => match returned {
            Returned::Str(json) => Ok(Ok(Value::decode(json.as_bytes())?)),
            _ => Err(mismatch(outcome::JSON, "no text")),
        },
        outcome::FAILED => match returned {
            Returned::Str(json) => Ok(Err(serde_json::from_str(&json)?)),
            _ => Err(mismatch(outcome::FAILED, "no text")),
        },
        _ => Err(OutcomeError::Kind(kind)),
    }
}

/// A number of the wire as JSON would carry it: an integral one (the table sends only
/// exact integers as numbers) as an int, the rest as a float.
fn number_value(number: f64) -> Value {
    if number.fract() == 0.0
        && number.abs() <= MAX_SAFE_INTEGER as f64
        && !(number == 0.0 && number.is_sign_negative())
    {
        Value::Int((number as i64).to_string())
    } else {
        Value::Float(Float::new(number))
    }
}

/// The outcome of a direct operation a host ran as a request instead ([`DirectOp::written`]):
/// the reply of that one operation.
pub fn outcome_of_reply(reply: JsReply) -> Outcome {
    match reply {
        JsReply::Ok(mut values) => Ok(values.pop().unwrap_or(Value::None)),
        JsReply::Err(failure) => Err(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::request;

    #[test]
    fn a_direct_operation_written_is_the_request_the_interpreter_writes() {
        let get = DirectOp::Get {
            target: 7,
            name: "answer",
        };
        assert_eq!(request([&get.written()]), r#"[3,"get",7,"answer"]"#);
        let args = [
            DirectArg::Str("a\"b"),
            DirectArg::Handle(9),
            DirectArg::Int(-3),
            DirectArg::Float(0.5),
            DirectArg::None,
            DirectArg::Bool(true),
        ];
        let call = DirectOp::Call {
            target: 7,
            name: "f",
            args: &args,
        };
        assert_eq!(
            request([&call.written()]),
            r#"[10,"call",7,"f",2,"a\"b",9,-3,0.5,null,true]"#
        );
    }

    #[test]
    fn outcomes_read_as_the_request_reply_would() {
        let value = |returned| read_outcome(&[0.0; 4], returned).unwrap().unwrap();
        assert_eq!(value(Returned::Number(3.0)), Value::Int("3".into()));
        assert_eq!(
            value(Returned::Number(-2.5)),
            Value::Float(Float::new(-2.5))
        );
        assert_eq!(
            value(Returned::Number(1e300)),
            Value::Float(Float::new(1e300))
        );
        assert_eq!(value(Returned::Str("x".into())), Value::Str("x".into()));
        assert_eq!(value(Returned::Null), Value::None);
        let reference = read_outcome(
            &[1.0, 1_099_511_627_777.0, 1_073_741_825.0, 1.0],
            Returned::Null,
        );
        assert_eq!(
            reference.unwrap().unwrap(),
            Value::Js(JsRef {
                id: 1_099_511_627_777,
                class: 1_073_741_825,
                callable: true
            })
        );
        let special = read_outcome(&[3.0, 0.0, 0.0, 0.0], Returned::Str(r#"{"f":"-0"}"#.into()));
        assert_eq!(special.unwrap().unwrap(), Value::Float(Float::new(-0.0)));
        let failed = read_outcome(
            &[4.0, 0.0, 0.0, 0.0],
            Returned::Str(
                r#"{"index":0,"name":"TypeError","message":"no","python":"TypeError"}"#.into(),
            ),
        );
        assert_eq!(
            failed.unwrap().unwrap_err().python.as_deref(),
            Some("TypeError")
        );
    }

    #[test]
    fn a_table_that_breaks_the_protocol_is_an_error() {
        assert!(read_outcome(&[9.0, 0.0, 0.0, 0.0], Returned::Null).is_err());
        assert!(read_outcome(&[0.5, 0.0, 0.0, 0.0], Returned::Null).is_err());
        assert!(read_outcome(&[0.0; 4], Returned::Other).is_err());
        assert!(read_outcome(&[3.0, 0.0, 0.0, 0.0], Returned::Str("{".into())).is_err());
    }
}
