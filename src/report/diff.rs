//! `ripple diff` output: human, JSON (README, "`ripple diff`"), SARIF and GitHub
//! annotations (new findings only).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Options;
use super::human::Paint;
use crate::check::Severity;
use crate::diff::{Change, DiffReport};
use crate::text::escape;

/// JSON with the stable keys `ok`, `changes[]` {`kind`, `system`, `field`, `keyword`,
/// `flow`, `old`, `new`}, `new[]` and `fixed[]` (findings with the keys of check's JSON).
#[must_use]
pub fn json(report: &DiffReport) -> String {
    let out = json!({
        "ok": report.ok(),
        "changes": report.changes,
        "new": report.new.iter().map(super::json::finding).collect::<Vec<Value>>(),
        "fixed": report.fixed.iter().map(super::json::finding).collect::<Vec<Value>>(),
    });
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// SARIF 2.1.0 with the new findings.
#[must_use]
pub fn sarif(report: &DiffReport) -> String {
    super::sarif::log(&report.files, &report.new)
}

/// GitHub workflow annotations for the new findings.
#[must_use]
pub fn github(report: &DiffReport) -> String {
    super::github::findings(&report.new)
}

/// A value in one line: strings bare, the rest as JSON, `—` for none.
fn shown(v: Option<&Value>) -> String {
    match v {
        None => "—".to_owned(),
        Some(Value::String(s)) => escape(s).into_owned(),
        Some(other) => escape(&other.to_string()).into_owned(),
    }
}

fn change_line(c: &Change) -> String {
    use crate::diff::ChangeKind as K;
    let either = c.new.as_ref().or(c.old.as_ref());
    match (c.kind, &c.flow) {
        (K::SystemAdded | K::SystemRemoved, _) => {
            let name = either.map(|n| format!(" ({})", shown(Some(n))));
            let text = format!("{}{}", c.system, name.unwrap_or_default());
            return format!("{:<20} {}", c.kind.name(), escape(&text));
        }
        (K::FlowAdded | K::FlowRemoved, Some(flow)) => {
            let schedule = either.map(|s| format!(" ({})", shown(Some(s))));
            let text = format!("{flow}{}", schedule.unwrap_or_default());
            return format!("{:<20} {}", c.kind.name(), escape(&text));
        }
        _ => {}
    }
    let mut place = c.system.clone();
    if let Some(field) = &c.field {
        let _ = write!(place, ":{field}");
    }
    if let Some(flow) = &c.flow {
        let _ = write!(place, " ({flow})");
    }
    if let Some(keyword) = &c.keyword {
        let _ = write!(place, " {keyword}");
    }
    let values = match (&c.old, &c.new) {
        (None, None) => String::new(),
        (old, new) => format!(": {} → {}", shown(old.as_ref()), shown(new.as_ref())),
    };
    format!("{:<20} {}{values}", c.kind.name(), escape(&place))
}

/// For people: the changes, each new finding in full, the fixed ones in a line each, and
/// a summary.
#[must_use]
pub fn human(report: &DiffReport, opts: Options) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    if !opts.quiet {
        if !report.changes.is_empty() {
            let _ = writeln!(out, "changes:");
            for c in &report.changes {
                let _ = writeln!(out, "  {}", change_line(c));
            }
            out.push('\n');
        }
        for f in &report.new {
            out.push_str(&super::diagnostic::render_finding(f, opts.color));
            out.push('\n');
        }
        for f in &report.fixed {
            let (line, _) = f.line_column();
            let _ = writeln!(
                out,
                "{} {} {}:{line}: {}",
                p.green("fixed:"),
                f.code().code(),
                f.file().display(),
                escape(f.message())
            );
        }
    }
    let errors = report
        .new
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .count();
    let n = |k: usize, noun: &str| format!("{k} {noun}{}", if k == 1 { "" } else { "s" });
    let summary = format!(
        "{}, {} ({} error{}), {} fixed",
        n(report.changes.len(), "change"),
        n(report.new.len(), "new finding"),
        errors,
        if errors == 1 { "" } else { "s" },
        report.fixed.len()
    );
    let mark = if errors > 0 {
        p.red("✗")
    } else {
        p.green("✓")
    };
    let _ = writeln!(out, "{mark} {summary}");
    out
}
