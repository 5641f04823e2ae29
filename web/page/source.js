// A script tag's Python source: from its `src` or written inside it (where the page's
// Content-Security-Policy allows inline code).

let inlineCount = 0;

/** Whether the page's Content-Security-Policy lets an inline script with `nonce` run, by
 * nonce value ("" for none): asked once per value. */
const inlineVerdicts = new Map();
let inlineProbes = 0;

/**
 * Whether inline Python in `element` may run: exactly when the page's policy would run an
 * inline JavaScript `<script>` carrying the same nonce. The browser itself decides, on a
 * one-line probe script (on a page that forbids inline scripts it logs, and reports where
 * the policy says so, that one refusal per nonce value).
 */
export function inlineCodeAllowed(element) {
  const nonce = element.nonce ?? "";
  let allowed = inlineVerdicts.get(nonce);
  if (allowed !== undefined) return allowed;
  inlineProbes += 1;
  const flag = `__rustpyInlineProbe${inlineProbes}`;
  try {
    const probe = document.createElement("script");
    if (nonce) probe.nonce = nonce;
    probe.textContent = `window.${flag} = true;`;
    document.head.append(probe);
    probe.remove();
    allowed = window[flag] === true;
  } catch {
    allowed = false; // e.g. Trusted Types forbid setting a script's text
  }
  delete window[flag];
  inlineVerdicts.set(nonce, allowed);
  return allowed;
}

/** The script's source and the filename tracebacks show. */
export async function loadSource(element, src = element?.getAttribute("src") ?? null) {
  if (src === null) {
    inlineCount += 1;
    const id = element.id ? `#${element.id}` : `${inlineCount}`;
    return { source: inlineSource(element), filename: `<inline script ${id}>` };
  }
  const url = new URL(src, document.baseURI);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`could not fetch src "${src}" (${url}): ${error.message}`);
  }
  if (!response.ok) {
    throw new Error(
      `could not load src "${src}" (${url}): HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }
  return { source: await response.text(), filename: src };
}

/**
 * The code written inside a tag. A `<script>`'s content is text as written. A
 * `<rustpy-script>`'s is parsed as HTML: `print("<b>x</b>")` makes a `<b>` element, whose
 * text alone `textContent` would give. So, as PyScript reads `<py-script>`: without child
 * elements its text (`if a < b:` is text, entities decoded); with some, its markup
 * (`innerHTML`) with the escapes the browser wrote into it taken back out. The browser
 * rewrites some markup (quotes around attributes, closing tags it adds): a console warning
 * points to `<script type="rustpy">`, which keeps code exactly as written.
 */
function inlineSource(element) {
  if (element.localName !== "rustpy-script" || element.childElementCount === 0) return element.textContent;
  console.warn(
    "rustpy: a <rustpy-script> holding markup is read as the browser re-serialises it; " +
      '<script type="rustpy"> keeps code exactly as written',
  );
  return unescapeMarkup(element.innerHTML);
}

// What `innerHTML` escapes in text and attribute values, and back.
const MARKUP_ESCAPES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&nbsp;": "\u00a0" };

/** `html` with the escapes of MARKUP_ESCAPES taken back out. */
function unescapeMarkup(html) {
  return html.replace(/&(?:amp|lt|gt|quot|nbsp);/g, (escape) => MARKUP_ESCAPES[escape]);
}

