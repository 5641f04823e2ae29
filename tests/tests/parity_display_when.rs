//! `display`/`HTML` and `when`/`Event` behave as PyScript's (issue 23), on the main thread
//! and in a worker, on the pages of `tests/pages/parity/`: each page runs the same Python
//! cases in a main-thread tag (ids prefixed `m-`) and a worker tag (`w-`). The tests read
//! the markup `display` left in the page's DOM, and the JSON each script writes last into
//! `#<prefix>-results` (the errors it caught, by type and message, and what it saw). The
//! expected markup and messages are those PyScript's `display.py` / `events.py` give and its
//! tests (`core/tests/python/tests/test_display.py`, `test_events.py`) pin down; the same
//! cases run under PyScript 0.7.31 with Pyodide (by hand, December 2026) left the same
//! markup and raised the same errors, except where rustpy keeps an extra: an element proxy
//! as `target`, a tuple of elements, `prevent_default`/`stop_propagation`, and the repr of a
//! JS object (`<JsProxy ...>`, Pyodide's is `[object ...]`).
//! Both modules come from the lazily fetched library, not the boot image.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::Page;
use serde_json::{Value, json};

const BOOT: Duration = Duration::from_secs(120);
const SHORT: Duration = Duration::from_secs(20);

/// Waits for the JSON the cases of `prefix` write last, and parses it; fails at once when a
/// script of the page failed instead (its error box).
async fn results(page: &Page<'_>, prefix: &str) -> Value {
    let done = format!(
        "document.getElementById('{prefix}-results')?.textContent || \
         [...document.querySelectorAll('.rustpy-error')].map((e) => 'failed: ' + e.textContent)[0]"
    );
    let text = page.wait_for(&done, BOOT).await.unwrap();
    let text = text.as_str().unwrap_or_default();
    assert!(!text.starts_with("failed: "), "a script of the page {text}");
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{prefix}-results is not JSON ({e}): {text}"))
}

/// The `innerHTML` of the element `id`, or null.
async fn inner_html(page: &Page<'_>, id: &str) -> Value {
    page.eval(
        "const e = document.getElementById(arguments[0]); return e ? e.innerHTML : null;",
        vec![json!(id)],
    )
    .await
    .unwrap()
}

/// What each box of display_cases.py must hold (`{P}` stands for the prefix).
const DISPLAY_BOXES: &[(&str, &str)] = &[
    // Strings are escaped text, each value in its own <div>.
    ("text", "<div>&lt;p&gt;hi &amp; 'bye'&lt;/p&gt;</div>"),
    ("html", "<div><p>hello <b>world</b></p></div>"),
    (
        "values",
        "<div>a</div><div>1</div><div>2.5</div><div>None</div><div>True</div>\
         <div>[1, 'x']</div><div>(2,)</div>",
    ),
    // Blank markup shows nothing, not even an empty <div>.
    ("blank", "<span>kept</span>"),
    ("nothing", "<span>kept</span>"),
    // append=False: emptied, then text replaces and HTML is added.
    ("replace-text", "two"),
    ("replace-html", "<b>1</b><i>2</i>"),
    ("replace-text-html", "one<b>2</b>"),
    ("replace-html-text", "two"),
    ("replace-blank", ""),
    ("replace-nothing", ""),
    (
        "targets",
        "<div>by hash</div><div>by id</div><div>by proxy</div>",
    ),
    (
        "images",
        "<div><img src=\"data:image/png;base64,iVBORw0KGgo=\"></div>\
         <div><img src=\"data:image/png;base64,iVBORw0KGgo=\"></div>\
         <div><img src=\"data:image/jpeg;base64,/9j/4A==\"></div>\
         <div><img src=\"data:image/jpeg;base64,/9j/4A==\" width=\"10\" alt=\"x\"></div>",
    ),
    (
        "replace-images",
        "<img src=\"data:image/jpeg;base64,/9j/4A==\">",
    ),
    (
        "svg",
        "<div><svg width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\"></circle></svg></div>",
    ),
    (
        "replace-svg",
        "<svg width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\"></circle></svg>",
    ),
    ("json", "<div>{\"key\": \"value\", \"n\": 42}</div>"),
    // PyScript's <script> wrapper, with a real end tag: PyScript's Python writes an escaped
    // one (`<\\/script>`), which leaves the script unclosed, and Firefox, following the HTML
    // standard, never runs an unclosed script.
    (
        "javascript",
        "<div><script>document.body.dataset.{P}Js = 'ran'; //</script></div>",
    ),
    (
        "html-script",
        "<div><script>document.body.dataset.{P}Html = 'ran'</script></div>",
    ),
    ("json-dict", ""),
    // _repr_markdown_, _repr_latex_, _repr_pretty_ are not used: the repr shows.
    (
        "repr-only",
        "<div>Markdown&lt;1&gt;</div><div>Latex&lt;2&gt;</div><div>Pretty&lt;3&gt;</div>",
    ),
    (
        "html-forms",
        "<div><p>Paragraph</p></div><div>Fallback &lt;repr&gt;</div>",
    ),
    (
        "preferences",
        "<div><img src=\"data:image/png;base64,QUJD\"></div><div><svg></svg></div>\
         <div><p>html</p></div>",
    ),
    (
        "bundles",
        "<div><strong>B</strong></div><div>&lt;p&gt;</div>\
         <div><img src=\"data:image/png;base64,QUJD\" width=\"100\" height=\"50\"></div>\
         <div><img src=\"data:image/jpeg;base64,/9j/4A==\" width=\"7\"></div>\
         <div><p>fallback</p></div><div>empty bundle</div><div>{\"a\": 1}</div>",
    ),
    // An object with `savefig` (matplotlib) is a PNG, before any _repr_*_.
    (
        "savefig",
        "<div><img src=\"data:image/png;base64,cG5nIQ==\"></div>",
    ),
    // A script element's `target` property names where its output goes.
    ("script-output", "<div>via the script</div>"),
    ("batched", "<div>in a batch</div><div><i>too</i></div>"),
    // The value before the failing one was written.
    ("partial", "<div>first</div>"),
    ("elsewhere", "<div>item 2</div>"),
];

/// Runs display_cases.py's checks for `prefix` (`m` main thread, `w` worker).
async fn check_display(prefix: &str) {
    let h = Harness::start().await;
    let page = h.open("/parity/display.html").await;
    let report = results(&page, prefix).await;

    let mut wrong = Vec::new();
    for (name, expected) in DISPLAY_BOXES {
        let id = format!("{prefix}-{name}");
        let expected = expected.replace("{P}", prefix);
        let shown = inner_html(&page, &id).await;
        if shown != json!(expected) {
            wrong.push(format!("#{id}: {shown}\n  expected {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}\nreport: {report}", wrong.join("\n"));

    // An object with no representation of its own: its default repr, escaped.
    let plain = inner_html(&page, &format!("{prefix}-plain")).await;
    let plain = plain.as_str().unwrap_or_default();
    assert!(
        plain.starts_with("<div>&lt;")
            && plain.contains("Plain object at ")
            && plain.ends_with("&gt;</div>"),
        "{plain}"
    );

    // JS objects show their proxy's repr: no representation method was found on them.
    let js_values = inner_html(&page, &format!("{prefix}-js-values")).await;
    let js_values = js_values.as_str().unwrap_or_default();
    assert!(
        js_values.starts_with("<div>&lt;JsProxy ")
            && js_values.matches("<div>").count() == 2
            && js_values.contains("[object JSON]")
            && js_values.contains("[object HTMLDivElement]"),
        "{js_values}"
    );

    // The <script> of HTML and of _repr_javascript_ ran on the page.
    let ran = page
        .eval(
            "return [document.body.dataset[arguments[0] + 'Js'], document.body.dataset[arguments[0] + 'Html']];",
            vec![json!(prefix)],
        )
        .await
        .unwrap();
    assert_eq!(ran, json!(["ran", "ran"]));

    let errors = &report["errors"];
    let not_found =
        |id: &str| format!("ValueError: Cannot find element with id='{id}' in the page.");
    assert_eq!(errors["empty target"], json!(not_found("")), "{report}");
    assert_eq!(
        errors["missing target"],
        json!(not_found("missing")),
        "{report}"
    );
    assert_eq!(
        errors["missing hash target"],
        json!(not_found("missing")),
        "{report}"
    );
    assert_eq!(
        errors["double hash target"],
        json!(not_found(&format!("#{prefix}-targets"))),
        "only the first # is dropped: {report}"
    );
    assert_eq!(
        errors["missing target in a batch"],
        json!(not_found("missing")),
        "{report}"
    );
    assert_eq!(
        errors["json dict"],
        json!("AttributeError: 'dict' object has no attribute 'strip'"),
        "{report}"
    );
    assert_eq!(
        errors["failing value"],
        json!("RuntimeError: boom"),
        "{report}"
    );

    // The default target is the element right after the script's tag.
    let seen = &report["seen"];
    let after_tag = page
        .eval(
            "const next = document.getElementById(arguments[0] + '-script').nextElementSibling; \
             return [next.id, next.innerHTML];",
            vec![json!(prefix)],
        )
        .await
        .unwrap();
    assert_eq!(after_tag[0], seen["current_target"], "{report}");
    assert_eq!(after_tag[1], json!("y<div>z</div>"));
    assert_eq!(
        seen["default after appends"],
        json!("<div>item 1</div><div>item 3</div>"),
        "{report}"
    );
    assert_eq!(seen["default after replace"], json!("y"), "{report}");

    assert_eq!(
        seen["star import"],
        json!([true, true, true, true]),
        "{report}"
    );
    assert_eq!(
        seen["names"],
        json!([true, true, true, true, true]),
        "{report}"
    );
    assert_eq!(
        report["lazy_before"], false,
        "pyscript.display was imported before its first use: {report}"
    );
    assert!(
        h.server.sent_library_module("pyscript.display"),
        "pyscript.display was not fetched from the library: {:?}",
        h.server.bytes_served().keys().collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn display_shows_what_pyscript_shows_on_the_main_thread() {
    check_display("m").await;
}

#[tokio::test]
async fn display_shows_what_pyscript_shows_in_a_worker() {
    check_display("w").await;
}

/// Runs when_cases.py's checks for `prefix` (`m` main thread, `w` worker).
async fn check_when(prefix: &str) {
    let h = Harness::start().await;
    let page = h.open("/parity/when.html").await;
    let report = results(&page, prefix).await;
    let seen = &report["seen"];
    let p = |id: &str| format!("{prefix}-{id}");

    // Handlers with and without the event, sync and async, showed what they got.
    let log_before = format!(
        "<div>click {}</div><div>noarg</div><div>async {}</div><div>async noarg</div>",
        p("plain"),
        p("async")
    );
    assert_eq!(inner_html(&page, &p("log")).await, json!(log_before));
    assert_eq!(
        seen["wrapper"],
        json!(["plain", "plain", "async_handler", true, true]),
        "when() returns a wrapper of the function: {report}"
    );

    assert_eq!(
        seen["handlers"],
        json!([
            format!("plain click {}", p("plain")),
            format!("selector {}", p("keyword")),
            format!("selector {}", p("many-1")),
            format!("selector {}", p("many-2")),
            format!("selector {}", p("proxy")),
            format!("selector {}", p("list-1")),
            format!("selector {}", p("list-2")),
            format!("selector {}", p("tuple")),
            "stacked custom",
            "stacked click",
            // capture=True: the outer element's listener runs first.
            "outer (capture)",
            "inner",
            // stop_propagation=True (rustpy's): the outer element never heard it.
            "stop inner",
            "poke passive",
            "poke active",
        ]),
        "{report}"
    );
    // passive=True reached addEventListener: the page's preventDefault was ignored there.
    assert_eq!(
        seen["not cancelled (passive, active)"],
        json!([true, false]),
        "{report}"
    );
    // once=True: one call for two clicks; signal: none after abort().
    assert_eq!(seen["counts"], json!({"once": 1, "signal": 1}), "{report}");

    // Event objects.
    assert_eq!(seen["listeners after adding twice"], json!(1), "{report}");
    assert_eq!(
        seen["event"],
        json!([
            "listener one",
            "when one",
            "no argument",
            "async one",
            "listener two",
            "when two",
            "no argument",
            "async two",
            "when three",
            "no argument",
            "async three",
        ]),
        "{report}"
    );
    assert_eq!(seen["list of events"], json!([1, 2]), "{report}");
    assert_eq!(
        report["errors"]["failing listener"],
        json!(["ZeroDivisionError", "division by zero"]),
        "{report}"
    );
    assert_eq!(
        seen["after failing listener"],
        json!(["first"]),
        "the listeners after a failing one are not called: {report}"
    );

    // Errors: PyScript's types and messages.
    let errors = &report["errors"];
    let error = |name: &str| errors[name].clone();
    let selector_required = json!(["ValueError", "Selector required for DOM event handling."]);
    assert_eq!(error("no selector"), selector_required, "{report}");
    assert_eq!(error("empty selector"), selector_required, "{report}");
    assert_eq!(error("empty list"), selector_required, "{report}");
    assert_eq!(
        error("no match"),
        json!([
            "ValueError",
            format!("No elements found for selector: #{}", p("nothing-here"))
        ]),
        "{report}"
    );
    assert_eq!(error("bad selector")[0], json!("JsException"), "{report}");
    assert!(
        error("bad selector")[1]
            .as_str()
            .is_some_and(|m| m.contains("'#.bad' is not a valid selector")),
        "{report}"
    );
    assert_eq!(error("bad event type")[0], json!("NameError"), "{report}");
    assert_eq!(error("mixed list")[0], json!("NameError"), "{report}");
    assert_eq!(
        error("not callable (DOM)"),
        json!(["TypeError", "5 is not a callable object"]),
        "{report}"
    );
    assert_eq!(
        error("not callable (Event)"),
        json!(["TypeError", "5 is not a callable object"]),
        "{report}"
    );
    assert_eq!(
        error("add_listener not callable"),
        json!(["ValueError", "Listener must be callable."]),
        "{report}"
    );
    assert_eq!(
        error("list with a non-element"),
        json!([
            "AttributeError",
            "'int' object has no attribute 'addEventListener'"
        ]),
        "{report}"
    );
    assert_eq!(seen["partial"], json!([p("partial")]), "{report}");
    assert_eq!(
        error("trigger without result")[0],
        json!("TypeError"),
        "{report}"
    );

    assert_eq!(
        seen["names"],
        json!([true, true, true, true, "module"]),
        "{report}"
    );
    assert_eq!(
        report["lazy_before"], false,
        "pyscript.events was imported before its first use: {report}"
    );
    assert!(
        h.server.sent_library_module("pyscript.events"),
        "pyscript.events was not fetched from the library"
    );

    // A user's click (WebDriver) reaches the handler registered by the script.
    page.click(&format!("#{}", p("plain"))).await.unwrap();
    let log_after = format!("{log_before}<div>click {}</div>", p("plain"));
    page.wait_for(
        &format!(
            "document.getElementById('{}').innerHTML === {}",
            p("log"),
            json!(log_after)
        ),
        SHORT,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn when_and_event_work_as_pyscript_on_the_main_thread() {
    check_when("m").await;
}

#[tokio::test]
async fn when_and_event_work_as_pyscript_in_a_worker() {
    check_when("w").await;
}
