//! Batch validation (README, "`ripple validate --batch`"): many entry records, streamed
//! through the pipeline on every core, with flat memory.
//!
//! A reader thread cuts the input into chunks of records; workers validate each record —
//! first the fast path (a [`Plan`] built once per batch, or [`validate::accepts`] for a
//! change it does not decide: no provenance, no messages), and only for a record
//! something may reject the full [`validate::validate`] — and the caller receives the
//! outcomes in input order. At most a few chunks per worker are in flight, so memory does
//! not grow with the input.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::change::{ChangeRequest, Op};
use crate::error::{Error, ErrorKind};
use crate::graph::SystemGraph;
use crate::pipeline::{Pipeline, SystemId};
use crate::plan::{Declared, Docs, Plan};
use crate::propagate::FieldRef;
use crate::validate::{self, Report};

/// Records per chunk handed to a worker.
const CHUNK: usize = 256;

/// How the input is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// JSON Lines: one change request (`{"record": …}`) or bare entry record per line.
    JsonLines,
    /// CSV with a header of dotted field paths; cells typed by the entry schema.
    Csv,
}

impl InputFormat {
    /// The format a file name implies: `.csv` is CSV, anything else JSON Lines.
    #[must_use]
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Self::Csv,
            _ => Self::JsonLines,
        }
    }
}

/// How to run a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// The input format.
    pub format: InputFormat,
    /// The entry system for bare records and CSV rows (`None`: the pipeline's only one).
    pub entry: Option<String>,
    /// Bytes read so far, for a progress display.
    pub progress: Option<Arc<AtomicU64>>,
}

/// One rejection of a record.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The rejecting system.
    pub system: SystemId,
    /// The field.
    pub field: String,
    /// The keyword (`mapping` when the mapping failed).
    pub keyword: String,
    /// The keyword's limit.
    pub limit: Value,
    /// The rejected value.
    pub value: Option<Value>,
    /// Whether it is personal data.
    pub pii: bool,
    /// The entry fields it came from.
    pub origin: Vec<FieldRef>,
    /// What is wrong, without the value.
    pub message: String,
}

/// What became of one input record.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every system accepts it.
    Accepted,
    /// Something rejects it (or paths disagree, or a value comes back changed).
    Rejected {
        /// The input line (CSV: the row's line).
        line: u64,
        /// The record's key: the change's `key`, else `line N`.
        key: String,
        /// Each rejection, once per system, field and keyword.
        rejections: Vec<Rejection>,
        /// Fields two paths fill differently.
        conflicts: usize,
        /// Values a two-way sync writes back changed.
        echoes: usize,
    },
    /// The line is not a record ripple can validate; counted, never fatal.
    Malformed {
        /// The input line.
        line: u64,
        /// Why.
        error: String,
    },
}

/// A (system, field, keyword) and how often it rejected.
#[derive(Debug, Clone)]
pub struct Group {
    /// The rejecting system.
    pub system: SystemId,
    /// The field.
    pub field: String,
    /// The keyword.
    pub keyword: String,
    /// Rejected records.
    pub count: u64,
    /// The keys of the first three.
    pub first_keys: Vec<String>,
}

/// What a whole batch amounted to.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Records read (malformed ones included).
    pub records: u64,
    /// Records every system accepts.
    pub accepted: u64,
    /// Records something rejects.
    pub rejected: u64,
    /// Lines that are not records.
    pub malformed: u64,
    /// Rejections by system, field and keyword, most first.
    pub groups: Vec<Group>,
    /// Root causes: the entry fields rejected values came from, most rejections first,
    /// each rejected record counted once per origin combination.
    pub causes: Vec<(Vec<FieldRef>, u64)>,
}

impl Summary {
    /// Counts one outcome in.
    fn add(&mut self, outcome: &Outcome, tally: &mut Tally) {
        self.records += 1;
        match outcome {
            Outcome::Accepted => self.accepted += 1,
            Outcome::Malformed { .. } => self.malformed += 1,
            Outcome::Rejected {
                key, rejections, ..
            } => {
                self.rejected += 1;
                let mut origins: Vec<FieldRef> = Vec::new();
                for r in rejections {
                    let g = tally
                        .groups
                        .entry((r.system, r.field.clone(), r.keyword.clone()))
                        .or_insert((0, Vec::new()));
                    g.0 += 1;
                    if g.1.len() < 3 {
                        g.1.push(key.clone());
                    }
                    for o in &r.origin {
                        if !origins.contains(o) {
                            origins.push(o.clone());
                        }
                    }
                }
                origins.sort();
                *tally.causes.entry(origins).or_insert(0) += 1;
            }
        }
    }

    fn finish(&mut self, tally: Tally) {
        let mut groups: Vec<Group> = tally
            .groups
            .into_iter()
            .map(|((system, field, keyword), (count, first_keys))| Group {
                system,
                field,
                keyword,
                count,
                first_keys,
            })
            .collect();
        groups.sort_by_key(|g| std::cmp::Reverse(g.count));
        let mut causes: Vec<(Vec<FieldRef>, u64)> = tally.causes.into_iter().collect();
        causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        self.groups = groups;
        self.causes = causes;
    }
}

#[derive(Default)]
struct Tally {
    groups: BTreeMap<(SystemId, String, String), (u64, Vec<String>)>,
    causes: HashMap<Vec<FieldRef>, u64>,
}

/// A chunk of raw records: its index, each record with its line number, and the text of
/// its JSON lines (one buffer for the chunk, not a `String` per line).
type Chunk = (usize, Vec<(u64, RawRecord)>, String);

/// A record as read, before parsing.
enum RawRecord {
    /// A JSON line: where it is in its chunk's text.
    Json(std::ops::Range<usize>),
    Csv(Vec<String>),
    Unreadable(String),
}

/// Validates every record of `reader`, calling `on_outcome` for each in input order.
///
/// # Errors
/// The input cannot be read (a malformed record is an outcome, not an error), or a CSV
/// header that is not usable.
pub fn run<R: BufRead + Send>(
    pipeline: &Pipeline,
    reader: R,
    opts: &BatchOptions,
    mut on_outcome: impl FnMut(&Outcome),
) -> Result<Summary, Error> {
    let entry = pipeline.resolve_entry(opts.entry.as_deref())?;
    let graph = SystemGraph::new(pipeline);
    let plan = Plan::new(pipeline, &graph, entry);
    let jobs = opts.jobs.max(1);
    let (input, header) = match opts.format {
        InputFormat::JsonLines => (Input::Lines(reader), Header::new(pipeline, entry, &[])?),
        InputFormat::Csv => {
            let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
            let names: Vec<String> = csv
                .headers()
                .map_err(|e| {
                    Error::new(ErrorKind::Usage, format!("cannot read the CSV header: {e}"))
                })?
                .iter()
                .map(|h| h.trim_start_matches('\u{feff}').to_owned())
                .collect();
            let header = Header::new(pipeline, entry, &names)?;
            (Input::Csv(csv), header)
        }
    };
    let (work_tx, work_rx) = sync_channel::<Chunk>(jobs * 2);
    let (done_tx, done_rx) = sync_channel::<(usize, Vec<Outcome>)>(jobs * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let mut summary = Summary::default();
    let mut tally = Tally::default();
    let read = std::thread::scope(|scope| {
        let reader_thread = scope.spawn(|| read_chunks(input, opts, work_tx));
        let shared = Shared {
            pipeline,
            graph: &graph,
            header: &header,
            plan: plan.as_ref(),
        };
        for _ in 0..jobs {
            let (rx, tx) = (Arc::clone(&work_rx), done_tx.clone());
            scope.spawn(move || work(shared, &rx, &tx));
        }
        drop(done_tx);
        in_order(&done_rx, |o| {
            summary.add(o, &mut tally);
            on_outcome(o);
        });
        reader_thread.join()
    });
    summary.finish(tally);
    match read {
        Ok(result) => result.map(|()| summary),
        Err(_) => Err(Error::new(
            ErrorKind::Io,
            "the batch reader stopped unexpectedly",
        )),
    }
}

/// Hands outcomes over in chunk order, holding back chunks that finish early.
fn in_order(done: &Receiver<(usize, Vec<Outcome>)>, mut each: impl FnMut(&Outcome)) {
    let mut next = 0usize;
    let mut waiting: BTreeMap<usize, Vec<Outcome>> = BTreeMap::new();
    for (index, outcomes) in done {
        waiting.insert(index, outcomes);
        while let Some(outcomes) = waiting.remove(&next) {
            outcomes.iter().for_each(&mut each);
            next += 1;
        }
    }
}

/// What every worker reads: built once per batch.
#[derive(Clone, Copy)]
struct Shared<'a> {
    pipeline: &'a Pipeline,
    graph: &'a SystemGraph,
    header: &'a Header,
    /// The fast path's plan from the batch's entry system (`None`: too many paths).
    plan: Option<&'a Plan>,
}

/// What one worker keeps from record to record.
#[derive(Default)]
struct Scratch {
    /// The derived records of the record at hand, one per plan node, rewritten in place.
    docs: Docs,
    /// Entry fields known to be declared.
    declared: Declared,
    /// The change of the last bare line (its entry set), whose record the next bare line
    /// is parsed over ([`crate::reparse`]: its keys and strings reused).
    bare: ChangeRequest,
    /// Whether every field of `bare.record` was found declared by the entry schema; it
    /// stays so while the bare lines keep their shape (the same keys in the same places).
    bare_declared: bool,
    /// For [`accepts`]: the record at hand is known to have only declared fields.
    known_declared: bool,
    /// From [`accepts`]: the record at hand was found to have only declared fields.
    found_declared: bool,
}

fn work(shared: Shared<'_>, rx: &Mutex<Receiver<Chunk>>, tx: &SyncSender<(usize, Vec<Outcome>)>) {
    let mut scratch = Scratch::default();
    loop {
        let next = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok((index, records, text)) = next else {
            return;
        };
        let outcomes = records
            .into_iter()
            .map(|(line, raw)| one(shared, &mut scratch, line, raw, &text))
            .collect();
        if tx.send((index, outcomes)).is_err() {
            return;
        }
    }
}

/// What every worker needs to turn a raw record into a change: the entry system's id
/// and, for CSV, each column's field and the type the entry schema gives it.
struct Header {
    entry: String,
    columns: Vec<(String, Cell)>,
}

/// How a CSV cell is typed: by the types the entry schema allows the column's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Text,
    Integer,
    Number,
    Boolean,
}

impl Header {
    fn new(pipeline: &Pipeline, entry: SystemId, names: &[String]) -> Result<Self, Error> {
        let schema = &pipeline.systems[entry].schema;
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let path = crate::expr::FieldPath::parse(name.trim()).map_err(|e| {
                Error::new(
                    ErrorKind::Usage,
                    format!("CSV column `{name}` is not a field path: {}", e.message),
                )
                .help("name columns by dotted paths of the entry record, e.g. `address.street`")
            })?;
            let pointer = path.pointer();
            let types = schema.leaf(&pointer).types();
            use crate::schema::TypeName as T;
            let cell = if types.allows(T::String) {
                Cell::Text
            } else if types.allows(T::Boolean) && !types.allows(T::Number) {
                Cell::Boolean
            } else if types.allows(T::Integer) && !types.allows(T::Number) {
                Cell::Integer
            } else if types.allows(T::Number) {
                Cell::Number
            } else {
                Cell::Text
            };
            columns.push((pointer, cell));
        }
        Ok(Self {
            entry: pipeline.systems[entry].id.clone(),
            columns,
        })
    }

    /// A CSV row as an entry record: empty cells are absent, the others typed.
    fn record(&self, cells: &[String]) -> Result<Value, String> {
        if cells.len() != self.columns.len() {
            return Err(format!(
                "{} cells for {} columns",
                cells.len(),
                self.columns.len()
            ));
        }
        let mut record = Value::Object(serde_json::Map::new());
        for ((pointer, cell), text) in self.columns.iter().zip(cells) {
            if text.is_empty() {
                continue;
            }
            crate::pointer::put(&mut record, pointer, typed(*cell, text));
        }
        Ok(record)
    }
}

/// A cell's value: a number, integer or boolean when the schema wants one and the text
/// reads as one; the text otherwise (so the schema reports what is wrong).
fn typed(cell: Cell, text: &str) -> Value {
    let t = text.trim();
    match cell {
        Cell::Integer => t
            .parse::<i64>()
            .map_or_else(|_| Value::String(text.into()), Value::from),
        Cell::Number => t
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or_else(|| Value::String(text.into())),
        Cell::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.into()),
        },
        Cell::Text => Value::String(text.into()),
    }
}

/// One record of a chunk whose JSON lines are in `lines`.
fn one(
    shared: Shared<'_>,
    scratch: &mut Scratch,
    line: u64,
    raw: RawRecord,
    lines: &str,
) -> Outcome {
    let header = shared.header;
    let malformed = |error: String| Outcome::Malformed { line, error };
    let change = match raw {
        RawRecord::Json(range) => {
            let text = lines.get(range).unwrap_or_default();
            let mut bare = std::mem::take(&mut scratch.bare);
            let mut same_shape = false;
            let read = read_line(text, &header.entry, &mut bare, &mut same_shape);
            let known = std::mem::take(&mut scratch.bare_declared);
            scratch.found_declared = false;
            let outcome = match read {
                Ok(None) => {
                    // A record of the same shape as the last has its fields: declared if
                    // those were.
                    scratch.known_declared = same_shape && known;
                    let outcome = judge(shared, scratch, line, &bare);
                    scratch.known_declared = false;
                    scratch.bare_declared = scratch.found_declared;
                    outcome
                }
                Ok(Some(change)) => judge(shared, scratch, line, &change),
                Err(e) => Ok(malformed(e)),
            };
            scratch.bare = bare;
            return outcome.unwrap_or_else(|e| malformed(e.message));
        }
        RawRecord::Csv(cells) => match header.record(&cells) {
            Ok(record) => ChangeRequest {
                entry: Some(header.entry.clone()),
                record,
                ..ChangeRequest::default()
            },
            Err(e) => return malformed(e),
        },
        RawRecord::Unreadable(e) => return malformed(e),
    };
    judge(shared, scratch, line, &change).unwrap_or_else(|e| malformed(e.message))
}

/// A JSON Lines record: a change request when it has `record` (`Some`), else a bare entry
/// record, parsed into `bare.record` over the previous one ([`crate::reparse`]), `bare`'s
/// entry set to `entry` (`None`); `same_shape`: whether the line has the shape of the
/// value `bare.record` held.
fn read_line(
    text: &str,
    entry: &str,
    bare: &mut ChangeRequest,
    same_shape: &mut bool,
) -> Result<Option<ChangeRequest>, String> {
    *same_shape =
        crate::reparse::parse_into(text, &mut bare.record).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(map) = &bare.record else {
        return Err("a record must be a JSON object".to_owned());
    };
    // A record has a few keys: compared, not hashed with SipHash.
    let change = if map.len() <= 16 {
        map.keys().any(|k| k == "record")
    } else {
        map.contains_key("record")
    };
    if change {
        let mut change =
            ChangeRequest::parse(Path::new("<batch>"), text.to_owned()).map_err(|e| e.message)?;
        change.entry.get_or_insert_with(|| entry.to_owned());
        return Ok(Some(change));
    }
    if bare.entry.as_deref() != Some(entry) {
        bare.entry = Some(entry.to_owned());
    }
    Ok(None)
}

/// The fast path, then the full validation for a record something may reject.
fn judge(
    shared: Shared<'_>,
    scratch: &mut Scratch,
    line: u64,
    change: &ChangeRequest,
) -> Result<Outcome, Error> {
    if accepts(shared, scratch, change)? {
        return Ok(Outcome::Accepted);
    }
    let report = validate::validate_findings(shared.pipeline, shared.graph, change)?;
    if report.ok() {
        return Ok(Outcome::Accepted);
    }
    Ok(rejected(line, change, &report))
}

/// The fast path: the plan for a partial change entering at the batch's entry system
/// (every bare line and CSV row), [`validate::accepts`] for any other change. As strict
/// as [`validate::validate`]: `true` only when it would report nothing.
fn accepts(
    shared: Shared<'_>,
    scratch: &mut Scratch,
    change: &ChangeRequest,
) -> Result<bool, Error> {
    let partial = change.current.is_none() && change.op == Op::Update;
    match shared.plan {
        Some(plan) if partial && change.entry.as_deref() == Some(shared.header.entry.as_str()) => {
            let entry = &shared.pipeline.systems[plan.entry()];
            let declared = std::mem::take(&mut scratch.known_declared)
                || scratch.declared.all(&entry.schema, &change.record);
            scratch.found_declared = declared;
            if !declared {
                change.check_fields(&entry.id, &entry.schema)?;
            }
            Ok(plan.accepts(shared.pipeline, &change.record, &mut scratch.docs))
        }
        _ => validate::accepts(shared.pipeline, shared.graph, change),
    }
}

fn rejected(line: u64, change: &ChangeRequest, report: &Report) -> Outcome {
    let mut rejections: Vec<Rejection> = Vec::new();
    for v in &report.violations {
        if rejections
            .iter()
            .any(|r| r.system == v.system && r.field == v.field && r.keyword == v.keyword)
        {
            continue;
        }
        rejections.push(Rejection {
            system: v.system,
            field: v.field.clone(),
            keyword: v.keyword.clone(),
            limit: v.limit.clone(),
            value: v.value.clone(),
            pii: v.pii,
            origin: v.provenance.origin.clone(),
            message: v.message.clone(),
        });
    }
    Outcome::Rejected {
        line,
        key: change.key.clone().unwrap_or_else(|| format!("line {line}")),
        rejections,
        conflicts: report.conflicts.len(),
        echoes: report.echoes.len(),
    }
}

/// The input, opened for its format.
enum Input<R: BufRead> {
    Lines(R),
    Csv(csv::Reader<R>),
}

/// Reads the input in chunks and sends them to the workers.
fn read_chunks<R: BufRead>(
    input: Input<R>,
    opts: &BatchOptions,
    tx: SyncSender<Chunk>,
) -> Result<(), Error> {
    match input {
        Input::Lines(reader) => read_lines(reader, opts.progress.as_deref(), &tx),
        Input::Csv(csv) => read_csv(csv, opts.progress.as_deref(), &tx),
    }
}

fn read_csv<R: BufRead>(
    mut csv: csv::Reader<R>,
    progress: Option<&AtomicU64>,
    tx: &SyncSender<Chunk>,
) -> Result<(), Error> {
    let (mut chunk, mut index) = (Vec::with_capacity(CHUNK), 0usize);
    let mut row = csv::StringRecord::new();
    loop {
        let line = csv.position().line() + u64::from(csv.position().line() == 0);
        match csv.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => chunk.push((
                line,
                RawRecord::Csv(row.iter().map(str::to_owned).collect()),
            )),
            Err(e) if e.is_io_error() => {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("cannot read the batch: {e}"),
                ));
            }
            Err(e) => chunk.push((line, RawRecord::Unreadable(e.to_string()))),
        }
        if let Some(p) = progress {
            p.store(csv.position().byte(), Ordering::Relaxed);
        }
        if chunk.len() == CHUNK {
            if tx
                .send((index, std::mem::take(&mut chunk), String::new()))
                .is_err()
            {
                return Ok(());
            }
            index += 1;
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send((index, chunk, String::new()));
    }
    Ok(())
}

fn read_lines<R: BufRead>(
    mut reader: R,
    progress: Option<&AtomicU64>,
    tx: &SyncSender<Chunk>,
) -> Result<(), Error> {
    let (mut chunk, mut index, mut line) = (Vec::with_capacity(CHUNK), 0usize, 0u64);
    let mut buf = Vec::new();
    // The chunk's JSON lines, one after the other.
    let mut lines = String::new();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read the batch: {e}")))?;
        if n == 0 {
            break;
        }
        line += 1;
        if let Some(p) = progress {
            p.fetch_add(n as u64, Ordering::Relaxed);
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t.trim(),
            Err(_) => {
                chunk.push((line, RawRecord::Unreadable("not UTF-8".into())));
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.is_empty() {
            continue;
        }
        let start = lines.len();
        lines.push_str(text);
        chunk.push((line, RawRecord::Json(start..lines.len())));
        if chunk.len() == CHUNK {
            let size = lines.len();
            let full = std::mem::replace(&mut lines, String::with_capacity(size));
            if tx.send((index, std::mem::take(&mut chunk), full)).is_err() {
                return Ok(());
            }
            index += 1;
        }
    }
    if !chunk.is_empty() {
        let _ = tx.send((index, chunk, lines));
    }
    Ok(())
}
