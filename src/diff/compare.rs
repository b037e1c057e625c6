//! What changed between two versions of one pipeline: systems, flows, schedules,
//! mappings, and each field's constraints read as typed schema leaves.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Change, ChangeKind};
use crate::pipeline::{Flow, Pipeline, System};
use crate::schema::{Keyword, SystemSchema, TypeName};

/// How deep nested object properties are compared.
const MAX_DEPTH: usize = 4;

/// Structure keywords whose contents are compared field by field instead.
const FIELD_BY_FIELD: &[&str] = &["properties", "patternProperties", "items", "prefixItems"];

/// Every change between `old` and `new`, in the order: systems, flows, schedules and
/// mappings, constraints.
pub(super) fn pipelines(old: &Pipeline, new: &Pipeline) -> Vec<Change> {
    let mut out = Vec::new();
    for s in &old.systems {
        if new.system_id(&s.id).is_none() {
            out.push(Change::system(ChangeKind::SystemRemoved, s, true));
        }
    }
    for s in &new.systems {
        if old.system_id(&s.id).is_none() {
            out.push(Change::system(ChangeKind::SystemAdded, s, false));
        }
    }
    flows(old, new, &mut out);
    for s in &old.systems {
        if let Some(id) = new.system_id(&s.id) {
            constraints(&s.id, &s.schema, &new.systems[id].schema, &mut out);
        }
    }
    out
}

/// The flows of a pipeline keyed by (from, to, how many such flows came before).
fn keyed(p: &Pipeline) -> BTreeMap<(String, String, usize), &Flow> {
    let mut out = BTreeMap::new();
    for flow in &p.flows {
        let (from, to) = (
            p.systems[flow.from].id.clone(),
            p.systems[flow.to].id.clone(),
        );
        let mut n = 0;
        while out.contains_key(&(from.clone(), to.clone(), n)) {
            n += 1;
        }
        out.insert((from, to, n), flow);
    }
    out
}

fn flows(old: &Pipeline, new: &Pipeline, out: &mut Vec<Change>) {
    let (before, after) = (keyed(old), keyed(new));
    for (key, flow) in &before {
        if !after.contains_key(key) {
            let mut c = Change::flow(ChangeKind::FlowRemoved, key);
            c.old = flow.schedule.clone().map(Value::String);
            out.push(c);
        }
    }
    for (key, flow) in &after {
        let Some(was) = before.get(key) else {
            let mut c = Change::flow(ChangeKind::FlowAdded, key);
            c.new = flow.schedule.clone().map(Value::String);
            out.push(c);
            continue;
        };
        if was.schedule != flow.schedule {
            let mut c = Change::flow(ChangeKind::ScheduleMoved, key);
            c.old = was.schedule.clone().map(Value::String);
            c.new = flow.schedule.clone().map(Value::String);
            out.push(c);
        }
        mappings(key, was, flow, out);
    }
}

/// An expression with its white space normalised, so re-indenting is no change.
fn normalised(source: &str) -> String {
    source.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn mappings(key: &(String, String, usize), old: &Flow, new: &Flow, out: &mut Vec<Change>) {
    let by_target = |f: &Flow| -> BTreeMap<String, String> {
        f.mappings
            .iter()
            .map(|m| (m.target_pointer.to_string(), normalised(&m.source)))
            .collect()
    };
    let (before, after) = (by_target(old), by_target(new));
    for (field, source) in &before {
        let (kind, new_source) = match after.get(field) {
            None => (ChangeKind::MappingRemoved, None),
            Some(now) if now != source => (ChangeKind::MappingChanged, Some(now)),
            Some(_) => continue,
        };
        let mut c = Change::flow(kind, key);
        c.field = Some(field.clone());
        c.old = Some(Value::String(source.clone()));
        c.new = new_source.map(|s| Value::String(s.clone()));
        out.push(c);
    }
    for (field, source) in &after {
        if !before.contains_key(field) {
            let mut c = Change::flow(ChangeKind::MappingAdded, key);
            c.field = Some(field.clone());
            c.new = Some(Value::String(source.clone()));
            out.push(c);
        }
    }
}

/// The pointers of every property the schema declares, nested objects included, and the
/// root (`""`, for `required`).
fn fields(schema: &SystemSchema) -> BTreeSet<String> {
    fn walk(schema: &SystemSchema, pointer: &str, depth: usize, out: &mut BTreeSet<String>) {
        out.insert(pointer.to_owned());
        if depth >= MAX_DEPTH {
            return;
        }
        let names: BTreeSet<String> = schema
            .subschemas(pointer)
            .iter()
            .filter_map(|s| s.get("properties").and_then(Value::as_object))
            .flat_map(|p| p.keys().cloned())
            .collect();
        for name in names {
            let child = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
            walk(schema, &child, depth + 1, out);
        }
    }
    let mut out = BTreeSet::new();
    walk(schema, "", 0, &mut out);
    out
}

/// Each keyword name of a leaf with its tightest value (`allOf` may state one twice).
fn keywords(schema: &SystemSchema, pointer: &str) -> BTreeMap<String, Keyword> {
    let mut out: BTreeMap<String, Keyword> = BTreeMap::new();
    for k in &schema.leaf(pointer).keywords {
        if let Keyword::Structure(name, _) = k
            && FIELD_BY_FIELD.contains(&name.as_str())
        {
            continue;
        }
        match out.get(k.name()) {
            Some(had) if direction(had, k) != Direction::Narrowed => {}
            _ => {
                out.insert(k.name().to_owned(), k.clone());
            }
        }
    }
    out
}

fn constraints(system: &str, old: &SystemSchema, new: &SystemSchema, out: &mut Vec<Change>) {
    let mut all = fields(old);
    all.extend(fields(new));
    for field in all {
        let (before, after) = (keywords(old, &field), keywords(new, &field));
        let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for name in names {
            let kind = match (before.get(name), after.get(name)) {
                (Some(a), Some(b)) if a == b => continue,
                (Some(a), Some(b)) => match direction(a, b) {
                    Direction::Narrowed => ChangeKind::ConstraintNarrowed,
                    Direction::Widened => ChangeKind::ConstraintWidened,
                    Direction::Changed => ChangeKind::ConstraintChanged,
                },
                (None, Some(_)) => ChangeKind::ConstraintNarrowed,
                (Some(_), None) => ChangeKind::ConstraintWidened,
                (None, None) => continue,
            };
            out.push(Change {
                kind,
                system: system.to_owned(),
                field: Some(field.clone()),
                keyword: Some(name.clone()),
                flow: None,
                old: before.get(name).map(Keyword::value),
                new: after.get(name).map(Keyword::value),
            });
        }
    }
}

/// How a keyword's new value relates to its old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    /// Fewer values pass.
    Narrowed,
    /// More values pass.
    Widened,
    /// Neither: some values pass that did not, and the other way round.
    Changed,
}

fn upper<T: PartialOrd>(old: T, new: T) -> Direction {
    if new < old {
        Direction::Narrowed
    } else if new > old {
        Direction::Widened
    } else {
        Direction::Changed
    }
}

fn subset<T: PartialEq>(old: &[T], new: &[T]) -> Direction {
    let within = |a: &[T], b: &[T]| a.iter().all(|x| b.contains(x));
    match (within(new, old), within(old, new)) {
        (true, false) => Direction::Narrowed,
        (false, true) => Direction::Widened,
        _ => Direction::Changed,
    }
}

fn charset_rank(c: crate::schema::Charset) -> u8 {
    use crate::schema::Charset;
    match c {
        Charset::Ascii => 0,
        Charset::Latin1 => 1,
        Charset::Utf8mb3 => 2,
    }
}

/// Narrowed, widened or changed: limits by their size, `enum`, `type` and `required`
/// by inclusion, `multipleOf` by divisibility; `pattern`, `format` and the rest changed.
pub(super) fn direction(old: &Keyword, new: &Keyword) -> Direction {
    use Keyword as K;
    match (old, new) {
        (K::MaxLength(a), K::MaxLength(b)) | (K::MaxBytes(a), K::MaxBytes(b)) => upper(a, b),
        (K::MinLength(a), K::MinLength(b)) => upper(b, a),
        (K::Maximum(a), K::Maximum(b)) | (K::ExclusiveMaximum(a), K::ExclusiveMaximum(b)) => {
            upper(a, b)
        }
        (K::Minimum(a), K::Minimum(b)) | (K::ExclusiveMinimum(a), K::ExclusiveMinimum(b)) => {
            upper(b, a)
        }
        (K::Charset(a), K::Charset(b)) => upper(charset_rank(*a), charset_rank(*b)),
        (K::Enum(a), K::Enum(b)) => subset(a, b),
        (K::Type(a, _), K::Type(b, _)) => {
            let names = |t: crate::schema::TypeSet| -> Vec<TypeName> {
                TypeName::ALL.into_iter().filter(|n| t.allows(*n)).collect()
            };
            subset(&names(*a), &names(*b))
        }
        (K::Structure(n, a), K::Structure(m, b)) if n == "required" && m == "required" => {
            let items = |v: &Value| v.as_array().cloned().unwrap_or_default();
            // More required fields: fewer records pass.
            subset(&items(b), &items(a))
        }
        (K::MultipleOf(a), K::MultipleOf(b)) => {
            let divides = |x: f64, y: f64| (y / x - (y / x).round()).abs() < 1e-9;
            match (divides(*a, *b), divides(*b, *a)) {
                (true, false) => Direction::Narrowed,
                (false, true) => Direction::Widened,
                _ => Direction::Changed,
            }
        }
        _ => Direction::Changed,
    }
}

impl Change {
    fn system(kind: ChangeKind, s: &System, old: bool) -> Self {
        let name = Some(Value::String(s.name.clone()));
        Self {
            kind,
            system: s.id.clone(),
            field: None,
            keyword: None,
            flow: None,
            old: if old { name.clone() } else { None },
            new: if old { None } else { name },
        }
    }

    fn flow(kind: ChangeKind, key: &(String, String, usize)) -> Self {
        Self {
            kind,
            system: key.1.clone(),
            field: None,
            keyword: None,
            flow: Some(format!("{} → {}", key.0, key.1)),
            old: None,
            new: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_narrow_and_widen() {
        assert_eq!(
            direction(&Keyword::MaxLength(8), &Keyword::MaxLength(6)),
            Direction::Narrowed
        );
        assert_eq!(
            direction(&Keyword::MinLength(1), &Keyword::MinLength(0)),
            Direction::Widened
        );
        assert_eq!(
            direction(
                &Keyword::Enum(vec!["a".into(), "b".into()]),
                &Keyword::Enum(vec!["a".into()])
            ),
            Direction::Narrowed
        );
        assert_eq!(
            direction(
                &Keyword::Enum(vec!["a".into()]),
                &Keyword::Enum(vec!["b".into()])
            ),
            Direction::Changed
        );
        assert_eq!(
            direction(
                &Keyword::Pattern("^a$".into()),
                &Keyword::Pattern("^b$".into())
            ),
            Direction::Changed
        );
        assert_eq!(
            direction(&Keyword::MultipleOf(2.0), &Keyword::MultipleOf(4.0)),
            Direction::Narrowed
        );
    }
}
