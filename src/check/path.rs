//! Flow paths: the concrete paths from an entry system that end with a flow, on which a
//! field is proven alone or a witness is searched for. The one path type of the checker.

use std::collections::VecDeque;

use super::dataflow;
use crate::graph::SystemGraph;
use crate::pipeline::{FlowId, Pipeline, SystemId};

/// Concrete paths tried per flow when looking for a witness.
const MAX_WITNESS_PATHS: usize = 4;
/// Partial paths expanded when enumerating them exhaustively; beyond it, shortest paths
/// from a breadth-first tree are used instead (large graphs).
const MAX_EXPANSIONS: usize = 300;

/// A flow path: systems from the entry, and the flows between them.
pub(crate) struct FlowPath {
    /// Systems from the entry, the target last.
    pub systems: Vec<SystemId>,
    /// The flows between them.
    pub flows: Vec<FlowId>,
    /// The path's demands on entry fields, computed on first use.
    pub demands: std::cell::OnceCell<dataflow::PathDemands>,
    /// What the path's mappings and schemas suggest as witness candidates, gathered on first
    /// use: every field searched on the path shares them.
    pub hints: std::cell::OnceCell<super::candidates::Hints>,
}

impl FlowPath {
    pub(super) fn new(systems: Vec<SystemId>, flows: Vec<FlowId>) -> Self {
        Self {
            systems,
            flows,
            demands: std::cell::OnceCell::new(),
            hints: std::cell::OnceCell::new(),
        }
    }
}

/// Up to [`MAX_WITNESS_PATHS`] simple paths from `entry` whose last flow is `flow`,
/// shortest first, and whether that is all of them.
pub(super) fn paths_ending_with(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    entry: SystemId,
    flow: FlowId,
) -> (Vec<FlowPath>, bool) {
    let (mut out, complete) = enumerate_paths(pipeline, graph, entry, flow);
    if complete || out.len() >= MAX_WITNESS_PATHS {
        return (out, complete);
    }
    for p in tree_paths(pipeline, graph, entry, flow) {
        if out.len() >= MAX_WITNESS_PATHS {
            break;
        }
        if !out.iter().any(|q| q.flows == p.flows) {
            out.push(p);
        }
    }
    out.sort_by_key(|p| p.flows.len());
    (out, false)
}

/// Shortest simple paths ending with `flow`, one per flow into its source, read off one
/// breadth-first tree from `entry` that never enters the flow's target: linear in the graph,
/// for graphs too large to enumerate.
fn tree_paths(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    entry: SystemId,
    flow: FlowId,
) -> Vec<FlowPath> {
    let source = pipeline.flows[flow].from;
    let target = pipeline.flows[flow].to;
    let mut parent: Vec<Option<(SystemId, FlowId)>> = vec![None; pipeline.systems.len()];
    let mut seen = vec![false; pipeline.systems.len()];
    seen[entry.index()] = true;
    seen[target.index()] = true;
    let mut queue = VecDeque::from([entry]);
    while let Some(s) = queue.pop_front() {
        for &f in graph.outgoing(s) {
            let to = pipeline.flows[f].to;
            if !seen[to.index()] {
                seen[to.index()] = true;
                parent[to.index()] = Some((s, f));
                queue.push_back(to);
            }
        }
    }
    let tree_path = |mut s: SystemId| {
        let (mut systems, mut flows) = (vec![s], Vec::new());
        while let Some((p, f)) = parent[s.index()] {
            systems.push(p);
            flows.push(f);
            s = p;
        }
        systems.reverse();
        flows.reverse();
        (systems, flows)
    };
    let mut out = Vec::new();
    let into_source = std::iter::once(None).chain(graph.incoming(source).into_iter().map(Some));
    for last in into_source {
        let (mut systems, mut flows) = match last {
            None if seen[source.index()] && source != target => tree_path(source),
            Some(f) => {
                let p = pipeline.flows[f].from;
                if !seen[p.index()] || p == target || p == source {
                    continue;
                }
                let (mut systems, mut flows) = tree_path(p);
                if systems.contains(&source) {
                    continue;
                }
                systems.push(source);
                flows.push(f);
                (systems, flows)
            }
            None => continue,
        };
        if systems.first() != Some(&entry) {
            continue;
        }
        systems.push(target);
        flows.push(flow);
        out.push(FlowPath::new(systems, flows));
        if out.len() >= MAX_WITNESS_PATHS {
            break;
        }
    }
    out
}

/// Every simple path ending with `flow`, breadth first, up to [`MAX_WITNESS_PATHS`] and
/// [`MAX_EXPANSIONS`], and whether that is all of them.
fn enumerate_paths(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    entry: SystemId,
    flow: FlowId,
) -> (Vec<FlowPath>, bool) {
    let source = pipeline.flows[flow].from;
    let target = pipeline.flows[flow].to;
    let mut out = Vec::new();
    let mut queue = VecDeque::from([FlowPath::new(vec![entry], Vec::new())]);
    let mut expansions = 0;
    while let Some(p) = queue.pop_front() {
        let last = *p.systems.last().unwrap_or(&entry);
        if last == source && !p.systems.contains(&target) {
            let mut systems = p.systems.clone();
            systems.push(target);
            let mut flows = p.flows.clone();
            flows.push(flow);
            out.push(FlowPath::new(systems, flows));
            if out.len() >= MAX_WITNESS_PATHS {
                return (out, false);
            }
        }
        for &next in graph.outgoing(last) {
            let to = pipeline.flows[next].to;
            if p.systems.contains(&to) {
                continue;
            }
            expansions += 1;
            if expansions > MAX_EXPANSIONS {
                return (out, false);
            }
            let mut systems = p.systems.clone();
            systems.push(to);
            let mut flows = p.flows.clone();
            flows.push(next);
            queue.push_back(FlowPath::new(systems, flows));
        }
    }
    (out, true)
}
