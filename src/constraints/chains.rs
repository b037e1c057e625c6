//! Lineage chains: every way a field is filled from an entry field, followed backwards,
//! and a downstream limit pulled back along one.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Most chains followed backwards from one field, so a dense graph cannot explode a trace.
pub(super) const MAX_CHAINS: usize = 10_000;

/// One hop of a lineage: a field of a system and the mapping that fills it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hop {
    /// The system.
    pub system: SystemId,
    /// The field, as a JSON Pointer.
    pub pointer: String,
    /// The flow whose mapping fills it (`None` at the origin).
    pub flow: Option<FlowId>,
}

/// A chain of hops from an entry field (first) to the traced field (last).
pub type Chain = Vec<Hop>;

/// Every chain by which `(system, pointer)` is filled from an entry system's field, found by
/// following mappings backwards; a chain never visits a system twice. With `entry`, only
/// chains that start there.
#[must_use]
pub fn chains(
    pipeline: &Pipeline,
    system: SystemId,
    pointer: &str,
    entry: Option<SystemId>,
) -> Vec<Chain> {
    let mut out = Vec::new();
    let mut stack = vec![Hop {
        system,
        pointer: pointer.to_owned(),
        flow: None,
    }];
    walk_back(pipeline, &mut stack, entry, &mut out);
    out
}

pub(super) fn walk_back(
    pipeline: &Pipeline,
    stack: &mut Vec<Hop>,
    entry: Option<SystemId>,
    out: &mut Vec<Chain>,
) {
    if out.len() >= MAX_CHAINS {
        return;
    }
    let Some(top) = stack.last().cloned() else {
        return;
    };
    if pipeline.systems[top.system].entry && entry.is_none_or(|e| e == top.system) {
        let mut chain: Chain = stack.clone();
        chain.reverse();
        out.push(chain);
        if stack.len() > 1 {
            // An entry system is where values start; it is not also a relay.
            return;
        }
    }
    for (fid, flow) in pipeline.flows.iter().enumerate() {
        if flow.to != top.system || stack.iter().any(|h| h.system == flow.from) {
            continue;
        }
        for m in flow
            .mappings
            .iter()
            .filter(|m| *m.target_pointer == *top.pointer)
        {
            if let Some(last) = stack.last_mut() {
                last.flow = Some(fid);
            }
            for (_, input) in &m.inputs {
                stack.push(Hop {
                    system: flow.from,
                    pointer: input.clone(),
                    flow: None,
                });
                walk_back(pipeline, stack, entry, out);
                stack.pop();
            }
        }
    }
    if let Some(last) = stack.last_mut() {
        last.flow = top.flow;
    }
}

/// Pulls the constraint of `chain`'s field at position `at` back to the chain's origin.
#[must_use]
pub fn pull_chain(pipeline: &Pipeline, chain: &[Hop], at: usize) -> Constraint {
    pull_chain_to(pipeline, chain, at, 0)
}

/// Pulls the constraint of `chain`'s field at position `at` back to position `stop`.
pub(super) fn pull_chain_to(
    pipeline: &Pipeline,
    chain: &[Hop],
    at: usize,
    stop: usize,
) -> Constraint {
    let Some(hop) = chain.get(at) else {
        return Constraint::default();
    };
    let mut c = Constraint::from_leaf(&pipeline.systems[hop.system].schema.leaf(&hop.pointer));
    for k in (stop + 1..=at).rev() {
        let (here, prev) = (&chain[k], &chain[k - 1]);
        let Some(m) = mapping_of(pipeline, here) else {
            break;
        };
        let pulled = pull_back(&m.expr, c);
        let mut next = Constraint::default();
        for (f, fc) in pulled {
            if f.pointer() == prev.pointer {
                next.meet(&fc);
            }
        }
        c = next;
    }
    c
}

pub(super) fn mapping_of<'p>(
    pipeline: &'p Pipeline,
    hop: &Hop,
) -> Option<&'p crate::pipeline::Mapping> {
    pipeline.flows[hop.flow?]
        .mappings
        .iter()
        .find(|m| *m.target_pointer == *hop.pointer)
}
