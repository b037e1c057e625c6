//! The properties: `check`, `trace` and `constraints --emit-schema` against `validate` (the
//! ground truth: the real mappings and validators). Each takes a loaded pipeline and entry
//! records and returns the first disagreement, with the record that shows it.

use std::path::Path;

use ripple::change::ChangeRequest;
use ripple::check::{CheckOptions, CheckReport, Code, FieldVerdict, check_pipeline_with};
use ripple::constraints::{effective, emit_schema};
use ripple::graph::SystemGraph;
use ripple::lineage::FieldSpec;
use ripple::pipeline::{self, Pipeline, SystemId};
use ripple::schema::SystemSchema;
use ripple::validate::{self, Report, Status};
use serde_json::Value;

/// A disagreement: what differs, and the entry record that shows it (if one does).
#[derive(Debug, Clone)]
pub struct Failure {
    /// In words.
    pub message: String,
    /// The entry record.
    pub record: Option<Value>,
}

impl Failure {
    fn new(message: String, record: Option<&Value>) -> Self {
        Self {
            message,
            record: record.cloned(),
        }
    }
}

/// What a property returns.
pub type Outcome = Result<(), Failure>;

/// The witness budget the properties give `check` (the default, 20,000, takes seconds per
/// pipeline in a debug build; soundness does not depend on it). `RIPPLE_AGREE_BUDGET=N`
/// sets another.
pub const WITNESS_BUDGET: usize = 2_000;

/// A loaded pipeline with everything the properties share.
pub struct Loaded {
    /// The pipeline.
    pub pipeline: Pipeline,
    /// Its graph.
    pub graph: SystemGraph,
}

impl Loaded {
    /// Loads `path` through the normal loader.
    ///
    /// # Errors
    /// The loader's errors, as text.
    pub fn load(path: &Path) -> Result<Self, String> {
        let pipeline = pipeline::load(path).map_err(|e| format!("does not load: {e}"))?;
        let graph = SystemGraph::new(&pipeline);
        Ok(Self { pipeline, graph })
    }

    fn id(&self, s: SystemId) -> &str {
        &self.pipeline.systems[s].id
    }

    pub fn check(&self) -> CheckReport {
        let mut report = CheckReport::default();
        check_pipeline_with(
            &self.pipeline,
            &mut report,
            CheckOptions {
                witness_budget: std::env::var("RIPPLE_AGREE_BUDGET")
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(WITNESS_BUDGET),
            },
        );
        report
    }

    fn validate(&self, record: &Value) -> Result<Report, Failure> {
        let change = ChangeRequest {
            record: record.clone(),
            ..ChangeRequest::default()
        };
        validate::validate(&self.pipeline, &self.graph, &change)
            .map_err(|e| Failure::new(format!("validate fails: {e}"), Some(record)))
    }

    fn validate_propagation(
        &self,
        record: &Value,
    ) -> Result<(Report, ripple::propagate::Propagation), Failure> {
        let change = ChangeRequest {
            record: record.clone(),
            ..ChangeRequest::default()
        };
        validate::validate_propagation(&self.pipeline, &self.graph, &change)
            .map_err(|e| Failure::new(format!("validate fails: {e}"), Some(record)))
    }

    fn describe(&self, report: &Report) -> String {
        report
            .violations
            .iter()
            .map(|v| {
                format!(
                    "{}{} {} {} (path {})",
                    self.id(v.system),
                    if v.field.is_empty() { "/" } else { &v.field },
                    v.keyword,
                    v.message,
                    self.path_ids(&v.path).join("→")
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn path_ids(&self, path: &[SystemId]) -> Vec<String> {
        path.iter().map(|&s| self.id(s).to_owned()).collect()
    }

    /// Whether the systems strictly before the end of `path` all accept (a mapping failure
    /// counts as rejecting: it is reported as a violation of the system it fails into).
    fn earlier_accept(report: &Report, path: &[SystemId]) -> bool {
        (1..path.len()).all(|k| {
            !report
                .systems
                .iter()
                .any(|o| o.path == path[..k] && o.status == Status::Rejected)
        })
    }
}

/// `field` is `pointer` or inside it.
fn at_or_under(field: &str, pointer: &str) -> bool {
    field == pointer
        || field
            .strip_prefix(pointer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A checked flow field `sA → sB /ptr` and its verdict (`None`: proven; the first
/// finding when it fails several keywords).
struct Checked<'a> {
    from: &'a str,
    to: &'a str,
    pointer: &'a str,
    finding: Option<&'a ripple::check::Finding>,
}

fn checked(report: &CheckReport) -> Vec<Checked<'_>> {
    report
        .checked
        .iter()
        .filter_map(|(_, name, index)| {
            let (from, rest) = name.split_once(" → ")?;
            let (to, pointer) = rest.split_once(' ')?;
            Some(Checked {
                from,
                to,
                pointer,
                finding: report.findings.get(index.clone()).and_then(<[_]>::first),
            })
        })
        .collect()
}

/// Property 1: every R301 witness reproduces under `validate`: the finding's system rejects
/// the finding's field on the finding's path, and no system earlier on that path rejects.
pub fn witnesses_reproduce(l: &Loaded, _records: &[Value]) -> Outcome {
    let report = l.check();
    for f in report
        .findings
        .iter()
        .filter(|f| f.code() == Code::Incompatible)
    {
        let Some(witness) = f.witness() else {
            // R301 for conflicts etc. always carry one; a missing witness is a failure.
            return Err(Failure::new(
                format!("R301 without a witness: {}", f.message()),
                None,
            ));
        };
        let (Some(system), Some(field)) = (f.system(), f.field()) else {
            continue;
        };
        let got = l.validate(witness)?;
        let path: Vec<SystemId> = f
            .path()
            .iter()
            .filter_map(|s| l.pipeline.system_id(s))
            .collect();
        // At the field (or inside it), or by the finding's applicator on an object above it:
        // validate reports an object-level `anyOf` at the object.
        let rejects = got.violations.iter().any(|v| {
            l.id(v.system) == system
                && v.path == path
                && (at_or_under(&v.field, field)
                    || (at_or_under(field, &v.field) && f.keyword() == Some(v.keyword.as_str())))
        });
        let earlier = Loaded::earlier_accept(&got, &path);
        if !rejects || !earlier {
            return Err(Failure::new(
                format!(
                    "check R301 at {system}{field} on {} ({}) does not reproduce: {}; validate says: [{}]",
                    f.path().join("→"),
                    f.message(),
                    if rejects {
                        "an earlier system rejects it"
                    } else {
                        "the target does not reject that field on that path"
                    },
                    l.describe(&got)
                ),
                Some(witness),
            ));
        }
    }
    Ok(())
}

/// Property 5: every `check` R205 witness replays under `validate`: the entry accepts it,
/// and `validate` reports the echo at the finding's system and field on the finding's
/// round trip (the finding's path from the system's first visit on).
pub fn echoes_replay(l: &Loaded, _records: &[Value]) -> Outcome {
    let report = l.check();
    for f in report.findings.iter().filter(|f| f.code() == Code::Echo) {
        let (Some(witness), Some(system), Some(field)) = (f.witness(), f.system(), f.field())
        else {
            return Err(Failure::new(
                format!("R205 without a witness, system or field: {}", f.message()),
                None,
            ));
        };
        let got = l.validate(witness)?;
        let path = f.path();
        let round: Vec<&str> = path
            .iter()
            .position(|s| s == system)
            .map(|i| path[i..].iter().map(String::as_str).collect())
            .unwrap_or_default();
        let entry_rejects = got.violations.iter().any(|v| v.system == got.entry);
        let shown = got.echoes.iter().any(|e| {
            l.id(e.system) == system
                && e.field == field
                && e.path.iter().map(|&s| l.id(s)).collect::<Vec<_>>() == round
        });
        if !shown || entry_rejects {
            return Err(Failure::new(
                format!(
                    "check R205 at {system}{field} through {} ({}) does not replay: validate shows echoes [{}]; violations [{}]",
                    round.join("→"),
                    f.message(),
                    got.echoes
                        .iter()
                        .map(|e| format!(
                            "{}{} via {}",
                            l.id(e.system),
                            e.field,
                            l.path_ids(&e.path).join("→")
                        ))
                        .collect::<Vec<_>>()
                        .join("; "),
                    l.describe(&got)
                ),
                Some(witness),
            ));
        }
    }
    Ok(())
}

/// The echoes `validate` shows on the sampled `records` (those the entry accepts), and how
/// many of them `check` reports as R205 at the same system and field: the echo search's
/// recall (it reports only what it can show, so it may miss some).
pub fn echo_recall(l: &Loaded, records: &[Value]) -> (usize, usize) {
    let report = l.check();
    let mut shown = std::collections::BTreeSet::new();
    for r in records {
        if let Ok(got) = l.validate(r)
            && !got.violations.iter().any(|v| v.system == got.entry)
        {
            shown.extend(
                got.echoes
                    .iter()
                    .map(|e| (l.id(e.system).to_owned(), e.field.clone())),
            );
        }
    }
    let found = shown
        .iter()
        .filter(|(system, field)| {
            report.findings.iter().any(|f| {
                f.code() == Code::Echo
                    && f.system() == Some(system.as_str())
                    && f.field() == Some(field.as_str())
            })
        })
        .count();
    (shown.len(), found)
}

/// Property 2: a flow field `check` proves is never rejected, on any record the entry and
/// every earlier system on the way accept. A violation at an ancestor of the field (an
/// object-level `anyOf`, say) counts against it when removing the field makes it go away.
pub fn proofs_hold(l: &Loaded, records: &[Value]) -> Outcome {
    let report = l.check();
    // Every checked field: a field inside an object copied whole is checked on its own
    // (`m: addr` also checks `/m/street`), so a violation there is that field's, not the
    // object's.
    let all: Vec<(SystemId, SystemId, &str, bool)> = checked(&report)
        .into_iter()
        .filter_map(|c| {
            Some((
                l.pipeline.system_id(c.from)?,
                l.pipeline.system_id(c.to)?,
                c.pointer,
                c.finding.is_none(),
            ))
        })
        .collect();
    let deeper = |from: SystemId, to: SystemId, pointer: &str, field: &str| {
        all.iter().any(|&(f, t, q, _)| {
            f == from && t == to && q != pointer && at_or_under(q, pointer) && at_or_under(field, q)
        })
    };
    let proven: Vec<(SystemId, SystemId, &str)> = all
        .iter()
        .filter(|(.., ok)| *ok)
        .map(|&(f, t, q, _)| (f, t, q))
        .collect();
    if proven.is_empty() {
        return Ok(());
    }
    for record in records {
        let (got, propagation) = l.validate_propagation(record)?;
        for arrival in &propagation.arrivals {
            let Some(&last) = arrival.flows.last() else {
                continue;
            };
            let flow = &l.pipeline.flows[last];
            for &(_, _, pointer) in proven
                .iter()
                .filter(|(from, to, _)| flow.from == *from && flow.to == *to)
            {
                if !Loaded::earlier_accept(&got, &arrival.path) {
                    continue;
                }
                for v in got
                    .violations
                    .iter()
                    .filter(|v| v.system == arrival.system && v.path == arrival.path)
                {
                    let blamed = if at_or_under(&v.field, pointer) {
                        !deeper(flow.from, flow.to, pointer, &v.field)
                    } else if at_or_under(pointer, &v.field)
                        && arrival.record.doc.pointer(pointer).is_some()
                    {
                        // An ancestor's violation (an object-level anyOf, oneOf, if/then/else,
                        // dependentSchemas): it counts against the field when removing the
                        // field makes it go away, or when the failing rule limits the field
                        // and every field it limits that the record holds is proven.
                        let mut doc = arrival.record.doc.clone();
                        let fixed_without = remove(&mut doc, pointer)
                            && !l.pipeline.systems[arrival.system]
                                .schema
                                .validate(&doc)
                                .iter()
                                .any(|w| w.pointer == v.field && w.keyword == v.keyword);
                        let child = |p: &str| {
                            p.strip_prefix(v.field.as_str())
                                .and_then(|r| r.strip_prefix('/'))
                                .map(|r| r.split('/').next().unwrap_or_default().to_owned())
                        };
                        let mut limited = Vec::new();
                        property_names(&v.limit, &mut limited);
                        let all_proven = limited.iter().all(|name| {
                            let p = format!("{}/{name}", v.field);
                            arrival.record.doc.pointer(&p).is_none()
                                || proven.iter().any(|(f, t, q)| {
                                    *t == arrival.system
                                        && l.pipeline
                                            .flows
                                            .iter()
                                            .any(|fl| fl.from == *f && fl.to == *t)
                                        && *q == p
                                })
                        });
                        fixed_without
                            || (all_proven && child(pointer).is_some_and(|c| limited.contains(&c)))
                    } else {
                        false
                    };
                    if blamed {
                        return Err(Failure::new(
                            format!(
                                "check proves {} → {} {pointer}, but validate rejects it on {}: [{}]",
                                l.id(flow.from),
                                l.id(flow.to),
                                l.path_ids(&arrival.path).join("→"),
                                l.describe(&got)
                            ),
                            Some(record),
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The names under every `properties` in a schema fragment.
fn property_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "properties"
                    && let Some(props) = child.as_object()
                {
                    out.extend(props.keys().cloned());
                }
                property_names(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| property_names(i, out)),
        _ => {}
    }
}

fn remove(doc: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|o| o.remove(last))
        .is_some()
}

/// Property 3: `trace SYSTEM:FIELD` says "every system on the lineage accepts" (no root
/// cause, and a verdict neither undecided nor a witness) only where `check` proves the field on every path (every flow into the system
/// that fills the field, or the object holding it).
pub fn trace_agrees(l: &Loaded, _records: &[Value]) -> Outcome {
    let report = l.check();
    let checked = checked(&report);
    for (sid, system) in l.pipeline.systems_with_ids() {
        let mut pointers: Vec<String> = Vec::new();
        for flow in l.pipeline.flows.iter().filter(|f| f.to == sid) {
            for m in &flow.mappings {
                let p = m.target_pointer.to_string();
                for leaf in ["street", "city"] {
                    let nested = format!("{p}/{leaf}");
                    if system.schema.declares(&nested) {
                        pointers.push(nested);
                    }
                }
                pointers.push(p);
            }
        }
        pointers.sort();
        pointers.dedup();
        for pointer in pointers {
            let trace = ripple::trace::trace_field(
                &l.pipeline,
                &FieldSpec {
                    system: sid,
                    pointer: pointer.clone(),
                },
            );
            // Trace says "every system on the lineage accepts" when it has no root cause and
            // its verdict is not undecided (or a witness).
            if trace.root_cause.is_some()
                || matches!(
                    trace.verdict,
                    FieldVerdict::Undecided(_) | FieldVerdict::Incompatible(_)
                )
            {
                continue;
            }
            for c in checked
                .iter()
                .filter(|c| c.to == system.id && at_or_under(&pointer, c.pointer))
            {
                if let Some(f) = c.finding {
                    return Err(Failure::new(
                        format!(
                            "trace {}:{pointer} says every system on the lineage accepts, but check says {} for {} → {} {}: {}",
                            system.id,
                            f.code().code(),
                            c.from,
                            c.to,
                            c.pointer,
                            f.message()
                        ),
                        f.witness(),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The emitted entry schema (`constraints --emit-schema`), compiled where the entry schema
/// lives; and the entry fields whose effective constraint has notes (limits JSON Schema
/// cannot say, which the emitted schema leaves out and says so).
///
/// # Errors
/// When the emitted schema does not compile.
pub fn emitted(l: &Loaded) -> Result<(SystemSchema, Value, Vec<String>), Failure> {
    let entry = first_system(&l.pipeline);
    let eff = effective(&l.pipeline, entry);
    let raw = emit_schema(&l.pipeline, entry, &eff);
    let noted = eff
        .fields
        .iter()
        .filter(|f| !f.effective.notes.is_empty())
        .map(|f| f.pointer.clone())
        .collect();
    let schema = SystemSchema::from_value(l.pipeline.systems[entry].schema.path(), raw.clone())
        .map_err(|e| Failure::new(format!("emitted schema does not compile: {e}: {raw}"), None))?;
    Ok((schema, raw, noted))
}

/// Violations other than `required` (a change carries only the fields it changes).
fn schema_rejects(schema: &SystemSchema, record: &Value) -> Vec<ripple::schema::SchemaViolation> {
    schema
        .validate(record)
        .into_iter()
        .filter(|v| v.keyword != "required")
        .collect()
}

/// Property 4a: every record the emitted entry schema accepts passes every system under
/// `validate`, except where a violation comes only from entry fields whose effective
/// constraint carries a note (documented as left out of the emitted schema); for a mapping
/// that fails, from some noted entry field (the one the failing function reads).
pub fn emitted_schema_sufficient(l: &Loaded, records: &[Value]) -> Outcome {
    let (schema, raw, noted) = emitted(l)?;
    for record in records {
        if !schema_rejects(&schema, record).is_empty() {
            continue;
        }
        let (got, propagation) = l.validate_propagation(record)?;
        let unexplained = got.violations.iter().any(|v| {
            let origins = origins_of(l, &propagation, v);
            let is_noted = |o: &String| noted.iter().any(|n| n == o);
            // A mapping that fails (`number(a)` in `concat(number(a), c)`) fails on the
            // input the function cannot take, which is where constraints notes it: the
            // other inputs of the mapping are origins too, but not the cause.
            let explained = if v.keyword == ripple::validate::MAPPING_FAILED {
                origins.iter().any(is_noted)
            } else {
                origins.iter().all(is_noted)
            };
            origins.is_empty() || !explained
        });
        if unexplained {
            return Err(Failure::new(
                format!(
                    "the emitted schema accepts it, validate rejects: [{}]; emitted schema: {raw}",
                    l.describe(&got)
                ),
                Some(record),
            ));
        }
    }
    Ok(())
}

/// The entry fields a violation comes from; for one at an object (an object-level `anyOf`),
/// those of the fields its rule limits (every field under it when it names none), not the
/// whole record's.
fn origins_of(
    l: &Loaded,
    propagation: &ripple::propagate::Propagation,
    v: &validate::Violation,
) -> Vec<String> {
    let mut out: Vec<String> = v
        .provenance
        .origin
        .iter()
        .map(|o| o.field.to_string())
        .collect();
    if let Some(arrival) = propagation
        .arrivals
        .iter()
        .find(|a| a.system == v.system && a.path == v.path)
        .filter(|a| a.record.doc.pointer(&v.field).is_some_and(Value::is_object))
    {
        out.clear();
        let mut names = Vec::new();
        property_names(&v.limit, &mut names);
        let mut leaves = Vec::new();
        if names.is_empty() {
            leaf_pointers(arrival.record.doc.pointer(&v.field), &v.field, &mut leaves);
        } else {
            for name in names {
                let p = format!("{}/{name}", v.field);
                if arrival.record.doc.pointer(&p).is_some() {
                    leaf_pointers(arrival.record.doc.pointer(&p), &p, &mut leaves);
                } else {
                    // Not delivered: where it would come from; with no lineage from the
                    // entry (only a flow back fills it), the rule is about the rest of the
                    // record, every field of which counts.
                    let from: Vec<String> = ripple::lineage::chains(
                        &l.pipeline,
                        v.system,
                        &p,
                        Some(first_system(&l.pipeline)),
                    )
                    .iter()
                    .filter_map(|c| c.first().map(|h| h.pointer.clone()))
                    .collect();
                    if from.is_empty() {
                        leaf_pointers(arrival.record.doc.pointer(&v.field), &v.field, &mut leaves);
                    }
                    out.extend(from);
                }
            }
        }
        for p in leaves {
            out.extend(
                arrival
                    .record
                    .provenance_of(&p)
                    .origin
                    .iter()
                    .map(|o| o.field.to_string()),
            );
        }
    }
    out.sort();
    out.dedup();
    out
}

fn leaf_pointers(v: Option<&Value>, at: &str, out: &mut Vec<String>) {
    match v {
        // An empty object is a value of its own (`addr: {}` copied whole).
        Some(Value::Object(map)) if !map.is_empty() => {
            for (k, child) in map {
                leaf_pointers(Some(child), &format!("{at}/{k}"), out);
            }
        }
        Some(_) => out.push(at.to_owned()),
        None => {}
    }
}

/// Keywords JSON Schema applies to strings only.
const STRING_KEYWORDS: &[&str] = &[
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "x-maxBytes",
    "x-charset",
];

/// Property 4b: a record every system accepts is not rejected by the emitted schema for its
/// type: no `type` violation, and no string keyword applied to a value that is not a string.
pub fn emitted_schema_keeps_types(l: &Loaded, records: &[Value]) -> Outcome {
    let (schema, raw, _) = emitted(l)?;
    for record in records {
        let got = l.validate(record)?;
        if !got.ok() {
            continue;
        }
        for v in schema_rejects(&schema, record) {
            let value = record.pointer(&v.pointer);
            let non_string = value.is_some_and(|x| !x.is_string());
            if v.keyword == "type" || (non_string && STRING_KEYWORDS.contains(&v.keyword.as_str()))
            {
                return Err(Failure::new(
                    format!(
                        "every system accepts it, the emitted schema rejects {} for {}: {}; emitted schema: {raw}",
                        v.pointer, v.keyword, v.message
                    ),
                    Some(record),
                ));
            }
        }
    }
    Ok(())
}

/// The properties by name (for fixtures' `case.json`).
pub fn by_name(name: &str) -> Option<fn(&Loaded, &[Value]) -> Outcome> {
    Some(match name {
        "witnesses_reproduce" => witnesses_reproduce,
        "proofs_hold" => proofs_hold,
        "trace_agrees" => trace_agrees,
        "emitted_schema_sufficient" => emitted_schema_sufficient,
        "emitted_schema_keeps_types" => emitted_schema_keeps_types,
        "echoes_replay" => echoes_replay,
        _ => return None,
    })
}

/// What `validate` says about `record`: `ok` and each violation (system, field, keyword,
/// path), for a fixture's `case.json`.
pub fn truth(l: &Loaded, record: &Value) -> Value {
    match l.validate(record) {
        Ok(report) => serde_json::json!({
            "ok": report.ok(),
            "violations": report.violations.iter().map(|v| serde_json::json!({
                "system": l.id(v.system),
                "field": v.field,
                "keyword": v.keyword,
                "message": v.message,
                "path": l.path_ids(&v.path),
            })).collect::<Vec<_>>(),
        }),
        Err(e) => serde_json::json!({"error": e.message}),
    }
}

/// Every arrival one of `records` brings along a flow with every earlier system
/// accepting: `visit(report, arrival, flow)` with `validate`'s report of that record and
/// the flow the arrival came by. One `validate` per record.
fn accepted_arrivals(
    l: &Loaded,
    records: &[Value],
    visit: &mut dyn FnMut(&Report, &ripple::propagate::Arrival, &pipeline::Flow),
) {
    for record in records {
        let Ok((got, propagation)) = l.validate_propagation(record) else {
            continue;
        };
        for arrival in &propagation.arrivals {
            let Some(&last) = arrival.flows.last() else {
                continue;
            };
            if Loaded::earlier_accept(&got, &arrival.path) {
                visit(&got, arrival, &l.pipeline.flows[last]);
            }
        }
    }
}

/// For `r302_rate`'s `RIPPLE_AGREE_REACHED` split: every (flow source, target, pointer)
/// one of `records` brings a value to with every earlier system accepting.
pub fn reached(
    l: &Loaded,
    records: &[Value],
) -> std::collections::HashSet<(String, String, String)> {
    let mut out = std::collections::HashSet::new();
    accepted_arrivals(l, records, &mut |_, arrival, flow| {
        for m in &flow.mappings {
            let pointer = m.target_pointer.to_string();
            if arrival.record.doc.pointer(&pointer).is_some() {
                out.insert((
                    l.id(flow.from).to_owned(),
                    l.id(flow.to).to_owned(),
                    pointer,
                ));
            }
        }
    });
    out
}

/// For `r302_rate`'s breakdown: whether one of `records` brings `pointer` of system `to`
/// along a flow from `from` (every earlier system accepting), and whether `validate` then
/// rejects it there.
pub fn sampled_arrival(
    l: &Loaded,
    records: &[Value],
    (from, to, pointer): (&str, &str, &str),
) -> (bool, bool) {
    let (Some(from), Some(to)) = (l.pipeline.system_id(from), l.pipeline.system_id(to)) else {
        return (false, false);
    };
    let (mut reached, mut rejected) = (false, false);
    accepted_arrivals(l, records, &mut |got, arrival, flow| {
        if flow.from != from || flow.to != to || arrival.record.doc.pointer(pointer).is_none() {
            return;
        }
        reached = true;
        rejected |= got.violations.iter().any(|v| {
            v.system == arrival.system && v.path == arrival.path && at_or_under(&v.field, pointer)
        });
    });
    (reached, rejected)
}

/// The first system of a generated pipeline: its entry.
fn first_system(p: &Pipeline) -> SystemId {
    p.system_ids()
        .next()
        .expect("a generated pipeline has systems")
}
