//! Each entry field's effective constraint, and the entry schema tightened with it.

#[allow(clippy::wildcard_imports)]
use super::*;

/// An entry field's own and effective constraint, and the downstream fields that narrow it.
#[derive(Debug, Clone)]
pub struct FieldConstraint {
    /// The entry system.
    pub entry: SystemId,
    /// The entry field, as a JSON Pointer.
    pub pointer: String,
    /// What the entry schema itself says.
    pub own: Constraint,
    /// Own and every downstream limit pulled back.
    pub effective: Constraint,
    /// Downstream fields whose pulled-back limit is tighter than the own constraint, with the
    /// chain from this field and the ways it is tighter.
    pub narrowed_by: Vec<(Chain, Vec<String>)>,
    /// Some chain from it passes a function, which reads a number or boolean as its text:
    /// text limits then hold for those too, which the entry schema's own text keywords do
    /// not say (see `nontext`).
    pub as_text: bool,
}

/// The effective constraint of every entry field of `entry` that reaches some downstream
/// system, in the order fields first appear in flows.
#[must_use]
pub fn effective(pipeline: &Pipeline, entry: SystemId) -> Effective {
    let mut sums = Vec::new();
    let mut mins = Vec::new();
    let mut by_field: BTreeMap<String, FieldConstraint> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut seen: BTreeSet<(SystemId, String)> = BTreeSet::new();
    // The entry fields that reach each system, for its rules over fields no chain fills.
    let mut reaching: BTreeMap<SystemId, BTreeSet<String>> = BTreeMap::new();
    for (fid, flow) in pipeline.flows_with_ids() {
        // Fields inside objects copied whole count too (`ship_address: mailing` with
        // `ship_address.city` limited downstream).
        for m in &crate::check::with_nested(pipeline, fid) {
            if !seen.insert((flow.to, m.target_pointer.to_string())) {
                continue;
            }
            for chain in chains(pipeline, flow.to, &m.target_pointer, Some(entry)) {
                let Some(origin) = chain.first() else {
                    continue;
                };
                reaching
                    .entry(flow.to)
                    .or_default()
                    .insert(origin.pointer.clone());
                let fc = by_field.entry(origin.pointer.clone()).or_insert_with(|| {
                    order.push(origin.pointer.clone());
                    let own = Constraint::from_leaf(
                        &pipeline.systems[entry].schema.leaf(&origin.pointer),
                    );
                    FieldConstraint {
                        entry,
                        pointer: origin.pointer.clone(),
                        effective: own.clone(),
                        own,
                        narrowed_by: Vec::new(),
                        as_text: false,
                    }
                });
                fc.as_text |= chain.iter().skip(1).any(|hop| {
                    mapping_of(pipeline, hop)
                        .is_some_and(|m| matches!(m.expr.kind, ExprKind::Call { .. }))
                });
                let mut pulled = pull_chain(pipeline, &chain, chain.len() - 1);
                let mut notes = chain_sums(pipeline, &chain, entry, &mut sums);
                notes.extend(chain_min_sums(pipeline, &chain, entry, &mut mins));
                for note in notes {
                    if !pulled.notes.contains(&note) {
                        pulled.notes.push(note);
                    }
                }
                let why = pulled.tighter_than(&fc.own);
                fc.effective.meet(&pulled);
                if !why.is_empty() && !fc.narrowed_by.iter().any(|(c, _)| *c == chain) {
                    fc.narrowed_by.push((chain, why));
                }
            }
        }
    }
    note_unfilled_rules(pipeline, entry, &reaching, &mut by_field);
    sums.retain(|s| binding(s, |p| by_field.get(p).map(|f| &f.effective)));
    settle_sums(pipeline, &sums, &mins, &mut by_field);
    let fields = order
        .into_iter()
        .filter_map(|p| by_field.remove(&p))
        .collect();
    Effective { fields, sums }
}

/// A rule on an object above a field (`oneOf`, `if`/`then`, `dependentSchemas` …) that
/// names a field no chain from the entry fills (only a flow back writes it, and a lineage
/// never visits a system twice): on arrival the field is absent, and whether the rule
/// holds then depends on the rest of the record, not on one field. It is not pulled back;
/// every entry field that reaches the system carries a note saying so.
fn note_unfilled_rules(
    pipeline: &Pipeline,
    entry: SystemId,
    reaching: &BTreeMap<SystemId, BTreeSet<String>>,
    by_field: &mut BTreeMap<String, FieldConstraint>,
) {
    let mut done: BTreeSet<(SystemId, String)> = BTreeSet::new();
    for (fid, flow) in pipeline.flows_with_ids() {
        let Some(fields) = reaching.get(&flow.to) else {
            continue;
        };
        for m in &crate::check::with_nested(pipeline, fid) {
            let pointer = m.target_pointer.to_string();
            if !done.insert((flow.to, pointer.clone())) {
                continue;
            }
            let leaf = pipeline.systems[flow.to].schema.leaf(&pointer);
            let mut rules: Vec<&str> = leaf
                .conditional
                .iter()
                .filter(|c| !c.at_field)
                .map(|c| c.applicator)
                .collect();
            rules.sort_unstable();
            rules.dedup();
            if rules.is_empty() || !chains(pipeline, flow.to, &pointer, Some(entry)).is_empty() {
                continue;
            }
            let note = format!(
                "{}'s `{}` over {pointer}, which no flow from the entry fills before it: holds only under a condition, not pulled back",
                pipeline.systems[flow.to].id,
                rules.join("`, `")
            );
            for p in fields {
                if let Some(fc) = by_field.get_mut(p)
                    && !fc.effective.notes.contains(&note)
                {
                    fc.effective.notes.push(note.clone());
                }
            }
        }
    }
}

/// What the sums say about each field: the characters a sum needs them restricted to
/// (`safe`), and notes for the sums the emitted schema cannot write (more than two fields)
/// and the minimum totals the fields' own minimums do not meet.
fn settle_sums(
    pipeline: &Pipeline,
    sums: &[SumConstraint],
    mins: &[MinSum],
    by_field: &mut BTreeMap<String, FieldConstraint>,
) {
    let note = |by_field: &mut BTreeMap<String, FieldConstraint>, fields: &[&str], note: String| {
        for p in fields {
            if let Some(fc) = by_field.get_mut(*p)
                && !fc.effective.notes.contains(&note)
            {
                fc.effective.notes.push(note.clone());
            }
        }
    };
    for m in mins {
        let fields: Vec<&str> = m.fields.iter().map(String::as_str).collect();
        let own: u64 = fields
            .iter()
            .map(|p| by_field.get(*p).map_or(0, |f| f.effective.min_len))
            .sum();
        if own < m.min {
            note(
                by_field,
                &fields,
                format!(
                    "{} together: at least {} characters (joined at {}), not pulled back",
                    m.fields.join(" + "),
                    m.min,
                    m.at
                ),
            );
        }
    }
    for sum in sums {
        for (pointer, func) in &sum.safe {
            if let Some(fc) = by_field.get_mut(pointer) {
                fc.effective.restrict_chars(&safe_chars(*func));
            }
        }
        let names = distinct(sum);
        if names.len() > 2 {
            // `sum_schema` writes sums of one or two fields only.
            let unit = if sum.keyword == "maxLength" {
                "characters"
            } else {
                "UTF-8 bytes"
            };
            note(
                by_field,
                &names,
                format!(
                    "{} together: at most {} {unit} (joined at {} {}), not pulled back",
                    sum.fields.join(" + "),
                    sum.max,
                    pipeline.systems[sum.at.0].id,
                    sum.at.1
                ),
            );
        }
    }
}

/// What [`effective`] finds: per entry field, and limits on sums of fields.
#[derive(Debug, Clone, Default)]
pub struct Effective {
    /// Each entry field that reaches a downstream system.
    pub fields: Vec<FieldConstraint>,
    /// Total-length limits on fields a downstream `concat` joins.
    pub sums: Vec<SumConstraint>,
}

impl Effective {
    /// Whether a downstream system narrows any entry field or sum: `constraints`'s
    /// finding (README, "Exit codes").
    #[must_use]
    pub fn narrows(&self) -> bool {
        !self.sums.is_empty() || self.fields.iter().any(|f| !f.narrowed_by.is_empty())
    }
}

/// The entry schema tightened so that nothing downstream rejects what it accepts, as far as
/// JSON Schema can say it (see [`Constraint::notes`]): the original document with one more
/// `allOf` branch holding each narrowed field's effective constraint.
#[must_use]
pub fn emit_schema(pipeline: &Pipeline, entry: SystemId, eff: &Effective) -> Value {
    let fields = &eff.fields;
    let mut doc = pipeline.systems[entry].schema.raw().clone();
    let narrowed: Vec<(&str, Value)> = fields
        .iter()
        .filter_map(|f| {
            let types = pipeline.systems[entry].schema.leaf(&f.pointer).types();
            let nontext = f.as_text && !super::nontext::branches(&f.effective, types).is_empty();
            let narrowed = !f.narrowed_by.is_empty()
                || f.effective.to_schema() != f.own.to_schema()
                || nontext;
            narrowed.then(|| {
                (
                    f.pointer.as_str(),
                    with_nontext(f.effective.to_schema(), &f.effective, types),
                )
            })
        })
        .collect();
    let sums: Vec<Value> = eff
        .sums
        .iter()
        .filter_map(|s| {
            sum_schema(
                s,
                |p| fields.iter().find(|f| f.pointer == p).map(|f| &f.effective),
                |p| pipeline.systems[entry].schema.leaf(p).types(),
            )
        })
        .collect();
    if narrowed.is_empty() && sums.is_empty() {
        return doc;
    }
    let mut branch = record_fragment(narrowed);
    if let Some(obj) = branch.as_object_mut() {
        obj.insert(
            "$comment".into(),
            json!(
                "added by `ripple constraints --emit-schema`: what every downstream system accepts"
            ),
        );
        if !sums.is_empty() {
            obj.insert("allOf".into(), Value::Array(sums));
        }
    }
    if let Some(obj) = doc.as_object_mut() {
        match obj.get_mut("allOf") {
            Some(Value::Array(all)) => all.push(branch),
            _ => {
                obj.insert("allOf".into(), json!([branch]));
            }
        }
    }
    doc
}

/// `schema` plus the branches that hold numbers and booleans to the text limits (see
/// `nontext`).
pub(super) fn with_nontext(
    mut schema: Value,
    c: &Constraint,
    types: crate::schema::TypeSet,
) -> Value {
    let extra = super::nontext::branches(c, types);
    if extra.is_empty() {
        return schema;
    }
    if let Some(obj) = schema.as_object_mut() {
        match obj.get_mut("allOf") {
            Some(Value::Array(all)) => all.extend(extra),
            _ => {
                obj.insert("allOf".into(), Value::Array(extra));
            }
        }
    }
    schema
}

/// A record-level fragment `{"properties": {…}}` that puts each fragment at its field's
/// JSON Pointer (nested objects through `properties`).
#[must_use]
pub fn record_fragment<'a>(fields: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
    let mut props = Map::new();
    for (pointer, fragment) in fields {
        if let Ok(path) = FieldPath::parse(pointer) {
            insert_at(&mut props, &path, fragment);
        }
    }
    json!({ "properties": props })
}

pub(super) fn insert_at(props: &mut Map<String, Value>, path: &FieldPath, leaf: Value) {
    use crate::expr::field::Segment;
    let segs = path.segments();
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let Segment::Key(name) = first else { return };
    if rest.is_empty() {
        props.insert(name.clone(), leaf);
        return;
    }
    let entry = props
        .entry(name.clone())
        .or_insert_with(|| json!({ "properties": {} }));
    if let Some(inner) = entry.get_mut("properties").and_then(Value::as_object_mut) {
        insert_at(inner, &FieldPath::from_segments(rest.to_vec()), leaf);
    }
}
