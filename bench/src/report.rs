//! The run's context (date, machine, browser, command, commit, peers, seed) and the
//! generated part of BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;

use rustpy_e2e::browser::Engine;

use crate::BoxError;

/// The generated part of `BENCHMARKS.md` of one engine's runs: Chromium's (the first, the
/// table every other section of the file refers to) or another engine's, each between its
/// own markers so that a run in one engine leaves the others' tables alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    /// The engine the run was in.
    pub engine: Engine,
}

impl Generated {
    /// What the markers of this engine's part name after `bench:` (Chromium's part keeps
    /// the markers it had before there were others).
    fn tag(&self) -> String {
        match self.engine {
            Engine::Chromium => String::new(),
            other => format!("{}:", other.name()),
        }
    }

    /// The marker that opens this engine's part.
    pub fn begin(&self) -> String {
        format!("<!-- bench:{}begin -->", self.tag())
    }

    /// The marker that closes this engine's part.
    pub fn end(&self) -> String {
        format!("<!-- bench:{}end -->", self.tag())
    }

    /// The heading of this engine's part.
    fn heading(&self) -> &'static str {
        match self.engine {
            Engine::Chromium => "### Latest generated run",
            Engine::Firefox => "### Latest generated run in Firefox",
            Engine::Webkit => "### Latest generated run in WebKit",
        }
    }

    /// The part itself: when, where, how, and the summary table.
    pub fn section(&self, context: &[String], table: &str) -> String {
        let mut text = format!(
            "{}\n<!-- Written by bench/ (cargo xtask bench): edits here are overwritten. -->\n\n\
             {}\n\n",
            self.begin(),
            self.heading()
        );
        for line in context {
            let _ = writeln!(text, "- {line}");
        }
        text += "\n";
        text += table;
        text += &format!("\n{}", self.end());
        text
    }

    /// `text` with this engine's part replaced by `section` (the markers included). Without
    /// its markers, `section` goes after the last engine's part already there, or else
    /// before the first `## ` heading after the title.
    pub fn replace_in(&self, text: &str, section: &str) -> String {
        let (begin, end) = (self.begin(), self.end());
        if let (Some(from), Some(to)) = (text.find(&begin), text.find(&end))
            && from < to
        {
            return format!("{}{section}{}", &text[..from], &text[to + end.len()..]);
        }
        let after_parts = Engine::ALL
            .into_iter()
            .filter_map(|engine| {
                let end = Generated { engine }.end();
                text.find(&end).map(|at| at + end.len())
            })
            .max();
        match after_parts {
            Some(at) => format!("{}\n\n{section}{}", &text[..at], &text[at..]),
            None => {
                let at = text.find("\n## ").map_or(text.len(), |i| i + 1);
                format!("{}{section}\n\n{}", &text[..at], &text[at..])
            }
        }
    }

    /// Writes `section` into the file at `path` (see [`Generated::replace_in`]).
    pub fn write(&self, path: &Path, section: &str) -> Result<(), BoxError> {
        let text = std::fs::read_to_string(path)?;
        std::fs::write(path, self.replace_in(&text, section))?;
        Ok(())
    }
}

/// The output of a command, trimmed (empty when it cannot run).
pub fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The first three fields of `/proc/loadavg` (empty where there is none).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The short commit of the tree at `root`, with " with local changes" when it is dirty.
pub fn commit(root: &Path) -> String {
    let root = root.to_string_lossy();
    let commit = command_output("git", &["-C", &root, "rev-parse", "--short", "HEAD"]);
    let dirty = !command_output(
        "git",
        &["-C", &root, "status", "--porcelain", "--untracked-files=no"],
    )
    .is_empty();
    if dirty {
        format!("{commit} with local changes")
    } else {
        commit
    }
}

/// The command that repeats this run (`args`: the bench's own arguments).
pub fn command(args: &[String]) -> String {
    let base = "cargo run --release -q -p rustpy-bench --bin bench";
    if args.is_empty() {
        base.to_string()
    } else {
        format!("{base} -- {}", args.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROMIUM: Generated = Generated {
        engine: Engine::Chromium,
    };
    const FIREFOX: Generated = Generated {
        engine: Engine::Firefox,
    };

    #[test]
    fn the_generated_part_is_replaced_between_the_markers() {
        let old = "# T\n\nintro\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n\n## Rest\n";
        let new = CHROMIUM.replace_in(old, &CHROMIUM.section(&["Date: now".into()], "| t |\n"));
        assert!(
            new.starts_with("# T\n\nintro\n<!-- bench:begin -->"),
            "{new}"
        );
        assert!(
            new.contains("- Date: now\n\n| t |\n\n<!-- bench:end -->\n\n## Rest\n"),
            "{new}"
        );
        assert!(!new.contains("old"));
    }

    #[test]
    fn without_markers_it_goes_before_the_first_section() {
        let new = CHROMIUM.replace_in("# T\n\n## A\n", "X");
        assert_eq!(new, "# T\n\nX\n\n## A\n");
    }

    #[test]
    fn another_engine_gets_its_own_part_after_chromium_and_leaves_it_alone() {
        let old = "# T\n<!-- bench:begin -->\nC\n<!-- bench:end -->\n\n## Rest\n";
        let section = FIREFOX.section(&["Date: now".into()], "| f |\n");
        assert!(
            section.contains("### Latest generated run in Firefox"),
            "{section}"
        );
        let new = FIREFOX.replace_in(old, &section);
        assert!(
            new.starts_with(
                "# T\n<!-- bench:begin -->\nC\n<!-- bench:end -->\n\n<!-- bench:firefox:begin -->"
            ),
            "{new}"
        );
        assert!(
            new.ends_with("| f |\n\n<!-- bench:firefox:end -->\n\n## Rest\n"),
            "{new}"
        );
        // A second Firefox run replaces the first one's part only.
        let again = FIREFOX.replace_in(&new, &FIREFOX.section(&[], "| g |\n"));
        assert!(again.contains("\nC\n") && again.contains("| g |") && !again.contains("| f |"));
    }

    #[test]
    fn the_command_repeats_the_arguments() {
        assert_eq!(
            command(&[]),
            "cargo run --release -q -p rustpy-bench --bin bench"
        );
        let args = ["--dom-only".to_string(), "--seed".into(), "7".into()];
        assert!(command(&args).ends_with("--bin bench -- --dom-only --seed 7"));
    }
}
