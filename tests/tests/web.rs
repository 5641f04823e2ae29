//! `pyscript.web` in a real browser: a todo list made with it in a worker and on the main
//! thread, driven by WebDriver (typing, clicking the add, check and remove buttons); its
//! API on both threads (`tests/pages/web/checks.py`); and what a tree of elements costs a
//! worker in round trips (`worker.ffiRequests`): one per tree, not one per element.

use std::time::Duration;

use rustpy_e2e::Harness;
use rustpy_e2e::browser::Page;

const BOOT: Duration = Duration::from_secs(90);
const SHORT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn todo_list_made_in_a_worker() {
    todo_list("/web/todo.html", "worker").await;
}

#[tokio::test]
async fn todo_list_made_on_the_main_thread() {
    todo_list("/web/todo-main.html", "main").await;
}

/// The items' texts and whether each is done, and the "left" counter, as the page shows.
async fn todo_state(page: &Page<'_>) -> serde_json::Value {
    page.eval(
        "return [[...document.querySelectorAll('#items li')].map((li) => \
           [li.id, li.querySelector('.text').textContent, li.classList.contains('done')]), \
         document.querySelector('#left').textContent];",
        vec![],
    )
    .await
    .unwrap()
}

/// Waits until the page's todo list reads `expected` ([`todo_state`]'s form).
async fn wait_for_todo(page: &Page<'_>, expected: serde_json::Value) {
    let expected_text = expected.to_string();
    let probe = format!(
        "JSON.stringify([[...document.querySelectorAll('#items li')].map((li) => \
           [li.id, li.querySelector('.text')?.textContent, li.classList.contains('done')]), \
         document.querySelector('#left')?.textContent]) === {}",
        serde_json::Value::String(expected_text.clone())
    );
    if page.wait_for(&probe, SHORT).await.is_err() {
        panic!(
            "the todo list never read {expected_text}: it reads {}; console: {:#?}; error boxes: {:?}",
            todo_state(page).await,
            page.console().await,
            page.error_boxes().await
        );
    }
}

async fn todo_list(path: &str, where_: &str) {
    let h = Harness::start().await;
    let page = h.open(path).await;
    page.wait_for_console("log", &format!("todo ready {where_}"), BOOT)
        .await
        .unwrap();
    let title = page.eval("return document.title;", vec![]).await.unwrap();
    assert_eq!(title, format!("todo {where_}"));
    let heading = page
        .eval(
            "return document.querySelector('#app h2').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(heading, format!("todo ({where_})"));

    page.type_into("#new", "milk").await.unwrap();
    page.click("#add").await.unwrap();
    wait_for_todo(
        &page,
        serde_json::json!([[["item-1", "milk", false]], "1 left"]),
    )
    .await;
    let cleared = page
        .eval("return document.querySelector('#new').value;", vec![])
        .await
        .unwrap();
    assert_eq!(cleared, "", "the handler emptied the input");
    page.type_into("#new", "bread").await.unwrap();
    page.click("#add").await.unwrap();
    // The worker's handler reads and empties the input after the click: typing on before it
    // did would join the two items (as it would for a user that fast).
    wait_for_todo(
        &page,
        serde_json::json!([
            [["item-1", "milk", false], ["item-2", "bread", false]],
            "2 left"
        ]),
    )
    .await;
    page.type_into("#new", "tea").await.unwrap();
    page.click("#add").await.unwrap();
    wait_for_todo(
        &page,
        serde_json::json!([
            [
                ["item-1", "milk", false],
                ["item-2", "bread", false],
                ["item-3", "tea", false]
            ],
            "3 left"
        ]),
    )
    .await;

    // Check one: its <li> gets the class "done"; uncheck another after checking it.
    page.click("#item-2 .check").await.unwrap();
    page.click("#item-3 .check").await.unwrap();
    page.click("#item-3 .check").await.unwrap();
    wait_for_todo(
        &page,
        serde_json::json!([
            [
                ["item-1", "milk", false],
                ["item-2", "bread", true],
                ["item-3", "tea", false]
            ],
            "2 left"
        ]),
    )
    .await;

    // Remove one.
    page.click("#item-1 .remove").await.unwrap();
    wait_for_todo(
        &page,
        serde_json::json!([
            [["item-2", "bread", true], ["item-3", "tea", false]],
            "1 left"
        ]),
    )
    .await;
    // An empty input adds nothing; Enter in the input adds (a `when` handler).
    page.click("#add").await.unwrap();
    page.type_into("#new", "jam\n").await.unwrap();
    wait_for_todo(
        &page,
        serde_json::json!([
            [
                ["item-2", "bread", true],
                ["item-3", "tea", false],
                ["item-4", "jam", false]
            ],
            "2 left"
        ]),
    )
    .await;
    assert!(
        page.error_boxes().await.unwrap().is_empty(),
        "{:?}",
        page.error_boxes().await
    );
}

/// What `checks.py` prints on each thread (after "<where> "), in order.
const CHECKS: &[&str] = &[
    "repr before: '<div element, not on the page yet>'",
    "box html: '<p class=\"item first\" id=\"one-WHERE\">one</p><p class=\"item\"><b>two</b></p>tail'",
    "title: 'tip'",
    "style: 'red'",
    "style after: {'font-size': '12px'}",
    "style has color: False",
    "classes: ['first', 'item']",
    "classes after: (['extra', 'item', 'more'], True, False)",
    "className: 'item extra more'",
    "classes | set: ['extra', 'item', 'more', 'x']",
    "find: ('ElementCollection', 2, ['P', 'P'])",
    "page id: (True, 'box-WHERE')",
    "page missing: None",
    "page parts: ('BODY', 'HEAD', 'HTML')",
    "parent: (True, 'div')",
    "children: ['p', 'p']",
    "items: (True, 2, True)",
    "odd id: True",
    "bulk: [('all', 'fr', True, '3px'), ('all', 'fr', True, '3px')]",
    "bulk read: ['all', 'all']",
    "collection id: True",
    "slice: ('ElementCollection', 1)",
    "value: 'hello'",
    "value after: 'changed'",
    "checked: True",
    "checked after: False",
    "label for: ('name-WHERE', 'name-WHERE')",
    "numbers: '5 2.5'",
    "options: [('0', 'zero'), ('1', 'a'), ('2', 'b'), ('3', 'c')]",
    "selected: ('3', '3')",
    "options after remove: (['0', '2', '3'], 3)",
    "options cleared: 0",
    "clone: ('copy-WHERE', True, False, 'div')",
    "clicks: ['click', 'when']",
    "on_click: 'Event'",
    "bad child: 'cannot append object to an element'",
    "bad selector: 'JsException'",
];

#[tokio::test]
async fn the_api_on_the_main_thread_and_in_a_worker() {
    let h = Harness::start().await;
    let page = h.open("/web/checks.html").await;
    for where_ in ["main", "worker"] {
        page.wait_for_console("log", &format!("{where_} checks done"), BOOT)
            .await
            .unwrap_or_else(|e| panic!("{where_}: {e}"));
    }
    let lines = page.log_lines().await.unwrap();
    for where_ in ["main", "worker"] {
        let prefix = format!("{where_} ");
        let got: Vec<&str> = lines
            .iter()
            .filter_map(|line| line.strip_prefix(&prefix))
            .filter(|line| *line != "checks done")
            .collect();
        let expected: Vec<String> = CHECKS
            .iter()
            .map(|line| line.replace("WHERE", where_))
            .collect();
        assert_eq!(got, expected, "{where_}");
    }
    assert!(
        page.error_boxes().await.unwrap().is_empty(),
        "{:?}",
        page.error_boxes().await
    );
}

#[tokio::test]
async fn a_tree_costs_a_worker_one_round_trip_not_one_per_element() {
    let h = Harness::start().await;
    let page = h.open("/web/rounds.html").await;
    let result = page.result(Duration::from_secs(180)).await.unwrap();
    assert_eq!(
        result["tables"],
        serde_json::json!([[10, "9.2"], [1000, "999.2"], [10, "9.2"]]),
        "{result}"
    );
    // 10 rows are 40 elements, 1000 rows 4000: one request each (the end of the batch; its
    // earlier parts go ahead without a reply).
    assert_eq!(result["small"], 1, "{result}");
    assert_eq!(result["large"], 1, "{result}");
    // The counter counts: element by element, every operation is a round trip.
    let raw = result["raw"].as_i64().unwrap_or_default();
    assert!(raw >= 10 * 4 * 2, "{result}");
}
