//! The line-by-line state machine: which preset or pattern a line matches, which lines
//! continue an event opened before them, and which system an event belongs to.

use std::collections::VecDeque;

use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Repetition,
};

use super::LogEvent;
use super::attribute::{Use, attribute, attribute_column};
use super::custom::Custom;
use super::fields::{Columns, SystemFields};
use super::ldap::{Ldap, LdapLine};
use super::mysql::Mysql;
use super::oracle::{self, Oracle, TooLarge};
use super::postgres::{self, Pending, Postgres};
use super::preset::{Hit, Preset, message};
use super::sqlserver::SqlServer;
use crate::error::{Error, ErrorKind};
use crate::pipeline::{ErrorPattern, Pipeline, SystemId};

/// How many lines after its last line a PostgreSQL error still takes DETAIL or STATEMENT
/// lines of its backend (other backends' lines may interleave when the logging collector
/// is off).
const PG_WINDOW: u64 = 16;
/// How many PostgreSQL errors may wait for their continuation lines at once.
const PG_MAX_PENDING: usize = 64;
/// How many (preset, table, column) attributions are remembered; past that, further
/// columns are attributed each time (memory stays flat on a log of ever new columns).
const KNOWN_MAX: usize = 1024;

/// Attributions of named columns, decided once: by column, then preset and table, the
/// system and field (`None`: no system uses the preset).
#[derive(Debug, Default)]
struct Known {
    by_column: rustc_hash::FxHashMap<String, Vec<(Preset, Option<String>, Attributed)>>,
    len: usize,
}

/// A column's system and field.
type Attributed = Option<(SystemId, Option<String>)>;

/// What one line turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineKind {
    /// It opened or continued an event.
    Matched,
    /// It matched nothing.
    Unmatched,
    /// It was empty or only whitespace.
    Blank,
}

/// What the previous line opened and the next line may complete.
#[derive(Debug, Default)]
enum Expect {
    #[default]
    Nothing,
    /// A SQL Server `Msg` header; the message text follows.
    SqlText {
        line: u64,
        code: &'static str,
        header: String,
    },
    /// An LDAP client's summary; `additional info:` may follow.
    Ldap { line: u64, hit: Box<Hit> },
    /// A PostgreSQL STATEMENT that may go on over raw, indented lines.
    Statement { pid: Option<String> },
    /// A complete SQL Server message; sqlcmd's `The statement has been terminated.` may
    /// follow.
    SqlTail,
}

impl Expect {
    fn line(&self) -> Option<u64> {
        match self {
            Self::SqlText { line, .. } | Self::Ldap { line, .. } => Some(*line),
            Self::Nothing | Self::Statement { .. } | Self::SqlTail => None,
        }
    }
}

/// Turns log lines into [`LogEvent`]s; built once per run from the pipeline's `errors`
/// declarations.
///
/// A line is tried against the custom patterns first (systems and patterns in
/// declaration order; the first that matches wins), then against the presets. When several
/// systems use the preset that recognises a message, the event goes to the system that
/// knows the message's column best: a `TABLE.COLUMN` key in `columns`, then a `COLUMN` key,
/// then a schema property of that name (case-insensitively; for PostgreSQL's 22001, the
/// only field with that length); among equals, the first declared.
#[derive(Debug)]
pub struct Scanner<'p> {
    pipeline: &'p Pipeline,
    fields: Vec<SystemFields>,
    uses: Vec<Use>,
    customs: Vec<Custom>,
    gate: regex_automata::meta::Regex,
    pg_gate: Option<regex::bytes::Regex>,
    oracle: Option<Oracle>,
    postgres: Option<Postgres>,
    mysql: Option<Mysql>,
    sqlserver: Option<SqlServer>,
    ldap: Option<Ldap>,
    pending_pg: VecDeque<Pending>,
    expect: Expect,
    ready: Vec<LogEvent>,
    out: Vec<LogEvent>,
    unmatched: u64,
    known: Known,
}

impl<'p> Scanner<'p> {
    /// A scanner for the `errors` declared in `pipeline`. With `only` (`--system S`) every
    /// line is attributed to S and only S's patterns and presets are tried; when S declares
    /// no `errors`, every preset is tried for it.
    ///
    /// # Errors
    /// `only` names no system; no system declares `errors`.
    pub fn new(pipeline: &'p Pipeline, only: Option<&str>) -> Result<Self, Error> {
        let systems: Vec<SystemId> = match only {
            Some(name) => vec![
                pipeline
                    .system_id(name)
                    .ok_or_else(|| unknown(pipeline, name))?,
            ],
            None => pipeline.system_ids().collect(),
        };
        let mut fields: Vec<SystemFields> = Vec::new();
        fields.resize_with(pipeline.systems.len(), SystemFields::default);
        let (mut uses, mut customs) = (Vec::new(), Vec::new());
        for id in systems {
            let system = &pipeline.systems[id];
            if system.errors.is_empty() && only.is_none() {
                continue;
            }
            fields[id.index()] = SystemFields::new(&system.schema);
            if system.errors.is_empty() {
                uses.extend(Preset::ALL.into_iter().map(|preset| Use {
                    system: id,
                    preset,
                    columns: Columns::default(),
                }));
            }
            for pattern in &system.errors {
                match pattern {
                    ErrorPattern::Pattern { regex, field, .. } => {
                        customs.push(Custom::new(
                            id,
                            regex,
                            field.as_deref(),
                            &fields[id.index()],
                        )?);
                    }
                    ErrorPattern::Preset {
                        preset,
                        columns,
                        span,
                    } => {
                        let preset = Preset::from_name(preset).ok_or_else(|| {
                            Error::new(ErrorKind::Format, format!("unknown preset `{preset}`"))
                                .at(pipeline.location(*span))
                                .help("presets: oracle, postgres, mysql, sqlserver, ldap")
                        })?;
                        uses.push(Use {
                            system: id,
                            preset,
                            columns: Columns::new(columns),
                        });
                    }
                }
            }
        }
        if uses.is_empty() && customs.is_empty() {
            return Err(Error::new(
                ErrorKind::Usage,
                "no system in the pipeline declares how it reports errors",
            )
            .help("add `errors:` with a `preset:` or a `pattern:` to the systems whose logs you read, or name the system with --system"));
        }
        let used = |p: Preset| uses.iter().any(|u: &Use| u.preset == p);
        let triggers: Vec<&str> = Preset::ALL
            .into_iter()
            .filter(|p| used(*p))
            .map(Preset::trigger)
            .collect();
        let mut gate: Vec<&str> = triggers;
        gate.extend(customs.iter().map(Custom::source));
        // The gate is searched over whole buffers of lines, and each pattern applies to
        // one line: `^` and `$` must match at every line's start and end (before `\r\n`
        // too), not only the buffer's, or an anchored custom pattern would find only a
        // buffer's first line.
        // Nor may a match take a line break: one found in a buffer then lies in one line,
        // which is all a line without its break could match anyway, so the line need not
        // be searched again (see `within_line`).
        let syntax = regex_automata::util::syntax::Config::new()
            .multi_line(true)
            .crlf(true);
        let combine = |e: &dyn std::fmt::Display| {
            Error::new(
                ErrorKind::Regex,
                format!("the error patterns do not combine: {e}"),
            )
        };
        let gate = gate
            .iter()
            .map(|p| regex_automata::util::syntax::parse_with(p, &syntax).map(|h| within_line(&h)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| combine(&e))?;
        let gate = regex_automata::meta::Regex::builder()
            .build_many_from_hir(&gate)
            .map_err(|e| combine(&e))?;
        let pg_gate = used(Preset::Postgres)
            .then(|| regex::bytes::Regex::new(&postgres::any_line()))
            .transpose()
            .map_err(|e| Error::new(ErrorKind::Regex, e.to_string()))?;
        Ok(Self {
            pipeline,
            fields,
            oracle: used(Preset::Oracle).then(Oracle::new).transpose()?,
            postgres: used(Preset::Postgres).then(Postgres::new).transpose()?,
            mysql: used(Preset::Mysql).then(Mysql::new).transpose()?,
            sqlserver: used(Preset::SqlServer).then(SqlServer::new).transpose()?,
            ldap: used(Preset::Ldap).then(Ldap::new).transpose()?,
            uses,
            customs,
            gate,
            pg_gate,
            pending_pg: VecDeque::new(),
            expect: Expect::Nothing,
            ready: Vec::new(),
            out: Vec::new(),
            unmatched: 0,
            known: Known::default(),
        })
    }

    /// Feeds line `line_no` (without its line break; bytes, since logs may hold invalid
    /// UTF-8) and returns the events completed so far, in line order.
    pub fn push(&mut self, line_no: u64, line: &[u8]) -> impl Iterator<Item = LogEvent> + '_ {
        self.feed(line_no, line);
        self.out.drain(..)
    }

    /// Ends the input: completes every event still waiting for continuation lines.
    pub fn finish(&mut self) -> Vec<LogEvent> {
        self.close_expect();
        self.complete_pg(|_| true);
        self.release();
        self.out.drain(..).collect()
    }

    /// How many lines matched nothing and did not continue a matched event (blank lines
    /// are not counted).
    #[must_use]
    pub fn unmatched(&self) -> u64 {
        self.unmatched
    }

    /// Feeds one line; completed events wait in `out`.
    pub(super) fn feed(&mut self, line_no: u64, line: &[u8]) -> LineKind {
        self.feed_gated(line_no, line, None)
    }

    /// [`Scanner::feed`]; `gated`: whether the line is known to match a trigger (from a
    /// [`Scanner::next_candidate`] search over its buffer), so the trigger is not searched
    /// for again in the line; `None`: not known.
    pub(super) fn feed_gated(
        &mut self,
        line_no: u64,
        line: &[u8],
        gated: Option<bool>,
    ) -> LineKind {
        if !self.pending_pg.is_empty() {
            self.complete_pg(|p| p.last + PG_WINDOW < line_no);
        }
        let kind = self.classify(line_no, line, gated);
        if kind == LineKind::Unmatched {
            self.unmatched += 1;
        }
        if !self.ready.is_empty() {
            self.release();
        }
        kind
    }

    /// The completed events, in line order.
    pub(super) fn drain(&mut self) -> std::vec::Drain<'_, LogEvent> {
        self.out.drain(..)
    }

    /// Whether an open event may take the next line, so every line must be fed.
    pub(super) fn busy(&self) -> bool {
        !matches!(self.expect, Expect::Nothing) || !self.pending_pg.is_empty()
    }

    /// Where in `haystack`, from `from` on, the first match of a trigger ends: lines
    /// before the one it ends in can be [`Scanner::skip`]ped while not [`Scanner::busy`]
    /// (each line that holds a match ends one at or after this offset). Only the end is
    /// searched for (the earliest one, without a reverse search for the start), which is
    /// all the caller needs. A match never spans lines: the line it ends in holds it.
    pub(super) fn next_candidate(&self, haystack: &[u8], from: usize) -> Option<usize> {
        let input = regex_automata::Input::new(haystack)
            .range(from..)
            .earliest(true);
        self.gate.search_half(&input).map(|m| m.offset())
    }

    /// Accounts for a line that no trigger matches while nothing is open: the same as
    /// [`Scanner::feed`] for it, without the search.
    pub(super) fn skip(&mut self, line: &[u8]) -> LineKind {
        if line.trim_ascii().is_empty() {
            LineKind::Blank
        } else {
            self.unmatched += 1;
            LineKind::Unmatched
        }
    }

    fn classify(&mut self, line_no: u64, line: &[u8], gated: Option<bool>) -> LineKind {
        if !matches!(self.expect, Expect::Nothing) && self.continues(line_no, line) {
            return LineKind::Matched;
        }
        if line.trim_ascii().is_empty() {
            return LineKind::Blank;
        }
        let pg_line =
            !self.pending_pg.is_empty() && self.pg_gate.as_ref().is_some_and(|g| g.is_match(line));
        if !pg_line && !gated.unwrap_or_else(|| self.gate.is_match(line)) {
            return LineKind::Unmatched;
        }
        for custom in &mut self.customs {
            if let Some(hit) = custom.parse(line, &self.fields[custom.system.index()]) {
                self.ready.push(LogEvent {
                    line: line_no,
                    system: self.pipeline.systems[custom.system].id.clone(),
                    field: hit.field,
                    value: hit.value,
                    value_prefix: false,
                    key: hit.key,
                    code: None,
                    message: hit.message,
                    limit: None,
                    actual: None,
                });
                return LineKind::Matched;
            }
        }
        let text = super::lossy(line);
        if self.postgres_line(line_no, &text) {
            return LineKind::Matched;
        }
        if self.oracle.is_some() {
            // the message a failing batch writes by the hundred thousand, read by hand and
            // attributed without copying its names (README, "Benchmarks")
            if let Some(t) = oracle::too_large_by_hand(&text) {
                self.complete_too_large(line_no, &text, t);
                return LineKind::Matched;
            }
            if let Some(hit) = self
                .oracle
                .as_ref()
                .and_then(|o| o.parse_by_expression(&text))
            {
                self.complete(line_no, Preset::Oracle, hit);
                return LineKind::Matched;
            }
        }
        if let Some(hit) = self.mysql.as_ref().and_then(|m| m.parse(&text)) {
            self.complete(line_no, Preset::Mysql, hit);
            return LineKind::Matched;
        }
        if let Some(s) = &self.sqlserver {
            if let Some(code) = s.header(&text) {
                self.expect = Expect::SqlText {
                    line: line_no,
                    code,
                    header: message(&text),
                };
                return LineKind::Matched;
            }
            if let Some(hit) = s.text(&text) {
                self.complete(line_no, Preset::SqlServer, hit);
                self.expect = Expect::SqlTail;
                return LineKind::Matched;
            }
        }
        match self.ldap.as_ref().and_then(|l| l.parse(&text)) {
            Some(LdapLine::Opener(hit)) => {
                self.expect = Expect::Ldap {
                    line: line_no,
                    hit: Box::new(hit),
                };
                LineKind::Matched
            }
            Some(LdapLine::Complete(hit)) => {
                self.complete(line_no, Preset::Ldap, hit);
                LineKind::Matched
            }
            None => LineKind::Unmatched,
        }
    }

    /// Whether `line` continues what the previous line opened; if not, that is complete.
    fn continues(&mut self, line_no: u64, line: &[u8]) -> bool {
        match std::mem::take(&mut self.expect) {
            Expect::Nothing => false,
            Expect::SqlText {
                line: at,
                code,
                header,
            } => {
                let text = super::lossy(line);
                let hit = self.sqlserver.as_ref().and_then(|s| s.text(&text));
                let matched = hit.is_some();
                let hit = hit.map_or_else(
                    || Hit {
                        code: code.into(),
                        message: header,
                        ..Hit::default()
                    },
                    |hit| Hit {
                        code: code.into(),
                        ..hit
                    },
                );
                self.complete(at, Preset::SqlServer, hit);
                if matched {
                    self.expect = Expect::SqlTail;
                }
                matched
            }
            Expect::SqlTail => line.trim_ascii() == b"The statement has been terminated.",
            Expect::Ldap { line: at, mut hit } => {
                let text = super::lossy(line);
                match self.ldap.as_ref().and_then(|l| l.continuation(&text)) {
                    Some(None) => {
                        self.expect = Expect::Ldap { line: at, hit };
                        true
                    }
                    Some(Some(attribute)) => {
                        hit.column = Some(attribute);
                        hit.message = message(&format!("{}; {}", hit.message, text.trim()));
                        self.complete(at, Preset::Ldap, *hit);
                        true
                    }
                    None => {
                        self.complete(at, Preset::Ldap, *hit);
                        false
                    }
                }
            }
            Expect::Statement { pid } => {
                let indented = line.first().is_some_and(u8::is_ascii_whitespace);
                let pg_line = self.pg_gate.as_ref().is_some_and(|g| g.is_match(line));
                let pending = self.pending_pg.iter_mut().rev().find(|p| p.pid == pid);
                match pending {
                    Some(p) if indented && !pg_line => {
                        p.add_statement_line(line_no, &super::lossy(line));
                        self.expect = Expect::Statement { pid };
                        true
                    }
                    _ => {
                        // STATEMENT is the last part of a PostgreSQL message
                        self.complete_pg(|p| p.pid == pid);
                        false
                    }
                }
            }
        }
    }

    /// Handles a PostgreSQL line: continues or ends its backend's pending errors, or opens
    /// one. Returns whether the line belongs to an event.
    fn postgres_line(&mut self, line_no: u64, text: &str) -> bool {
        let Some(pl) = self.postgres.as_ref().and_then(|pg| pg.line(text)) else {
            return false;
        };
        if pl.is_continuation() {
            let pending = self
                .pending_pg
                .iter_mut()
                .rev()
                .find(|p| p.pid.as_deref() == pl.pid);
            let Some(p) = pending else {
                return false;
            };
            p.add(line_no, pl.severity, pl.text);
            if pl.severity == "STATEMENT" {
                self.expect = Expect::Statement {
                    pid: pl.pid.map(str::to_owned),
                };
            }
            return true;
        }
        let pid = pl.pid.map(str::to_owned);
        self.complete_pg(|p| p.pid == pid);
        let hit = (pl.severity == "ERROR")
            .then(|| {
                self.postgres
                    .as_ref()
                    .and_then(|pg| pg.error(pl.text, text))
            })
            .flatten();
        let Some(hit) = hit else {
            return false;
        };
        if self.pending_pg.len() >= PG_MAX_PENDING {
            let oldest = self.pending_pg.front().map(|p| p.line);
            self.complete_pg(|p| Some(p.line) == oldest);
        }
        self.pending_pg
            .push_back(Pending::new(line_no, pid.as_deref(), hit));
        true
    }

    fn close_expect(&mut self) {
        match std::mem::take(&mut self.expect) {
            Expect::SqlText { line, code, header } => {
                let hit = Hit {
                    code: code.into(),
                    message: header,
                    ..Hit::default()
                };
                self.complete(line, Preset::SqlServer, hit);
            }
            Expect::Ldap { line, hit } => self.complete(line, Preset::Ldap, *hit),
            Expect::Nothing | Expect::Statement { .. } | Expect::SqlTail => {}
        }
    }

    fn complete_pg(&mut self, done: impl Fn(&Pending) -> bool) {
        let mut i = 0;
        while i < self.pending_pg.len() {
            if done(&self.pending_pg[i]) {
                if let Some(p) = self.pending_pg.remove(i) {
                    let line = p.line;
                    self.complete(line, Preset::Postgres, p.finish());
                }
            } else {
                i += 1;
            }
        }
    }

    /// Attributes a recognised message to a system and queues the event.
    fn complete(&mut self, line: u64, preset: Preset, hit: Hit) {
        let (system, field, value) = match (&hit.column, hit.by_limit) {
            (Some(column), false) => {
                let Some((system, field)) =
                    self.attribute_column(preset, hit.table.as_deref(), column)
                else {
                    return; // a preset's matcher exists only when a system uses it
                };
                (system, field, hit.value)
            }
            _ => {
                let Some(a) = attribute(&self.uses, &self.fields, preset, &hit) else {
                    return;
                };
                (a.system, a.field, a.value)
            }
        };
        let actual = match (&value, hit.by_limit) {
            (Some(v), true) => Some(v.chars().count() as u64),
            _ => hit.actual,
        };
        self.ready.push(LogEvent {
            line,
            system: self.pipeline.systems[system].id.clone(),
            field,
            value,
            value_prefix: hit.value_prefix,
            key: None,
            code: Some(hit.code),
            message: hit.message,
            limit: hit.limit,
            actual,
        });
    }

    /// [`Scanner::complete`] for an ORA-12899 read by hand from `text`: the same event,
    /// without building a [`Hit`].
    fn complete_too_large(&mut self, line: u64, text: &str, t: TooLarge<'_>) {
        let Some((system, field)) = self.attribute_column(Preset::Oracle, t.table, t.column) else {
            return;
        };
        self.ready.push(LogEvent {
            line,
            system: self.pipeline.systems[system].id.clone(),
            field,
            value: None,
            value_prefix: false,
            key: None,
            code: Some(oracle::TOO_LARGE.to_owned()),
            message: message(text),
            limit: Some(t.limit),
            actual: Some(t.actual),
        });
    }

    /// [`attribute_column`], remembered per (preset, table, column).
    fn attribute_column(
        &mut self,
        preset: Preset,
        table: Option<&str>,
        column: &str,
    ) -> Option<(SystemId, Option<String>)> {
        let known = self.known.by_column.get(column).and_then(|v| {
            v.iter()
                .find(|(p, t, _)| *p == preset && t.as_deref() == table)
        });
        if let Some((_, _, attributed)) = known {
            return attributed.clone();
        }
        let attributed = attribute_column(&self.uses, &self.fields, preset, table, column);
        if self.known.len < KNOWN_MAX {
            self.known.len += 1;
            self.known
                .by_column
                .entry(column.to_owned())
                .or_default()
                .push((preset, table.map(str::to_owned), attributed.clone()));
        }
        attributed
    }

    /// Moves completed events that no earlier, still open event can precede to `out`.
    fn release(&mut self) {
        let hold = [self.pending_pg.front().map(|p| p.line), self.expect.line()]
            .into_iter()
            .flatten()
            .min();
        self.ready.sort_by_key(|e| e.line);
        let n = self
            .ready
            .partition_point(|e| hold.is_none_or(|h| e.line < h));
        self.out.extend(self.ready.drain(..n));
    }
}

/// `hir` without line breaks: every class and literal stripped of `\n` (a literal that
/// holds one can never match). On a haystack without line breaks — one line — it matches
/// exactly where `hir` does; on a buffer of lines, only within a line.
fn within_line(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => hir.clone(),
        HirKind::Literal(literal) if literal.0.contains(&b'\n') => Hir::fail(),
        HirKind::Literal(_) => hir.clone(),
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.difference(&ClassUnicode::new([ClassUnicodeRange::new('\n', '\n')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.difference(&ClassBytes::new([ClassBytesRange::new(b'\n', b'\n')]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(within_line(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(within_line(&c.sub)),
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(within_line).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(within_line).collect()),
    }
}

fn unknown(pipeline: &Pipeline, name: &str) -> Error {
    let ids: Vec<&str> = pipeline.systems.iter().map(|s| s.id.as_str()).collect();
    Error::new(
        ErrorKind::UnknownSystem,
        format!("--system {name}: the pipeline has no system `{name}`"),
    )
    .help(format!("systems: {}", ids.join(", ")))
}
