//! The interpreter against a fake host: output, clocks, scripts, errors, top-level await
//! and the modules every rustpy script may import.

use std::rc::Rc;

use rustpy_interp::{Runtime, ScriptOutcome, Value};

#[path = "support/fake_host.rs"]
mod fake_host;
#[path = "support/fake_page.rs"]
mod fake_page;

use fake_host::{FakeHost, drain_timers, run_ok, runtime};

#[test]
fn print_goes_to_stdout_line_by_line() {
    let (host, rt) = runtime();
    let outcome = rt
        .run_script(
            "print('hello', 42)\nprint('a\\nb')\nprint('tail', end='')",
            "main.py",
            1,
        )
        .unwrap();
    assert_eq!(outcome, ScriptOutcome::Finished);
    assert_eq!(host.stdout(), vec!["hello 42", "a", "b", "tail"]);
}

#[test]
fn stderr_is_separate() {
    let (host, rt) = runtime();
    rt.run_script("import sys\nprint('oops', file=sys.stderr)", "main.py", 1)
        .unwrap();
    assert_eq!(host.stderr(), "oops");
    assert!(host.stdout().is_empty());
}

#[test]
fn exception_gives_traceback_with_file_and_line() {
    let (_host, rt) = runtime();
    let outcome = rt.run_script("x = 1\n1/0\n", "worker.py", 1).unwrap();
    let ScriptOutcome::Failed(traceback) = outcome else {
        panic!("expected failure, got {outcome:?}")
    };
    assert!(
        traceback.starts_with("Traceback (most recent call last):"),
        "{traceback}"
    );
    assert!(
        traceback.contains("File \"worker.py\", line 2"),
        "{traceback}"
    );
    assert!(traceback.contains("ZeroDivisionError"), "{traceback}");
    assert!(!traceback.contains("_rustpy_runner"), "{traceback}");
}

#[test]
fn syntax_error_names_file_and_line() {
    let (_host, rt) = runtime();
    let outcome = rt
        .run_script("a = 1\nb = (\nprint(a\n", "bad.py", 1)
        .unwrap();
    let ScriptOutcome::Failed(traceback) = outcome else {
        panic!("expected failure, got {outcome:?}")
    };
    assert!(traceback.contains("SyntaxError"), "{traceback}");
    assert!(traceback.contains("bad.py"), "{traceback}");
    assert!(traceback.contains("line "), "{traceback}");
}

#[test]
fn scripts_share_main_namespace() {
    let (host, rt) = runtime();
    rt.run_script("shared = 41", "a.py", 1).unwrap();
    rt.run_script("print(shared + 1)", "b.py", 2).unwrap();
    assert_eq!(host.stdout(), vec!["42"]);
}

#[test]
fn time_comes_from_the_host() {
    let (host, rt) = runtime();
    rt.run_script(
        "import time\nt0 = time.monotonic()\ntime.sleep(1.5)\nprint(round(time.monotonic() - t0, 3))\nprint(int(time.time()))",
        "main.py",
        1,
    )
    .unwrap();
    assert_eq!(*host.slept.borrow(), vec![1.5]);
    assert_eq!(
        host.stdout(),
        vec!["1.5".to_string(), "1700000001".to_string()]
    );
}

#[test]
fn negative_sleep_is_a_value_error() {
    let (_host, rt) = runtime();
    let outcome = rt
        .run_script("import time\ntime.sleep(-1)", "main.py", 1)
        .unwrap();
    assert!(
        matches!(outcome, ScriptOutcome::Failed(ref tb) if tb.contains("ValueError")),
        "{outcome:?}"
    );
}

#[test]
fn top_level_await_runs_on_host_timers() {
    let (host, rt) = runtime();
    let outcome = rt
        .run_script(
            "import asyncio\nprint('before')\nawait asyncio.sleep(0.25)\nprint('after')\n\
             r = await asyncio.gather(asyncio.sleep(0.1, result=1), asyncio.sleep(0.2, result=2))\nprint(r)",
            "main.py",
            7,
        )
        .unwrap();
    assert_eq!(outcome, ScriptOutcome::Pending);
    drain_timers(&host, &rt);
    assert_eq!(host.stdout(), vec!["before", "after", "[1, 2]"]);
    assert_eq!(*host.finished.borrow(), vec![(7, None)]);
    assert!(*host.now_ms.borrow() >= 450.0);
}

#[test]
fn top_level_await_failure_is_reported_with_traceback() {
    let (host, rt) = runtime();
    let outcome = rt
        .run_script(
            "import asyncio\nawait asyncio.sleep(0)\nraise ValueError('late')",
            "t.py",
            3,
        )
        .unwrap();
    assert_eq!(outcome, ScriptOutcome::Pending);
    drain_timers(&host, &rt);
    let finished = host.finished.borrow();
    let (id, Some(traceback)) = &finished[0] else {
        panic!("expected an error, got {finished:?}")
    };
    assert_eq!(*id, 3);
    assert!(traceback.contains("File \"t.py\", line 3"), "{traceback}");
    assert!(traceback.contains("ValueError: late"), "{traceback}");
}

#[test]
fn asyncio_sees_the_running_loop_and_tasks_run() {
    let (host, rt) = runtime();
    let outcome = rt
        .run_script(
            "import asyncio\nloop = asyncio.get_running_loop()\n\
             async def tick(n):\n    await asyncio.sleep(0.01)\n    print('tick', n)\n\
             t = loop.create_task(tick(1))\nprint('scheduled', type(loop).__name__)",
            "main.py",
            1,
        )
        .unwrap();
    assert_eq!(outcome, ScriptOutcome::Finished, "{}", host.stderr());
    drain_timers(&host, &rt);
    assert_eq!(host.stdout(), vec!["scheduled HostEventLoop", "tick 1"]);
}

#[test]
fn asyncio_run_explains_itself() {
    let (_host, rt) = runtime();
    let outcome = rt
        .run_script(
            "import asyncio\nasync def f(): pass\nasyncio.run(f())",
            "main.py",
            1,
        )
        .unwrap();
    let ScriptOutcome::Failed(traceback) = outcome else {
        panic!("expected failure, got {outcome:?}")
    };
    assert!(traceback.contains("top level"), "{traceback}");
}

/// Every module the foundation promises imports, and each does something real.
#[test]
fn promised_modules_import_and_work() {
    let (host, rt) = runtime();
    let script = r#"
import sys, math, json, re, random, collections, itertools, functools, operator, datetime
import time, string, textwrap, dataclasses, typing, enum, abc, copy, heapq, bisect
import statistics, decimal, fractions, base64, hashlib, html, urllib.parse, io
import contextlib, traceback, os

@dataclasses.dataclass
class Point:
    x: int
    y: int

class Color(enum.Enum):
    RED = 1

checks = [
    math.isclose(math.sqrt(2) ** 2, 2),
    json.loads(json.dumps({"a": [1, 2.5, None]})) == {"a": [1, 2.5, None]},
    re.findall(r"\d+", "a1b22c333") == ["1", "22", "333"],
    0 <= random.random() < 1 and len({random.randint(0, 10**9) for _ in range(5)}) > 1,
    collections.Counter("abca")["a"] == 2,
    list(itertools.islice(itertools.count(3), 2)) == [3, 4],
    functools.reduce(operator.add, [1, 2, 3]) == 6,
    datetime.date(2024, 2, 29).isoformat() == "2024-02-29",
    datetime.datetime.now().year >= 2023,
    string.ascii_lowercase[:3] == "abc",
    textwrap.wrap("aaa bbb ccc", 7) == ["aaa bbb", "ccc"],
    Point(1, 2) == Point(1, 2),
    typing.get_type_hints(Point) == {"x": int, "y": int},
    Color(1) is Color.RED,
    isinstance([], collections.abc.Sequence),
    copy.deepcopy({"a": [1]}) == {"a": [1]},
    heapq.nsmallest(2, [5, 1, 3]) == [1, 3],
    bisect.bisect([1, 2, 4], 3) == 2,
    statistics.median([3, 1, 2]) == 2,
    decimal.Decimal("0.1") + decimal.Decimal("0.2") == decimal.Decimal("0.3"),
    fractions.Fraction(1, 3) * 3 == 1,
    base64.b64decode(base64.b64encode(b"rustpy")) == b"rustpy",
    hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf"),
    html.escape("<a>") == "&lt;a&gt;",
    urllib.parse.urlparse("https://x.org/p?q=1").query == "q=1",
    io.StringIO("x").read() == "x",
    "ZeroDivisionError" in "".join(traceback.format_exception_only(ZeroDivisionError("z"))),
    len(os.urandom(8)) == 8,
    os.path.join("a", "b") == "a/b",
    os.getcwd() == "/home/rustpy",
    os.fspath("p") == "p",
]
with contextlib.suppress(KeyError):
    {}["missing"]
print(checks)
print(all(checks))
"#;
    let outcome = rt.run_script(script, "modules.py", 1).unwrap();
    assert_eq!(
        outcome,
        ScriptOutcome::Finished,
        "stderr: {}",
        host.stderr()
    );
    assert_eq!(
        host.stdout().last().map(String::as_str),
        Some("True"),
        "{:?}",
        host.stdout()
    );
}

#[test]
fn missing_module_is_a_normal_import_error() {
    let (_host, rt) = runtime();
    let outcome = rt.run_script("import tkinter", "main.py", 1).unwrap();
    assert!(
        matches!(outcome, ScriptOutcome::Failed(ref tb) if tb.contains("ModuleNotFoundError") && tb.contains("tkinter")),
        "{outcome:?}"
    );
}

#[test]
fn os_refuses_process_calls_clearly() {
    let (host, rt) = runtime();
    rt.run_script(
        "import os\ntry:\n    os.pipe()\nexcept OSError as e:\n    print(e.errno, 'browser' in str(e))",
        "main.py",
        1,
    )
    .unwrap();
    assert_eq!(host.stdout(), vec!["38 True"]);
}

#[test]
fn sync_calls_convert_values_both_ways() {
    let (host, rt) = runtime();
    let outcome = rt
        .run_script(
            "import math\nfrom pyscript import sync, JsException\n\
             back = sync.echo(None, True, 2**70, -0.0, float('nan'), 'é', b'\\x00', (1, [2]), {'k': 3.5})\n\
             print(back[:3], math.copysign(1, back[3]), math.isnan(back[4]), back[5:])\n\
             try:\n    sync.boom()\nexcept JsException as e:\n    print('raised', e.name, e)\n\
             try:\n    sync.missing()\nexcept AttributeError as e:\n    print('missing', e)\n\
             try:\n    sync.echo(object())\nexcept TypeError as e:\n    print('type error', e)",
            "w.py",
            1,
        )
        .unwrap();
    assert_eq!(outcome, ScriptOutcome::Finished, "{}", host.stderr());
    let out = host.stdout();
    assert_eq!(
        out[0],
        "[None, True, 1180591620717411303424] -1.0 True ['é', b'\\x00', [1, [2]], {'k': 3.5}]"
    );
    assert_eq!(out[1], "raised TypeError TypeError: boom");
    assert!(
        out[2].starts_with("missing ") && out[2].contains("worker.sync.missing"),
        "{out:?}"
    );
    assert!(
        out[3].contains("object") && out[3].contains("sync.echo"),
        "{out:?}"
    );
    // The object that cannot cross never reached the page.
    assert_eq!(host.sync_calls.borrow().len(), 3);
}

#[test]
fn exports_are_listed_and_called_sync_and_async() {
    let (host, rt) = runtime();
    let script = "import asyncio\nfrom pyscript import sync\n\
                  def add(a, b):\n    return a + b\n\
                  async def later(x):\n    await asyncio.sleep(0.01)\n    return x * 2\n\
                  def fails():\n    raise ValueError('nope')\n\
                  sync.shout = lambda s: s.upper()\n\
                  sync.doubled = later\n\
                  sync.raises = fails\n\
                  sync.opaque = lambda: object()\n\
                  __export__ = ['add', 'later', 'fails']";
    assert_eq!(
        rt.run_script(script, "w.py", 1).unwrap(),
        ScriptOutcome::Finished
    );
    assert_eq!(
        rt.exported_names().unwrap(),
        vec![
            "add", "later", "fails", "shout", "doubled", "raises", "opaque"
        ]
    );
    let int = |n: &str| Value::Int(n.into());
    rt.call_export(1, "add", &Value::List(vec![int("2"), int("3")]))
        .unwrap();
    rt.call_export(2, "shout", &Value::List(vec![Value::Str("hi".into())]))
        .unwrap();
    rt.call_export(3, "later", &Value::List(vec![int("21")]))
        .unwrap();
    rt.call_export(4, "fails", &Value::List(vec![])).unwrap();
    rt.call_export(5, "nothing", &Value::List(vec![])).unwrap();
    // Functions set on `pyscript.sync` are called by the runtime itself: the same outcomes.
    rt.call_export(6, "doubled", &Value::List(vec![int("4")]))
        .unwrap();
    rt.call_export(7, "raises", &Value::List(vec![])).unwrap();
    rt.call_export(8, "opaque", &Value::List(vec![])).unwrap();
    drain_timers(&host, &rt);
    let results = host.export_results.borrow();
    let by_id = |id: u64| {
        results
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, r)| r.clone())
            .unwrap()
    };
    assert_eq!(by_id(1), Ok(int("5")));
    assert_eq!(by_id(2), Ok(Value::Str("HI".into())));
    assert_eq!(by_id(3), Ok(int("42")));
    let failed = by_id(4).unwrap_err();
    assert!(
        failed.contains("ValueError: nope") && failed.contains("w.py"),
        "{failed}"
    );
    assert!(
        by_id(5)
            .unwrap_err()
            .contains("exports no function 'nothing'")
    );
    assert_eq!(by_id(6), Ok(int("8")));
    let raised = by_id(7).unwrap_err();
    assert!(
        raised.contains("ValueError: nope") && raised.contains("w.py"),
        "{raised}"
    );
    let opaque = by_id(8).unwrap_err();
    assert!(
        opaque.contains("TypeError") && opaque.contains("object"),
        "{opaque}"
    );
}

#[test]
fn page_operations_answer_now_or_settle_later() {
    let (host, rt) = runtime();
    let script = "import _rustpy_page\nprint(_rustpy_page.op('now', 1, 'two'))\n\
                  later = await _rustpy_page.op('later', 3)\nprint('settled', later)";
    assert_eq!(
        rt.run_script(script, "main.py", 9).unwrap(),
        ScriptOutcome::Pending
    );
    drain_timers(&host, &rt);
    assert_eq!(host.stdout(), vec!["[1, 'two']"]);
    rt.settle_request(1, Ok(Value::Str("done".into()))).unwrap();
    drain_timers(&host, &rt);
    assert_eq!(host.stdout(), vec!["[1, 'two']", "settled done"]);
    assert_eq!(*host.finished.borrow(), vec![(9, None)]);
}

#[test]
fn page_held_functions_are_called_back() {
    let (host, rt) = runtime();
    let script = "import _rustpy_page\nfid = _rustpy_page.register_function(lambda a, b: a * b)";
    assert_eq!(
        rt.run_script(script, "main.py", 1).unwrap(),
        ScriptOutcome::Finished
    );
    rt.call_function(
        5,
        1,
        &Value::List(vec![Value::Int("6".into()), Value::Int("7".into())]),
    )
    .unwrap();
    assert_eq!(
        *host.export_results.borrow(),
        vec![(5, Ok(Value::Int("42".into())))]
    );
}

#[test]
fn py_worker_checks_its_type() {
    let (host, rt) = runtime();
    *host.on_page.borrow_mut() = true;
    let outcome = rt
        .run_script(
            "from pyscript import PyWorker\nPyWorker('w.py', type='pyodide')",
            "main.py",
            1,
        )
        .unwrap();
    assert!(
        matches!(outcome, ScriptOutcome::Failed(ref tb)
            if tb.contains("ValueError: PyWorker type must be one of 'rustpy'")
                && tb.contains("not 'pyodide'")),
        "{outcome:?}"
    );
    assert!(host.page_ops.borrow().is_empty(), "no worker was asked for");
}

#[test]
fn a_worker_cannot_start_a_py_worker() {
    let (_host, rt) = runtime();
    let outcome = rt
        .run_script(
            "from pyscript import PyWorker\nPyWorker('w.py', type='rustpy')",
            "main.py",
            1,
        )
        .unwrap();
    assert!(
        matches!(outcome, ScriptOutcome::Failed(ref tb) if tb.contains("NotImplementedError")),
        "{outcome:?}"
    );
}

#[test]
fn ffi_proxies_read_write_and_keep_identity() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import document, window\n\
         print(document.title)\n\
         document.title = 'changed'\n\
         print(document.title, document.body is document.body, window.document is document)\n\
         print(hasattr(document, 'nope'), repr(document))\n\
         try:\n    document.nope\nexcept AttributeError as e:\n    print('AttributeError', e)\n\
         el = document.createElement('div')\n\
         el._id = 'mine'\n\
         print(el._id, hasattr(el, '__dict__'))\n",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "fake",
            "changed True True",
            "False <JsProxy Fake: [object Fake]>",
            "AttributeError the JS object has no attribute \"nope\"",
            // Names like `_id` are the JS object's (a proxy keeps its own state natively).
            "mine False"
        ]
    );
}

#[test]
fn ffi_methods_are_called_in_one_round_trip_once_known() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import document\n\
         body = document.body\n\
         for i in range(3):\n    el = document.createElement('div')\n    el.textContent = str(i)\n    body.append(el)\n\
         print(len(body), [c.textContent for c in body])\n",
    );
    assert_eq!(host.stdout(), vec!["3 ['0', '1', '2']"]);
    assert_eq!(host.page.body_texts(), vec!["0", "1", "2"]);
    let before = *host.page.requests.borrow();
    run_ok(
        &host,
        &rt,
        "el = document.createElement('p')\nbody.append(el)",
    );
    // createElement and append are known methods now: one request each.
    assert_eq!(*host.page.requests.borrow() - before, 2);
}

#[test]
fn ffi_js_errors_raise_js_exception_with_name_and_message() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import document, JsException\n\
         try:\n    document.querySelector('##')\nexcept JsException as e:\n    print(e.name, '|', e)\n\
         print(document.title)\n",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "SyntaxError | SyntaxError: '##' is not a valid selector",
            "fake"
        ]
    );
}

#[test]
fn ffi_handles_are_released_when_proxies_die() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import document, ffi\n\
         start = ffi.live_handles()\n\
         for i in range(3000):\n    el = document.createElement('div')\n\
         del el\n\
         print(ffi.live_handles() - start)\n\
         print(start)\n",
    );
    // live_handles() sends the releases still queued (they go in batches of 512) before it
    // counts: every handle of the 3000 dead proxies is given back, exactly.
    let leaked: i64 = host.stdout()[0].parse().unwrap();
    assert_eq!(leaked, 0, "handles leaked of 3000");
    let before: usize = host.stdout()[1].parse().unwrap();
    assert_eq!(
        host.page.live_handles(),
        before,
        "the page holds what it held before the loop, no more"
    );
}

/// A runtime whose `__main__` has `document`, `batch` and `body = document.body`.
fn batch_runtime() -> (Rc<FakeHost>, Runtime) {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import document, batch\nbody = document.body\n",
    );
    (host, rt)
}

/// A script adding `rows` `div`s with text to `body` in one batch (`el`: the last).
fn rows_in_a_batch(rows: usize) -> String {
    format!(
        "with batch():\n\
         \x20   for i in range({rows}):\n\
         \x20       el = document.createElement('div')\n\
         \x20       el.textContent = f'row {{i}}'\n\
         \x20       body.append(el)\n"
    )
}

/// A script with a batch appending `before` `b`s, failing (`querySelector('##')`), then
/// `after` `c`s; it prints the exception.
fn failing_batch(before: usize, after: usize) -> String {
    format!(
        "try:\n\
         \x20   with batch():\n\
         \x20       for i in range({before}):\n\
         \x20           body.append(document.createElement('b'))\n\
         \x20       document.querySelector('##')\n\
         \x20       for i in range({after}):\n\
         \x20           body.append(document.createElement('c'))\n\
         except Exception as e:\n\
         \x20   print(type(e).__name__, e)\n"
    )
}

/// Results nobody held were not handed out (only `el` of the last row is alive).
fn assert_few_handles(host: &FakeHost) {
    let live = host.page.live_handles();
    assert!(live < 10, "{live} live handles");
}

#[test]
fn ffi_batch_sends_one_request_and_names_failures() {
    let (host, rt) = batch_runtime();
    run_ok(&host, &rt, "document.createElement('i')\n");
    let before = *host.page.requests.borrow();
    run_ok(&host, &rt, &rows_in_a_batch(50));
    assert_eq!(*host.page.requests.borrow() - before, 1);
    assert_eq!(host.page.body_texts().len(), 50);
    assert_eq!(host.page.body_texts()[49], "row 49");
    assert_few_handles(&host);
    run_ok(&host, &rt, &failing_batch(1, 1));
    // 7 operations: each `body.append(...)` reads `append` (its argument's createElement
    // comes between the read and the call, so the read is queued on its own) and applies it.
    assert_eq!(
        host.stdout(),
        vec![
            "JsException operation 4 of 7 in the batch (call 'querySelector') failed: \
             SyntaxError: '##' is not a valid selector"
        ]
    );
    assert_eq!(host.page.body_texts().len(), 51);
    // A method read, kept, and called after other operations is a `get` then an `apply` of
    // its slot: the failure still names the method.
    run_ok(
        &host,
        &rt,
        "try:\n\
         \x20   with batch():\n\
         \x20       q = document.querySelector\n\
         \x20       body.append(document.createElement('i'))\n\
         \x20       q('##')\n\
         except Exception as e:\n\
         \x20   print(type(e).__name__, e)\n",
    );
    let printed = host.stdout();
    assert!(
        printed[1].starts_with("JsException operation ")
            && printed[1].contains("in the batch (call 'querySelector') failed: SyntaxError"),
        "{printed:?}"
    );
}

#[test]
fn ffi_long_batches_go_in_parts_and_fail_at_the_end() {
    let (host, rt) = batch_runtime();
    let before = *host.page.requests.borrow();
    // 3 operations per row (createElement, set, append): 1500 rows are 4500 operations.
    run_ok(
        &host,
        &rt,
        &(rows_in_a_batch(1500) + "print(el.textContent)\n"),
    );
    let parts = 4500 / rustpy_bridge::ffi::BATCH_PART_OPS;
    assert_eq!(
        *host.page.parts.borrow(),
        vec![rustpy_bridge::ffi::BATCH_PART_OPS; parts]
    );
    assert_eq!(
        *host.page.requests.borrow() - before,
        2,
        "the end, then the read"
    );
    assert_eq!(host.page.body_texts().len(), 1500);
    assert_eq!(host.stdout(), vec!["row 1499"]);
    assert_few_handles(&host);
    // A failure in an early part stops the batch there and is reported at the end, with
    // its place counted from the batch's first operation.
    run_ok(&host, &rt, &failing_batch(10, 1000));
    assert_eq!(
        host.stdout()[1],
        "JsException operation 31 of 3031 in the batch (call 'querySelector') failed: \
         SyntaxError: '##' is not a valid selector"
    );
    assert_eq!(host.page.body_texts().len(), 1510);
    // A block that raises after parts went out sends no end; the next batch starts afresh.
    run_ok(
        &host,
        &rt,
        "try:\n\
         \x20   with batch():\n\
         \x20       for i in range(600):\n\
         \x20           body.append(document.createElement('d'))\n\
         \x20       raise ValueError('stop')\n\
         except ValueError:\n\
         \x20   pass\n\
         with batch():\n\
         \x20   el = document.createElement('e')\n\
         \x20   el.textContent = 'after'\n\
         \x20   body.append(el)\n\
         print(el.textContent)\n",
    );
    assert_eq!(host.stdout()[2], "after");
    let texts = host.page.body_texts();
    assert_eq!(texts.last().map(String::as_str), Some("after"));
}

#[test]
fn ffi_batch_parts_find_a_busy_page_and_go_later_without_waiting() {
    let (host, rt) = batch_runtime();
    // The first two tries find the page busy with a previous part: the operations stay
    // queued and go with the next try, a quarter part later; nothing is lost or reordered.
    *host.page.busy.borrow_mut() = 2;
    run_ok(
        &host,
        &rt,
        &(rows_in_a_batch(1500) + "print(el.textContent)\n"),
    );
    let part = rustpy_bridge::ffi::BATCH_PART_OPS;
    let parts = host.page.parts.borrow().clone();
    assert_eq!(parts[0], part + 2 * (part / 4), "{parts:?}");
    assert!(parts[1..].iter().all(|&ops| ops == part), "{parts:?}");
    assert_eq!(*host.page.busy.borrow(), 0);
    let texts = host.page.body_texts();
    let expected: Vec<String> = (0..1500).map(|i| format!("row {i}")).collect();
    assert_eq!(texts, expected);
    assert_eq!(host.stdout(), vec!["row 1499"]);
    assert_few_handles(&host);
}

#[test]
fn ffi_batch_calls_an_attribute_of_a_placeholder_in_one_operation() {
    let (host, rt) = batch_runtime();
    host.page.ops.borrow_mut().clear();
    run_ok(
        &host,
        &rt,
        "with batch():\n\
         \x20   for i in range(3):\n\
         \x20       tr = document.createElement('tr')\n\
         \x20       td = document.createElement('td')\n\
         \x20       td.textContent = f'cell {i}'\n\
         \x20       tr.append(td)\n\
         \x20       body.append(tr)\n",
    );
    let ops = host.page.ops.borrow().clone();
    // createElement x2, set, and one `call` per `x.append(...)`: no `get` + `apply` pair.
    let row = ["call", "call", "set", "call", "call"];
    assert_eq!(ops.len(), 3 * row.len(), "{ops:?}");
    for chunk in ops.chunks(row.len()) {
        assert_eq!(chunk, row, "{ops:?}");
    }
    assert_eq!(host.page.body_texts().len(), 3);
    // A held attribute read still reads when its value is used (at once, as an operand, or
    // at the end), kept callables keep working, and a read followed by another operation
    // keeps its place.
    run_ok(
        &host,
        &rt,
        "with batch():\n\
         \x20   title = document.title\n\
         \x20   append = body.append\n\
         \x20   append(document.createElement('i'))\n\
         \x20   append(document.createElement('b'))\n\
         \x20   before = document.title\n\
         \x20   document.title = 'changed'\n\
         print(title, before, document.title, len(body))\n\
         with batch():\n\
         \x20   el = document.createElement('p')\n\
         \x20   el.textContent = document.title\n\
         \x20   body.append(el)\n\
         print(el.textContent)\n\
         try:\n\
         \x20   with batch():\n\
         \x20       lost = document.title\n\
         \x20       raise ValueError('stop')\n\
         except ValueError:\n\
         \x20   print(repr(lost))\n",
    );
    assert_eq!(
        host.stdout(),
        vec!["fake fake changed 5", "changed", "None"]
    );
}

#[test]
fn ffi_batch_placeholders_python_dropped_are_reused_without_mixing_up_results() {
    let (host, rt) = batch_runtime();
    run_ok(
        &host,
        &rt,
        "import weakref\n\
         kept, watched = [], []\n\
         with batch():\n\
         \x20   for i in range(3000):\n\
         \x20       el = document.createElement('div')\n\
         \x20       el.textContent = f'row {i}'\n\
         \x20       result = body.append(el)\n\
         \x20       if i % 700 == 0:\n\
         \x20           kept.append(el)\n\
         \x20           watched.append(weakref.ref(result))\n\
         print([el.textContent for el in kept], len(body))\n\
         print([ref() for ref in watched])\n\
         print(document.createElement is document.createElement)\n",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "['row 0', 'row 700', 'row 1400', 'row 2100', 'row 2800'] 3000",
            // A placeholder with a weak reference to it is not reused: it died.
            "[None, None, None, None, None]",
            // A method read again is the same object (JS gives the same function).
            "True",
        ]
    );
    assert_few_handles(&host);
}

#[test]
fn pyscript_config_and_current_target_come_from_the_host() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import config, current_target, RUNNING_IN_WORKER\n\
         print(config['answer'], current_target(), RUNNING_IN_WORKER)",
    );
    assert_eq!(host.stdout(), vec!["42 fake-target True"]);
}

#[test]
fn sync_timeouts_raise_timeout_error_naming_the_function() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import sync\n\
         try:\n    sync.slow(1, timeout=0.5)\nexcept TimeoutError as e:\n    print(type(e).__name__, e)",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "TimeoutError the page did not answer sync.slow() within 0.5 s (raise `timeout=` or \
             `sync_timeout` in the worker's config)"
        ]
    );
}

#[test]
fn an_interrupt_raises_keyboard_interrupt_at_the_next_output() {
    let (host, rt) = runtime();
    *host.interrupt.borrow_mut() = true;
    let outcome = rt
        .run_script("for i in range(10):\n    print(i)", "loop.py", 1)
        .unwrap();
    let ScriptOutcome::Failed(traceback) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(
        traceback.contains("KeyboardInterrupt: interrupted by the page"),
        "{traceback}"
    );
    assert!(host.stdout().is_empty(), "{:?}", host.stdout());
    // The flag was consumed: the interpreter keeps working.
    run_ok(&host, &rt, "print('after')");
    assert_eq!(host.stdout(), vec!["after"]);
}

#[test]
fn input_asks_the_page_in_a_worker() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "print('before')\nanswer = input('name? ')\nprint(answer)",
    );
    assert_eq!(
        host.stdout(),
        vec!["before", "typed after List([Str(\"name? \")])"]
    );
}

#[test]
fn stdlib_outside_the_boot_image_loads_on_first_import_in_one_request() {
    let (host, rt) = runtime();
    rt.run_script("import pyscript", "boot.py", 1).unwrap();
    assert_eq!(
        *host.library_loads.borrow(),
        Vec::<String>::new(),
        "pyscript is in the boot image"
    );
    let outcome = rt
        .run_script(
            "import json\nprint(json.loads(json.dumps({'a': [1, 2.5, None]})))\n\
         import json.decoder, re\nprint(re.sub('b+', '-', 'abbbc'))",
            "lazy.py",
            2,
        )
        .unwrap();
    assert_eq!(outcome, ScriptOutcome::Finished);
    assert_eq!(host.stderr(), "");
    assert_eq!(host.stdout(), vec!["{'a': [1, 2.5, None]}", "a-c"]);
    // json's file carries what json imports (re among them): one load for all of it.
    assert_eq!(*host.library_loads.borrow(), vec!["json.bin".to_string()]);
    // asyncio's bundle, then the module that installs rustpy's loop, alone: its own bundle
    // would be asyncio again.
    rt.run_script("import asyncio", "lazy.py", 3).unwrap();
    assert_eq!(host.stderr(), "");
    assert_eq!(
        host.library_loads.borrow()[1..],
        ["asyncio.bin", "one/_rustpy_loop.bin"]
    );
}

#[test]
fn a_library_file_that_cannot_be_loaded_is_a_clear_import_error() {
    let (host, rt) = runtime();
    *host.library_unreachable.borrow_mut() = true;
    let ScriptOutcome::Failed(err) = rt.run_script("import json", "lazy.py", 1).unwrap() else {
        panic!("the import must fail");
    };
    assert!(err.contains("ImportError"), "{err}");
    assert!(
        err.contains("rustpy could not load the stdlib module 'json'"),
        "{err}"
    );
    assert!(err.contains("HTTP status 404"), "{err}");
    // Fixed later (e.g. the file became reachable): the next import works.
    *host.library_unreachable.borrow_mut() = false;
    rt.run_script("import json\nprint(json.dumps([1]))", "lazy.py", 2)
        .unwrap();
    assert_eq!(host.stdout(), vec!["[1]"]);
}

#[test]
fn integers_of_any_size_cross_exactly() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "def huge():\n    return -(3**50000)\ndef is_it(n):\n    return n == -(3**50000) and n - 1 < n\n__export__ = ['huge', 'is_it']",
    );
    rt.call_export(1, "huge", &Value::List(vec![])).unwrap();
    let out = host.export_results.borrow()[0].1.clone();
    let Ok(Value::Int(digits)) = out else {
        panic!("huge() gave {out:?}");
    };
    assert_eq!(digits.len(), 23_857 + 1, "every digit and the sign");
    rt.call_export(2, "is_it", &Value::List(vec![Value::Int(digits)]))
        .unwrap();
    assert_eq!(
        host.export_results.borrow()[1],
        (2, Ok(Value::Bool(true))),
        "the digits came back as the same int, past int()'s 4 300-digit guard"
    );
}

#[test]
fn circular_values_and_lone_surrogates_fail_clearly() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "def circular():\n    a = [1]\n    a.append({'back': a})\n    return a\ndef surrogate():\n    return {'k': 'a\\ud800b'}\ndef shared():\n    x = [1]\n    return [x, x, (x,)]\n__export__ = ['circular', 'surrogate', 'shared']",
    );
    for (id, name) in [(1, "circular"), (2, "surrogate"), (3, "shared")] {
        rt.call_export(id, name, &Value::List(vec![])).unwrap();
    }
    let results = host.export_results.borrow();
    let error = |index: usize| match &results[index].1 {
        Err(traceback) => traceback.clone(),
        Ok(value) => panic!("{value:?} crossed"),
    };
    assert!(
        error(0).contains("ValueError") && error(0).contains("a list that contains itself"),
        "{}",
        error(0)
    );
    assert!(
        error(1).contains("ValueError") && error(1).contains("lone surrogate"),
        "{}",
        error(1)
    );
    let one = || Value::List(vec![Value::Int("1".into())]);
    assert_eq!(
        results[2].1,
        Ok(Value::List(vec![one(), one(), Value::List(vec![one()])])),
        "the same list twice is not a cycle"
    );
}

#[test]
fn ffi_batch_calls_with_spread_arguments_as_with_plain_ones() {
    // `f(*[...])` with a list made RustPython read the held `p.append` first (the batch went
    // to the page and the read came back as an inherited method), and the call then failed
    // with "a _Method cannot be passed to JavaScript".
    let (host, rt) = batch_runtime();
    host.page.ops.borrow_mut().clear();
    run_ok(
        &host,
        &rt,
        "with batch():\n\
         \x20   p = document.createElement('p')\n\
         \x20   p.append(*[document.createElement('i')])\n\
         \x20   f = p.append\n\
         \x20   f(*['text'])\n\
         \x20   p.append(*(document.createElement('b'),))\n\
         \x20   body.append(*[p])\n\
         f(*['after the batch'])\n\
         print('appended')\n",
    );
    assert_eq!(host.stdout(), vec!["appended"]);
    let ops = host.page.ops.borrow().clone();
    assert!(!ops.contains(&"apply".to_string()), "{ops:?}");
}
