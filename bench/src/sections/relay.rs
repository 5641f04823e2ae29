//! The relay section (`--relay-only`): the service-worker relay against shared memory, the
//! mean latency of a worker→page `sync.add(i, 1)` (N=500 after 500 untimed) for the same
//! worker (`serviceWorker: ...` given) on a page served without isolation headers (blocking
//! calls are synchronous XHRs relayed by a service worker: rustpy's `/rustpy-sw.js`,
//! PyScript's sabayon) and on an isolated one (shared memory), and the floor of any such
//! relay (a synchronous XHR that a service worker answers at once); each relay page on its
//! own origin (their service workers would clash).

use std::fmt::Write as _;
use std::time::Duration;

use rustpy_e2e::server::TestServer;

use crate::BoxError;
use crate::peers::CONTENDERS;
use crate::stats::Figures;
use crate::table::{Row, Section, line, number, ratio};

use super::{Ctx, Paged};

/// Rounds of the section.
const RELAY_ROUNDS: usize = 3;

/// How long the bench waits for a relay page (its own limit is 240 s).
const RELAY_WAIT: Duration = Duration::from_secs(300);

/// The relay benchmark's contenders: name and page (a query follows: `mode=` is added).
const RELAY_PAGES: [(&str, &str); 3] = [
    ("rustpy", "/bench/relay-rustpy.html?"),
    (
        "PyScript + MicroPython",
        "/bench/relay-pyscript.html?type=micropython&",
    ),
    (
        "PyScript + Pyodide",
        "/bench/relay-pyscript.html?type=pyodide&",
    ),
];

/// The relay's floor: a worker's synchronous XHR that a service worker answers at once.
const RELAY_RAW_PAGE: &str = "/bench/relay-raw.html?mode=relay";

/// The relay comparison's two modes: `?mode=` of the page, label, and whether the page is
/// served with the isolation headers.
const RELAY_MODES: [(&str, &str, bool); 2] = [
    ("shared", "shared memory (isolated page)", true),
    ("relay", "service-worker relay (no isolation)", false),
];

/// The servers of the relay section without isolation headers: rustpy's relay origin,
/// PyScript's relay origin and the raw floor's. One origin each because service workers
/// clash: rustpy-sw.js's scope (`/`) covers `/bench/`, and sabayon, finding that
/// registration, unregisters it and reloads the page.
pub struct RelayServers<'a> {
    /// rustpy's relay origin.
    pub rustpy: &'a TestServer,
    /// PyScript's relay origin.
    pub pyscript: &'a TestServer,
    /// The raw floor's origin.
    pub raw: &'a TestServer,
}

/// The section's pages: each contender in each mode, then the raw floor.
pub fn pages(ctx: &Ctx<'_>) -> Result<Paged, BoxError> {
    let servers = ctx
        .relay
        .as_ref()
        .ok_or("the relay section's servers were not started")?;
    let mut pages = Vec::new();
    for (contender, (name, path)) in RELAY_PAGES.iter().enumerate() {
        for (mode, label, isolated) in RELAY_MODES {
            let server = match (isolated, contender) {
                (true, _) => ctx.server,
                (false, 0) => servers.rustpy,
                (false, _) => servers.pyscript,
            };
            let url = server.url(&format!("{path}mode={mode}"));
            pages.push((format!("{name}: {label}"), url));
        }
    }
    let raw_name = "raw floor: a synchronous XHR a service worker answers at once";
    pages.push((raw_name.to_string(), servers.raw.url(RELAY_RAW_PAGE)));
    Ok(Paged::new(
        "relay",
        pages,
        ctx.rounds(RELAY_ROUNDS),
        RELAY_WAIT,
    ))
}

/// The section's report and rows.
pub fn report(paged: &Paged, ctx: &Ctx<'_>) -> Result<Section, BoxError> {
    let mut report = format!(
        "service-worker relay vs shared memory: worker->page sync.add (N=500), per call, \
         {} rounds in one browser\n",
        paged.rounds
    );
    let figures: Vec<Figures> = paged
        .outcomes
        .iter()
        .map(|o| o.figures("syncMicros"))
        .collect();
    for ((name, _), figures) in paged.pages.iter().zip(&figures) {
        report += &line(name, ctx.only.selects(name), "µs", figures);
    }
    let raw_floor = figures[paged.pages.len() - 1].median();
    let at = |contender: usize, mode: usize| &figures[contender * RELAY_MODES.len() + mode];
    let rows = RELAY_MODES
        .iter()
        .enumerate()
        .map(|(mode, (_, label, _))| {
            let values = [0, 1, 2].map(|c| at(c, mode).clone());
            let row = Row::new(format!("sync.add per call, {label} (N=500)"), "µs", values);
            if mode == 1 {
                row.with_note(format!(
                    "raw floor (a worker's synchronous XHR that a service worker answers at \
                     once: no page, no interpreter): {} µs",
                    number(raw_floor)
                ))
            } else {
                row
            }
        })
        .collect();
    report += "\nratios (medians)\n";
    for (contender, name) in CONTENDERS.iter().enumerate() {
        writeln!(
            report,
            "  {name}: relay / shared = {}",
            ratio(at(contender, 1).median(), at(contender, 0).median())
        )?;
    }
    // f64::min ignores NaN, so a peer that did not run drops out of "best".
    let best_peer = at(1, 1).median().min(at(2, 1).median());
    writeln!(
        report,
        "  relay: rustpy / best PyScript = {}   rustpy / raw floor = {}   best PyScript / raw floor = {}",
        ratio(at(0, 1).median(), best_peer),
        ratio(at(0, 1).median(), raw_floor),
        ratio(best_peer, raw_floor)
    )?;
    Ok(Section { report, rows })
}
