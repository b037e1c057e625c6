//! Propagation: applying the mappings along every flow path from the entry system.
//!
//! A change enters at its entry system and travels along every simple path (a path never
//! visits a system twice, so two-way syncs terminate). Each arrival at a system carries the
//! record that system would receive by that path, and for every field its [`Provenance`]:
//! the entry fields it came from and the hops it took. Propagation goes on past systems
//! that would reject, so one run shows every rejection.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::expr::FieldPath;
use crate::graph::SystemGraph;
use crate::pipeline::{Flow, FlowId, Pipeline, SystemId};

/// Most arrivals one propagation may produce before ripple gives up on a graph with too
/// many paths (each simple path from the entry is one arrival per system on it).
pub const MAX_ARRIVALS: usize = 100_000;

/// A field of a system's record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FieldRef {
    /// The system id.
    pub system: Arc<str>,
    /// A JSON Pointer into that system's record.
    pub field: Arc<str>,
}

/// One step of a lineage: the field a value landed in and the expression that put it there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The system id.
    pub system: Arc<str>,
    /// A JSON Pointer into that system's record.
    pub field: Arc<str>,
    /// The mapping expression, absent at the origin.
    pub expr: Option<Arc<str>>,
}

/// Where a derived value came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// The entry fields it was derived from.
    pub origin: Vec<FieldRef>,
    /// The hops from the origins to this field (inputs' hops first).
    pub lineage: Vec<Hop>,
}

/// A mapping that could not produce a value (e.g. `number("abc")`).
#[derive(Debug, Clone)]
pub struct MappingFailure {
    /// The target field (JSON Pointer).
    pub field: String,
    /// The expression as written.
    pub expr: Arc<str>,
    /// Why it failed.
    pub message: String,
    /// Where its inputs came from.
    pub provenance: Arc<Provenance>,
}

/// The record one system receives by one path, with provenance for every field.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The record as JSON, validated against the system's schema.
    pub doc: Value,
    /// Provenance by JSON Pointer.
    pub provenance: BTreeMap<String, Arc<Provenance>>,
    /// Fields a mapping was applied to with all its inputs present, but which came out
    /// missing (a reached field, so `required` applies to it).
    pub reached_missing: BTreeSet<String>,
    /// Mappings that failed.
    pub failures: Vec<MappingFailure>,
    /// Mappings left out because the change carries some of their inputs but not others
    /// (a partial change without the current record).
    pub skipped: Vec<Skipped>,
    /// The fields the change touched, when the record is whole (the current record with
    /// the change merged in, or a create); `None` for a partial change, whose present
    /// fields are all the change.
    pub changed: Option<Arc<BTreeSet<String>>>,
    /// Whether a field absent from the record is truly absent (whole records): mappings
    /// run on missing inputs and their missing results are reached fields.
    pub whole: bool,
    /// Whether every `required` field applies (the entry record of a whole change).
    pub complete: bool,
}

/// A mapping ripple could not evaluate: the change carries some of its inputs, not all
/// (README, "Partial changes").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The target field (JSON Pointer).
    pub field: String,
    /// The expression as written.
    pub expr: Arc<str>,
    /// The inputs the change does not carry, as written in the expression.
    pub missing: Vec<String>,
}

/// A value a two-way sync writes back changed: the system sent `sent` and, after a round
/// trip through other systems, receives `back` in the same field (README, "Echoes").
#[derive(Debug, Clone)]
pub struct Echo {
    /// The system whose field is rewritten.
    pub system: SystemId,
    /// The field (JSON Pointer).
    pub field: String,
    /// What the system had.
    pub sent: Value,
    /// What comes back.
    pub back: Value,
    /// The round trip: from the system back to itself.
    pub path: Vec<SystemId>,
    /// Where the value came from.
    pub provenance: Arc<Provenance>,
    /// The arrival (index into [`Propagation::arrivals`]) whose flow brings it back.
    pub arrival: usize,
}

impl Record {
    /// The provenance of the field at `pointer`: its own, its nearest ancestor's, or the
    /// union of its descendants' (for a whole object copied across).
    #[must_use]
    pub fn provenance_of(&self, pointer: &str) -> Arc<Provenance> {
        let mut p = pointer;
        loop {
            if let Some(prov) = self.provenance.get(p) {
                return inside(prov, &pointer[p.len()..]);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => break,
            }
        }
        let prefix = format!("{pointer}/");
        let mut merged = Provenance::default();
        for (_, prov) in self
            .provenance
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
        {
            merge_into(&mut merged, prov);
        }
        Arc::new(merged)
    }
}

/// The provenance of the field `suffix` inside an object whose provenance is `prov`: when
/// the object was only ever copied (`mailing: address`), the field comes from the same
/// field inside the origin (`/address/street`); otherwise from the whole object.
fn inside(prov: &Arc<Provenance>, suffix: &str) -> Arc<Provenance> {
    let copied = prov.lineage.iter().all(|h| {
        h.expr
            .as_deref()
            .is_none_or(|e| crate::expr::FieldPath::parse(e).is_ok() && !e.contains('('))
    });
    if suffix.is_empty() || !copied {
        return Arc::clone(prov);
    }
    // The object's provenance may already list its fields (a whole object read at the
    // entry): keep the one inside it that this field is.
    let matching: Vec<FieldRef> = prov
        .origin
        .iter()
        .filter(|o| o.field.ends_with(suffix))
        .cloned()
        .collect();
    if !matching.is_empty() {
        return Arc::new(Provenance {
            origin: matching,
            lineage: prov.lineage.clone(),
        });
    }
    if prov.origin.len() != 1 {
        return Arc::clone(prov);
    }
    let join = |f: &Arc<str>| Arc::from(format!("{f}{suffix}"));
    Arc::new(Provenance {
        origin: prov
            .origin
            .iter()
            .map(|o| FieldRef {
                system: Arc::clone(&o.system),
                field: join(&o.field),
            })
            .collect(),
        lineage: prov
            .lineage
            .iter()
            .map(|h| Hop {
                system: Arc::clone(&h.system),
                field: join(&h.field),
                expr: h.expr.clone(),
            })
            .collect(),
    })
}

fn merge_into(into: &mut Provenance, from: &Provenance) {
    for o in &from.origin {
        if !into.origin.contains(o) {
            into.origin.push(o.clone());
        }
    }
    for h in &from.lineage {
        if !into.lineage.contains(h) {
            into.lineage.push(h.clone());
        }
    }
}

/// A system reached by one path.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The system reached.
    pub system: SystemId,
    /// Systems from the entry to this one, both included.
    pub path: Vec<SystemId>,
    /// The flows taken, one fewer than `path`.
    pub flows: Vec<FlowId>,
    /// Index (in [`Propagation::arrivals`]) of the arrival this one continues.
    pub parent: Option<usize>,
    /// What the system receives.
    pub record: Record,
}

/// Two paths giving one field different values.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The system receiving both.
    pub system: SystemId,
    /// The field (JSON Pointer).
    pub field: String,
    /// Each distinct value with the index (into [`Propagation::arrivals`]) of an arrival
    /// bringing it.
    pub values: Vec<(Value, usize)>,
}

/// Everything a change does to the graph.
#[derive(Debug, Clone)]
pub struct Propagation {
    /// Arrivals in propagation order (breadth first, flows in declaration order); the first
    /// is the entry system itself.
    pub arrivals: Vec<Arrival>,
    /// Fields that differ between paths into one system.
    pub conflicts: Vec<Conflict>,
    /// Values a cycle writes back changed.
    pub echoes: Vec<Echo>,
    /// Mappings left out on any path, with the system they feed (also when they were
    /// all the flow had, so the system was not reached).
    pub skipped: Vec<(SystemId, Skipped)>,
}

/// How a change enters: the record to propagate and what of it is the change.
#[derive(Debug, Clone, Copy)]
pub struct Start<'a> {
    /// The entry record: the change alone (partial), or merged into the current record.
    pub record: &'a Value,
    /// The fields the change touched, for a whole record; `None` for a partial change.
    pub changed: Option<&'a BTreeSet<String>>,
}

impl<'a> Start<'a> {
    /// A partial change: the record carries only what changes.
    #[must_use]
    pub fn partial(record: &'a Value) -> Self {
        Self {
            record,
            changed: None,
        }
    }
}

/// Propagates a change from `entry` along every simple path; a flow back to a system
/// already on the path is followed once, to compare what comes back (an [`Echo`]).
///
/// # Errors
/// When the graph has more than [`MAX_ARRIVALS`] paths from the entry.
pub fn propagate(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    entry: SystemId,
    start: Start<'_>,
) -> Result<Propagation, Error> {
    propagate_with(pipeline, graph, entry, start, true)
}

/// [`propagate`], with provenance or without it (the fast path of batch validation,
/// which only asks whether everything accepts; conflicts need provenance and are not
/// found without it).
///
/// # Errors
/// As [`propagate`].
pub fn propagate_with(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    entry: SystemId,
    start: Start<'_>,
    with_provenance: bool,
) -> Result<Propagation, Error> {
    let entry_id = &pipeline.systems[entry].id;
    let ids: Vec<Arc<str>> = pipeline
        .systems
        .iter()
        .map(|s| Arc::from(s.id.as_str()))
        .collect();
    let mut first = entry_record(pipeline, entry, start.record, with_provenance);
    if let Some(changed) = start.changed {
        first.changed = Some(Arc::new(changed.clone()));
        first.whole = true;
        first.complete = true;
    }

    let mut arrivals: Vec<Arrival> = Vec::new();
    let mut echoes = Vec::new();
    let mut skipped: Vec<(SystemId, Skipped)> = Vec::new();
    let mut queue = VecDeque::from([Arrival {
        system: entry,
        path: vec![entry],
        flows: Vec::new(),
        parent: None,
        record: first,
    }]);
    while let Some(arrival) = queue.pop_front() {
        let index = arrivals.len();
        for &flow_id in graph.outgoing(arrival.system) {
            let flow = &pipeline.flows[flow_id];
            if arrival.path.contains(&flow.to) {
                echoes.extend(echoes_of(
                    &ids,
                    flow,
                    (index, &arrival),
                    &arrivals,
                    with_provenance,
                ));
                continue;
            }
            let (record, reached) = apply_flow(
                &ids[flow.to.index()],
                flow,
                &arrival.record,
                with_provenance,
            );
            for k in &record.skipped {
                if !skipped.iter().any(|(s, x)| *s == flow.to && x == k) {
                    skipped.push((flow.to, k.clone()));
                }
            }
            if !reached {
                continue;
            }
            if arrivals.len() + queue.len() >= MAX_ARRIVALS {
                return Err(Error::new(
                    ErrorKind::Limit,
                    format!("more than {MAX_ARRIVALS} flow paths from `{entry_id}`"),
                )
                .in_file(&pipeline.file.path)
                .help("the graph has too many distinct paths to enumerate; split the pipeline"));
            }
            let mut path = arrival.path.clone();
            path.push(flow.to);
            let mut flows = arrival.flows.clone();
            flows.push(flow_id);
            queue.push_back(Arrival {
                system: flow.to,
                path,
                flows,
                parent: Some(index),
                record,
            });
        }
        arrivals.push(arrival);
    }
    let conflicts = conflicts(&arrivals);
    Ok(Propagation {
        arrivals,
        conflicts,
        echoes,
        skipped,
    })
}

/// What a flow back to a system already on the path brings back, compared with what that
/// system had on this path: each field the change touched that comes back different.
fn echoes_of(
    ids: &[Arc<str>],
    flow: &Flow,
    (index, arrival): (usize, &Arrival),
    arrivals: &[Arrival],
    with_provenance: bool,
) -> Vec<Echo> {
    let Some(back) = apply(
        &ids[flow.to.index()],
        flow,
        &arrival.record,
        with_provenance,
    ) else {
        return Vec::new();
    };
    let mut parent = arrival.parent;
    let mut had = (arrival.system == flow.to).then_some(arrival);
    while had.is_none() {
        let Some(i) = parent else { break };
        had = arrivals.get(i).filter(|a| a.system == flow.to);
        parent = arrivals.get(i).and_then(|a| a.parent);
    }
    let Some(had) = had else {
        return Vec::new();
    };
    let from = arrival.path.iter().position(|&s| s == flow.to).unwrap_or(0);
    let mut path = arrival.path[from..].to_vec();
    path.push(flow.to);
    round_trip_changes(&had.record, &back, with_provenance)
        .into_iter()
        .map(|c| Echo {
            system: flow.to,
            field: c.field,
            sent: c.sent,
            back: c.back,
            path: path.clone(),
            provenance: c.provenance,
            arrival: index,
        })
        .collect()
}

/// A field a round trip brings back different from what the system had.
#[derive(Debug, Clone)]
pub(crate) struct Changed {
    /// The field (JSON Pointer).
    pub field: String,
    /// What the system had.
    pub sent: Value,
    /// What comes back.
    pub back: Value,
    /// Where the returning value came from (empty without provenance).
    pub provenance: Arc<Provenance>,
}

/// Each field of `back` (a record a flow brings back to a system already on the path)
/// that the change touched and that differs from what the system had in `had`: the one
/// rule for an echo, shared by `validate` and `check`'s echo search (README, "Echoes").
pub(crate) fn round_trip_changes(
    had: &Record,
    back: &Record,
    with_provenance: bool,
) -> Vec<Changed> {
    let fields: Vec<(String, Arc<Provenance>)> = if with_provenance {
        back.provenance
            .iter()
            .map(|(f, p)| (f.clone(), Arc::clone(p)))
            .collect()
    } else {
        crate::pointer::leaves(&back.doc)
            .into_iter()
            .map(|(f, _)| (f, Arc::clone(&NO_PROVENANCE)))
            .collect()
    };
    fields
        .into_iter()
        .filter(|(field, _)| back.changed.as_ref().is_none_or(|c| c.contains(field)))
        .filter_map(|(field, provenance)| {
            let sent = had.doc.pointer(&field)?;
            let came = back.doc.pointer(&field)?;
            (sent != came).then(|| Changed {
                sent: sent.clone(),
                back: came.clone(),
                field,
                provenance,
            })
        })
        .collect()
}

/// The record with which a change starts at its entry system, provenance optional.
#[must_use]
pub fn entry_record(
    pipeline: &Pipeline,
    entry: SystemId,
    record: &Value,
    with_provenance: bool,
) -> Record {
    let mut first = Record {
        doc: record.clone(),
        ..Record::default()
    };
    if with_provenance {
        let id: Arc<str> = Arc::from(pipeline.systems[entry].id.as_str());
        seed(&id, record, &mut String::new(), &mut first.provenance);
    }
    first
}

/// Applies one flow to the record its source received; `None` when the record carries
/// nothing the flow maps.
#[must_use]
pub fn step(
    pipeline: &Pipeline,
    flow: FlowId,
    source: &Record,
    with_provenance: bool,
) -> Option<Record> {
    let flow = &pipeline.flows[flow];
    let id: Arc<str> = Arc::from(pipeline.systems[flow.to].id.as_str());
    apply(&id, flow, source, with_provenance)
}

/// Every value of the entry record originates at itself (an empty object too: copied
/// whole, it is what a downstream rule about the object sees).
fn seed(
    system: &Arc<str>,
    value: &Value,
    pointer: &mut String,
    out: &mut BTreeMap<String, Arc<Provenance>>,
) {
    match value {
        Value::Object(map) if !map.is_empty() || pointer.is_empty() => {
            for (k, v) in map {
                let len = pointer.len();
                pointer.push('/');
                if k.contains(['~', '/']) {
                    pointer.push_str(&crate::pointer::escape(k));
                } else {
                    pointer.push_str(k);
                }
                seed(system, v, pointer, out);
                pointer.truncate(len);
            }
        }
        _ if pointer.is_empty() => {}
        _ => {
            let field = FieldRef {
                system: Arc::clone(system),
                field: Arc::from(pointer.as_str()),
            };
            out.insert(
                pointer.clone(),
                Arc::new(Provenance {
                    origin: vec![field.clone()],
                    lineage: vec![Hop {
                        system: field.system,
                        field: field.field,
                        expr: None,
                    }],
                }),
            );
        }
    }
}

/// The provenance of witness runs, which never ask for it: shared, not allocated per value.
static NO_PROVENANCE: std::sync::LazyLock<Arc<Provenance>> =
    std::sync::LazyLock::new(|| Arc::new(Provenance::default()));

/// Whether the change touched the input at `pointer`: the field itself, a field inside it
/// or an object around it.
fn touched(changed: &BTreeSet<String>, pointer: &str) -> bool {
    if changed.contains(pointer) {
        return true;
    }
    let inside = format!("{pointer}/");
    if changed
        .range(inside.clone()..)
        .next()
        .is_some_and(|c| c.starts_with(&inside))
    {
        return true;
    }
    let mut p = pointer;
    while let Some(i) = p.rfind('/') {
        p = &p[..i];
        if changed.contains(p) {
            return true;
        }
    }
    false
}

/// Applies a flow's mappings to the source record; `None` when the change carries nothing
/// this flow maps (the target is not reached by it).
///
/// A partial change leaves out a mapping whose inputs are all missing, and one whose
/// inputs are partly missing and that gives nothing (recorded as [`Skipped`]). On a whole
/// record every mapping runs, since a missing input is truly missing; the flow is reached
/// when a mapping reads a field the change touched.
fn apply(
    target_id: &Arc<str>,
    flow: &Flow,
    source: &Record,
    with_provenance: bool,
) -> Option<Record> {
    let (record, reached) = apply_flow(target_id, flow, source, with_provenance);
    reached.then_some(record)
}

/// [`apply`], also when the flow is not reached: the record, and whether it is.
fn apply_flow(
    target_id: &Arc<str>,
    flow: &Flow,
    source: &Record,
    with_provenance: bool,
) -> (Record, bool) {
    let mut out = Record {
        doc: Value::Object(Map::new()),
        whole: source.whole,
        ..Record::default()
    };
    let mut changed_out = source.changed.as_ref().map(|_| BTreeSet::new());
    let mut reached = false;
    for mapping in &flow.mappings {
        let fields = &mapping.inputs;
        let present = fields
            .iter()
            .filter(|(f, _)| f.get(&source.doc).is_some())
            .count();
        let touched = match &source.changed {
            None => present,
            Some(set) => fields.iter().filter(|(_, p)| touched(set, p)).count(),
        };
        if present == 0 && !fields.is_empty() && !source.whole {
            // A mapping whose inputs are all missing gives nothing, whatever it computes.
            continue;
        }
        let counts = apply_one(
            target_id,
            mapping,
            source,
            &mut out,
            with_provenance,
            (present, touched),
        );
        reached |= counts;
        if counts && let Some(set) = &mut changed_out {
            set.insert(mapping.target_pointer.to_string());
        }
    }
    out.changed = changed_out.map(Arc::new);
    (out, reached)
}

/// Applies one mapping into `out`; whether it reaches the target (it read a field the
/// change touched). `counts` is (inputs present, inputs the change touched).
fn apply_one(
    target_id: &Arc<str>,
    mapping: &crate::pipeline::Mapping,
    source: &Record,
    out: &mut Record,
    with_provenance: bool,
    (present, touched): (usize, usize),
) -> bool {
    let fields = &mapping.inputs;
    let pointer = mapping.target_pointer.to_string();
    let provenance = || {
        if !with_provenance {
            return Arc::clone(&NO_PROVENANCE);
        }
        let mut prov = Provenance::default();
        for (f, p) in fields {
            if f.get(&source.doc).is_some() {
                merge_into(&mut prov, &source.provenance_of(p));
            }
        }
        prov.lineage.push(Hop {
            system: Arc::clone(target_id),
            field: Arc::clone(&mapping.target_pointer),
            expr: Some(Arc::clone(&mapping.source)),
        });
        Arc::new(prov)
    };
    let lookup = |f: &FieldPath| f.get(&source.doc);
    match crate::func::eval(&mapping.expr, &lookup) {
        Ok(Some(value)) => {
            let prov = provenance();
            match mapping.target.set(&mut out.doc, value) {
                // Without provenance (witness runs) nobody asks for it.
                Ok(()) if with_provenance => {
                    out.provenance.insert(pointer, prov);
                }
                Ok(()) => {}
                Err(message) => out.failures.push(MappingFailure {
                    field: pointer,
                    expr: Arc::clone(&mapping.source),
                    message,
                    provenance: prov,
                }),
            }
            touched > 0
        }
        Ok(None) if fields.is_empty() => false,
        Ok(None) if source.whole || present == fields.len() => {
            out.reached_missing.insert(pointer);
            touched > 0
        }
        Ok(None) => {
            out.skipped.push(Skipped {
                field: pointer,
                expr: Arc::clone(&mapping.source),
                missing: fields
                    .iter()
                    .filter(|(f, _)| f.get(&source.doc).is_none())
                    .map(|(f, _)| f.to_string())
                    .collect(),
            });
            false
        }
        Err(_) if present == 0 && !source.whole => false,
        Err(e) => {
            out.failures.push(MappingFailure {
                field: pointer,
                expr: Arc::clone(&mapping.source),
                message: e.message,
                provenance: provenance(),
            });
            touched > 0 || (source.changed.is_none() && present > 0)
        }
    }
}

fn conflicts(arrivals: &[Arrival]) -> Vec<Conflict> {
    let count = arrivals
        .iter()
        .map(|a| a.system.index() + 1)
        .max()
        .unwrap_or(0);
    let mut by_system: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, a) in arrivals.iter().enumerate() {
        by_system[a.system.index()].push(i);
    }
    let mut out = Vec::new();
    let mut systems: Vec<(SystemId, Vec<usize>)> = by_system
        .into_iter()
        .enumerate()
        .filter(|(_, v)| v.len() > 1)
        .map(|(i, v)| (SystemId::new(i), v))
        .collect();
    systems.sort_unstable_by_key(|(_, v)| v[0]);
    for (system, indices) in systems {
        let mut fields: BTreeMap<&str, Vec<(Value, usize)>> = BTreeMap::new();
        for &i in &indices {
            for pointer in arrivals[i].record.provenance.keys() {
                if let Some(v) = arrivals[i].record.doc.pointer(pointer) {
                    let seen = fields.entry(pointer.as_str()).or_default();
                    if !seen.iter().any(|(s, _)| s == v) {
                        seen.push((v.clone(), i));
                    }
                }
            }
        }
        for (field, values) in fields {
            if values.len() > 1 {
                out.push(Conflict {
                    system,
                    field: field.to_owned(),
                    values,
                });
            }
        }
    }
    out
}
