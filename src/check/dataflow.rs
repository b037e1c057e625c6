//! What every field of every system can hold, over all flow paths from one entry system:
//! a fixpoint over the flow graph in the abstract [`domain`](crate::domain).
//!
//! Checking each flow against this summary costs one pass over the flows, however many
//! paths the graph has; a graph with thousands of flows has astronomically many simple
//! paths, so enumerating them is not an option. The summary over-approximates (it joins
//! every path, and ignores that a path never revisits a system), so what it proves holds on
//! every path; what it cannot prove goes to the witness search on concrete paths.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde_json::Value;

use crate::domain::{self, Abs, Num, Str};
use crate::expr::{Expr, ExprKind, Func};
use crate::graph::SystemGraph;
use crate::pipeline::{FlowId, Pipeline, SystemId};
use crate::schema::Keyword;

/// Changes to one field's description before its bounds are widened to "unbounded", so
/// that cycles that grow a value (`concat` in a two-way sync) terminate.
const WIDEN_AFTER: u32 = 3;

/// What a derivation collects besides the value description.
#[derive(Debug, Default, Clone)]
pub(crate) struct Acc {
    /// Entry fields (JSON Pointers) the value derives from.
    pub origins: BTreeSet<std::sync::Arc<str>>,
    /// A mapping on the way can fail for some inputs (`number("abc")`).
    pub may_fail: bool,
    /// The value can be `null` (a `["string", "null"]` field, or one passed through
    /// functions, which give `null` for `null`). The description covers the other values.
    pub null: bool,
    /// The value may be an array or an object, on which every function but `default`
    /// fails. Describes the value just looked up or computed (not accumulated): a value
    /// described as [`Abs::Any`] is taken to be one until its lookup says otherwise.
    pub composite: bool,
}

impl Acc {
    /// Takes in what another derivation collected (its value flows into this one).
    pub(crate) fn absorb(&mut self, other: &Acc) {
        self.origins.extend(other.origins.iter().cloned());
        self.may_fail |= other.may_fail;
        self.null |= other.null;
        self.composite |= other.composite;
    }

    /// Once a system accepted the value: `null` only if its schema allows it, an array
    /// or object only if its `type` does; and no mapping on the way failed, since
    /// `validate` reports a failing mapping as its target system rejecting the record.
    fn accepted_by(&mut self, leaf: &crate::schema::Leaf) {
        self.null &= !domain::rejects_null(leaf);
        self.may_fail = false;
        self.composite &= may_be_composite(leaf);
    }
}

/// Whether a field's `type` lets it hold an array or an object (no `type`: it does).
fn may_be_composite(leaf: &crate::schema::Leaf) -> bool {
    use crate::schema::TypeName;
    let t = leaf.types();
    t.allows(TypeName::Array) || t.allows(TypeName::Object)
}

/// What one field of one system can hold.
#[derive(Debug, Clone)]
struct Held {
    abs: Abs,
    acc: Acc,
    changes: u32,
}

/// The fixpoint for one entry system.
pub(crate) struct Summary {
    entry: SystemId,
    /// Per system: field pointer → what arrives (joined over flows), before acceptance.
    arrived: Vec<HashMap<String, Held>>,
    /// Per system: field pointer → what it holds once it accepted the value.
    held: Vec<HashMap<String, Held>>,
}

impl Summary {
    /// Computes the fixpoint from `entry`.
    pub(crate) fn compute(pipeline: &Pipeline, graph: &SystemGraph, entry: SystemId) -> Self {
        let n = pipeline.systems.len();
        let mut s = Self {
            entry,
            arrived: vec![HashMap::new(); n],
            held: vec![HashMap::new(); n],
        };
        let mut queue: VecDeque<FlowId> = graph.outgoing(entry).iter().copied().collect();
        let mut queued = vec![false; pipeline.flows.len()];
        for &f in &queue {
            queued[f.index()] = true;
        }
        // Per flow, the source fields that changed since it was last evaluated (`None`:
        // never evaluated, so every mapping is due). Only mappings reading one of them are
        // evaluated again.
        let mut dirty: Vec<Option<rustc_hash::FxHashSet<String>>> =
            vec![None; pipeline.flows.len()];
        // Per flow, what its target accepting a record demands of the source's fields
        // (computed when the flow is first evaluated).
        let mut local: Vec<Option<HashMap<String, Demand>>> = vec![None; pipeline.flows.len()];
        while let Some(fid) = queue.pop_front() {
            queued[fid.index()] = false;
            let flow = &pipeline.flows[fid];
            if flow.to == entry {
                continue;
            }
            let due = dirty[fid.index()].replace(rustc_hash::FxHashSet::default());
            let narrow = local[fid.index()].get_or_insert_with(|| flow_demands(pipeline, fid));
            let changed_keys: Vec<String> = flow
                .mappings
                .iter()
                .filter(|m| due.as_ref().is_none_or(|due| reads_any(m, due)))
                .filter_map(|m| s.apply(pipeline, flow, m, narrow))
                .collect();
            if !changed_keys.is_empty() {
                for &next in graph.outgoing(flow.to) {
                    if let Some(d) = &mut dirty[next.index()] {
                        d.extend(changed_keys.iter().cloned());
                    }
                    if !queued[next.index()] {
                        queued[next.index()] = true;
                        queue.push_back(next);
                    }
                }
            }
        }
        s
    }

    /// Evaluates one mapping of `flow` on what its source holds (narrowed by `narrow`, what
    /// the flow's target demands of the source's fields) and joins the result into its
    /// target; the target's field when what it holds changed.
    fn apply(
        &mut self,
        pipeline: &Pipeline,
        flow: &crate::pipeline::Flow,
        m: &crate::pipeline::Mapping,
        narrow: &HashMap<String, Demand>,
    ) -> Option<String> {
        let mut acc = Acc::default();
        let lookup = &mut |p: &str, acc: &mut Acc| {
            let mut v = self.value(pipeline, flow.from, p, acc)?;
            if let Some(d) = narrow.get(p) {
                d.narrow(&mut v);
            }
            Some(v)
        };
        let v = eval_mapping(&m.expr, lookup, &mut acc)?;
        let key = m.target_pointer.to_string();
        let held = self.arrive(flow.to, &key, v, acc)?;
        let leaf = pipeline.systems[flow.to].schema.leaf(&key);
        let mut acc = held.acc.clone();
        acc.accepted_by(&leaf);
        // `None` when the system rejects every value that can arrive: the field is absent
        // from whatever it accepts.
        let accepted = accepted(held.abs.clone(), acc.null, &leaf)?;
        self.held[flow.to.index()].insert(
            key.clone(),
            Held {
                abs: accepted,
                acc,
                ..held
            },
        );
        Some(key)
    }

    /// Joins `v` into what arrives at `key` of `system`; the new description, or `None`
    /// when nothing changed. Widens a field that keeps changing, so cycles terminate.
    fn arrive(&mut self, system: SystemId, key: &str, v: Abs, acc: Acc) -> Option<Held> {
        match self.arrived[system.index()].entry(key.to_owned()) {
            std::collections::hash_map::Entry::Vacant(e) => Some(
                e.insert(Held {
                    abs: v,
                    acc,
                    changes: 0,
                })
                .clone(),
            ),
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let h = e.get_mut();
                let mut joined = domain::join(&h.abs, &v);
                let new_origins = !acc.origins.is_subset(&h.acc.origins);
                let may_fail = h.acc.may_fail || acc.may_fail;
                let null = h.acc.null || acc.null;
                let composite = h.acc.composite || acc.composite;
                if joined == h.abs
                    && !new_origins
                    && may_fail == h.acc.may_fail
                    && null == h.acc.null
                    && composite == h.acc.composite
                {
                    return None;
                }
                h.changes += 1;
                if h.changes > WIDEN_AFTER {
                    joined = widen(joined);
                }
                h.abs = joined;
                h.acc.origins.extend(acc.origins);
                h.acc.may_fail = may_fail;
                h.acc.null = null;
                h.acc.composite = composite;
                Some(h.clone())
            }
        }
    }

    /// What the field at `pointer` of `system` holds, recording its origins in `acc`;
    /// `None` when no flow from the entry fills it.
    pub(crate) fn value(
        &self,
        pipeline: &Pipeline,
        system: SystemId,
        pointer: &str,
        acc: &mut Acc,
    ) -> Option<Abs> {
        if system == self.entry {
            acc.origins.insert(std::sync::Arc::from(pointer));
            let leaf = pipeline.systems[system].schema.leaf(pointer);
            let null = !domain::rejects_null(&leaf);
            acc.null |= null;
            acc.composite = may_be_composite(&leaf);
            return entry_value(&leaf, null);
        }
        let held = &self.held[system.index()];
        if let Some(h) = held.get(pointer) {
            acc.absorb(&h.acc);
            acc.composite = h.acc.composite;
            return Some(h.abs.clone());
        }
        // A whole object read, or a field inside an object copied whole: nothing is known,
        // and a field inside may be `null` (`Abs::Any` leaves `null` to the flag) whatever
        // the object around it is.
        let prefix = format!("{pointer}/");
        let related: Vec<&Held> = held
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix) || pointer.starts_with(&format!("{k}/")))
            .map(|(_, h)| h)
            .collect();
        if related.is_empty() {
            return None;
        }
        for h in related {
            acc.absorb(&h.acc);
        }
        acc.composite = true;
        acc.null = true;
        Some(Abs::Any)
    }
}

/// Whether mapping `m` reads one of the fields in `due` (or a field inside one, or an
/// object holding one).
fn reads_any(m: &crate::pipeline::Mapping, due: &rustc_hash::FxHashSet<String>) -> bool {
    m.inputs.iter().any(|(_, input)| {
        due.iter().any(|d| {
            d == input
                || (d.starts_with(input.as_str()) && d.as_bytes().get(input.len()) == Some(&b'/'))
                || (input.starts_with(d.as_str()) && input.as_bytes().get(d.len()) == Some(&b'/'))
        })
    })
}

/// What `expr`, evaluated at `systems[k]` of one concrete path, can produce: precise for
/// that path (each field is what this path's mappings make of the entry's values, narrowed
/// by every system on the way). Memoised per (position, field), so fan-in stays linear.
pub(crate) fn eval_on_path(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[crate::pipeline::FlowId],
    k: usize,
    expr: &Expr,
    acc: &mut Acc,
) -> Result<Option<Abs>, Inconsistency> {
    let demands = path_demands(pipeline, systems, flows, k);
    eval_on_path_with(pipeline, systems, flows, k, expr, acc, &demands)
}

/// What the systems up to position `k` of a path demand of the entry fields; computed once
/// per path and shared by every mapping checked on it.
pub(crate) fn path_demands(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[crate::pipeline::FlowId],
    k: usize,
) -> PathDemands {
    PathDemands {
        demands: demands(pipeline, systems, flows, k),
        memo: std::cell::RefCell::new(Memo::default()),
    }
}

/// The demands of one path (see [`path_demands`]), and what its fields hold, remembered
/// across every mapping evaluated on the path (a flow's twenty fields share their
/// upstream).
pub(crate) struct PathDemands {
    demands: HashMap<String, Demand>,
    memo: std::cell::RefCell<Memo>,
}

/// [`eval_on_path`] with the path's demands already computed.
pub(crate) fn eval_on_path_with(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[crate::pipeline::FlowId],
    k: usize,
    expr: &Expr,
    acc: &mut Acc,
    demands: &PathDemands,
) -> Result<Option<Abs>, Inconsistency> {
    let Ok(mut memo) = demands.memo.try_borrow_mut() else {
        debug_assert!(false, "the path memo is borrowed twice");
        return Err(Inconsistency(
            "the path memo was in use by another evaluation",
        ));
    };
    let ctx = PathCtx {
        pipeline,
        systems,
        flows,
        demands: &demands.demands,
    };
    Ok(eval_mapping(
        expr,
        &mut |p, acc| field_on_path(&ctx, k, p, acc, &mut memo),
        acc,
    ))
}

/// Something inside `check` that should not happen did: the field it concerns must end
/// undecided, naming this, never proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Inconsistency(pub &'static str);

impl std::fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "internal inconsistency: {}", self.0)
    }
}

/// What each entry field can hold on a path, given that every system before the target
/// accepts: its schema narrowed by the path's demands (computed once for the path).
/// Witness candidates start here.
pub(crate) fn origins_on_path<'p>(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[crate::pipeline::FlowId],
    pointers: impl IntoIterator<Item = &'p std::sync::Arc<str>>,
    cached: Option<&PathDemands>,
) -> Vec<Abs> {
    // The demands of this path up to the system before the target, as `path_demands`
    // computes them for the proof on the same path: reuse those (and their memo) if given.
    let own;
    let cached = match cached {
        Some(c) => c,
        None => {
            own = path_demands(pipeline, systems, flows, systems.len().saturating_sub(2));
            &own
        }
    };
    let Ok(mut memo) = cached.memo.try_borrow_mut() else {
        debug_assert!(false, "the path memo is borrowed twice");
        // Nothing narrowed: candidates from the schemas alone.
        return pointers.into_iter().map(|_| Abs::Any).collect();
    };
    let ctx = PathCtx {
        pipeline,
        systems,
        flows,
        demands: &cached.demands,
    };
    pointers
        .into_iter()
        .map(|p| field_on_path(&ctx, 0, p, &mut Acc::default(), &mut memo).unwrap_or(Abs::Any))
        .collect()
}

struct PathCtx<'a> {
    pipeline: &'a Pipeline,
    systems: &'a [SystemId],
    flows: &'a [crate::pipeline::FlowId],
    demands: &'a HashMap<String, Demand>,
}

/// What the systems on a path demand of an entry field: a value that passes them all has
/// at most `max` characters, all in `chars`.
#[derive(Debug, Clone, Default)]
struct Demand {
    max: Option<u64>,
    chars: Option<domain::Chars>,
    /// The field is missing from every record the path's systems accept.
    absent: bool,
}

impl Demand {
    /// Both demands at once.
    fn meet(&mut self, other: Demand) {
        if let Some(m) = other.max {
            self.max = Some(self.max.map_or(m, |x| x.min(m)));
        }
        if let Some(c) = other.chars {
            self.chars = Some(match self.chars.take() {
                Some(mut x) => {
                    x.intersect(&c);
                    x
                }
                None => c,
            });
        }
        self.absent |= other.absent;
    }

    /// Narrows a string description to what the demand allows.
    fn narrow(&self, abs: &mut Abs) {
        if let Abs::Str(s) = abs {
            if let Some(m) = self.max {
                s.max = Some(s.max.map_or(m, |x| x.min(m)));
            }
            if let Some(c) = &self.chars {
                s.chars.intersect(c);
            }
        }
    }
}

/// Runs the accepting systems' limits backwards through mappings that never shorten a
/// value (copies, `upper`, `lower`, `pad_left`, `string`, `default`, `concat` with
/// literals, `replace` with a `to` no shorter than `from`: each function's demand rule) to
/// the entry fields: the relational part the per-field description lacks. Only mappings
/// with a single field input count, so the demand holds whenever that field is present.
fn demands(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[crate::pipeline::FlowId],
    last_accepting: usize,
) -> HashMap<String, Demand> {
    let mut out: HashMap<String, Demand> = HashMap::new();
    for k in 1..=last_accepting.min(flows.len()) {
        for m in &pipeline.flows[flows[k - 1]].mappings {
            if let Some((pointer, demand)) = mapping_demand(pipeline, systems[k], m) {
                propagate_back(pipeline, flows, k - 1, &pointer, demand, &mut out);
            }
        }
    }
    absent_demands(pipeline, systems, flows, last_accepting, &mut out);
    out
}

/// What `system` accepting the value of one mapping demands of the mapping's one input
/// field (a pointer of the flow's source system): at most so many characters, and for a
/// plain copy the target's character set. `None` for a mapping of several inputs.
fn mapping_demand(
    pipeline: &Pipeline,
    system: SystemId,
    m: &crate::pipeline::Mapping,
) -> Option<(String, Demand)> {
    if m.inputs.len() != 1 {
        return None;
    }
    // Only limits that hold for every accepted value: a branch of an `anyOf` is no demand.
    let leaf = pipeline.systems[system].schema.leaf(&m.target_pointer);
    let max = leaf
        .keywords
        .iter()
        .filter_map(|k| match k {
            Keyword::MaxLength(n) => Some(*n),
            _ => None,
        })
        .min();
    let chars = match &m.expr.kind {
        ExprKind::Field(_) => leaf.keywords.iter().find_map(|k| match k {
            Keyword::Charset(c) => Some(domain::charset_chars(*c)),
            _ => None,
        }),
        _ => None,
    };
    let (max, field) = back(&m.expr, max)?;
    let demand = Demand {
        max,
        chars,
        absent: false,
    };
    Some((field.pointer(), demand))
}

/// What the flow's target accepting a record demands of the source's fields, one hop
/// back ([`mapping_demand`] of each mapping, met per field): the summary narrows the
/// source's values by it before evaluating the flow, as a path does with its demands.
fn flow_demands(pipeline: &Pipeline, flow: FlowId) -> HashMap<String, Demand> {
    let mut out: HashMap<String, Demand> = HashMap::new();
    let to = pipeline.flows[flow].to;
    for m in &pipeline.flows[flow].mappings {
        if let Some((pointer, demand)) = mapping_demand(pipeline, to, m) {
            out.entry(pointer).or_default().meet(demand);
        }
    }
    out
}

/// A mapping of one input field that always gives a value or fails when its input is
/// present, into a system that rejects every value it can give: the system accepts only
/// records without it, so its input is missing, and so on back to the entry field (through
/// such mappings and whole-object copies).
fn absent_demands(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[crate::pipeline::FlowId],
    last_accepting: usize,
    out: &mut HashMap<String, Demand>,
) {
    let none = HashMap::new();
    let ctx = PathCtx {
        pipeline,
        systems,
        flows,
        demands: &none,
    };
    let mut memo = Memo::default();
    for k in 1..=last_accepting.min(flows.len()) {
        let system = &pipeline.systems[systems[k]];
        for m in &pipeline.flows[flows[k - 1]].mappings {
            let Some(field) = total_input(&m.expr) else {
                continue;
            };
            let mut a = Acc::default();
            let lookup =
                &mut |p: &str, acc: &mut Acc| field_on_path(&ctx, k - 1, p, acc, &mut memo);
            let Some(abs) = eval_mapping(&m.expr, lookup, &mut a) else {
                continue;
            };
            let leaf = system.schema.leaf(&m.target_pointer);
            a.accepted_by(&leaf);
            if accepted(abs, a.null, &leaf).is_none() {
                absent_back(pipeline, flows, k - 1, &field.pointer(), out);
            }
        }
    }
}

/// The one field of an expression that gives a value (or fails) whenever that field is
/// present: a field, or a function other than `part` (which gives nothing for a missing
/// piece) of it and literals.
fn total_input(expr: &Expr) -> Option<crate::expr::FieldPath> {
    match &expr.kind {
        ExprKind::Field(f) => Some(f.clone()),
        ExprKind::Call { func, args, .. } if *func != Func::Part => {
            let mut found = None;
            for a in args {
                if a.fields().is_empty() {
                    continue;
                }
                if found.is_some() {
                    return None;
                }
                found = Some(total_input(a)?);
            }
            found
        }
        _ => None,
    }
}

/// `pointer` of `systems[k]` is missing from every accepted record: so is what fills it.
fn absent_back(
    pipeline: &Pipeline,
    flows: &[crate::pipeline::FlowId],
    k: usize,
    pointer: &str,
    out: &mut HashMap<String, Demand>,
) {
    if k == 0 {
        out.entry(pointer.to_owned()).or_default().absent = true;
        return;
    }
    for m in &pipeline.flows[flows[k - 1]].mappings {
        if *m.target_pointer == *pointer {
            if let Some(f) = total_input(&m.expr) {
                absent_back(pipeline, flows, k - 1, &f.pointer(), out);
            }
            return;
        }
        // A field inside an object copied whole is missing when the source's is.
        if let (Some(rest), ExprKind::Field(f)) =
            (pointer.strip_prefix(&*m.target_pointer), &m.expr.kind)
            && rest.starts_with('/')
        {
            absent_back(
                pipeline,
                flows,
                k - 1,
                &format!("{}{rest}", f.pointer()),
                out,
            );
            return;
        }
    }
}

/// The single field an expression reads and the length bound a limit of `max` on the
/// result puts on it, through functions whose demand rule ([`Func::demand`]) names one
/// argument.
fn back(expr: &Expr, max: Option<u64>) -> Option<(Option<u64>, crate::expr::FieldPath)> {
    match &expr.kind {
        ExprKind::Field(f) => Some((max, f.clone())),
        ExprKind::Call { func, args, .. } => {
            let (i, max) = func.demand(args, max)?;
            back(args.get(i)?, max)
        }
        _ => None,
    }
}

fn propagate_back(
    pipeline: &Pipeline,
    flows: &[crate::pipeline::FlowId],
    k: usize,
    pointer: &str,
    demand: Demand,
    out: &mut HashMap<String, Demand>,
) {
    if k == 0 {
        out.entry(pointer.to_owned()).or_default().meet(demand);
        return;
    }
    let Some(m) = pipeline.flows[flows[k - 1]]
        .mappings
        .iter()
        .find(|m| *m.target_pointer == *pointer)
    else {
        return;
    };
    let keep_chars = matches!(m.expr.kind, ExprKind::Field(_));
    if let Some((max, field)) = back(&m.expr, demand.max) {
        let chars = if keep_chars { demand.chars } else { None };
        propagate_back(
            pipeline,
            flows,
            k - 1,
            &field.pointer(),
            Demand {
                max,
                chars,
                absent: false,
            },
            out,
        );
    }
}

type Memo = rustc_hash::FxHashMap<(usize, String), Option<(Abs, Acc)>>;

/// What the field at `pointer` of the path's `k`-th system can hold, the facts behind it
/// added to `acc`: at the entry, its schema narrowed by the path's demands; further on,
/// what the flow into that system fills it with, as that system accepts it. `None` when
/// the field is never there. Remembered per position and pointer in `memo`.
fn field_on_path(
    ctx: &PathCtx<'_>,
    k: usize,
    pointer: &str,
    acc: &mut Acc,
    memo: &mut Memo,
) -> Option<Abs> {
    let key = (k, pointer.to_owned());
    if let Some(hit) = memo.get(&key) {
        let (abs, a) = hit.as_ref()?;
        acc.absorb(a);
        acc.composite = a.composite;
        return Some(abs.clone());
    }
    let result = if k == 0 {
        entry_on_path(ctx, pointer)
    } else if !fires(ctx, k, memo) {
        // No record reaches this system on the path: the field is never filled.
        None
    } else {
        filled_on_path(ctx, k, pointer, memo)
    };
    memo.insert(key, result.clone());
    let (abs, a) = result?;
    acc.absorb(&a);
    acc.composite = a.composite;
    Some(abs)
}

/// An entry field on the path: what its schema accepts, narrowed by what the path demands
/// of it (a maximum length, characters), or nothing when the path needs it absent.
fn entry_on_path(ctx: &PathCtx<'_>, pointer: &str) -> Option<(Abs, Acc)> {
    let system = &ctx.pipeline.systems[ctx.systems[0]];
    let mut a = Acc::default();
    a.origins.insert(std::sync::Arc::from(pointer));
    let leaf = system.schema.leaf(pointer);
    a.null = !domain::rejects_null(&leaf);
    a.composite = may_be_composite(&leaf);
    let absent = ctx.demands.get(pointer).is_some_and(|d| d.absent);
    entry_value(&leaf, a.null)
        .filter(|_| !absent)
        .map(|mut abs| {
            if let Some(d) = ctx.demands.get(pointer) {
                d.narrow(&mut abs);
            }
            (abs, a)
        })
}

/// A field of the path's `k`-th system (`k` ≥ 1) as the flow into it fills it: every
/// mapping of that flow that fills it (directly, inside an object it copies whole, or as
/// an object one of whose fields it fills) joined, then narrowed by what the system
/// accepts there.
fn filled_on_path(
    ctx: &PathCtx<'_>,
    k: usize,
    pointer: &str,
    memo: &mut Memo,
) -> Option<(Abs, Acc)> {
    let system = &ctx.pipeline.systems[ctx.systems[k]];
    let flow = ctx.flows[k - 1];
    let sources = crate::lineage::sources(ctx.pipeline, ctx.systems[k], pointer);
    let mut found: Option<(Abs, Acc)> = None;
    for src in sources.iter().filter(|s| s.flow == flow) {
        let mut a = Acc::default();
        let abs = if src.inside_copy {
            // A field inside an object this flow copies whole: the source's field.
            src.inputs
                .first()
                .and_then(|input| field_on_path(ctx, k - 1, input, &mut a, memo))
        } else if *src.mapping.target_pointer == *pointer {
            eval_mapping(
                &src.mapping.expr,
                &mut |p, acc| field_on_path(ctx, k - 1, p, acc, memo),
                &mut a,
            )
        } else {
            // A field filled inside this object: the object is not described.
            let object = eval_mapping(
                &src.mapping.expr,
                &mut |p, acc| field_on_path(ctx, k - 1, p, acc, memo),
                &mut a,
            )
            .map(|_| Abs::Any);
            a.composite = true;
            object
        };
        let Some(abs) = abs else { continue };
        found = Some(match found {
            None => (abs, a),
            Some((prev, mut pa)) => {
                pa.absorb(&a);
                (domain::join(&prev, &abs), pa)
            }
        });
    }
    found.and_then(|(abs, mut a)| {
        let leaf = system.schema.leaf(pointer);
        a.accepted_by(&leaf);
        accepted(abs, a.null, &leaf).map(|abs| (abs, a))
    })
}

/// What an entry field can hold: `None` when its schema accepts no value at all (`null`
/// aside, which `null` says it accepts), so that the field is absent from every record the
/// entry accepts.
fn entry_value(leaf: &crate::schema::Leaf, null: bool) -> Option<Abs> {
    accepted(domain::from_leaf(leaf), null, leaf)
}

/// What a system holds at a field once it accepted a value described by `abs` (and `null`
/// when `null` is set, already narrowed by the system): `abs` narrowed by the system; when
/// the system rejects every value `abs` covers, `None` (the field is absent from whatever
/// it accepts) or, if it may be `null`, the empty string beside `null` (it can only be
/// `null`; the empty string keeps the description a sound, small over-approximation).
fn accepted(abs: Abs, null: bool, leaf: &crate::schema::Leaf) -> Option<Abs> {
    if !domain::rejects_all(&abs, leaf) {
        Some(domain::refine(abs, leaf))
    } else if null {
        Some(Abs::Str(Str::literal("")))
    } else {
        None
    }
}

/// Whether the flow into `systems[k]` of the path can carry a record there: propagation
/// passes a record on only when one of the flow's mappings has an input field present, so
/// a flow none of whose input fields can be filled (each missing, or rejected by a system
/// before) never does. Remembered per position (under a key no pointer can be).
fn fires(ctx: &PathCtx<'_>, k: usize, memo: &mut Memo) -> bool {
    let key = (k, String::from("\0fires"));
    if let Some(hit) = memo.get(&key) {
        return hit.is_some();
    }
    let flow = &ctx.pipeline.flows[ctx.flows[k - 1]];
    let fires = flow.mappings.iter().any(|m| {
        m.inputs
            .iter()
            .any(|(_, input)| field_on_path(ctx, k - 1, input, &mut Acc::default(), memo).is_some())
    });
    // A system whose object-level rules reject every record that can arrive passes none
    // on (a `oneOf` two of whose branches always hold).
    let schema = &ctx.pipeline.systems[ctx.systems[k]].schema;
    let fires = fires
        && !(super::rules::has_one_of(schema.raw()) && {
            // Only then: working out every field the flow writes costs a pass over it.
            // A record that fails a field's own keywords is rejected anyway: the rules
            // need judging only for values those keywords accept.
            let arrived = arrivals(ctx, k, memo, true);
            super::rules::rules_fail(schema.raw(), &|name| arrived_at(&arrived, name))
        });
    memo.insert(key, fires.then(|| (Abs::Any, Acc::default())));
    fires
}

/// What the flow into `systems[k]` of the path writes, by target pointer: each mapping's
/// value (`None`: it gives nothing), or unknown when two mappings write one field. With
/// `accepted`, only the values the system's own keywords at the field accept (absent when
/// it accepts none of them): what a record it accepts can hold.
fn arrivals(
    ctx: &PathCtx<'_>,
    k: usize,
    memo: &mut Memo,
    accepted_only: bool,
) -> HashMap<String, super::rules::Arrived> {
    use super::rules::Arrived;
    let mut out: HashMap<String, Arrived> = HashMap::new();
    let system = &ctx.pipeline.systems[ctx.systems[k]];
    for m in &ctx.pipeline.flows[ctx.flows[k - 1]].mappings {
        let mut a = Acc::default();
        let lookup = &mut |p: &str, acc: &mut Acc| field_on_path(ctx, k - 1, p, acc, memo);
        let value = match eval_mapping(&m.expr, lookup, &mut a) {
            Some(abs) if accepted_only => {
                let leaf = system.schema.leaf(&m.target_pointer);
                a.accepted_by(&leaf);
                match accepted(abs, a.null, &leaf) {
                    Some(abs) => Arrived::Value(abs, a.null),
                    None => Arrived::Absent,
                }
            }
            Some(abs) => Arrived::Value(abs, a.null),
            None => Arrived::Absent,
        };
        let key = m.target_pointer.to_string();
        let value = if out.contains_key(&key) {
            Arrived::Unknown
        } else {
            value
        };
        out.insert(key, value);
    }
    out
}

/// What the top-level field `name` holds among `arrived` (see [`arrivals`]): unknown when
/// a mapping writes inside it, absent when none writes it.
fn arrived_at(
    arrived: &HashMap<String, super::rules::Arrived>,
    name: &str,
) -> super::rules::Arrived {
    let pointer = crate::pointer::child("", name);
    if let Some(v) = arrived.get(&pointer) {
        return v.clone();
    }
    let inside = format!("{pointer}/");
    if arrived.keys().any(|k| k.starts_with(&inside)) {
        super::rules::Arrived::Unknown
    } else {
        super::rules::Arrived::Absent
    }
}

/// Whether every object-level rule of the path's target surely passes for whatever
/// record the path can bring it (see [`super::rules::rules_pass`]).
pub(crate) fn target_rules_pass(
    pipeline: &Pipeline,
    systems: &[SystemId],
    flows: &[crate::pipeline::FlowId],
    demands: &PathDemands,
) -> bool {
    let Ok(mut memo) = demands.memo.try_borrow_mut() else {
        return false;
    };
    let ctx = PathCtx {
        pipeline,
        systems,
        flows,
        demands: &demands.demands,
    };
    let k = systems.len() - 1;
    if k == 0 || !fires(&ctx, k, &mut memo) {
        return false;
    }
    let arrived = arrivals(&ctx, k, &mut memo, false);
    let schema = &pipeline.systems[systems[k]].schema;
    super::rules::rules_pass(schema.raw(), &|name| arrived_at(&arrived, name))
}

fn widen(abs: Abs) -> Abs {
    match abs {
        Abs::Str(s) => Abs::Str(Str {
            max: None,
            bytes: None,
            ..s
        }),
        Abs::Num(n) => Abs::Num(Num {
            min: None,
            max: None,
            ..n
        }),
        Abs::Any => Abs::Any,
    }
}

/// Evaluates a mapping's whole expression over descriptions, as [`eval`] does, with what
/// propagation does with a mapping besides: one whose input fields are all missing gives
/// nothing, whatever it computes (so `default(x, v)` gives `v` only for a `null` `x` when
/// `x` is its one field).
pub(crate) fn eval_mapping(
    expr: &Expr,
    lookup: &mut dyn FnMut(&str, &mut Acc) -> Option<Abs>,
    acc: &mut Acc,
) -> Option<Abs> {
    let fields = expr.fields();
    if !fields.is_empty()
        && fields
            .iter()
            .all(|(f, _)| lookup(&f.pointer(), &mut Acc::default()).is_none())
    {
        return None;
    }
    if let ExprKind::Call {
        func: Func::Default,
        args,
        ..
    } = &expr.kind
        && let [x, v] = args.as_slice()
        && let ExprKind::Field(f) = &x.kind
        && v.fields().is_empty()
    {
        // `x` is the only field: when it is missing there is no value, and when it is
        // never `null` it is the value.
        // An `Any` is an array or object until the lookup says it cannot be one.
        let mut xa = Acc {
            composite: true,
            ..Acc::default()
        };
        if let Some(xv) = lookup(&f.pointer(), &mut xa)
            && !xa.null
        {
            if !matches!(xv, Abs::Any) {
                xa.composite = false;
            }
            acc.absorb(&xa);
            acc.composite = xa.composite;
            return Some(xv);
        }
    }
    eval(expr, lookup, acc)
}

/// Evaluates an expression over descriptions; `lookup` gives a source field's description
/// (and records its origins), `None` when the field is not filled.
pub(crate) fn eval(
    expr: &Expr,
    lookup: &mut dyn FnMut(&str, &mut Acc) -> Option<Abs>,
    acc: &mut Acc,
) -> Option<Abs> {
    Some(match &expr.kind {
        ExprKind::Field(f) => {
            // An `Any` is an array or object until the lookup says it cannot be one.
            acc.composite = true;
            let v = lookup(&f.pointer(), acc)?;
            if !matches!(v, Abs::Any) {
                acc.composite = false;
            }
            v
        }
        ExprKind::Str(s) => Abs::Str(Str::literal(s)),
        ExprKind::Number(n) => {
            let v = n.as_f64();
            Abs::Num(Num {
                integer: n.is_i64() || n.is_u64(),
                min: v,
                max: v,
                multiple: None,
            })
        }
        ExprKind::Bool(_) => Abs::Any,
        ExprKind::Null => {
            acc.null = true;
            Abs::Any
        }
        ExprKind::Call { func, args, .. } => return eval_call(*func, args, lookup, acc),
    })
}

/// [`eval`] of a function call: `default` joins its two sides; any other function is
/// applied to its arguments' descriptions, noting whether it may fail or give nothing.
fn eval_call(
    func: Func,
    args: &[Expr],
    lookup: &mut dyn FnMut(&str, &mut Acc) -> Option<Abs>,
    acc: &mut Acc,
) -> Option<Abs> {
    if func == Func::Default {
        // Either side may be all there is: `x` when `v` is never filled, `v` when
        // `x` is absent or null.
        // A `null` `x` gives `v`, so only `v` can make the result `null` (`x` null
        // and `v` absent is no value at all).
        let (mut xa, mut va) = (Acc::default(), Acc::default());
        let x = args.first().and_then(|a| eval(a, lookup, &mut xa));
        let v = args.get(1).and_then(|a| eval(a, lookup, &mut va));
        let null = v.is_some() && va.null;
        xa.null = false;
        va.null = false;
        acc.absorb(&xa);
        acc.absorb(&va);
        acc.null |= null;
        acc.composite = (x.is_some() && xa.composite) || (v.is_some() && va.composite);
        return match (x, v) {
            (Some(x), Some(v)) => Some(domain::join(&x, &v)),
            (x, v) => x.or(v),
        };
    }
    let mut abs = Vec::with_capacity(args.len());
    let mut lits = Vec::with_capacity(args.len());
    // Whether an argument before the one at hand may fail (evaluation goes left
    // to right and stops at the first failure or missing argument).
    let outer = std::mem::take(&mut acc.may_fail);
    // Whether each argument may be an array or object.
    let mut composite = Vec::with_capacity(args.len());
    for (i, a) in args.iter().enumerate() {
        acc.composite = false;
        let v = eval(a, lookup, acc);
        if v.is_none() {
            note_origins(&args[i + 1..], lookup, acc);
        }
        match v {
            Some(v) => {
                composite.push(acc.composite);
                abs.push(v);
            }
            // `concat` stops at a `null` argument before it sees a missing one:
            // its result is then `null`.
            None if func == Func::Concat && acc.null => {
                acc.may_fail |= outer;
                acc.composite = false;
                return Some(Abs::Str(Str::literal("")));
            }
            // An earlier argument may fail before this one is found missing:
            // the mapping fails or gives nothing, never certainly nothing.
            None if acc.may_fail => {
                acc.composite = false;
                return Some(Abs::Any);
            }
            None => {
                acc.may_fail = outer;
                return None;
            }
        }
        lits.push(literal(a));
    }
    // Surely no value: unless an argument may fail first (then the mapping fails
    // or gives nothing) or be `null` (a function of `null` gives `null`).
    if func.gives_nothing(&abs, &lits) && !acc.may_fail && !acc.null {
        acc.may_fail = outer;
        return None;
    }
    acc.may_fail |= outer;
    acc.may_fail |= func.may_fail(&abs);
    // Every function but `default` fails on an array or object, which a value
    // described as `Any` (untyped, or an object) may be.
    acc.may_fail |= composite.iter().any(|c| *c);
    // A function gives text, a number or `null`: never an array or object.
    acc.composite = false;
    Some(func.forward(&abs, &lits))
}

/// Adds the entry fields `args` derive from to `acc`'s origins, and nothing else: when
/// evaluation stops at a missing argument, the fields of those after it are origins all
/// the same, and a witness search that left them out would be no search of every value
/// (`concat(b, c)` with `b` never present still reads `c`).
fn note_origins(
    args: &[Expr],
    lookup: &mut dyn FnMut(&str, &mut Acc) -> Option<Abs>,
    acc: &mut Acc,
) {
    for a in args {
        let mut scratch = Acc::default();
        let _ = eval(a, lookup, &mut scratch);
        acc.origins.extend(scratch.origins);
    }
}

fn literal(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Str(s) => Some(Value::String(s.clone())),
        ExprKind::Number(n) => Some(Value::Number(n.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `b` accepting `u: upper(x)` of at most 5 characters means `x` had at most 5 (upper
    /// never shortens): the summary narrows `x` by that before it evaluates the flow's other
    /// mappings, so `k: x` holds at most 5 characters at `b` too, though `b` does not limit
    /// `k` itself.
    #[test]
    fn the_summary_narrows_a_source_field_by_what_the_flows_target_demands_of_it() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "a.json",
            r#"{"type":"object","properties":{"x":{"type":"string","maxLength":40}}}"#,
        );
        write(
            "b.json",
            r#"{"type":"object","properties":{"u":{"type":"string","maxLength":5},"k":{"type":"string"}}}"#,
        );
        write(
            "p.yaml",
            "version: 1\nname: t\nsystems:\n  a: { name: A, schema: a.json, entry: true }\n  b: { name: B, schema: b.json }\nflows:\n  - from: a\n    to: b\n    map:\n      u: upper(x)\n      k: x\n",
        );
        let pipeline = crate::pipeline::load(&dir.path().join("p.yaml")).unwrap();
        let graph = SystemGraph::new(&pipeline);
        let (a, b) = (SystemId::new(0), SystemId::new(1));
        let summary = Summary::compute(&pipeline, &graph, a);
        let k = summary.value(&pipeline, b, "/k", &mut Acc::default());
        let Some(Abs::Str(k)) = k else {
            panic!("{k:?}")
        };
        assert_eq!(k.max, Some(5));
    }
}
