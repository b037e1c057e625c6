//! Output of `ripple trace` (field mode) and `ripple constraints`.
//!
//! # `ripple trace --format json` (field mode)
//!
//! ```json
//! {
//!   "target": { "system": "payroll", "field": "/login" },
//!   "lineage": [ { "system": "web", "field": "/username", "expr": null, "flow": null,
//!                  "constraint": { "maxLength": 64 }, "narrows": [] }, … ],
//!   "origin": [ { "system": "web", "field": "/username" } ],
//!   "effective": { "maxLength": 8, … },
//!   "root_cause": { "system": "web", "field": "/username", "reason": "…" }
//! }
//! ```
//!
//! Stable keys (README, "`ripple trace`"): `target`, `lineage[]` {`system`, `field`, `expr`}, `origin[]`,
//! `effective`, `root_cause` {`system`, `field`, `reason`} (`null` when nothing narrows).
//! `lineage` lists the hops of every chain from an origin to the target, origin first.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Options;
use super::human::Paint;
use crate::check::FieldVerdict;
use crate::constraints::Effective;
use crate::pipeline::{Pipeline, SystemId};
use crate::text::escape;
use crate::trace::field::{FieldTrace, effective_schema};

fn hop_json(pipeline: &Pipeline, h: &crate::trace::field::TraceHop) -> Value {
    json!({
        "system": pipeline.systems[h.system].id,
        "field": h.pointer,
        "expr": h.expr,
        "flow": h.flow.map(|f| {
            let flow = &pipeline.flows[f];
            json!({
                "from": pipeline.systems[flow.from].id,
                "to": pipeline.systems[flow.to].id,
                "schedule": flow.schedule,
            })
        }),
        "constraint": h.constraint.to_schema(),
        "narrows": h.narrows,
    })
}

/// A sum limit in words: "/first_name + /last_name together: at most 69 characters".
fn sum_line(pipeline: &Pipeline, s: &crate::constraints::SumConstraint, p: Paint) -> String {
    let unit = if s.keyword == "maxLength" {
        "characters"
    } else {
        "UTF-8 bytes"
    };
    format!(
        "{} together: at most {} {unit} (joined at {} {})",
        p.bold(&escape(&s.fields.join(" + "))),
        s.max,
        pipeline.systems[s.at.0].id,
        escape(&s.at.1)
    )
}

/// Field-mode trace as JSON with the stable keys of README, "`ripple trace`".
#[must_use]
pub fn field_json(pipeline: &Pipeline, trace: &FieldTrace) -> String {
    let sys = |s: SystemId| pipeline.systems[s].id.as_str();
    let value = json!({
        "target": { "system": sys(trace.target.system), "field": trace.target.pointer },
        "lineage": trace.chains.iter().flatten().map(|h| hop_json(pipeline, h)).collect::<Vec<_>>(),
        "chains": trace.chains.iter().map(|c| c.len()).collect::<Vec<_>>(),
        "origin": trace.origins.iter().map(|o| json!({
            "system": sys(o.system),
            "field": o.pointer,
            "own": o.own.to_schema(),
            "effective": o.effective.to_schema(),
            "notes": o.effective.notes,
        })).collect::<Vec<_>>(),
        "effective": effective_schema(trace),
        "sums": trace.sums.iter().map(|s| json!({
            "fields": s.fields,
            "keyword": s.keyword,
            "limit": s.max,
            "at": { "system": sys(s.at.0), "field": s.at.1 },
        })).collect::<Vec<_>>(),
        "verdict": trace.verdict.name(),
        "root_cause": trace.root_cause.as_ref().map(|c| json!({
            "system": sys(c.system),
            "field": c.pointer,
            "reason": c.reason,
            "narrowed_at": c.narrowed_at.as_ref().map(|(s, f)| json!({ "system": sys(*s), "field": f })),
        })),
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

/// Field-mode trace for people: each chain origin first, the constraint at every hop, the
/// hop where it narrows, the effective constraint and the root cause.
#[must_use]
pub fn field_human(pipeline: &Pipeline, trace: &FieldTrace, opts: Options) -> String {
    let p = Paint::new(opts.color);
    let sys = |s: SystemId| pipeline.systems[s].id.as_str();
    let mut out = String::new();
    let target = format!(
        "{} {}",
        sys(trace.target.system),
        escape(&trace.target.pointer)
    );
    if trace.chains.is_empty() {
        let _ = writeln!(
            out,
            "{} no flow from an entry system fills {}",
            p.bold("·"),
            p.bold(&target)
        );
        return out;
    }
    if !opts.quiet {
        let _ = writeln!(out, "{}", p.bold(&format!("lineage of {target}")));
        for (i, chain) in trace.chains.iter().enumerate() {
            if trace.chains.len() > 1 {
                let _ = writeln!(out, "\n  chain {} of {}", i + 1, trace.chains.len());
            }
            let width = chain
                .iter()
                .map(|h| sys(h.system).len() + 1 + escape(&h.pointer).chars().count())
                .max()
                .unwrap_or(0);
            for h in chain {
                if let (Some(f), Some(expr)) = (h.flow, &h.expr) {
                    let flow = &pipeline.flows[f];
                    let when = flow
                        .schedule
                        .as_deref()
                        .map_or(String::new(), |s| format!("  ({})", escape(s)));
                    let _ = writeln!(out, "    │ {}{}", escape(expr), p.dim(&when));
                }
                let name = format!("{} {}", sys(h.system), escape(&h.pointer));
                let mark = if h.flow.is_none() { "●" } else { "▼" };
                let _ = write!(
                    out,
                    "  {mark} {name:<width$}  {}",
                    p.dim(&escape(&h.constraint.describe()))
                );
                if h.narrows.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(
                        out,
                        "  {} {}",
                        p.red("← narrows:"),
                        escape(&h.narrows.join(", "))
                    );
                }
            }
        }
        out.push('\n');
        for o in &trace.origins {
            let _ = writeln!(
                out,
                "effective constraint at {} {}: {}",
                sys(o.system),
                escape(&o.pointer),
                p.bold(&escape(&o.effective.describe()))
            );
            for n in &o.effective.notes {
                let _ = writeln!(out, "  {} {}", p.dim("note:"), escape(n));
            }
        }
        for s in &trace.sums {
            let _ = writeln!(out, "{}", sum_line(pipeline, s, p));
        }
    }
    match &trace.root_cause {
        Some(c) => {
            let _ = writeln!(out, "{} root cause: {}", p.red("✗"), escape(&c.reason));
            if let Some(owner) = &pipeline.systems[c.system].owner {
                let _ = writeln!(out, "  owner: {}", escape(owner));
            }
        }
        None if matches!(trace.verdict, FieldVerdict::Undecided(_)) => {
            let why = match &trace.verdict {
                FieldVerdict::Undecided(f) => f.message(),
                _ => "",
            };
            let _ = writeln!(out, "{} undecided: {}", p.yellow("?"), escape(why));
        }
        None => {
            let _ = writeln!(
                out,
                "{} every system on the lineage accepts what {} accepts",
                p.green("✓"),
                trace
                    .origins
                    .iter()
                    .map(|o| format!("{} {}", sys(o.system), escape(&o.pointer)))
                    .collect::<Vec<_>>()
                    .join(" and ")
            );
        }
    }
    out
}

/// `ripple constraints --format json`: `entry`, `fields[]` {`field`, `own`, `effective`
/// (JSON Schema fragments), `narrowed_by[]` {`system`, `field`, `path`, `reasons`}, `notes`}.
#[must_use]
pub fn constraints_json(pipeline: &Pipeline, eff: &Effective) -> String {
    let sys = |s: SystemId| pipeline.systems[s].id.as_str();
    let value: Vec<Value> = eff
        .fields
        .iter()
        .map(|f| {
            json!({
                "entry": sys(f.entry),
                "field": f.pointer,
                "own": f.own.to_schema(),
                "effective": f.effective.to_schema(),
                "narrowed_by": f.narrowed_by.iter().filter_map(|(chain, why)| {
                    let last = chain.last()?;
                    Some(json!({
                        "system": sys(last.system),
                        "field": last.pointer,
                        "path": chain.iter().map(|h| sys(h.system)).collect::<Vec<_>>(),
                        "reasons": why,
                    }))
                }).collect::<Vec<_>>(),
                "notes": f.effective.notes,
            })
        })
        .collect();
    let sums: Vec<Value> = eff
        .sums
        .iter()
        .map(|s| {
            json!({
                "fields": s.fields,
                "keyword": s.keyword,
                "limit": s.max,
                "at": { "system": sys(s.at.0), "field": s.at.1 },
            })
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&json!({ "fields": value, "sums": sums })).unwrap_or_default();
    text.push('\n');
    text
}

/// `ripple constraints` for people: each entry field's own and effective constraint, and
/// the downstream fields that narrow it.
#[must_use]
pub fn constraints_human(pipeline: &Pipeline, eff: &Effective, opts: Options) -> String {
    let fields = &eff.fields;
    let p = Paint::new(opts.color);
    let sys = |s: SystemId| pipeline.systems[s].id.as_str();
    let mut out = String::new();
    for f in fields {
        let _ = writeln!(
            out,
            "{}",
            p.bold(&format!("{} {}", sys(f.entry), escape(&f.pointer)))
        );
        let _ = writeln!(out, "  accepts:   {}", escape(&f.own.describe()));
        let mark = if f.narrowed_by.is_empty() {
            p.green("=")
        } else {
            p.red("≠")
        };
        let _ = writeln!(
            out,
            "  effective: {} {mark}",
            escape(&f.effective.describe())
        );
        for (chain, why) in &f.narrowed_by {
            let path: Vec<String> = chain
                .iter()
                .map(|h| format!("{} {}", sys(h.system), escape(&h.pointer)))
                .collect();
            let _ = writeln!(out, "    {} {}", p.dim("by"), path.join(" → "));
            let _ = writeln!(out, "       {}", escape(&why.join(", ")));
        }
        for n in &f.effective.notes {
            let _ = writeln!(out, "  {} {}", p.dim("note:"), escape(n));
        }
        out.push('\n');
    }
    for s in &eff.sums {
        let _ = writeln!(out, "{}\n", sum_line(pipeline, s, p));
    }
    let narrowed = fields.iter().filter(|f| !f.narrowed_by.is_empty()).count() + eff.sums.len();
    let noted = fields
        .iter()
        .filter(|f| !f.effective.notes.is_empty())
        .count();
    if narrowed == 0 && noted > 0 {
        let _ = writeln!(
            out,
            "{} no downstream limit narrows an entry field, but {noted} entry field{} carr{} notes: limits ripple could not pull back, which the emitted schema leaves out",
            p.yellow("!"),
            if noted == 1 { "" } else { "s" },
            if noted == 1 { "ies" } else { "y" },
        );
    } else if narrowed == 0 {
        let _ = writeln!(
            out,
            "{} every entry field's own constraint is already its effective constraint",
            p.green("✓")
        );
    } else {
        let _ = writeln!(
            out,
            "{} {narrowed} entry field{} or sum{} accept{} values a downstream system rejects (`--emit-schema` prints the tightened entry schema)",
            p.red("✗"),
            if narrowed == 1 { "" } else { "s" },
            if narrowed == 1 { "" } else { "s" },
            if narrowed == 1 { "s" } else { "" },
        );
    }
    out
}
