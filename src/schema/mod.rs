//! System schemas (README, "System schemas"): JSON Schema documents compiled once, validated many times.
//!
//! Draft 2020-12 unless `$schema` says draft-07; `format` is asserted; ripple's own
//! keywords (`x-maxBytes`, `x-charset`, `x-pii`) are registered as custom keywords; `$ref`s
//! resolve relative to the schema file and never over the network.

mod keywords;
mod leaf;
mod lint;
mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonschema::error::ValidationErrorKind;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Warning};
use crate::span::SourceFile;
use crate::text::{escape, plural, shorten};

pub use keywords::{CP1252_HIGH, Charset, Encoding};

/// The options every value is judged with, in `validate` and wherever ripple asks the real
/// validator about a value (a `default()` fallback, a branch): formats asserted, patterns
/// in the `regex` engine, ripple's own keywords (README, "System schemas").
pub(crate) fn validator_options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .should_validate_formats(true)
        .with_pattern_options(jsonschema::PatternOptions::regex())
        .with_keyword("x-maxBytes", keywords::max_bytes)
        .with_keyword("x-charset", keywords::charset)
        .with_keyword("x-encoding", keywords::encoding)
        .with_keyword("x-pii", keywords::pii)
}
pub use leaf::{Conditional, Keyword, Leaf, TypeName, TypeSet};

/// A value a schema rejects, in ripple's terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaViolation {
    /// JSON Pointer of the rejected value in the instance (`""` for the root).
    pub pointer: String,
    /// The keyword that rejects it (`maxLength`, `x-maxBytes`, `required`, …).
    pub keyword: String,
    /// The keyword's value in the schema (for `required`, the missing property's name).
    pub limit: Value,
    /// What is wrong, without the value (`is longer than 8 characters (10)`): the value
    /// goes in front, or the mask when it is personal.
    pub message: String,
    /// What in the value is wrong, when that quotes part of it (the character outside a
    /// charset); left out wherever the value is masked.
    pub detail: Option<String>,
    /// Where the keyword sits in the schema.
    pub schema_path: String,
}

/// Most pointers [`SystemSchema::is_pii`] remembers.
const PII_CACHE: usize = 4096;

/// A compiled system schema and the raw documents it was built from.
#[derive(Debug)]
pub struct SystemSchema {
    path: PathBuf,
    /// The absolute path, against which `$ref`s resolve.
    abs: PathBuf,
    raw: Value,
    /// Documents reachable through `$ref`, by canonical path, for walking subschemas.
    docs: HashMap<PathBuf, Value>,
    validator: jsonschema::Validator,
    /// [`SystemSchema::leaf`] results by pointer: `check` asks for the same fields again
    /// and again.
    leaves: std::sync::RwLock<rustc_hash::FxHashMap<String, std::sync::Arc<Leaf>>>,
    /// [`SystemSchema::is_pii`] results by pointer: validation asks it for every field of
    /// every record it reports on.
    pii: std::sync::RwLock<rustc_hash::FxHashMap<String, bool>>,
    /// Unknown keywords found while loading.
    warnings: Vec<Warning>,
}

impl SystemSchema {
    /// Reads, parses and compiles the schema at `path`; a leading byte order mark is
    /// ignored.
    ///
    /// # Errors
    /// Unreadable file, invalid JSON (located), an invalid schema (located at the
    /// offending keyword, in the schema file or in a file it `$ref`s) or a `$ref` that does
    /// not resolve locally.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        let file = SourceFile::new(path, crate::text::strip_bom(text));
        let raw: Value =
            serde_json::from_str(&file.text).map_err(|e| crate::span::json_error(&file, &e))?;
        Self::build(path, raw, Some(file))
    }

    /// Compiles an already parsed schema document that lives at `path`.
    ///
    /// # Errors
    /// As [`SystemSchema::load`], without the parsing; errors in this document name the
    /// file and the pointer but no line.
    pub fn from_value(path: &Path, raw: Value) -> Result<Self, Error> {
        Self::build(path, raw, None)
    }

    fn build(path: &Path, raw: Value, file: Option<Arc<SourceFile>>) -> Result<Self, Error> {
        let absolute =
            walk::normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        let base = url::Url::from_file_path(&absolute)
            .map(|u| u.to_string())
            .unwrap_or_else(|()| format!("file://{}", absolute.display()));
        let root = lint::Doc::new(path.to_path_buf(), file);
        let mut warnings = Vec::new();
        lint::check(&root, &raw, &raw, &mut warnings)?;
        let mut docs = HashMap::new();
        let mut loaded = Vec::new();
        walk::load_refs(&root, &absolute, &raw, &mut docs, &mut loaded)?;
        for (doc, abs) in &loaded {
            if let Some(value) = docs.get(abs) {
                lint::check(doc, value, &raw, &mut warnings)?;
            }
        }
        let validator = validator_options()
            .with_base_uri(base)
            .build(&raw)
            .map_err(|e| {
                let pointer = e.instance_path().as_str();
                let message = format!("invalid JSON Schema: {}", shorten(&e.to_string()));
                if raw.pointer(pointer).is_some() {
                    root.error(pointer, message, false)
                } else {
                    Error::new(ErrorKind::Schema, message).in_file(path)
                }
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            abs: absolute,
            raw,
            docs,
            validator,
            leaves: std::sync::RwLock::new(rustc_hash::FxHashMap::default()),
            pii: std::sync::RwLock::new(rustc_hash::FxHashMap::default()),
            warnings,
        })
    }

    /// Keywords in this schema and the files it `$ref`s that are neither JSON Schema's nor
    /// ripple's (README, "System schemas"): JSON Schema ignores them.
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The schema file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema document.
    #[must_use]
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Whether `instance` satisfies the schema.
    #[must_use]
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// Every violation, sorted by pointer then keyword.
    #[must_use]
    pub fn validate(&self, instance: &Value) -> Vec<SchemaViolation> {
        if self.validator.is_valid(instance) {
            return Vec::new();
        }
        let mut out: Vec<SchemaViolation> = self
            .validator
            .iter_errors(instance)
            .map(|e| violation(&self.raw, &e))
            .collect();
        out.sort_by(|a, b| (&a.pointer, &a.keyword).cmp(&(&b.pointer, &b.keyword)));
        out.dedup_by(|a, b| a.pointer == b.pointer && a.keyword == b.keyword && a.limit == b.limit);
        out
    }

    /// The subschemas that apply to the field at `pointer` (through `properties`,
    /// `patternProperties`, `additionalProperties`, `items`, `$ref` and the applicators).
    #[must_use]
    pub fn subschemas(&self, pointer: &str) -> Vec<&Value> {
        walk::subschemas(self, pointer)
    }

    /// What the schema says about the field at `pointer`, as typed keywords, parsed once
    /// per pointer and shared afterwards: `check` asks for the same fields again and again.
    #[must_use]
    pub fn leaf(&self, pointer: &str) -> std::sync::Arc<Leaf> {
        if let Ok(map) = self.leaves.read()
            && let Some(found) = map.get(pointer)
        {
            return std::sync::Arc::clone(found);
        }
        let leaf = std::sync::Arc::new(walk::leaf(self, pointer));
        if let Ok(mut map) = self.leaves.write() {
            map.insert(pointer.to_owned(), std::sync::Arc::clone(&leaf));
        }
        leaf
    }

    /// Whether the schema names the field at `pointer`; `additionalProperties: true` or
    /// absent does not name anything.
    #[must_use]
    pub fn declares(&self, pointer: &str) -> bool {
        // Through the leaf cache: loading asks this for every mapping input, and `check`
        // then reads the same leaves again.
        self.leaf(pointer).declared
    }

    /// Whether the field at `pointer`, or one of its ancestors, is `"x-pii": true`.
    #[must_use]
    pub fn is_pii(&self, pointer: &str) -> bool {
        if let Ok(map) = self.pii.read()
            && let Some(&found) = map.get(pointer)
        {
            return found;
        }
        let pii = self.find_pii(pointer);
        // Bounded: records with free-form names (arrays, open objects) must not grow it
        // without end in a batch, whose memory stays flat (README, "`--batch`").
        if let Ok(mut map) = self.pii.write()
            && map.len() < PII_CACHE
        {
            map.insert(pointer.to_owned(), pii);
        }
        pii
    }

    /// [`SystemSchema::is_pii`], uncached.
    fn find_pii(&self, pointer: &str) -> bool {
        let mut p = pointer;
        loop {
            if walk::subschemas(self, p)
                .iter()
                .any(|s| s.get("x-pii") == Some(&Value::Bool(true)))
            {
                return true;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return false,
            }
        }
    }
}

/// Builds ripple's violation from jsonschema's error. The message never quotes the
/// value: renderers put the value (or the mask) in front of it, so a personal value can
/// be masked without editing text (README, "Personal data").
fn violation(raw: &Value, e: &jsonschema::ValidationError<'_>) -> SchemaViolation {
    let pointer = e.instance_path().as_str().to_owned();
    let schema_path = e.schema_path().as_str().to_owned();
    let instance: &Value = e.instance();
    let keyword_value = || raw.pointer(&schema_path).cloned().unwrap_or(Value::Null);
    let mut detail = None;
    let (keyword, limit, message) = match e.kind() {
        ValidationErrorKind::MaxLength { limit } => {
            let n = instance.as_str().map_or(0, |s| s.chars().count());
            (
                "maxLength".to_owned(),
                Value::from(*limit),
                format!(
                    "is longer than {limit} {} ({n})",
                    plural(*limit, "character")
                ),
            )
        }
        ValidationErrorKind::MinLength { limit } => (
            "minLength".to_owned(),
            Value::from(*limit),
            format!("is shorter than {limit} {}", plural(*limit, "character")),
        ),
        ValidationErrorKind::Pattern { pattern } => (
            "pattern".to_owned(),
            Value::String(pattern.clone()),
            format!("does not match the pattern {}", escape(pattern)),
        ),
        ValidationErrorKind::Format { format } => (
            "format".to_owned(),
            Value::String(format.clone()),
            format!("is not a valid {}", escape(format)),
        ),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default().to_owned();
            let message = format!("required field `{}` is missing", escape(&name));
            ("required".to_owned(), Value::String(name), message)
        }
        ValidationErrorKind::Custom { keyword, message } => {
            if keyword == "x-charset" {
                detail = keywords::first_outside(&keyword_value(), instance);
            } else if keyword == "x-encoding" {
                detail = keywords::first_unencodable(&keyword_value(), instance);
            }
            (keyword.clone(), keyword_value(), message.clone())
        }
        ValidationErrorKind::Maximum { limit } => bound(e, "is greater than the maximum", limit),
        ValidationErrorKind::Minimum { limit } => bound(e, "is less than the minimum", limit),
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            bound(e, "is not less than the exclusive maximum", limit)
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            bound(e, "is not greater than the exclusive minimum", limit)
        }
        kind => (
            kind.keyword().to_owned(),
            keyword_value(),
            predicate_of(e, instance),
        ),
    };
    let keyword = if keyword.is_empty() {
        schema_path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned()
    } else {
        keyword
    };
    SchemaViolation {
        pointer,
        keyword,
        limit,
        message,
        detail,
        schema_path,
    }
}

fn bound(
    e: &jsonschema::ValidationError<'_>,
    says: &str,
    limit: &Value,
) -> (String, Value, String) {
    (
        e.kind().keyword().to_owned(),
        limit.clone(),
        format!("{says} {}", shorten(&limit.to_string())),
    )
}

/// jsonschema's message without the value it starts with; a message that does not start
/// with the value is replaced by one naming the keyword, so no value ever leaks.
fn predicate_of(e: &jsonschema::ValidationError<'_>, instance: &Value) -> String {
    let full = e.to_string();
    match full.strip_prefix(&instance.to_string()) {
        Some(rest) if !rest.trim().is_empty() => escape(&shorten(rest.trim())).into_owned(),
        _ => format!("does not satisfy `{}`", e.kind().keyword()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn load(name: &str) -> SystemSchema {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/schemas")
            .join(name);
        SystemSchema::load(&path).unwrap_or_else(|e| panic!("{e}"))
    }

    fn keywords(schema: &SystemSchema, instance: &Value) -> Vec<(String, String)> {
        schema
            .validate(instance)
            .into_iter()
            .map(|v| (v.pointer, v.keyword))
            .collect()
    }

    #[test]
    fn formats_are_asserted() {
        let s = load("person.json");
        assert_eq!(
            keywords(&s, &json!({"email": "nope@"})),
            [("/email".into(), "format".into())]
        );
        assert_eq!(
            keywords(&s, &json!({"born": "2024-02-30"})),
            [("/born".into(), "format".into())]
        );
        assert!(s.is_valid(&json!({"email": "a@example.com", "born": "2024-02-29"})));
    }

    #[test]
    fn max_bytes_counts_utf8_bytes() {
        let s = load("person.json");
        assert!(s.is_valid(&json!({"login": "abcdef"})));
        let v = s.validate(&json!({"login": "mättö"}));
        assert_eq!(v.len(), 1);
        assert_eq!(
            (v[0].keyword.as_str(), &v[0].limit),
            ("x-maxBytes", &json!(6))
        );
        assert!(v[0].message.contains("7 bytes"), "{}", v[0].message);
    }

    #[test]
    fn charsets() {
        let s = load("person.json");
        assert!(s.is_valid(&json!({"name": "Jääskeläinen", "nick": "€uro"})));
        assert_eq!(
            keywords(&s, &json!({"name": "Łukasz"})),
            [("/name".into(), "x-charset".into())]
        );
        assert_eq!(
            keywords(&s, &json!({"nick": "😀"})),
            [("/nick".into(), "x-charset".into())]
        );
    }

    #[test]
    fn relative_refs_resolve_and_limits_come_through() {
        let s = load("person.json");
        let v = s.validate(&json!({"uid": "abcdefghij"}));
        assert_eq!(
            (v[0].keyword.as_str(), &v[0].limit),
            ("maxLength", &json!(8))
        );
        assert!(s.is_pii("/uid"));
        assert!(!s.is_pii("/email"));
    }

    #[test]
    fn declares_follows_refs_allof_items_and_patterns() {
        let s = load("person.json");
        for p in ["/uid", "/extra", "/tags/0", "/x_anything"] {
            assert!(s.declares(p), "{p}");
        }
        for p in ["/nope", "/uid/deeper", "/y_thing"] {
            assert!(!s.declares(p), "{p}");
        }
    }

    #[test]
    fn draft7_schemas_work() {
        let s = load("draft7.json");
        assert!(s.is_valid(&json!({"country": "FI"})));
        assert_eq!(
            keywords(&s, &json!({"country": "fin"})),
            [("/country".into(), "pattern".into())]
        );
    }

    #[test]
    fn a_bad_keyword_value_is_a_schema_error() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas/bad-keyword.json");
        let err = SystemSchema::load(&path).err();
        assert!(
            err.is_some_and(|e| e.kind == ErrorKind::Schema && e.message.contains("x-maxBytes"))
        );
    }

    #[test]
    fn required_names_the_missing_field() {
        let s = SystemSchema::from_value(Path::new("inline.json"), json!({"required": ["a"]}))
            .unwrap_or_else(|e| panic!("{e}"));
        let v = s.validate(&json!({}));
        assert_eq!(
            (v[0].keyword.as_str(), &v[0].limit),
            ("required", &json!("a"))
        );
    }
}
