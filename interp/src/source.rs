//! Preparing script text taken from a page.

/// Removes the indentation common to all non-blank lines.
///
/// Inline code in HTML is usually indented to match the markup around it; Python would
/// reject it as an unexpected indent. Lines are kept (blank ones too), so a traceback's
/// line numbers count from the first line of the script's text. Source files are normally
/// unindented and come out unchanged.
pub fn dedent(source: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(source.len());
    for line in lines {
        // Blank lines may be shorter than the indent; the prefix is all whitespace.
        out.push_str(line.get(indent..).unwrap_or(""));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::dedent;

    #[test]
    fn removes_common_indent_and_keeps_every_line() {
        let source = "\n\n    x = 1\n    if x:\n        print(x)\n\n    y = 2\n  ";
        assert_eq!(
            dedent(source),
            "\n\nx = 1\nif x:\n    print(x)\n\ny = 2\n\n"
        );
    }

    #[test]
    fn keeps_unindented_code() {
        assert_eq!(dedent("a = 1\n  b = 2"), "a = 1\n  b = 2\n");
    }

    #[test]
    fn keeps_line_numbers() {
        assert_eq!(dedent("\n  1/0").lines().nth(1), Some("1/0"));
    }
}
