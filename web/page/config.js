// rustpy's `config`, as PyScript's: on a script tag (`config="..."`), on `PyWorker`
// (`{config}`), or, for the page's main-thread scripts, in one `<rustpy-config>` or
// `<script type="rustpy-config">` element. A config is inline JSON, inline TOML, a URL of
// a `.json`/`.toml` file (relative to the page), or (from JS and Python) an object. The
// wasm module parses and checks it (`main-entry`'s `parse_config`, the `rustpy-config`
// crate); this file finds the text and fetches the files the config asks for.

/** The elements that configure the page's main-thread interpreter. */
export const CONFIG_SELECTOR = 'rustpy-config, script[type="rustpy-config"]';

/** A config's file extension: `json`, `toml` or null. */
function extensionFormat(url) {
  const path = url.split(/[?#]/)[0].toLowerCase();
  if (path.endsWith(".json")) return "json";
  if (path.endsWith(".toml")) return "toml";
  return null;
}

/**
 * Whether a config string is a URL rather than inline JSON or TOML: one word, not starting
 * like JSON or a TOML table, with a `.json`/`.toml` extension or no `=` (inline TOML has one).
 */
function isUrl(text) {
  if (/\s/.test(text) || text.startsWith("{") || text.startsWith("[")) return false;
  return extensionFormat(text) !== null || !text.includes("=");
}

/** Inline text's format: JSON if it starts like a JSON object, else TOML. */
function sniffFormat(text) {
  return text.trimStart().startsWith("{") ? "json" : "toml";
}

/**
 * The config's text, format and name (for errors). `raw` is an object, a string (inline
 * or URL) or null; `where` names inline text (`attribute`, `<rustpy-config>`...).
 */
async function configText(raw, where) {
  if (typeof raw === "object") return { text: JSON.stringify(raw), format: "json", source: where };
  // Inline text is parsed as written, so the lines errors name are the element's lines.
  if (!isUrl(String(raw).trim())) return { text: String(raw), format: sniffFormat(String(raw)), source: where };
  const text = String(raw).trim();
  const url = new URL(text, document.baseURI);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`could not fetch the config ${text} (${url}): ${error.message}`);
  }
  if (!response.ok) {
    throw new Error(`could not load the config ${text} (${url}): HTTP ${response.status} ${response.statusText}`.trim());
  }
  const body = await response.text();
  return { text: body, format: extensionFormat(text) ?? sniffFormat(body), source: text };
}

/**
 * Reads, parses and checks a config, then fetches its files. `glue` is a promise of the
 * page's wasm-bindgen exports (only awaited when there is a config). Resolves to
 * `{config, files}` (`config` null without one; `files` as `files_from_js` reads them:
 * `{url, to, unpack, data: Uint8Array}`); rejects with an Error naming the file, line
 * and key, or the URL of a file that did not load.
 */
export async function prepareConfig(raw, where, glue) {
  if (raw === null || raw === undefined || (typeof raw === "string" && raw.trim() === "")) {
    return { config: null, files: [] };
  }
  const { text, format, source } = await configText(raw, where);
  let parsed;
  try {
    parsed = JSON.parse((await glue()).parse_config(text, format, source));
  } catch (error) {
    throw typeof error === "string" ? new Error(error) : error;
  }
  return { config: parsed.config, files: await fetchFiles(parsed.files) };
}

/** Fetches every file at once; the first that fails names its URL. */
function fetchFiles(files) {
  return Promise.all(
    files.map(async ({ url, to, unpack }) => {
      const full = new URL(url, document.baseURI);
      let response;
      try {
        response = await fetch(full);
      } catch (error) {
        throw new Error(`could not fetch the config's file ${url} (${full}): ${error.message}`);
      }
      if (!response.ok) {
        throw new Error(
          `could not load the config's file ${url} (${full}): HTTP ${response.status} ${response.statusText}`.trim(),
        );
      }
      return { url, to, unpack, data: new Uint8Array(await response.arrayBuffer()) };
    }),
  );
}

/**
 * What configures the page's main-thread interpreter, chosen when its first script
 * starts: the one `<rustpy-config>` (its `src`, else its text), else that script's
 * `config` attribute. Returns `{raw, where, owner}`; throws if the page has two.
 */
export function pageConfigSource(firstScript) {
  const tags = document.querySelectorAll(CONFIG_SELECTOR);
  if (tags.length > 1) {
    throw new Error(
      `the page has ${tags.length} <rustpy-config> elements: its main-thread scripts share one ` +
        "interpreter, which takes one config",
    );
  }
  if (tags.length === 1) {
    const tag = tags[0];
    const src = tag.getAttribute("src");
    const where = tag.localName === "script" ? '<script type="rustpy-config">' : "<rustpy-config>";
    return { raw: src ?? tag.textContent, where, owner: tag };
  }
  return { raw: firstScript.getAttribute("config"), where: "attribute", owner: firstScript };
}
