//! Checking a schema document before it is compiled (README, "System schemas"), so that
//! mistakes are reported at their place in the user's file: values the JSON Schema
//! meta-schema rejects (`"maxLength": "35"`), bad values of ripple's own keywords, and
//! keywords nobody knows (`maxLenght`), which JSON Schema silently ignores and ripple
//! reports as warnings.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Warning, WarningKind};
use crate::json_spans::JsonSpans;
use crate::span::{Location, SourceFile};
use crate::suggest;
use crate::text::{describe, shorten};

/// Keywords of JSON Schema 2020-12, 2019-09 and draft-07 (and the draft-04/06 spellings
/// jsonschema still honours).
pub(super) const KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "id",
    "$ref",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "$comment",
    "$defs",
    "definitions",
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    "dependencies",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "prefixItems",
    "items",
    "additionalItems",
    "contains",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "dependentSchemas",
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
];

/// Keywords whose value is one schema.
const ONE_SCHEMA: &[&str] = &[
    "additionalProperties",
    "additionalItems",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
    "items",
];
/// Keywords whose value is an object of schemas.
const SCHEMA_MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// The JSON Schema type names.
const TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];

const DEPTH: usize = 128;

/// One schema document (the system's schema or a file it `$ref`s), with its text when it
/// was read from a file, for locating problems.
pub(super) struct Doc {
    /// The path as shown to the user.
    pub(super) path: PathBuf,
    /// The text, when known.
    pub(super) file: Option<Arc<SourceFile>>,
    spans: OnceLock<JsonSpans>,
}

impl Doc {
    /// A document at `path`, with its text when known.
    pub(super) fn new(path: PathBuf, file: Option<Arc<SourceFile>>) -> Self {
        Self {
            path,
            file,
            spans: OnceLock::new(),
        }
    }

    /// Where the value at `pointer` (or its key, with `key`) stands.
    pub(super) fn locate(&self, pointer: &str, key: bool) -> Option<Location> {
        let file = self.file.as_ref()?;
        let spans = self.spans.get_or_init(|| JsonSpans::scan(file));
        let span = if key {
            spans.key(pointer)
        } else {
            spans.value(pointer)
        };
        Some(Location::new(file, span))
    }

    /// A schema error at `pointer`, located when the text is known.
    pub(super) fn error(&self, pointer: &str, message: String, key: bool) -> Error {
        let error = Error::new(ErrorKind::Schema, message).label(format!("at {}", shown(pointer)));
        match self.locate(pointer, key) {
            Some(location) => error.at(location),
            None => error.in_file(&self.path),
        }
    }
}

fn shown(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the root"
    } else {
        pointer
    }
}

/// Which meta-schema a document follows: its own `$schema`, else the system schema's.
pub(super) fn meta_validator(
    doc: &Value,
    root: &Value,
) -> jsonschema::meta::MetaValidator<'static> {
    let declared = |v: &Value| v.get("$schema").and_then(Value::as_str).map(str::to_owned);
    let uri = declared(doc).or_else(|| declared(root)).unwrap_or_default();
    if uri.contains("draft-07") {
        jsonschema::draft7::meta::validator()
    } else if uri.contains("draft-06") {
        jsonschema::draft6::meta::validator()
    } else if uri.contains("draft-04") {
        jsonschema::draft4::meta::validator()
    } else if uri.contains("2019-09") {
        jsonschema::draft201909::meta::validator()
    } else {
        jsonschema::draft202012::meta::validator()
    }
}

/// Checks `value` against the meta-schema and ripple's keywords; collects unknown
/// keywords as warnings.
///
/// # Errors
/// The first value the meta-schema rejects, or a bad value of a ripple keyword, with a
/// plain cause, located at its place in the document.
pub(super) fn check(
    doc: &Doc,
    value: &Value,
    root: &Value,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let validator = meta_validator(value, root);
    if !validator.is_valid(value)
        && let Some(e) = validator.iter_errors(value).next()
    {
        let pointer = e.instance_path().as_str().to_owned();
        let (message, help) =
            cause(value, &pointer).unwrap_or_else(|| (shorten(&e.to_string()), None));
        let mut error = doc.error(&pointer, format!("invalid JSON Schema: {message}"), false);
        if let Some(help) = help {
            error = error.help(help);
        }
        return Err(error);
    }
    let mut first_error = None;
    visit(value, &mut String::new(), 0, &mut |pointer, map| {
        for (key, child) in map {
            let at = format!("{pointer}/{}", crate::json_spans::escape(key));
            if let Some(message) = ripple_keyword(key, child) {
                first_error.get_or_insert_with(|| doc.error(&at, message, false));
            } else if !key.starts_with("x-") && !KEYWORDS.contains(&key.as_str()) {
                warnings.push(unknown_keyword(doc, &at, key));
            }
        }
    });
    first_error.map_or(Ok(()), Err)
}

fn unknown_keyword(doc: &Doc, pointer: &str, key: &str) -> Warning {
    let help = match suggest::closest(key, KEYWORDS.iter().copied()) {
        Some(best) => {
            format!("did you mean `{best}`? Keywords of your own need an `x-` prefix (`x-{key}`)")
        }
        None => format!(
            "JSON Schema ignores keywords it does not know; keywords of your own need an `x-` prefix (`x-{key}`)"
        ),
    };
    let location = doc.locate(pointer, true);
    Warning {
        kind: WarningKind::UnknownKeyword,
        message: format!("unknown keyword `{key}` is ignored"),
        file: Some(doc.path.clone()),
        location,
        label: Some(format!("at {pointer}")),
        help: Some(help),
    }
}

/// Calls `f` with every schema object in `value` and its pointer.
fn visit(
    value: &Value,
    pointer: &mut String,
    depth: usize,
    f: &mut dyn FnMut(&str, &Map<String, Value>),
) {
    let Value::Object(map) = value else {
        return;
    };
    if depth > DEPTH {
        return;
    }
    f(pointer, map);
    let len = pointer.len();
    for (key, child) in map {
        pointer.push('/');
        pointer.push_str(&crate::json_spans::escape(key));
        let key = key.as_str();
        match child {
            Value::Object(members) if SCHEMA_MAP.contains(&key) => {
                let inner = pointer.len();
                for (name, sub) in members {
                    pointer.push('/');
                    pointer.push_str(&crate::json_spans::escape(name));
                    visit(sub, pointer, depth + 1, f);
                    pointer.truncate(inner);
                }
            }
            Value::Array(items) if SCHEMA_LIST.contains(&key) || key == "items" => {
                let inner = pointer.len();
                for (i, sub) in items.iter().enumerate() {
                    pointer.push_str(&format!("/{i}"));
                    visit(sub, pointer, depth + 1, f);
                    pointer.truncate(inner);
                }
            }
            _ if ONE_SCHEMA.contains(&key) => visit(child, pointer, depth + 1, f),
            _ => {}
        }
        pointer.truncate(len);
    }
}

/// What is wrong with a value of one of ripple's keywords, if anything.
fn ripple_keyword(key: &str, value: &Value) -> Option<String> {
    match key {
        "x-maxBytes" if value.as_u64().is_none() => Some(format!(
            "x-maxBytes must be a non-negative integer, found {}",
            describe(value)
        )),
        "x-charset" if value.as_str().and_then(super::Charset::from_name).is_none() => {
            Some(format!(
                "x-charset must be one of ascii, latin1, utf8mb3, found {}",
                describe(value)
            ))
        }
        "x-encoding"
            if value
                .as_str()
                .and_then(super::Encoding::from_name)
                .is_none() =>
        {
            Some(format!(
                "x-encoding must be one of utf-8, utf-16, latin1, cp1252, found {}",
                crate::text::describe(value)
            ))
        }
        "x-pii" if !value.is_boolean() => Some(format!(
            "x-pii must be true or false, found {}",
            describe(value)
        )),
        _ => None,
    }
}

/// Whether the last segment of `pointer` is a keyword (rather than a property name, a
/// list index, or something inside a keyword's value).
fn keyword_position(segments: &[String]) -> bool {
    #[derive(Clone, Copy)]
    enum At {
        Schema,
        Map,
        List,
        Other,
    }
    let mut at = At::Schema;
    for (i, seg) in segments.iter().enumerate() {
        if i + 1 == segments.len() {
            return matches!(at, At::Schema);
        }
        let s = seg.as_str();
        at = match at {
            At::Schema if SCHEMA_MAP.contains(&s) => At::Map,
            At::Schema if SCHEMA_LIST.contains(&s) || s == "items" => At::List,
            At::Schema if ONE_SCHEMA.contains(&s) => At::Schema,
            At::Map | At::List => At::Schema,
            At::Schema | At::Other => At::Other,
        };
        if matches!(at, At::List) && s == "items" {
            // `items` is one schema, or (draft-07) a list of them: the next segment says.
            let next_is_index = segments
                .get(i + 1)
                .is_some_and(|n| n.parse::<usize>().is_ok());
            if !next_is_index {
                at = At::Schema;
            }
        }
    }
    false
}

/// A plain cause for a value the meta-schema rejects at `pointer`, and a help line.
fn cause(doc: &Value, pointer: &str) -> Option<(String, Option<String>)> {
    let value = doc.pointer(pointer)?;
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let last = segments.last()?;
    if keyword_position(&segments) {
        return keyword_cause(last, value);
    }
    let parent = segments.len().checked_sub(2).and_then(|i| segments.get(i));
    let parent_is_keyword =
        keyword_position(&segments[..segments.len().saturating_sub(1)]) && parent.is_some();
    match parent.map(String::as_str) {
        Some("type") if parent_is_keyword => type_cause(value, " in the list"),
        Some("required") if parent_is_keyword => Some((
            format!(
                "required must list property names as strings, found {}",
                describe(value)
            ),
            None,
        )),
        _ if !value.is_object() && !value.is_boolean() => Some((
            format!(
                "a schema must be an object or a boolean, found {}",
                describe(value)
            ),
            None,
        )),
        _ => None,
    }
}

fn keyword_cause(keyword: &str, value: &Value) -> Option<(String, Option<String>)> {
    let must = match keyword {
        "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties" | "minProperties"
        | "maxContains" | "minContains" => "be a non-negative integer",
        "maximum" | "minimum" | "exclusiveMaximum" | "exclusiveMinimum" => "be a number",
        "multipleOf" => "be a number greater than 0",
        "type" => return type_cause(value, ""),
        "pattern" | "format" | "$ref" | "$id" | "$schema" | "$anchor" | "$comment" | "title"
        | "description" | "contentMediaType" | "contentEncoding" => "be a string",
        "required" => "be a list of property names",
        "uniqueItems" | "readOnly" | "writeOnly" | "deprecated" => "be true or false",
        "allOf" | "anyOf" | "oneOf" | "prefixItems" => "be a non-empty list of schemas",
        "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
            "be an object whose values are schemas"
        }
        "enum" => "be a list",
        "items"
        | "additionalProperties"
        | "not"
        | "if"
        | "then"
        | "else"
        | "contains"
        | "propertyNames" => "be a schema (an object or a boolean)",
        _ => return None,
    };
    Some((
        format!("{keyword} must {must}, found {}", describe(value)),
        None,
    ))
}

fn type_cause(value: &Value, within: &str) -> Option<(String, Option<String>)> {
    let names = TYPES.join(", ");
    match value {
        Value::String(s) => Some((
            format!(
                "type must be one of {names}, found \"{}\"{within}",
                shorten(s)
            ),
            suggest::closest(s, TYPES.iter().copied()).map(|t| format!("did you mean `{t}`?")),
        )),
        Value::Array(items) => items.iter().find_map(|item| match item {
            Value::String(s) if TYPES.contains(&s.as_str()) => None,
            other => type_cause(other, " in the list"),
        }),
        other => Some((
            format!(
                "type must be a type name ({names}) or a list of them, found {}",
                describe(other)
            ),
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check_text(text: &str) -> (Result<(), Error>, Vec<Warning>) {
        let file = SourceFile::new("s.json", text);
        let value: Value = serde_json::from_str(text).unwrap_or_default();
        let doc = Doc::new(PathBuf::from("s.json"), Some(file));
        let mut warnings = Vec::new();
        (check(&doc, &value, &value, &mut warnings), warnings)
    }

    fn at(e: &Error) -> Option<(usize, usize)> {
        e.location.as_ref().map(|l| (l.span.line, l.span.column))
    }

    #[test]
    fn a_bad_max_length_is_located_in_the_users_file() {
        let (r, _) = check_text("{\"properties\": {\n  \"name\": {\"maxLength\": \"35\"}}}");
        let e = r.err();
        assert_eq!(
            e.as_ref().map(|e| e.message.as_str()),
            Some(
                "invalid JSON Schema: maxLength must be a non-negative integer, found the string \"35\""
            )
        );
        assert_eq!(e.as_ref().and_then(at), Some((2, 25)));
        assert_eq!(
            e.and_then(|e| e.label),
            Some("at /properties/name/maxLength".into())
        );
    }

    #[test]
    fn a_misspelt_type_suggests_the_right_one() {
        let (r, _) = check_text(r#"{"type": "object", "properties": {"a": {"type": ["strnig"]}}}"#);
        let e = r.err();
        assert!(
            e.as_ref().is_some_and(|e| e.message.ends_with(
                "type must be one of array, boolean, integer, null, number, object, string, found \"strnig\" in the list"
            )),
            "{e:?}"
        );
        assert_eq!(
            e.and_then(|e| e.help),
            Some("did you mean `string`?".into())
        );
    }

    #[test]
    fn property_names_are_not_keywords() {
        let (r, w) = check_text(
            r#"{"properties": {"maxLenght": {"type": "string", "maxLenght": 3}, "type": {"enum": [{"bogus": 1}]}}, "x-mine": 1}"#,
        );
        assert!(r.is_ok(), "{r:?}");
        let w: Vec<_> = w
            .iter()
            .map(|w| w.label.clone().unwrap_or_default())
            .collect();
        assert_eq!(w, ["at /properties/maxLenght/maxLenght"]);
        let (r, _) = check_text(r#"{"properties": {"maxLength": 3}}"#);
        assert_eq!(
            r.err().map(|e| e.message),
            Some(
                "invalid JSON Schema: a schema must be an object or a boolean, found the number 3"
                    .into()
            )
        );
    }

    #[test]
    fn unknown_keywords_warn_with_a_suggestion() {
        let (r, w) =
            check_text("{\n  \"maxLenght\": 35,\n  \"prefixItems\": [{\"tpye\": \"string\"}]\n}");
        assert!(r.is_ok());
        assert_eq!(w.len(), 2);
        assert_eq!(
            w[0].location.as_ref().map(|l| (l.span.line, l.span.column)),
            Some((2, 3))
        );
        assert!(
            w[0].help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean `maxLength`?")),
            "{:?}",
            w[0].help
        );
        assert_eq!(w[1].label.as_deref(), Some("at /prefixItems/0/tpye"));
    }

    #[test]
    fn ripple_keywords_are_checked() {
        let (r, _) = check_text(r#"{"properties": {"a": {"x-charset": "utf8"}}}"#);
        assert_eq!(
            r.err().map(|e| e.message),
            Some(
                "x-charset must be one of ascii, latin1, utf8mb3, found the string \"utf8\"".into()
            )
        );
        assert_eq!(
            keyword_cause("minimum", &json!("x")).map(|c| c.0),
            Some("minimum must be a number, found the string \"x\"".into())
        );
    }
}
