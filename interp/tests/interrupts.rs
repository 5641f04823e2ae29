//! `KeyboardInterrupt` in code that never waits, prints nor calls the page, through both
//! kinds of checks of `Runtime::watch_for_interrupts` (the rewrite of the user's code and
//! the `sys.monitoring` callback), against the fake host.
//!
//! Each script asks the fake page to set the interrupt flag (`sync.interrupt_me()`) right
//! before its loop, as the page's `worker.interrupt()` sets it while a worker is busy: the
//! checks take it at a look inside the loop (a loop that ran to its end instead would
//! finish the script and the test would fail).

use rustpy_interp::{InterruptChecks, ScriptOutcome};

#[path = "support/fake_host.rs"]
mod fake_host;
#[path = "support/fake_page.rs"]
mod fake_page;

use fake_host::{FakeHost, run_ok, runtime};

/// Both kinds of checks.
const BOTH: [InterruptChecks; 2] = [InterruptChecks::InUserCode, InterruptChecks::Everywhere];

/// A runtime watching for interrupts with the checks `how` names.
fn watching_runtime(how: InterruptChecks) -> (std::rc::Rc<FakeHost>, rustpy_interp::Runtime) {
    let (host, rt) = runtime();
    rt.watch_for_interrupts(how)
        .expect("the interrupt checks install");
    (host, rt)
}

/// The first line of every script: the page is asked to interrupt the worker.
const ARM: &str = "from pyscript import sync; sync.interrupt_me()\n";

/// Runs [`ARM`] then `script` as `loops.py` and returns the traceback it failed with.
fn traceback_of(rt: &rustpy_interp::Runtime, script: &str) -> String {
    match rt
        .run_script(&format!("{ARM}{script}"), "loops.py", 1)
        .unwrap()
    {
        ScriptOutcome::Failed(traceback) => traceback,
        outcome => panic!("the script was not interrupted: {outcome:?}"),
    }
}

/// The traceback names `KeyboardInterrupt` and, as its last frame, `loops.py` at the
/// loop's `line` of the script (after [`ARM`]) or the line below (the loop's body).
fn assert_interrupted_at(traceback: &str, line: usize) {
    assert!(
        traceback.contains("KeyboardInterrupt: interrupted by the page"),
        "{traceback}"
    );
    let last_frame = traceback
        .lines()
        .rfind(|l| l.trim_start().starts_with("File "))
        .unwrap_or_default();
    let named = |n: usize| last_frame.contains(&format!("line {}", n + 1));
    assert!(
        last_frame.contains("\"loops.py\"") && (named(line) || named(line + 1)),
        "the innermost frame is not loops.py at the loop on line {line}:\n{traceback}"
    );
}

#[test]
fn a_while_true_pass_loop_is_interrupted_at_its_line() {
    for how in BOTH {
        let (host, rt) = watching_runtime(how);
        let traceback = traceback_of(&rt, "x = 1\nwhile True:\n    pass\nprint('finished')");
        assert_interrupted_at(&traceback, 2);
        assert!(host.stdout().is_empty());
        assert!(!*host.interrupt.borrow(), "the request was taken");
        run_ok(&host, &rt, "print('after', x)");
        assert_eq!(host.stdout(), vec!["after 1"], "globals survive");
    }
}

#[test]
fn a_for_loop_over_a_huge_range_is_interrupted() {
    for how in BOTH {
        let (_host, rt) = watching_runtime(how);
        let traceback = traceback_of(
            &rt,
            "for i in range(10**12):\n    x = i * i\nprint('finished')",
        );
        assert!(traceback.contains("KeyboardInterrupt"), "{traceback}");
        assert!(traceback.contains("\"loops.py\""), "{traceback}");
    }
}

#[test]
fn recursion_without_loops_is_interrupted_at_a_call() {
    for how in BOTH {
        let (_host, rt) = watching_runtime(how);
        let traceback = traceback_of(
            &rt,
            "def walk(depth):\n    if depth == 0:\n        return 1\n    return walk(depth - 1) + walk(depth - 1) * 2\nwalk(60)\nprint('finished')",
        );
        assert!(traceback.contains("KeyboardInterrupt"), "{traceback}");
        assert!(traceback.contains("in walk"), "{traceback}");
    }
}

#[test]
fn comprehensions_and_generators_are_interrupted() {
    for how in BOTH {
        for script in [
            "[i * i for i in range(10**12)]",
            "{i: i for i in range(10**12)}",
            "sum(i * i for i in range(10**12))",
        ] {
            let (_host, rt) = watching_runtime(how);
            let traceback = traceback_of(&rt, &format!("{script}\nprint('finished')"));
            assert_interrupted_at(&traceback, 1);
        }
    }
}

#[test]
fn loops_in_exec_code_and_imported_modules_are_interrupted() {
    for how in BOTH {
        let (_host, rt) = watching_runtime(how);
        let traceback = traceback_of(
            &rt,
            "exec('def spin():\\n    while True:\\n        pass\\n')\nspin()\nprint('finished')",
        );
        assert!(traceback.contains("in spin"), "{traceback}");

        let (_host, rt) = watching_runtime(how);
        // A module of the user's, imported through a finder of the user's; the interrupt is
        // asked for once the module is imported (importing importlib runs loops too).
        let script = "import sys, _frozen_importlib\n\
             class Source:\n    \
                 def find_spec(self, name, path, target=None):\n        \
                     return _frozen_importlib.spec_from_loader(name, self) if name == 'usermod' else None\n    \
                 def create_module(self, spec):\n        \
                     return None\n    \
                 def exec_module(self, module):\n        \
                     exec(compile('def spin():\\n    while True:\\n        pass\\n', 'usermod.py', 'exec'), module.__dict__)\n\
             sys.meta_path.insert(0, Source())\n\
             import usermod\n\
             from pyscript import sync\n\
             sync.interrupt_me()\n\
             usermod.spin()\n\
             print('finished')";
        let ScriptOutcome::Failed(traceback) = rt.run_script(script, "loops.py", 1).unwrap() else {
            panic!("the module's loop was not interrupted");
        };
        assert!(
            traceback.contains("KeyboardInterrupt") && traceback.contains("usermod.py"),
            "{traceback}"
        );
    }
}

#[test]
fn the_user_catches_it_and_goes_on() {
    for how in BOTH {
        let (host, rt) = watching_runtime(how);
        run_ok(
            &host,
            &rt,
            "from pyscript import sync\ncount = 0\nsync.interrupt_me()\ntry:\n    while True:\n        count += 1\nexcept KeyboardInterrupt as e:\n    print('caught', type(e).__name__, count > 0)\nprint('went on')",
        );
        assert_eq!(
            host.stdout(),
            vec!["caught KeyboardInterrupt True", "went on"]
        );
    }
}

#[test]
fn monitoring_leaves_the_interrupt_in_rustpy_code_to_the_users_code() {
    let (_host, rt) = watching_runtime(InterruptChecks::Everywhere);
    // A loop compiled as one of rustpy's own files runs to its end; the next user code
    // takes the interrupt.
    let traceback = traceback_of(
        &rt,
        "exec(compile('for i in range(5000):\\n    pass\\n', '_rustpy_fake.py', 'exec'))\nwhile True:\n    pass",
    );
    assert_interrupted_at(&traceback, 2);
}

#[test]
fn without_the_watch_a_loop_runs_on() {
    let (host, rt) = runtime();
    *host.interrupt.borrow_mut() = true;
    run_ok(&host, &rt, "for i in range(10000):\n    pass");
    assert!(*host.interrupt.borrow(), "nothing looked at the flag");
}
