//! `--update`: a declared system schema rewritten from an imported one (README,
//! "`ripple import … --update`").
//!
//! The imported schema states the limits (types, lengths, ranges, `x-maxBytes`,
//! `x-charset`, `required`); the declared file keeps what only people know: `x-pii`,
//! `description`, `title`, `examples`, `$comment` and its other `x-` annotations, per
//! property. What changed is reported per field, so the update can be reviewed.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Errors};
use crate::pipeline::Pipeline;
use crate::schema::SystemSchema;

/// Keywords the imported schema decides although they start with `x-`.
const SOURCE_KEYWORDS: [&str; 4] = ["x-source", "x-maxBytes", "x-charset", "x-encoding"];

/// Keywords the declared schema keeps.
const KEPT: [&str; 8] = [
    "title",
    "description",
    "examples",
    "$comment",
    "default",
    "deprecated",
    "$id",
    "$anchor",
];

/// Whether the declared schema's value of `keyword` survives an update.
fn kept(keyword: &str) -> bool {
    KEPT.contains(&keyword) || (keyword.starts_with("x-") && !SOURCE_KEYWORDS.contains(&keyword))
}

/// Keywords compared field by field (everything but annotations and the keywords
/// holding subschemas, which are walked).
fn compared(keyword: &str) -> bool {
    !kept(keyword)
        && !matches!(
            keyword,
            "properties" | "items" | "required" | "x-source" | "$schema"
        )
}

/// What changed in one field.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The source has a field the declared schema lacked.
    Added,
    /// The declared schema had a field the source no longer has.
    Removed,
    /// A keyword's value differs (`None`: absent on that side).
    Keyword {
        /// The keyword.
        keyword: String,
        /// Its value in the declared schema.
        before: Option<Value>,
        /// Its value in the imported schema.
        after: Option<Value>,
    },
    /// The field became required (`true`) or optional (`false`).
    Required(bool),
}

/// One change an update makes, for the short human diff `--update` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The field, as a dotted path (`address.street`, `tags[]`; empty for the record).
    pub field: String,
    /// What changed.
    pub change: Change,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = if self.field.is_empty() {
            "(record)"
        } else {
            &self.field
        };
        let shown = |v: &Option<Value>| v.as_ref().map_or("(none)".to_owned(), Value::to_string);
        match &self.change {
            Change::Added => write!(f, "+ {field}: added"),
            Change::Removed => write!(f, "- {field}: removed"),
            Change::Required(true) => write!(f, "~ {field}: now required"),
            Change::Required(false) => write!(f, "~ {field}: no longer required"),
            Change::Keyword {
                keyword,
                before,
                after,
            } => write!(
                f,
                "~ {field}: {keyword} {} → {}",
                shown(before),
                shown(after)
            ),
        }
    }
}

/// The declared schema `existing` rewritten from `imported`: `imported`'s limits with
/// `existing`'s annotations, per property; and what changed, field by field.
#[must_use]
pub fn merge(existing: &Value, imported: &Value) -> (Value, Vec<FieldChange>) {
    let mut changes = Vec::new();
    let merged = merge_at(existing, imported, "", &mut changes);
    (merged, changes)
}

/// A system's schema file rewritten from an imported schema, not yet written.
#[derive(Debug, Clone)]
pub struct Update {
    /// The system's id.
    pub system: String,
    /// The schema file, as the pipeline resolves it.
    pub path: PathBuf,
    /// The new content.
    pub schema: Value,
    /// What changed, field by field.
    pub changes: Vec<FieldChange>,
}

impl Update {
    /// Writes the schema file (pretty JSON, two-space indents, a final newline).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write(&self) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(&self.schema)
            .map_err(|e| Error::new(ErrorKind::Json, format!("cannot write the schema: {e}")))?;
        text.push('\n');
        std::fs::write(&self.path, text).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!(
                    "cannot write {}: {}",
                    self.path.display(),
                    crate::error::io_reason(&e)
                ),
            )
            .in_file(&self.path)
        })
    }
}

impl Update {
    /// [`Update::write`], then loads the pipeline at `pipeline` again: when it no longer
    /// loads (a flow reads a field the new schema lacks …), the old file is put back and
    /// the pipeline's errors are returned.
    ///
    /// # Errors
    /// The file cannot be read or written, or the pipeline does not load with it.
    pub fn apply(&self, pipeline: &Path) -> Result<(), Errors> {
        let old = std::fs::read(&self.path).map_err(|e| Error::io(&self.path, &e))?;
        self.write()?;
        match crate::pipeline::load(pipeline) {
            Ok(_) => Ok(()),
            Err(mut errors) => {
                std::fs::write(&self.path, old).map_err(|e| Error::io(&self.path, &e))?;
                errors.push(
                    Error::new(
                        ErrorKind::Usage,
                        format!(
                            "{} is left as it was: the pipeline does not load with the imported schema",
                            self.path.display()
                        ),
                    )
                    .in_file(&self.path)
                    .help("declare the missing fields in the source, or change the flows first"),
                );
                Err(errors)
            }
        }
    }
}

/// The update of `system`'s schema in `pipeline` from `imported` ([`merge`]), checked to
/// load with ripple's own loader before anything is written.
///
/// # Errors
/// An unknown system, or a merged schema ripple cannot load.
pub fn plan(pipeline: &Pipeline, system: &str, imported: &Value) -> Result<Update, Error> {
    let found = pipeline
        .systems
        .iter()
        .find(|s| s.id == system)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownSystem,
                format!("unknown system `{system}`"),
            )
            .help(crate::suggest::help(
                system,
                pipeline.systems.iter().map(|s| s.id.as_str()),
                "systems",
            ))
            .in_file(&pipeline.file.path)
        })?;
    let (schema, changes) = merge(found.schema.raw(), imported);
    SystemSchema::from_value(&found.schema_path, schema.clone())?;
    Ok(Update {
        system: system.to_owned(),
        path: found.schema_path.clone(),
        schema,
        changes,
    })
}

fn merge_at(
    existing: &Value,
    imported: &Value,
    field: &str,
    changes: &mut Vec<FieldChange>,
) -> Value {
    let (Some(old), Some(new)) = (existing.as_object(), imported.as_object()) else {
        return imported.clone();
    };
    compare_keywords(old, new, field, changes);
    compare_required(old, new, field, changes);
    let mut out = Map::new();
    if let Some(v) = new.get("$schema") {
        out.insert("$schema".to_owned(), v.clone());
    }
    for key in ["title", "description", "$comment"] {
        if let Some(v) = old.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    for (key, value) in new {
        let value = match key.as_str() {
            "properties" => merge_properties(old.get(key), value, field, changes),
            "items" => merge_at(
                old.get(key).unwrap_or(&Value::Null),
                value,
                &format!("{field}[]"),
                changes,
            ),
            _ => old.get(key).filter(|_| kept(key)).unwrap_or(value).clone(),
        };
        out.insert(key.clone(), value);
    }
    for (key, value) in old {
        if kept(key) && !out.contains_key(key) {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

fn merge_properties(
    old: Option<&Value>,
    new: &Value,
    field: &str,
    changes: &mut Vec<FieldChange>,
) -> Value {
    let empty = Map::new();
    let old = old.and_then(Value::as_object).unwrap_or(&empty);
    let Some(new) = new.as_object() else {
        return new.clone();
    };
    let path = |name: &str| {
        if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        }
    };
    let mut out = Map::new();
    for (name, schema) in new {
        match old.get(name) {
            Some(before) => {
                out.insert(name.clone(), merge_at(before, schema, &path(name), changes));
            }
            None => {
                changes.push(FieldChange {
                    field: path(name),
                    change: Change::Added,
                });
                out.insert(name.clone(), schema.clone());
            }
        }
    }
    for name in old.keys().filter(|n| !new.contains_key(*n)) {
        changes.push(FieldChange {
            field: path(name),
            change: Change::Removed,
        });
    }
    Value::Object(out)
}

fn compare_keywords(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    field: &str,
    changes: &mut Vec<FieldChange>,
) {
    let keys: Vec<&String> = old
        .keys()
        .chain(new.keys())
        .filter(|k| compared(k))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            continue;
        }
        let (before, after) = (old.get(key), new.get(key));
        if before != after {
            changes.push(FieldChange {
                field: field.to_owned(),
                change: Change::Keyword {
                    keyword: key.clone(),
                    before: before.cloned(),
                    after: after.cloned(),
                },
            });
        }
    }
}

fn compare_required(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    field: &str,
    changes: &mut Vec<FieldChange>,
) {
    let names = |m: &Map<String, Value>| -> Vec<String> {
        m.get("required")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (before, after) = (names(old), names(new));
    let declared = |name: &String| {
        new.get("properties")
            .and_then(|p| p.get(name.as_str()))
            .is_some()
            && old
                .get("properties")
                .and_then(|p| p.get(name.as_str()))
                .is_some()
    };
    let path = |name: &str| {
        if field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        }
    };
    for name in after.iter().filter(|n| !before.contains(n) && declared(n)) {
        changes.push(FieldChange {
            field: path(name),
            change: Change::Required(true),
        });
    }
    for name in before.iter().filter(|n| !after.contains(n) && declared(n)) {
        changes.push(FieldChange {
            field: path(name),
            change: Change::Required(false),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotations_stay_and_limits_follow_the_source() {
        let existing = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Payroll row",
            "description": "kept",
            "type": "object",
            "properties": {
                "login": {"type": "string", "x-maxBytes": 12, "description": "LOGIN", "x-owner": "hr"},
                "street": {"type": "string", "x-maxBytes": 120, "x-pii": true, "examples": ["Main St 1"]},
                "gone": {"type": "string"}
            },
            "required": ["street"]
        });
        let imported = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "EMPLOYEES",
            "type": "object",
            "properties": {
                "login": {"type": "string", "x-maxBytes": 20, "x-source": "E.LOGIN VARCHAR2(20 BYTE)"},
                "street": {"type": ["string", "null"], "x-maxBytes": 120, "x-source": "E.STREET VARCHAR2(120)"},
                "city": {"type": "string", "maxLength": 40}
            },
            "required": ["login"],
            "additionalProperties": false
        });
        let (merged, changes) = merge(&existing, &imported);
        assert_eq!(merged["title"], "Payroll row");
        assert_eq!(merged["description"], "kept");
        assert_eq!(
            merged["properties"]["login"],
            json!({"description": "LOGIN", "type": "string", "x-maxBytes": 20, "x-source": "E.LOGIN VARCHAR2(20 BYTE)", "x-owner": "hr"})
        );
        assert_eq!(merged["properties"]["street"]["x-pii"], true);
        assert_eq!(
            merged["properties"]["street"]["examples"],
            json!(["Main St 1"])
        );
        assert!(merged["properties"].get("gone").is_none());
        let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "~ (record): additionalProperties (none) → false",
                "~ login: now required",
                "~ street: no longer required",
                "~ login: x-maxBytes 12 → 20",
                "~ street: type \"string\" → [\"string\",\"null\"]",
                "+ city: added",
                "- gone: removed",
            ]
        );
    }

    #[test]
    fn nested_objects_and_items_are_walked() {
        let existing = json!({"properties": {"a": {"type": "array", "items": {"type": "string", "x-pii": true}}}});
        let imported = json!({"properties": {"a": {"type": "array", "items": {"type": "string", "maxLength": 5}}}});
        let (merged, changes) = merge(&existing, &imported);
        assert_eq!(
            merged["properties"]["a"]["items"],
            json!({"type": "string", "maxLength": 5, "x-pii": true})
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "a[]");
    }
}
