//! rustpy's interpreter configuration, as PyScript's `config`: JSON or TOML text (inline,
//! from a `<rustpy-config>` element or from a `.json`/`.toml` URL the page fetched),
//! parsed, checked key by key, and turned into the list of files the interpreter's
//! in-memory filesystem receives before the script runs ([`files`]), archives unpacked
//! ([`archive`]).
//!
//! Nothing here knows about the browser: the page's `rustpy.js` (`web/page/config.js`)
//! fetches the text and the files, `main-entry` exports [`parse`] to it, and both entries
//! unpack with [`archive`].

#![deny(missing_docs)]

pub mod archive;
pub mod files;

use serde_json::{Map, Value};

pub use files::FileEntry;

/// The two notations a config may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (`{"files": {...}}`).
    Json,
    /// TOML (`[files]` ...).
    Toml,
}

impl Format {
    /// `"json"` or `"toml"` (as `rustpy.js` names them).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// Why a config cannot be used. Every message starts with where the config came from
/// (`source`: a file name, `config attribute`, `<rustpy-config>`...).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    /// The text is not valid JSON or TOML.
    #[error("config {origin}: {message}")]
    Syntax {
        /// Where the config came from.
        origin: String,
        /// The parser's message, with the line and column.
        message: String,
    },
    /// The text parsed, but is not a table of keys.
    #[error("config {origin}: must be a table of keys (a JSON object), not {found}")]
    NotATable {
        /// Where the config came from.
        origin: String,
        /// What it is instead.
        found: &'static str,
    },
    /// A key rustpy reads holds a value of the wrong type or shape.
    #[error("config {origin}{}: key \"{key}\" {expected}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
    WrongType {
        /// Where the config came from.
        origin: String,
        /// The line the key is on, when it could be found in the text.
        line: Option<usize>,
        /// The key (with its path, `fetch[1].files`).
        key: String,
        /// What it must be, and what it was.
        expected: String,
    },
}

/// A parsed, checked config and the files it asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The config's keys (what `pyscript.config` shows).
    pub config: Map<String, Value>,
    /// The files to fetch and place before the script runs, in the config's order.
    pub files: Vec<FileEntry>,
}

/// Parses `text` as `format`, checks the keys rustpy reads and plans the files. `source`
/// names the config in every error (a file name or where it was written).
pub fn parse(text: &str, format: Format, source: &str) -> Result<Parsed, ConfigError> {
    let syntax = |message: String| ConfigError::Syntax {
        origin: source.to_string(),
        message,
    };
    let value = match format {
        Format::Json => serde_json::from_str::<Value>(text).map_err(|e| syntax(e.to_string()))?,
        Format::Toml => toml::from_str::<toml::Table>(text)
            .map(|table| toml_to_json(toml::Value::Table(table)))
            .map_err(|e| syntax(e.to_string().trim_end().to_string()))?,
    };
    let Value::Object(config) = value else {
        return Err(ConfigError::NotATable {
            origin: source.to_string(),
            found: kind_of(&value),
        });
    };
    let checker = Checker { text, source };
    checker.check(&config)?;
    let files = files::plan(&config).map_err(|(key, expected)| checker.wrong(&key, expected))?;
    Ok(Parsed { config, files })
}

/// The JSON form of a TOML value; dates and times become their TOML text.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// A JSON value's kind, as an error names it ("an array").
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

/// The checks of the keys rustpy reads (other keys are the app's own, as in PyScript).
struct Checker<'a> {
    text: &'a str,
    source: &'a str,
}

impl Checker<'_> {
    fn wrong(&self, key: &str, expected: String) -> ConfigError {
        let bare = key.split(['.', '[']).next().unwrap_or(key);
        ConfigError::WrongType {
            origin: self.source.to_string(),
            line: line_of(self.text, bare),
            key: key.to_string(),
            expected,
        }
    }

    fn check(&self, config: &Map<String, Value>) -> Result<(), ConfigError> {
        for (key, value) in config {
            let found = describe(value);
            let expected = |what: &str| Some(format!("{what}, not {found}"));
            let problem = match key.as_str() {
                "sync_main_only" | "debug" | "spin" if !value.is_boolean() => expected("must be true or false"),
                "sync_timeout" if !value.as_f64().is_some_and(|t| t >= 0.0) => {
                    expected("must be a number of seconds (0 or more)")
                }
                "call_watch_ms" if !value.as_f64().is_some_and(|t| t >= 0.0) => {
                    expected("must be a number of milliseconds (0 or more)")
                }
                "sync_reply_limit" if value.as_u64().is_none_or(|n| n == 0) => {
                    expected("must be a number of bytes (a positive integer)")
                }
                "interrupts" if !(value.is_boolean() || value == "everywhere") => {
                    expected("must be true, false or \"everywhere\"")
                }
                "interpreter" | "experimental_create_proxy" if !value.is_string() => expected("must be a string"),
                "plugins" if !is_list_of_strings(value) => expected("must be an array of strings"),
                "packages" if !is_list_of_strings(value) => expected("must be an array of strings"),
                "packages" if value.as_array().is_some_and(|items| !items.is_empty()) => Some(
                    "lists packages to install, which rustpy cannot do (it has no package installer): \
                     deliver pure-Python packages with \"files\" instead"
                        .to_string(),
                ),
                "js_modules" if !value.is_object() => expected("must be a table"),
                "js_modules" if value.as_object().is_some_and(|table| !table.is_empty()) => Some(
                    "is not supported by rustpy yet: load JavaScript modules with a \
                     <script type=\"module\"> on the page or `js.eval` from Python"
                        .to_string(),
                ),
                _ => None,
            };
            if let Some(problem) = problem {
                return Err(self.wrong(key, problem));
            }
        }
        Ok(())
    }
}

fn is_list_of_strings(value: &Value) -> bool {
    value
        .as_array()
        .is_some_and(|items| items.iter().all(Value::is_string))
}

/// A short description of a value for an error: its kind, and its text when short.
pub(crate) fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 40 {
        format!("{} ({text})", kind_of(value))
    } else {
        kind_of(value).to_string()
    }
}

/// The 1-based line where `key` is written as a key (`"key":`, `key =`, `"key" =`,
/// `[key]`, `[[key]]`), if it can be found.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let rest = if let Some(rest) = line.strip_prefix(&quoted) {
                rest
            } else if let Some(rest) = line.strip_prefix(key) {
                rest
            } else if let Some(inner) = line.strip_prefix('[') {
                let inner = inner.trim_start_matches('[').trim_start();
                return inner
                    .strip_prefix(key)
                    .or_else(|| inner.strip_prefix(&quoted))
                    .is_some_and(|rest| rest.trim_start().starts_with(']'));
            } else {
                // A JSON key that is not first on its line (`{"a": 1, "files": ...}`).
                return line.contains(&format!("{quoted}:"))
                    || line.contains(&format!("{quoted} :"));
            };
            let rest = rest.trim_start();
            rest.starts_with(':') || rest.starts_with('=')
        })
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_give_the_same_config() {
        let json = parse(
            r#"{"files": {"a.py": "./a.py"}, "x": [1, 2]}"#,
            Format::Json,
            "j",
        )
        .unwrap();
        let toml = parse(
            "x = [1, 2]\n[files]\n\"a.py\" = \"./a.py\"\n",
            Format::Toml,
            "t",
        )
        .unwrap();
        assert_eq!(json, toml);
        assert_eq!(json.files.len(), 1);
    }

    #[test]
    fn syntax_errors_name_the_source_and_line() {
        let error = parse("{\n  \"a\": 1,\n}", Format::Json, "app.json")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("config app.json: "), "{error}");
        assert!(error.contains("line 3"), "{error}");
        let error = parse("a = 1\nb = [1,\n", Format::Toml, "app.toml")
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("config app.toml: "), "{error}");
        assert!(error.contains("line 2"), "{error}");
    }

    #[test]
    fn wrong_types_name_the_key_and_its_line() {
        let error =
            parse("a = 1\nsync_timeout = \"soon\"\n", Format::Toml, "app.toml").unwrap_err();
        assert_eq!(
            error.to_string(),
            "config app.toml, line 2: key \"sync_timeout\" must be a number of seconds (0 or more), not a string (\"soon\")"
        );
        let error = parse("{\"a\": 1,\n \"files\": [\"x\"]}", Format::Json, "c.json").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("config c.json, line 2: key \"files\""),
            "{error}"
        );
        let error = parse("spin = \"no\"\n", Format::Toml, "s.toml").unwrap_err();
        assert_eq!(
            error.to_string(),
            "config s.toml, line 1: key \"spin\" must be true or false, not a string (\"no\")"
        );
        assert!(parse("spin = false", Format::Toml, "s.toml").is_ok());
        let error = parse("call_watch_ms = -1", Format::Toml, "s.toml").unwrap_err();
        assert_eq!(
            error.to_string(),
            "config s.toml, line 1: key \"call_watch_ms\" must be a number of milliseconds \
             (0 or more), not a number (-1)"
        );
        assert!(parse("call_watch_ms = 2.5", Format::Toml, "s.toml").is_ok());
        let error = parse("[\"files\"]", Format::Json, "c").unwrap_err();
        assert_eq!(
            error.to_string(),
            "config c: must be a table of keys (a JSON object), not an array"
        );
    }

    #[test]
    fn packages_are_refused_with_the_way_out() {
        let error = parse("packages = [\"numpy\"]", Format::Toml, "p")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("deliver pure-Python packages with \"files\""),
            "{error}"
        );
        assert!(parse("packages = []", Format::Toml, "p").is_ok());
    }

    #[test]
    fn keys_are_found_in_tables_and_headers() {
        assert_eq!(line_of("a = 1\n[files]\n", "files"), Some(2));
        assert_eq!(line_of("a = 1\n\n[[fetch]]\n", "fetch"), Some(3));
        assert_eq!(line_of("{\"a\": 1, \"b\": 2}", "b"), Some(1));
        assert_eq!(line_of("ab = 1", "b"), None);
    }
}
