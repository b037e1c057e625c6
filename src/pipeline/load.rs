//! Reading a pipeline file into a checked [`Pipeline`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::yaml::{self, SpanIndex};
use super::{
    Endpoint, ErrorPattern, FORMAT_VERSION, Flow, Mapping, PIPELINE_SCHEMA, Pipeline, System,
};
use crate::error::{Error, ErrorKind, Errors};
use crate::expr::FieldPath;
use crate::schema::SystemSchema;
use crate::span::{Location, SourceFile, Span};
use crate::suggest;

#[derive(Deserialize)]
struct RawPipeline {
    name: String,
    description: Option<String>,
    systems: IndexMap<String, RawSystem>,
    #[serde(default)]
    flows: Vec<RawFlow>,
}

#[derive(Deserialize)]
struct RawSystem {
    name: String,
    owner: Option<String>,
    schema: String,
    #[serde(default)]
    entry: bool,
    endpoint: Option<Endpoint>,
    #[serde(default)]
    errors: Vec<RawErrorPattern>,
    source: Option<RawSource>,
}

/// `source:` as written; the pipeline schema has already checked which keys go together.
#[derive(Deserialize)]
struct RawSource {
    ddl: Option<String>,
    postgres: Option<RawPostgres>,
    openapi: Option<String>,
    ldap: Option<String>,
    table: Option<String>,
    schema: Option<String>,
    dialect: Option<String>,
    class: Option<String>,
    #[serde(default)]
    columns: IndexMap<String, String>,
}

#[derive(Deserialize)]
struct RawPostgres {
    url_env: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawErrorPattern {
    Pattern {
        pattern: String,
        field: Option<String>,
    },
    Preset {
        preset: String,
        #[serde(default)]
        columns: IndexMap<String, String>,
    },
}

#[derive(Deserialize)]
struct RawFlow {
    from: String,
    to: String,
    schedule: Option<String>,
    map: IndexMap<String, String>,
}

/// Loads the pipeline at `path` (or standard input for `-`).
///
/// # Errors
/// Every problem found, each located in its file: unreadable or malformed files, a
/// pipeline that breaks the file format, unknown systems, bad schemas, bad mappings.
pub fn load(path: &Path) -> Result<Pipeline, Errors> {
    let (display, text, base) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Error::io(Path::new("<stdin>"), &e))?;
        (PathBuf::from("<stdin>"), text, PathBuf::from("."))
    } else {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        let base = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        (path.to_path_buf(), text, base)
    };
    load_str(&display, text, &base, &mut SchemaCache::default())
}

/// Schemas already compiled, by resolved path, so systems sharing a schema compile it once.
#[derive(Default)]
pub struct SchemaCache(HashMap<PathBuf, Arc<SystemSchema>>);

/// Loads a pipeline from `text`, resolving schema paths against `base`.
///
/// # Errors
/// As [`load`].
pub fn load_str(
    path: &Path,
    text: String,
    base: &Path,
    cache: &mut SchemaCache,
) -> Result<Pipeline, Errors> {
    let file = SourceFile::new(path, text);
    let (value, spans) = yaml::parse(&file)?;
    let at = |span: Span| Location::new(&file, span);

    check_version(&value, &spans).map_err(|e| e.at(at(spans.value("/version"))))?;
    check_format(&file, &value, &spans)?;
    let raw: RawPipeline = serde_json::from_value(value).map_err(|e| {
        Error::new(ErrorKind::Format, format!("malformed pipeline: {e}")).at(at(Span::default()))
    })?;

    let mut errors = Errors::default();
    let mut systems = Vec::with_capacity(raw.systems.len());
    for (id, sys) in &raw.systems {
        let ptr = format!("/systems/{}", escape(id));
        match system(&file, &spans, &ptr, id, sys, base, cache) {
            Ok(s) => systems.push(s),
            Err(mut e) => errors.0.append(&mut e.0),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !systems.iter().any(|s| s.entry) {
        errors.push(
            Error::new(ErrorKind::Format, "no system is marked `entry: true`")
                .at(at(spans.key("/systems")))
                .help("mark the system where changes are typed in with `entry: true`"),
        );
    }

    let ids: Vec<&str> = raw.systems.keys().map(String::as_str).collect();
    let mut flows = Vec::with_capacity(raw.flows.len());
    for (i, raw_flow) in raw.flows.iter().enumerate() {
        let ptr = format!("/flows/{i}");
        let find = |name: &str, key: &str| {
            systems
                .iter()
                .position(|s| s.id == name)
                .map(super::SystemId::new)
                .ok_or_else(|| {
                    Error::new(ErrorKind::UnknownSystem, format!("unknown system `{name}`"))
                        .at(at(spans.value(&format!("{ptr}/{key}"))))
                        .label("not declared under `systems`")
                        .help(suggest::help(name, ids.iter().copied(), "systems"))
                })
        };
        let (from, to) = match (find(&raw_flow.from, "from"), find(&raw_flow.to, "to")) {
            (Ok(f), Ok(t)) => (f, t),
            (f, t) => {
                errors.0.extend(f.err());
                errors.0.extend(t.err());
                continue;
            }
        };
        if from == to {
            errors.push(
                Error::new(
                    ErrorKind::Format,
                    format!("flow from `{}` to itself", raw_flow.from),
                )
                .at(at(spans.value(&format!("{ptr}/to")))),
            );
            continue;
        }
        let mappings = raw_flow
            .map
            .iter()
            .filter_map(|(target, source)| {
                let mptr = format!("{ptr}/map/{}", escape(target));
                mapping(
                    &file,
                    &spans,
                    &mptr,
                    target,
                    source,
                    &systems[from],
                    &mut errors,
                )
            })
            .collect();
        flows.push(Flow {
            from,
            to,
            schedule: raw_flow.schedule.clone(),
            mappings,
            span: spans.value(&format!("{ptr}/from")),
        });
    }

    let fills = super::FillIndex::new(&flows);
    errors.into_result(Pipeline {
        file: Arc::clone(&file),
        name: raw.name,
        description: raw.description,
        systems,
        flows,
        fills,
    })
}

fn escape(segment: &str) -> String {
    crate::pointer::escape(segment)
}

fn check_version(value: &Value, _spans: &SpanIndex) -> Result<(), Error> {
    match value.get("version") {
        Some(v) if v.as_u64() == Some(FORMAT_VERSION) => Ok(()),
        Some(v) => Err(Error::new(
            ErrorKind::Version,
            format!("unsupported pipeline format version {v}"),
        )
        .label("this ripple reads version 1")
        .help("set `version: 1`; see schemas/pipeline.schema.json for the format")),
        None if value.is_object() => Err(Error::new(
            ErrorKind::Version,
            "the pipeline does not say its format version",
        )
        .help("add `version: 1` at the top of the file")),
        None => Err(Error::new(
            ErrorKind::Format,
            "a pipeline file must be a YAML mapping with `version`, `name`, `systems` and `flows`",
        )),
    }
}

fn pipeline_validator() -> Option<&'static (jsonschema::Validator, Value)> {
    static VALIDATOR: OnceLock<Option<(jsonschema::Validator, Value)>> = OnceLock::new();
    VALIDATOR
        .get_or_init(|| {
            let schema: Value = serde_json::from_str(PIPELINE_SCHEMA).ok()?;
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .ok()?;
            Some((validator, schema))
        })
        .as_ref()
}

/// Checks the file against `schemas/pipeline.schema.json`, one located error per problem.
fn check_format(file: &Arc<SourceFile>, value: &Value, spans: &SpanIndex) -> Result<(), Errors> {
    let Some((validator, schema)) = pipeline_validator() else {
        return Err(Error::new(
            ErrorKind::Format,
            "ripple's own pipeline schema does not compile",
        )
        .into());
    };
    let mut errors = Errors::default();
    for err in validator.iter_errors(value).take(20) {
        let ptr = err.instance_path().as_str().to_owned();
        let error = match err.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                let key = unexpected.first().cloned().unwrap_or_default();
                let known = allowed_keys(schema, err.schema_path().as_str());
                let key_ptr = format!("{ptr}/{}", escape(&key));
                Error::new(ErrorKind::Format, format!("unknown key `{key}`"))
                    .at(Location::new(file, spans.key(&key_ptr)))
                    .help(suggest::help(
                        &key,
                        known.iter().map(String::as_str),
                        "keys here",
                    ))
            }
            _ => {
                let place = if ptr.is_empty() {
                    "the pipeline".to_owned()
                } else {
                    format!("`{}`", dotted(&ptr))
                };
                Error::new(
                    ErrorKind::Format,
                    format!("{place}: {}", short_message(&err.to_string())),
                )
                .at(Location::new(file, spans.value(&ptr)))
            }
        };
        errors.push(error);
    }
    errors.into_result(())
}

fn allowed_keys(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path.rsplit_once('/').map_or("", |(p, _)| p);
    schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn dotted(pointer: &str) -> String {
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn short_message(message: &str) -> String {
    const MAX: usize = 200;
    if message.chars().count() <= MAX {
        return message.to_owned();
    }
    let cut: String = message.chars().take(MAX).collect();
    format!("{cut}…")
}

#[allow(clippy::too_many_arguments)]
fn system(
    file: &Arc<SourceFile>,
    spans: &SpanIndex,
    ptr: &str,
    id: &str,
    raw: &RawSystem,
    base: &Path,
    cache: &mut SchemaCache,
) -> Result<System, Errors> {
    let at = |p: &str| Location::new(file, spans.value(p));
    let mut errors = Errors::default();
    let schema_path = base.join(&raw.schema);
    let schema = if let Some(s) = cache.0.get(&schema_path) {
        Some(Arc::clone(s))
    } else {
        match SystemSchema::load(&schema_path) {
            Ok(s) => {
                let s = Arc::new(s);
                cache.0.insert(schema_path.clone(), Arc::clone(&s));
                Some(s)
            }
            Err(e) => {
                errors.push(e);
                errors.push(
                    Error::new(
                        ErrorKind::Schema,
                        format!("system `{id}` has no usable schema"),
                    )
                    .at(at(&format!("{ptr}/schema")))
                    .label(format!("resolved to {}", schema_path.display())),
                );
                None
            }
        }
    };
    let mut patterns = Vec::new();
    for (i, p) in raw.errors.iter().enumerate() {
        let pptr = format!("{ptr}/errors/{i}");
        match p {
            RawErrorPattern::Pattern { pattern, field } => match regex::Regex::new(pattern) {
                Ok(regex) => patterns.push(ErrorPattern::Pattern {
                    regex,
                    field: field.clone(),
                    span: spans.value(&format!("{pptr}/pattern")),
                }),
                Err(e) => errors.push(
                    Error::new(ErrorKind::Regex, "invalid regular expression in `errors`")
                        .at(at(&format!("{pptr}/pattern")))
                        .label(first_line(&e.to_string()))
                        .help("patterns use Rust regex syntax with named groups: (?P<field>…), (?P<value>…), (?P<key>…)"),
                ),
            },
            RawErrorPattern::Preset { preset, columns } => patterns.push(ErrorPattern::Preset {
                preset: preset.clone(),
                columns: columns.clone(),
                span: spans.value(&format!("{pptr}/preset")),
            }),
        }
    }
    if let Some(template) = raw.endpoint.as_ref().and_then(|e| e.read.as_deref()) {
        errors.0.extend(read_url_error(
            id,
            template,
            at(&format!("{ptr}/endpoint/read")),
        ));
    }
    let source = raw.source.as_ref().and_then(|src| {
        let kind = source_kind(src, base)?;
        Some(super::Source {
            kind,
            columns: src.columns.clone(),
            span: spans.value(&format!("{ptr}/source")),
        })
    });
    match schema {
        Some(schema) if errors.is_empty() => Ok(System {
            id: id.to_owned(),
            name: raw.name.clone(),
            owner: raw.owner.clone(),
            entry: raw.entry,
            schema,
            schema_path,
            endpoint: raw.endpoint.clone(),
            errors: patterns,
            source,
            span: spans.key(ptr),
        }),
        _ => Err(errors),
    }
}

/// What is wrong with `id`'s `endpoint.read` template, if anything: it must be an
/// http(s) URL once `{key}` is filled in, with no other placeholder. A template without
/// `{key}` is fine: it names one record, read as is. Any system may declare one (no
/// warning); `validate --fetch-current` reads only the entry system's.
fn read_url_error(id: &str, template: &str, at: Location) -> Option<Error> {
    let filled = template.replace("{key}", "key");
    let problem = if filled.contains(['{', '}']) {
        "has a placeholder other than `{key}`"
    } else {
        match url::Url::parse(&filled) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => return None,
            Ok(_) => "must be an http:// or https:// URL",
            Err(_) => "is not a valid URL",
        }
    };
    Some(
        Error::new(
            ErrorKind::Format,
            format!("`{id}`'s `endpoint.read` {problem}"),
        )
        .at(at)
        .help("write a URL such as https://crm.example/customers/{key}; {key} is the change's key"),
    )
}

/// The kind of a `source:`; `None` for a combination the pipeline schema rejects.
fn source_kind(src: &RawSource, base: &Path) -> Option<super::SourceKind> {
    use super::SourceKind;
    let table = || src.table.clone();
    if let Some(ddl) = &src.ddl {
        return Some(SourceKind::Ddl {
            path: base.join(ddl),
            table: table()?,
            dialect: src
                .dialect
                .as_deref()
                .and_then(crate::dialect::Dialect::from_name),
        });
    }
    if let Some(pg) = &src.postgres {
        return Some(SourceKind::Postgres {
            url_env: pg.url_env.clone(),
            table: table()?,
            schema: src.schema.clone(),
        });
    }
    if let Some(openapi) = &src.openapi {
        return Some(SourceKind::Openapi {
            path: base.join(openapi),
            schema: src.schema.clone()?,
        });
    }
    let ldap = src.ldap.as_ref()?;
    Some(SourceKind::Ldap {
        path: base.join(ldap),
        class: src.class.clone()?,
    })
}

fn first_line(text: &str) -> String {
    text.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_owned()
}

fn mapping(
    file: &Arc<SourceFile>,
    spans: &SpanIndex,
    ptr: &str,
    target: &str,
    source: &str,
    from: &System,
    errors: &mut Errors,
) -> Option<Mapping> {
    let span = spans.value(ptr);
    let target_span = spans.key(ptr);
    let target_path = match FieldPath::parse(target) {
        Ok(t) if !t.has_index() && !t.segments().is_empty() => t,
        Ok(_) => {
            errors.push(
                Error::new(ErrorKind::Syntax, format!("target `{target}` must be a dotted path"))
                    .at(Location::new(file, target_span))
                    .help("target keys name object fields, e.g. `address.street`; indexes are not allowed"),
            );
            return None;
        }
        Err(e) => {
            errors.push(
                Error::new(
                    e.kind,
                    format!("bad target field `{target}`: {}", e.message),
                )
                .at(Location::new(file, target_span)),
            );
            return None;
        }
    };
    // The expression starts at the value's span, or one byte later when quoted: look only
    // there (searching the rest of the file made loading quadratic).
    let window_end = (span.start + 1 + source.len()).min(file.text.len());
    let text_offset = (0..=1)
        .find(|i| {
            file.text
                .get(span.start + i..window_end.max(span.start + i))
                .is_some_and(|w| w.starts_with(source))
        })
        .map(|i| span.start + i);
    let locate = |range: std::ops::Range<usize>| match text_offset {
        Some(o) => file.span(o + range.start, o + range.end.max(range.start)),
        None => span,
    };
    let expr = match crate::func::parse(source) {
        Ok(expr) => expr,
        Err(e) => {
            let mut err = Error::new(e.kind, e.message).at(Location::new(file, locate(e.span)));
            if let Some(help) = e.help {
                err = err.help(help);
            }
            errors.push(err);
            return None;
        }
    };
    let mut ok = true;
    for (field, range) in expr.fields() {
        if !from.schema.declares(&field.pointer()) {
            ok = false;
            let declared = top_level_fields(&from.schema);
            errors.push(
                Error::new(
                    ErrorKind::UnknownField,
                    format!("`{field}` is not a field of `{}`", from.id),
                )
                .at(Location::new(file, locate(range)))
                .label(format!("not declared in {}", from.schema_path.display()))
                .help(suggest::help(
                    &field.to_string(),
                    declared.iter().map(String::as_str),
                    "fields",
                )),
            );
        }
    }
    let inputs = expr
        .fields()
        .into_iter()
        .map(|(f, _)| (f.clone(), f.pointer()))
        .collect();
    ok.then(|| Mapping {
        target_pointer: Arc::from(target_path.pointer()),
        target: target_path,
        inputs,
        expr,
        source: Arc::from(source),
        target_span,
        span,
        text_offset,
    })
}

fn top_level_fields(schema: &SystemSchema) -> Vec<String> {
    schema
        .raw()
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(template: &str) -> Option<String> {
        let file = SourceFile::new(Path::new("p.yaml"), String::new());
        read_url_error("crm", template, Location::new(&file, Span::default())).map(|e| e.message)
    }

    #[test]
    fn read_urls_are_http_urls_with_at_most_a_key() {
        assert_eq!(problem("https://crm.example/customers/{key}"), None);
        assert_eq!(problem("http://127.0.0.1:8080/c?id={key}"), None);
        assert_eq!(problem("https://crm.example/settings"), None);
        for (template, says) in [
            (
                "https://crm.example/customers/{id}",
                "placeholder other than",
            ),
            ("ftp://crm.example/{key}", "http:// or https://"),
            ("/customers/{key}", "not a valid URL"),
        ] {
            let message = problem(template).unwrap_or_default();
            assert!(message.contains(says), "{template}: {message}");
        }
    }
}
