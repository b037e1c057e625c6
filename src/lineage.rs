//! Walking mappings backwards: which flows and fields a system's field derives from. The
//! one backward walker: `trace`, `trace --log`, `graph --highlight` and `constraints` all
//! use [`chains`], so they agree on what a field derives from and where a lineage stops.

use std::collections::BTreeSet;

use crate::error::{Error, ErrorKind};
use crate::expr::ExprKind;
use crate::expr::FieldPath;
use crate::pipeline::{FlowId, Mapping, Pipeline, SystemId};
use crate::suggest;

/// A field of a system named on the command line: `payroll:/login` or `payroll:login`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The system.
    pub system: SystemId,
    /// The field as a JSON Pointer.
    pub pointer: String,
}

impl FieldSpec {
    /// Parses `SYSTEM:FIELD` against a pipeline.
    ///
    /// # Errors
    /// A missing `:`, an unknown system, or a bad field path.
    pub fn parse(pipeline: &Pipeline, text: &str) -> Result<Self, Error> {
        let (system, field) = text.split_once(':').ok_or_else(|| {
            Error::new(ErrorKind::Usage, format!("`{text}` is not SYSTEM:FIELD"))
                .help("e.g. `payroll:/login` or `payroll:login`")
        })?;
        let id = pipeline.system_id(system).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownSystem,
                format!("unknown system `{system}`"),
            )
            .help(suggest::help(
                system,
                pipeline.systems.iter().map(|s| s.id.as_str()),
                "systems",
            ))
        })?;
        let path = FieldPath::parse(field).map_err(|e| {
            Error::new(
                ErrorKind::Syntax,
                format!("bad field `{field}`: {}", e.message),
            )
        })?;
        let pointer = path.pointer();
        if !pipeline.systems[id].schema.declares(&pointer) {
            return Err(Error::new(
                ErrorKind::UnknownField,
                format!("`{field}` is not a field of `{system}`"),
            ));
        }
        Ok(Self {
            system: id,
            pointer,
        })
    }
}

/// One hop of a lineage: a field of a system and the mapping that fills it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hop {
    /// The system.
    pub system: SystemId,
    /// The field, as a JSON Pointer.
    pub pointer: String,
    /// The flow whose mapping fills it (`None` at the origin).
    pub flow: Option<FlowId>,
    /// The index of that mapping in the flow (`None` at the origin).
    pub mapping: Option<usize>,
    /// The mapping copies a whole object that holds this field (`mailing: address` fills
    /// `/mailing/street` from `/address/street`): the value arrives unchanged.
    pub inside_copy: bool,
}

/// A chain of hops from an entry field (first) to the traced field (last).
pub type Chain = Vec<Hop>;

/// Most chains followed backwards from one field, so a dense graph cannot explode a trace.
pub const MAX_CHAINS: usize = 10_000;

/// A mapping that fills (part of) a field, and the source fields it reads for it.
#[derive(Debug, Clone)]
pub struct Source<'p> {
    /// The flow.
    pub flow: FlowId,
    /// The mapping's index in the flow.
    pub index: usize,
    /// The mapping.
    pub mapping: &'p Mapping,
    /// JSON Pointers into the flow's source record that the value comes from.
    pub inputs: Vec<String>,
    /// See [`Hop::inside_copy`].
    pub inside_copy: bool,
}

/// Every mapping that fills `pointer` of `system`: those whose target it is, those that
/// copy a whole object holding it (`mailing: address` fills `/mailing/street`), and those
/// that fill fields inside it (reading `/mailing` whole reads them too).
#[must_use]
pub fn sources<'p>(pipeline: &'p Pipeline, system: SystemId, pointer: &str) -> Vec<Source<'p>> {
    let mut out = Vec::new();
    let source = |(flow, index): (FlowId, usize), inputs, inside_copy| {
        let mapping = &pipeline.flows[flow].mappings[index];
        Source {
            flow,
            index,
            mapping,
            inputs,
            inside_copy,
        }
    };
    for &at in pipeline.fills.exact(system, pointer) {
        let m = &pipeline.flows[at.0].mappings[at.1];
        out.push(source(
            at,
            m.inputs.iter().map(|(_, p)| p.clone()).collect(),
            false,
        ));
    }
    let mut ancestor = pointer;
    while let Some(cut) = ancestor.rfind('/') {
        ancestor = &ancestor[..cut];
        let rest = &pointer[ancestor.len()..];
        for &at in pipeline.fills.exact(system, ancestor) {
            // Only a plain copy keeps the object's inside: a function gives text.
            if let ExprKind::Field(f) = &pipeline.flows[at.0].mappings[at.1].expr.kind {
                out.push(source(at, vec![format!("{}{rest}", f.pointer())], true));
            }
        }
    }
    for (_, fills) in pipeline.fills.inside(system, pointer) {
        for &at in fills {
            let m = &pipeline.flows[at.0].mappings[at.1];
            out.push(source(
                at,
                m.inputs.iter().map(|(_, p)| p.clone()).collect(),
                false,
            ));
        }
    }
    out
}

/// Every chain by which `(system, pointer)` is filled from an entry system's field, found by
/// following mappings backwards (see [`sources`]). The one rule for where a lineage
/// stops: at an entry system, where values start (an entry is not also a relay), and a
/// chain never visits a system twice. With `entry`, only chains that start there.
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
        mapping: None,
        inside_copy: false,
    }];
    walk_back(pipeline, &mut stack, entry, &mut out);
    out
}

fn walk_back(
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
            return;
        }
    }
    for src in sources(pipeline, top.system, &top.pointer) {
        let from = pipeline.flows[src.flow].from;
        if stack.iter().any(|h| h.system == from) {
            continue;
        }
        if let Some(last) = stack.last_mut() {
            last.flow = Some(src.flow);
            last.mapping = Some(src.index);
            last.inside_copy = src.inside_copy;
        }
        for input in src.inputs {
            stack.push(Hop {
                system: from,
                pointer: input,
                flow: None,
                mapping: None,
                inside_copy: false,
            });
            walk_back(pipeline, stack, entry, out);
            stack.pop();
        }
    }
    if let Some(last) = stack.last_mut() {
        last.flow = top.flow;
        last.mapping = top.mapping;
        last.inside_copy = top.inside_copy;
    }
}

/// The mapping that fills `hop` (`None` at an origin).
#[must_use]
pub fn mapping_of<'p>(pipeline: &'p Pipeline, hop: &Hop) -> Option<&'p Mapping> {
    pipeline.flows[hop.flow?].mappings.get(hop.mapping?)
}

/// The flows a field's values travel on, and every (system, field) on the way.
#[derive(Debug, Default, Clone)]
pub struct Lineage {
    /// Flows whose mappings carry the value.
    pub flows: BTreeSet<FlowId>,
    /// Fields on the way, the target included.
    pub fields: BTreeSet<(SystemId, String)>,
}

/// Every chain into `target`, as one set of flows and fields (what `graph --highlight`
/// draws).
#[must_use]
pub fn backwards(pipeline: &Pipeline, target: &FieldSpec) -> Lineage {
    let mut out = Lineage::default();
    out.fields.insert((target.system, target.pointer.clone()));
    for chain in chains(pipeline, target.system, &target.pointer, None) {
        for hop in chain {
            out.flows.extend(hop.flow);
            out.fields.insert((hop.system, hop.pointer));
        }
    }
    out
}
