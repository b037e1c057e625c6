//! JSON output for scripts.
//!
//! # `ripple validate --format json`
//!
//! ```json
//! {
//!   "ok": false,
//!   "entry": "web",
//!   "systems": [ { "system": "ad", "status": "rejected", "path": ["web", "crm", "ad"] } ],
//!   "violations": [ {
//!       "system": "ad", "field": "/sAMAccountName", "keyword": "maxLength", "limit": 20,
//!       "value": "…", "message": "…",
//!       "origin": [ { "system": "web", "field": "/username" } ],
//!       "path": ["web", "crm", "ad"],
//!       "lineage": [ { "system": "web", "field": "/username", "expr": null }, … ],
//!       "schedule": "nightly 02:00", "owner": "identity-team@bank.example",
//!       "behind": null, "pii": false
//!   } ],
//!   "conflicts": [ { "system": "…", "field": "…", "values": [ { "value": …, "path": […] } ] } ]
//! }
//! ```
//!
//! Stable keys (SPEC 4.1): `ok`, `entry`, `systems[]` {`system`, `status`, `path`},
//! `violations[]` {`system`, `field`, `keyword`, `limit`, `value`, `message`, `origin[]`,
//! `path`}. The others may grow. Values of `x-pii` fields are `"[redacted]"` unless
//! `--show-values`.

use serde::Serialize;
use serde_json::Value;

use super::{Options, json_value, mask_message};
use crate::pipeline::{Pipeline, SystemId};
use crate::propagate::{FieldRef, Hop};
use crate::validate::{Report, Status};

#[derive(Serialize)]
struct ValidateJson<'a> {
    ok: bool,
    entry: &'a str,
    systems: Vec<SystemJson<'a>>,
    violations: Vec<ViolationJson<'a>>,
    conflicts: Vec<ConflictJson<'a>>,
}

#[derive(Serialize)]
struct SystemJson<'a> {
    system: &'a str,
    status: Status,
    path: Vec<&'a str>,
    behind: Option<&'a str>,
}

#[derive(Serialize)]
struct ViolationJson<'a> {
    system: &'a str,
    field: &'a str,
    keyword: &'a str,
    limit: &'a Value,
    value: Value,
    message: String,
    origin: &'a [FieldRef],
    path: Vec<&'a str>,
    lineage: &'a [Hop],
    schedule: Option<&'a str>,
    owner: Option<&'a str>,
    behind: Option<&'a str>,
    pii: bool,
}

#[derive(Serialize)]
struct ConflictJson<'a> {
    system: &'a str,
    field: &'a str,
    values: Vec<ConflictValueJson<'a>>,
}

#[derive(Serialize)]
struct ConflictValueJson<'a> {
    value: Value,
    path: Vec<&'a str>,
}

fn ids<'a>(pipeline: &'a Pipeline, path: &[SystemId]) -> Vec<&'a str> {
    path.iter()
        .map(|&s| pipeline.systems[s].id.as_str())
        .collect()
}

/// Renders a validation report as pretty JSON.
#[must_use]
pub fn validate(pipeline: &Pipeline, report: &Report, opts: Options) -> String {
    let sys = |s: SystemId| pipeline.systems[s].id.as_str();
    let out = ValidateJson {
        ok: report.ok(),
        entry: sys(report.entry),
        systems: report
            .systems
            .iter()
            .map(|o| SystemJson {
                system: sys(o.system),
                status: o.status,
                path: ids(pipeline, &o.path),
                behind: o.behind.map(sys),
            })
            .collect(),
        violations: report
            .violations
            .iter()
            .map(|v| ViolationJson {
                system: sys(v.system),
                field: &v.field,
                keyword: &v.keyword,
                limit: &v.limit,
                value: v
                    .value
                    .as_ref()
                    .map_or(Value::Null, |x| json_value(x, v.pii, opts)),
                message: mask_message(&v.message, v.value.as_ref(), v.pii, opts),
                origin: &v.provenance.origin,
                path: ids(pipeline, &v.path),
                lineage: &v.provenance.lineage,
                schedule: v
                    .flows
                    .last()
                    .and_then(|&f| pipeline.flows[f].schedule.as_deref()),
                owner: pipeline.systems[v.system].owner.as_deref(),
                behind: v.behind.map(sys),
                pii: v.pii,
            })
            .collect(),
        conflicts: report
            .conflicts
            .iter()
            .map(|c| {
                let pii = pipeline.systems[c.system].schema.is_pii(&c.field);
                ConflictJson {
                    system: sys(c.system),
                    field: &c.field,
                    values: c
                        .values
                        .iter()
                        .map(|(v, p)| ConflictValueJson {
                            value: json_value(v, pii, opts),
                            path: ids(pipeline, p),
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

#[derive(Serialize)]
struct CheckJson<'a> {
    ok: bool,
    findings: Vec<FindingJson<'a>>,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'static str,
    name: &'static str,
    severity: crate::check::Severity,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keyword: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    origin: &'a [FieldRef],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    path: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    witness: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

/// Renders a check report as JSON with the stable keys of SPEC 4.2: `ok`, `findings[]`
/// {`code`, `severity`, `message`, `file`, `line`, `column`, and for incompatibilities
/// `system`, `field`, `keyword`, `origin[]`, `path`, `witness`}. The witness is a change
/// `record` that reproduces the finding with `ripple validate`, so it is never masked.
#[must_use]
pub fn check(report: &crate::check::CheckReport) -> String {
    let out = CheckJson {
        ok: report.ok(),
        findings: report
            .findings
            .iter()
            .map(|f| {
                let (line, column) = f.line_column();
                FindingJson {
                    code: f.code.code(),
                    name: f.code.name(),
                    severity: f.severity,
                    message: &f.message,
                    file: f.file.display().to_string(),
                    line,
                    column,
                    system: f.system.as_deref(),
                    field: f.field.as_deref(),
                    keyword: f.keyword.as_deref(),
                    limit: f.limit.as_ref(),
                    origin: &f.origin,
                    path: f.path.iter().map(String::as_str).collect(),
                    witness: f.witness.as_ref(),
                    value: f.value.as_ref(),
                    help: f.help.as_deref(),
                }
            })
            .collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
