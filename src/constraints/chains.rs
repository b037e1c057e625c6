//! A downstream limit pulled back along a lineage chain (the chains themselves come from
//! [`crate::lineage`]).

#[allow(clippy::wildcard_imports)]
use super::*;

pub use crate::lineage::{Chain, Hop, chains, mapping_of};

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
        if here.inside_copy {
            // A field inside a whole object copied unchanged: the limit holds as it is.
            continue;
        }
        if *m.target_pointer != *here.pointer {
            // The mapping fills a field inside `here` (an object read whole): what
            // travels back on it is that field's own limit.
            c = Constraint::from_leaf(
                &pipeline.systems[here.system].schema.leaf(&m.target_pointer),
            );
        }
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
