//! Per-flow analysis: prove each mapped field safe against the summary of every path, or
//! find a witness on a concrete path ending with the flow.

use serde_json::Value;

use super::dataflow::{self, Acc, Summary};
use super::finding::{FieldAt, Finding, Incompatibility, Undecided};
use super::path::{FlowPath, paths_ending_with};
use super::prove::unproven;
use super::witness::Derivation;
use super::witness::{Search, search, shrink};
use crate::graph::SystemGraph;
use crate::pipeline::{FlowId, Mapping, Pipeline, SystemId};
use crate::propagate::FieldRef;
use crate::validate::Violation;

/// What is being checked: one mapping of one flow, from one entry.
struct Subject<'a> {
    budget: &'a super::witness::Budget,
    pipeline: &'a Pipeline,
    entry: SystemId,
    flow: FlowId,
    mapping: &'a Mapping,
    leaf: std::sync::Arc<crate::schema::Leaf>,
}

impl Subject<'_> {
    /// The target's limits a value described by `abs` (and `null`) does not provably
    /// meet. A plain copy of a field that is always an object meets `type: object`, and
    /// its `properties` are the nested fields, each checked as a mapping of its own (see
    /// `nested`): what else an object schema says (`required`, `additionalProperties` …)
    /// stays unproven.
    fn unproven(&self, abs: &crate::domain::Abs, null: bool) -> Vec<(String, Value)> {
        self.unproven_in(&self.leaf, abs, null)
    }

    /// [`Subject::unproven`] against `leaf` (the target's leaf, or it without the
    /// conditional limits a path shows never apply).
    fn unproven_in(
        &self,
        leaf: &crate::schema::Leaf,
        abs: &crate::domain::Abs,
        null: bool,
    ) -> Vec<(String, Value)> {
        let mut open = unproven(abs, null, leaf);
        if let crate::expr::ExprKind::Field(f) = &self.mapping.expr.kind {
            let from = self.pipeline.flows[self.flow].from;
            let source = self.pipeline.systems[from].schema.leaf(&f.pointer());
            let object = crate::schema::TypeName::Object;
            if source
                .types()
                .without(crate::schema::TypeName::Null)
                .only(object)
            {
                open.retain(|(k, v)| match k.as_str() {
                    "type" => !crate::schema::TypeSet::parse(v).is_some_and(|t| {
                        t.allows(object) && (!null || t.allows(crate::schema::TypeName::Null))
                    }),
                    "properties" => false,
                    _ => true,
                });
            }
        }
        open
    }
}

/// What one path says about the field.
enum OnPath {
    /// Proven on this path, or the field gets no value on it, or every value was tried.
    Decided,
    /// Verified witnesses: one finding per keyword the field fails.
    Refuted(Vec<Finding>),
    /// Neither.
    Open,
    /// Something that should not happen did (see [`dataflow::Inconsistency`]).
    Inconsistent(dataflow::Inconsistency),
}

/// Checks one mapping of one flow from one entry system: nothing when proven (or not
/// reached), an R301 per keyword it fails, or one R302.
#[allow(clippy::too_many_arguments)]
pub(super) fn analyze(
    budget: &super::witness::Budget,
    pipeline: &Pipeline,
    graph: &SystemGraph,
    summary: &Summary,
    entry: SystemId,
    flow: FlowId,
    mapping: &Mapping,
    paths: &std::cell::OnceCell<(Vec<FlowPath>, bool)>,
) -> Vec<Finding> {
    let target = &pipeline.systems[pipeline.flows[flow].to];
    let subject = Subject {
        budget,
        pipeline,
        entry,
        flow,
        mapping,
        leaf: target.schema.leaf(&mapping.target_pointer),
    };
    // The summary joins every path: what it proves holds on each.
    let from = pipeline.flows[flow].from;
    let mut acc = Acc::default();
    let Some(abs) = dataflow::eval_mapping(
        &mapping.expr,
        &mut |p, acc| summary.value(pipeline, from, p, acc),
        &mut acc,
    ) else {
        return Vec::new();
    };
    let mut unproven = subject.unproven(&abs, acc.null);
    if acc.may_fail {
        unproven.push((
            crate::validate::MAPPING_FAILED.to_owned(),
            Value::String(mapping.source.to_string()),
        ));
    }
    if unproven.is_empty() {
        return Vec::new();
    }
    let derivation = Derivation {
        origins: acc.origins,
    };
    let (paths, complete) = paths.get_or_init(|| paths_ending_with(pipeline, graph, entry, flow));
    // Per-path proofs only decide a field when every path is known; with the paths
    // incomplete and no budget left for witnesses, they cannot change the verdict.
    let useful = *complete || budget.total.get() > 0;
    // With every path known and none of them simple (the flow only closes a cycle back
    // into a system already on the way), `validate` never checks what it writes: nothing
    // to prove (the echo search, R205, covers what it writes back).
    let mut decided = *complete;
    let mut inconsistency = None;
    for path in paths.iter().filter(|_| useful) {
        match on_path(&subject, path, &unproven) {
            OnPath::Decided => {}
            OnPath::Refuted(found) => return found,
            OnPath::Open => decided = false,
            OnPath::Inconsistent(e) => {
                decided = false;
                inconsistency = Some(e);
            }
        }
    }
    if decided {
        return Vec::new();
    }
    vec![undecided(
        &subject,
        paths,
        &derivation,
        &unproven,
        inconsistency,
    )]
}

/// Proves the field on one path alone, or looks for a witness on it.
fn on_path(subject: &Subject<'_>, path: &FlowPath, unproven: &[(String, Value)]) -> OnPath {
    let pipeline = subject.pipeline;
    let mut path_acc = Acc::default();
    let k = path.systems.len() - 2;
    let demands = path
        .demands
        .get_or_init(|| dataflow::path_demands(pipeline, &path.systems, &path.flows, k));
    match dataflow::eval_on_path_with(
        pipeline,
        &path.systems,
        &path.flows,
        k,
        &subject.mapping.expr,
        &mut path_acc,
        demands,
    ) {
        Ok(Some(abs))
            if !path_acc.may_fail
                && subject
                    .unproven_in(
                        &leaf_on_path(subject, path, demands, &abs, path_acc.null),
                        &abs,
                        path_acc.null,
                    )
                    .is_empty() =>
        {
            return OnPath::Decided;
        }
        Ok(Some(_)) => {}
        // The mapping gives the field no value on this path.
        Ok(None) => return OnPath::Decided,
        Err(e) => return OnPath::Inconsistent(e),
    }
    // On this path the value derives from the path's own origins: the summary joins every
    // path's (on a graph with cycles, often every entry field), and a search over fields
    // that cannot change the value here only spends the budget. The path's set is complete
    // for the path (see `dataflow::eval`), so an exhaustive search over it decides it; it
    // also knows origins the summary cannot see (a field inside an object copied whole
    // comes from that field, not from the whole object).
    let own = Derivation {
        origins: path_acc.origins,
    };
    let derivation = &own;
    let mapping = subject.mapping;
    match search(subject.budget, pipeline, path, mapping, derivation, None) {
        Search::Found(record, v) => {
            let first = (record, *v);
            OnPath::Refuted(each_keyword(subject, path, derivation, unproven, first))
        }
        Search::Exhausted => OnPath::Decided,
        Search::NotFound => OnPath::Open,
    }
}

/// The target's leaf on one path: without the limits of its own applicators when every
/// value the path brings surely passes them, and without those of object-level rules when
/// each surely passes for every record the path brings (see `rules`).
fn leaf_on_path(
    subject: &Subject<'_>,
    path: &FlowPath,
    demands: &dataflow::PathDemands,
    abs: &crate::domain::Abs,
    null: bool,
) -> std::sync::Arc<crate::schema::Leaf> {
    use super::rules::{Arrived, value_passes};
    let leaf = &subject.leaf;
    if leaf.conditional.is_empty() {
        return std::sync::Arc::clone(leaf);
    }
    let value = Arrived::Value(abs.clone(), null);
    let own = leaf.applicators_complete
        && leaf.applicators.iter().all(|(k, v)| match k.as_str() {
            "anyOf" => v
                .as_array()
                .is_some_and(|items| items.iter().any(|b| value_passes(b, &value))),
            "then" | "else" => value_passes(v, &value),
            "if" => true,
            _ => false,
        });
    // A top-level field: the rules above it are the root's.
    let top = subject.mapping.target_pointer.matches('/').count() == 1;
    let above = top
        && leaf.conditional.iter().any(|c| !c.at_field)
        && dataflow::target_rules_pass(pipeline_of(subject), &path.systems, &path.flows, demands);
    let mut out = (**leaf).clone();
    out.conditional
        .retain(|c| if c.at_field { !own } else { !above });
    std::sync::Arc::new(out)
}

fn pipeline_of<'a>(subject: &Subject<'a>) -> &'a Pipeline {
    subject.pipeline
}

/// One R301 finding per keyword the field fails on this path: the first witness's
/// keywords (the witness shrunk for each), then a search for each other keyword not proven.
fn each_keyword(
    subject: &Subject<'_>,
    path: &FlowPath,
    derivation: &Derivation,
    unproven: &[(String, Value)],
    (record, v): (Value, Violation),
) -> Vec<Finding> {
    let (pipeline, mapping) = (subject.pipeline, subject.mapping);
    let shrunk = |r: Value, w: Violation| shrink(pipeline, path, mapping, derivation, r, w);
    let mut also = super::witness::verify_all(pipeline, path, mapping, &record);
    also.retain(|a| a.keyword != v.keyword);
    let mut found: Vec<(Value, Violation)> = vec![shrunk(record.clone(), v)];
    for a in also {
        if !found.iter().any(|(_, f)| f.keyword == a.keyword) {
            found.push(shrunk(record.clone(), a));
        }
    }
    // The field is refuted already, so there is no second pass for it: each other keyword
    // gets a longer search now (a third of the full one, so that a field with many
    // keywords does not spend the pipeline's budget).
    let budget = subject.budget;
    let quick = budget
        .per_search
        .replace(super::witness::MAX_CANDIDATES / 3);
    for (k, _) in unproven {
        if k == crate::validate::MAPPING_FAILED || found.iter().any(|(_, f)| f.keyword == *k) {
            continue;
        }
        if let Search::Found(r, w) = search(budget, pipeline, path, mapping, derivation, Some(k)) {
            found.push(shrunk(r, *w));
        }
    }
    budget.per_search.set(quick);
    found
        .into_iter()
        .map(|(r, w)| incompatible(subject, path, derivation, r, &w))
        .collect()
}

/// The R301 finding for a verified, shrunk witness.
fn incompatible(
    subject: &Subject<'_>,
    path: &FlowPath,
    derivation: &Derivation,
    record: Value,
    v: &Violation,
) -> Finding {
    let (pipeline, entry) = (subject.pipeline, subject.entry);
    let target = &pipeline.systems[pipeline.flows[subject.flow].to];
    let (at, origin, path) = facts(pipeline, entry, path, subject.mapping, derivation);
    let message = format!(
        "`{}` accepts values that `{}` rejects at {} ({} {})",
        pipeline.systems[entry].id,
        target.id,
        subject.mapping.target_pointer,
        v.keyword,
        crate::text::display_value(&v.limit)
    );
    let facts = Incompatibility {
        at,
        keyword: v.keyword.clone(),
        limit: v.limit.clone(),
        origin,
        path,
        witness: record,
        value: v.value.clone(),
    };
    let location = pipeline.location(subject.mapping.span);
    Finding::incompatible(facts, message, &pipeline.file.path, location)
        .with_label(v.sentence(false))
        .with_help(Some(suggest_fix(pipeline, entry, derivation, v)))
}

/// The R302 finding: what is not proven, and why the search did not decide it.
fn undecided(
    subject: &Subject<'_>,
    paths: &[FlowPath],
    derivation: &Derivation,
    unproven: &[(String, Value)],
    inconsistency: Option<dataflow::Inconsistency>,
) -> Finding {
    let (pipeline, entry, flow) = (subject.pipeline, subject.entry, subject.flow);
    let target = &pipeline.systems[pipeline.flows[flow].to];
    let what: Vec<String> = unproven
        .iter()
        .map(|(k, v)| format!("{k} {}", crate::text::display_value(v)))
        .collect();
    let shortest = paths.first().map_or_else(
        || FlowPath::new(vec![entry, pipeline.flows[flow].to], vec![flow]),
        |p| FlowPath::new(p.systems.clone(), p.flows.clone()),
    );
    let (at, origin, path) = facts(pipeline, entry, &shortest, subject.mapping, derivation);
    let mut message = format!(
        "cannot prove that `{}` accepts every value of {} from `{}`: {} not proven, and no counterexample found",
        target.id,
        subject.mapping.target_pointer,
        pipeline.systems[entry].id,
        what.join(", ")
    );
    if subject.budget.total.get() == 0 {
        message.push_str(super::witness::BUDGET_NOTE);
    }
    if let Some(e) = inconsistency {
        message.push_str(&format!(" ({e})"));
    }
    let facts = Undecided {
        at,
        constraint: unproven.first().cloned(),
        origin,
        path,
    };
    let location = pipeline.location(subject.mapping.span);
    Finding::undecided(facts, message, &pipeline.file.path, location)
        .with_help(Some("state the constraint upstream (in the entry schema or an earlier system) in a form ripple models: maxLength, x-maxBytes, x-charset, or a pattern of character classes".into()))
}

/// What R301 and R302 say alike: the target system and field, the entry fields the value
/// derives from and the path's system ids.
fn facts(
    pipeline: &Pipeline,
    entry: SystemId,
    path: &FlowPath,
    mapping: &Mapping,
    derivation: &Derivation,
) -> (FieldAt, Vec<FieldRef>, Vec<String>) {
    let target = path.systems.last().copied().unwrap_or(entry);
    let at = FieldAt {
        system: pipeline.systems[target].id.clone(),
        field: mapping.target_pointer.to_string(),
    };
    let origin = derivation
        .origins
        .iter()
        .map(|o| FieldRef {
            system: pipeline.systems[entry].id.as_str().into(),
            field: (**o).into(),
        })
        .collect();
    let path = path
        .systems
        .iter()
        .map(|&s| pipeline.systems[s].id.clone())
        .collect();
    (at, origin, path)
}

/// Which side to change, and to what.
fn suggest_fix(
    pipeline: &Pipeline,
    entry: SystemId,
    derivation: &Derivation,
    v: &Violation,
) -> String {
    let entry = &pipeline.systems[entry];
    let origins: Vec<&str> = derivation.origins.iter().map(|o| &**o).collect();

    match v.keyword.as_str() {
        "maxLength" => format!(
            "limit {} at `{}` so the derived value stays within {} characters, or truncate() in the mapping",
            origins.join(", "),
            entry.id,
            v.limit
        ),
        "x-maxBytes" => format!(
            "limit {} at `{}` (x-maxBytes or an ASCII-only pattern), or ascii()/truncate() in the mapping: the target counts bytes, {} at most",
            origins.join(", "),
            entry.id,
            v.limit
        ),
        "x-charset" | "pattern" => format!(
            "restrict the characters of {} at `{}`, or transform them in the mapping (ascii(), upper(), replace())",
            origins.join(", "),
            entry.id
        ),
        _ => format!(
            "tighten {} at `{}` to what `{}` accepts ({} {})",
            origins.join(", "),
            entry.id,
            pipeline.systems[v.system].id,
            v.keyword,
            v.limit
        ),
    }
}
