//! The run's context (date, machine, browser, command, commit, peers, seed) and the
//! generated part of BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;

use crate::BoxError;

/// Marks the generated part of `BENCHMARKS.md`.
pub const BEGIN_MARKER: &str = "<!-- bench:begin -->";
/// Ends the generated part of `BENCHMARKS.md` (the counterpart of [`BEGIN_MARKER`]).
pub const END_MARKER: &str = "<!-- bench:end -->";

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

/// The generated part of BENCHMARKS.md: when, where, how, and the summary table.
pub fn generated_section(context: &[String], table: &str) -> String {
    let mut text = format!(
        "{BEGIN_MARKER}\n<!-- Written by bench/ (cargo xtask bench): edits here are overwritten. -->\n\n\
         ### Latest generated run\n\n"
    );
    for line in context {
        let _ = writeln!(text, "- {line}");
    }
    text += "\n";
    text += table;
    text += &format!("\n{END_MARKER}");
    text
}

/// `text` with the part between the markers replaced by `section` (the markers included);
/// without markers, `section` goes before the first `## ` heading after the title.
pub fn replace_generated(text: &str, section: &str) -> String {
    match (text.find(BEGIN_MARKER), text.find(END_MARKER)) {
        (Some(begin), Some(end)) if begin < end => format!(
            "{}{section}{}",
            &text[..begin],
            &text[end + END_MARKER.len()..]
        ),
        _ => {
            let at = text.find("\n## ").map_or(text.len(), |i| i + 1);
            format!("{}{section}\n\n{}", &text[..at], &text[at..])
        }
    }
}

/// Writes `section` into the file at `path` (see [`replace_generated`]).
pub fn write_benchmarks_md(path: &Path, section: &str) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(path)?;
    std::fs::write(path, replace_generated(&text, section))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_part_is_replaced_between_the_markers() {
        let old = format!("# T\n\nintro\n{BEGIN_MARKER}\nold\n{END_MARKER}\n\n## Rest\n");
        let new = replace_generated(&old, &generated_section(&["Date: now".into()], "| t |\n"));
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
        let new = replace_generated("# T\n\n## A\n", "X");
        assert_eq!(new, "# T\n\nX\n\n## A\n");
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
