//! Output of `ripple journal list|show|resume`, human and JSON.
//!
//! # `ripple journal list --format json`
//!
//! `{"entries": [ {"id", "status", "attempts", "last_error", "http_status", "requested_by",
//! "entry", "key", "pipeline", "created_at", "updated_at"} ]}`. The record is left out
//! (`journal show` has it).
//!
//! # `ripple journal show ID --format json`
//!
//! The entry's keys as in `list`, plus `record` (the entry record sent) and `values[]`
//! {`system`, `pointer`, `value`} (what the change derived downstream). Personal (`x-pii`)
//! values are `"[redacted]"` unless `--show-values`.
//!
//! # `ripple journal resume --format json`
//!
//! `{"resumed": [ {"id", "status", "attempts", "http_status", "last_error"} ]}`, where
//! `status` is `error` when the entry could not be sent at all.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::human::Paint;
use super::{MASK, Options, shorten};
use crate::journal::{Entry, EntryStatus, FieldValue};
use crate::submit::Resumed;
use crate::text::escape;

#[derive(Serialize)]
struct EntryJson<'a> {
    id: &'a str,
    status: EntryStatus,
    attempts: u32,
    last_error: Option<&'a str>,
    http_status: Option<u16>,
    requested_by: Option<&'a str>,
    entry: &'a str,
    key: Option<&'a str>,
    pipeline: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<Vec<FieldValue>>,
}

fn entry_json(e: &Entry) -> EntryJson<'_> {
    EntryJson {
        id: &e.id,
        status: e.status,
        attempts: e.attempts,
        last_error: e.last_error.as_deref(),
        http_status: e.http_status,
        requested_by: e.requested_by.as_deref(),
        entry: &e.entry,
        key: e.key.as_deref(),
        pipeline: &e.pipeline,
        created_at: &e.created_at,
        updated_at: &e.updated_at,
        record: None,
        change: None,
        current: None,
        values: None,
    }
}

fn pretty<T: Serialize>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The journal's entries as JSON, without their records.
#[must_use]
pub fn list_json(entries: &[Entry]) -> String {
    #[derive(Serialize)]
    struct List<'a> {
        entries: Vec<EntryJson<'a>>,
    }
    pretty(&List {
        entries: entries.iter().map(entry_json).collect(),
    })
}

/// The journal's entries as a table: id, status, attempts, created, who asked, last error.
#[must_use]
pub fn list_human(entries: &[Entry], opts: Options) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str("the journal is empty\n");
        return out;
    }
    let id_width = entries
        .iter()
        .map(|e| e.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    let by_width = entries
        .iter()
        .map(|e| e.requested_by.as_deref().map_or(1, |r| r.chars().count()))
        .max()
        .unwrap_or(12)
        .max(12);
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!(
            "{:<id_width$}  {:<12}  {:>8}  {:<24}  {:<by_width$}  LAST ERROR",
            "ID", "STATUS", "ATTEMPTS", "CREATED", "REQUESTED BY"
        ))
    );
    for e in entries {
        let status = format!("{:<12}", e.status.as_str());
        let status = match e.status {
            EntryStatus::Acknowledged => p.green(&status),
            EntryStatus::Failed => p.red(&status),
            EntryStatus::Pending => status,
        };
        let line = format!(
            "{:<id_width$}  {status}  {:>8}  {:<24}  {:<by_width$}  {}",
            escape(&e.id),
            e.attempts,
            e.created_at,
            escape(e.requested_by.as_deref().unwrap_or("-")),
            e.last_error
                .as_deref()
                .map_or_else(|| "-".to_owned(), |t| escape(&shorten(t)).into_owned())
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The entry's record, derived values and last error with personal values masked (unless
/// `opts.show_values`): `pii(system, pointer)` says which values are personal, and a
/// derived value holding a personal entry value is personal too, whatever its schema
/// says. The journal is read from disk, so it is masked in every format (README,
/// "Personal data").
fn masked(
    entry: &Entry,
    values: &[FieldValue],
    pii: &dyn Fn(&str, &str) -> bool,
    opts: Options,
) -> (Value, Vec<FieldValue>, Option<String>) {
    let mask = |system: &str, pointer: &str, value: &Value| {
        if !opts.show_values && pii(system, pointer) {
            Value::String(MASK.to_owned())
        } else {
            value.clone()
        }
    };
    let mut record = entry.record.clone();
    let mut personal: Vec<String> = Vec::new();
    for (pointer, value) in crate::pointer::leaves(&entry.record) {
        if let Some(slot) = record.pointer_mut(&pointer) {
            *slot = mask(&entry.entry, &pointer, &value);
            if let (Value::String(s), Value::String(m)) = (&value, &*slot)
                && m == MASK
                && !s.is_empty()
            {
                personal.push(s.clone());
            }
        }
    }
    let lowered: Vec<String> = personal.iter().map(|p| p.to_lowercase()).collect();
    let derived = |value: &Value| match value {
        Value::String(s) if !opts.show_values => {
            let s = s.to_lowercase();
            lowered.iter().any(|p| s.contains(p.as_str()))
        }
        _ => false,
    };
    let values = values
        .iter()
        .map(|v| FieldValue {
            value: if derived(&v.value) {
                Value::String(MASK.to_owned())
            } else {
                mask(&v.system, &v.pointer, &v.value)
            },
            ..v.clone()
        })
        .collect();
    let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
    let last_error = entry
        .last_error
        .as_deref()
        .map(|e| super::mask_text(e, &personal, opts));
    (record, values, last_error)
}

/// One entry in full, personal values masked unless `opts.show_values`.
#[must_use]
pub fn show_json(
    entry: &Entry,
    values: &[FieldValue],
    pii: &dyn Fn(&str, &str) -> bool,
    opts: Options,
) -> String {
    let (record, values, last_error) = masked(entry, values, pii, opts);
    let mask_doc = |doc: &Value| {
        let mut out = doc.clone();
        for (pointer, value) in crate::pointer::leaves(doc) {
            if let Some(slot) = out.pointer_mut(&pointer)
                && !opts.show_values
                && pii(&entry.entry, &pointer)
                && !value.is_null()
            {
                *slot = Value::String(MASK.to_owned());
            }
        }
        out
    };
    let mut json = entry_json(entry);
    json.record = Some(record);
    json.change = entry.change.as_ref().map(mask_doc);
    json.current = entry.current.as_ref().map(mask_doc);
    json.values = Some(values);
    json.last_error = last_error.as_deref();
    pretty(&json)
}

/// One entry in full, for people: personal values masked unless `opts.show_values`,
/// everything from the journal escaped.
#[must_use]
pub fn show_human(
    entry: &Entry,
    values: &[FieldValue],
    pii: &dyn Fn(&str, &str) -> bool,
    opts: Options,
) -> String {
    let (record, values, last_error) = masked(entry, values, pii, opts);
    let p = Paint::new(opts.color);
    let mut out = String::new();
    let row = |out: &mut String, label: &str, value: &str| {
        let _ = writeln!(out, "  {:<13} {}", p.dim(label), escape(value));
    };
    let _ = writeln!(out, "{} {}", p.bold("change"), p.bold(&escape(&entry.id)));
    row(&mut out, "status", entry.status.as_str());
    row(&mut out, "attempts", &entry.attempts.to_string());
    if let Some(h) = entry.http_status {
        row(&mut out, "http status", &h.to_string());
    }
    if let Some(e) = &last_error {
        row(&mut out, "last error", e);
    }
    row(&mut out, "entry", &entry.entry);
    row(&mut out, "key", entry.key.as_deref().unwrap_or("-"));
    row(
        &mut out,
        "requested by",
        entry.requested_by.as_deref().unwrap_or("-"),
    );
    row(&mut out, "pipeline", &entry.pipeline);
    row(&mut out, "created", &entry.created_at);
    row(&mut out, "updated", &entry.updated_at);
    row(&mut out, "record", &shorten(&record.to_string()));
    if !values.is_empty() {
        let _ = writeln!(out, "  {}", p.dim("derived values"));
        for v in &values {
            let _ = writeln!(
                out,
                "    {}:{} = {}",
                escape(&v.system),
                escape(&v.pointer),
                super::display_value(&v.value)
            );
        }
    }
    out
}

/// What `resume` did, for people: a line per entry and a summary.
#[must_use]
pub fn resumed_human(resumed: &[Resumed], opts: Options) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    if resumed.is_empty() {
        out.push_str("nothing pending in the journal\n");
        return out;
    }
    for r in resumed {
        match &r.result {
            Ok(s) => {
                let mark = match s.status {
                    EntryStatus::Acknowledged => p.green("✓"),
                    _ => p.red("✗"),
                };
                let http = s
                    .http_status
                    .map(|h| format!(", HTTP {h}"))
                    .unwrap_or_default();
                let error = s
                    .last_error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{mark} {} {} ({} attempt{} in all{http}){error}",
                    r.id,
                    s.status.as_str(),
                    s.attempts,
                    if s.attempts == 1 { "" } else { "s" }
                );
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "{} {} not sent: {}",
                    p.red("✗"),
                    escape(&r.id),
                    escape(&e.message)
                );
            }
        }
    }
    out
}

/// What `resume` did, as JSON.
#[must_use]
pub fn resumed_json(resumed: &[Resumed]) -> String {
    #[derive(Serialize)]
    struct One<'a> {
        id: &'a str,
        status: &'a str,
        attempts: u32,
        http_status: Option<u16>,
        last_error: Option<String>,
    }
    #[derive(Serialize)]
    struct All<'a> {
        resumed: Vec<One<'a>>,
    }
    pretty(&All {
        resumed: resumed
            .iter()
            .map(|r| match &r.result {
                Ok(s) => One {
                    id: &r.id,
                    status: s.status.as_str(),
                    attempts: s.attempts,
                    http_status: s.http_status,
                    last_error: s.last_error.clone(),
                },
                Err(e) => One {
                    id: &r.id,
                    status: "error",
                    attempts: 0,
                    http_status: None,
                    last_error: Some(e.to_string()),
                },
            })
            .collect(),
    })
}
