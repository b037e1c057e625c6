//! An OpenAPI 3.0/3.1 component schema as a standalone JSON Schema 2020-12 (README,
//! "`ripple import openapi`").
//!
//! OpenAPI 3.1 schemas are JSON Schema 2020-12 already; 3.0 schemas are a dialect of
//! draft 4/5 and are rewritten: `nullable: true` adds `null`, boolean
//! `exclusiveMinimum`/`exclusiveMaximum` become numbers, `example` becomes `examples`.
//! In both, `#/components/schemas/X` references move to `#/$defs/X` (with `X` copied
//! there), OpenAPI-only keywords (`discriminator`, `xml`, `externalDocs`) are dropped,
//! and `format: int32`/`int64` add the ranges they name.

use std::path::Path;
use std::sync::Arc;

use indexmap::IndexSet;
use serde_json::{Map, Value, json};

use crate::error::{Error, ErrorKind};
use crate::json_spans::{JsonSpans, escape};
use crate::pipeline::yaml::{self, SpanIndex};
use crate::span::{Location, SourceFile, Span};

use super::DRAFT_2020_12;

/// Keywords OpenAPI has and JSON Schema does not: dropped.
const OPENAPI_ONLY: [&str; 3] = ["discriminator", "xml", "externalDocs"];

/// Keywords whose value is one subschema.
const ONE: [&str; 11] = [
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
];
/// Keywords whose value is an array of subschemas.
const MANY: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to subschemas.
const NAMED: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

const COMPONENTS: &str = "#/components/schemas/";

/// The component schema `name` of the OpenAPI document at `path` (JSON or YAML), as a
/// standalone JSON Schema 2020-12.
///
/// # Errors
/// An unreadable or malformed file (located), a document that is not OpenAPI 3.x, no
/// component schema `name`, or a `$ref` that points outside the component schemas
/// (located).
pub fn import_openapi(path: &Path, name: &str) -> Result<Value, Error> {
    let file = super::read_source(path)?;
    import_openapi_file(&file, name)
}

/// [`import_openapi`] on a file already read.
///
/// # Errors
/// As [`import_openapi`].
pub fn import_openapi_file(file: &Arc<SourceFile>, name: &str) -> Result<Value, Error> {
    let doc = Document::parse(file)?;
    let v30 = doc.version()?;
    let schemas = doc
        .value
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let Some(schema) = schemas.and_then(|s| s.get(name)) else {
        let names = schemas
            .map(|s| s.keys().map(String::as_str).collect::<Vec<_>>())
            .unwrap_or_default();
        return Err(Error::new(
            ErrorKind::Usage,
            format!("no component schema `{name}` in {}", file.path.display()),
        )
        .help(crate::suggest::help(
            name,
            names.iter().copied(),
            "component schemas",
        ))
        .in_file(&file.path));
    };
    let mut converter = Converter {
        doc: &doc,
        v30,
        wanted: IndexSet::new(),
    };
    let pointer = format!("/components/schemas/{}", escape(name));
    let root = converter.schema(schema, &pointer)?;
    let mut defs = Map::new();
    let mut i = 0;
    while let Some(def) = converter.wanted.get_index(i).cloned() {
        i += 1;
        let pointer = format!("/components/schemas/{}", escape(&def));
        let Some(found) = doc.value.pointer(&pointer) else {
            continue;
        };
        let converted = converter.schema(found, &pointer)?;
        defs.insert(def, converted);
    }
    Ok(standalone(root, defs, name, &file.path))
}

/// The converted schema headed by `$schema`, a `title` and an `x-source`, with `$defs`.
fn standalone(root: Value, defs: Map<String, Value>, name: &str, path: &Path) -> Value {
    let mut out = Map::new();
    out.insert("$schema".into(), json!(DRAFT_2020_12));
    let body = match root {
        Value::Object(map) => map,
        // A boolean schema.
        other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
    };
    if !body.contains_key("title") {
        out.insert("title".into(), json!(name));
    }
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    out.insert(
        "x-source".into(),
        json!(format!("{file}{COMPONENTS}{name}")),
    );
    for (k, v) in body {
        if k != "$schema" {
            out.insert(k, v);
        }
    }
    if !defs.is_empty() {
        out.insert("$defs".into(), Value::Object(defs));
    }
    Value::Object(out)
}

enum Spans {
    Yaml(SpanIndex),
    Json(JsonSpans),
}

/// The parsed document and where each value stands in its file.
struct Document<'f> {
    file: &'f Arc<SourceFile>,
    value: Value,
    spans: Spans,
}

impl<'f> Document<'f> {
    fn parse(file: &'f Arc<SourceFile>) -> Result<Self, Error> {
        let json = file.text.trim_start().starts_with('{');
        if json {
            let value =
                serde_json::from_str(&file.text).map_err(|e| crate::span::json_error(file, &e))?;
            let spans = Spans::Json(JsonSpans::scan(file));
            Ok(Self { file, value, spans })
        } else {
            let (value, index) = yaml::parse(file)?;
            Ok(Self {
                file,
                value,
                spans: Spans::Yaml(index),
            })
        }
    }

    fn span(&self, pointer: &str) -> Span {
        match &self.spans {
            Spans::Yaml(index) => index.value(pointer),
            Spans::Json(spans) => spans.value(pointer),
        }
    }

    fn error(&self, pointer: &str, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(kind, message).at(Location::new(self.file, self.span(pointer)))
    }

    /// Whether the document is OpenAPI 3.0 (`true`) or 3.1 (`false`).
    fn version(&self) -> Result<bool, Error> {
        match self.value.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0") => Ok(true),
            Some(v) if v.starts_with("3.") => Ok(false),
            Some(v) => Err(self
                .error(
                    "/openapi",
                    ErrorKind::Format,
                    format!("OpenAPI {v} is not supported"),
                )
                .help("ripple reads OpenAPI 3.0 and 3.1")),
            None if self.value.get("swagger").is_some() => Err(self
                .error(
                    "/swagger",
                    ErrorKind::Format,
                    "Swagger 2.0 is not supported",
                )
                .help("convert the document to OpenAPI 3 first")),
            None => Err(Error::new(
                ErrorKind::Format,
                "not an OpenAPI document: there is no `openapi` version",
            )
            .in_file(&self.file.path)),
        }
    }
}

struct Converter<'d> {
    doc: &'d Document<'d>,
    v30: bool,
    /// Component schemas referenced so far, to copy into `$defs`.
    wanted: IndexSet<String>,
}

impl Converter<'_> {
    /// One schema (at `pointer` in the document) converted.
    fn schema(&mut self, schema: &Value, pointer: &str) -> Result<Value, Error> {
        let Some(map) = schema.as_object() else {
            return Ok(schema.clone());
        };
        let mut out = Map::new();
        for (key, value) in map {
            let at = format!("{pointer}/{}", escape(key));
            let converted = match key.as_str() {
                k if OPENAPI_ONLY.contains(&k) => continue,
                "nullable" | "example" => continue,
                "exclusiveMinimum" | "exclusiveMaximum" if self.v30 => continue,
                "$ref" => self.reference(value, &at)?,
                k if ONE.contains(&k) => self.schema(value, &at)?,
                k if MANY.contains(&k) => match value.as_array() {
                    Some(items) => Value::Array(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| self.schema(s, &format!("{at}/{i}")))
                            .collect::<Result<_, _>>()?,
                    ),
                    None => value.clone(),
                },
                k if NAMED.contains(&k) => self.named(value, &at)?,
                _ => value.clone(),
            };
            out.insert(key.clone(), converted);
        }
        self.openapi_keywords(map, &mut out);
        Ok(Value::Object(out))
    }

    fn named(&mut self, value: &Value, pointer: &str) -> Result<Value, Error> {
        let Some(map) = value.as_object() else {
            return Ok(value.clone());
        };
        let mut out = Map::new();
        for (name, schema) in map {
            let at = format!("{pointer}/{}", escape(name));
            out.insert(name.clone(), self.schema(schema, &at)?);
        }
        Ok(Value::Object(out))
    }

    /// `#/components/schemas/X` → `#/$defs/X`; other references cannot be followed.
    fn reference(&mut self, value: &Value, pointer: &str) -> Result<Value, Error> {
        let Some(target) = value.as_str() else {
            return Ok(value.clone());
        };
        let Some(name) = target.strip_prefix(COMPONENTS) else {
            return Err(self
                .doc
                .error(
                    pointer,
                    ErrorKind::Schema,
                    format!("`$ref: {target}` is not a component schema of this document"),
                )
                .help("ripple imports references to `#/components/schemas/…` only"));
        };
        let unescaped = name.replace("~1", "/").replace("~0", "~");
        if self
            .doc
            .value
            .pointer(&format!("/components/schemas/{name}"))
            .is_none()
        {
            return Err(self.doc.error(
                pointer,
                ErrorKind::Schema,
                format!("`$ref: {target}` names no component schema"),
            ));
        }
        self.wanted.insert(unescaped);
        Ok(json!(format!("#/$defs/{name}")))
    }

    /// `example`, and for 3.0 `nullable` and the boolean exclusive bounds; `format:
    /// int32`/`int64` ranges.
    fn openapi_keywords(&self, map: &Map<String, Value>, out: &mut Map<String, Value>) {
        if let Some(example) = map.get("example") {
            let mut examples = out
                .get("examples")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            examples.push(example.clone());
            out.insert("examples".into(), Value::Array(examples));
        }
        if self.v30 {
            exclusive_bounds(map, out);
        }
        // 3.0's; 3.1 dropped it, but a document that still says it means it.
        if map.get("nullable") == Some(&Value::Bool(true)) {
            nullable(out);
        }
        let range = match map.get("format").and_then(Value::as_str) {
            Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
            Some("int64") => Some((i64::MIN, i64::MAX)),
            _ => None,
        };
        if let Some((min, max)) = range {
            if !out.contains_key("minimum") && !out.contains_key("exclusiveMinimum") {
                out.insert("minimum".into(), json!(min));
            }
            if !out.contains_key("maximum") && !out.contains_key("exclusiveMaximum") {
                out.insert("maximum".into(), json!(max));
            }
        }
    }
}

/// 3.0's `exclusiveMinimum: true` (with `minimum`) is 2020-12's `exclusiveMinimum: n`.
fn exclusive_bounds(map: &Map<String, Value>, out: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(flag) {
            Some(Value::Bool(true)) => {
                if let Some(n) = out.remove(bound) {
                    out.insert(flag.to_owned(), n);
                }
            }
            // A number already (a 3.1 habit in a 3.0 file): keep it.
            Some(n @ Value::Number(_)) => {
                out.insert(flag.to_owned(), n.clone());
            }
            _ => {}
        }
    }
}

/// 3.0's `nullable: true`: `null` joins `type` and `enum`; a `$ref` or a schema without
/// `type` becomes `anyOf` itself or `null`.
fn nullable(out: &mut Map<String, Value>) {
    if out.contains_key("type") {
        super::allow_null(out);
        return;
    }
    if out.contains_key("$ref") || out.contains_key("allOf") || out.contains_key("oneOf") {
        let inner = std::mem::take(out);
        out.insert(
            "anyOf".into(),
            json!([Value::Object(inner), {"type": "null"}]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(text: &str, name: &str) -> Result<Value, Error> {
        let file = SourceFile::new("api.yaml", text);
        import_openapi_file(&file, name)
    }

    const V30: &str = r"openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Customer:
      type: object
      required: [name]
      discriminator: {propertyName: kind}
      xml: {name: customer}
      externalDocs: {url: 'https://example.com'}
      properties:
        name: {type: string, maxLength: 40, example: Matti}
        nick: {type: string, nullable: true, enum: [a, b]}
        age: {type: integer, format: int32, minimum: 0, exclusiveMinimum: true}
        address: {$ref: '#/components/schemas/Address'}
        old: {$ref: '#/components/schemas/Address', nullable: true}
        id: {type: string, readOnly: true}
    Address:
      type: object
      properties:
        street: {type: string, maxLength: 35}
        next: {$ref: '#/components/schemas/Address'}
";

    #[test]
    fn openapi_30_is_rewritten() {
        let v = convert(V30, "Customer").unwrap_or_default();
        assert_eq!(v["$schema"], DRAFT_2020_12);
        assert_eq!(v["title"], "Customer");
        assert_eq!(v["x-source"], "api.yaml#/components/schemas/Customer");
        assert!(v.get("discriminator").is_none() && v.get("xml").is_none());
        assert!(v.get("externalDocs").is_none());
        let p = &v["properties"];
        assert_eq!(
            p["name"],
            json!({"type": "string", "maxLength": 40, "examples": ["Matti"]})
        );
        assert_eq!(
            p["nick"],
            json!({"type": ["string", "null"], "enum": ["a", "b", null]})
        );
        assert_eq!(
            p["age"],
            json!({"type": "integer", "format": "int32", "exclusiveMinimum": 0, "maximum": 2_147_483_647})
        );
        assert_eq!(p["address"], json!({"$ref": "#/$defs/Address"}));
        assert_eq!(
            p["old"],
            json!({"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}]})
        );
        assert_eq!(p["id"]["readOnly"], true);
        assert_eq!(
            v["$defs"]["Address"]["properties"]["next"]["$ref"],
            "#/$defs/Address"
        );
    }

    #[test]
    fn openapi_31_keeps_json_schema_keywords() {
        let text = r#"{"openapi": "3.1.0", "components": {"schemas": {"A": {"type": ["string", "null"], "exclusiveMinimum": 3, "example": "x", "examples": ["y"]}}}}"#;
        let file = SourceFile::new("api.json", text);
        let v = import_openapi_file(&file, "A").unwrap_or_default();
        assert_eq!(v["type"], json!(["string", "null"]));
        assert_eq!(v["exclusiveMinimum"], 3);
        assert_eq!(v["examples"], json!(["y", "x"]));
    }

    #[test]
    fn errors_are_located_or_suggest() {
        let err = convert(V30, "Customers").err();
        assert_eq!(
            err.and_then(|e| e.help),
            Some("did you mean `Customer`?".into())
        );
        let bad = "openapi: 3.0.0\ncomponents:\n  schemas:\n    A:\n      $ref: 'other.yaml#/A'\n";
        let err = convert(bad, "A").err();
        let at = err
            .and_then(|e| e.location)
            .map(|l| (l.span.line, l.span.column));
        assert_eq!(at, Some((5, 13)));
        let swagger = convert("swagger: '2.0'\n", "A").err().map(|e| e.message);
        assert_eq!(swagger.as_deref(), Some("Swagger 2.0 is not supported"));
        let broken = convert("openapi: [3\n", "A").err().map(|e| e.kind);
        assert_eq!(broken, Some(ErrorKind::Yaml));
    }
}
