//! `ripple trace PIPELINE --log FILE`: every rejection in a downstream error log traced to
//! the entry field it came from and, through the journal, to the change that set it.
//!
//! The log is streamed: each event is handed to the caller as soon as it is complete, and
//! what is kept (the per-origin counts, the first unmatched lines) does not grow with the
//! log.

use std::collections::{BTreeSet, HashMap};
use std::io::BufRead;
use std::ops::ControlFlow;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::constraints;
use crate::error::Error;
use crate::journal::{Entry, Journal};
use crate::logscan::{self, LogEvent, Scanner, Stats};
use crate::pipeline::{Pipeline, SystemId};

/// An entry system's field.
type EntryField = (SystemId, String);
/// The entry fields a field derives from, whether it is personal data, and the index of
/// its cause in the counts.
type Origins = (Arc<Vec<EntryField>>, bool, usize);

/// Unmatched lines kept for listing; the rest are only counted.
pub const KEEP_UNMATCHED: usize = 50;

/// A log event traced to its origin.
#[derive(Debug, Clone)]
pub struct TracedEvent {
    /// What the log said.
    pub event: LogEvent,
    /// The entry fields the rejected field derives from (empty when the field is unknown);
    /// shared by every event of the same field.
    pub origin: Arc<Vec<(SystemId, String)>>,
    /// The journalled change that set this value in this system, when there is one.
    pub change: Option<Entry>,
    /// Whether the rejected field holds personal data (`x-pii`).
    pub pii: bool,
}

/// Failures explained by one origin: an entry field, or the entry fields a value is built
/// from together. Each event counts for exactly one cause, so the counts add up to the
/// events.
#[derive(Debug, Clone)]
pub struct Cause {
    /// The entry fields (empty: events whose field or origin is unknown).
    pub origin: Vec<(SystemId, String)>,
    /// How many events it explains.
    pub count: u64,
    /// The systems that rejected them.
    pub systems: BTreeSet<String>,
}

/// What a whole log amounted to.
#[derive(Debug, Clone, Default)]
pub struct LogSummary {
    /// Lines, bytes, events and unmatched lines read.
    pub stats: Stats,
    /// Root causes, most failures first.
    pub causes: Vec<Cause>,
    /// The first [`KEEP_UNMATCHED`] unmatched lines: number and text.
    pub unmatched_lines: Vec<(u64, String)>,
}

/// Streams `reader` through the pipeline's error patterns, calling `on_event` for every
/// traced event; reading stops early when it returns `Break` (the reader of the output
/// went away), and the summary then covers what was read.
///
/// # Errors
/// No system declares `errors` (and no `only`), an unknown `only`, or the log cannot be
/// read.
pub fn trace_log<R: BufRead>(
    pipeline: &Pipeline,
    reader: R,
    only: Option<&str>,
    journal: Option<&Journal>,
    mut on_event: impl FnMut(&TracedEvent) -> ControlFlow<()>,
) -> Result<LogSummary, Error> {
    let mut scanner = Scanner::new(pipeline, only)?;
    // By system, then field: looked up by `&str`, so a known field costs no allocation
    // (with the fast hash: a dense log looks them up once per event).
    let mut origins: FxHashMap<String, FxHashMap<String, Origins>> = FxHashMap::default();
    let mut causes = Causes::default();
    let stop = std::cell::Cell::new(false);
    let reader = Stoppable {
        inner: reader,
        stop: &stop,
    };
    let mut unmatched_lines = Vec::new();
    let mut journal_error: Option<Error> = None;
    let stats = logscan::scan_listing(
        &mut scanner,
        reader,
        |event| {
            let (origin, pii, cause) = match &event.field {
                Some(field) => {
                    let by_field = match origins.get_mut(event.system.as_str()) {
                        Some(m) => m,
                        None => origins.entry(event.system.clone()).or_default(),
                    };
                    match by_field.get(field.as_str()) {
                        Some(known) => known.clone(),
                        None => {
                            let (origin, pii) = origin_of(pipeline, &event.system, field);
                            let id = causes.id(&origin);
                            let entry = (Arc::new(origin), pii, id);
                            by_field.insert(field.clone(), entry.clone());
                            entry
                        }
                    }
                }
                None => (Arc::new(Vec::new()), false, causes.id(&[])),
            };
            let change = journal_link(journal, &event).unwrap_or_else(|e| {
                journal_error.get_or_insert(e);
                None
            });
            causes.count(cause, &event.system);
            let flow = on_event(&TracedEvent {
                event,
                origin,
                change,
                pii,
            });
            if flow.is_break() {
                stop.set(true);
            }
        },
        |line, text| {
            if unmatched_lines.len() < KEEP_UNMATCHED {
                unmatched_lines.push((line, text.to_owned()));
            }
        },
        KEEP_UNMATCHED as u64,
    )
    .map_err(|e| Error::new(crate::ErrorKind::Io, format!("cannot read the log: {e}")))?;
    if let Some(e) = journal_error {
        return Err(e);
    }
    Ok(LogSummary {
        stats,
        causes: causes.ranked(),
        unmatched_lines,
    })
}

/// A reader that ends as soon as `stop` is set: how [`trace_log`] stops reading a log
/// nobody reads the output of any more, without the scanner knowing.
struct Stoppable<'a, R> {
    inner: R,
    stop: &'a std::cell::Cell<bool>,
}

impl<R: std::io::Read> std::io::Read for Stoppable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.get() {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

impl<R: BufRead> BufRead for Stoppable<'_, R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.stop.get() {
            return Ok(&[]);
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
    }
}

/// The journal change that set the event's value, when there is a journal and the
/// event carries the whole value.
fn journal_link(journal: Option<&Journal>, event: &LogEvent) -> Result<Option<Entry>, Error> {
    match (journal, &event.field, &event.value) {
        (Some(j), Some(field), Some(value)) if !event.value_prefix => {
            j.find_by_value(&event.system, field, value)
        }
        _ => Ok(None),
    }
}

/// Failures counted by origin combination, each combination numbered once.
#[derive(Default)]
struct Causes {
    ids: HashMap<Vec<EntryField>, usize>,
    counts: Vec<(Vec<EntryField>, u64, BTreeSet<String>)>,
}

impl Causes {
    /// The number of an origin combination (only looked up once per field).
    fn id(&mut self, origin: &[EntryField]) -> usize {
        if let Some(&id) = self.ids.get(origin) {
            return id;
        }
        let id = self.counts.len();
        self.ids.insert(origin.to_vec(), id);
        self.counts.push((origin.to_vec(), 0, BTreeSet::new()));
        id
    }

    fn count(&mut self, id: usize, system: &str) {
        if let Some((_, n, systems)) = self.counts.get_mut(id) {
            *n += 1;
            if !systems.contains(system) {
                systems.insert(system.to_owned());
            }
        }
    }

    /// Root causes ranked: most failures first; unknown origins last among equals; then
    /// by name for a stable order. Combinations never counted are left out.
    fn ranked(self) -> Vec<Cause> {
        let mut causes: Vec<Cause> = self
            .counts
            .into_iter()
            .filter(|(_, n, _)| *n > 0)
            .map(|(origin, count, systems)| Cause {
                origin,
                count,
                systems,
            })
            .collect();
        causes.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.origin.is_empty().cmp(&b.origin.is_empty()))
                .then(a.origin.cmp(&b.origin))
        });
        causes
    }
}

/// The entry fields `system`'s `field` derives from, and whether it is personal data.
fn origin_of(pipeline: &Pipeline, system: &str, field: &str) -> (Vec<(SystemId, String)>, bool) {
    let Some(id) = pipeline.system_id(system) else {
        return (Vec::new(), false);
    };
    let mut out: Vec<(SystemId, String)> = Vec::new();
    for chain in constraints::chains(pipeline, id, field, None) {
        if let Some(first) = chain.first() {
            let o = (first.system, first.pointer.clone());
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    (out, pipeline.systems[id].schema.is_pii(field))
}
