//! Change requests (README, "Change requests"): what support staff type in, from a file, stdin or `--set`.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::expr::FieldPath;
use crate::json_spans::JsonSpans;
use crate::schema::SystemSchema;
use crate::span::{Location, SourceFile, Span, json_error};
use crate::suggest;

/// A change to one record, entering the graph at an entry system.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// The entry system; optional when the pipeline has one.
    #[serde(default)]
    pub entry: Option<String>,
    /// The record's key in the entry system (`{key}` in endpoint URLs).
    #[serde(default)]
    pub key: Option<String>,
    /// Who asked for the change.
    #[serde(default)]
    pub requested_by: Option<String>,
    /// A caller-chosen id, used as the idempotency key when submitting.
    #[serde(default)]
    pub id: Option<String>,
    /// The changed fields of the entry record (a JSON Merge Patch, RFC 7396, when the
    /// current record is known: `null` deletes a field).
    #[serde(default = "empty_object")]
    pub record: Value,
    /// `update` (the default: the record changes an existing one) or `create` (the record
    /// is all there is; every `required` field applies).
    #[serde(default)]
    pub op: Op,
    /// The entry record as it is now, when known (`--current`, `--fetch-current`): the
    /// change is merged into it, so mappings see the fields the change does not carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
}

/// Reads a current record (`--current`): a JSON object, from a file or `-` for standard
/// input.
///
/// # Errors
/// An unreadable file, malformed JSON (located), or JSON that is not an object.
pub fn read_current(path: &Path) -> Result<Value, Error> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| Error::io(path, &e))?
    } else {
        std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?
    };
    let file = SourceFile::new(path, crate::text::strip_bom(text));
    let value: Value = serde_json::from_str(&file.text).map_err(|e| json_error(&file, &e))?;
    if !value.is_object() {
        return Err(Error::new(
            ErrorKind::Change,
            "the current record must be a JSON object",
        )
        .in_file(path));
    }
    Ok(value)
}

/// The fields a merge patch sets or deletes: each member that is not an object, and each
/// empty object (arrays are replaced whole, so they are one field).
fn patch_leaves(patch: &Value, pointer: &mut String, out: &mut std::collections::BTreeSet<String>) {
    match patch {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&crate::pointer::escape(k));
                patch_leaves(v, pointer, out);
                pointer.truncate(len);
            }
        }
        _ if pointer.is_empty() => {}
        _ => {
            out.insert(pointer.clone());
        }
    }
}

/// What a change does to the entry record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Changes some fields of an existing record.
    #[default]
    Update,
    /// Creates the record: nothing else exists.
    Create,
}

impl ChangeRequest {
    /// The record to propagate and, for a whole record, the fields the change touches:
    /// the change alone when the current record is unknown (a partial change, `None`);
    /// the change merged into the current record (RFC 7396) when it is known; the change
    /// as the whole record for a create.
    #[must_use]
    pub fn start(&self) -> (Value, Option<std::collections::BTreeSet<String>>) {
        let changed = || {
            let mut out = std::collections::BTreeSet::new();
            patch_leaves(&self.record, &mut String::new(), &mut out);
            out
        };
        match (&self.current, self.op) {
            (_, Op::Create) => (self.record.clone(), Some(changed())),
            (Some(current), Op::Update) => {
                let mut merged = current.clone();
                json_patch::merge(&mut merged, &self.record);
                (merged, Some(changed()))
            }
            (None, Op::Update) => (self.record.clone(), None),
        }
    }
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl ChangeRequest {
    /// Parses a change request from JSON text read from `path` (`<stdin>` for standard input).
    /// A leading byte order mark is ignored.
    ///
    /// # Errors
    /// Malformed JSON, a key given twice in one object (anywhere, `record` included), an
    /// unknown key, a value of the wrong type, or no `record`: each located at line and
    /// column of the offending key or value.
    pub fn parse(path: &Path, text: String) -> Result<Self, Error> {
        let file = SourceFile::new(path, crate::text::strip_bom(text));
        let value: Value = serde_json::from_str(&file.text).map_err(|e| json_error(&file, &e))?;
        let spans = JsonSpans::scan(&file);
        let at = |span: Span| Location::new(&file, span);
        if let Some(d) = spans.duplicates().first() {
            let first = if d.first.line == d.second.line {
                format!("line {}, column {}", d.first.line, d.first.column)
            } else {
                format!("line {}", d.first.line)
            };
            return Err(Error::new(
                ErrorKind::Change,
                format!("duplicate key `{}`; the first is at {first}", d.key),
            )
            .at(at(d.second))
            .label("given again here")
            .help("give each key once: JSON readers disagree on which one wins"));
        }
        let Value::Object(map) = &value else {
            let root = spans.value("");
            return Err(Error::new(
                ErrorKind::Change,
                format!(
                    "a change request must be a JSON object, found {}",
                    crate::text::describe(&value)
                ),
            )
            .at(at(file.span(root.start, root.end)))
            .help(EXAMPLE));
        };
        let has_record = map.contains_key("record");
        for (key, v) in map {
            check_member(key, v, has_record).map_err(|e| e.at(at(e_span(&spans, key))))?;
        }
        if !map.contains_key("record") {
            let root = spans.value("");
            return Err(
                Error::new(ErrorKind::Change, "a change request needs a `record`")
                    .at(at(file.span(root.start, root.start + 1)))
                    .label("no `record` in this object")
                    .help(format!("`record` holds the changed fields, {EXAMPLE}")),
            );
        }
        serde_json::from_value(value).map_err(|e| {
            Error::new(ErrorKind::Change, format!("malformed change request: {e}")).in_file(path)
        })
    }

    /// Reads and parses the change request at `path`, or standard input for `-`.
    ///
    /// # Errors
    /// As [`ChangeRequest::parse`], or when the file cannot be read.
    pub fn read(path: &Path) -> Result<Self, Error> {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| Error::io(Path::new("<stdin>"), &e))?;
            return Self::parse(Path::new("<stdin>"), text);
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        Self::parse(path, text)
    }

    /// Applies one `--set path=value`: the value is JSON when it parses as JSON, a string
    /// otherwise; nested paths create objects.
    ///
    /// # Errors
    /// A missing `=`, a bad path, or a path that runs through a non-object.
    pub fn set(&mut self, assignment: &str) -> Result<(), Error> {
        self.assign("--set", assignment, |raw| {
            serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
        })
    }

    /// Applies one `--set-str path=text`: the value is always text, for values that
    /// look like numbers or JSON (`postal_code=01067`), as `jq --arg` does.
    ///
    /// # Errors
    /// As [`ChangeRequest::set`].
    pub fn set_text(&mut self, assignment: &str) -> Result<(), Error> {
        self.assign("--set-str", assignment, |raw| Value::String(raw.to_owned()))
    }

    fn assign(
        &mut self,
        flag: &str,
        assignment: &str,
        value: impl Fn(&str) -> Value,
    ) -> Result<(), Error> {
        let usage = || {
            Error::new(ErrorKind::Usage, format!("bad `{flag} {assignment}`")).help(format!(
                "write `{flag} field=value`, e.g. `{flag} address.street=\"Hämeenkatu 1\"`"
            ))
        };
        let (path, raw) = assignment.split_once('=').ok_or_else(usage)?;
        let field = FieldPath::parse(path.trim()).map_err(|e| usage().label(e.message))?;
        if field.segments().is_empty() {
            return Err(usage());
        }
        field
            .set(&mut self.record, value(raw))
            .map_err(|e| usage().label(e))
    }

    /// Rejects fields the entry schema does not declare: a typo must never pass as
    /// "nothing flows".
    ///
    /// # Errors
    /// The first undeclared field, with the closest declared name.
    pub fn check_fields(&self, entry: &str, schema: &SystemSchema) -> Result<(), Error> {
        check_object(&self.record, "", entry, schema)
    }
}

fn check_object(
    value: &Value,
    pointer: &str,
    entry: &str,
    schema: &SystemSchema,
) -> Result<(), Error> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    if !pointer.is_empty() && !restricts_names(schema, pointer) {
        return Ok(());
    }
    for (name, child) in map {
        let child_ptr = if name.contains(['~', '/']) {
            crate::pointer::child(pointer, name)
        } else {
            format!("{pointer}/{name}")
        };
        if !schema.declares(&child_ptr) {
            let siblings = declared_names(schema, pointer);
            let dotted =
                FieldPath::parse(&child_ptr).map_or_else(|_| name.clone(), |f| f.to_string());
            return Err(Error::new(
                ErrorKind::Change,
                format!("the change sets `{dotted}`, which `{entry}` does not declare"),
            )
            .help(suggest::help(
                name,
                siblings.iter().map(String::as_str),
                "fields here",
            )));
        }
        check_object(child, &child_ptr, entry, schema)?;
    }
    Ok(())
}

/// Whether the schema names the properties of the object at `pointer` (if it does not, any
/// property is allowed and nothing can be a typo).
pub(crate) fn restricts_names(schema: &SystemSchema, pointer: &str) -> bool {
    schema.subschemas(pointer).iter().any(|s| {
        s.get("properties").is_some()
            || s.get("patternProperties").is_some()
            || s.get("additionalProperties")
                .is_some_and(|a| !a.is_boolean() || a == &Value::Bool(false))
    })
}

fn declared_names(schema: &SystemSchema, pointer: &str) -> Vec<String> {
    schema
        .subschemas(pointer)
        .iter()
        .filter_map(|s| s.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.keys().cloned())
        .collect()
}

/// A minimal change request, for help lines.
const EXAMPLE: &str = r#"e.g. { "entry": "hr", "record": { "username": "matti" } }"#;

/// The keys a change request may have.
const KEYS: [&str; 7] = [
    "entry",
    "key",
    "requested_by",
    "id",
    "record",
    "op",
    "current",
];

/// Where an error about the member `key` points: the key itself when it is unknown, its
/// value otherwise.
fn e_span(spans: &JsonSpans, key: &str) -> Span {
    let pointer = format!("/{}", crate::json_spans::escape(key));
    if KEYS.contains(&key) {
        spans.value(&pointer)
    } else {
        spans.key(&pointer)
    }
}

/// Checks one top-level member of a change request (README, "Change requests").
fn check_member(key: &str, value: &Value, has_record: bool) -> Result<(), Error> {
    match key {
        "entry" | "key" | "requested_by" | "id" if !value.is_string() && !value.is_null() => {
            let mut error = Error::new(
                ErrorKind::Change,
                format!(
                    "`{key}` must be a string, found {}",
                    crate::text::describe(value)
                ),
            );
            if value.is_number() {
                error = error.help(format!("put it in quotes: \"{key}\": \"{value}\""));
            }
            Err(error)
        }
        "op" if !matches!(value.as_str(), Some("create" | "update")) => Err(Error::new(
            ErrorKind::Change,
            format!(
                "`op` must be \"update\" or \"create\", found {}",
                crate::text::describe(value)
            ),
        )),
        "current" if !value.is_object() && !value.is_null() => Err(Error::new(
            ErrorKind::Change,
            format!(
                "`current` must be a JSON object (the entry record as it is now), found {}",
                crate::text::describe(value)
            ),
        )),
        "record" if !value.is_object() => Err(Error::new(
            ErrorKind::Change,
            format!(
                "`record` must be a JSON object, found {}",
                crate::text::describe(value)
            ),
        )
        .help(r#"e.g. "record": { "username": "matti" }"#)),
        k if !KEYS.contains(&k) => {
            let help = match suggest::closest(k, KEYS) {
                Some(best) => format!("did you mean `{best}`?"),
                None if !has_record => {
                    format!("the changed fields go inside `record`: \"record\": {{ \"{k}\": … }}")
                }
                None => suggest::help(k, KEYS, "keys"),
            };
            Err(Error::new(
                ErrorKind::Change,
                format!("unknown key `{k}` in the change request"),
            )
            .help(help))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_reads_json_or_string() -> Result<(), Error> {
        let mut c = ChangeRequest {
            record: empty_object(),
            ..ChangeRequest::default()
        };
        c.set("cost_center=12000")?;
        c.set("address.street=Hämeenkatu 1")?;
        c.set("name=\"quoted\"")?;
        assert_eq!(
            c.record,
            serde_json::json!({"cost_center": 12000, "address": {"street": "Hämeenkatu 1"}, "name": "quoted"})
        );
        assert!(c.set("novalue").is_err());
        Ok(())
    }

    #[test]
    fn json_errors_are_located() {
        let err = ChangeRequest::parse(Path::new("c.json"), "{\n  \"record\": {,}\n}".into()).err();
        let at = err
            .and_then(|e| e.location)
            .map(|l| (l.span.line, l.span.column));
        assert_eq!(at, Some((2, 14)));
    }

    fn parse_err(text: &str) -> (String, Option<(usize, usize)>, Option<String>) {
        match ChangeRequest::parse(Path::new("c.json"), text.into()) {
            Ok(c) => (format!("parsed: {c:?}"), None, None),
            Err(e) => (
                e.message,
                e.location.map(|l| (l.span.line, l.span.column)),
                e.help,
            ),
        }
    }

    #[test]
    fn duplicate_keys_are_errors_at_the_second() {
        let (message, at, _) =
            parse_err("{\n  \"record\": {\n    \"email\": \"a\",\n    \"email\": \"b\"\n  }\n}");
        assert_eq!(message, "duplicate key `email`; the first is at line 3");
        assert_eq!(at, Some((4, 5)));
        let (message, at, _) = parse_err(r#"{"entry": "a", "entry": "b", "record": {}}"#);
        assert_eq!(
            message,
            "duplicate key `entry`; the first is at line 1, column 2"
        );
        assert_eq!(at, Some((1, 16)));
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_located() {
        let (message, at, help) = parse_err("{\n  \"reccord\": {}\n}");
        assert_eq!(message, "unknown key `reccord` in the change request");
        assert_eq!(at, Some((2, 3)));
        assert_eq!(help.as_deref(), Some("did you mean `record`?"));
        let (message, at, _) = parse_err("{\"record\": {},\n \"key\": 12345}");
        assert_eq!(message, "`key` must be a string, found the number 12345");
        assert_eq!(at, Some((2, 9)));
        let (message, at, _) = parse_err("{\"record\": [1]}");
        assert_eq!(message, "`record` must be a JSON object, found a list");
        assert_eq!(at, Some((1, 12)));
        let (message, at, _) = parse_err("\n[]");
        assert_eq!(
            message,
            "a change request must be a JSON object, found a list"
        );
        assert_eq!(at, Some((2, 1)));
    }

    #[test]
    fn a_record_is_required_and_a_bom_is_accepted() {
        let (message, at, help) = parse_err("{\"entry\": \"hr\"}");
        assert_eq!(message, "a change request needs a `record`");
        assert_eq!(at, Some((1, 1)));
        assert!(help.is_some_and(|h| h.contains("\"record\": {")));
        let parsed = ChangeRequest::parse(Path::new("c.json"), "\u{feff}{\"record\": {}}".into());
        assert!(parsed.is_ok_and(|c| c.record == serde_json::json!({})));
    }
}
