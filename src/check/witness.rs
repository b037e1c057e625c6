//! Witnesses: candidate changes built from the entry schema, run through the real
//! propagation and validators along one path, and shrunk to the smallest that reproduces.

use serde_json::{Map, Value};

use super::candidates::{Hints, candidates};
use super::path::FlowPath;
use crate::expr::FieldPath;
use crate::pipeline::{Mapping, Pipeline};
use crate::propagate;
use crate::validate::{self, Violation};

/// Said of an undecided field whose search stopped because the budget ran out.
pub(crate) const BUDGET_NOTE: &str = " (the witness search budget for this pipeline ran out)";

/// The entry fields (JSON Pointers) a checked value derives from: what the witness search
/// varies.
pub(crate) struct Derivation {
    pub origins: std::collections::BTreeSet<std::sync::Arc<str>>,
}

/// Most candidate changes tried for one target field.
pub(super) const MAX_CANDIDATES: usize = 400;
/// Candidate changes per field and path in the first, quick pass.
pub(super) const QUICK_CANDIDATES: usize = 40;

/// How many candidate changes may still be run: in all, and per search.
pub(crate) struct Budget {
    /// Left for the whole pipeline.
    pub total: std::cell::Cell<usize>,
    /// Allowed per search (one field on one path).
    pub per_search: std::cell::Cell<usize>,
}

impl Budget {
    /// A budget of `total` candidate runs.
    pub(crate) fn new(total: usize) -> Self {
        Self {
            total: std::cell::Cell::new(total),
            per_search: std::cell::Cell::new(MAX_CANDIDATES),
        }
    }
}

/// What the witness search found.
pub(super) enum Search<T = Violation> {
    /// A verified witness: the entry record and what it shows.
    Found(Value, Box<T>),
    /// Every value the origins can take was tried: the target accepts them all.
    Exhausted,
    /// Nothing found among the candidates tried.
    NotFound,
}

/// Looks for a change the entry and every system before the target accept and the target
/// rejects at the mapping's field, verified by real propagation and validation.
pub(super) fn search(
    budget: &Budget,
    pipeline: &Pipeline,
    path: &FlowPath,
    mapping: &Mapping,
    derivation: &Derivation,
    keyword: Option<&str>,
) -> Search {
    search_by(budget, pipeline, path, &derivation.origins, &|record| {
        verify_all(pipeline, path, mapping, record)
            .into_iter()
            .find(|v| keyword.is_none_or(|k| v.keyword == k))
    })
}

/// The candidate loop behind [`search`]: varies the entry fields `origins` (candidates
/// shaped by what `systems`/`flows` accept) until `check` returns something.
pub(super) fn search_by<T>(
    budget: &Budget,
    pipeline: &Pipeline,
    path: &FlowPath,
    origins: &std::collections::BTreeSet<std::sync::Arc<str>>,
    check: &dyn Fn(&Value) -> Option<T>,
) -> Search<T> {
    if budget.total.get() == 0 {
        // Nothing can be run: do not build candidates either.
        return Search::NotFound;
    }
    let (mut fields, all_finite) = origin_candidates(pipeline, path, origins);
    if fields.is_empty() {
        return Search::NotFound;
    }
    tracing::trace!(
        path = ?path.systems,
        fields = ?fields.iter().map(|(p, c)| (p.to_string(), c.len())).collect::<Vec<_>>(),
        all_finite,
        "witness search"
    );
    // The other entry fields the path reads: left out of the change at first. Where an
    // object-level rule relates fields, they can be what gets a record past a system or
    // what makes the target reject (README, "Witness candidates").
    let (companions, companions_finite) = if companions_matter(pipeline, path) {
        companion_candidates(pipeline, path, origins)
    } else {
        (Vec::new(), true)
    };
    let try_record = |fields: &[Candidates], values: &[&Option<Value>]| -> Option<(Value, T)> {
        budget.total.set(budget.total.get().checked_sub(1)?);
        let mut record = Value::Object(Map::new());
        for ((path, _), v) in fields.iter().zip(values) {
            if let Some(v) = v {
                path.set(&mut record, v.clone()).ok()?;
            }
        }
        tracing::trace!(%record, "witness candidate");
        let verdict = check(&record)?;
        Some((record, verdict))
    };
    let product = |fields: &[Candidates]| {
        fields
            .iter()
            .try_fold(1usize, |acc, (_, c)| acc.checked_mul(c.len().max(1)))
            .is_some_and(|p| p <= MAX_CANDIDATES)
    };
    if all_finite && product(&fields) {
        if companions.is_empty() {
            return exhaustive(&fields, &|v| try_record(&fields, v));
        }
        // Every value of every field the path reads: a complete search.
        let mut all = fields.clone();
        all.extend(companions.iter().cloned());
        if companions_finite && product(&all) {
            return exhaustive(&all, &|v| try_record(&all, v));
        }
        // The origins' values alone are no proof: another field may change the verdict.
        if let Search::Found(r, v) = exhaustive(&fields, &|v| try_record(&fields, v)) {
            return Search::Found(r, v);
        }
        return with_companions(&mut fields, &companions, budget, &try_record);
    }
    let per_search = budget.per_search.get();
    let (found, tried) = together(&fields, per_search, &|v| try_record(&fields, v));
    let found = match found {
        Some(s) => s,
        None => one_at_a_time(&fields, tried, per_search, &|v| try_record(&fields, v)),
    };
    match found {
        Search::NotFound if !companions.is_empty() => {
            with_companions(&mut fields, &companions, budget, &try_record)
        }
        other => other,
    }
}

/// Runs a candidate record built from `fields` with the given values.
type TryFields<'a, T> = dyn Fn(&[Candidates], &[&Option<Value>]) -> Option<(Value, T)> + 'a;

/// The search again with the other entry fields present: each at its longest candidate,
/// then at its shortest, a few rounds each. Never exhausts.
fn with_companions<T>(
    fields: &mut Vec<Candidates>,
    companions: &[Candidates],
    budget: &Budget,
    try_record: &TryFields<'_, T>,
) -> Search<T> {
    let own = fields.len();
    let per_search = budget.per_search.get() / 4;
    for pick in [longest_value, shortest_value] {
        fields.truncate(own);
        fields.extend(
            companions
                .iter()
                .filter_map(|(p, c)| Some((p.clone(), vec![pick(c)?.clone()]))),
        );
        let all: &[Candidates] = fields;
        let (found, tried) = together(all, per_search, &|v| try_record(all, v));
        let found = match found {
            Some(s) => s,
            None => one_at_a_time(all, tried, per_search, &|v| try_record(all, v)),
        };
        if let Search::Found(..) = found {
            return found;
        }
    }
    Search::NotFound
}

/// The longest string (a pattern's witness comes first and is often short), else the
/// first value.
fn longest_value(c: &[Option<Value>]) -> Option<&Option<Value>> {
    c.iter()
        .filter_map(|v| match v {
            Some(Value::String(s)) => Some((s.chars().count(), v)),
            _ => None,
        })
        // The first of the longest.
        .max_by(|(a, _), (b, _)| a.cmp(b).then(std::cmp::Ordering::Greater))
        .map(|(_, v)| v)
        .or_else(|| c.iter().find(|v| v.is_some()))
}

fn shortest_value(c: &[Option<Value>]) -> Option<&Option<Value>> {
    c.iter().filter(|v| v.is_some()).min_by_key(|v| match v {
        Some(Value::String(s)) => s.chars().count(),
        _ => usize::MAX,
    })
}

/// Whether an entry field outside a value's origins can change a verdict on the path: a
/// system on it (the entry included) has a rule over several fields (an object-level
/// `anyOf`, `oneOf`, `not`, `if`, `dependentSchemas`, `minProperties`, or an `enum`/`const`
/// on an object). Without one, another field only adds fields to check, so leaving it
/// out never hides a rejection.
fn companions_matter(pipeline: &Pipeline, path: &FlowPath) -> bool {
    path.systems.iter().enumerate().any(|(k, &s)| {
        let schema = &pipeline.systems[s].schema;
        if relates_fields(schema.raw(), false) {
            return true;
        }
        // Rules reached through a `$ref` to another file show in the fields' leaves.
        let filled: Vec<&str> = if k == 0 {
            path.flows
                .first()
                .map(|&f| {
                    pipeline.flows[f]
                        .mappings
                        .iter()
                        .flat_map(|m| m.inputs.iter().map(|(_, p)| p.as_str()))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            pipeline.flows[path.flows[k - 1]]
                .mappings
                .iter()
                .map(|m| &*m.target_pointer)
                .collect()
        };
        filled
            .into_iter()
            .any(|p| schema.leaf(p).conditional.iter().any(|c| !c.at_field))
    })
}

/// Whether a schema node (or one inside it) is a rule over several fields of an object:
/// an applicator with a subschema about properties, or a keyword about them.
fn relates_fields(node: &Value, under_applicator: bool) -> bool {
    const APPLICATORS: &[&str] = &[
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentSchemas",
        "dependencies",
    ];
    const OBJECT: &[&str] = &[
        "properties",
        "required",
        "patternProperties",
        "additionalProperties",
        "dependentRequired",
        "propertyNames",
    ];
    match node {
        Value::Object(map) => map.iter().any(|(k, v)| {
            let k = k.as_str();
            k == "minProperties"
                || k == "dependentSchemas"
                || k == "dependencies"
                || (under_applicator && OBJECT.contains(&k))
                || (under_applicator && k == "$ref")
                || ((k == "enum" || k == "const") && map.contains_key("properties"))
                || relates_fields(v, under_applicator || APPLICATORS.contains(&k))
        }),
        Value::Array(items) => items.iter().any(|v| relates_fields(v, under_applicator)),
        _ => false,
    }
}

/// Candidates for the entry fields the path's first flow reads besides `origins` (and
/// besides fields inside them or holding them); and whether each has a finite set.
fn companion_candidates(
    pipeline: &Pipeline,
    path: &FlowPath,
    origins: &std::collections::BTreeSet<std::sync::Arc<str>>,
) -> (Vec<Candidates>, bool) {
    let Some(&first) = path.flows.first() else {
        return (Vec::new(), true);
    };
    let related = |p: &str, o: &str| {
        p == o || p.starts_with(&format!("{o}/")) || o.starts_with(&format!("{p}/"))
    };
    let mut others: std::collections::BTreeSet<std::sync::Arc<str>> = Default::default();
    for m in &pipeline.flows[first].mappings {
        for (_, p) in &m.inputs {
            if !origins.iter().any(|o| related(p, o)) {
                others.insert(std::sync::Arc::from(p.as_str()));
            }
        }
    }
    if others.is_empty() {
        return (Vec::new(), true);
    }
    origin_candidates(pipeline, path, &others)
}

/// Each origin's candidates, `None` for leaving it out of the change (a change carries
/// only what it changes, and `default(x, v)` takes `v` when `x` is absent); and whether
/// every origin has a finite set of values.
fn origin_candidates(
    pipeline: &Pipeline,
    path: &FlowPath,
    origins: &std::collections::BTreeSet<std::sync::Arc<str>>,
) -> (Vec<Candidates>, bool) {
    let entry = &pipeline.systems[path.systems[0]];
    let mut all_finite = true;
    let on_path = super::dataflow::origins_on_path(
        pipeline,
        &path.systems,
        &path.flows,
        origins,
        path.demands.get(),
    );
    let hints = path
        .hints
        .get_or_init(|| Hints::of_path(pipeline, &path.systems, &path.flows));
    let fields = origins
        .iter()
        .zip(&on_path)
        .filter_map(|(o, abs)| {
            let leaf = entry.schema.leaf(o);
            // An origin inside another (`/addr/city` and `/addr`, read after a whole-object
            // copy) is where the values vary; the outer one can only hold it: an object.
            let holds_another = origins.iter().any(|other| {
                other.len() > o.len()
                    && other.starts_with(&**o)
                    && other[o.len()..].starts_with('/')
            });
            let values = if let Some(values) = leaf.finite() {
                values
            } else {
                all_finite = false;
                candidates(abs, &leaf, hints)
            };
            // A value of a type the entry field does not allow is rejected at the entry:
            // never a witness, and no use as the value other fields are tried beside.
            let types = leaf.types();
            let values = values
                .into_iter()
                .filter(|v| types.admits(v) && (!holds_another || v.is_object()))
                .map(Some)
                .chain([None])
                .collect();
            Some((FieldPath::parse(o).ok()?, values))
        })
        .collect();
    (fields, all_finite)
}

/// One origin and the values to try for it (`None`: left out).
type Candidates = (FieldPath, Vec<Option<Value>>);

/// Runs one candidate record; `Some` when it is a witness.
type TryRecord<'a, T> = dyn Fn(&[&Option<Value>]) -> Option<(Value, T)> + 'a;

/// Small finite domains: every combination, which proves compatibility too.
fn exhaustive<T>(fields: &[Candidates], try_record: &TryRecord<'_, T>) -> Search<T> {
    let mut index = vec![0usize; fields.len()];
    loop {
        let values: Vec<&Option<Value>> = fields
            .iter()
            .zip(&index)
            .map(|((_, c), &i)| c.get(i).unwrap_or(&None))
            .collect();
        if let Some((record, v)) = try_record(&values) {
            return Search::Found(record, Box::new(v));
        }
        let mut k = 0;
        loop {
            if k == index.len() {
                return Search::Exhausted;
            }
            index[k] += 1;
            if index[k] < fields[k].1.len() {
                break;
            }
            index[k] = 0;
            k += 1;
        }
    }
}

/// All fields together (the j-th candidate of each: same character, same length class,
/// which is what overflows a concat), a few rounds only; with how many were tried.
fn together<T>(
    fields: &[Candidates],
    per_search: usize,
    try_record: &TryRecord<'_, T>,
) -> (Option<Search<T>>, usize) {
    if fields.len() < 2 {
        return (None, 0);
    }
    let longest = fields.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let mut tried = 0;
    for j in 0..longest.min(24).min(per_search) {
        tried += 1;
        let values: Vec<&Option<Value>> = fields
            .iter()
            .map(|(_, c)| {
                c.get(j)
                    .filter(|v| v.is_some())
                    .or_else(|| c.iter().rev().find(|v| v.is_some()))
                    .unwrap_or(&None)
            })
            .collect();
        if let Some((record, v)) = try_record(&values) {
            return (Some(Search::Found(record, Box::new(v))), tried);
        }
    }
    (None, tried)
}

/// Each field alone, round-robin, the others held at their shortest candidate.
fn one_at_a_time<T>(
    fields: &[Candidates],
    mut tried: usize,
    per_search: usize,
    try_record: &TryRecord<'_, T>,
) -> Search<T> {
    let shortest: Vec<&Option<Value>> = fields
        .iter()
        .map(|(_, c)| {
            c.iter()
                // The shortest string; values of other types only where there is none.
                .min_by_key(|v| match v {
                    Some(Value::String(s)) => s.chars().count(),
                    Some(_) => usize::MAX - 1,
                    None => usize::MAX,
                })
                .unwrap_or(&None)
        })
        .collect();
    let longest = fields.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    for j in 0..longest {
        for (i, (_, cands)) in fields.iter().enumerate() {
            let Some(c) = cands.get(j) else { continue };
            if tried >= per_search {
                return Search::NotFound;
            }
            tried += 1;
            let mut values = shortest.clone();
            values[i] = c;
            if let Some((record, v)) = try_record(&values) {
                return Search::Found(record, Box::new(v));
            }
        }
    }
    Search::NotFound
}

/// Makes a witness smaller: each string origin is cut to the shortest prefix that still
/// reproduces (binary search; length limits are monotone), so people read `aaaaaaaaa`
/// (9 characters) rather than 300 of them.
pub(super) fn shrink(
    pipeline: &Pipeline,
    route: &FlowPath,
    mapping: &Mapping,
    derivation: &Derivation,
    mut record: Value,
    mut violation: Violation,
) -> (Value, Violation) {
    for origin in &derivation.origins {
        let Ok(field) = FieldPath::parse(origin) else {
            continue;
        };
        let Some(Value::String(text)) = field.get(&record).cloned() else {
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        let (mut lo, mut hi) = (0, chars.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let mut candidate = record.clone();
            let cut: String = chars[..mid].iter().collect();
            if field.set(&mut candidate, Value::String(cut)).is_err() {
                break;
            }
            let same = verify_all(pipeline, route, mapping, &candidate)
                .into_iter()
                .find(|v| v.keyword == violation.keyword);
            match same {
                Some(v) => {
                    record = candidate;
                    violation = v;
                    hi = mid;
                }
                _ => lo = mid + 1,
            }
        }
    }
    (record, violation)
}

/// Runs the real mappings and validators along the path on `record`: every violation at
/// the mapping's field (a field can fail several keywords at once), in the validator's
/// order, when the entry and every earlier system accept. Stops at the first earlier
/// system that rejects, which is what most candidates do.
pub(super) fn verify_all(
    pipeline: &Pipeline,
    path: &FlowPath,
    mapping: &Mapping,
    record: &Value,
) -> Vec<Violation> {
    run_path(pipeline, path, mapping, record).unwrap_or_default()
}

fn run_path(
    pipeline: &Pipeline,
    path: &FlowPath,
    mapping: &Mapping,
    record: &Value,
) -> Option<Vec<Violation>> {
    let (systems, flows) = (&path.systems, &path.flows);
    let entry = systems[0];
    let mut current = propagate::entry_record(pipeline, entry, record, false);
    if !validate::record_violations(&pipeline.systems[entry].schema, &current).is_empty() {
        return None;
    }
    let (last, before) = flows.split_last()?;
    for (k, &flow) in before.iter().enumerate() {
        current = propagate::step(pipeline, flow, &current, false)?;
        // `validate` reports a mapping that fails as that system rejecting: a witness
        // must pass every earlier system in both ways.
        if !validate::accepts_record(&pipeline.systems[systems[k + 1]].schema, &current) {
            return None;
        }
    }
    let target = *systems.last()?;
    let arrived = propagate::step(pipeline, *last, &current, false)?;
    let field = &*mapping.target_pointer;
    let failure = arrived
        .failures
        .iter()
        .find(|f| f.field == field)
        .map(|f| Violation {
            system: target,
            field: f.field.clone(),
            keyword: validate::MAPPING_FAILED.to_owned(),
            limit: Value::String(f.expr.to_string()),
            value: None,
            message: f.message.clone(),
            detail: None,
            provenance: std::sync::Arc::clone(&f.provenance),
            path: systems.to_vec(),
            flows: flows.to_vec(),
            behind: None,
            pii: false,
        });
    if let Some(failure) = failure {
        return Some(vec![failure]);
    }
    let schema = &pipeline.systems[target].schema;
    let violations = validate::record_violations(schema, &arrived);
    let mut at: Vec<(String, crate::schema::SchemaViolation)> = violations
        .iter()
        .filter(|(f, _)| f == field || f.starts_with(&format!("{field}/")))
        .cloned()
        .collect();
    if at.is_empty() {
        at.extend(caused_above(schema, &arrived.doc, field, &violations));
    }
    let found = at
        .into_iter()
        .map(|(f, v)| Violation {
            system: target,
            value: arrived.doc.pointer(&f).cloned(),
            field: f,
            keyword: v.keyword,
            limit: v.limit,
            message: v.message,
            detail: v.detail,
            provenance: std::sync::Arc::default(),
            path: systems.to_vec(),
            flows: flows.to_vec(),
            behind: None,
            pii: false,
        })
        .collect();
    Some(found)
}

/// A rejection by an applicator on an object above `field` (an object-level `anyOf`,
/// `oneOf`, `not` …) that the field's value takes part in: one whose branches limit the
/// field (the schema's leaf for it lists them as conditional), or one that goes away
/// without the field. Reported at the field, with the applicator as the keyword.
fn caused_above(
    schema: &crate::schema::SystemSchema,
    doc: &Value,
    field: &str,
    violations: &[(String, crate::schema::SchemaViolation)],
) -> Option<(String, crate::schema::SchemaViolation)> {
    let above: Vec<&(String, crate::schema::SchemaViolation)> = violations
        .iter()
        .filter(|(f, _)| field.starts_with(&format!("{f}/")))
        .collect();
    if above.is_empty() || doc.pointer(field).is_none() {
        return None;
    }
    let leaf = schema.leaf(field);
    if let Some((_, v)) = above
        .iter()
        .find(|(_, v)| leaf.conditional.iter().any(|c| c.applicator == v.keyword))
    {
        return Some((field.to_owned(), v.clone()));
    }
    let (parent, name) = field.rsplit_once('/')?;
    let mut without = doc.clone();
    without
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)?
        .remove(&name.replace("~1", "/").replace("~0", "~"));
    let after = schema.validate(&without);
    above
        .into_iter()
        .find(|(f, v)| {
            !after
                .iter()
                .any(|a| a.pointer == *f && a.keyword == v.keyword)
        })
        .map(|(_, v)| (field.to_owned(), v.clone()))
}

/// The value `pointer` of the last system on the path receives for `record`, when the entry
/// and every system on the path (the last one included) accept.
pub(super) fn value_along(
    pipeline: &Pipeline,
    path: &FlowPath,
    pointer: &str,
    record: &Value,
) -> Option<Value> {
    let (systems, flows) = (&path.systems, &path.flows);
    let mut current = propagate::entry_record(pipeline, systems[0], record, false);
    if !validate::record_violations(&pipeline.systems[systems[0]].schema, &current).is_empty() {
        return None;
    }
    for (k, &flow) in flows.iter().enumerate() {
        current = propagate::step(pipeline, flow, &current, false)?;
        if !validate::accepts_record(&pipeline.systems[systems[k + 1]].schema, &current) {
            return None;
        }
    }
    current.doc.pointer(pointer).cloned()
}
