//! rustpy under the README's example Content-Security-Policy (served on every response):
//! inline Python runs only with the page's nonce, as inline JavaScript would, `src=` scripts
//! and workers run, markup injected later cannot run code, the refusals are named in the
//! console, and rustpy itself causes no refusal beyond its one inline probe.

use std::time::Duration;

use rustpy_e2e::{Harness, server};

#[tokio::test]
async fn inline_python_needs_the_nonce_where_the_policy_forbids_inline_scripts() {
    let readme =
        std::fs::read_to_string(rustpy_e2e::workspace_root().join("README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("Content-Security-Policy: {}", server::EXAMPLE_CSP)),
        "the README's example policy is the one tested"
    );
    let h = Harness::start_with_example_csp().await;
    let page = h.open("/csp.html").await;
    let allowed = [
        ("#with-nonce", "nonce ran"),
        ("#from-src", "src ran"),
        ("#worker-with-nonce", "worker nonce ran"),
        ("#element-with-nonce", "element nonce ran"),
        ("#worker-from-src", "worker src ran"),
    ];
    for (selector, text) in allowed {
        page.wait_for(
            &format!("document.querySelector('{selector}').textContent === '{text}'"),
            Duration::from_secs(120),
        )
        .await
        .unwrap_or_else(|e| panic!("{selector} did not run: {e}"));
    }
    // Markup injected now (as an attacker's would be) is refused as well.
    page.eval(
        "const tag = document.createElement('div'); \
         tag.innerHTML = '<rustpy-script>from pyscript import document\\n\
         document.title = \"injected ran\"</rustpy-script>'; \
         document.body.append(tag);",
        vec![],
    )
    .await
    .unwrap();
    let refusals = page
        .wait_for(
            "(() => { const refused = window.__console.filter((l) => l.level === 'error' && \
             l.text.includes(\"was not run: the page's Content-Security-Policy\")); \
             return refused.length === 5 && refused.map((l) => l.text); })()",
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert!(
        refusals.as_array().is_some_and(|all| all
            .iter()
            .all(|r| r.as_str().is_some_and(|r| r.contains("nonce=")))),
        "each refusal says how to allow the code: {refusals}"
    );
    for selector in [
        "#no-nonce",
        "#wrong-nonce",
        "#worker-no-nonce",
        "#element-no-nonce",
    ] {
        let text = page
            .eval(
                &format!("return document.querySelector('{selector}').textContent"),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(text, "", "{selector} ran under a policy that forbids it");
    }
    let title = page.eval("return document.title", vec![]).await.unwrap();
    assert_ne!(title, "injected ran");

    // The worker's error box is styled by rustpy's constructed style sheet.
    let shown = page
        .wait_for_error_box("shown in a styled box", Duration::from_secs(30))
        .await
        .unwrap();
    assert!(shown.contains("ValueError"), "{shown}");
    let border = page
        .eval(
            "return getComputedStyle(document.querySelector('.rustpy-error')).borderLeftStyle",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(
        border, "none",
        "rustpy's styles apply under style-src 'self'"
    );
    // The browser refused only the inline probes (one per nonce value seen: none and the
    // wrong one; the page's nonce passes): nothing rustpy needs was refused.
    let violations = page
        .eval(
            "return window.__console.filter((l) => l.level === 'csp').map((l) => l.text)",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<&str> = violations
        .as_array()
        .map(|all| all.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        violations,
        ["script-src-elem inline", "script-src-elem inline"],
        "only the probes were refused"
    );
}
