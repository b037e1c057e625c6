//! The fast path of batch validation, precompiled (README, "`--batch FILE [--jobs N]`").
//!
//! A [`Plan`] works out once per batch every simple path a change can take from one entry
//! system, in the order propagation takes them. Deciding whether every system accepts a
//! record then derives each reached system's record and validates it — no provenance, no
//! path or flow lists per arrival, no conflict or echo bookkeeping unless the graph can
//! have conflicts or echoes at all. [`Plan::accepts`] is as strict as
//! [`crate::validate::accepts`]: `true` only when [`crate::validate::validate`] reports
//! nothing; a record it does not accept goes on to the full validation, which says why.
//! It decides partial changes (the current record unknown), which is what batch lines
//! are; a change with a current record, or a create, takes [`crate::validate::accepts`].
//!
//! [`Declared`] is the fast path's field check: what the entry schema declares, learnt
//! record by record, so [`crate::change::ChangeRequest::check_fields`] runs only for a
//! record with a field not seen before.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};

use crate::expr::{ExprKind, FieldPath, Segment};
use crate::graph::SystemGraph;
use crate::pipeline::{Flow, FlowId, Pipeline, SystemId};
use crate::propagate::MAX_ARRIVALS;
use crate::schema::SystemSchema;

/// One arrival propagation can make: a system reached along one simple path.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// The system reached.
    system: SystemId,
    /// The node this one continues (the entry node: itself).
    parent: usize,
    /// The flow from the parent's system (the entry node: none).
    flow: Option<FlowId>,
}

/// A flow from a node back to a system already on its path: what comes back is compared
/// with what that system had (README, "Echoes").
#[derive(Debug, Clone, Copy)]
struct Back {
    /// The node the flow leaves.
    from: usize,
    /// The flow.
    flow: FlowId,
    /// The node on the path where the flow's target system was.
    had: usize,
}

/// Every simple path from one entry system, in propagation order (breadth first, flows in
/// declaration order), built once and shared by every worker of a batch.
#[derive(Debug)]
pub struct Plan {
    entry: SystemId,
    /// Node 0 is the entry; a node's parent always comes before it.
    nodes: Vec<Node>,
    /// Flows back to a system on the path (two-way syncs).
    backs: Vec<Back>,
    /// Whether some system is reached by more than one path, so two paths may bring it
    /// different records.
    repeated: bool,
    /// Per flow, per mapping: whether the expression reads one field only, the mapping's
    /// one input (`ascii(city)`), so each field it reads is that input, not compared.
    single: Vec<Vec<bool>>,
    /// Per flow: whether every mapping's target is one key, no two the same, so a
    /// record its mappings wrote has their keys in the order written ([`derive`]).
    flat: Vec<bool>,
    /// This plan among every plan made, so [`Docs`] used with another one start afresh.
    id: u64,
}

/// The next [`Plan::id`].
static PLANS: AtomicU64 = AtomicU64::new(0);

/// A worker's derived records, one per plan node, kept from record to record: a node's
/// record is rewritten in place when the same mappings write it as last time (the keys
/// and the maps stay; only the values change), built afresh otherwise. Pass the same one
/// to every [`Plan::accepts`] of a worker (used with another plan, they start afresh).
#[derive(Debug, Default)]
pub struct Docs {
    /// The plan the slots are for.
    plan: Option<u64>,
    slots: Vec<Slot>,
}

/// One plan node's derived record.
#[derive(Debug, Default)]
struct Slot {
    /// The record (while `written` is `None`, nothing to reuse).
    doc: Value,
    /// Whether the flow reaches the node for the record at hand.
    reached: bool,
    /// The mappings that wrote `doc`, in order, when `doc` is exactly what writing their
    /// results into an empty object gives (every write succeeded); `None` otherwise.
    written: Option<Vec<usize>>,
}

impl Plan {
    /// The plan for changes entering at `entry`; `None` when the graph has more paths from
    /// it than propagation enumerates ([`MAX_ARRIVALS`]), where only the full propagation
    /// gives the verdict (an error).
    #[must_use]
    pub fn new(pipeline: &Pipeline, graph: &SystemGraph, entry: SystemId) -> Option<Self> {
        let mut nodes = vec![Node {
            system: entry,
            parent: 0,
            flow: None,
        }];
        let mut backs = Vec::new();
        let mut at = 0;
        while at < nodes.len() {
            let system = nodes[at].system;
            for &flow in graph.outgoing(system) {
                let to = pipeline.flows.get(flow.index())?.to;
                if let Some(had) = on_path(&nodes, at, to) {
                    backs.push(Back {
                        from: at,
                        flow,
                        had,
                    });
                    continue;
                }
                if nodes.len() >= MAX_ARRIVALS {
                    return None;
                }
                nodes.push(Node {
                    system: to,
                    parent: at,
                    flow: Some(flow),
                });
            }
            at += 1;
        }
        let mut seen = vec![false; pipeline.systems.len()];
        let mut repeated = false;
        for n in &nodes {
            repeated |= std::mem::replace(seen.get_mut(n.system.index())?, true);
        }
        let single = pipeline
            .flows
            .iter()
            .map(|flow| {
                flow.mappings
                    .iter()
                    .map(
                        |m| match (m.expr.fields().as_slice(), m.inputs.as_slice()) {
                            ([(f, _)], [(g, _)]) => *f == g,
                            _ => false,
                        },
                    )
                    .collect()
            })
            .collect();
        let flat = pipeline
            .flows
            .iter()
            .map(|flow| {
                let keys: Vec<&Segment> = flow
                    .mappings
                    .iter()
                    .filter_map(|m| match m.target.segments() {
                        [key @ Segment::Key(_)] => Some(key),
                        _ => None,
                    })
                    .collect();
                keys.len() == flow.mappings.len()
                    && keys.iter().enumerate().all(|(i, k)| !keys[..i].contains(k))
            })
            .collect();
        Some(Self {
            entry,
            nodes,
            backs,
            repeated,
            single,
            flat,
            id: PLANS.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The entry system this plan starts from.
    #[must_use]
    pub fn entry(&self) -> SystemId {
        self.entry
    }

    /// Whether every system accepts the partial change `record` (the changed fields of
    /// the entry record, current record unknown), its fields already checked against the
    /// entry schema: the answer [`crate::validate::accepts`] gives on that change (a
    /// property test holds the two together). `docs` is the caller's buffer, reused from
    /// record to record.
    #[must_use]
    pub fn accepts(&self, pipeline: &Pipeline, record: &Value, docs: &mut Docs) -> bool {
        if !pipeline.systems[self.entry].schema.is_valid(record) {
            return false;
        }
        if docs.plan != Some(self.id) {
            docs.slots.clear();
            docs.plan = Some(self.id);
        }
        docs.slots.resize_with(self.nodes.len(), Slot::default);
        for slot in &mut docs.slots {
            slot.reached = false;
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(flow) = node.flow else { continue };
            let (before, after) = docs.slots.split_at_mut(i);
            let source = match node.parent {
                0 => record,
                p => match &before[p] {
                    Slot {
                        doc, reached: true, ..
                    } => doc,
                    _ => continue,
                },
            };
            let slot = &mut after[0];
            let single = self.single.get(flow.index()).map_or(&[][..], Vec::as_slice);
            let flat = self.flat.get(flow.index()).copied().unwrap_or(false);
            match derive(&pipeline.flows[flow], single, flat, source, slot) {
                None => {}
                Some(true) => return false,
                Some(false) => {
                    if !pipeline.systems[node.system].schema.is_valid(&slot.doc) {
                        return false;
                    }
                    slot.reached = true;
                }
            }
        }
        let slots = &docs.slots;
        let doc_of = |i: usize| {
            if i == 0 {
                Some(record)
            } else {
                slots.get(i).filter(|s| s.reached).map(|s| &s.doc)
            }
        };
        if self.repeated {
            // Two paths into one system must bring the same record (a conflict otherwise).
            let mut first: HashMap<SystemId, &Value> = HashMap::new();
            for (i, node) in self.nodes.iter().enumerate() {
                let Some(doc) = doc_of(i) else { continue };
                match first.get(&node.system) {
                    Some(seen) if *seen != doc => return false,
                    Some(_) => {}
                    None => {
                        first.insert(node.system, doc);
                    }
                }
            }
        }
        for back in &self.backs {
            let (Some(source), Some(had)) = (doc_of(back.from), doc_of(back.had)) else {
                continue;
            };
            let mut came = Slot::default();
            let flow = &pipeline.flows[back.flow];
            if derive(flow, &[], false, source, &mut came).is_none() {
                continue;
            }
            if echoes(had, &came.doc) {
                return false;
            }
        }
        true
    }
}

/// The node on the path ending at `at` where `system` is, if it is on that path.
fn on_path(nodes: &[Node], mut at: usize, system: SystemId) -> Option<usize> {
    loop {
        let node = nodes.get(at)?;
        if node.system == system {
            return Some(at);
        }
        if at == 0 {
            return None;
        }
        at = node.parent;
    }
}

/// Whether a value that comes back differs from what the system had: each leaf of what
/// comes back that the system also has, compared (a partial change touched every field
/// it carries).
fn echoes(had: &Value, came: &Value) -> bool {
    crate::pointer::leaves(came).iter().any(|(field, _)| {
        matches!((had.pointer(field), came.pointer(field)), (Some(s), Some(c)) if s != c)
    })
}

/// Applies a flow's mappings to the record of a partial change, as propagation does
/// without provenance: a mapping whose inputs are all missing gives nothing; one that
/// reads a present input reaches the target; a mapping that fails on a present input
/// reaches it too, failed. `None` when the flow is not reached; else whether a mapping
/// failed, the target's record in `slot.doc`. `single`: the mappings that read one field,
/// their input ([`Plan`]; empty: none known).
///
/// When the same mappings wrote `slot.doc` last time, each result is evaluated straight
/// into its place there ([`crate::func::eval_into`]: a copied string overwrites the old
/// one's buffer); should the mappings that give a result differ, the record is built
/// afresh.
fn derive(
    flow: &Flow,
    single: &[bool],
    flat: bool,
    source: &Value,
    slot: &mut Slot,
) -> Option<bool> {
    if let Some(written) = slot.written.take()
        && let Some(verdict) = overwrite(flow, single, flat, source, slot, written)
    {
        return verdict;
    }
    build(flow, single, source, slot)
}

/// One mapping's inputs in `source`, looked up once (the expression reads the same
/// fields; mappings read at most a few), and how many are present.
fn inputs_of<'v>(
    inputs: &[(FieldPath, String)],
    source: &'v Value,
) -> ([Option<&'v Value>; 4], usize) {
    let mut found: [Option<&Value>; 4] = [None; 4];
    for ((f, _), slot) in inputs.iter().zip(&mut found) {
        *slot = f.get(source);
    }
    let present = inputs
        .iter()
        .enumerate()
        .filter(|&(i, (f, _))| found.get(i).map_or_else(|| f.get(source), |v| *v).is_some())
        .count();
    (found, present)
}

/// Evaluates a mapping with the inputs [`inputs_of`] found, through `eval`.
fn with_inputs<'v, T>(
    inputs: &[(FieldPath, String)],
    found: &[Option<&'v Value>; 4],
    single: bool,
    source: &'v Value,
    eval: impl FnOnce(&dyn Fn(&FieldPath) -> Option<&'v Value>) -> T,
) -> T {
    let lookup = |f: &FieldPath| {
        if single {
            return found[0];
        }
        match inputs.iter().position(|(g, _)| g == f) {
            Some(i) if i < found.len() => found[i],
            _ => f.get(source),
        }
    };
    eval(&lookup)
}

/// [`derive`] over the record the mappings `written` wrote last time, each result
/// evaluated into its place; `None` (the record is then to be built afresh) as soon as
/// the mappings that give a result are not `written`, or a place cannot be found.
fn overwrite(
    flow: &Flow,
    single: &[bool],
    flat: bool,
    source: &Value,
    slot: &mut Slot,
    written: Vec<usize>,
) -> Option<Option<bool>> {
    let (mut reached, mut failed) = (false, false);
    let mut next = 0;
    // A flat flow's record holds the results of `written`, in that order, and nothing
    // else: each one's place is the next value, no key looked up.
    let mut places = match &mut slot.doc {
        Value::Object(map) if flat && map.len() == written.len() => Places::Flat(map.values_mut()),
        doc => Places::Paths(doc),
    };
    for (index, mapping) in flow.mappings.iter().enumerate() {
        let inputs = &mapping.inputs;
        let (found, present) = inputs_of(inputs, source);
        if present == 0 && !inputs.is_empty() {
            continue;
        }
        let single = single.get(index).copied().unwrap_or(false);
        if written.get(next) == Some(&index) {
            let place = match &mut places {
                Places::Flat(values) => values.next()?,
                Places::Paths(doc) => mapping.target.slot_mut(doc).ok()?,
            };
            let gave = match (&mapping.expr.kind, found[0]) {
                // A plain copy of its one input (`mail: email`): copied in as it is.
                (ExprKind::Field(_), Some(value)) if single => {
                    crate::func::assign(place, Cow::Borrowed(value));
                    Ok(true)
                }
                _ => with_inputs(inputs, &found, single, source, |lookup| {
                    crate::func::eval_into(&mapping.expr, lookup, place)
                }),
            };
            // A mapping that gave a result last time and none now: built afresh.
            if gave != Ok(true) {
                return None;
            }
            next += 1;
            reached |= present > 0;
            continue;
        }
        let result = with_inputs(inputs, &found, single, source, |lookup| {
            crate::func::eval_ref(&mapping.expr, lookup)
        });
        match result {
            // A mapping that gives a result it did not give last time: built afresh.
            Ok(Some(_)) => return None,
            Ok(None) => reached |= !inputs.is_empty() && present == inputs.len(),
            Err(_) if present == 0 => {}
            Err(_) => (reached, failed) = (true, true),
        }
    }
    if next != written.len() {
        return None;
    }
    // Every result of `written` was written again: the record is what they make.
    slot.written = Some(written);
    Some(reached.then_some(failed))
}

/// Where [`overwrite`] finds each result's place.
enum Places<'d> {
    /// The record's values, in the order written (a flat flow).
    Flat(serde_json::map::ValuesMut<'d>),
    /// The record, each target looked up.
    Paths(&'d mut Value),
}

/// [`derive`] into an emptied record, each result written as it comes (as into a fresh
/// object).
fn build(flow: &Flow, single: &[bool], source: &Value, slot: &mut Slot) -> Option<bool> {
    match &mut slot.doc {
        Value::Object(map) => map.clear(),
        doc => *doc = Value::Object(Map::with_capacity(flow.mappings.len())),
    }
    let (mut reached, mut failed, mut wrote) = (false, false, true);
    let mut written = Vec::new();
    for (index, mapping) in flow.mappings.iter().enumerate() {
        let inputs = &mapping.inputs;
        let (found, present) = inputs_of(inputs, source);
        if present == 0 && !inputs.is_empty() {
            continue;
        }
        let single = single.get(index).copied().unwrap_or(false);
        let result = with_inputs(inputs, &found, single, source, |lookup| {
            crate::func::eval(&mapping.expr, lookup)
        });
        match result {
            Ok(Some(value)) => {
                wrote &= mapping.target.set(&mut slot.doc, value).is_ok();
                written.push(index);
                reached |= present > 0;
            }
            // A reached field that comes out missing (`required` applies), or a mapping
            // skipped because only some of its inputs are there (which does not reach).
            Ok(None) => reached |= !inputs.is_empty() && present == inputs.len(),
            // Only a mapping without inputs can get here with none present: it gives
            // nothing on a partial change.
            Err(_) if present == 0 => {}
            Err(_) => (reached, failed) = (true, true),
        }
    }
    // After a failed write the record is not what a fresh one would be: built afresh
    // next time.
    slot.written = wrote.then_some(written);
    if !reached {
        return None;
    }
    Some(failed || !wrote)
}

/// Entry fields known to be declared by the entry schema, learnt record by record: per
/// object in the record, whether the schema names its fields, and the names it declares.
/// One per worker; it only ever holds declared fields, so it stays as small as the
/// schema's set of names.
#[derive(Debug, Default)]
pub struct Declared {
    nodes: Vec<Names>,
}

/// An object of the entry record.
#[derive(Debug)]
struct Names {
    pointer: String,
    /// Whether the schema names this object's fields (nothing under it is checked
    /// otherwise, as in `check_fields`).
    restricts: bool,
    /// Declared fields seen so far, and their nodes.
    children: Vec<(String, usize)>,
    /// `children` by name, once there are more than [`SCAN`] (fewer are compared one by
    /// one: cheaper than hashing the name with SipHash).
    index: HashMap<String, usize>,
}

/// Most names searched one by one.
const SCAN: usize = 16;

impl Names {
    fn new(pointer: String, restricts: bool) -> Self {
        Self {
            pointer,
            restricts,
            children: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn child(&self, name: &str) -> Option<usize> {
        if self.children.len() <= SCAN {
            self.children
                .iter()
                .find(|(n, _)| n == name)
                .map(|&(_, node)| node)
        } else {
            self.index.get(name).copied()
        }
    }

    fn add(&mut self, name: &str, node: usize) {
        self.children.push((name.to_owned(), node));
        if self.children.len() > SCAN {
            if self.index.is_empty() {
                self.index = self.children.iter().cloned().collect();
            } else {
                self.index.insert(name.to_owned(), node);
            }
        }
    }
}

/// Most objects [`Declared`] learns; past that a record with new fields takes the full
/// check (patterned names could otherwise grow it without bound).
const MAX_NAMES: usize = 4096;

impl Declared {
    /// Whether every field of `record` is one the entry schema declares, as far as this
    /// can tell quickly: `true` means [`crate::change::ChangeRequest::check_fields`]
    /// accepts the record; `false` means ask it (it gives the error).
    pub fn all(&mut self, schema: &SystemSchema, record: &Value) -> bool {
        if self.nodes.is_empty() {
            // The entry record's own fields are always checked.
            self.nodes.push(Names::new(String::new(), true));
        }
        self.object(schema, record, 0)
    }

    fn object(&mut self, schema: &SystemSchema, value: &Value, node: usize) -> bool {
        let Value::Object(map) = value else {
            return true;
        };
        if !self.nodes[node].restricts {
            return true;
        }
        for (name, child) in map {
            let next = match self.nodes[node].child(name) {
                Some(n) => n,
                None => {
                    let pointer = crate::pointer::child(&self.nodes[node].pointer, name);
                    if self.nodes.len() >= MAX_NAMES || !schema.declares(&pointer) {
                        return false;
                    }
                    let restricts = crate::change::restricts_names(schema, &pointer);
                    let n = self.nodes.len();
                    self.nodes.push(Names::new(pointer, restricts));
                    self.nodes[node].add(name, n);
                    n
                }
            };
            if !self.object(schema, child, next) {
                return false;
            }
        }
        true
    }
}
