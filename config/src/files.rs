//! The files a config asks for, as PyScript documents them:
//!
//! - `files`: `{"url": "path"}`. Keys written `{NAME}` are placeholders whose value
//!   replaces `{NAME}` in the other keys and values (and in other placeholders); an empty
//!   path is the URL's file name in the working directory; a path ending in `/` is a
//!   folder that gets the URL's file name; a path ending in `/*` unpacks a `.zip` or
//!   `.tar.gz` into that folder. Every destination must be unique.
//! - `fetch` (the older form): `[{"from": "base/", "files": ["a.py"], "to_folder": "d",
//!   "to_file": "name"}]`, every key optional: each of `files` is fetched from `from` into
//!   `to_folder` keeping its relative path; without `files`, `from` itself is fetched
//!   into `to_folder`/`to_file` (default: its file name).

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::describe;

/// One file to fetch before the script runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// The URL, relative to the page (the page resolves it).
    pub url: String,
    /// Where it goes: a path, relative to the working directory unless absolute. For an
    /// archive ([`FileEntry::unpack`]), the folder its contents go into.
    pub to: String,
    /// The file is a `.zip` or `.tar.gz` to unpack into `to`.
    pub unpack: bool,
}

/// A key path and what it must be, for [`crate::ConfigError::WrongType`].
pub(crate) type Problem = (String, String);

/// Plans the files of `config`'s `files` and `fetch` keys.
pub(crate) fn plan(config: &Map<String, Value>) -> Result<Vec<FileEntry>, Problem> {
    let mut entries = Vec::new();
    if let Some(files) = config.get("files") {
        entries.extend(from_files(files)?);
    }
    if let Some(fetch) = config.get("fetch") {
        entries.extend(from_fetch(fetch)?);
    }
    let mut seen = HashSet::new();
    for entry in &entries {
        if !seen.insert(normalise(&entry.to)) {
            return Err((
                "files".into(),
                format!(
                    "names the destination \"{}\" twice: every destination must be unique",
                    entry.to
                ),
            ));
        }
    }
    Ok(entries)
}

fn is_placeholder(key: &str) -> bool {
    key.len() > 2 && key.starts_with('{') && key.ends_with('}')
}

fn from_files(files: &Value) -> Result<Vec<FileEntry>, Problem> {
    let Value::Object(files) = files else {
        return Err((
            "files".into(),
            format!(
                "must be a table of URL = path strings, not {}",
                describe(files)
            ),
        ));
    };
    let mut values = Vec::new();
    for (key, value) in files {
        let Value::String(value) = value else {
            return Err((
                format!("files.{key}"),
                format!("must be a path string, not {}", describe(value)),
            ));
        };
        values.push((key.as_str(), value.as_str()));
    }
    let placeholders: Vec<(&str, &str)> = values
        .iter()
        .copied()
        .filter(|(k, _)| is_placeholder(k))
        .collect();
    let fill = |text: &str, key: &str| -> Result<String, Problem> {
        let mut text = text.to_string();
        // Placeholders may use placeholders: substitute as many times as there are.
        for _ in 0..=placeholders.len() {
            if !placeholders.iter().any(|(name, _)| text.contains(name)) {
                return Ok(text);
            }
            for (name, value) in &placeholders {
                text = text.replace(name, value);
            }
        }
        Err((
            format!("files.{key}"),
            "uses placeholders that refer to each other in a loop".into(),
        ))
    };
    let mut entries = Vec::new();
    for (key, value) in values.into_iter().filter(|(k, _)| !is_placeholder(k)) {
        let url = fill(key, key)?;
        let to = fill(value, key)?;
        entries.push(entry(url, &to).map_err(|why| (format!("files.{key}"), why))?);
    }
    Ok(entries)
}

/// The entry for `url` going to `to` (a path, a folder ending in `/`, `""`, or
/// `folder/*` for an archive).
fn entry(url: String, to: &str) -> Result<FileEntry, String> {
    if let Some(folder) = to.strip_suffix("/*").or((to == "*").then_some("")) {
        if !is_archive(&url) {
            return Err(format!(
                "unpacks \"{url}\" into \"{to}\", but only .zip, .tar.gz and .tgz files can be unpacked"
            ));
        }
        let folder = if folder.is_empty() { "." } else { folder };
        return Ok(FileEntry {
            url,
            to: folder.to_string(),
            unpack: true,
        });
    }
    let to = if to.is_empty() {
        format!("./{}", file_name(&url)?)
    } else if to.ends_with('/') {
        format!("{to}{}", file_name(&url)?)
    } else {
        to.to_string()
    };
    Ok(FileEntry {
        url,
        to,
        unpack: false,
    })
}

/// Whether `url` names an archive rustpy unpacks.
fn is_archive(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    path.ends_with(".zip") || path.ends_with(".tar.gz") || path.ends_with(".tgz")
}

/// The last segment of a URL's path.
fn file_name(url: &str) -> Result<&str, String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    match path.rsplit('/').next() {
        Some(name) if !name.is_empty() && name != "." && name != ".." => Ok(name),
        _ => Err(format!(
            "\"{url}\" has no file name to use as the destination: give a path"
        )),
    }
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() {
        name.to_string()
    } else if base.ends_with('/') {
        format!("{base}{name}")
    } else {
        format!("{base}/{name}")
    }
}

fn from_fetch(fetch: &Value) -> Result<Vec<FileEntry>, Problem> {
    let Value::Array(items) = fetch else {
        return Err((
            "fetch".into(),
            format!("must be an array of tables, not {}", describe(fetch)),
        ));
    };
    let mut entries = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = |field: &str| format!("fetch[{index}]{field}");
        let Value::Object(item) = item else {
            return Err((at(""), format!("must be a table, not {}", describe(item))));
        };
        let text = |field: &str, default: &'static str| -> Result<String, Problem> {
            match item.get(field) {
                None => Ok(default.to_string()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err((
                    at(&format!(".{field}")),
                    format!("must be a string, not {}", describe(other)),
                )),
            }
        };
        let from = text("from", "")?;
        let folder = text("to_folder", ".")?;
        match item.get("files") {
            None => {
                let to = match item.get("to_file") {
                    Some(_) => join(&folder, &text("to_file", "")?),
                    None => join(&folder, file_name(&from).map_err(|why| (at(".from"), why))?),
                };
                entries.push(FileEntry {
                    url: from,
                    to,
                    unpack: false,
                });
            }
            Some(Value::Array(files)) => {
                for name in files {
                    let Value::String(name) = name else {
                        return Err((
                            at(".files"),
                            format!(
                                "must be an array of strings, not one holding {}",
                                describe(name)
                            ),
                        ));
                    };
                    entries.push(FileEntry {
                        url: join(&from, name),
                        to: join(&folder, name),
                        unpack: false,
                    });
                }
            }
            Some(other) => {
                return Err((
                    at(".files"),
                    format!("must be an array of strings, not {}", describe(other)),
                ));
            }
        }
    }
    Ok(entries)
}

/// A destination without `./` segments and doubled slashes, to compare destinations.
fn normalise(path: &str) -> String {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn planned(config: Value) -> Result<Vec<(String, String, bool)>, Problem> {
        let Value::Object(config) = config else {
            unreachable!()
        };
        let mut files: Vec<_> = plan(&config)?
            .into_iter()
            .map(|e| (e.url, e.to, e.unpack))
            .collect();
        files.sort();
        Ok(files)
    }

    fn e(url: &str, to: &str, unpack: bool) -> (String, String, bool) {
        (url.into(), to.into(), unpack)
    }

    #[test]
    fn plain_paths_folders_and_empty_destinations() {
        let files =
            planned(json!({"files": {"data.csv": "", "a/b.py?v=1": "./pkg/", "c.py": "lib/c.py"}}))
                .unwrap();
        assert_eq!(
            files,
            vec![
                e("a/b.py?v=1", "./pkg/b.py", false),
                e("c.py", "lib/c.py", false),
                e("data.csv", "./data.csv", false)
            ]
        );
    }

    #[test]
    fn placeholders_fill_urls_and_paths_and_each_other() {
        let files = planned(json!({"files": {
            "{DOMAIN}": "https://x.org", "{FROM}": "{DOMAIN}/lib", "{TO}": "./mod/",
            "{FROM}/__init__.py": "{TO}", "{FROM}/foo.py": "{TO}foo.py"
        }}))
        .unwrap();
        assert_eq!(
            files,
            vec![
                e("https://x.org/lib/__init__.py", "./mod/__init__.py", false),
                e("https://x.org/lib/foo.py", "./mod/foo.py", false),
            ]
        );
        let looped =
            planned(json!({"files": {"{A}": "{B}", "{B}": "{A}", "{A}/x": ""}})).unwrap_err();
        assert!(looped.1.contains("loop"));
    }

    #[test]
    fn archives_unpack_into_folders() {
        let files = planned(json!({"files": {"d.zip": "./data/*", "t.tar.gz": "*"}})).unwrap();
        assert_eq!(
            files,
            vec![e("d.zip", "./data", true), e("t.tar.gz", ".", true)]
        );
        let error = planned(json!({"files": {"d.txt": "./data/*"}})).unwrap_err();
        assert!(error.1.contains("only .zip, .tar.gz and .tgz"), "{error:?}");
    }

    #[test]
    fn the_fetch_form() {
        let files = planned(json!({"fetch": [
            {"from": "src/", "files": ["a.py", "sub/b.py"], "to_folder": "lib"},
            {"from": "data/x.csv"},
            {"from": "data/y.csv", "to_file": "z.csv"}
        ]}))
        .unwrap();
        assert_eq!(
            files,
            vec![
                e("data/x.csv", "./x.csv", false),
                e("data/y.csv", "./z.csv", false),
                e("src/a.py", "lib/a.py", false),
                e("src/sub/b.py", "lib/sub/b.py", false),
            ]
        );
        let error = planned(json!({"fetch": [{"files": "a.py"}]})).unwrap_err();
        assert_eq!(error.0, "fetch[0].files");
    }

    #[test]
    fn destinations_are_unique() {
        let error = planned(json!({"files": {"a/x.py": "./x.py", "b/x.py": "x.py"}})).unwrap_err();
        assert!(error.1.contains("twice"), "{error:?}");
        let error = planned(json!({"files": {"a": 1}})).unwrap_err();
        assert_eq!(error.0, "files.a");
    }
}
