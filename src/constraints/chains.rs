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
    pull_chain_each(pipeline, chain, at, stop, &mut |_, _| {})
}

/// [`pull_chain_to`] for every stop from `at` down to `stop` in one walk: `visit(j, c)`
/// gets the constraint of position `at` pulled back to `j` (what `pull_chain_to(at, j)`
/// returns), so a caller wanting every pair pays for each hop once per `at`, not once per
/// (`at`, `j`).
pub(super) fn pull_chain_each(
    pipeline: &Pipeline,
    chain: &[Hop],
    at: usize,
    stop: usize,
    visit: &mut dyn FnMut(usize, &Constraint),
) -> Constraint {
    let Some(hop) = chain.get(at) else {
        return Constraint::default();
    };
    let mut c = Constraint::from_leaf(&pipeline.systems[hop.system].schema.leaf(&hop.pointer));
    visit(at, &c);
    let mut k = at;
    while k > stop {
        let (here, prev) = (&chain[k], &chain[k - 1]);
        let Some(m) = mapping_of(pipeline, here) else {
            // No mapping to pull through: what holds at `here` is all there is further
            // back too.
            break;
        };
        k -= 1;
        if here.inside_copy {
            // A field inside a whole object copied unchanged: the limit holds as it is.
            visit(k, &c);
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
        visit(k, &c);
    }
    for j in (stop..k).rev() {
        visit(j, &c);
    }
    c
}
