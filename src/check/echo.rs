//! R205: a two-way sync writes a value back changed (shop → crm → shop, where the CRM
//! lower-cases the e-mail). Such an echo overwrites what the user typed, and can flap
//! between the systems. Reported only with a witness: an entry record for which
//! `validate` itself shows the value coming back different (README, "Echoes").
//!
//! How the search stays linear in the graph: every flow that closes a cycle gets one
//! round trip, a simple path from the entry through the system it writes back to. Where
//! the shortest-path tree from the entry already passes through that system on the way to
//! the flow's source, the round trip is the tree path; otherwise it is the tree path to
//! the system and a shortest way on from there to the flow's source. The round trips are
//! kept as one trie, so a candidate record is carried over each flow once however many
//! round trips share it. Each record is propagated by the same per-flow step and compared
//! by the same rule (`propagate::round_trip_changes`) that `validate` uses on that path,
//! so every witness replays. A candidate record sets every entry field the flows read to
//! one probe value (each field alone where the entry rejects them together), then each to
//! a value of its own (a round trip that copies one field into another); a witness keeps
//! only the entry fields the value comes from on its round trip, and is run again so.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;

use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap;

use serde_json::Value;

use super::codes::Code;
use super::finding::{Echo, FieldAt, Finding};
use super::outcome::CheckReport;
use crate::graph::SystemGraph;
use crate::pipeline::{FlowId, Mapping, Pipeline, SystemId};
use crate::propagate::{self, Record};
use crate::validate;

/// Values that commonly change on a round trip: letter case, white space, non-ASCII and
/// case-changing letters, separators, long text, leading zeros.
const PROBES: &[&str] = &[
    "Ab",
    "Ab@Example.com",
    " a",
    "a ",
    "a  b",
    "Ä",
    "ß",
    "İ",
    "a-b.c",
    "007",
    "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz",
];

/// Values from each entry field's own schema tried (see `candidates`).
const OWN_CANDIDATES: usize = 6;

/// Flow applications the echo search may run per unit of `--witness-budget` (a
/// candidate change of the witness search runs a few flows; a round trip's, one each).
const STEPS_PER_BUDGET: usize = 1;

/// Looks for echoes of every flow that closes a cycle reachable from `entry`. `mappings`
/// are each flow's mappings with the fields inside whole-object copies expanded. The
/// search runs at most `budget` × [`STEPS_PER_BUDGET`] flow applications; round trips it
/// could not finish are counted in one R302 for the pipeline.
pub(super) fn echoes(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    mappings: &[Vec<Mapping>],
    entry: SystemId,
    budget: usize,
    report: &mut CheckReport,
) {
    let started = std::time::Instant::now();
    let trie = Trie::build(pipeline, graph, entry);

    if trie.trips.is_empty() {
        return;
    }
    // Already reported (from another entry): not looked for again.
    let mut known = Known {
        reported: report
            .findings
            .iter()
            .filter(|f| f.code() == Code::Echo)
            .filter_map(|f| Some((pipeline.system_id(f.system()?)?, f.field()?.to_owned())))
            .collect(),
        found: BTreeMap::new(),
    };
    let mut search = Search {
        pipeline,
        mappings,
        trie: &trie,
        steps: 0,
        replayed: 0,
        limit: budget.saturating_mul(STEPS_PER_BUDGET),
        origins: FxHashMap::default(),
        names: Vec::new(),
        ids: FxHashMap::default(),
        records: Vec::new(),
    };
    let origins = origins(pipeline, mappings, &trie);
    for record in candidates(pipeline, entry, &origins) {
        if !search.run(&record, &mut known) {
            break;
        }
    }
    tracing::debug!(
        "echo search from `{}` in {:?}: {} round trips, {} + {} flow applications, {} echoes",
        pipeline.systems[entry].id,
        started.elapsed(),
        trie.trips.values().map(Vec::len).sum::<usize>(),
        search.steps,
        search.replayed,
        known.found.len()
    );
    let unfinished = if search.spent() {
        search.needed(&known).map_or(0, |(_, live)| live)
    } else {
        0
    };
    let mut hits: Vec<Hit> = known.found.into_values().collect();
    hits.sort_by_key(|h| h.closing);
    for hit in hits {
        report.findings.push(finding(pipeline, mappings, &hit));
    }
    if unfinished > 0 {
        let f = Finding::unchecked(
            unfinished,
            "round trip(s) (echoes, R205)",
            &pipeline.systems[entry].id,
            &pipeline.file.path,
        );
        report.findings.push(f);
    }
}

/// The echoes known: reported before (from another entry) and found by this search.
struct Known {
    reported: BTreeSet<(SystemId, String)>,
    found: BTreeMap<(SystemId, String), Hit>,
}

impl Known {
    /// Whether an echo of `system`'s `field` is still to be found.
    fn is_new(&self, system: SystemId, field: &str) -> bool {
        let key = (system, field.to_owned());
        !self.reported.contains(&key) && !self.found.contains_key(&key)
    }
}

/// An echo found: the round trip's closing flow, what came back, and the witness.
struct Hit {
    closing: FlowId,
    system: SystemId,
    field: String,
    sent: Value,
    back: Value,
    /// From the entry round the trip back to `system`, and where the round trip starts.
    path: (Vec<SystemId>, usize),
    witness: Value,
}

/// A round trip: the trie node of the flow's source, the closing flow, and the node of
/// the system it writes back to (an ancestor of the source's node).
struct Trip {
    at: usize,
    closing: FlowId,
    back_to: usize,
}

/// A trie node: a system reached from the entry by the flows on the way from the root.
struct Node {
    system: SystemId,
    /// The parent node and the flow from it (`None` at the root, the entry).
    parent: Option<(usize, FlowId)>,
}

/// Every round trip from one entry, as paths sharing their prefixes. Nodes come after
/// their parents, so one pass in index order propagates a record over all of them.
struct Trie {
    nodes: Vec<Node>,
    /// The round trips ending at each node.
    trips: BTreeMap<usize, Vec<Trip>>,
}

impl Trie {
    fn build(pipeline: &Pipeline, graph: &SystemGraph, entry: SystemId) -> Self {
        let mut nodes = vec![Node {
            system: entry,
            parent: None,
        }];
        // The shortest-path tree: `tree[s]` is the node of system `s`.
        let mut tree: Vec<Option<usize>> = vec![None; pipeline.systems.len()];
        tree[entry.index()] = Some(0);
        let mut queue = VecDeque::from([0usize]);
        while let Some(n) = queue.pop_front() {
            let system = nodes[n].system;
            for &fid in graph.outgoing(system) {
                let to = pipeline.flows[fid].to;
                if tree[to.index()].is_none() {
                    tree[to.index()] = Some(nodes.len());
                    nodes.push(Node {
                        system: to,
                        parent: Some((n, fid)),
                    });
                    queue.push_back(nodes.len() - 1);
                }
            }
        }
        let mut trie = Self {
            nodes,
            trips: BTreeMap::new(),
        };
        for (fid, flow) in pipeline.flows_with_ids() {
            let (Some(from), Some(to)) = (tree[flow.from.index()], tree[flow.to.index()]) else {
                continue;
            };
            if let Some(back_to) = trie.ancestor(from, flow.to) {
                trie.add(from, fid, back_to);
            } else if let Some(at) = trie.detour(pipeline, graph, to, flow.from) {
                trie.add(at, fid, to);
            }
        }
        trie
    }

    fn add(&mut self, at: usize, closing: FlowId, back_to: usize) {
        self.trips.entry(at).or_default().push(Trip {
            at,
            closing,
            back_to,
        });
    }

    /// The node of `system` on the way from the root to node `n` (inclusive).
    fn ancestor(&self, mut n: usize, system: SystemId) -> Option<usize> {
        loop {
            if self.nodes[n].system == system {
                return Some(n);
            }
            n = self.nodes[n].parent?.0;
        }
    }

    /// The systems on the way from the root to node `n`.
    fn on_path(&self, mut n: usize, seen: &mut [bool]) {
        loop {
            seen[self.nodes[n].system.index()] = true;
            match self.nodes[n].parent {
                Some((p, _)) => n = p,
                None => return,
            }
        }
    }

    /// A shortest way from node `start` on to `target` through systems not yet on the
    /// path (so the round trip stays simple), added as new nodes; the last one's index.
    fn detour(
        &mut self,
        pipeline: &Pipeline,
        graph: &SystemGraph,
        start: usize,
        target: SystemId,
    ) -> Option<usize> {
        let mut seen = vec![false; pipeline.systems.len()];
        self.on_path(start, &mut seen);
        let mut via: Vec<Option<FlowId>> = vec![None; pipeline.systems.len()];
        let mut queue = VecDeque::from([self.nodes[start].system]);
        while let Some(s) = queue.pop_front() {
            if s == target {
                break;
            }
            for &fid in graph.outgoing(s) {
                let to = pipeline.flows[fid].to;
                if !seen[to.index()] {
                    seen[to.index()] = true;
                    via[to.index()] = Some(fid);
                    queue.push_back(to);
                }
            }
        }
        let mut flows = Vec::new();
        let mut s = target;
        while s != self.nodes[start].system {
            let fid = via[s.index()]?;
            flows.push(fid);
            s = pipeline.flows[fid].from;
        }
        let mut at = start;
        for fid in flows.into_iter().rev() {
            self.nodes.push(Node {
                system: pipeline.flows[fid].to,
                parent: Some((at, fid)),
            });
            at = self.nodes.len() - 1;
        }
        Some(at)
    }
}

/// One candidate record carried over the trie, within the step budget.
struct Search<'a> {
    pipeline: &'a Pipeline,
    mappings: &'a [Vec<Mapping>],
    trie: &'a Trie,
    steps: usize,
    /// Flow applications run again to check smaller witnesses (see `smallest`).
    replayed: usize,
    /// Most flow applications, both kinds together.
    limit: usize,
    /// The entry fields a node's field comes from (see `origins_at`), by node and name.
    origins: FxHashMap<(usize, usize), Rc<FixedBitSet>>,
    /// The pointers named so far (see `name`), and their numbers.
    names: Vec<String>,
    ids: FxHashMap<String, usize>,
    /// Each node's record in the current run (kept between runs for its allocation).
    records: Vec<Option<Record>>,
}

impl Search<'_> {
    /// Propagates `record` over the trie and adds each echo not yet known to `known`;
    /// `false` once the step budget is spent or no round trip can show a new echo.
    fn run(&mut self, record: &Value, known: &mut Known) -> bool {
        let entry = self.trie.nodes[0].system;
        let first = propagate::entry_record(self.pipeline, entry, record, false);
        if !accepts(self.pipeline, entry, &first) {
            return true;
        }
        let Some((needed, _)) = self.needed(known) else {
            return false;
        };
        let mut records = std::mem::take(&mut self.records);
        records.clear();
        records.push(Some(first));
        for (n, node) in self.trie.nodes.iter().enumerate().skip(1) {
            let record = node.parent.filter(|_| needed[n]).and_then(|(p, fid)| {
                let source = records[p].as_ref()?;
                self.steps += 1;
                propagate::step(self.pipeline, fid, source, false)
            });
            records.push(record);
            if self.spent() {
                return false;
            }
        }
        let mut accepted: Vec<Option<bool>> = vec![None; records.len()];
        let trie = self.trie;
        for trip in trie.trips.values().flatten().filter(|t| needed[t.at]) {
            self.examine(trip, record, (&records, &mut accepted), known);
        }
        self.records = records;
        !self.spent()
    }

    /// Whether the budget of flow applications is spent.
    fn spent(&self) -> bool {
        self.steps + self.replayed >= self.limit
    }

    /// The nodes on the way to a round trip that may still show a new echo (one of its
    /// fields not known yet), and how many such round trips there are; `None` when there
    /// is none.
    fn needed(&self, known: &Known) -> Option<(Vec<bool>, usize)> {
        let nodes = &self.trie.nodes;
        let mut needed = vec![false; nodes.len()];
        let mut live_trips = 0;
        for trip in self.trie.trips.values().flatten() {
            let system = nodes[trip.back_to].system;
            let live = self.mappings[trip.closing.index()]
                .iter()
                .any(|m| known.is_new(system, &m.target_pointer));
            if live {
                live_trips += 1;
                let mut n = trip.at;
                while !needed[n] {
                    needed[n] = true;
                    match nodes[n].parent {
                        Some((p, _)) => n = p,
                        None => break,
                    }
                }
            }
        }
        (live_trips > 0).then_some((needed, live_trips))
    }

    /// What `trip` brings back for `record` (whose propagation is `records`): each field
    /// that comes back changed and is not known yet, with the smallest witness that shows
    /// it, into `known`.
    fn examine(
        &mut self,
        trip: &Trip,
        record: &Value,
        (records, accepted): (&[Option<Record>], &mut [Option<bool>]),
        known: &mut Known,
    ) {
        let (Some(source), Some(had)) = (&records[trip.at], &records[trip.back_to]) else {
            return;
        };
        self.steps += 1;
        let Some(back) = propagate::step(self.pipeline, trip.closing, source, false) else {
            return;
        };
        let system = self.trie.nodes[trip.back_to].system;
        let changes: Vec<propagate::Changed> = propagate::round_trip_changes(had, &back, false)
            .into_iter()
            .filter(|c| known.is_new(system, &c.field))
            .collect();
        if changes.is_empty() {
            return;
        }
        // Where a system of the round trip rejects the whole record (a mapping of another
        // field fails, say), the smaller record may still show it.
        let whole = self.round_trip_accepted(trip, records, accepted);
        // Found without provenance (cheaper). Where a field comes back in a mapping of its
        // own, that is also the field `validate` names; otherwise (inside an object copied
        // whole) the round trip runs again with provenance.
        let plain = changes.iter().all(|c| {
            !c.back.is_object()
                && !c.back.is_array()
                && self.pipeline.flows[trip.closing]
                    .mappings
                    .iter()
                    .any(|m| *m.target_pointer == *c.field)
        });
        let changes = if plain {
            changes
        } else {
            self.replay(trip, record, (false, true)).unwrap_or_default()
        };
        let path = self.path(trip);
        // Smaller witnesses tried on this round trip, and what they bring back.
        let mut tried: Vec<(Value, Option<Vec<propagate::Changed>>)> = Vec::new();
        for c in changes {
            if !known.is_new(system, &c.field) {
                continue;
            }
            let Some((witness, c)) = self.smallest(trip, (record, whole), c, plain, &mut tried)
            else {
                continue;
            };
            known.found.insert(
                (system, c.field.clone()),
                Hit {
                    closing: trip.closing,
                    system,
                    field: c.field,
                    sent: c.sent,
                    back: c.back,
                    path: path.clone(),
                    witness,
                },
            );
        }
    }

    /// Whether every system from the one written back to up to the closing flow's source
    /// accepts its record: `validate` reports an echo only then.
    fn round_trip_accepted(
        &self,
        trip: &Trip,
        records: &[Option<Record>],
        accepted: &mut [Option<bool>],
    ) -> bool {
        let mut n = trip.at;
        loop {
            let ok = *accepted[n].get_or_insert_with(|| {
                records[n]
                    .as_ref()
                    .is_some_and(|r| accepts(self.pipeline, self.trie.nodes[n].system, r))
            });
            if !ok {
                return false;
            }
            if n == trip.back_to {
                return true;
            }
            match self.trie.nodes[n].parent {
                Some((p, _)) => n = p,
                None => return false,
            }
        }
    }

    /// The round trip of `trip` run again for `record`, as `validate` runs it: what
    /// comes back changed. With `judge`, `None` unless the entry and every system of the
    /// round trip accept what they get (without, the caller knows they do); with
    /// `provenance`, the fields are the ones `validate` names for an object copied whole.
    fn replay(
        &mut self,
        trip: &Trip,
        record: &Value,
        (judge, provenance): (bool, bool),
    ) -> Option<Vec<propagate::Changed>> {
        let (pipeline, nodes) = (self.pipeline, &self.trie.nodes);
        let mut chain = vec![trip.at];
        while let Some((p, _)) = nodes[chain[chain.len() - 1]].parent {
            chain.push(p);
        }
        chain.reverse();
        let mut at = propagate::entry_record(pipeline, nodes[0].system, record, provenance);
        let mut had = None;
        for &n in &chain {
            if let Some((_, fid)) = nodes[n].parent {
                self.replayed += 1;
                at = propagate::step(pipeline, fid, &at, provenance)?;
            }
            if n == trip.back_to {
                had = Some(at.clone());
            }
            let judged = n == 0 || had.is_some();
            if judge && judged && !accepts(pipeline, nodes[n].system, &at) {
                return None;
            }
        }
        self.replayed += 1;
        let back = propagate::step(pipeline, trip.closing, &at, provenance)?;
        Some(propagate::round_trip_changes(&had?, &back, provenance))
    }

    /// The witness for `change`: `record` with only the entry fields the value comes
    /// from on this round trip, when that alone still brings it back changed and every
    /// system on the way accepts it (`tried` keeps what each smaller record brought
    /// back); else `record` itself where `whole` says the round trip accepts it.
    fn smallest(
        &mut self,
        trip: &Trip,
        (record, whole): (&Value, bool),
        change: propagate::Changed,
        plain: bool,
        tried: &mut Vec<(Value, Option<Vec<propagate::Changed>>)>,
    ) -> Option<(Value, propagate::Changed)> {
        let mut smaller = Value::Object(serde_json::Map::new());
        for o in self.origins_of(trip, &change.field) {
            if let Some(v) = record.pointer(&o) {
                crate::pointer::put(&mut smaller, &o, v.clone());
            }
        }
        if smaller == *record
            || smaller.as_object().is_some_and(serde_json::Map::is_empty)
            || self.spent()
        {
            return whole.then(|| (record.clone(), change));
        }
        let index = match tried.iter().position(|(r, _)| *r == smaller) {
            Some(i) => i,
            None => {
                let changes = self.replay(trip, &smaller, (true, !plain));
                tried.push((smaller, changes));
                tried.len() - 1
            }
        };
        let (smaller, changes) = &tried[index];
        match changes.iter().flatten().find(|c| c.field == change.field) {
            Some(c) => Some((smaller.clone(), c.clone())),
            None => whole.then(|| (record.clone(), change)),
        }
    }

    /// The entry fields `field` of the system `trip` writes back to can come from on
    /// this round trip: what comes back, and what the system had. Read from the
    /// mappings' inputs, nothing evaluated.
    fn origins_of(&mut self, trip: &Trip, field: &str) -> Vec<String> {
        let closing = &self.pipeline.flows[trip.closing].mappings;
        let mut out = FixedBitSet::new();
        for input in inputs_for(closing, field) {
            out.union_with(&self.origins_at(trip.at, input));
        }
        out.union_with(&self.origins_at(trip.back_to, field));
        out.ones().map(|i| self.names[i].clone()).collect()
    }

    /// The entry fields (by [`Search::name`]) the field at `pointer` of node `n` can come
    /// from on the way there (remembered: round trips share their ways).
    fn origins_at(&mut self, n: usize, pointer: &str) -> Rc<FixedBitSet> {
        let key = (n, self.name(pointer));
        if let Some(known) = self.origins.get(&key) {
            return Rc::clone(known);
        }
        let found = match self.trie.nodes[n].parent {
            None => {
                let mut set = FixedBitSet::with_capacity(key.1 + 1);
                set.insert(key.1);
                set
            }
            Some((parent, fid)) => {
                let mut out = FixedBitSet::new();
                for input in inputs_for(&self.pipeline.flows[fid].mappings, pointer) {
                    out.union_with(&self.origins_at(parent, input));
                }
                out
            }
        };
        let found = Rc::new(found);
        self.origins.insert(key, Rc::clone(&found));
        found
    }

    /// A number for `pointer`, the same each time.
    fn name(&mut self, pointer: &str) -> usize {
        if let Some(&i) = self.ids.get(pointer) {
            return i;
        }
        self.names.push(pointer.to_owned());
        self.ids.insert(pointer.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }

    /// The systems from the entry round the trip back to the system written back to, and
    /// where the round trip starts in that list.
    fn path(&self, trip: &Trip) -> (Vec<SystemId>, usize) {
        let nodes = &self.trie.nodes;
        let mut chain = vec![trip.at];
        while let Some((p, _)) = nodes[chain[chain.len() - 1]].parent {
            chain.push(p);
        }
        chain.reverse();
        let round = chain.iter().position(|&n| n == trip.back_to).unwrap_or(0);
        let mut path: Vec<SystemId> = chain.iter().map(|&n| nodes[n].system).collect();
        path.push(nodes[trip.back_to].system);
        (path, round)
    }
}

/// The source fields the mappings into `target` (or into an object around or inside it)
/// read.
fn inputs_for<'m>(mappings: &'m [Mapping], target: &str) -> impl Iterator<Item = &'m str> {
    let related = move |a: &str| {
        a == target
            || target.strip_prefix(a).is_some_and(|r| r.starts_with('/'))
            || a.strip_prefix(target).is_some_and(|r| r.starts_with('/'))
    };
    mappings
        .iter()
        .filter(move |m| related(&m.target_pointer))
        .flat_map(|m| m.inputs.iter().map(|(_, p)| p.as_str()))
}

/// Whether `system` accepts `record` as `validate` judges it: no schema violation and no
/// mapping that failed.
fn accepts(pipeline: &Pipeline, system: SystemId, record: &Record) -> bool {
    validate::accepts_record(&pipeline.systems[system].schema, record)
}

/// The entry fields a round trip can show: those the flows out of the entry read (fields
/// inside whole-object copies one by one), and those written back into the entry itself
/// (the value it had is the record's own). Sorted.
fn origins(pipeline: &Pipeline, mappings: &[Vec<Mapping>], trie: &Trie) -> Vec<String> {
    let entry = trie.nodes[0].system;
    let mut out: BTreeSet<String> = BTreeSet::new();
    for (fid, flow) in pipeline.flows_with_ids() {
        if flow.from == entry {
            for m in &mappings[fid.index()] {
                out.extend(m.inputs.iter().map(|(_, p)| p.clone()));
            }
        }
    }
    for trip in trie.trips.values().flatten().filter(|t| t.back_to == 0) {
        out.extend(
            mappings[trip.closing.index()]
                .iter()
                .map(|m| m.target_pointer.to_string()),
        );
    }
    out.into_iter().collect()
}

/// The candidate records, in order: each probe in every origin the entry accepts it in
/// (one at a time where the entry rejects them together), values each origin's schema
/// suggests, a different value in each origin, then each origin's `enum`/`const` values.
fn candidates(pipeline: &Pipeline, entry: SystemId, origins: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut add = |pick: &Pick<'_>, one_by_one: bool| {
        together(pipeline, entry, origins, (pick, one_by_one), &mut out);
    };
    for probe in PROBES {
        add(&|_, _| Some(Value::String((*probe).to_owned())), true);
    }
    // Values each field's own schema suggests (a pattern's witness, limits' lengths …),
    // the k-th of every field together.
    let own: Vec<Vec<Value>> = origins
        .iter()
        .map(|o| {
            let leaf = pipeline.systems[entry].schema.leaf(o);
            let abs = crate::domain::from_leaf(&leaf);
            let mut values =
                super::candidates::candidates(&abs, &leaf, &super::candidates::Hints::default());
            values.truncate(OWN_CANDIDATES);
            values
        })
        .collect();
    for k in 0..OWN_CANDIDATES {
        add(&|i, _| own[i].get(k).cloned(), false);
    }
    // A value of its own per field, so a field written back from another shows.
    add(&|i, _| Some(Value::String(format!("v{i}"))), false);
    for o in origins {
        for k in &pipeline.systems[entry].schema.leaf(o).keywords {
            match k {
                crate::schema::Keyword::Enum(values) => {
                    out.extend(values.iter().map(|v| one(o, v)));
                }
                crate::schema::Keyword::Const(v) => out.push(one(o, v)),
                _ => {}
            }
        }
    }
    out
}

/// A record with `value` at `pointer` only.
fn one(pointer: &str, value: &Value) -> Value {
    let mut record = Value::Object(serde_json::Map::new());
    crate::pointer::put(&mut record, pointer, value.clone());
    record
}

/// The value a candidate gives an origin (by index and pointer), if any.
type Pick<'a> = dyn Fn(usize, &str) -> Option<Value> + 'a;

/// Adds to `out` one record with `pick`'s value for every origin (by index and pointer)
/// the entry accepts it in; where the entry rejects them together (an object-level rule),
/// those records one by one if `one_by_one`.
fn together(
    pipeline: &Pipeline,
    entry: SystemId,
    origins: &[String],
    (pick, one_by_one): (&Pick<'_>, bool),
    out: &mut Vec<Value>,
) {
    let accepted = |record: &Value| {
        let first = propagate::entry_record(pipeline, entry, record, false);
        accepts(pipeline, entry, &first)
    };
    let singles: Vec<(&str, Value)> = origins
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((o.as_str(), pick(i, o)?)))
        .filter(|(o, v)| accepted(&one(o, v)))
        .collect();
    let mut all = Value::Object(serde_json::Map::new());
    for (o, v) in &singles {
        crate::pointer::put(&mut all, o, v.clone());
    }
    if singles.len() > 1 && accepted(&all) {
        out.push(all);
    } else if one_by_one || singles.len() == 1 {
        out.extend(singles.iter().map(|(o, v)| one(o, v)));
    }
}

/// The finding, at the closing flow's mapping of the field (or the flow's first mapping
/// when the field comes back inside an object copied whole).
fn finding(pipeline: &Pipeline, mappings: &[Vec<Mapping>], hit: &Hit) -> Finding {
    let system = &pipeline.systems[hit.system];
    let flow = &pipeline.flows[hit.closing];
    let of_flow = &mappings[hit.closing.index()];
    let span = of_flow
        .iter()
        .find(|m| *m.target_pointer == *hit.field)
        .or_else(|| {
            of_flow.iter().find(|m| {
                hit.field
                    .strip_prefix(&*m.target_pointer)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .map_or(flow.span, |m| m.span);
    let ids: Vec<String> = hit
        .path
        .0
        .iter()
        .map(|&s| pipeline.systems[s].id.clone())
        .collect();
    let label = format!(
        "{} is written back as {}",
        crate::text::display_value(&hit.sent),
        crate::text::display_value(&hit.back)
    );
    let message = format!(
        "`{}` {} comes back changed through {}",
        system.id,
        hit.field,
        ids[hit.path.1..].join(" → ")
    );
    let help = format!(
        "write back only what the other side may change, or make `{}` accept only values the round trip keeps (flow {} → {})",
        system.id, pipeline.systems[flow.from].id, system.id
    );
    let facts = Echo {
        at: FieldAt {
            system: system.id.clone(),
            field: hit.field.clone(),
        },
        path: ids,
        witness: hit.witness.clone(),
        value: hit.back.clone(),
    };
    Finding::echo(facts, message, &pipeline.file.path, pipeline.location(span))
        .with_label(label)
        .with_help(Some(help))
}
