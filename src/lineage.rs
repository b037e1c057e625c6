//! Walking mappings backwards: which flows and fields a system's field derives from.
//!
//! `graph --highlight` draws it; `trace` (SPEC 4.3) builds on it.

use std::collections::BTreeSet;

use crate::error::{Error, ErrorKind};
use crate::expr::FieldPath;
use crate::pipeline::{FlowId, Pipeline, SystemId};
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

/// The flows a field's values travel on, and every (system, field) on the way, found by
/// following mappings backwards from `target` to the entry systems.
#[derive(Debug, Default, Clone)]
pub struct Lineage {
    /// Flows whose mappings carry the value.
    pub flows: BTreeSet<FlowId>,
    /// Fields on the way, the target included.
    pub fields: BTreeSet<(SystemId, String)>,
}

/// Follows mappings backwards from `target`.
#[must_use]
pub fn backwards(pipeline: &Pipeline, target: &FieldSpec) -> Lineage {
    let mut out = Lineage::default();
    let mut stack = vec![(target.system, target.pointer.clone())];
    while let Some((system, pointer)) = stack.pop() {
        if !out.fields.insert((system, pointer.clone())) {
            continue;
        }
        for (fid, flow) in pipeline
            .flows
            .iter()
            .enumerate()
            .filter(|(_, f)| f.to == system)
        {
            for m in flow
                .mappings
                .iter()
                .filter(|m| *m.target_pointer == *pointer)
            {
                out.flows.insert(fid);
                for (_, input) in &m.inputs {
                    stack.push((flow.from, input.clone()));
                }
            }
        }
    }
    out
}
