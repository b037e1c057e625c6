//! Validation: the verdict of every system on one change request (README, "`ripple validate`").
//!
//! Propagates the change, validates each arrival's record against its system's compiled
//! schema, and turns schema errors into [`Violation`]s that say where the value came from.
//! A `required` field is only enforced when the change reaches it: a change carries only
//! the fields it changes.

use std::sync::Arc;

use serde_json::Value;

use crate::change::ChangeRequest;
use crate::error::Error;
use crate::graph::SystemGraph;
use crate::pipeline::{FlowId, Pipeline, SystemId};
use crate::propagate::{self, Propagation, Provenance, Record};
use crate::schema::{SchemaViolation, SystemSchema};

/// A system's verdict on one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The derived record satisfies the schema.
    Accepted,
    /// At least one violation.
    Rejected,
    /// The change does not reach this system.
    NotReached,
}

/// One system on one path.
#[derive(Debug, Clone)]
pub struct SystemOutcome {
    /// The system.
    pub system: SystemId,
    /// Its verdict.
    pub status: Status,
    /// Systems from the entry to this one (empty when not reached).
    pub path: Vec<SystemId>,
    /// Flows taken.
    pub flows: Vec<FlowId>,
    /// The first system earlier on the path that already rejects, if any.
    pub behind: Option<SystemId>,
    /// The record the system receives by this path (absent when not reached, and from
    /// [`validate_findings`]).
    pub record: Option<Value>,
    /// The fields of `record` holding personal data (`x-pii` there or at their origin),
    /// masked wherever values are masked.
    pub personal: Vec<String>,
}

/// A mapping the change could not be checked through: it carries some of the mapping's
/// inputs but not others, and the current record is unknown (README, "Partial changes").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedMapping {
    /// The system the mapping feeds.
    pub system: SystemId,
    /// Its target field.
    pub field: String,
    /// The expression.
    pub expr: String,
    /// The inputs not in the change.
    pub missing: Vec<String>,
}

/// A value a two-way sync writes back changed (README, "Echoes").
#[derive(Debug, Clone)]
pub struct EchoFinding {
    /// The system whose field is rewritten.
    pub system: SystemId,
    /// The field.
    pub field: String,
    /// What it had.
    pub sent: Value,
    /// What comes back.
    pub back: Value,
    /// The round trip, from the system back to itself.
    pub path: Vec<SystemId>,
    /// Whether the value is personal data.
    pub pii: bool,
}

/// A value a system's schema rejects.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The rejecting system.
    pub system: SystemId,
    /// JSON Pointer into the system's record.
    pub field: String,
    /// The schema keyword (`maxLength`, `x-maxBytes`, …), or `mapping` when the mapping
    /// itself failed.
    pub keyword: String,
    /// The keyword's value in the schema.
    pub limit: Value,
    /// The rejected value (absent for a missing required field).
    pub value: Option<Value>,
    /// What is wrong, without the value (`is longer than 8 characters (10)`); see
    /// [`Violation::sentence`] for the whole sentence.
    pub message: String,
    /// What in the value is wrong when that quotes part of it (the character outside a
    /// charset); left out where the value is masked.
    pub detail: Option<String>,
    /// Entry fields and hops the value came from.
    pub provenance: Arc<Provenance>,
    /// Systems from the entry to the rejecting one.
    pub path: Vec<SystemId>,
    /// Flows taken.
    pub flows: Vec<FlowId>,
    /// The first system earlier on the path that already rejects, if any.
    pub behind: Option<SystemId>,
    /// Whether the value is personal data (`x-pii`) and must be masked in machine output.
    pub pii: bool,
}

/// Two paths bringing different values into one field.
#[derive(Debug, Clone)]
pub struct ConflictFinding {
    /// The system.
    pub system: SystemId,
    /// The field.
    pub field: String,
    /// Each value with the path that brings it.
    pub values: Vec<(Value, Vec<SystemId>)>,
}

/// The verdict of every system on a change.
#[derive(Debug, Clone)]
pub struct Report {
    /// The entry system.
    pub entry: SystemId,
    /// Every system in propagation order: one row per path that reaches it, then the
    /// systems not reached.
    pub systems: Vec<SystemOutcome>,
    /// Every rejection.
    pub violations: Vec<Violation>,
    /// Fields differing between paths.
    pub conflicts: Vec<ConflictFinding>,
    /// Mappings not checked because the change carries only some of their inputs.
    pub skipped: Vec<SkippedMapping>,
    /// Values a two-way sync writes back changed.
    pub echoes: Vec<EchoFinding>,
}

impl Violation {
    /// The whole sentence: the value (or the mask when `masked`), what is wrong and, unless
    /// masked, the detail: `"HÄME" has a character … (x-charset): `Ä` (U+00C4)` or
    /// `value [redacted] has a character … (x-charset)`. The value never appears in the
    /// message itself, so masking needs no text editing (README, "Personal data").
    #[must_use]
    pub fn sentence(&self, masked: bool) -> String {
        crate::text::sentence(
            self.value.as_ref(),
            &self.message,
            self.detail.as_deref(),
            masked,
        )
    }
}

impl Report {
    /// Whether every system accepts, no paths disagree and nothing comes back changed.
    /// Skipped mappings do not count (`--strict` makes them count: see
    /// [`crate::request`]).
    #[must_use]
    pub fn ok(&self) -> bool {
        self.violations.is_empty() && self.conflicts.is_empty() && self.echoes.is_empty()
    }
}

/// Finds the entry system of `change`.
///
/// # Errors
/// An unknown or non-entry system, or no `entry` when the pipeline has several.
pub fn resolve_entry(pipeline: &Pipeline, change: &ChangeRequest) -> Result<SystemId, Error> {
    pipeline.resolve_entry(change.entry.as_deref())
}

/// The keyword of a violation that is a mapping failing on its input (`number("abc")`):
/// the system receiving it rejects the change, though no schema keyword is involved.
pub const MAPPING_FAILED: &str = "mapping";

/// Validates `change` against every system it reaches.
///
/// # Errors
/// An unknown entry, a field the entry schema does not declare, or too many paths.
pub fn validate(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    change: &ChangeRequest,
) -> Result<Report, Error> {
    validate_propagation(pipeline, graph, change).map(|(report, _)| report)
}

/// Validates `change` like [`validate`], without what each system receives: the
/// `systems` rows carry no `record` and no `personal` fields, which batch validation
/// never shows (README, "`--batch FILE [--jobs N]`") and which cost more than the rest
/// of a report (every field of every record is looked up for `x-pii`).
///
/// # Errors
/// As [`validate`].
pub fn validate_findings(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    change: &ChangeRequest,
) -> Result<Report, Error> {
    let (entry, propagation) = propagate_change(pipeline, graph, change)?;
    Ok(judge_with(pipeline, entry, &propagation, false))
}

/// Validates `change` like [`validate`] and also returns the propagation, whose derived
/// records `--live` sends to the systems' dry-run endpoints.
///
/// # Errors
/// As [`validate`].
pub fn validate_propagation(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    change: &ChangeRequest,
) -> Result<(Report, Propagation), Error> {
    let (entry, propagation) = propagate_change(pipeline, graph, change)?;
    let report = judge(pipeline, entry, &propagation);
    Ok((report, propagation))
}

/// The entry system of `change` and its propagation, with provenance, once its fields
/// are checked against the entry schema.
fn propagate_change(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    change: &ChangeRequest,
) -> Result<(SystemId, Propagation), Error> {
    let entry = resolve_entry(pipeline, change)?;
    let entry_system = &pipeline.systems[entry];
    change.check_fields(&entry_system.id, &entry_system.schema)?;
    let (record, changed) = change.start();
    let start = propagate::Start {
        record: &record,
        changed: changed.as_ref(),
    };
    let propagation = propagate::propagate(pipeline, graph, entry, start)?;
    Ok((entry, propagation))
}

/// Whether every system accepts `change`, decided without provenance or messages: the
/// fast path of batch validation. `true` means [`validate`] would report nothing; `false`
/// means it may (a schema rejects, a mapping fails, two paths bring different records
/// into one system, or a value comes back on a cycle): run [`validate`] for the verdict
/// and the details.
///
/// # Errors
/// As [`validate`].
pub fn accepts(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    change: &ChangeRequest,
) -> Result<bool, Error> {
    let entry = resolve_entry(pipeline, change)?;
    let entry_system = &pipeline.systems[entry];
    change.check_fields(&entry_system.id, &entry_system.schema)?;
    let (record, changed) = change.start();
    let start = propagate::Start {
        record: &record,
        changed: changed.as_ref(),
    };
    let propagation = propagate::propagate_with(pipeline, graph, entry, start, false)?;
    if !propagation.echoes.is_empty() {
        return Ok(false);
    }
    let mut seen: Vec<Option<&Value>> = vec![None; pipeline.systems.len()];
    for a in &propagation.arrivals {
        if !a.record.failures.is_empty()
            || !pipeline.systems[a.system].schema.is_valid(&a.record.doc)
        {
            return Ok(false);
        }
        match seen[a.system.index()] {
            Some(doc) if doc != &a.record.doc => return Ok(false),
            _ => seen[a.system.index()] = Some(&a.record.doc),
        }
    }
    Ok(true)
}

/// Validates every arrival of a propagation.
#[must_use]
pub fn judge(pipeline: &Pipeline, entry: SystemId, propagation: &Propagation) -> Report {
    judge_with(pipeline, entry, propagation, true)
}

/// [`judge`]; with `records` false the `systems` rows leave out `record` and `personal`.
fn judge_with(
    pipeline: &Pipeline,
    entry: SystemId,
    propagation: &Propagation,
    records: bool,
) -> Report {
    let mut systems = Vec::with_capacity(pipeline.systems.len());
    let mut violations = Vec::new();
    let mut rejected = vec![false; propagation.arrivals.len()];
    let mut reached = vec![false; pipeline.systems.len()];

    for (index, arrival) in propagation.arrivals.iter().enumerate() {
        reached[arrival.system.index()] = true;
        let system = &pipeline.systems[arrival.system];
        let behind = earliest_rejection(propagation, &rejected, arrival.parent);
        let record = &arrival.record;
        let mut found = Vec::new();
        for (field, v) in record_violations(&system.schema, record) {
            let provenance = record.provenance_of(&field);
            let pii = is_pii(pipeline, arrival.system, &field, &provenance);
            found.push(Violation {
                system: arrival.system,
                value: record.doc.pointer(&field).cloned(),
                field,
                keyword: v.keyword,
                limit: v.limit,
                message: v.message,
                detail: v.detail,
                provenance,
                path: arrival.path.clone(),
                flows: arrival.flows.clone(),
                behind,
                pii,
            });
        }
        for failure in &record.failures {
            let pii = is_pii(
                pipeline,
                arrival.system,
                &failure.field,
                &failure.provenance,
            );
            found.push(Violation {
                system: arrival.system,
                field: failure.field.clone(),
                keyword: MAPPING_FAILED.to_owned(),
                limit: Value::String(failure.expr.to_string()),
                value: None,
                message: failure.message.clone(),
                detail: None,
                provenance: Arc::clone(&failure.provenance),
                path: arrival.path.clone(),
                flows: arrival.flows.clone(),
                behind,
                pii,
            });
        }
        let status = if found.is_empty() {
            Status::Accepted
        } else {
            Status::Rejected
        };
        rejected[index] = status == Status::Rejected;
        systems.push(SystemOutcome {
            system: arrival.system,
            status,
            path: arrival.path.clone(),
            flows: arrival.flows.clone(),
            behind,
            record: records.then(|| record.doc.clone()),
            personal: if records {
                personal_fields(pipeline, arrival.system, record)
            } else {
                Vec::new()
            },
        });
        violations.append(&mut found);
    }
    for id in pipeline.system_ids().filter(|id| !reached[id.index()]) {
        systems.push(SystemOutcome {
            system: id,
            status: Status::NotReached,
            record: None,
            personal: Vec::new(),
            path: Vec::new(),
            flows: Vec::new(),
            behind: None,
        });
    }
    let conflicts = propagation
        .conflicts
        .iter()
        .map(|c| ConflictFinding {
            system: c.system,
            field: c.field.clone(),
            values: c
                .values
                .iter()
                .map(|(v, i)| (v.clone(), propagation.arrivals[*i].path.clone()))
                .collect(),
        })
        .collect();
    Report {
        entry,
        systems,
        violations,
        conflicts,
        skipped: skipped(propagation),
        echoes: echoes(pipeline, propagation, &rejected),
    }
}

/// The personal fields of a derived record: every leaf that is `x-pii` in the system's
/// schema or derives from an `x-pii` entry field.
fn personal_fields(pipeline: &Pipeline, system: SystemId, record: &Record) -> Vec<String> {
    crate::pointer::leaves(&record.doc)
        .into_iter()
        .map(|(pointer, _)| pointer)
        .filter(|p| is_pii(pipeline, system, p, &record.provenance_of(p)))
        .collect()
}

/// Every mapping skipped on any path, once per system and field.
fn skipped(propagation: &Propagation) -> Vec<SkippedMapping> {
    let mut out: Vec<SkippedMapping> = Vec::new();
    for (system, s) in &propagation.skipped {
        let item = SkippedMapping {
            system: *system,
            field: s.field.clone(),
            expr: s.expr.to_string(),
            missing: s.missing.clone(),
        };
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// The echoes of round trips every system on which accepts: a system that rejects the
/// value never writes it back.
fn echoes(pipeline: &Pipeline, propagation: &Propagation, rejected: &[bool]) -> Vec<EchoFinding> {
    let accepted_round_trip = |e: &crate::propagate::Echo| {
        let mut at = Some(e.arrival);
        let mut steps = e.path.len().saturating_sub(1);
        while let (Some(i), true) = (at, steps > 0) {
            if rejected.get(i).copied().unwrap_or(true) {
                return false;
            }
            at = propagation.arrivals.get(i).and_then(|a| a.parent);
            steps -= 1;
        }
        true
    };
    propagation
        .echoes
        .iter()
        .filter(|e| accepted_round_trip(e))
        .map(|e| EchoFinding {
            system: e.system,
            field: e.field.clone(),
            sent: e.sent.clone(),
            back: e.back.clone(),
            path: e.path.clone(),
            pii: is_pii(pipeline, e.system, &e.field, &e.provenance),
        })
        .collect()
}

/// Whether a system whose schema is `schema` accepts `record` as [`validate`] judges it:
/// no schema violation (see [`record_violations`]) and no mapping that failed into it.
#[must_use]
pub fn accepts_record(schema: &SystemSchema, record: &Record) -> bool {
    record.failures.is_empty() && record_violations(schema, record).is_empty()
}

/// The schema's violations of a derived record, each with the field it is about; a
/// `required` field counts only when the change reached it (a partial change carries only
/// the fields it changes), or always in a complete record (the entry record of a create,
/// or of a change merged into the current record).
#[must_use]
pub fn record_violations(schema: &SystemSchema, record: &Record) -> Vec<(String, SchemaViolation)> {
    if schema.is_valid(&record.doc) {
        return Vec::new();
    }
    schema
        .validate(&record.doc)
        .into_iter()
        .filter_map(|v| {
            if v.keyword == "required" && !record.complete {
                let name = v.limit.as_str().unwrap_or_default();
                let field = crate::pointer::child(&v.pointer, name);
                record
                    .reached_missing
                    .contains(&field)
                    .then_some((field, v))
            } else {
                Some((v.pointer.clone(), v))
            }
        })
        .collect()
}

/// The first system on the path before `parent` (inclusive) that rejected.
fn earliest_rejection(
    propagation: &Propagation,
    rejected: &[bool],
    mut parent: Option<usize>,
) -> Option<SystemId> {
    let mut found = None;
    while let Some(i) = parent {
        if rejected[i] {
            found = Some(propagation.arrivals[i].system);
        }
        parent = propagation.arrivals[i].parent;
    }
    found
}

/// Whether the field at `field` of `system`'s record is personal data: its own schema says
/// `x-pii`, or one of the entry fields it was derived from does.
#[must_use]
pub fn is_pii(pipeline: &Pipeline, system: SystemId, field: &str, provenance: &Provenance) -> bool {
    pipeline.systems[system].schema.is_pii(field)
        || provenance.origin.iter().any(|o| {
            pipeline
                .system_id(&o.system)
                .is_some_and(|s| pipeline.systems[s].schema.is_pii(&o.field))
        })
}
