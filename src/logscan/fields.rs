//! Which field of a system a log message names.
//!
//! Backends name columns and attributes in their own spelling (`"LOGIN"`, `sAMAccountName`)
//! or not at all (PostgreSQL's 22001 only gives the type length). This module turns that
//! into a JSON Pointer of the system's record, through the preset's `columns` map first and
//! the system's schema second, and says how sure it is so that a message can be attributed
//! to the system that knows the column best.

use serde_json::Value;

use crate::schema::SystemSchema;

/// How deep nested objects are searched for fields with a length limit.
const MAX_DEPTH: usize = 4;

/// How well a system knows the column a message names; higher is better.
pub(super) type Tier = u8;
/// The `columns` map has `TABLE.COLUMN` for this message's table and column.
pub(super) const TIER_QUALIFIED: Tier = 3;
/// The `columns` map has the column.
pub(super) const TIER_COLUMNS: Tier = 2;
/// The schema has a matching field.
pub(super) const TIER_SCHEMA: Tier = 1;
/// Nothing known: the system is a candidate only because it uses the preset.
pub(super) const TIER_NONE: Tier = 0;

/// The fields of one system's schema that log messages can name, computed once per run.
#[derive(Debug, Default)]
pub(super) struct SystemFields {
    /// Top-level property names, in schema order.
    top: Vec<String>,
    /// Fields with a declared length (`maxLength` or `x-maxBytes`), as JSON Pointers.
    limits: Vec<(String, Vec<u64>)>,
}

impl SystemFields {
    /// Reads the property names and length limits of `schema`.
    pub(super) fn new(schema: &SystemSchema) -> Self {
        let mut limits = Vec::new();
        collect_limits(schema, "", 0, &mut limits);
        Self {
            top: property_names(schema, ""),
            limits,
        }
    }

    /// The pointer of the top-level property named `name`, case-insensitively; an exact
    /// match wins, and several case-insensitive matches give none.
    pub(super) fn property(&self, name: &str) -> Option<String> {
        if let Some(exact) = self.top.iter().find(|p| *p == name) {
            return Some(format!("/{}", escape(exact)));
        }
        let mut found = self.top.iter().filter(|p| p.eq_ignore_ascii_case(name));
        match (found.next(), found.next()) {
            (Some(one), None) => Some(format!("/{}", escape(one))),
            _ => None,
        }
    }

    /// The declared lengths of the field at `pointer`, if it declares any.
    pub(super) fn limits_of(&self, pointer: &str) -> Option<&[u64]> {
        self.limits
            .iter()
            .find(|(p, _)| p == pointer)
            .map(|(_, l)| l.as_slice())
    }

    /// The only field whose `maxLength` or `x-maxBytes` is `limit`, if exactly one is.
    pub(super) fn with_limit(&self, limit: u64) -> Option<&str> {
        let mut found = self
            .limits
            .iter()
            .filter(|(_, limits)| limits.contains(&limit));
        match (found.next(), found.next()) {
            (Some((pointer, _)), None) => Some(pointer),
            _ => None,
        }
    }
}

/// A preset's `columns` map, with keys kept for case-insensitive lookup.
#[derive(Debug, Clone, Default)]
pub(super) struct Columns(Vec<(String, String)>);

impl Columns {
    /// Normalises every target to a JSON Pointer.
    pub(super) fn new<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> Self {
        Self(
            map.into_iter()
                .map(|(k, v)| (k.clone(), to_pointer(v)))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// The field a message's `column` (of `table`, when the message names it) denotes in a
/// system, and how sure that is.
pub(super) fn resolve_column(
    columns: &Columns,
    fields: &SystemFields,
    table: Option<&str>,
    column: &str,
) -> (Tier, Option<String>) {
    if let Some(table) = table
        && let Some(p) = columns.get(&format!("{table}.{column}"))
    {
        return (TIER_QUALIFIED, Some(p.to_owned()));
    }
    if let Some(p) = columns.get(column) {
        return (TIER_COLUMNS, Some(p.to_owned()));
    }
    match fields.property(column) {
        Some(p) => (TIER_SCHEMA, Some(p)),
        None => (TIER_NONE, None),
    }
}

/// A field as a user or a message names it (a JSON Pointer, a dotted path or a property
/// name) as a JSON Pointer; bare names are looked up in the schema case-insensitively.
pub(super) fn field_pointer(fields: &SystemFields, name: &str) -> String {
    if name.starts_with('/') || name.contains('.') {
        return to_pointer(name);
    }
    fields.property(name).unwrap_or_else(|| to_pointer(name))
}

/// `"/a/b"` stays; `"a.b"` becomes `"/a/b"`; `"login"` becomes `"/login"`.
pub(super) fn to_pointer(name: &str) -> String {
    if name.is_empty() || name.starts_with('/') {
        return name.to_owned();
    }
    name.split('.').fold(String::new(), |mut out, segment| {
        out.push('/');
        out.push_str(&escape(segment));
        out
    })
}

fn escape(segment: &str) -> String {
    crate::pointer::escape(segment)
}

fn property_names(schema: &SystemSchema, pointer: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for sub in schema.subschemas(pointer) {
        if let Some(Value::Object(props)) = sub.get("properties") {
            for name in props.keys() {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
    }
    names
}

fn collect_limits(
    schema: &SystemSchema,
    pointer: &str,
    depth: usize,
    out: &mut Vec<(String, Vec<u64>)>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    for name in property_names(schema, pointer) {
        let child = format!("{pointer}/{}", escape(&name));
        let limits: Vec<u64> = schema
            .subschemas(&child)
            .iter()
            .flat_map(|s| {
                ["maxLength", "x-maxBytes"]
                    .into_iter()
                    .filter_map(|k| s.get(k).and_then(Value::as_u64))
            })
            .collect();
        if !limits.is_empty() {
            out.push((child.clone(), limits));
        }
        collect_limits(schema, &child, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn fields(raw: Value) -> SystemFields {
        let schema = SystemSchema::from_value(Path::new("inline.json"), raw)
            .unwrap_or_else(|e| panic!("{e}"));
        SystemFields::new(&schema)
    }

    #[test]
    fn properties_match_case_insensitively_and_exact_wins() {
        let f = fields(json!({"properties": {"login": {}, "Mail": {}, "mail": {}, "a/b": {}}}));
        assert_eq!(f.property("LOGIN").as_deref(), Some("/login"));
        assert_eq!(f.property("Mail").as_deref(), Some("/Mail"));
        assert_eq!(f.property("MAIL"), None, "two case-insensitive matches");
        assert_eq!(f.property("a/b").as_deref(), Some("/a~1b"));
        assert_eq!(f.property("nope"), None);
    }

    #[test]
    fn limits_are_found_in_nested_objects_and_must_be_unique() {
        let f = fields(json!({"properties": {
            "uid": {"type": "string", "maxLength": 8},
            "cn": {"type": "string", "maxLength": 64},
            "addr": {"properties": {"street": {"maxLength": 35}, "city": {"x-maxBytes": 64}}}
        }}));
        assert_eq!(f.with_limit(8), Some("/uid"));
        assert_eq!(f.with_limit(35), Some("/addr/street"));
        assert_eq!(f.with_limit(64), None, "cn and addr/city both allow 64");
        assert_eq!(f.with_limit(9), None);
    }

    #[test]
    fn columns_resolve_qualified_then_plain_then_schema() {
        let f = fields(json!({"properties": {"login": {}, "street": {}}}));
        let cols = Columns::new(&indexmap::indexmap! {
            "EMPLOYEES.LOGIN".to_owned() => "/login".to_owned(),
            "DISPLAY_NAME".to_owned() => "display_name".to_owned(),
        });
        assert_eq!(
            resolve_column(&cols, &f, Some("employees"), "login"),
            (TIER_QUALIFIED, Some("/login".into()))
        );
        assert_eq!(
            resolve_column(&cols, &f, None, "display_name"),
            (TIER_COLUMNS, Some("/display_name".into()))
        );
        assert_eq!(
            resolve_column(&cols, &f, Some("OTHER"), "STREET"),
            (TIER_SCHEMA, Some("/street".into()))
        );
        assert_eq!(resolve_column(&cols, &f, None, "X"), (TIER_NONE, None));
    }

    #[test]
    fn field_names_become_pointers() {
        let f = fields(json!({"properties": {"sAMAccountName": {}}}));
        assert_eq!(field_pointer(&f, "samaccountname"), "/sAMAccountName");
        assert_eq!(field_pointer(&f, "/x/y"), "/x/y");
        assert_eq!(field_pointer(&f, "address.street"), "/address/street");
        assert_eq!(field_pointer(&f, "unknown"), "/unknown");
    }
}
