//! `pyscript.web` on the fake page (`support/fake_page.rs`): what building elements costs
//! in requests (round trips from a worker), lazily loaded, and the names it gives
//! Python. Its DOM behaviour is tested in browsers (`tests/tests/web.rs`).

#[path = "support/fake_host.rs"]
mod fake_host;
#[path = "support/fake_page.rs"]
mod fake_page;

use fake_host::{run_ok, runtime};

#[test]
fn pyscript_web_is_loaded_only_by_scripts_that_use_it() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "import pyscript\nfrom pyscript import batch, ffi\n",
    );
    assert!(
        host.library_loads.borrow().is_empty(),
        "{:?}",
        host.library_loads.borrow()
    );
    run_ok(
        &host,
        &rt,
        "import pyscript\nweb = pyscript.web\nfrom pyscript import web as same\nimport pyscript.web as again\n\
         print(web is same is again, web.div.get_tag_name(), web.input_.get_tag_name(), web.del_.__name__)\n",
    );
    assert_eq!(host.stdout(), vec!["True div input del_"]);
    let loads = host.library_loads.borrow();
    assert!(
        loads.iter().any(|file| file.contains("pyscript.web")),
        "{loads:?}"
    );
}

#[test]
fn a_tree_of_elements_costs_no_request_until_attached_then_one() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import web\nbody = web.page.body\n",
    );
    let before = *host.page.requests.borrow();
    run_ok(
        &host,
        &rt,
        "rows = [web.div(web.span(textContent='cell'), textContent=f'row {i}', id=f'r{i}') for i in range(300)]\n\
         extra = web.div(title='t')\nextra.textContent = 'last'\nextra.append(web.span(), web.span())\n",
    );
    assert_eq!(
        *host.page.requests.borrow() - before,
        0,
        "elements not on the page yet cost nothing"
    );
    run_ok(&host, &rt, "body.append(rows, extra)\n");
    assert_eq!(
        *host.page.requests.borrow() - before,
        1,
        "the whole tree in one request (plus parts sent ahead: {:?})",
        host.page.parts.borrow()
    );
    let texts = host.page.body_texts();
    assert_eq!(texts.len(), 301);
    assert_eq!(texts[0], "row 0");
    assert_eq!(texts[299], "row 299");
    assert_eq!(texts[300], "last");
    // Made elements write straight through, and read values (not placeholders).
    let before = *host.page.requests.borrow();
    run_ok(
        &host,
        &rt,
        "rows[5].textContent = 'changed'\nprint(rows[5].textContent, rows[0].id, extra.title)\n",
    );
    assert_eq!(host.stdout(), vec!["changed r0 t"]);
    assert_eq!(*host.page.requests.borrow() - before, 4);
}

#[test]
fn reads_inside_a_batch_give_values() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import batch, web\nbody = web.page.body\nel = web.div(id='x')\n\
         with batch():\n    body.append(el)\n    seen = el.id\n    el.title = seen + '!'\n\
         print(seen, el.title)\n",
    );
    assert_eq!(host.stdout(), vec!["x x!"]);
}

#[test]
fn bad_children_and_event_names_are_clear_errors() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import web\n\
         try:\n    web.div(object())\nexcept TypeError as error:\n    print(error)\n\
         try:\n    web.div().get_event('click')\nexcept ValueError as error:\n    print(error)\n\
         try:\n    web.page[3]\nexcept TypeError as error:\n    print(error)\n",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "cannot append object to an element",
            "event names start with 'on_' and name the event: 'click'",
            "page[...] takes an element id (str), not int",
        ]
    );
}

#[test]
fn a_tree_that_fails_to_be_made_raises_where_it_is_attached_then_clearly() {
    let (host, rt) = runtime();
    // The fake page's elements have no `classList`: the batch that makes the tree fails.
    run_ok(
        &host,
        &rt,
        "from pyscript import web\nbody = web.page.body\n\
         child = web.span()\nel = web.div(child, classes='x')\n\
         try:\n    body.append(el)\nexcept AttributeError as error:\n    print('attach:', 'classList' in str(error))\n\
         try:\n    child.id\nexcept RuntimeError as error:\n    print('after:', error)\n",
    );
    assert_eq!(
        host.stdout(),
        vec![
            "attach: True",
            "after: the <span> element could not be made: the batch that made it failed (see the error it raised)",
        ]
    );
}

#[test]
fn texts_and_leaves_are_made_in_the_same_request() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import web\nbody = web.page.body\n\
         items = [web.li(f'item {i}') for i in range(200)]\n",
    );
    let before = *host.page.requests.borrow();
    run_ok(
        &host,
        &rt,
        "body.append(web.ul(*items), web.p('a', 'b', 3))\n",
    );
    assert_eq!(*host.page.requests.borrow() - before, 1);
    run_ok(
        &host,
        &rt,
        "print(items[0].textContent, items[199].textContent)\n",
    );
    assert_eq!(host.stdout(), vec!["item 0 item 199"]);
}

#[test]
fn a_tree_is_one_operation_and_children_python_holds_keep_their_element() {
    let (host, rt) = runtime();
    run_ok(
        &host,
        &rt,
        "from pyscript import web\nbody = web.page.body\n",
    );
    host.page.ops.borrow_mut().clear();
    run_ok(
        &host,
        &rt,
        "held = web.span(textContent='held')\n\
         row = web.div(web.span('a'), held, web.span('b'), web.span(web.span('deep')), id='row')\n\
         body.append(row)\n",
    );
    let ops = host.page.ops.borrow().clone();
    // `held` first (a variable holds it), then the row with its other spans inside.
    assert_eq!(ops.iter().filter(|op| *op == "tree").count(), 2, "{ops:?}");
    assert!(!ops.iter().any(|op| op == "get" || op == "set"), "{ops:?}");
    // The held child is the element on the page: writes reach it, reads give its value.
    run_ok(
        &host,
        &rt,
        "held.textContent = 'changed'\nprint(held.textContent, row.id)\n",
    );
    assert_eq!(host.stdout(), vec!["changed row"]);
    assert_eq!(host.page.body_texts().len(), 1);
}
