//! `pyscript.storage` (issue 26, point 3) on `tests/pages/net/storage.html`: the page's
//! main-thread script and a worker each open a store, and on the first visit write a value
//! of every allowed type (str, int, big int, float, bool, None, bytes, bytearray, lists,
//! tuples and dicts of those, nested), read, delete, pop, update, iterate, `sync()`, and
//! check that a disallowed value (a set, an object nested in a list, a non-str key) raises
//! a `TypeError` naming where it sits and leaves the store unchanged, and that a second
//! handle opened after `sync()` reads the same values back from IndexedDB (also after
//! `clear()`). After a real reload, both find their store holding exactly those values
//! (types included), and the worker reads the main thread's store too. `storage_class=`
//! builds a `Storage` subclass. The module comes from the lazily fetched library.

use std::time::Duration;

use rustpy_e2e::Harness;
use serde_json::{Value, json};

const LONG: Duration = Duration::from_secs(120);

/// The first visit's checks of one side (`main` or `worker`).
fn assert_first_visit(report: &Value, side: &str) {
    assert_eq!(
        report["visit"], "first",
        "{side}: the store was empty: {report}"
    );
    let checks = &report["checks"];
    for check in [
        "get",
        "iterated",
        "items",
        "isDict",
        "unchangedAfterRefusals",
        "reopened",
    ] {
        assert_eq!(checks[check], true, "{side}: {check}: {report}");
    }
    assert_eq!(checks["getDefault"], "default", "{side}: {report}");
    assert_eq!(
        checks["noCallablePerStore"], 0,
        "{side}: ten more stores offered JS no callable of their own: {report}"
    );
    assert_eq!(checks["pop"], 1, "{side}: {report}");
    assert_eq!(checks["clearedReopened"], json!({}), "{side}: {report}");
    assert_eq!(
        checks["subclass"],
        json!(["Counting", 2, format!("{side}-custom")]),
        "storage_class= builds the subclass, whose __setitem__ setdefault uses: {report}"
    );
    assert!(
        checks["notStorageClass"]
            .as_str()
            .unwrap_or_default()
            .starts_with("TypeError: storage_class must be Storage or a subclass"),
        "{side}: {report}"
    );
    let refusal = |name: &str| checks[name].as_str().unwrap_or_default().to_string();
    assert!(
        refusal("setRefused").starts_with("TypeError: storage['bad'] is of type 'set'"),
        "{side}: {report}"
    );
    assert!(
        refusal("nestedRefused")
            .starts_with("TypeError: storage['bad']['k'][1] is of type 'object'"),
        "{side}: {report}"
    );
    assert!(
        refusal("updateRefused").starts_with("TypeError: storage['bad'] is of type 'set'"),
        "{side}: {report}"
    );
    assert!(
        refusal("keyRefused").starts_with("TypeError: storage keys are str, not int"),
        "{side}: {report}"
    );
    assert!(
        refusal("emptyName").starts_with("ValueError: storage needs a non-empty str name"),
        "{side}: {report}"
    );
    // What was stored, as the page described it: spot checks of the exact types.
    let stored = &report["stored"];
    assert_eq!(
        stored["big int"],
        json!(["int", "1208925819614629174706177"]),
        "{side}"
    );
    assert_eq!(stored["whole float"], json!(["float", "3.0"]), "{side}");
    assert_eq!(
        stored["bytearray"],
        json!(["bytearray", "006162"]),
        "{side}"
    );
    assert_eq!(
        stored["tuple"],
        json!([
            "tuple",
            [["int", "1"], ["tuple", [["int", "2"], ["str", "x"]]]]
        ]),
        "{side}"
    );
    assert_eq!(stored["none"], json!(["NoneType", null]), "{side}");
}

#[tokio::test]
async fn storage_survives_a_reload_on_the_main_thread_and_in_a_worker() {
    let h = Harness::start().await;
    let page = h.open("/net/storage.html").await;
    let first = page.result(LONG).await.unwrap();
    assert!(
        h.server.sent_library_module("pyscript.storage")
            && !h.server.sent_library_module("pyscript.websocket"),
        "pyscript.storage came from the library, and pyscript.websocket was not loaded"
    );
    assert_first_visit(&first["main"], "main");
    assert_first_visit(&first["worker"], "worker");
    assert_eq!(
        first["worker"]["also"], true,
        "the worker reads what the main thread stored: {first}"
    );

    page.reload().await.unwrap();
    let second = page.result(LONG).await.unwrap();
    for side in ["main", "worker"] {
        let report = &second[side];
        assert_eq!(
            report["visit"], "second",
            "{side}: the store was kept: {second}"
        );
        assert_eq!(
            report["stored"], report["expected"],
            "{side}: every value came back with its type and value"
        );
        assert_eq!(report["same"], true, "{side}: {second}");
    }
    assert_eq!(second["worker"]["also"], true, "{second}");
}
