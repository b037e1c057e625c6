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
//!   "conflicts": [ { "system": "…", "field": "…", "values": [ { "value": …, "path": […] } ] } ],
//!   "live": [ {
//!       "system": "ad", "status": "rejected", "http_status": 422, "elapsed_ms": 212,
//!       "errors": [ { "pointer": "/sAMAccountName", "detail": "…" } ],
//!       "path": ["web", "crm", "ad"], "reason": null
//!   } ],
//!   "submit": {
//!       "id": "3f6c…", "system": "web", "status": "acknowledged", "attempts": 2,
//!       "http_status": 200, "last_error": null, "already_acknowledged": false
//!   }
//! }
//! ```
//!
//! Stable keys (README, "`ripple validate`"): `ok`, `entry`, `systems[]` {`system`, `status`, `path`},
//! `violations[]` {`system`, `field`, `keyword`, `limit`, `value`, `message`, `origin[]`,
//! `path`}. The others may grow. With `--live`, `live[]` {`system`, `status`
//! (`accepted`|`rejected`|`unreachable`), `errors[]` {`pointer`, `detail`}, `http_status`,
//! `elapsed_ms`} is added and `ok` also needs every endpoint to accept. With `--submit`,
//! `submit` {`id`, `system`, `status` (`acknowledged`|`pending`|`failed`|`not_submitted`),
//! `attempts`, `http_status`, `last_error`} says what became of the change. Values of `x-pii`
//! fields are `"[redacted]"` unless `--show-values`, also where a server quotes them.

use serde::Serialize;
use serde_json::Value;

use super::{Additions, Options, SubmitReport, json_value, mask_text};
use crate::live::{LiveOutcome, LiveStatus};
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
    skipped: Vec<SkippedJson<'a>>,
    echoes: Vec<EchoJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    live: Option<Vec<LiveJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    submit: Option<SubmitJson<'a>>,
}

#[derive(Serialize)]
struct SubmitJson<'a> {
    id: Option<&'a str>,
    system: Option<&'a str>,
    status: &'a str,
    attempts: u32,
    http_status: Option<u16>,
    last_error: Option<String>,
    already_acknowledged: bool,
}

#[derive(Serialize)]
struct LiveJson<'a> {
    system: &'a str,
    status: LiveStatus,
    errors: Vec<LiveErrorJson<'a>>,
    http_status: Option<u16>,
    elapsed_ms: u64,
    path: Vec<&'a str>,
    reason: Option<String>,
}

#[derive(Serialize)]
struct LiveErrorJson<'a> {
    pointer: Option<&'a str>,
    detail: String,
}

#[derive(Serialize)]
struct SystemJson<'a> {
    system: &'a str,
    status: Status,
    path: Vec<&'a str>,
    behind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<Value>,
}

#[derive(Serialize)]
struct SkippedJson<'a> {
    system: &'a str,
    field: &'a str,
    expr: &'a str,
    missing: &'a [String],
}

#[derive(Serialize)]
struct EchoJson<'a> {
    system: &'a str,
    field: &'a str,
    sent: Value,
    back: Value,
    path: Vec<&'a str>,
    pii: bool,
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
    validate_with(pipeline, report, Additions::default(), opts)
}

/// Renders a validation report as pretty JSON with what `--live` found: a `live[]` array
/// {`system`, `status` (`accepted`|`rejected`|`unreachable`), `errors[]` {`pointer`,
/// `detail`}, `http_status`, `elapsed_ms`, `path`, `reason`}. `ok` is false when a live
/// endpoint rejects or cannot be reached. Personal values the server quotes are masked.
#[must_use]
pub fn validate_with(
    pipeline: &Pipeline,
    report: &Report,
    additions: Additions<'_>,
    opts: Options,
) -> String {
    let sys = |s: SystemId| pipeline.systems[s].id.as_str();
    let live_ok = additions
        .live
        .is_none_or(|l| l.iter().all(|o| o.status == LiveStatus::Accepted));
    let out = ValidateJson {
        ok: report.ok() && live_ok,
        entry: sys(report.entry),
        systems: report
            .systems
            .iter()
            .map(|o| SystemJson {
                system: sys(o.system),
                status: o.status,
                path: ids(pipeline, &o.path),
                behind: o.behind.map(sys),
                record: o
                    .record
                    .as_ref()
                    .map(|r| super::record_value(r, &o.personal, opts)),
            })
            .collect(),
        skipped: report
            .skipped
            .iter()
            .map(|k| SkippedJson {
                system: sys(k.system),
                field: &k.field,
                expr: &k.expr,
                missing: &k.missing,
            })
            .collect(),
        echoes: report
            .echoes
            .iter()
            .map(|e| EchoJson {
                system: sys(e.system),
                field: &e.field,
                sent: json_value(&e.sent, e.pii, opts),
                back: json_value(&e.back, e.pii, opts),
                path: ids(pipeline, &e.path),
                pii: e.pii,
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
                message: v.sentence(v.pii && !opts.show_values),
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
        live: additions
            .live
            .map(|l| l.iter().map(|o| live_json(pipeline, o, opts)).collect()),
        submit: additions.submit.map(|s| submit_json(s, opts)),
    };
    let mut text =
        serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

fn submit_json(report: SubmitReport<'_>, opts: Options) -> SubmitJson<'_> {
    match report {
        SubmitReport::Sent {
            submission: s,
            personal,
        } => SubmitJson {
            id: Some(&s.id),
            system: Some(&s.system),
            status: s.status.as_str(),
            attempts: s.attempts,
            http_status: s.http_status,
            last_error: s.last_error.as_deref().map(|e| mask_all(e, personal, opts)),
            already_acknowledged: s.already_acknowledged,
        },
        SubmitReport::Withheld(reason) => SubmitJson {
            id: None,
            system: None,
            status: "not_submitted",
            attempts: 0,
            http_status: None,
            last_error: Some(reason.to_owned()),
            already_acknowledged: false,
        },
    }
}

/// Masks every personal value in `text`.
fn mask_all(text: &str, personal: &[String], opts: Options) -> String {
    let values: Vec<&str> = personal.iter().map(String::as_str).collect();
    mask_text(text, &values, opts)
}

fn live_json<'a>(pipeline: &'a Pipeline, o: &'a LiveOutcome, opts: Options) -> LiveJson<'a> {
    let mask = |text: &str| mask_all(text, &o.personal, opts);
    LiveJson {
        system: pipeline.systems[o.system].id.as_str(),
        status: o.status,
        errors: o
            .errors
            .iter()
            .map(|e| LiveErrorJson {
                pointer: e.pointer.as_deref(),
                detail: mask(&e.detail),
            })
            .collect(),
        http_status: o.http_status,
        elapsed_ms: o.elapsed_ms,
        path: ids(pipeline, &o.path),
        reason: o.reason.as_deref().map(mask),
    }
}

#[derive(Serialize)]
struct CheckJson<'a> {
    ok: bool,
    findings: Vec<FindingJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignored: Vec<IgnoredJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<crate::check::BaselineSummary>,
}

#[derive(Serialize)]
struct IgnoredJson<'a> {
    #[serde(flatten)]
    finding: FindingJson<'a>,
    reason: &'a str,
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
    fingerprint: String,
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
    entry: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replay: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

/// Renders a check report as JSON with the stable keys of README, "`ripple check`": `ok`, `findings[]`
/// {`code`, `severity`, `message`, `file`, `line`, `column`, and for incompatibilities
/// `system`, `field`, `keyword`, `origin[]`, `path`, `witness`, `entry`, `replay`}. The
/// witness is a change `record`, generated by ripple (so never masked); `replay` is the
/// whole change request (`entry` and `record`) that reproduces the finding with
/// `ripple validate`.
#[must_use]
pub fn check(report: &crate::check::CheckReport) -> String {
    let out = CheckJson {
        ok: report.ok(),
        findings: report.findings.iter().map(finding_json).collect(),
        ignored: report
            .ignored
            .iter()
            .map(|i| IgnoredJson {
                finding: finding_json(&i.finding),
                reason: &i.reason,
            })
            .collect(),
        baseline: report.baseline,
    };
    pretty(&out)
}

/// Pretty JSON and a newline.
fn pretty(out: &impl Serialize) -> String {
    let mut text =
        serde_json::to_string_pretty(out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// One finding with the keys of check's JSON (README, "`ripple check`").
#[must_use]
pub fn finding(f: &crate::check::Finding) -> Value {
    serde_json::to_value(finding_json(f)).unwrap_or(Value::Null)
}

fn finding_json(f: &crate::check::Finding) -> FindingJson<'_> {
    let (line, column) = f.line_column();
    FindingJson {
        code: f.code().code(),
        name: f.code().name(),
        severity: f.severity(),
        message: f.message(),
        file: f.file().display().to_string(),
        line,
        column,
        fingerprint: f.fingerprint(),
        system: f.system(),
        field: f.field(),
        keyword: f.keyword(),
        limit: f.limit(),
        origin: f.origin(),
        path: f.path().iter().map(String::as_str).collect(),
        witness: f.witness(),
        entry: f.entry(),
        replay: f.replay(),
        value: f.value(),
        help: f.help(),
    }
}
