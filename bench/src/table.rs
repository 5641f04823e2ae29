//! The report's lines and the summary table: numbers, cells (median, range across the
//! rounds, successful rounds of those attempted), rows and the Markdown table with its notes.

use std::fmt::Write as _;

use crate::peers::CONTENDERS;
use crate::stats::{Figures, median, range};

/// One line of the summary table: a metric with, per contender (in [`CONTENDERS`] order),
/// its figures over the rounds (`None`: not measured for that contender).
pub struct Row {
    /// What is measured.
    pub metric: String,
    /// Its unit (`ms`, `µs`, `KB`, ...).
    pub unit: &'static str,
    /// Per contender, its figures.
    pub values: [Option<Figures>; 3],
    /// A footnote (empty: none).
    pub note: String,
    /// The ratio column's text when the section computes it (the default: rustpy / the
    /// best peer).
    pub ratio: Option<String>,
}

impl Row {
    /// A row with the same kind of figure for all three contenders.
    pub fn new(metric: impl Into<String>, unit: &'static str, values: [Figures; 3]) -> Self {
        Self::some(metric, unit, values.map(Some))
    }

    /// A row where some contenders have no such figure (`None`).
    pub fn some(
        metric: impl Into<String>,
        unit: &'static str,
        values: [Option<Figures>; 3],
    ) -> Self {
        Self {
            metric: metric.into(),
            unit,
            values,
            note: String::new(),
            ratio: None,
        }
    }

    /// This row with a footnote.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// This row with its own ratio column.
    pub fn with_ratio(mut self, ratio: impl Into<String>) -> Self {
        self.ratio = Some(ratio.into());
        self
    }

    /// The ratio column: the section's own, else rustpy / the best (lowest) peer median.
    fn ratio_text(&self) -> String {
        if let Some(ratio) = &self.ratio {
            return ratio.clone();
        }
        let median_of = |v: &Option<Figures>| v.as_ref().map_or(f64::NAN, Figures::median);
        let rustpy = median_of(&self.values[0]);
        let mut best: Option<(f64, &str)> = None;
        for (index, values) in self.values.iter().enumerate().skip(1) {
            let value = median_of(values);
            if value.is_finite() && best.is_none_or(|(b, _)| value < b) {
                best = Some((value, CONTENDERS[index].trim_start_matches("PyScript + ")));
            }
        }
        match best {
            Some((peer, name)) if (rustpy / peer).is_finite() => {
                format!("{} (vs {name})", ratio(rustpy, peer))
            }
            _ => "n/a".to_string(),
        }
    }
}

/// A section's outcome: its detailed report and its lines of the summary table.
pub struct Section {
    /// The section's report (printed before the summary).
    pub report: String,
    /// Its rows of the summary table.
    pub rows: Vec<Row>,
}

/// A number for a table cell: one decimal below 1000, none above, thousands separated.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "n/a".to_string();
    }
    // No "-0.0".
    let value = if value == 0.0 { 0.0 } else { value };
    let text = if value.abs() < 1000.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A summary cell: `median (min–max) ok/attempted`, `median ok/attempted` for a single
/// successful round, `failed 0/attempted`, `not run`, or `—` where not measured.
pub fn cell(figures: Option<&Figures>) -> String {
    let Some(figures) = figures else {
        return "—".to_string();
    };
    let rounds = format!("{}/{}", figures.values.len(), figures.attempts);
    match figures.values.as_slice() {
        [] if figures.attempts == 0 => "not run".to_string(),
        [] => format!("failed {rounds}"),
        [one] => format!("{} {rounds}", number(*one)),
        values => {
            let (min, max) = range(values);
            format!(
                "{} ({}–{}) {rounds}",
                number(median(values)),
                number(min),
                number(max)
            )
        }
    }
}

/// `a / b` to two decimals (three significant digits below 0.01), or `n/a` when either
/// side did not run.
pub fn ratio(a: f64, b: f64) -> String {
    let value = a / b;
    if !value.is_finite() {
        "n/a".to_string()
    } else if value != 0.0 && value.abs() < 0.01 {
        format!("{value:.1e}")
    } else {
        format!("{value:.2}")
    }
}

/// The summary table (Markdown) of `rows`, with the notes under it.
pub fn summary_table(rows: &[Row]) -> String {
    let mut table = format!(
        "| metric | {} | {} | {} | rustpy / best peer |\n| --- | ---: | ---: | ---: | ---: |\n",
        CONTENDERS[0], CONTENDERS[1], CONTENDERS[2]
    );
    let mut notes = String::new();
    for row in rows {
        let mut metric = format!("{} ({})", row.metric, row.unit);
        if !row.note.is_empty() {
            // A note already given keeps its number.
            let given = notes
                .lines()
                .position(|line| line.split_once("] ").is_some_and(|(_, n)| n == row.note));
            let mark = given.unwrap_or_else(|| notes.lines().count()) + 1;
            metric += &format!(" [{mark}]");
            if given.is_none() {
                let _ = writeln!(notes, "[{mark}] {}", row.note);
            }
        }
        let cells: Vec<String> = row.values.iter().map(|v| cell(v.as_ref())).collect();
        let _ = writeln!(
            table,
            "| {metric} | {} | {} |",
            cells.join(" | "),
            row.ratio_text()
        );
    }
    if !notes.is_empty() {
        table += "\n";
        for line in notes.lines() {
            let _ = writeln!(table, "{line}  ");
        }
    }
    table
}

/// One line of the report: median, min and max of `figures`, and the rounds that counted.
pub fn summary(name: &str, unit: &str, figures: &Figures) -> String {
    let (min, max) = range(&figures.values);
    format!(
        "{name:<60} median {:>9.1} {unit}   min {min:>9.1}   max {max:>9.1}   ({}/{} rounds)\n",
        figures.median(),
        figures.values.len(),
        figures.attempts
    )
}

/// The line of a contender that has no figure.
pub fn did_not_run(name: &str) -> String {
    format!("{name:<60} did not run (see the FAILED lines above)\n")
}

/// The line of a contender left out by `--only`.
pub fn skipped(name: &str) -> String {
    format!("{name:<60} skipped (--only)\n")
}

/// A section line: skipped, did not run, or the summary of `figures`.
pub fn line(name: &str, selected: bool, unit: &str, figures: &Figures) -> String {
    if !selected {
        skipped(name)
    } else if figures.values.is_empty() {
        did_not_run(name)
    } else {
        summary(name, unit, figures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_thousands_and_keep_one_decimal_below_1000() {
        assert_eq!(number(9.94), "9.9");
        assert_eq!(number(-0.0), "0.0");
        assert_eq!(number(31_277.4), "31,277");
        assert_eq!(number(-1234.0), "-1,234");
        assert_eq!(number(f64::NAN), "n/a");
    }

    #[test]
    fn cells_show_the_range_and_the_rounds_that_counted() {
        assert_eq!(cell(None), "—");
        assert_eq!(cell(Some(&Figures::default())), "not run");
        let failed = Figures {
            values: vec![],
            attempts: 3,
        };
        assert_eq!(cell(Some(&failed)), "failed 0/3");
        let one = Figures {
            values: vec![5.0],
            attempts: 3,
        };
        assert_eq!(cell(Some(&one)), "5.0 1/3");
        let three = Figures::all(vec![2.0, 1.0, 4.0]);
        assert_eq!(cell(Some(&three)), "2.0 (1.0–4.0) 3/3");
    }

    #[test]
    fn ratios_never_print_zero_for_a_small_quotient() {
        assert_eq!(ratio(1.0, 4.0), "0.25");
        assert_eq!(ratio(4.8, 31_277.0), "1.5e-4");
        assert_eq!(ratio(1.0, f64::NAN), "n/a");
    }

    #[test]
    fn the_table_has_a_row_per_metric_the_best_peer_and_numbered_notes() {
        let rows = [
            Row::new(
                "boot",
                "ms",
                [
                    Figures::all(vec![10.0]),
                    Figures::all(vec![20.0, 20.0]),
                    Figures::all(vec![5.0]),
                ],
            )
            .with_note("a note"),
            Row::some(
                "only rustpy",
                "ms",
                [Some(Figures::all(vec![1.0])), None, None],
            ),
            Row::some(
                "own ratio",
                "µs",
                [Some(Figures::all(vec![1.0])), None, None],
            )
            .with_ratio("0.50 (vs itself)")
            .with_note("another"),
            Row::some("same note", "ms", [None, None, None]).with_note("a note"),
        ];
        let table = summary_table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[2],
            "| boot (ms) [1] | 10.0 1/1 | 20.0 (20.0–20.0) 2/2 | 5.0 1/1 | 2.00 (vs Pyodide) |"
        );
        assert_eq!(lines[3], "| only rustpy (ms) | 1.0 1/1 | — | — | n/a |");
        assert_eq!(
            lines[4],
            "| own ratio (µs) [2] | 1.0 1/1 | — | — | 0.50 (vs itself) |"
        );
        assert_eq!(lines[5], "| same note (ms) [1] | — | — | — | n/a |");
        assert_eq!(lines[7], "[1] a note  ");
        assert_eq!(lines[8], "[2] another  ");
        assert_eq!(lines.len(), 9);
    }

    #[test]
    fn report_lines_name_the_rounds() {
        let figures = Figures {
            values: vec![1.0, 3.0],
            attempts: 3,
        };
        let text = summary("x", "ms", &figures);
        assert!(text.contains("median       2.0 ms"), "{text}");
        assert!(text.ends_with("(2/3 rounds)\n"), "{text}");
        assert!(line("x", false, "ms", &figures).contains("skipped"));
        assert!(line("x", true, "ms", &Figures::default()).contains("did not run"));
    }
}
