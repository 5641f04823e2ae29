//! The FFI protocol: Python proxies of JavaScript objects (`window`, `document`, and
//! everything reached from them).
//!
//! The page keeps one handle table per interpreter (its own, and one per worker). Python
//! holds handles ([`Value::Js`]); a request is a list of operations, each
//! `[name, operands...]` with names from [`op`], written flat: a JSON array holding, per
//! operation, its number of items and then the items (`[3,"get",7,"title",2,"len",7]`; see
//! [`request`], [`split_ops`]): the page's `JSON.parse` makes no array per operation. The
//! page runs them in order and answers a [`JsReply`]: one result per operation, or the
//! first failure.
//! Several operations in one request is how batches (`with pyscript.batch():`) save round
//! trips: an operand [`Value::Slot`]`(k)` is the result of operation
//! `k` of the same request.
//!
//! A batch (`with pyscript.batch():`) goes to the page in [`BatchPart`]s: while Python
//! queues, every [`BATCH_PART_OPS`] operations are sent without waiting (the page runs them
//! while Python queues the next ones; no reply), and the batch's end is a blocking request
//! naming the results Python still holds (`want`): the page answers those alone, or the
//! batch's first failure. Slots and failure indexes count from the batch's first operation;
//! a part of another batch number drops what the page kept of an earlier, abandoned batch.
//!
//! Handles are reference-counted by the page: each time it hands out a handle it counts
//! one; Python gives counts back with [`FromWorker::Release`](crate::FromWorker::Release)
//! when its proxy dies. Messages are ordered, so a release never races a newer hand-out.

use std::io::Write as _;

use serde::{Deserialize, Serialize};

use crate::Value;
use crate::value::MAX_SAFE_INTEGER;

/// Operation names and their operands. `target` is a reference: a [`Value::Js`] or a slot,
/// or as [`OpWriter::target_handle`] and [`OpWriter::target_slot`] write it, a bare number
/// (handle `n` when positive, slot `-n - 1` when negative): one JSON object less per
/// operation for the page to parse. `name` is a string, or as [`OpWriter::name`] writes it,
/// an index into [`WELL_KNOWN_NAMES`].
pub mod op {
    wire_names! {
        /// `[get, target, name]`: `target[name]`; a missing name fails with `AttributeError`.
        GET = "get";
        /// `[set, target, name, value]`: `target[name] = value`.
        SET = "set";
        /// `[del, target, name]`: `delete target[name]`.
        DEL = "del";
        /// `[call, target, name, refs, args...]`: `target[name](...args)`, the arguments inline
        /// (as many as the operation has items after `refs`). `refs` is a bit mask: bit `i`
        /// (for `i` < [`CALL_REF_BITS`](super::CALL_REF_BITS)) set says argument `i` is a
        /// reference written as a bare number, as targets are (see above); other arguments are
        /// values, references among them in their tagged form. So `tr.append(td)` in a batch is
        /// `call,-3,3,1,-5` (`append` is well-known name 3): no list, no object and no string for
        /// the page to parse per call.
        CALL = "call";
        /// `[apply, function, this, args]`: `function.apply(this, args)`.
        APPLY = "apply";
        /// `[new, constructor, args]`: `new constructor(...args)`.
        NEW = "new";
        /// `[getitem, target, key]`: `target[key]` (`Map.get` for maps, negative indexes
        /// count from the end of arrays); a missing key fails with `KeyError`/`IndexError`.
        GET_ITEM = "getitem";
        /// `[setitem, target, key, value]`.
        SET_ITEM = "setitem";
        /// `[delitem, target, key]`.
        DEL_ITEM = "delitem";
        /// `[len, target]`: `length` or `size`.
        LEN = "len";
        /// `[iter, target]`: the items of an iterable, as a list.
        ITER = "iter";
        /// `[contains, target, value]`: `includes`/`has`, else `value in target`.
        CONTAINS = "contains";
        /// `[bool, target]`: false for empty arrays, maps and sets, else true.
        BOOL = "bool";
        /// `[str, target]`: `String(target)`.
        STR = "str";
        /// `[describe, target]`: `[type name, String(target)]` for `repr()`.
        DESCRIBE = "describe";
        /// `[dir, target]`: the property names along the prototype chain.
        DIR = "dir";
        /// `[typeof, target]`: JS `typeof`.
        TYPEOF = "typeof";
        /// `[instanceof, target, constructor]`.
        INSTANCEOF = "instanceof";
        /// `[to_py, target]`: a copy: arrays to lists, plain objects and maps to dicts, typed
        /// arrays and `ArrayBuffer`s to bytes; other objects stay references.
        TO_PY = "to_py";
        /// `[to_js, value]`: a JS object built from a copied Python value.
        TO_JS = "to_js";
        /// `[global]`: `globalThis` (`window`).
        GLOBAL = "global";
        /// `[count]`: how many handles this interpreter holds (a debug counter).
        COUNT = "count";
        /// `[tree, spec]`: a new DOM element and everything inside it, made from one value
        /// (`pyscript.web`'s elements, queued as Python data until they are needed). `spec`
        /// is `[tag, change...]`; a change is a text to append, a child element's own spec
        /// (a list starting with its tag), a reference to a node to append, or
        /// `[kind, operands...]` with the kinds of `pyscript/_web_parts.py` (1 text or node,
        /// 2 HTML, 3 property, 4 class names added, 5 removed, 6 style property set, 7
        /// [`tree_change`]). The result is the element.
        TREE = "tree";
    }
}

/// The kinds of change in a [`op::TREE`] spec, `[kind, operands...]`: also the changes
/// `pyscript.web` queues on an element that is not made yet (`pyscript/_web_parts.py`
/// takes them from `_rustpy_host.TREE_CHANGES`). Numbers, so that no tag name (a string)
/// can be mistaken for one.
pub mod tree_change {
    wire_numbers! {
        /// `[TEXT, value]`: appends a text, a number as text, or a node.
        TEXT = 1;
        /// `[HTML, text]`: `insertAdjacentHTML("beforeend", text)`.
        HTML = 2;
        /// `[SET, name, value]`: sets the DOM property `name`.
        SET = 3;
        /// `[CLASS_ADD, names]`: `classList.add(...names)`.
        CLASS_ADD = 4;
        /// `[CLASS_REMOVE, names]`: `classList.remove(...names)`.
        CLASS_REMOVE = 5;
        /// `[STYLE, name, value]`: `style.setProperty(name, value)`.
        STYLE = 6;
        /// `[UNSTYLE, name]`: `style.removeProperty(name)`.
        UNSTYLE = 7;
        /// `[LISTEN, type, function]`: `addEventListener(type, function)`.
        LISTEN = 8;
        /// `[CALL, name, args]`: the element's method `name` called with `args`.
        CALL = 9;
    }
}

/// Attribute and method names common in DOM code, which operations carry as their index
/// here instead of as text ([`OpWriter::name`]; any other name goes as a string): the page
/// parses a small number where it parsed, and then had to look up, a string of up to 22
/// characters. On a scratch page replaying a batched 1000-row table, the page's share went
/// from 3.6 to 3.2 ms. The page gets this list from `web/shared/wire.js`, generated from it
/// ([`crate::js`]): both come from the same build, so the list may change freely (then run
/// `cargo xtask wire`). Kept sorted, to be read.
pub const WELL_KNOWN_NAMES: &[&str] = &[
    "add",
    "addEventListener",
    "alt",
    "append",
    "appendChild",
    "arc",
    "backgroundColor",
    "beginPath",
    "blur",
    "body",
    "cells",
    "checked",
    "childNodes",
    "children",
    "classList",
    "className",
    "clearRect",
    "click",
    "clientHeight",
    "clientWidth",
    "cloneNode",
    "closest",
    "color",
    "contains",
    "content",
    "createElement",
    "createTextNode",
    "currentTarget",
    "data",
    "dataset",
    "detail",
    "disabled",
    "display",
    "document",
    "documentElement",
    "fill",
    "fillRect",
    "fillStyle",
    "fillText",
    "firstChild",
    "firstElementChild",
    "focus",
    "getAttribute",
    "getBoundingClientRect",
    "getContext",
    "getElementById",
    "getElementsByClassName",
    "getElementsByTagName",
    "hasAttribute",
    "head",
    "height",
    "hidden",
    "href",
    "id",
    "innerHTML",
    "innerText",
    "insertAdjacentHTML",
    "insertBefore",
    "insertCell",
    "insertRow",
    "item",
    "key",
    "lastChild",
    "lastElementChild",
    "length",
    "lineTo",
    "lineWidth",
    "location",
    "log",
    "moveTo",
    "name",
    "nextElementSibling",
    "nextSibling",
    "nodeName",
    "nodeType",
    "now",
    "offsetHeight",
    "offsetWidth",
    "options",
    "outerHTML",
    "parentElement",
    "parentNode",
    "placeholder",
    "prepend",
    "preventDefault",
    "previousElementSibling",
    "previousSibling",
    "querySelector",
    "querySelectorAll",
    "remove",
    "removeAttribute",
    "removeChild",
    "removeEventListener",
    "replaceChild",
    "replaceChildren",
    "replaceWith",
    "rows",
    "scrollIntoView",
    "scrollTop",
    "selected",
    "selectedIndex",
    "setAttribute",
    "src",
    "stopPropagation",
    "stroke",
    "strokeStyle",
    "style",
    "tagName",
    "target",
    "text",
    "textContent",
    "title",
    "toggle",
    "type",
    "value",
    "width",
];

/// The index of `name` in [`WELL_KNOWN_NAMES`], if it is there.
///
/// A hash table built on first use: once per operation in a batch, a binary search's seven
/// string comparisons took about 8 % of the worker's time in a batched 1000-row table.
pub fn well_known_name(name: &str) -> Option<usize> {
    static INDEX: std::sync::OnceLock<rustc_hash::FxHashMap<&str, usize>> =
        std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        WELL_KNOWN_NAMES
            .iter()
            .enumerate()
            .map(|(index, name)| (*name, index))
            .collect()
    });
    index.get(name).copied()
}

/// The name an operation's name operand stands for: a string, or an index into
/// [`WELL_KNOWN_NAMES`]; `None` for anything else.
pub fn name_operand(operand: &Value) -> Option<&str> {
    match operand {
        Value::Str(name) => Some(name),
        Value::Int(digits) => digits
            .parse::<usize>()
            .ok()
            .and_then(|index| WELL_KNOWN_NAMES.get(index).copied()),
        _ => None,
    }
}

/// The first handle of a worker's own table (its `globalThis`, the `js` module): handles
/// below it are the page's, handles from it on the worker's, so a handle says which table
/// holds its object and an operation goes to the table of its target. 2^40: far beyond
/// any count of page handles, and exact in a JS number.
pub const LOCAL_HANDLE_BASE: u64 = 1 << 40;

/// Whether handle `id` is one of the worker's own table (see [`LOCAL_HANDLE_BASE`]).
pub fn is_local_handle(id: u64) -> bool {
    id >= LOCAL_HANDLE_BASE
}

/// How many of a `call`'s arguments its `refs` mask covers (see [`op::CALL`]): the bits of
/// a JS integer that shifts keep exact.
pub const CALL_REF_BITS: usize = 31;

/// Whether a `call`'s `refs` mask says argument `index` is a bare-number reference (see
/// [`op::CALL`]).
pub fn is_call_ref(refs: i64, index: usize) -> bool {
    index < CALL_REF_BITS && (refs >> index) & 1 == 1
}

/// How many operations a batch queues before it sends them as a [`BatchPart`]. 128 rather
/// than 512: the page then runs a part while the worker queues the next (40–50 µs of
/// Python for 128 operations), catching it in its short watch instead of falling asleep,
/// and the block's end leaves less to run. A/B in the bench (`--dom-only --only rustpy
/// --dist`, per row of a batched 1000-row table, medians of each round): 512: 4.4–9.7 µs
/// (median 4.9); 128: 4.2–5.6 (4.4); 64: 4.5–5.6 (4.75).
pub const BATCH_PART_OPS: usize = 128;

/// A piece of batch `batch`: its next operations, and at its end the results wanted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPart {
    /// The batch's number (a new number starts a new batch on the page).
    pub batch: u64,
    /// The operations, continuing the batch's earlier parts, in the flat form (see
    /// [`split_ops`]).
    pub ops: Vec<Value>,
    /// Present on the last part, which is a blocking request: the slots whose results
    /// the reply holds, in this order ([`JsReply::Ok`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub want: Option<Vec<usize>>,
}

impl BatchPart {
    /// Reads a part; malformed input is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

/// One operation in wire form, written piece by piece: `[name, operands...]` as JSON. For
/// callers that hold the operands as objects of their own (the interpreter's Python
/// objects): no [`Value`] tree in between, which cost a batched DOM operation more than
/// half a dozen allocations. The JSON is the same as the operation's [`Value`] would give.
#[derive(Debug, Clone)]
pub struct OpWriter {
    json: Vec<u8>,
    /// The operation's items written so far (its name and operands).
    items: usize,
    /// How many lists are open (an operation, its argument list: at most [`MAX_DEPTH`]).
    depth: u32,
    /// Bit `k`: open list `k` (from the outermost) has an item yet, so a comma goes before
    /// the next one.
    filled: u64,
    /// The target is a handle of the worker's own table ([`is_local_handle`]).
    local: bool,
}

/// How deeply [`OpWriter::begin_list`] nests (values inside [`OpWriter::value`] nest
/// freely).
const MAX_DEPTH: u32 = 64;

impl OpWriter {
    /// Starts operation `name` (one of [`op`]'s names).
    pub fn new(name: &str) -> Self {
        Self::reusing(Vec::with_capacity(64), name)
    }

    /// [`OpWriter::new`], writing into `buffer` (emptied first): a caller that writes
    /// thousands of operations keeps one buffer instead of allocating one each.
    pub fn reusing(mut buffer: Vec<u8>, name: &str) -> Self {
        buffer.clear();
        let mut writer = Self {
            json: buffer,
            items: 0,
            depth: 0,
            filled: 0,
            local: false,
        };
        writer.begin_list();
        writer.str(name);
        writer
    }

    /// Notes where the operation runs when the item about to be written is its target (the
    /// first operand): `local` when it is a handle of the worker's own table, however it is
    /// written (a call's arguments written the same way do not count).
    fn mark_target(&mut self, local: bool) {
        if self.depth == 1 && self.items == 1 {
            self.local = local;
        }
    }

    /// The separator before the next item of the open list.
    fn item(&mut self) {
        let Some(open) = self.depth.checked_sub(1) else {
            return;
        };
        if open == 0 {
            self.items += 1;
        }
        let bit = 1 << open;
        if self.filled & bit != 0 {
            self.json.push(b',');
        }
        self.filled |= bit;
    }

    /// Opens a list (an operation's argument list); [`OpWriter::end_list`] closes it.
    ///
    /// # Panics
    /// Beyond `MAX_DEPTH` (64) open lists (a bug of the caller's: operations nest two deep).
    pub fn begin_list(&mut self) {
        assert!(self.depth < MAX_DEPTH, "OpWriter: lists nested too deeply");
        self.item();
        self.json.push(b'[');
        self.filled &= !(1 << self.depth);
        self.depth += 1;
    }

    /// Closes the list opened last.
    pub fn end_list(&mut self) {
        if self.depth > 0 {
            self.depth -= 1;
            self.json.push(b']');
        }
    }

    /// `None`.
    pub fn none(&mut self) {
        self.item();
        self.json.extend_from_slice(b"null");
    }

    /// An integer (one beyond a JS number's exact range goes in its tagged form).
    pub fn int(&mut self, number: i64) {
        self.mark_target(u64::try_from(number).is_ok_and(is_local_handle));
        if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&number) {
            self.item();
            self.number(number);
        } else {
            self.value(&Value::Int(number.to_string()));
        }
    }

    /// A string.
    pub fn str(&mut self, text: &str) {
        self.item();
        if text
            .bytes()
            .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
        {
            // Nothing to escape (names, tags, most text): copied as it is.
            self.json.push(b'"');
            self.json.extend_from_slice(text.as_bytes());
            self.json.push(b'"');
        } else {
            serde_json::to_writer(&mut self.json, text).expect("a str always serialises");
        }
    }

    /// An attribute or method name: its index when it is one of [`WELL_KNOWN_NAMES`], else
    /// the string.
    pub fn name(&mut self, name: &str) {
        match well_known_name(name) {
            Some(index) => {
                self.item();
                self.number(index);
            }
            None => self.str(name),
        }
    }

    /// A reference to the page's handle `id`.
    pub fn handle(&mut self, id: u64) {
        self.mark_target(is_local_handle(id));
        self.item();
        self.json.extend_from_slice(b"{\"js\":");
        self.number(id);
        self.json.push(b'}');
    }

    /// The page's handle `id` as an operation's target (see [`op`]).
    pub fn target_handle(&mut self, id: u64) {
        self.mark_target(is_local_handle(id));
        self.item();
        self.number(id);
    }

    /// Whether the target written so far is a handle of the worker's own table (see
    /// [`is_local_handle`]): where the operation will run.
    pub fn targets_local(&self) -> bool {
        self.local
    }

    /// The result of operation `slot` of the same batch as an operation's target (see
    /// [`op`]).
    pub fn target_slot(&mut self, slot: u32) {
        self.item();
        self.number(-i64::from(slot) - 1);
    }

    /// The result of operation `slot` of the same batch.
    pub fn slot(&mut self, slot: u32) {
        self.item();
        self.json.extend_from_slice(b"{\"s\":");
        self.number(slot);
        self.json.push(b'}');
    }

    /// Any value.
    pub fn value(&mut self, value: &Value) {
        self.mark_target(targets_local(value));
        self.item();
        serde_json::to_writer(&mut self.json, value).expect("a Value always serialises");
    }

    /// An integer's digits, with `itoa` rather than through serde_json's serializer (in a
    /// profile of a worker building a batched table, `target_slot` took 4.8 % of the
    /// worker's time that way and 3.4 % this way).
    fn number(&mut self, number: impl itoa::Integer) {
        self.json
            .extend_from_slice(itoa::Buffer::new().format(number).as_bytes());
    }

    /// The operation (lists left open are closed).
    pub fn finish(mut self) -> WrittenOp {
        while self.depth > 0 {
            self.end_list();
        }
        WrittenOp {
            json: self.json,
            items: self.items,
            local: self.local,
        }
    }
}

/// An operation [`OpWriter`] wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WrittenOp {
    /// `[name, operands...]` as JSON.
    pub json: Vec<u8>,
    /// How many items the list holds (the name and the operands).
    pub items: usize,
    /// The target is an object of the worker's own table ([`is_local_handle`]): the
    /// operation runs there, not on the page.
    pub local: bool,
}

impl WrittenOp {
    /// The operation `op` (a [`Value::List`] `[name, operands...]`; anything else, an
    /// empty list included, is one item, which the page rejects as an unknown operation).
    pub fn of(op: &Value) -> Self {
        Self {
            json: op.encode(),
            items: match op {
                Value::List(parts) if !parts.is_empty() => parts.len(),
                _ => 1,
            },
            local: matches!(op, Value::List(parts) if parts.get(1).is_some_and(targets_local)),
        }
    }

    /// Appends the operation in a request's flat form: `items,name,operands...`.
    fn append_flat(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(itoa::Buffer::new().format(self.items).as_bytes());
        out.push(b',');
        match (self.json.first(), self.json.last()) {
            // (`[]` is not unwrapped: no items would leave `0,` and a stray comma.)
            (Some(b'['), Some(b']')) if self.json.len() > 2 => {
                out.extend_from_slice(&self.json[1..self.json.len() - 1]);
            }
            // Not a list (see `WrittenOp::of`): one item.
            _ => out.extend_from_slice(&self.json),
        }
    }
}

/// Whether `target`, an operation's first operand, is a handle of the worker's own table:
/// a reference, or a bare number as [`OpWriter::target_handle`] writes one.
fn targets_local(target: &Value) -> bool {
    match target {
        Value::Js(target) => is_local_handle(target.id),
        Value::Int(digits) => digits.parse().is_ok_and(is_local_handle),
        _ => false,
    }
}

/// The request (JSON) running `ops` in order, in the flat form (see the module docs).
pub fn request<'a>(ops: impl IntoIterator<Item = &'a WrittenOp>) -> String {
    let mut json = vec![b'['];
    for (index, op) in ops.into_iter().enumerate() {
        if index > 0 {
            json.push(b',');
        }
        op.append_flat(&mut json);
    }
    json.push(b']');
    json_text(json)
}

/// JSON this module wrote, as text (every byte came from serde_json, a number or valid
/// UTF-8: the lossy fallback never runs).
fn json_text(json: Vec<u8>) -> String {
    String::from_utf8(json)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// The operations of a request (or of a part's `ops`) in the flat form, each as its items
/// (`[name, operands...]`); malformed input (a count that is not a positive integer, or
/// runs past the end) is an error naming where.
pub fn split_ops(flat: &[Value]) -> Result<Vec<&[Value]>, String> {
    let mut ops = Vec::new();
    let mut at = 0;
    while at < flat.len() {
        let count = match &flat[at] {
            Value::Int(digits) => digits.parse::<usize>().ok().filter(|count| *count > 0),
            _ => None,
        };
        // `count < len - at` rather than `at + count < len`: a count near `usize::MAX`
        // must not overflow (`at < len`, so the subtraction cannot).
        let Some(count) = count.filter(|count| *count < flat.len() - at) else {
            return Err(format!(
                "rustpy: malformed FFI request: no operation length at item {at}"
            ));
        };
        ops.push(&flat[at + 1..=at + count]);
        at += count + 1;
    }
    Ok(ops)
}

/// A batch's operations, each encoded as it is queued (so the queue holds text, not value
/// trees), sent as [`BatchPart`]s.
#[derive(Debug, Default)]
pub struct OpJournal {
    /// The operations in the flat form, each followed by a comma: the operations of a part
    /// are one slice of it.
    text: Vec<u8>,
    /// Where each operation starts in `text` (its item count).
    starts: Vec<usize>,
}

impl OpJournal {
    /// Appends an operation.
    pub fn push(&mut self, op: &Value) {
        self.push_written(&WrittenOp::of(op));
    }

    /// Appends an operation [`OpWriter`] wrote.
    pub fn push_written(&mut self, op: &WrittenOp) {
        self.starts.push(self.text.len());
        op.append_flat(&mut self.text);
        self.text.push(b',');
    }

    /// How many operations there are.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when nothing was queued.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Operation `index` (`[name, operands...]`), read back (for error messages).
    pub fn op(&self, index: usize) -> Option<Value> {
        let start = *self.starts.get(index)?;
        let end = self
            .starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        // `count,items...,`: the items, without the count and the comma after them.
        let flat = &self.text[start..end];
        let items = &flat[flat.iter().position(|byte| *byte == b',')? + 1..flat.len() - 1];
        let mut json = Vec::with_capacity(items.len() + 2);
        json.push(b'[');
        json.extend_from_slice(items);
        json.push(b']');
        Value::decode(&json).ok()
    }

    /// The [`BatchPart`] of batch `batch` holding the operations from `first` on (the last
    /// part when `want` is given), as JSON.
    pub fn part(&self, batch: u64, first: usize, want: Option<&[usize]>) -> String {
        let from = self.starts.get(first).copied().unwrap_or(self.text.len());
        let ops = self.text[from..].strip_suffix(b",").unwrap_or_default();
        let mut json = Vec::with_capacity(ops.len() + 64);
        let _ = write!(json, "{{\"batch\":{batch},\"ops\":[");
        json.extend_from_slice(ops);
        json.push(b']');
        if let Some(want) = want {
            json.extend_from_slice(b",\"want\":");
            serde_json::to_writer(&mut json, want).expect("indexes serialise");
        }
        json.push(b'}');
        json_text(json)
    }
}

/// The page's answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JsReply {
    /// Every operation ran: their results, in order.
    Ok(Vec<Value>),
    /// An operation failed; those after it did not run.
    Err(JsFailure),
}

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsFailure {
    /// The failing operation's position in the request.
    pub index: usize,
    /// The JS error's `name` (`TypeError`, `SyntaxError`, ...), or rustpy's own kind.
    pub name: String,
    /// The JS error's message.
    pub message: String,
    /// When set, the Python exception type to raise (`AttributeError`, `KeyError`,
    /// `IndexError`, `TypeError`) instead of `pyscript.JsException`.
    #[serde(default)]
    pub python: Option<String>,
}

impl JsReply {
    /// Reads a reply; malformed input is an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::JsRef;

    #[test]
    fn replies_read_as_the_page_writes_them() {
        let ok = JsReply::decode(br#"{"ok":[{"js":3,"c":1},null]}"#).unwrap();
        assert_eq!(
            ok,
            JsReply::Ok(vec![
                Value::Js(JsRef {
                    id: 3,
                    class: 1,
                    callable: false
                }),
                Value::None
            ])
        );
        let failed = JsReply::decode(
            br#"{"err":{"index":2,"name":"SyntaxError","message":"'##' is not a valid selector"}}"#,
        )
        .unwrap();
        let JsReply::Err(failure) = failed else {
            panic!("expected a failure")
        };
        assert_eq!(failure.index, 2);
        assert_eq!(failure.python, None);
        assert!(JsReply::decode(br#"{"ok":3}"#).is_err());
        assert!(JsReply::decode(b"\xff").is_err());
    }

    /// `ops` (each a [`Value::List`]) in the flat form: per operation its item count, then
    /// its items.
    fn flat(ops: &[Value]) -> Vec<Value> {
        let mut flat = Vec::new();
        for op in ops {
            let Value::List(items) = op else {
                panic!("not an operation: {op:?}")
            };
            flat.push(Value::Int(items.len().to_string()));
            flat.extend(items.iter().cloned());
        }
        flat
    }

    /// A part as serde writes it.
    fn part(batch: u64, ops: &[Value], want: Option<&[usize]>) -> String {
        serde_json::to_string(&BatchPart {
            batch,
            ops: flat(ops),
            want: want.map(<[usize]>::to_vec),
        })
        .unwrap()
    }

    #[test]
    fn requests_are_flat_and_split_back_into_operations() {
        let ops = [
            Value::List(vec![
                Value::Str("get".into()),
                Value::Int("7".into()),
                Value::Str("title".into()),
            ]),
            Value::List(vec![Value::Str("count".into())]),
            Value::List(vec![
                Value::Str("call".into()),
                Value::Slot(0),
                Value::Str("f".into()),
                Value::Int("0".into()),
                Value::Int("1".into()),
            ]),
        ];
        let written: Vec<WrittenOp> = ops.iter().map(WrittenOp::of).collect();
        let json = request(&written);
        assert_eq!(
            json,
            r#"[3,"get",7,"title",1,"count",5,"call",{"s":0},"f",0,1]"#
        );
        let Value::List(items) = Value::decode(json.as_bytes()).unwrap() else {
            panic!("not a list")
        };
        let split = split_ops(&items).unwrap();
        assert_eq!(split.len(), 3);
        for (op, expected) in split.iter().zip(&ops) {
            assert_eq!(&Value::List(op.to_vec()), expected);
        }
        assert_eq!(request(&[]), "[]");
        // Lengths that are missing, zero or run past the end are errors, not panics.
        for bad in [
            r#"["get",7]"#,
            r#"[0,"count"]"#,
            r#"[3,"get",7]"#,
            r#"[-1]"#,
        ] {
            let Value::List(items) = Value::decode(bad.as_bytes()).unwrap() else {
                panic!("not a list")
            };
            assert!(split_ops(&items).is_err(), "{bad}");
        }
    }

    /// Found by `tests/fuzz_decoders.rs`: `at + count` overflowed (a panic in debug, a
    /// slice out of bounds in release) for a count near `usize::MAX` after the first item.
    #[test]
    fn a_count_near_usize_max_is_an_error_not_an_overflow() {
        for count in [usize::MAX, usize::MAX - 1] {
            let items = [
                Value::Int("1".into()),
                Value::Str("count".into()),
                Value::Int(count.to_string()),
                Value::Int("0".into()),
            ];
            assert_eq!(
                split_ops(&items),
                Err("rustpy: malformed FFI request: no operation length at item 2".into())
            );
        }
    }

    /// Found by `tests/fuzz_decoders.rs`: an empty list as an operation was written as
    /// `0,` and the comma after it, so the whole request or part was not JSON.
    #[test]
    fn an_empty_operation_is_one_item_and_the_request_stays_json() {
        let empty = Value::List(vec![]);
        let count = Value::List(vec![Value::Str("count".into())]);
        let written = [WrittenOp::of(&empty), WrittenOp::of(&count)];
        assert_eq!(written[0].items, 1);
        assert_eq!(request(&written), r#"[1,[],1,"count"]"#);
        let mut journal = OpJournal::default();
        journal.push(&empty);
        journal.push(&count);
        let part = BatchPart::decode(journal.part(1, 0, Some(&[])).as_bytes()).unwrap();
        let ops = split_ops(&part.ops).unwrap();
        assert_eq!(
            ops,
            [&[empty.clone()][..], &[Value::Str("count".into())][..]]
        );
        assert_eq!(journal.op(0), Some(Value::List(vec![empty])));
    }

    #[test]
    fn batch_parts_round_trip_and_only_the_last_wants_results() {
        let ops = vec![Value::List(vec![Value::Str("get".into()), Value::Slot(3)])];
        let middle = part(7, &ops, None);
        assert_eq!(middle, r#"{"batch":7,"ops":[2,"get",{"s":3}]}"#);
        let last = part(7, &[], Some(&[0, 4]));
        assert_eq!(
            BatchPart::decode(last.as_bytes()).unwrap(),
            BatchPart {
                batch: 7,
                ops: vec![],
                want: Some(vec![0, 4])
            }
        );
        assert_eq!(
            BatchPart::decode(middle.as_bytes()).unwrap().ops,
            flat(&ops)
        );
        assert!(BatchPart::decode(br#"{"ops":[]}"#).is_err());
    }

    #[test]
    fn a_journal_writes_the_parts_serde_would() {
        let ops: Vec<Value> = (0..5)
            .map(|i| {
                Value::List(vec![
                    Value::Str("set".into()),
                    Value::Slot(i),
                    Value::Str(format!("é{i}")),
                ])
            })
            .collect();
        let mut journal = OpJournal::default();
        assert!(journal.is_empty());
        for op in &ops {
            journal.push(op);
        }
        assert_eq!(journal.len(), 5);
        assert_eq!(journal.part(3, 0, None), part(3, &ops, None));
        assert_eq!(
            journal.part(3, 2, Some(&[1, 4])),
            part(3, &ops[2..], Some(&[1, 4]))
        );
        assert_eq!(journal.part(3, 5, Some(&[])), part(3, &[], Some(&[])));
        assert_eq!(journal.op(4), Some(ops[4].clone()));
        assert_eq!(journal.op(5), None);
    }

    #[test]
    fn a_written_operation_is_the_json_of_its_value() {
        let mut writer = OpWriter::new(op::CALL);
        writer.handle(7);
        writer.str("append \"é\"\n");
        writer.int(0b10);
        writer.slot(3);
        writer.target_slot(3);
        writer.str("é\u{2028}");
        writer.none();
        writer.int(-42);
        writer.int(1 << 60);
        writer.value(&Value::Float(crate::Float::new(2.0)));
        writer.begin_list();
        writer.slot(0);
        writer.end_list();
        let written = writer.finish();
        let expected = Value::List(vec![
            Value::Str("call".into()),
            Value::Js(JsRef {
                id: 7,
                class: 0,
                callable: false,
            }),
            Value::Str("append \"é\"\n".into()),
            Value::Int("2".into()),
            Value::Slot(3),
            Value::Int("-4".into()),
            Value::Str("é\u{2028}".into()),
            Value::None,
            Value::Int("-42".into()),
            Value::Int((1_i64 << 60).to_string()),
            Value::Float(crate::Float::new(2.0)),
            Value::List(vec![Value::Slot(0)]),
        ]);
        assert_eq!(written, WrittenOp::of(&expected));
        assert_eq!(written.items, 12);
        let mut journal = OpJournal::default();
        journal.push_written(&written);
        journal.push_written(&OpWriter::new(op::COUNT).finish());
        assert_eq!(journal.op(0), Some(expected));
        assert_eq!(
            journal.op(1),
            Some(Value::List(vec![Value::Str("count".into())]))
        );
        assert_eq!(journal.part(1, 1, None), r#"{"batch":1,"ops":[1,"count"]}"#);
        let mut targets = OpWriter::reusing(b"stale".to_vec(), op::GET);
        targets.target_handle(7);
        targets.target_slot(0);
        targets.target_slot(4);
        assert_eq!(targets.finish().json, br#"["get",7,-1,-5]"#);
    }

    #[test]
    fn well_known_names_go_by_index_and_read_back() {
        let mut writer = OpWriter::new(op::CALL);
        writer.target_handle(2);
        writer.name("append");
        writer.int(0);
        writer.name("appendAll");
        let written = writer.finish();
        assert_eq!(written.json, br#"["call",2,3,0,"appendAll"]"#);
        let mut journal = OpJournal::default();
        journal.push_written(&written);
        let Some(Value::List(items)) = journal.op(0) else {
            panic!("the operation reads back as a list");
        };
        assert_eq!(name_operand(&items[2]), Some("append"));
        assert_eq!(name_operand(&items[4]), Some("appendAll"));
        let past_the_end = Value::Int(WELL_KNOWN_NAMES.len().to_string());
        assert_eq!(name_operand(&past_the_end), None);
        assert_eq!(name_operand(&Value::Int("-1".into())), None);
        // Sorted and without repeats: each name has one index.
        for (index, name) in WELL_KNOWN_NAMES.iter().enumerate() {
            assert_eq!(well_known_name(name), Some(index), "{name}");
        }
        assert!(WELL_KNOWN_NAMES.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
