//! Runs one case of a Python file in a bare RustPython 0.6.0 interpreter, for callgrind:
//! `CASE=loop interrupt-check-floor py/call.py`. The file's `CASE` is replaced by the
//! case's name. `_rp` is a native function that looks at an atomic flag (the check a
//! rewrite would call); with `MON=1` the same check is registered with `sys.monitoring` for
//! `JUMP` and `PY_START`, as rustpy's `interrupts: "everywhere"` does.

use std::sync::atomic::{AtomicU32, Ordering};

use rustpython_vm::{Interpreter, PyResult, VirtualMachine, compiler::Mode, function::FuncArgs};

static FLAG: AtomicU32 = AtomicU32::new(0);

fn check(vm: &VirtualMachine) -> PyResult<()> {
    if FLAG.load(Ordering::Relaxed) != 0 {
        return Err(vm.new_runtime_error("interrupted"));
    }
    Ok(())
}

const MONITORING: &str = "import sys
m = sys.monitoring
m.use_tool_id(4, 'floor')
m.register_callback(4, m.events.JUMP, _rp_mon)
m.register_callback(4, m.events.PY_START, _rp_mon)
m.set_events(4, m.events.JUMP | m.events.PY_START)
";

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: CASE=<fib|loop|strings|churn|none> [MON=1] interrupt-check-floor FILE");
        std::process::exit(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    };
    let case = std::env::var("CASE").unwrap_or_default();
    let source = source.replace("CASE", &format!("{case:?}"));
    let status = Interpreter::without_stdlib(Default::default()).enter(|vm| {
        let scope = vm.new_scope_with_builtins();
        let run = |code: &str, name: &str| -> Result<(), String> {
            let code = vm
                .compile(code, Mode::Exec, name)
                .map_err(|error| format!("{error:?}"))?;
            vm.run_code_obj(code, scope.clone()).map(drop).map_err(|exc| {
                let mut text = String::new();
                let _ = vm.write_exception(&mut text, &exc);
                text
            })
        };
        let set_up = || -> PyResult<()> {
            vm.builtins.set_attr("_rp", vm.new_function("_rp", check), vm)?;
            let on_event = vm.new_function("_rp_mon", |_: FuncArgs, vm: &VirtualMachine| check(vm));
            vm.builtins.set_attr("_rp_mon", on_event, vm)
        };
        set_up().map_err(|_| "setting up the builtins failed".to_string())?;
        if std::env::var_os("MON").is_some() {
            run(MONITORING, "monitoring")?;
        }
        run(&source, &path)
    });
    if let Err(error) = status {
        eprintln!("{error}");
        std::process::exit(1);
    }
}
