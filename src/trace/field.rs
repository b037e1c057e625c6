//! `ripple trace PIPELINE SYSTEM:FIELD`: a field's lineage back to its origins, the
//! constraint at every hop, the hop where it narrows, and the root cause.

use serde_json::Value;

use crate::check::{self, FieldVerdict};
use crate::constraints::{self, Constraint};
use crate::lineage::FieldSpec;
use crate::pipeline::{FlowId, Pipeline, SystemId};

/// One hop of a traced lineage.
#[derive(Debug, Clone)]
pub struct TraceHop {
    /// The system.
    pub system: SystemId,
    /// The field, as a JSON Pointer.
    pub pointer: String,
    /// The flow whose mapping fills the field (`None` at the origin).
    pub flow: Option<FlowId>,
    /// The mapping expression, as written in the pipeline (`None` at the origin).
    pub expr: Option<String>,
    /// The field's own constraint in this system's schema.
    pub constraint: Constraint,
    /// The ways this hop's limit, pulled back to the origin, is tighter than everything
    /// before it on the chain: non-empty where the constraint narrows.
    pub narrows: Vec<String>,
}

/// An origin of a traced field with its effective constraint.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The entry system.
    pub system: SystemId,
    /// The entry field.
    pub pointer: String,
    /// The entry schema's own constraint on it.
    pub own: Constraint,
    /// What it must satisfy for every system on the lineage to accept.
    pub effective: Constraint,
}

/// Why the traced field can fail: the origin whose own constraint is looser than its
/// effective constraint, and where it narrows.
#[derive(Debug, Clone)]
pub struct RootCause {
    /// The entry system.
    pub system: SystemId,
    /// The entry field.
    pub pointer: String,
    /// In words: what the origin accepts and what the lineage needs.
    pub reason: String,
    /// The hop (index into [`FieldTrace::chains`]' chain, system) where it narrows most.
    pub narrowed_at: Option<(SystemId, String)>,
}

/// A traced field (SPEC 4.3, field mode).
#[derive(Debug, Clone)]
pub struct FieldTrace {
    /// The field traced.
    pub target: FieldSpec,
    /// Every chain from an origin to the target, each hop with its constraint.
    pub chains: Vec<Vec<TraceHop>>,
    /// The origins, with effective constraints.
    pub origins: Vec<Origin>,
    /// The root cause, when some origin accepts values the lineage rejects.
    pub root_cause: Option<RootCause>,
    /// Limits on the total length of origins that the lineage joins with `concat`.
    pub sums: Vec<constraints::SumConstraint>,
    /// What `check` concludes about the field: the trace's verdict is always this one
    /// (README, "trace"), the constraints above only explain it.
    pub verdict: FieldVerdict,
}

/// Traces `target` back to its origins.
#[must_use]
pub fn trace_field(pipeline: &Pipeline, target: &FieldSpec) -> FieldTrace {
    let chains = constraints::chains(pipeline, target.system, &target.pointer, None);
    let mut origins: Vec<Origin> = Vec::new();
    let mut out_chains = Vec::new();
    let mut cause: Option<(usize, RootCause)> = None;
    for chain in &chains {
        let Some(first) = chain.first() else { continue };
        let own =
            Constraint::from_leaf(&pipeline.systems[first.system].schema.leaf(&first.pointer));
        let mut so_far = own.clone();
        let mut hops = Vec::new();
        let mut narrowest: Option<(usize, usize)> = None;
        for (k, hop) in chain.iter().enumerate() {
            let pulled = constraints::pull_chain(pipeline, chain, k);
            let narrows = if k == 0 {
                Vec::new()
            } else {
                pulled.tighter_than(&so_far)
            };
            if !narrows.is_empty() && narrowest.is_none_or(|(_, n)| narrows.len() >= n) {
                narrowest = Some((k, narrows.len()));
            }
            so_far.meet(&pulled);
            hops.push(TraceHop {
                system: hop.system,
                pointer: hop.pointer.clone(),
                flow: hop.flow,
                expr: expr_of(pipeline, hop),
                constraint: Constraint::from_leaf(
                    &pipeline.systems[hop.system].schema.leaf(&hop.pointer),
                ),
                narrows,
            });
        }
        let why = so_far.tighter_than(&own);
        match origins
            .iter_mut()
            .find(|o| o.system == first.system && o.pointer == first.pointer)
        {
            Some(o) => o.effective.meet(&so_far),
            None => origins.push(Origin {
                system: first.system,
                pointer: first.pointer.clone(),
                own,
                effective: so_far,
            }),
        }
        if !why.is_empty() && cause.as_ref().is_none_or(|(n, _)| why.len() > *n) {
            let at = narrowest.map(|(k, _)| (chain[k].system, chain[k].pointer.clone()));
            let place = at.as_ref().map_or(String::new(), |(s, p)| {
                format!("; it narrows at {} {p}", pipeline.systems[*s].id)
            });
            cause = Some((
                why.len(),
                RootCause {
                    system: first.system,
                    pointer: first.pointer.clone(),
                    reason: format!(
                        "{} {} accepts values its lineage rejects: it must have {}{place}",
                        pipeline.systems[first.system].id,
                        first.pointer,
                        why.join(", ")
                    ),
                    narrowed_at: at,
                },
            ));
        }
        out_chains.push(hops);
    }
    let mut sums = Vec::new();
    for chain in &chains {
        if let Some(first) = chain.first() {
            constraints::chain_sums(pipeline, chain, first.system, &mut sums);
        }
    }
    sums.retain(|s| {
        constraints::binding(s, |p| {
            origins
                .iter()
                .find(|o| o.pointer == p)
                .map(|o| &o.effective)
        })
    });
    let mut root_cause = cause.map(|(_, c)| c);
    if root_cause.is_none()
        && let Some(s) = sums.first()
        && let Some(o) = origins.first()
    {
        root_cause = Some(RootCause {
            system: o.system,
            pointer: o.pointer.clone(),
            reason: format!(
                "{} accept values whose total is too long: together at most {} {} at {} {}",
                s.fields.join(" + "),
                s.max,
                if s.keyword == "maxLength" {
                    "characters"
                } else {
                    "UTF-8 bytes"
                },
                pipeline.systems[s.at.0].id,
                s.at.1
            ),
            narrowed_at: Some(s.at.clone()),
        });
    }
    let verdict = check::check_field(
        pipeline,
        target.system,
        &target.pointer,
        check::CheckOptions::default(),
    );
    let root_cause = agree(pipeline, &verdict, root_cause);
    FieldTrace {
        target: target.clone(),
        chains: out_chains,
        origins,
        root_cause,
        sums,
        verdict,
    }
}

/// Makes the root cause agree with `check`: none where `check` proves the field (the
/// pulled-back constraints are sufficient conditions, so a narrowing they see may be
/// enforced earlier on the way), and one from the witness where `check` refutes it and
/// the constraints found nothing to blame.
fn agree(
    pipeline: &Pipeline,
    verdict: &FieldVerdict,
    cause: Option<RootCause>,
) -> Option<RootCause> {
    match verdict {
        FieldVerdict::Proven | FieldVerdict::NotReached => None,
        FieldVerdict::Undecided(_) => cause,
        FieldVerdict::Incompatible(f) => cause.or_else(|| {
            let origin = f.origin.first()?;
            let system = pipeline.system_id(&origin.system)?;
            let witness = f
                .witness
                .as_ref()
                .map_or(String::new(), |w| format!(", e.g. {w}"));
            Some(RootCause {
                system,
                pointer: origin.field.to_string(),
                reason: format!(
                    "{} {} accepts values that {} rejects at {} ({} {}){witness}",
                    origin.system,
                    origin.field,
                    f.system.as_deref().unwrap_or_default(),
                    f.field.as_deref().unwrap_or_default(),
                    f.keyword.as_deref().unwrap_or_default(),
                    f.limit
                        .as_ref()
                        .map(crate::report::display_value)
                        .unwrap_or_default()
                ),
                narrowed_at: None,
            })
        }),
    }
}

fn expr_of(pipeline: &Pipeline, hop: &constraints::Hop) -> Option<String> {
    crate::lineage::mapping_of(pipeline, hop).map(|m| m.source.to_string())
}

/// The effective constraints of a trace as one JSON Schema fragment: the origin's fragment
/// when there is one origin, else a record-level `properties` fragment per entry field.
#[must_use]
pub fn effective_schema(trace: &FieldTrace) -> Value {
    match trace.origins.as_slice() {
        [one] => one.effective.to_schema(),
        many => constraints::record_fragment(
            many.iter()
                .map(|o| (o.pointer.as_str(), o.effective.to_schema())),
        ),
    }
}
