//! R203: two flows fill one field of a system, and a witness shows the paths disagree on
//! its value.

use serde_json::Value;

use super::finding::{Conflict, FieldAt, Finding};
use super::outcome::CheckReport;
use super::path::{self, FlowPath};
use super::{dataflow, witness};
use crate::graph::SystemGraph;
use crate::pipeline::{FlowId, Mapping, Pipeline, SystemId};

/// Paths ending with each flow, found once per check.
pub(super) type PathCache = [std::cell::OnceCell<(Vec<FlowPath>, bool)>];

/// Looks for path conflicts at every system reached from `entry`.
pub(super) fn conflicts(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    budget: &witness::Budget,
    entry: SystemId,
    from_entry: &[bool],
    paths: &PathCache,
    report: &mut CheckReport,
) {
    let first_path = |fid: FlowId| {
        paths[fid.index()]
            .get_or_init(|| path::paths_ending_with(pipeline, graph, entry, fid))
            .0
            .first()
    };
    let mut unchecked = 0usize;
    for target in pipeline.system_ids().filter(|&t| t != entry) {
        for (field, fills) in filled_twice(pipeline, graph, from_entry, target) {
            let [(fa, _), (fb, mb), ..] = fills.as_slice() else {
                continue;
            };
            if budget.total.get() == 0 {
                // A conflict is reported only with a witness, and none can be run any
                // more: counted, and reported as undecided below.
                unchecked += 1;
                continue;
            }
            let (Some(pa), Some(pb)) = (first_path(*fa), first_path(*fb)) else {
                continue;
            };
            let sides = [(pa, *fa), (pb, *fb)];
            if let Some(f) = conflict(pipeline, budget, target, field, sides, mb) {
                report.findings.push(f);
            }
        }
    }
    if unchecked > 0 {
        let f = Finding::unchecked(
            unchecked,
            "field(s) filled by several flows (path conflicts)",
            &pipeline.systems[entry].id,
            &pipeline.file.path,
        );
        report.findings.push(f);
    }
}

/// The fields of `target` that more than one flow from the entry fills, with the flows.
fn filled_twice<'p>(
    pipeline: &'p Pipeline,
    graph: &SystemGraph,
    from_entry: &[bool],
    target: SystemId,
) -> std::collections::BTreeMap<&'p str, Vec<(FlowId, &'p Mapping)>> {
    let mut by_field: std::collections::BTreeMap<&str, Vec<(FlowId, &Mapping)>> =
        std::collections::BTreeMap::new();
    for fid in graph.incoming(target) {
        if !from_entry[pipeline.flows[fid].from.index()] {
            continue;
        }
        for m in &pipeline.flows[fid].mappings {
            by_field
                .entry(&m.target_pointer)
                .or_default()
                .push((fid, m));
        }
    }
    by_field.retain(|_, fills| fills.len() > 1);
    by_field
}

/// A witness that the two paths give `field` different values, as a finding.
fn conflict(
    pipeline: &Pipeline,
    budget: &witness::Budget,
    target: SystemId,
    field: &str,
    [(pa, fa), (pb, fb)]: [(&FlowPath, FlowId); 2],
    mb: &Mapping,
) -> Option<Finding> {
    let mut origins = std::collections::BTreeSet::new();
    for (p, fid) in [(pa, fa), (pb, fb)] {
        let mut acc = dataflow::Acc::default();
        let m = pipeline.flows[fid]
            .mappings
            .iter()
            .find(|m| &*m.target_pointer == field);
        if let Some(m) = m {
            // Only the origins are wanted here; an inconsistency just leaves fewer.
            let _ = dataflow::eval_on_path(
                pipeline,
                &p.systems,
                &p.flows,
                p.systems.len() - 2,
                &m.expr,
                &mut acc,
            );
        }
        origins.extend(acc.origins);
    }
    let check = |record: &Value| {
        let a = witness::value_along(pipeline, pa, field, record)?;
        let b = witness::value_along(pipeline, pb, field, record)?;
        (a != b).then_some((a, b))
    };
    let witness::Search::Found(record, values) =
        witness::search_by(budget, pipeline, pa, &origins, &check)
    else {
        return None;
    };
    let ids = |p: &FlowPath| {
        p.systems
            .iter()
            .map(|&s| pipeline.systems[s].id.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    };
    let (a, b) = *values;
    let message = format!(
        "`{}` receives different values for {field}: {} via {}, {} via {}",
        pipeline.systems[target].id,
        crate::text::display_value(&a),
        ids(pa),
        crate::text::display_value(&b),
        ids(pb)
    );
    let facts = Conflict {
        at: FieldAt {
            system: pipeline.systems[target].id.clone(),
            field: field.to_owned(),
        },
        path: pb
            .systems
            .iter()
            .map(|&s| pipeline.systems[s].id.clone())
            .collect(),
        witness: record,
    };
    let f = Finding::path_conflict(facts, message, &pipeline.file.path, pipeline.location(mb.span))
        .with_help(Some(
            "make the mappings agree (the same expression on every path), or let only one flow fill the field"
                .into(),
        ));
    Some(f)
}
