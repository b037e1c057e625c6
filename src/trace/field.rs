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

/// A traced field (README, "`ripple trace`").
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
    /// (README, "`ripple trace`"), the constraints above only explain it.
    pub verdict: FieldVerdict,
}

impl FieldTrace {
    /// The command's verdict: a finding when something on the lineage rejects what the
    /// origin accepts (there is a root cause), else clean (README, "Exit codes").
    #[must_use]
    pub fn exit_verdict(&self) -> crate::request::Verdict {
        crate::request::Verdict::found(self.root_cause.is_some())
    }
}

/// Traces `target` back to its origins.
#[must_use]
pub fn trace_field(pipeline: &Pipeline, target: &FieldSpec) -> FieldTrace {
    let chains = constraints::chains(pipeline, target.system, &target.pointer, None);
    let verdict = check::check_field(
        pipeline,
        target.system,
        &target.pointer,
        check::CheckOptions::default(),
    );
    let rejecting = match &verdict {
        FieldVerdict::Incompatible(f) => f.system().and_then(|s| pipeline.system_id(s)),
        _ => None,
    };
    let mut origins: Vec<Origin> = Vec::new();
    let mut causes: Vec<RootCause> = Vec::new();
    let out_chains = chains
        .iter()
        .map(|chain| trace_chain(pipeline, chain, rejecting, &mut origins, &mut causes))
        .collect();
    let sums = binding_sums(pipeline, &chains, &origins);
    causes.extend(sum_cause(pipeline, &sums, &origins));
    let root_cause = choose(pipeline, &verdict, causes);
    FieldTrace {
        target: target.clone(),
        chains: out_chains,
        origins,
        root_cause,
        sums,
        verdict,
    }
}

/// One chain's hops with their constraints and where each narrows; records the chain's
/// origin (meeting its effective constraint) and, when the chain narrows it, a candidate
/// root cause.
fn trace_chain(
    pipeline: &Pipeline,
    chain: &[constraints::Hop],
    rejecting: Option<SystemId>,
    origins: &mut Vec<Origin>,
    causes: &mut Vec<RootCause>,
) -> Vec<TraceHop> {
    let Some(first) = chain.first() else {
        return Vec::new();
    };
    let leaf = |h: &constraints::Hop| pipeline.systems[h.system].schema.leaf(&h.pointer);
    let own = Constraint::from_leaf(&leaf(first));
    let mut so_far = own.clone();
    let mut hops = Vec::with_capacity(chain.len());
    for (k, hop) in chain.iter().enumerate() {
        let pulled = constraints::pull_chain(pipeline, chain, k);
        let narrows = if k == 0 {
            Vec::new()
        } else {
            pulled.tighter_than(&so_far)
        };
        so_far.meet(&pulled);
        hops.push(TraceHop {
            system: hop.system,
            pointer: hop.pointer.clone(),
            flow: hop.flow,
            expr: expr_of(pipeline, hop),
            constraint: Constraint::from_leaf(&leaf(hop)),
            narrows,
        });
    }
    // Where it narrows: at the system that rejects `check`'s witness when that hop
    // narrows, else the first hop that does.
    let at = hops
        .iter()
        .find(|h| Some(h.system) == rejecting && !h.narrows.is_empty())
        .or_else(|| hops.iter().find(|h| !h.narrows.is_empty()))
        .map(|h| (h.system, h.pointer.clone()));
    let why = so_far.tighter_than(&own);
    if !why.is_empty() {
        let place = at.as_ref().map_or(String::new(), |(s, p)| {
            format!("; it narrows at {} {p}", pipeline.systems[*s].id)
        });
        causes.push(RootCause {
            system: first.system,
            pointer: first.pointer.clone(),
            reason: format!(
                "{} {} accepts values its lineage rejects: it must have {}{place}",
                pipeline.systems[first.system].id,
                first.pointer,
                why.join(", ")
            ),
            narrowed_at: at,
        });
    }
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
    hops
}

/// Limits on the total length of origins a `concat` on the lineage joins, where the
/// origins' own limits do not already keep the total within them.
fn binding_sums(
    pipeline: &Pipeline,
    chains: &[constraints::Chain],
    origins: &[Origin],
) -> Vec<constraints::SumConstraint> {
    let mut sums = Vec::new();
    for chain in chains {
        if let Some(first) = chain.first() {
            // Notes on sums it cannot write go with `constraints`' effective constraints.
            let _ = constraints::chain_sums(pipeline, chain, first.system, &mut sums);
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
    sums
}

/// A root cause from the first binding sum.
fn sum_cause(
    pipeline: &Pipeline,
    sums: &[constraints::SumConstraint],
    origins: &[Origin],
) -> Option<RootCause> {
    let (s, o) = (sums.first()?, origins.first()?);
    let unit = if s.keyword == "maxLength" {
        "characters"
    } else {
        "UTF-8 bytes"
    };
    Some(RootCause {
        system: o.system,
        pointer: o.pointer.clone(),
        reason: format!(
            "{} accept values whose total is too long: together at most {} {unit} at {} {}",
            s.fields.join(" + "),
            s.max,
            pipeline.systems[s.at.0].id,
            s.at.1
        ),
        narrowed_at: Some(s.at.clone()),
    })
}

/// The root cause, agreeing with `check`: none where `check` proves the field (a pulled
/// back constraint is sufficient, not necessary, so a narrowing it sees may be enforced
/// earlier on the way); where `check` refutes it, the candidate whose origin the witness
/// sets, narrowing at the rejecting system if one does (else one told by the witness);
/// where undecided, the first candidate.
fn choose(
    pipeline: &Pipeline,
    verdict: &FieldVerdict,
    causes: Vec<RootCause>,
) -> Option<RootCause> {
    let f = match verdict {
        FieldVerdict::Proven | FieldVerdict::NotReached => return None,
        FieldVerdict::Undecided(_) => return causes.into_iter().next(),
        FieldVerdict::Incompatible(f) => f,
    };
    let set = |c: &RootCause| {
        f.witness()
            .as_ref()
            .is_some_and(|w| w.pointer(&c.pointer).is_some())
    };
    let at_rejecting = |c: &RootCause| {
        c.narrowed_at
            .as_ref()
            .map(|(s, _)| pipeline.systems[*s].id.as_str())
            == f.system()
    };
    let pick = causes
        .iter()
        .position(|c| set(c) && at_rejecting(c))
        .or_else(|| causes.iter().position(set))
        .or_else(|| (!causes.is_empty()).then_some(0));
    match pick {
        Some(i) => causes.into_iter().nth(i),
        None => from_witness(pipeline, f),
    }
}

/// A root cause told by `check`'s witness, where the constraints found nothing to blame.
fn from_witness(pipeline: &Pipeline, f: &check::Finding) -> Option<RootCause> {
    let origin = f.origin().first()?;
    let system = pipeline.system_id(&origin.system)?;
    let witness = f.witness().map_or(String::new(), |w| format!(", e.g. {w}"));
    Some(RootCause {
        system,
        pointer: origin.field.to_string(),
        reason: format!(
            "{} {} accepts values that {} rejects at {} ({} {}){witness}",
            origin.system,
            origin.field,
            f.system().unwrap_or_default(),
            f.field().unwrap_or_default(),
            f.keyword().unwrap_or_default(),
            f.limit()
                .map(crate::text::display_value)
                .unwrap_or_default()
        ),
        narrowed_at: None,
    })
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
