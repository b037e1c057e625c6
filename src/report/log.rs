//! Output of `ripple trace --log`: each event as it is found, then a summary.
//!
//! Three formats (README, "`ripple trace --log`"): human lines; one JSON document
//! (`events[]` then the summary keys); JSON Lines (one `{"type": "event", …}` object per
//! line as it is found, then one `{"type": "summary", …}`), which `jq` and log shippers can
//! read while the trace runs. All are written through [`LogWriter`], which streams: nothing
//! but the summary's counts is kept, and a closed output stops the trace.

use std::fmt::Write as _;
use std::io::Write;
use std::ops::ControlFlow;

use serde::Serialize;
use serde_json::Value;

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
    /// The rejected value, masked when personal.
    pub value: Option<Value>,
    /// Whether `value` is only the beginning of the value.
    pub value_prefix: bool,
    /// The backend's code.
    pub code: Option<&'a str>,
    /// The limit the value broke.
    pub limit: Option<u64>,
    /// The value's size as the backend measured it.
    pub actual: Option<u64>,
    /// The log's message, personal values masked.
    pub message: String,
    /// The entry fields the value derives from.
    pub origin: Vec<OriginJson<'a>>,
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
    let values: Vec<&str> = e.value.iter().map(String::as_str).collect();
    EventJson {
        line: e.line,
        system: &e.system,
        field: e.field.as_deref(),
        value: e
            .value
            .as_ref()
            .map(|v| super::json_value(&Value::String(v.clone()), t.pii, opts)),
        value_prefix: e.value_prefix,
        code: e.code.as_deref(),
        limit: e.limit,
        actual: e.actual,
        message: if t.pii {
            super::mask_text(&e.message, &values, opts)
        } else {
            e.message.clone()
        },
        origin: origins(pipeline, &t.origin),
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
    /// The text of one event, reused.
    buf: String,
}

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
        }
    }

    fn write(&mut self, text: &str) -> ControlFlow<()> {
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.error = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    /// Writes one event; `Break` when the output is gone and reading should stop.
    pub fn event(&mut self, t: &TracedEvent) -> ControlFlow<()> {
        let text = match self.format {
            LogFormat::Human if self.opts.quiet => return ControlFlow::Continue(()),
            LogFormat::Human => {
                let mut buf = std::mem::take(&mut self.buf);
                buf.clear();
                event_human_into(&mut buf, self.pipeline, t, self.opts);
                let flow = self.write(&buf);
                self.buf = buf;
                self.first = false;
                return flow;
            }
            LogFormat::Json => {
                let sep = if self.first {
                    "{\"events\": [\n  "
                } else {
                    ",\n  "
                };
                json_text(sep, &event_json(self.pipeline, t, self.opts), "")
            }
            LogFormat::JsonLines => json_text(
                "",
                &Tagged {
                    kind: "event",
                    body: event_json(self.pipeline, t, self.opts),
                },
                "\n",
            ),
        };
        self.first = false;
        self.write(&text)
    }

    /// Writes the summary and flushes.
    ///
    /// # Errors
    /// The output could not be written, other than by its reader going away.
    pub fn finish(mut self, summary: &LogSummary) -> std::io::Result<()> {
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
        let _ = self.write(&text);
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
    let (dim, bold) = if opts.color {
        (Style::new().dimmed(), Style::new().bold())
    } else {
        (Style::new(), Style::new())
    };
    let field = e.field.as_deref().map_or("(field unknown)".into(), escape);
    let _ = write!(
        out,
        "{}line {:>6}{} {}{} {field}{} {}",
        dim.render(),
        e.line,
        dim.render_reset(),
        bold.render(),
        escape(&e.system),
        bold.render_reset(),
        escape(e.code.as_deref().unwrap_or(""))
    );
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
            let _ = write!(out, " ({a} > {l})");
        }
        (None, Some(l)) => {
            let _ = write!(out, " (limit {l})");
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
