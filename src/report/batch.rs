//! Output of `ripple validate --batch`: JSON Lines (one object per rejected or malformed
//! record as it is found, then a summary object) or a summary table for people.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::Options;
use super::human::Paint;
use crate::batch::{Outcome, Summary};
use crate::pipeline::Pipeline;
use crate::propagate::FieldRef;
use crate::text::{count, escape};

#[derive(Serialize)]
struct RejectionJson<'a> {
    system: &'a str,
    field: &'a str,
    keyword: &'a str,
    limit: &'a Value,
    value: Value,
    message: String,
    origin: &'a [FieldRef],
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum LineJson<'a> {
    Rejected {
        line: u64,
        key: &'a str,
        violations: Vec<RejectionJson<'a>>,
        conflicts: usize,
        echoes: usize,
    },
    Malformed {
        line: u64,
        error: &'a str,
    },
}

#[derive(Serialize)]
struct GroupJson<'a> {
    system: &'a str,
    field: &'a str,
    keyword: &'a str,
    count: u64,
    first_keys: &'a [String],
}

#[derive(Serialize)]
struct CauseJson<'a> {
    origin: &'a [FieldRef],
    count: u64,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    ok: bool,
    records: u64,
    accepted: u64,
    rejected: u64,
    malformed: u64,
    groups: Vec<GroupJson<'a>>,
    causes: Vec<CauseJson<'a>>,
}

/// One outcome as a JSON Lines line (with its line break), or nothing for an accepted
/// record. Personal values are masked unless shown (README, "Personal data").
#[must_use]
pub fn outcome_line(pipeline: &Pipeline, outcome: &Outcome, opts: Options) -> Option<String> {
    let line = match outcome {
        Outcome::Accepted => return None,
        Outcome::Malformed { line, error } => LineJson::Malformed { line: *line, error },
        Outcome::Rejected {
            line,
            key,
            rejections,
            conflicts,
            echoes,
        } => LineJson::Rejected {
            line: *line,
            key,
            violations: rejections
                .iter()
                .map(|r| {
                    let masked = r.pii && !opts.show_values;
                    RejectionJson {
                        system: &pipeline.systems[r.system].id,
                        field: &r.field,
                        keyword: &r.keyword,
                        limit: &r.limit,
                        value: r
                            .value
                            .as_ref()
                            .map_or(Value::Null, |v| super::json_value(v, r.pii, opts)),
                        message: crate::text::sentence(r.value.as_ref(), &r.message, None, masked),
                        origin: &r.origin,
                    }
                })
                .collect(),
            conflicts: *conflicts,
            echoes: *echoes,
        },
    };
    let mut text = serde_json::to_string(&line).unwrap_or_default();
    text.push('\n');
    Some(text)
}

/// The summary as the last JSON Lines line.
#[must_use]
pub fn summary_line(pipeline: &Pipeline, s: &Summary) -> String {
    let json = SummaryJson {
        kind: "summary",
        ok: s.rejected == 0 && s.malformed == 0,
        records: s.records,
        accepted: s.accepted,
        rejected: s.rejected,
        malformed: s.malformed,
        groups: s
            .groups
            .iter()
            .map(|g| GroupJson {
                system: &pipeline.systems[g.system].id,
                field: &g.field,
                keyword: &g.keyword,
                count: g.count,
                first_keys: &g.first_keys,
            })
            .collect(),
        causes: s
            .causes
            .iter()
            .map(|(origin, count)| CauseJson {
                origin,
                count: *count,
            })
            .collect(),
    };
    let mut text = serde_json::to_string(&json).unwrap_or_default();
    text.push('\n');
    text
}

/// The summary for people: violations by system, field and keyword with counts and the
/// first three record keys, the root causes, and the malformed lines seen.
#[must_use]
pub fn summary_human(
    pipeline: &Pipeline,
    s: &Summary,
    malformed: &[(u64, String)],
    opts: Options,
) -> String {
    let p = Paint::new(opts.color);
    let mut out = String::new();
    if !opts.quiet && !s.groups.is_empty() {
        let _ = writeln!(out, "{}", p.bold("Rejections by system, field and keyword"));
        for g in &s.groups {
            let keys: Vec<String> = g
                .first_keys
                .iter()
                .map(|k| escape(k).into_owned())
                .collect();
            let _ = writeln!(
                out,
                "  {:>8}  {} {} {}  {}",
                g.count,
                pipeline.systems[g.system].id,
                escape(&g.field),
                escape(&g.keyword),
                p.dim(&format!("e.g. {}", keys.join(", ")))
            );
        }
        let _ = writeln!(
            out,
            "\n{}",
            p.bold("Root causes, most rejected records first")
        );
        for (origin, n) in &s.causes {
            let name = if origin.is_empty() {
                "(origin unknown)".to_owned()
            } else {
                origin
                    .iter()
                    .map(|o| format!("{} {}", o.system, escape(&o.field)))
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            let _ = writeln!(out, "  {n:>8}  {name}");
        }
        out.push('\n');
    }
    if !opts.quiet && !malformed.is_empty() {
        for (line, error) in malformed {
            let _ = writeln!(out, "{} line {line}: {}", p.yellow("!"), escape(error));
        }
        if s.malformed as usize > malformed.len() {
            let _ = writeln!(
                out,
                "  … and {} more",
                s.malformed as usize - malformed.len()
            );
        }
        out.push('\n');
    }
    let mark = if s.rejected == 0 && s.malformed == 0 {
        p.green("✓")
    } else {
        p.red("✗")
    };
    let _ = writeln!(
        out,
        "{mark} {}: {} accepted, {} rejected, {} malformed",
        count(s.records as usize, "record"),
        s.accepted,
        s.rejected,
        s.malformed
    );
    out
}
