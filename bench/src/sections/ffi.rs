//! The FFI section (`--ffi-only`, issue 23): the `js` module and `pyscript.fetch` in a
//! worker, for rustpy and PyScript's MicroPython and Pyodide workers, with the same worker
//! script (`tasks-worker.py`: `jscall`, `fetch_json`, `fetch_parts`) and page task
//! (`tasks-*.html?task=ffi`, `measureFfi` in `bench.js`):
//!
//! - `js.performance.now()` on the worker's own `globalThis`, µs per call: a loop of
//!   `FFI_CALLS` calls timed in the worker, after `FFI_WARM_UP` untimed calls of the same
//!   loop; with, to see where the time goes, `perf.now()` (`perf = js.performance` read
//!   once), a Python function call and the empty loop, per iteration;
//! - `data = await fetch(url).json()` of a generated ~1 MB JSON list of [`RECORDS`] records,
//!   end to end in the worker (after one untimed fetch), and its two halves: `await
//!   fetch(url).text()` and `json.loads` of the text.
//!
//! A fresh worker per round, [`RUNS`] rounds; every figure is the page's median of its timed
//! calls, and the section reports the median over the rounds.

use std::path::Path;

use serde_json::{Value, json};

use crate::BoxError;
use crate::order::Rng;
use crate::peers::{CONTENDERS, task_page};
use crate::stats::Figures;
use crate::table::{Row, Section, line};

use super::{Ctx, Paged, RUNS, TASK_WAIT};

/// The iterations of each `jscall` loop (`FFI_CALLS` in `bench.js`; for the report).
const FFI_CALLS: usize = 20_000;

/// How many records the generated JSON holds (about 100 bytes each).
pub const RECORDS: usize = 10_000;

/// The URL prefix the bench mounts the generated data folder at.
pub const DATA_PREFIX: &str = "/bench-data";

/// The generated JSON's file name in that folder.
const DATA_FILE: &str = "records.json";

/// The section's figures: key in the page's result, label, unit.
const CASES: [(&str, &str, &str); 7] = [
    (
        "jsCallMicros",
        "`js.performance.now()` in a worker, per call",
        "µs",
    ),
    (
        "boundCallMicros",
        "`perf.now()` (`perf = js.performance`), per call",
        "µs",
    ),
    (
        "pyCallMicros",
        "a Python function call (`ping()`), per call",
        "µs",
    ),
    (
        "emptyLoopMicros",
        "the empty `for` loop, per iteration",
        "µs",
    ),
    (
        "fetchJsonMs",
        "`await fetch(url).json()` of 1 MB JSON in a worker",
        "ms",
    ),
    ("fetchTextMs", "`await fetch(url).text()` of the same", "ms"),
    ("jsonLoadsMs", "`json.loads` of its text", "ms"),
];

/// The cases that get a row in the summary table (the others are in the report only).
const SUMMARY_CASES: [&str; 2] = ["jsCallMicros", "fetchJsonMs"];

/// The JSON the fetch case reads: a list of [`RECORDS`] small records (strings, integers,
/// floats, a boolean, a short list of strings, a null now and then), about 1 MB.
pub fn records_json() -> String {
    const WORDS: [&str; 12] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliett", "kilo", "lima",
    ];
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    let records: Vec<Value> = (0..RECORDS)
        .map(|id| {
            let word = |rng: &mut Rng| WORDS[rng.below(WORDS.len() as u64) as usize];
            let tags: Vec<&str> = (0..rng.below(3) + 1).map(|_| word(&mut rng)).collect();
            json!({
                "id": id,
                "name": format!("{} {}", word(&mut rng), word(&mut rng)),
                "active": rng.below(2) == 1,
                "score": rng.below(100_000) as f64 / 100.0,
                "tags": tags,
                "parent": if id % 7 == 0 { Value::Null } else { json!(rng.below(id as u64 + 1)) },
            })
        })
        .collect();
    Value::Array(records).to_string()
}

/// Writes the generated JSON into `folder` (served at [`DATA_PREFIX`]) unless it is there
/// already; returns its size in bytes. No `.br`/`.gz` is written: the file is served as it
/// is (over 127.0.0.1, the same bytes for every contender).
pub fn write_data(folder: &Path) -> Result<usize, BoxError> {
    let text = records_json();
    let path = folder.join(DATA_FILE);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::create_dir_all(folder)?;
        std::fs::write(&path, &text)?;
    }
    Ok(text.len())
}

/// The section's pages: one per contender, on the no-store server (every timed fetch
/// reaches the server, none the HTTP cache).
pub fn pages(ctx: &Ctx<'_>) -> Paged {
    let query = format!("task=ffi&data={DATA_PREFIX}/{DATA_FILE}");
    let pages = CONTENDERS
        .iter()
        .enumerate()
        .map(|(index, name)| (name.to_string(), ctx.server.url(&task_page(index, &query))))
        .collect();
    Paged::new("FFI", pages, ctx.rounds(RUNS), TASK_WAIT)
}

/// The section's report and rows (`ctx.data_bytes`: the size of the generated JSON).
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Section {
    // A fetch that did not read every record is no figure (a failed round).
    let mut outcomes = paged.outcomes.clone();
    for (name, outcome) in CONTENDERS.iter().zip(&mut outcomes) {
        outcome.results.retain(|result| {
            let records = result["records"].as_u64();
            let whole = records == Some(RECORDS as u64);
            if !whole {
                eprintln!("FFI {name}: FAILED: the fetch read {records:?} records of {RECORDS}");
            }
            whole
        });
    }
    let mut report = format!(
        "FFI and fetch in a worker: tests/pages/bench/tasks-worker.py's jscall({FFI_CALLS}) and \
         fetch_json of a generated {RECORDS}-record JSON ({} bytes) in a fresh worker \
         per round, timed in the worker, {} rounds\n",
        ctx.data_bytes, paged.rounds
    );
    let mut rows = Vec::new();
    for (key, label, unit) in CASES {
        let values: [Figures; 3] = [0, 1, 2].map(|index| outcomes[index].figures(key));
        for (name, figures) in CONTENDERS.iter().zip(&values) {
            report += &line(
                &format!("{name}: {label}"),
                ctx.only.selects(name),
                unit,
                figures,
            );
        }
        if SUMMARY_CASES.contains(&key) {
            rows.push(Row::new(label, unit, values));
        }
    }
    Section { report, rows }
}
