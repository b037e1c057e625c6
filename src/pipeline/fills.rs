//! The index from a system's field to the mappings that fill it, built once at load: every
//! backward walk (`trace`, `trace --log`, `graph --highlight`, `constraints`) asks it
//! instead of scanning every flow.

use std::collections::BTreeMap;

use super::{Flow, FlowId, SystemId};

/// (system, JSON Pointer) → the (flow, mapping index) pairs whose target it is.
#[derive(Debug, Default)]
pub struct FillIndex {
    by_target: BTreeMap<(SystemId, String), Vec<(FlowId, usize)>>,
}

impl FillIndex {
    /// Indexes every mapping of `flows`.
    #[must_use]
    pub fn new(flows: &[Flow]) -> Self {
        let mut by_target: BTreeMap<(SystemId, String), Vec<(FlowId, usize)>> = BTreeMap::new();
        for (fid, flow) in flows.iter().enumerate() {
            for (mi, m) in flow.mappings.iter().enumerate() {
                by_target
                    .entry((flow.to, m.target_pointer.to_string()))
                    .or_default()
                    .push((FlowId::new(fid), mi));
            }
        }
        Self { by_target }
    }

    /// The mappings whose target is exactly `pointer` of `system`.
    #[must_use]
    pub fn exact(&self, system: SystemId, pointer: &str) -> &[(FlowId, usize)] {
        self.by_target
            .get(&(system, pointer.to_owned()))
            .map_or(&[], Vec::as_slice)
    }

    /// The mappings whose target lies inside `pointer` of `system` (`/mailing/street` for
    /// `/mailing`), with their targets.
    pub fn inside<'a>(
        &'a self,
        system: SystemId,
        pointer: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a [(FlowId, usize)])> + 'a {
        let start = (system, format!("{pointer}/"));
        self.by_target
            .range(start..)
            .take_while(move |((s, p), _)| {
                *s == system
                    && p.starts_with(pointer)
                    && p.as_bytes().get(pointer.len()) == Some(&b'/')
            })
            .map(|((_, p), v)| (p.as_str(), v.as_slice()))
    }
}
