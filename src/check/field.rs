//! `check`'s verdict on one field of one system, for `trace`: the same analysis as
//! [`check_pipeline`](super::check_pipeline) runs for every flow field, restricted to the
//! flows that fill this one, so that `trace` never claims what `check` does not prove.

use super::{CheckOptions, Code, Finding, analyze, dataflow, witness};
use crate::graph::SystemGraph;
use crate::pipeline::{Pipeline, SystemId};

/// What `check` concludes about one field.
#[derive(Debug, Clone)]
pub enum FieldVerdict {
    /// No flow from an entry system fills the field.
    NotReached,
    /// Every value any path can deliver is accepted.
    Proven,
    /// A verified witness: the R301 finding.
    Incompatible(Box<Finding>),
    /// Neither proven nor refuted: the R302 finding, saying why.
    Undecided(Box<Finding>),
}

impl FieldVerdict {
    /// The stable name used in JSON output.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            FieldVerdict::NotReached => "not_reached",
            FieldVerdict::Proven => "proven",
            FieldVerdict::Incompatible(_) => "incompatible",
            FieldVerdict::Undecided(_) => "undecided",
        }
    }
}

/// Checks every flow that fills `pointer` of `system`, from every entry system.
#[must_use]
pub fn check_field(
    pipeline: &Pipeline,
    system: SystemId,
    pointer: &str,
    opts: CheckOptions,
) -> FieldVerdict {
    let graph = SystemGraph::new(pipeline);
    let budget = witness::Budget::new(opts.witness_budget);
    let mut verdict = FieldVerdict::NotReached;
    for entry in pipeline.entries() {
        if entry == system {
            continue;
        }
        let summary = dataflow::Summary::compute(pipeline, &graph, entry);
        let from_entry = graph.reachable([entry]);
        for (fid, flow) in pipeline.flows.iter().enumerate() {
            if flow.to != system || !from_entry[flow.from] {
                continue;
            }
            let mappings = super::nested::with_nested(pipeline, fid);
            for m in mappings.iter().filter(|m| &*m.target_pointer == pointer) {
                let paths = std::cell::OnceCell::new();
                let finding =
                    analyze::analyze(&budget, pipeline, &graph, &summary, entry, fid, m, &paths);
                verdict = match (verdict, finding) {
                    (FieldVerdict::Incompatible(f), _) => FieldVerdict::Incompatible(f),
                    (_, Some(f)) if f.code == Code::Incompatible => {
                        FieldVerdict::Incompatible(Box::new(f))
                    }
                    (FieldVerdict::Undecided(f), _) => FieldVerdict::Undecided(f),
                    (_, Some(f)) => FieldVerdict::Undecided(Box::new(f)),
                    (_, None) => FieldVerdict::Proven,
                };
            }
        }
    }
    verdict
}
