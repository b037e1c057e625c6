//! Output of `ripple trace --log`: each event as it is found, then a summary.
//!
//! Three formats (README, "`ripple trace --log`"): human lines; one JSON document
//! (`events[]` then the summary keys); JSON Lines (one `{"type": "event", …}` object per
//! line as it is found, then one `{"type": "summary", …}`), which `jq` and log shippers can
//! read while the trace runs. All are written through [`LogWriter`], which streams: nothing
//! but the summary's counts is kept, and a closed output stops the trace.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use std::ops::ControlFlow;

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use super::Options;
use super::human::Paint;
use crate::pipeline::{Pipeline, SystemId};
use crate::text::{count, escape};
use crate::trace::log::{Cause, LogSummary, TracedEvent};

/// The output format of a log trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Lines for people.
    Human,
    /// One JSON document.
    Json,
    /// JSON Lines: an object per event, then a summary object.
    JsonLines,
}

/// An entry field an event derives from.
#[derive(Debug, Serialize)]
pub struct OriginJson<'a> {
    /// The entry system.
    pub system: &'a str,
    /// The entry field.
    pub field: &'a str,
}

/// The journalled change an event is linked to.
#[derive(Debug, Serialize)]
pub struct ChangeJson<'a> {
    /// The change's id.
    pub id: &'a str,
    /// Who asked for it.
    pub requested_by: Option<&'a str>,
    /// When it was journalled.
    pub created_at: &'a str,
    /// Its journal status.
    pub status: &'a str,
}

/// One traced event (stable keys: README, "`ripple trace --log`").
#[derive(Debug, Serialize)]
pub struct EventJson<'a> {
    /// The line the event starts on.
    pub line: u64,
    /// The rejecting system.
    pub system: &'a str,
    /// The rejected field, when known.
    pub field: Option<&'a str>,
    /// The rejected value, shortened when long, masked when personal (borrowed from the
    /// event when neither applies).
    pub value: Option<Cow<'a, str>>,
    /// Whether `value` is only the beginning of the value.
    pub value_prefix: bool,
    /// The backend's code.
    pub code: Option<&'a str>,
    /// The limit the value broke.
    pub limit: Option<u64>,
    /// The value's size as the backend measured it.
    pub actual: Option<u64>,
    /// The log's message, personal values masked (borrowed from the event when nothing
    /// is).
    pub message: Cow<'a, str>,
    /// The entry fields the value derives from.
    pub origin: OriginsJson<'a>,
    /// The journalled change that set the value.
    pub change: Option<ChangeJson<'a>>,
}

/// A root cause in the summary.
#[derive(Debug, Serialize)]
pub struct CauseJson<'a> {
    /// The entry field (stable key: an object, `null` when unknown); for a value built
    /// from several entry fields, the first of `origins`.
    pub origin: Option<OriginJson<'a>>,
    /// Every entry field of the cause (empty: unknown).
    pub origins: Vec<OriginJson<'a>>,
    /// Events it explains; the counts add up to the events.
    pub count: u64,
    /// The systems that rejected them.
    pub systems: Vec<&'a str>,
}

/// An unmatched line, kept for listing.
#[derive(Debug, Serialize)]
pub struct UnmatchedJson<'a> {
    /// Its number.
    pub line: u64,
    /// Its text, shortened.
    pub text: &'a str,
}

/// The summary of a log trace: the keys after `events` in the document, or the last JSON
/// Lines object.
#[derive(Debug, Serialize)]
pub struct SummaryJson<'a> {
    /// Failures (events) found; the causes' counts add up to it.
    pub failures: u64,
    /// Lines that matched no pattern.
    pub unmatched: u64,
    /// The first of them.
    pub unmatched_lines: Vec<UnmatchedJson<'a>>,
    /// Root causes, most failures first.
    pub summary: Vec<CauseJson<'a>>,
    /// Lines read.
    pub lines: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// The entry fields an event derives from, serialised as an array of [`OriginJson`]
/// straight from the traced event: a dense log writes hundreds of thousands of events, and
/// none of them needs a vector of its own (README, "Benchmarks").
#[derive(Debug, Clone, Copy)]
pub struct OriginsJson<'a> {
    pipeline: &'a Pipeline,
    origin: &'a [(SystemId, String)],
}

impl OriginsJson<'_> {
    /// The entry fields as [`OriginJson`]s.
    pub fn iter(&self) -> impl Iterator<Item = OriginJson<'_>> {
        self.origin.iter().map(|(s, f)| OriginJson {
            system: &self.pipeline.systems[*s].id,
            field: f,
        })
    }
}

impl Serialize for OriginsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.origin.len()))?;
        for o in self.iter() {
            seq.serialize_element(&o)?;
        }
        seq.end()
    }
}

fn origins<'a>(pipeline: &'a Pipeline, origin: &'a [(SystemId, String)]) -> Vec<OriginJson<'a>> {
    origin
        .iter()
        .map(|(s, f)| OriginJson {
            system: &pipeline.systems[*s].id,
            field: f,
        })
        .collect()
}

/// One traced event in its stable JSON shape, personal values masked unless shown.
#[must_use]
pub fn event_json<'a>(pipeline: &'a Pipeline, t: &'a TracedEvent, opts: Options) -> EventJson<'a> {
    let e = &t.event;
    EventJson {
        line: e.line,
        system: &e.system,
        field: e.field.as_deref(),
        value: e.value.as_deref().map(|v| super::json_str(v, t.pii, opts)),
        value_prefix: e.value_prefix,
        code: e.code.as_deref(),
        limit: e.limit,
        actual: e.actual,
        message: if t.pii {
            let values: Vec<&str> = e.value.iter().map(String::as_str).collect();
            Cow::Owned(super::mask_text(&e.message, &values, opts))
        } else {
            Cow::Borrowed(&e.message)
        },
        origin: OriginsJson {
            pipeline,
            origin: &t.origin,
        },
        change: t.change.as_ref().map(|c| ChangeJson {
            id: &c.id,
            requested_by: c.requested_by.as_deref(),
            created_at: &c.created_at,
            status: c.status.as_str(),
        }),
    }
}

/// The summary in its stable JSON shape.
#[must_use]
pub fn summary_json<'a>(pipeline: &'a Pipeline, s: &'a LogSummary) -> SummaryJson<'a> {
    SummaryJson {
        failures: s.stats.events,
        unmatched: s.stats.unmatched,
        unmatched_lines: s
            .unmatched_lines
            .iter()
            .map(|(line, text)| UnmatchedJson { line: *line, text })
            .collect(),
        summary: s
            .causes
            .iter()
            .map(|c| CauseJson {
                origin: origins(pipeline, &c.origin).into_iter().next(),
                origins: origins(pipeline, &c.origin),
                count: c.count,
                systems: c.systems.iter().map(String::as_str).collect(),
            })
            .collect(),
        lines: s.stats.lines,
        bytes: s.stats.bytes,
    }
}

/// Writes a log trace as it runs, in one of the [`LogFormat`]s. A write that fails stops
/// the trace: [`LogWriter::event`] answers `Break`, and [`LogWriter::finish`] reports the
/// error unless the reader merely went away (a closed pipe, `ripple … | head`).
pub struct LogWriter<'a, W: Write> {
    pipeline: &'a Pipeline,
    format: LogFormat,
    opts: Options,
    out: W,
    first: bool,
    error: Option<std::io::Error>,
    /// Human text of the events not yet written.
    buf: String,
    /// JSON of the events not yet written: serialised in place, written in batches.
    bytes: Vec<u8>,
}

/// How much output [`LogWriter`] gathers before writing it: one write for many events,
/// the size of the command's own `BufWriter`, so it is passed straight through.
const BATCH: usize = 64 * 1024;

impl<'a, W: Write> LogWriter<'a, W> {
    /// A writer to `out`.
    pub fn new(pipeline: &'a Pipeline, format: LogFormat, opts: Options, out: W) -> Self {
        Self {
            pipeline,
            format,
            opts,
            out,
            first: true,
            error: None,
            buf: String::new(),
            bytes: Vec::new(),
        }
    }

    fn write(&mut self, text: &[u8]) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        match self.out.write_all(text) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    /// Writes one event (gathered with the next ones up to [`BATCH`] bytes, as a
    /// `BufWriter` would); `Break` when the output is gone and reading should stop.
    pub fn event(&mut self, t: &TracedEvent) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        match self.format {
            LogFormat::Human if self.opts.quiet => return ControlFlow::Continue(()),
            LogFormat::Human => event_human_into(&mut self.buf, self.pipeline, t, self.opts),
            LogFormat::Json => {
                self.bytes.extend_from_slice(if self.first {
                    b"{\"events\": [\n  "
                } else {
                    b",\n  "
                });
                event_json(self.pipeline, t, self.opts).write_json(&mut self.bytes, None);
            }
            LogFormat::JsonLines => {
                event_json(self.pipeline, t, self.opts).write_json(&mut self.bytes, Some("event"));
                self.bytes.push(b'\n');
            }
        }
        self.first = false;
        if self.buf.len() + self.bytes.len() >= BATCH {
            self.write_gathered()
        } else {
            ControlFlow::Continue(())
        }
    }

    /// Writes the events gathered so far.
    fn write_gathered(&mut self) -> ControlFlow<()> {
        let buf = std::mem::take(&mut self.buf);
        let bytes = std::mem::take(&mut self.bytes);
        let flow = match self.write(buf.as_bytes()) {
            ControlFlow::Continue(()) => self.write(&bytes),
            ControlFlow::Break(()) => ControlFlow::Break(()),
        };
        self.buf = buf;
        self.buf.clear();
        self.bytes = bytes;
        self.bytes.clear();
        flow
    }

    /// Writes the summary and flushes.
    ///
    /// # Errors
    /// The output could not be written, other than by its reader going away.
    pub fn finish(mut self, summary: &LogSummary) -> std::io::Result<()> {
        let _ = self.write_gathered();
        let body = summary_json(self.pipeline, summary);
        let text = match self.format {
            LogFormat::Human => summary_human(self.pipeline, summary, self.opts),
            LogFormat::Json => {
                let head = if self.first { "{\"events\": [" } else { "\n]" };
                let mut rest = json_text("", &body, "");
                // The summary's keys follow `events` in the same object.
                rest.remove(0);
                format!("{head},\n{rest}\n")
            }
            LogFormat::JsonLines => json_text(
                "",
                &Tagged {
                    kind: "summary",
                    body,
                },
                "\n",
            ),
        };
        let _ = self.write(text.as_bytes());
        let result = match self.error.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        };
        match result {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
            _ => Ok(()),
        }
    }
}

/// A JSON Lines object: its `type`, then its keys.
#[derive(Serialize)]
struct Tagged<T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    body: T,
}

impl EventJson<'_> {
    /// Appends the event's compact JSON to `out`, byte for byte what `serde_json` writes
    /// for it (preceded by `"type": kind` as a JSON Lines object; a unit test compares
    /// the two). A dense log writes hundreds of thousands of events, so this is written by
    /// hand: no serializer state, and text escaped a run at a time rather than a byte at a
    /// time (README, "Benchmarks").
    pub fn write_json(&self, out: &mut Vec<u8>, kind: Option<&str>) {
        out.push(b'{');
        if let Some(kind) = kind {
            out.extend_from_slice(b"\"type\":");
            json_string(out, kind);
            out.push(b',');
        }
        out.extend_from_slice(b"\"line\":");
        push_u64(out, self.line);
        out.extend_from_slice(b",\"system\":");
        json_string(out, self.system);
        out.extend_from_slice(b",\"field\":");
        json_opt_string(out, self.field);
        out.extend_from_slice(b",\"value\":");
        json_opt_string(out, self.value.as_deref());
        out.extend_from_slice(if self.value_prefix {
            b",\"value_prefix\":true"
        } else {
            b",\"value_prefix\":false"
        });
        out.extend_from_slice(b",\"code\":");
        json_opt_string(out, self.code);
        out.extend_from_slice(b",\"limit\":");
        json_opt_u64(out, self.limit);
        out.extend_from_slice(b",\"actual\":");
        json_opt_u64(out, self.actual);
        out.extend_from_slice(b",\"message\":");
        json_string(out, &self.message);
        out.extend_from_slice(b",\"origin\":[");
        for (i, o) in self.origin.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"system\":");
            json_string(out, o.system);
            out.extend_from_slice(b",\"field\":");
            json_string(out, o.field);
            out.push(b'}');
        }
        out.extend_from_slice(b"],\"change\":");
        match &self.change {
            None => out.extend_from_slice(b"null"),
            Some(c) => {
                out.extend_from_slice(b"{\"id\":");
                json_string(out, c.id);
                out.extend_from_slice(b",\"requested_by\":");
                json_opt_string(out, c.requested_by);
                out.extend_from_slice(b",\"created_at\":");
                json_string(out, c.created_at);
                out.extend_from_slice(b",\"status\":");
                json_string(out, c.status);
                out.push(b'}');
            }
        }
        out.push(b'}');
    }
}

/// `n` in decimal.
fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

fn json_opt_u64(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => push_u64(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

fn json_opt_string(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => json_string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// `text` as a JSON string, escaped exactly as `serde_json` escapes it: `"` and `\`,
/// the short forms `\b \t \n \f \r`, other control characters as `\u00xx`, everything
/// else (non-ASCII included) as it is. Eight bytes are checked at a time (a log line has a
/// few quotes and no control characters), and runs that need no escape are copied whole.
fn json_string(out: &mut Vec<u8>, text: &str) {
    /// Whether any of the eight bytes in `w` is below 0x20, `"` or `\` (bit tricks that
    /// are exact as a yes/no answer).
    fn needs_escape(w: u64) -> bool {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        (control | zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))) != 0
    }
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // bytes before `start` are written; runs of clean chunks are copied in one call, and
    // a chunk that needs an escape byte by byte (no call per short piece)
    let mut start = 0;
    let mut at = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let clean = <[u8; 8]>::try_from(chunk).is_ok_and(|w| !needs_escape(u64::from_le_bytes(w)));
        if !clean {
            out.extend_from_slice(&bytes[start..at]);
            for &b in chunk {
                push_json_byte(out, b);
            }
            start = at + chunk.len();
        }
        at += chunk.len();
    }
    out.extend_from_slice(&bytes[start..at]);
    for &b in chunks.remainder() {
        push_json_byte(out, b);
    }
    out.push(b'"');
}

/// Byte `b` of a JSON string as `serde_json` writes it.
fn push_json_byte(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        0..0x20 => {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]);
            return;
        }
        _ => {
            out.push(b);
            return;
        }
    };
    out.push(b'\\');
    out.push(short);
}

fn json_text(before: &str, value: &impl Serialize, after: &str) -> String {
    // Serialising these structs cannot fail: every key is a string and no map is used.
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    format!("{before}{body}{after}")
}

/// One traced event for people: every text from the log escaped, personal values masked.
#[must_use]
pub fn event_human(pipeline: &Pipeline, t: &TracedEvent, opts: Options) -> String {
    let mut out = String::new();
    event_human_into(&mut out, pipeline, t, opts);
    out
}

/// [`event_human`] appended to `out`: a dense log has hundreds of thousands of events, so
/// styling is written around the text instead of allocating a string for each piece.
pub fn event_human_into(out: &mut String, pipeline: &Pipeline, t: &TracedEvent, opts: Options) {
    use anstyle::Style;
    let e = &t.event;
    let (dim, bold) = (Style::new().dimmed(), Style::new().bold());
    // pieces are pushed rather than formatted: this runs once per event (README,
    // "Benchmarks"); styles are written only when colour is on
    if opts.color {
        let _ = write!(out, "{}", dim.render());
    }
    out.push_str("line ");
    push_padded(out, e.line, 6);
    if opts.color {
        let _ = write!(out, "{} {}", dim.render_reset(), bold.render());
    } else {
        out.push(' ');
    }
    out.push_str(&escape(&e.system));
    out.push(' ');
    out.push_str(&e.field.as_deref().map_or("(field unknown)".into(), escape));
    if opts.color {
        let _ = write!(out, "{}", bold.render_reset());
    }
    out.push(' ');
    out.push_str(&escape(e.code.as_deref().unwrap_or("")));
    if let Some(v) = &e.value {
        out.push_str("  value ");
        if t.pii && !opts.show_values {
            out.push_str(super::MASK);
        } else {
            out.push('"');
            out.push_str(&escape(&crate::text::shorten(v)));
            out.push('"');
        }
        if e.value_prefix {
            out.push('…');
        }
    }
    match (e.actual, e.limit) {
        (Some(a), Some(l)) => {
            out.push_str(" (");
            push_padded(out, a, 0);
            out.push_str(" > ");
            push_padded(out, l, 0);
            out.push(')');
        }
        (None, Some(l)) => {
            out.push_str(" (limit ");
            push_padded(out, l, 0);
            out.push(')');
        }
        _ => {}
    }
    out.push_str("\n              ← ");
    cause_name_into(out, pipeline, &t.origin);
    if let Some(c) = &t.change {
        let _ = write!(
            out,
            "   change {} by {} at {} ({})",
            escape(&c.id),
            escape(c.requested_by.as_deref().unwrap_or("?")),
            c.created_at,
            c.status.as_str()
        );
    }
    out.push('\n');
}

/// `n` in decimal, right-aligned to `width` characters, as `{n:>width$}` writes it.
fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n);
    for _ in digits.len()..width {
        out.push(' ');
    }
    out.push_str(digits);
}

fn cause_name_into(out: &mut String, pipeline: &Pipeline, origin: &[(SystemId, String)]) {
    if origin.is_empty() {
        out.push_str("(origin unknown)");
        return;
    }
    for (i, (s, f)) in origin.iter().enumerate() {
        if i > 0 {
            out.push_str(" + ");
        }
        out.push_str(&pipeline.systems[*s].id);
        out.push(' ');
        out.push_str(&escape(f));
    }
}

fn cause_name(pipeline: &Pipeline, origin: &[(SystemId, String)]) -> String {
    if origin.is_empty() {
        return "(origin unknown)".to_owned();
    }
    origin
        .iter()
        .map(|(s, f)| format!("{} {}", pipeline.systems[*s].id, escape(f)))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The end of a log trace for people: root causes ranked, then unmatched lines, escaped.
#[must_use]
pub fn summary_human(pipeline: &Pipeline, s: &LogSummary, opts: Options) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    let st = &s.stats;
    if st.events == 0 {
        let _ = writeln!(
            out,
            "{} no rejection found in {} ({} unmatched)",
            p.green("✓"),
            count(st.lines as usize, "line"),
            st.unmatched
        );
    } else {
        let _ = writeln!(
            out,
            "\n{} {} in {}; root causes, most failures first:",
            p.red("✗"),
            count(st.events as usize, "failure"),
            count(st.lines as usize, "line"),
        );
        causes_human(pipeline, &s.causes, p, &mut out);
    }
    if st.unmatched > 0 {
        let _ = writeln!(
            out,
            "\n{} matched no pattern{}:",
            count(st.unmatched as usize, "line"),
            if st.unmatched as usize > s.unmatched_lines.len() {
                format!(" (the first {} listed)", s.unmatched_lines.len())
            } else {
                String::new()
            }
        );
        for (n, text) in &s.unmatched_lines {
            let _ = writeln!(out, "  {} {}", p.dim(&format!("line {n:>6}")), escape(text));
        }
    }
    out
}

fn causes_human(pipeline: &Pipeline, causes: &[Cause], p: Paint, out: &mut String) {
    let width = causes
        .iter()
        .map(|c| cause_name(pipeline, &c.origin).chars().count())
        .max()
        .unwrap_or(0);
    for c in causes {
        let owner = c
            .origin
            .first()
            .and_then(|(sys, _)| pipeline.systems[*sys].owner.as_deref())
            .map_or(String::new(), |o| format!("  owner {}", escape(o)));
        let _ = writeln!(
            out,
            "  {:>6}  {:<width$}  rejected by {}{}",
            c.count,
            cause_name(pipeline, &c.origin),
            c.systems
                .iter()
                .map(|s| escape(s).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
            p.dim(&owner)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let mut every_ascii = String::new();
        for b in 0u8..0x80 {
            every_ascii.push(char::from(b));
        }
        for text in [
            "",
            "plain",
            r#"ORA-12899: value too large for column "P"."E"."L" (actual: 15, maximum: 9)"#,
            "back\\slash \"quoted\" tab\there",
            "väinö € 💥 \u{202e} \u{7f}",
            "line\nbreak\r\u{8}\u{c}\u{0}\u{1b}[2J",
            &every_ascii,
        ] {
            let mut ours = Vec::new();
            json_string(&mut ours, text);
            let theirs = serde_json::to_vec(text).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }

    #[test]
    fn json_strings_of_every_length_and_mix_are_escaped_as_serde_json_escapes_them() {
        // every position of the eight-byte chunks, with characters that need escaping,
        // multi-byte ones and plain ASCII around them (a fixed xorshift sequence)
        let alphabet = [
            'a', 'Z', ' ', '"', '\\', '\n', '\u{1}', '\u{1f}', '\u{7f}', 'ä', '€', '💥', '!', '~',
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..40 {
            for _ in 0..200 {
                let text: String = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        alphabet[(state % alphabet.len() as u64) as usize]
                    })
                    .collect();
                let mut ours = Vec::new();
                json_string(&mut ours, &text);
                let theirs = serde_json::to_vec(&text).unwrap_or_default();
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs)
                );
            }
        }
    }

    #[test]
    fn numbers_are_written_as_format_writes_them() {
        for n in [0, 7, 10, 99, 123_456, 1_234_567, u64::MAX] {
            let mut bytes = Vec::new();
            push_u64(&mut bytes, n);
            assert_eq!(bytes, n.to_string().as_bytes());
            let mut text = String::new();
            push_padded(&mut text, n, 6);
            assert_eq!(text, format!("{n:>6}"));
        }
    }

    #[test]
    fn events_are_written_as_serde_json_writes_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let pipeline = crate::pipeline::load(&root.join("pipelines/customer-identity.yaml"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        let first = crate::pipeline::SystemId::new(0);
        let origin = vec![(first, "/username".to_owned()), (first, "/a\"b".to_owned())];
        let change = ChangeJson {
            id: "c-1",
            requested_by: Some("ops \"lead\""),
            created_at: "2026-11-20T02:00:00.000Z",
            status: "acknowledged",
        };
        let events = [
            EventJson {
                line: 3,
                system: "payroll",
                field: Some("/login"),
                value: None,
                value_prefix: false,
                code: Some("ORA-12899"),
                limit: Some(12),
                actual: Some(13),
                message: Cow::Borrowed(r#"ORA-12899: "PAYROLL"."EMPLOYEES"."LOGIN" … (9 more)"#),
                origin: OriginsJson {
                    pipeline: &pipeline,
                    origin: &origin,
                },
                change: Some(change),
            },
            EventJson {
                line: u64::MAX,
                system: "sync",
                field: None,
                value: Some(Cow::Borrowed("väinö\t\u{1}")),
                value_prefix: true,
                code: None,
                limit: None,
                actual: None,
                message: Cow::Owned("a\\b\nc".to_owned()),
                origin: OriginsJson {
                    pipeline: &pipeline,
                    origin: &[],
                },
                change: None,
            },
        ];
        for e in &events {
            let mut ours = Vec::new();
            e.write_json(&mut ours, None);
            let theirs = serde_json::to_vec(e).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
            let mut ours = Vec::new();
            e.write_json(&mut ours, Some("event"));
            let tagged = Tagged {
                kind: "event",
                body: e,
            };
            let theirs = serde_json::to_vec(&tagged).unwrap_or_default();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }
}
