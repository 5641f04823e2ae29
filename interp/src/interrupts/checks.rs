//! The native side of [`InterruptChecks::InUserCode`](super::InterruptChecks::InUserCode):
//! the builtins the rewritten code calls (`transform.rs`), and the `compile`, `exec` and
//! `eval` that rewrite the user's source before compiling it.
//!
//! rustpy's `compile` first calls the original one, so the user gets its errors, warnings
//! and audit events unchanged; only code that compiled is parsed again, rewritten and
//! compiled from the rewritten tree with the same options (the future features are those
//! the original code object carries). Source the rewrite cannot take (an AST object, bytes
//! that are not UTF-8 or declare another encoding) keeps the original code object, without
//! checks. `exec` and `eval` of a string compile it through rustpy's `compile` and hand the
//! code object on, unless the string runs under a `__builtins__` of its own that lacks the
//! check builtins; checked code run there gets them lent.
//! All three are native, so the original `exec` and `eval` see the caller's frame, as
//! they would have.

use std::cell::RefCell;

use rustpython_vm::{
    PyObjectRef, PyResult, VirtualMachine,
    builtins::{PyByteArray, PyBytes, PyCode, PyDict, PyStr},
    compiler::{CompileOpts, Mode, core::bytecode::CodeFlags},
    function::FuncArgs,
};

use super::transform::{CHECK, FOREVER, ITERATE, add_interrupt_checks};

pub(crate) use _rustpy_interrupts::module_def;

/// The builtins rustpy replaces, as they were.
struct Originals {
    compile: PyObjectRef,
    exec: PyObjectRef,
    eval: PyObjectRef,
}

thread_local! {
    static ORIGINALS: RefCell<Option<Originals>> = const { RefCell::new(None) };
}

/// `compile()`'s flag for top-level `await` and for an interactive statement's dedent, as
/// CPython numbers them.
const PYCF_ALLOW_TOP_LEVEL_AWAIT: i32 = 0x2000;
const PYCF_DONT_IMPLY_DEDENT: i32 = 0x200;

/// Puts the check builtins and rustpy's `compile`, `exec` and `eval` into `builtins`.
pub(super) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let builtins = &vm.builtins;
    let module = vm.import("_rustpy_interrupts", 0)?;
    let original = |name: &'static str| builtins.get_attr(name, vm);
    let originals = Originals {
        compile: original("compile")?,
        exec: original("exec")?,
        eval: original("eval")?,
    };
    ORIGINALS.with(|slot| *slot.borrow_mut() = Some(originals));
    for (builtin, name) in [
        (CHECK, "check"),
        (ITERATE, "iterate"),
        (FOREVER, "forever"),
        ("compile", "compile"),
        ("exec", "exec"),
        ("eval", "eval"),
    ] {
        builtins.set_attr(builtin, module.get_attr(name, vm)?, vm)?;
    }
    Ok(())
}

/// One of the replaced builtins.
fn original(pick: fn(&Originals) -> &PyObjectRef, vm: &VirtualMachine) -> PyResult {
    ORIGINALS.with(|slot| {
        slot.borrow()
            .as_ref()
            .map(|originals| pick(originals).clone())
            .ok_or_else(|| vm.new_runtime_error("rustpy: the interrupt checks are not installed"))
    })
}

/// The argument at `position`, or the keyword `name`.
fn argument<'a>(args: &'a FuncArgs, position: usize, name: &str) -> Option<&'a PyObjectRef> {
    args.args.get(position).or_else(|| args.kwargs.get(name))
}

/// An `int` argument, or `default` when absent (the original `compile` has checked it).
fn int_argument(
    args: &FuncArgs,
    position: usize,
    name: &str,
    default: i32,
    vm: &VirtualMachine,
) -> i32 {
    argument(args, position, name)
        .and_then(|value| value.try_to_value::<i32>(vm).ok())
        .unwrap_or(default)
}

/// The text of `source` if the rewrite can take it: a `str`, or UTF-8 bytes.
fn source_text(source: &PyObjectRef) -> Option<String> {
    if let Some(text) = source.downcast_ref::<PyStr>() {
        return text.to_str().map(str::to_owned);
    }
    let bytes: Vec<u8> = if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        bytes.as_bytes().to_vec()
    } else if let Some(bytes) = source.downcast_ref::<PyByteArray>() {
        bytes.borrow_buf().to_vec()
    } else {
        return None;
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = String::from_utf8(bytes.to_vec()).ok()?;
    declares_utf8(&text).then_some(text)
}

/// Whether `source` is UTF-8 by its own word: no PEP 263 coding declaration in its first
/// two lines, or one naming UTF-8 (bytes in another declared encoding keep the original
/// code: decoding them as UTF-8 would change their string literals).
fn declares_utf8(source: &str) -> bool {
    source.lines().take(2).all(|line| {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            return true;
        };
        let Some(at) = comment.find("coding").map(|at| at + "coding".len()) else {
            return true;
        };
        let Some(name) = comment[at..].strip_prefix([':', '=']) else {
            return true;
        };
        let name: String = name
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect::<String>()
            .to_ascii_lowercase()
            .replace('_', "-");
        name == "utf-8" || name == "utf8" || name.starts_with("utf-8-")
    })
}

/// `compile()` with the interrupt checks: see the module documentation.
fn compile_checked(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let compiled = original(|o| &o.compile, vm)?.call(args.clone(), vm)?;
    let Some(code) = compiled.downcast_ref::<PyCode>() else {
        return Ok(compiled); // an AST (PyCF_ONLY_AST)
    };
    let Some(source) = argument(&args, 0, "source").and_then(source_text) else {
        return Ok(compiled);
    };
    let mode = argument(&args, 2, "mode")
        .and_then(|mode| mode.downcast_ref::<PyStr>())
        .and_then(|mode| mode.to_str());
    let mode = match mode {
        Some("exec") => Mode::Exec,
        Some("eval") => Mode::Eval,
        Some("single") => Mode::Single,
        _ => return Ok(compiled),
    };
    let flags = int_argument(&args, 3, "flags", 0, vm);
    let optimize = match int_argument(&args, 5, "optimize", -1, vm) {
        level @ 0..=2 => level as u8,
        _ => vm.state.config.settings.optimize.min(2),
    };
    let opts = CompileOpts {
        optimize,
        allow_top_level_await: flags & PYCF_ALLOW_TOP_LEVEL_AWAIT != 0,
        future_features: code.flags & CodeFlags::FUTURE_MASK,
        dont_imply_dedent: flags & PYCF_DONT_IMPLY_DEDENT != 0,
        ..vm.compile_opts()
    };
    let path = code.source_path().as_str().to_owned();
    match checked_code(&source, &path, mode, opts) {
        Some(checked) => Ok(PyCode::new_ref_from_bytecode(vm, checked).into()),
        None => Ok(compiled),
    }
}

/// `source` parsed, rewritten with the checks and compiled; `None` if that fails where the
/// original compiler did not (the original code object is then used as it is).
fn checked_code(
    source: &str,
    path: &str,
    mode: Mode,
    opts: CompileOpts,
) -> Option<rustpython_vm::compiler::CodeObject> {
    let parse_mode = match mode {
        Mode::Eval => ruff_python_parser::Mode::Expression,
        _ => ruff_python_parser::Mode::Module,
    };
    let parsed =
        ruff_python_parser::parse(source, ruff_python_parser::ParseOptions::from(parse_mode))
            .ok()?;
    let mut tree = parsed.into_syntax();
    add_interrupt_checks(&mut tree);
    let file = ruff_source_file::SourceFileBuilder::new(path, source).finish();
    rustpython_vm::compiler::codegen::compile::compile_top(tree, file, mode, opts).ok()
}

/// The `__builtins__` that `globals` brings of its own, if it is a dict that has one
/// (`None`: the caller's globals, or the interpreter's builtins, which hold the checks).
fn own_builtins(globals: Option<&PyObjectRef>, vm: &VirtualMachine) -> Option<PyObjectRef> {
    globals
        .and_then(|g| g.downcast_ref::<PyDict>())
        .and_then(|g| g.get_item_opt("__builtins__", vm).ok().flatten())
}

/// Whether code run with `globals` finds the check builtins: not when `globals` brings
/// builtins of its own without them (`namedtuple` evaluates its `__new__` with
/// `{"__builtins__": {}}`); such a string runs without checks.
fn sees_the_checks(globals: Option<&PyObjectRef>, vm: &VirtualMachine) -> bool {
    let Some(builtins) = own_builtins(globals, vm) else {
        return true;
    };
    match builtins.downcast_ref::<PyDict>() {
        Some(names) => matches!(names.get_item_opt(CHECK, vm), Ok(Some(_))),
        None => matches!(vm.get_attribute_opt(&builtins, CHECK), Ok(Some(_))),
    }
}

/// Code rustpy compiled with checks, run with `globals` whose own `__builtins__` dict
/// lacks them: the check builtins are added to that dict, so the code finds them (the
/// checks go where the code goes; nothing else of the builtins is added).
fn lend_the_checks(
    code: &PyCode,
    globals: Option<&PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let checked = code
        .code
        .names
        .iter()
        .any(|name| [CHECK, ITERATE, FOREVER].contains(&name.as_str()));
    if !checked || sees_the_checks(globals, vm) {
        return Ok(());
    }
    let Some(own) = own_builtins(globals, vm).and_then(|b| b.downcast::<PyDict>().ok()) else {
        return Ok(());
    };
    for name in [CHECK, ITERATE, FOREVER] {
        own.set_item(name, vm.builtins.get_attr(name, vm)?, vm)?;
    }
    Ok(())
}

/// `exec()`/`eval()` with a string compiled through [`compile_checked`] (`eval` drops
/// leading spaces and tabs first, as it does itself).
fn run_checked(mut args: FuncArgs, mode: &'static str, vm: &VirtualMachine) -> PyResult {
    let run = if mode == "eval" {
        original(|o| &o.eval, vm)?
    } else {
        original(|o| &o.exec, vm)?
    };
    let source = args.args.first().cloned();
    if let Some(code) = source.as_ref().and_then(|s| s.downcast_ref::<PyCode>()) {
        lend_the_checks(code, args.args.get(1), vm)?;
    }
    let Some(source) = source.filter(|s| {
        s.downcast_ref::<PyStr>().is_some()
            || s.downcast_ref::<PyBytes>().is_some()
            || s.downcast_ref::<PyByteArray>().is_some()
    }) else {
        return run.call(args, vm);
    };
    if !sees_the_checks(args.args.get(1), vm) {
        return run.call(args, vm);
    }
    let source = if mode != "eval" {
        source
    } else if let Some(text) = source
        .downcast_ref::<PyStr>()
        .and_then(|text| text.to_str())
    {
        vm.ctx.new_str(text.trim_start_matches([' ', '\t'])).into()
    } else if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        let start = bytes
            .as_bytes()
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        vm.ctx.new_bytes(bytes.as_bytes()[start..].to_vec()).into()
    } else {
        source
    };
    let compile_args = FuncArgs::from(vec![
        source,
        vm.ctx.new_str("<string>").into(),
        vm.ctx.new_str(mode).into(),
    ]);
    let code = compile_checked(compile_args, vm)?;
    args.args[0] = code;
    run.call(args, vm)
}

#[rustpython_vm::pymodule]
mod _rustpy_interrupts {
    use rustpython_vm::pyclass;
    use rustpython_vm::{
        Py, PyObjectRef, PyPayload, PyResult, VirtualMachine,
        function::FuncArgs,
        object::{Traverse, TraverseFn},
        protocol::{PyIter, PyIterReturn},
        types::{IterNext, Iterable, SelfIter},
    };

    /// `__rustpy_check__()`: one check (at the top of a function or an `async for` body).
    #[pyfunction]
    fn check(vm: &VirtualMachine) -> PyResult<()> {
        super::super::check(vm)
    }

    /// `__rustpy_iterate__(iterable)`: the items of `iterable`, one check each.
    #[pyfunction]
    fn iterate(iterable: PyIter) -> Iterating {
        Iterating { inner: iterable }
    }

    /// `__rustpy_forever__`: endless empty tuples, one check each.
    #[pyattr]
    fn forever(vm: &VirtualMachine) -> PyObjectRef {
        Forever.into_pyobject(vm)
    }

    /// `compile()` that adds the interrupt checks to the code it compiles.
    #[pyfunction]
    fn compile(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        super::compile_checked(args, vm)
    }

    /// `exec()` that adds the interrupt checks to a string it compiles.
    #[pyfunction]
    fn exec(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        super::run_checked(args, "exec", vm)
    }

    /// `eval()` that adds the interrupt checks to a string it compiles.
    #[pyfunction]
    fn eval(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        super::run_checked(args, "eval", vm)
    }

    /// An iterator handing on another's items, one check each.
    #[pyattr]
    #[pyclass(module = "_rustpy_interrupts", name = "iterating", traverse = "manual")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct Iterating {
        inner: PyIter,
    }

    // SAFETY: visits the one Python object an `Iterating` owns.
    unsafe impl Traverse for Iterating {
        fn traverse(&self, traverse_fn: &mut TraverseFn<'_>) {
            self.inner.traverse(traverse_fn);
        }
    }

    #[pyclass(with(IterNext, Iterable))]
    impl Iterating {}

    impl SelfIter for Iterating {}

    impl IterNext for Iterating {
        fn next(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyIterReturn> {
            super::super::check(vm)?;
            zelf.inner.next(vm)
        }
    }

    /// The endless iterator of empty tuples a rewritten `while` loop turns on.
    #[pyattr]
    #[pyclass(module = "_rustpy_interrupts", name = "forever_iterator")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct Forever;

    #[pyclass(with(IterNext, Iterable))]
    impl Forever {}

    impl SelfIter for Forever {}

    impl IterNext for Forever {
        fn next(_zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyIterReturn> {
            super::super::check(vm)?;
            Ok(PyIterReturn::Return(vm.ctx.empty_tuple.clone().into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::declares_utf8;

    #[test]
    fn coding_declarations_are_read_as_pep_263_says() {
        assert!(declares_utf8("x = 1\n"));
        assert!(declares_utf8("# -*- coding: utf-8 -*-\nx = 1\n"));
        assert!(declares_utf8(
            "#!/usr/bin/env python\n# vim: set fileencoding=UTF8 :\n"
        ));
        assert!(!declares_utf8("# -*- coding: latin-1 -*-\nx = 1\n"));
        assert!(!declares_utf8("#!/usr/bin/env python\n# coding=cp1252\n"));
        assert!(declares_utf8(
            "x = 1\ny = 2\n# coding: latin-1 (a third line is not read)\n"
        ));
    }
}
