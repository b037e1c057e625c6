//! What every field of every system can hold, over all flow paths from one entry system:
//! a fixpoint over the flow graph in the abstract [`domain`](super::domain).
//!
//! Checking each flow against this summary costs one pass over the flows, however many
//! paths the graph has; a graph with thousands of flows has astronomically many simple
//! paths, so enumerating them is not an option. The summary over-approximates (it joins
//! every path, and ignores that a path never revisits a system), so what it proves holds on
//! every path; what it cannot prove goes to the witness search on concrete paths.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde_json::Value;

use super::domain::{self, Abs, Num, Str};
use crate::expr::{Expr, ExprKind, Func};
use crate::graph::SystemGraph;
use crate::pipeline::{Pipeline, SystemId};

/// Changes to one field's description before its bounds are widened to "unbounded", so
/// that cycles that grow a value (`concat` in a two-way sync) terminate.
const WIDEN_AFTER: u32 = 3;

/// What a derivation collects besides the value description.
#[derive(Debug, Default, Clone)]
pub(crate) struct Acc {
    /// Entry fields (JSON Pointers) the value derives from.
    pub origins: BTreeSet<String>,
    /// A mapping on the way can fail for some inputs (`number("abc")`).
    pub may_fail: bool,
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
        let mut queue: VecDeque<usize> = graph.outgoing(entry).iter().copied().collect();
        let mut queued = vec![false; pipeline.flows.len()];
        for &f in &queue {
            queued[f] = true;
        }
        while let Some(fid) = queue.pop_front() {
            queued[fid] = false;
            let flow = &pipeline.flows[fid];
            if flow.to == entry {
                continue;
            }
            let target = &pipeline.systems[flow.to];
            let mut changed = false;
            for m in &flow.mappings {
                let mut acc = Acc::default();
                let Some(v) = eval(
                    &m.expr,
                    &mut |p, acc| s.value(pipeline, flow.from, p, acc),
                    &mut acc,
                ) else {
                    continue;
                };
                let key = m.target_pointer.to_string();
                let slot = s.arrived[flow.to].entry(key.clone());
                let held = match slot {
                    std::collections::hash_map::Entry::Vacant(e) => e
                        .insert(Held {
                            abs: v,
                            acc,
                            changes: 0,
                        })
                        .clone(),
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        let h = e.get_mut();
                        let mut joined = domain::join(&h.abs, &v);
                        let mut origins = h.acc.origins.clone();
                        origins.extend(acc.origins);
                        let may_fail = h.acc.may_fail || acc.may_fail;
                        if joined == h.abs && origins == h.acc.origins && may_fail == h.acc.may_fail
                        {
                            continue;
                        }
                        h.changes += 1;
                        if h.changes > WIDEN_AFTER {
                            joined = widen(joined);
                        }
                        h.abs = joined;
                        h.acc = Acc { origins, may_fail };
                        h.clone()
                    }
                };
                let accepted = domain::refine(held.abs.clone(), &target.schema.subschemas(&key));
                s.held[flow.to].insert(
                    key,
                    Held {
                        abs: accepted,
                        ..held
                    },
                );
                changed = true;
            }
            if changed {
                for &next in graph.outgoing(flow.to) {
                    if !queued[next] {
                        queued[next] = true;
                        queue.push_back(next);
                    }
                }
            }
        }
        s
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
            acc.origins.insert(pointer.to_owned());
            return Some(domain::from_schemas(
                &pipeline.systems[system].schema.subschemas(pointer),
            ));
        }
        let held = &self.held[system];
        if let Some(h) = held.get(pointer) {
            acc.origins.extend(h.acc.origins.iter().cloned());
            acc.may_fail |= h.acc.may_fail;
            return Some(h.abs.clone());
        }
        // A whole object read, or a field inside an object copied whole: nothing is known.
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
            acc.origins.extend(h.acc.origins.iter().cloned());
            acc.may_fail |= h.acc.may_fail;
        }
        Some(Abs::Any)
    }

    /// What arrives at `system`'s field before the system judges it.
    #[cfg(test)]
    pub(crate) fn arrived(&self, system: SystemId, pointer: &str) -> Option<&Abs> {
        self.arrived[system].get(pointer).map(|h| &h.abs)
    }
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

/// Evaluates an expression over descriptions; `lookup` gives a source field's description
/// (and records its origins), `None` when the field is not filled.
pub(crate) fn eval(
    expr: &Expr,
    lookup: &mut dyn FnMut(&str, &mut Acc) -> Option<Abs>,
    acc: &mut Acc,
) -> Option<Abs> {
    Some(match &expr.kind {
        ExprKind::Field(f) => lookup(&f.pointer(), acc)?,
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
        ExprKind::Bool(_) | ExprKind::Null => Abs::Any,
        ExprKind::Call { func, args, .. } => {
            if *func == Func::Default {
                let fallback = args.get(1).and_then(|a| eval(a, lookup, acc))?;
                return Some(match args.first().and_then(|a| eval(a, lookup, acc)) {
                    Some(x) => domain::join(&x, &fallback),
                    None => fallback,
                });
            }
            let mut abs = Vec::with_capacity(args.len());
            let mut lits = Vec::with_capacity(args.len());
            for a in args {
                abs.push(eval(a, lookup, acc)?);
                lits.push(literal(a));
            }
            if *func == Func::Number {
                let safe = match abs.first() {
                    Some(Abs::Num(_)) => true,
                    Some(Abs::Str(s)) => {
                        s.min > 0 && domain::subset(&s.chars, &domain::chars_of(&[('0', '9')]))
                    }
                    _ => false,
                };
                acc.may_fail |= !safe;
            }
            domain::apply(*func, &abs, &lits)
        }
    })
}

fn literal(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Str(s) => Some(Value::String(s.clone())),
        ExprKind::Number(n) => Some(Value::Number(n.clone())),
        _ => None,
    }
}
