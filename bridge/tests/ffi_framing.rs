//! Property-based tests of the FFI's framing (proptest): operations written, journaled and
//! flattened into requests give themselves back, exactly.
//!
//! What it proves, for every generated case: operations flattened the way requests carry
//! them split back into themselves ([`split_ops`]). [`OpWriter`] writes, byte for byte, the
//! JSON of the operation's [`Value`] (its documented promise), with the same item count; an
//! [`OpJournal`] gives each operation back and writes the [`BatchPart`]s serde would write;
//! [`request`] splits back into its operations. [`name_operand`] and [`is_call_ref`] read
//! what the writer means.
//!
//! That [`split_ops`] (and every other decoder) never panics on any input is
//! `fuzz_decoders.rs`; values and messages are `round_trips.rs`; the generators they share
//! are `support/strategies.rs`.
//!
//! Case counts: proptest's own `PROPTEST_CASES` (default 256 per property; the file runs in
//! a few seconds in debug). To search longer locally:
//!
//! ```text
//! PROPTEST_CASES=100000 cargo test -p rustpy-bridge --test ffi_framing --release
//! ```
//!
//! Run it in debug too: only there do overflow checks turn an arithmetic slip into a
//! failure. A failure prints the smallest input proptest found (no regression files are
//! written): fix the writer or decoder and add that input as a plain `#[test]` in the
//! crate's unit tests. Found so far, each now such a test: an empty operation making a
//! request that is not JSON.

mod support;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use rustpy_bridge::ffi::{
    self, BatchPart, CALL_REF_BITS, OpJournal, OpWriter, WELL_KNOWN_NAMES, WrittenOp, is_call_ref,
    name_operand, request, split_ops, well_known_name,
};
use rustpy_bridge::{JsRef, Value};

use support::config;
use support::strategies::{MAX_SAFE_INTEGER, any_value, text};

/// A request's operations in the flat form: per operation its item count, then its items.
fn flat(ops: &[Vec<Value>]) -> Vec<Value> {
    let mut flat = Vec::new();
    for op in ops {
        flat.push(Value::Int(op.len().to_string()));
        flat.extend(op.iter().cloned());
    }
    flat
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

/// An operation runs where its target lives: a handle of the worker's own table as the
/// target makes it local; the same handle as a call's argument does not (the argument is
/// copied across instead, by the interpreter).
#[test]
fn the_target_alone_says_where_an_operation_runs() {
    let local = rustpy_bridge::ffi::LOCAL_HANDLE_BASE;
    let mut on_local = OpWriter::new("call");
    on_local.target_handle(local + 3);
    on_local.name("log");
    on_local.int(1);
    on_local.target_handle(7);
    assert!(on_local.finish().local);

    let mut on_page = OpWriter::new("call");
    on_page.target_handle(7);
    on_page.name("append");
    on_page.int(1);
    on_page.target_handle(local);
    assert!(!on_page.finish().local);
    assert!(
        rustpy_bridge::ffi::is_local_handle(local)
            && !rustpy_bridge::ffi::is_local_handle(local - 1)
    );
}
