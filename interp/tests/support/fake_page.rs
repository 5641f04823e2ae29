//! A fake page for the FFI: a tiny object graph that answers `rustpy_bridge::ffi`
//! requests the way `web/shared/handle-table.js` does, so the Python side (proxies,
//! identity, handle releases, batches, errors) is tested natively.
//!
//! Objects: `window` (global, has `document`), `document` (has `title`, `body`, the
//! methods `createElement` and `querySelector`) and elements (`textContent`, the method
//! `append`). Element class id 2, document 1.
//!
//! Where it differs from `web/shared/handle-table.js` (tests must not rely on these):
//! - `querySelector` always throws a `SyntaxError` (as a browser does for `"##"`): there is
//!   no selector engine;
//! - `bool` is true for every object (as for the browser's elements and documents, which
//!   have no `length` or `size`; a real empty `NodeList` or array is false);
//! - errors carry a JS error name and message but no stack, and a released handle is a
//!   `RuntimeError` without the page's longer explanation.
#![allow(dead_code)] // each test binary uses part of it

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use rustpy_bridge::ffi::{BatchPart, JsFailure, JsReply, op, split_ops};
use rustpy_bridge::{JsRef, Value};
use rustpy_interp::PartSent;

#[derive(Clone, Debug, PartialEq)]
enum Slot {
    Plain(Value),
    Object(usize),
    /// A method read from an object, bound to it (what `get` gives a batch slot).
    Method(usize, String),
}

#[derive(Default)]
struct Object {
    class: u32,
    props: BTreeMap<String, Slot>,
    children: Vec<usize>,
}

/// The fake page's state.
pub struct FakePage {
    objects: RefCell<Vec<Object>>,
    /// handle -> (object index, references handed out)
    handles: RefCell<HashMap<u64, (usize, u64)>>,
    by_object: RefCell<HashMap<usize, u64>>,
    next_handle: RefCell<u64>,
    /// How many requests were answered (round trips).
    pub requests: RefCell<usize>,
    /// The name of every operation run, in order.
    pub ops: RefCell<Vec<String>>,
    /// The number of operations in each batch part received without a reply (`js_send`).
    pub parts: RefCell<Vec<usize>>,
    /// How many of the next parts find the page busy with the previous one (not taken).
    pub busy: RefCell<usize>,
    /// The batch whose parts are arriving.
    batch: RefCell<Option<OpenBatch>>,
}

/// A batch whose parts are arriving: its number, its results so far, its first failure.
type OpenBatch = (u64, Vec<Slot>, Option<JsReply>);

const WINDOW: usize = 0;
const DOCUMENT: usize = 1;
const BODY: usize = 2;

fn failure(index: usize, name: &str, message: String, python: Option<&str>) -> JsReply {
    JsReply::Err(JsFailure {
        index,
        name: name.into(),
        message,
        python: python.map(str::to_string),
    })
}

impl Default for FakePage {
    /// A page with `window`, `document` and an empty `body`.
    fn default() -> Self {
        let page = Self {
            objects: RefCell::default(),
            handles: RefCell::default(),
            by_object: RefCell::default(),
            next_handle: RefCell::new(1),
            requests: RefCell::default(),
            ops: RefCell::default(),
            parts: RefCell::default(),
            busy: RefCell::default(),
            batch: RefCell::default(),
        };
        {
            let mut objects = page.objects.borrow_mut();
            let mut window = Object::default();
            window
                .props
                .insert("document".into(), Slot::Object(DOCUMENT));
            objects.push(window);
            let mut document = Object {
                class: 1,
                ..Object::default()
            };
            document
                .props
                .insert("title".into(), Slot::Plain(Value::Str("fake".into())));
            document.props.insert("body".into(), Slot::Object(BODY));
            objects.push(document);
            objects.push(Object {
                class: 2,
                ..Object::default()
            });
        }
        page
    }
}

impl FakePage {
    /// The number of live handles.
    pub fn live_handles(&self) -> usize {
        self.handles.borrow().len()
    }

    /// The `textContent` of the body's children, in order.
    pub fn body_texts(&self) -> Vec<String> {
        let objects = self.objects.borrow();
        objects[BODY]
            .children
            .iter()
            .map(|&child| match objects[child].props.get("textContent") {
                Some(Slot::Plain(Value::Str(text))) => text.clone(),
                _ => String::new(),
            })
            .collect()
    }

    /// Gives back references, as `FromWorker::Release` does.
    pub fn release(&self, flat: &[u64]) {
        let mut handles = self.handles.borrow_mut();
        for pair in flat.chunks(2) {
            let [handle, count] = pair else { continue };
            if let Some(entry) = handles.get_mut(handle) {
                entry.1 = entry.1.saturating_sub(*count);
                if entry.1 == 0 {
                    let (object, _) = handles.remove(handle).unwrap_or_default();
                    self.by_object.borrow_mut().remove(&object);
                }
            }
        }
    }

    fn export(&self, object: usize) -> Value {
        let existing = self.by_object.borrow().get(&object).copied();
        let id = match existing {
            Some(id) => {
                if let Some(entry) = self.handles.borrow_mut().get_mut(&id) {
                    entry.1 += 1;
                }
                id
            }
            None => {
                let id = *self.next_handle.borrow();
                *self.next_handle.borrow_mut() += 1;
                self.handles.borrow_mut().insert(id, (object, 1));
                self.by_object.borrow_mut().insert(object, id);
                id
            }
        };
        Value::Js(JsRef {
            id,
            class: self.objects.borrow()[object].class,
            callable: false,
        })
    }

    fn resolve(&self, value: &Value, results: &[Slot]) -> Result<Slot, String> {
        match value {
            Value::Js(js) => self
                .handles
                .borrow()
                .get(&js.id)
                .map(|(object, _)| Slot::Object(*object))
                .ok_or_else(|| format!("handle {} was released", js.id)),
            Value::Slot(index) => results
                .get(*index as usize)
                .cloned()
                .ok_or_else(|| format!("no slot {index}")),
            other => Ok(Slot::Plain(other.clone())),
        }
    }

    /// An operation's target: a reference, or a bare number (a handle when positive, slot
    /// `-n - 1` when negative; `rustpy_bridge::ffi::op`).
    fn resolve_target(&self, value: &Value, results: &[Slot]) -> Result<Slot, String> {
        let Value::Int(digits) = value else {
            return self.resolve(value, results);
        };
        let number: i64 = digits.parse().map_err(|_| format!("bad target {digits}"))?;
        let reference = if number > 0 {
            Value::Js(JsRef {
                id: number as u64,
                class: 0,
                callable: false,
            })
        } else {
            Value::Slot((-(number + 1)) as u32)
        };
        self.resolve(&reference, results)
    }

    fn reply_value(&self, slot: &Slot) -> Value {
        match slot {
            Slot::Plain(value) => value.clone(),
            Slot::Object(object) => self.export(*object),
            Slot::Method(..) => Value::Method,
        }
    }

    /// Answers one JSON request: a list of operations, or the last part of a batch.
    pub fn answer(&self, request: &str) -> String {
        *self.requests.borrow_mut() += 1;
        let reply = if request.starts_with('{') {
            match BatchPart::decode(request.as_bytes()) {
                Ok(part) => self.run_part(part),
                Err(error) => failure(0, "Error", format!("bad batch part {error}"), None),
            }
        } else {
            match Value::decode(request.as_bytes()) {
                Ok(Value::List(ops)) => {
                    let mut results = Vec::new();
                    match self.run(&ops, &mut results) {
                        Some(failed) => failed,
                        None => {
                            JsReply::Ok(results.iter().map(|slot| self.reply_value(slot)).collect())
                        }
                    }
                }
                other => failure(0, "Error", format!("bad request {other:?}"), None),
            }
        };
        serde_json::to_string(&reply).expect("replies serialise")
    }

    /// Runs a batch part sent without waiting (`PageLink::js_send`), unless the page is `busy`.
    pub fn receive_part(&self, part: &str) -> PartSent {
        if *self.busy.borrow() > 0 {
            *self.busy.borrow_mut() -= 1;
            return PartSent::PageBusy;
        }
        let part = BatchPart::decode(part.as_bytes()).expect("a well-formed batch part");
        let ops = split_ops(&part.ops).map_or(0, |ops| ops.len());
        self.parts.borrow_mut().push(ops);
        assert!(
            part.want.is_none(),
            "a part sent without waiting wants no results"
        );
        self.run_part(part);
        PartSent::Sent
    }

    /// Runs a part of a batch; answers the batch's end when the part wants results.
    fn run_part(&self, part: BatchPart) -> JsReply {
        let mut batch = self.batch.borrow_mut();
        if batch
            .as_ref()
            .is_none_or(|(number, ..)| *number != part.batch)
        {
            *batch = Some((part.batch, Vec::new(), None));
        }
        let Some((_, results, failed)) = batch.as_mut() else {
            unreachable!("set above")
        };
        if failed.is_none() {
            *failed = self.run(&part.ops, results);
        }
        let Some(want) = part.want else {
            return JsReply::Ok(Vec::new());
        };
        let (_, results, failed) = batch.take().expect("set above");
        failed.unwrap_or_else(|| {
            JsReply::Ok(
                want.iter()
                    .map(|&index| {
                        results
                            .get(index)
                            .map_or(Value::None, |slot| self.reply_value(slot))
                    })
                    .collect(),
            )
        })
    }

    /// Runs `ops`, appending their results to `results` (slots count from its start); the
    /// first failure, if any.
    fn run(&self, flat: &[Value], results: &mut Vec<Slot>) -> Option<JsReply> {
        let ops = match split_ops(flat) {
            Ok(ops) => ops,
            Err(message) => return Some(failure(results.len(), "Error", message, None)),
        };
        for parts in ops {
            let index = results.len();
            match self.run_op(parts, results) {
                Ok(slot) => results.push(slot),
                Err((name, message, python)) => {
                    return Some(failure(index, &name, message, python));
                }
            }
        }
        None
    }

    /// A tree operation's element (`rustpy_bridge::ffi::op::TREE`), as `makeTree` in
    /// `web/shared/tree.js` makes it, within what the fake's elements have: texts
    /// appended to an element with other changes are dropped (as its `append` drops
    /// them), and the changes that need `classList`, `style`, `addEventListener`,
    /// `insertAdjacentHTML` or another method fail as reading that attribute does.
    fn make_tree(
        &self,
        spec: &Value,
        results: &[Slot],
    ) -> Result<Slot, (String, String, Option<&'static str>)> {
        use rustpy_bridge::ffi::tree_change;
        let malformed = || {
            (
                "TypeError".to_string(),
                "a tree operation's spec is [tag, change...]".to_string(),
                Some("TypeError"),
            )
        };
        let Value::List(items) = spec else {
            return Err(malformed());
        };
        if !matches!(items.first(), Some(Value::Str(_))) {
            return Err(malformed());
        }
        let element = {
            let mut objects = self.objects.borrow_mut();
            objects.push(Object {
                class: 2,
                ..Object::default()
            });
            objects.len() - 1
        };
        let missing = |name: &str| {
            (
                "AttributeError".to_string(),
                format!("the JS object has no attribute {name:?}"),
                Some("AttributeError"),
            )
        };
        let only_text = items.len() == 2;
        for item in &items[1..] {
            let child = match item {
                Value::Str(text) if only_text => {
                    self.objects.borrow_mut()[element]
                        .props
                        .insert("textContent".into(), Slot::Plain(Value::Str(text.clone())));
                    continue;
                }
                Value::Str(_) => continue,
                Value::List(change) => {
                    let kind = match change.first() {
                        Some(Value::Str(_)) => {
                            if let Slot::Object(child) = self.make_tree(item, results)? {
                                self.objects.borrow_mut()[element].children.push(child);
                            }
                            continue;
                        }
                        Some(Value::Int(kind)) => kind.parse::<u8>().unwrap_or(0),
                        _ => return Err(malformed()),
                    };
                    match kind {
                        tree_change::SET => {
                            let name = match change.get(1) {
                                Some(Value::Str(name)) => name.clone(),
                                _ => return Err(malformed()),
                            };
                            let value = self
                                .resolve(change.get(2).unwrap_or(&Value::None), results)
                                .map_err(|m| ("ReferenceError".to_string(), m, None))?;
                            self.objects.borrow_mut()[element].props.insert(name, value);
                            continue;
                        }
                        tree_change::TEXT => match change.get(1) {
                            Some(node @ (Value::Js(_) | Value::Slot(_))) => node.clone(),
                            _ => continue,
                        },
                        tree_change::HTML => return Err(missing("insertAdjacentHTML")),
                        tree_change::CLASS_ADD | tree_change::CLASS_REMOVE => {
                            return Err(missing("classList"));
                        }
                        tree_change::STYLE | tree_change::UNSTYLE => return Err(missing("style")),
                        tree_change::LISTEN => return Err(missing("addEventListener")),
                        _ => return Err(missing("a method")),
                    }
                }
                node => node.clone(),
            };
            if let Ok(Slot::Object(child)) = self.resolve(&child, results) {
                self.objects.borrow_mut()[element].children.push(child);
            }
        }
        Ok(Slot::Object(element))
    }

    fn run_op(
        &self,
        parts: &[Value],
        results: &[Slot],
    ) -> Result<Slot, (String, String, Option<&'static str>)> {
        let text = |value: Option<&Value>| match value {
            Some(Value::Str(text)) => text.clone(),
            _ => String::new(),
        };
        let op = text(parts.first());
        // An attribute's name: a string, or an index into the well-known names.
        let name_at = |index: usize| {
            parts
                .get(index)
                .and_then(rustpy_bridge::ffi::name_operand)
                .unwrap_or_default()
                .to_string()
        };
        self.ops.borrow_mut().push(op.clone());
        let target = || -> Result<usize, (String, String, Option<&'static str>)> {
            match parts.get(1).map(|v| self.resolve_target(v, results)) {
                Some(Ok(Slot::Object(object))) => Ok(object),
                Some(Err(message)) => Err(("ReferenceError".into(), message, None)),
                _ => Err(("TypeError".into(), "not an object".into(), None)),
            }
        };
        // A `call`'s arguments are inline after its `refs` mask (bit `i`: argument `i` is a
        // bare-number reference); an `apply`'s are a list.
        // An argument that does not resolve (a released handle) fails the operation, as
        // `web/shared/handle-table.js` does.
        let arguments = || -> Result<Vec<Slot>, (String, String, Option<&'static str>)> {
            let released = |message| ("RuntimeError".to_string(), message, None);
            match (op.as_str(), parts.get(3), parts.last()) {
                ("call", Some(Value::Int(refs)), _) => {
                    let refs: i64 = refs.parse().unwrap_or(0);
                    parts[4..]
                        .iter()
                        .enumerate()
                        .map(|(index, item)| {
                            if rustpy_bridge::ffi::is_call_ref(refs, index) {
                                self.resolve_target(item, results)
                            } else {
                                self.resolve(item, results)
                            }
                            .map_err(released)
                        })
                        .collect()
                }
                (_, _, Some(Value::List(items))) => items
                    .iter()
                    .map(|item| self.resolve(item, results).map_err(released))
                    .collect(),
                _ => Ok(Vec::new()),
            }
        };
        match op.as_str() {
            op::GLOBAL => Ok(Slot::Object(WINDOW)),
            op::COUNT => Ok(Slot::Plain(Value::Int(self.live_handles().to_string()))),
            op::GET => {
                let object = target()?;
                let name = name_at(2);
                let class = self.objects.borrow()[object].class;
                let is_method = matches!(
                    (class, name.as_str()),
                    (1, "createElement" | "querySelector") | (2, "append")
                );
                if is_method {
                    return Ok(Slot::Method(object, name));
                }
                self.objects.borrow()[object]
                    .props
                    .get(&name)
                    .cloned()
                    .ok_or_else(|| {
                        (
                            "AttributeError".into(),
                            format!("the JS object has no attribute {name:?}"),
                            Some("AttributeError"),
                        )
                    })
            }
            op::SET => {
                let object = target()?;
                let name = name_at(2);
                let value = parts
                    .get(3)
                    .map(|v| self.resolve(v, results))
                    .transpose()
                    .map_err(|m| ("ReferenceError".to_string(), m, None))?
                    .unwrap_or(Slot::Plain(Value::None));
                self.objects.borrow_mut()[object].props.insert(name, value);
                Ok(Slot::Plain(Value::None))
            }
            op::CALL | op::APPLY => {
                let (object, name) = if op == "apply" {
                    match parts.get(1).map(|v| self.resolve_target(v, results)) {
                        Some(Ok(Slot::Method(object, name))) => (object, name),
                        _ => return Err(("TypeError".into(), "not a function".into(), None)),
                    }
                } else {
                    (target()?, name_at(2))
                };
                match name.as_str() {
                    "createElement" => {
                        let mut objects = self.objects.borrow_mut();
                        objects.push(Object {
                            class: 2,
                            ..Object::default()
                        });
                        Ok(Slot::Object(objects.len() - 1))
                    }
                    "append" => {
                        for child in arguments()? {
                            if let Slot::Object(child) = child {
                                self.objects.borrow_mut()[object].children.push(child);
                            }
                        }
                        Ok(Slot::Plain(Value::None))
                    }
                    "querySelector" => Err((
                        "SyntaxError".into(),
                        "'##' is not a valid selector".into(),
                        None,
                    )),
                    _ => Err((
                        "TypeError".into(),
                        format!("{name} is not a function"),
                        None,
                    )),
                }
            }
            op::LEN => {
                let object = target()?;
                let count = self.objects.borrow()[object].children.len();
                Ok(Slot::Plain(Value::Int(count.to_string())))
            }
            op::ITER => {
                let object = target()?;
                let children = self.objects.borrow()[object].children.clone();
                Ok(Slot::Plain(Value::List(
                    children.into_iter().map(|c| self.export(c)).collect(),
                )))
            }
            op::STR => Ok(Slot::Plain(Value::Str("[object Fake]".into()))),
            op::DESCRIBE => Ok(Slot::Plain(Value::List(vec![
                Value::Str("Fake".into()),
                Value::Str("[object Fake]".into()),
            ]))),
            op::BOOL => Ok(Slot::Plain(Value::Bool(true))),
            op::TREE => self.make_tree(parts.get(1).unwrap_or(&Value::None), results),
            other => Err((
                "TypeError".into(),
                format!("fake page: no op {other}"),
                None,
            )),
        }
    }
}
