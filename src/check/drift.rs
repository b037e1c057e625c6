//! Drift (README, "`ripple check`", R401–R404): a system whose pipeline entry names a
//! `source:` has its declared schema compared, field by field, with the schema imported
//! from that source.
//!
//! For each top-level field the declared schema and the source share, candidate values
//! are drawn from both sides' typed leaves (strings at and past the length limits, in
//! one- and multi-byte characters, characters outside a charset, numbers at the bounds ±1
//! and with more decimals, the enum values of both sides). A candidate the declared schema
//! accepts and the source rejects is a looser-than-source witness (R401); one the declared
//! schema rejects by a limit the source also states, and the source accepts, is a note
//! (R402). Both are verified with the real validators: a record holding only that field,
//! violations at that field's pointer only (`required` elsewhere does not count).

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use super::finding::{Drift, FieldAt, Finding};
use super::outcome::CheckReport;
use crate::error::{Error, ErrorKind};
use crate::import;
use crate::pipeline::{Pipeline, Source, SourceKind, System, SystemId};
use crate::schema::{Keyword, SystemSchema};

/// Compares every system that names a source with it.
pub(super) fn drift(pipeline: &Pipeline, report: &mut CheckReport) {
    for (id, system) in pipeline.systems_with_ids() {
        let Some(source) = &system.source else {
            continue;
        };
        match imported_schema(&source.kind) {
            Ok(imported) => compare(pipeline, id, source, &imported, report),
            Err(e) => {
                let f = Finding::source_unreadable(
                    system.id.clone(),
                    format!(
                        "cannot read the source of `{}` ({}): {}",
                        system.id,
                        source.kind.describe(),
                        e.message
                    ),
                    &pipeline.file.path,
                    pipeline.location(source.span),
                )
                .with_help(e.help.clone());
                report.findings.push(f);
                report.sources_unread += 1;
            }
        }
    }
}

/// Imports and compiles the source's schema.
fn imported_schema(kind: &SourceKind) -> Result<SystemSchema, Error> {
    let (value, path) = match kind {
        SourceKind::Ddl {
            path,
            table,
            dialect,
        } => {
            let dialect = match dialect {
                Some(d) => *d,
                None => import::Dialect::guess(&import::read_source(path)?.text),
            };
            (
                import::import_sql_table(path, dialect, table)?,
                path.clone(),
            )
        }
        SourceKind::Postgres {
            url_env,
            table,
            schema,
        } => {
            let url = std::env::var(url_env).map_err(|_| {
                Error::new(
                    ErrorKind::Usage,
                    format!("the environment variable `{url_env}` is not set"),
                )
                .help(format!(
                    "export {url_env} with the connection URL (postgres://USER@HOST:PORT/DATABASE)"
                ))
            })?;
            let value = import::import_postgres(&import::PgTable {
                url: &url,
                schema: schema.as_deref(),
                table,
            })?;
            (value, PathBuf::from(format!("postgres-{table}.json")))
        }
        SourceKind::Openapi { path, schema } => {
            (import::import_openapi(path, schema)?, path.clone())
        }
        SourceKind::Ldap { path, class } => (import::import_ldap(path, class)?, path.clone()),
    };
    SystemSchema::from_value(&path, value)
}

/// The top-level fields the pipeline's mappings fill in system `id` or read from it.
fn mapped_fields(pipeline: &Pipeline, id: SystemId) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |pointer: &str| {
        let top = pointer
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .replace("~1", "/")
            .replace("~0", "~");
        if !top.is_empty() && !out.contains(&top) {
            out.push(top);
        }
    };
    for flow in &pipeline.flows {
        for m in &flow.mappings {
            if flow.to == id {
                add(&m.target_pointer);
            }
            if flow.from == id {
                for (_, pointer) in &m.inputs {
                    add(pointer);
                }
            }
        }
    }
    out
}

/// The source's property for `field`: the `columns` entry or the field's own name, as
/// written or differing only in case.
fn column_of(source: &Source, imported: &SystemSchema, field: &str) -> Option<String> {
    let wanted = source.columns.get(field).map_or(field, String::as_str);
    let props = imported.raw().get("properties")?.as_object()?;
    if props.contains_key(wanted) {
        return Some(wanted.to_owned());
    }
    props
        .keys()
        .find(|k| k.eq_ignore_ascii_case(wanted))
        .cloned()
}

fn compare(
    pipeline: &Pipeline,
    id: SystemId,
    source: &Source,
    imported: &SystemSchema,
    report: &mut CheckReport,
) {
    let system = &pipeline.systems[id];
    let declared = &system.schema;
    let mapped = mapped_fields(pipeline, id);
    for field in &mapped {
        if column_of(source, imported, field).is_none() {
            let column = source.columns.get(field).unwrap_or(field);
            let at = FieldAt {
                system: system.id.clone(),
                field: pointer(field),
            };
            let f = Finding::missing_column(
                at,
                format!(
                    "the pipeline maps `{field}` of `{}`, but its source ({}) has no `{column}`",
                    system.id,
                    source.kind.describe()
                ),
                &pipeline.file.path,
                pipeline.location(source.span),
            )
            .with_help(Some(
                "add the column to the source, or name it under `source.columns: { FIELD: COLUMN }`"
                    .into(),
            ));
            report.findings.push(f);
        }
    }
    let mut fields: Vec<String> = declared
        .raw()
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for m in mapped {
        if !fields.contains(&m) {
            fields.push(m);
        }
    }
    for field in fields {
        let Some(column) = column_of(source, imported, &field) else {
            continue;
        };
        if !declared.declares(&pointer(&field)) {
            continue;
        }
        if let Some(f) = compare_field(pipeline, system, source, imported, &field, &column) {
            report.findings.push(f);
        }
    }
}

/// `/field`, escaped.
fn pointer(field: &str) -> String {
    format!("/{}", field.replace('~', "~0").replace('/', "~1"))
}

/// The first violation of `schema` for a record holding only `value` at `name`, at that
/// field's pointer, as `(keyword, limit)`; with `stated`, the first by a keyword `stated`
/// names.
fn rejects(
    schema: &SystemSchema,
    name: &str,
    value: &Value,
    stated: Option<&[Keyword]>,
) -> Option<(String, Value)> {
    let mut record = Map::new();
    record.insert(name.to_owned(), value.clone());
    let at = pointer(name);
    schema
        .validate(&Value::Object(record))
        .into_iter()
        .filter(|v| v.pointer == at)
        .find(|v| stated.is_none_or(|ks| ks.iter().any(|k| k.name() == v.keyword)))
        .map(|v| (v.keyword, v.limit))
}

/// R401 or R402 for one field, with the first witness found.
fn compare_field(
    pipeline: &Pipeline,
    system: &System,
    source: &Source,
    imported: &SystemSchema,
    field: &str,
    column: &str,
) -> Option<Finding> {
    let declared = &system.schema;
    let mine = declared.leaf(&pointer(field));
    let theirs = imported.leaf(&pointer(column));
    // The source's limits first: a witness next to them says most.
    let mut values = candidates(&theirs.keywords);
    values.extend(candidates(&mine.keywords));
    let mut seen = std::collections::HashSet::new();
    values.retain(|v| seen.insert(v.to_string()));
    let origin = imported
        .raw()
        .pointer(&format!("/properties{}/x-source", pointer(column)))
        .and_then(Value::as_str)
        .map_or_else(|| source.kind.describe(), str::to_owned);
    let mut tighter = None;
    for value in values {
        let source_says = rejects(imported, column, &value, None);
        // For a tighter note, only limits the source states too count.
        let stated = source_says.is_none().then_some(theirs.keywords.as_slice());
        let ours = rejects(declared, field, &value, stated);
        match (ours, source_says) {
            (None, Some((keyword, limit))) => {
                let message = format!(
                    "`{}` declares `{field}` looser than its source {origin}: {} passes {} but the source rejects it ({keyword} {limit})",
                    system.id,
                    crate::text::describe(&value),
                    system.schema_path.display(),
                );
                let facts = drift_facts(system, field, keyword, limit, value);
                let location = pipeline.location(source.span);
                let f = Finding::looser_than_source(facts, message, &pipeline.file.path, location)
                    .with_help(Some(format!(
                        "tighten `{field}` in {} to match the source (`ripple import … --update`)",
                        system.schema_path.display()
                    )));
                return Some(f);
            }
            (Some((keyword, limit)), None) if tighter.is_none() => {
                let message = format!(
                    "`{}` declares `{field}` tighter than its source {origin}: the source accepts {}, {} rejects it ({keyword} {limit})",
                    system.id,
                    crate::text::describe(&value),
                    system.schema_path.display(),
                );
                let facts = drift_facts(system, field, keyword, limit, value);
                let location = pipeline.location(source.span);
                tighter = Some(Finding::tighter_than_source(
                    facts,
                    message,
                    &pipeline.file.path,
                    location,
                ));
            }
            _ => {}
        }
    }
    tighter
}

/// What R401 and R402 say about `field` of `system`: the rejecting keyword, its limit and
/// the value one side accepts and the other rejects.
fn drift_facts(system: &System, field: &str, keyword: String, limit: Value, value: Value) -> Drift {
    Drift {
        at: FieldAt {
            system: system.id.clone(),
            field: pointer(field),
        },
        keyword,
        limit,
        value,
    }
}

/// Candidate values at and around the limits `keywords` state, plus a few of each type.
fn candidates(keywords: &[Keyword]) -> Vec<Value> {
    let mut out = vec![
        json!(null),
        json!(""),
        json!("a"),
        json!(0),
        json!(1.5),
        json!(true),
    ];
    let text = |c: &str, n: u64| json!(c.repeat(usize::try_from(n.min(100_000)).unwrap_or(0)));
    for k in keywords {
        match k {
            Keyword::MaxLength(n)
            | Keyword::MaxBytes(n)
            | Keyword::EncodedBytes(_, n)
            | Keyword::MinLength(n) => {
                let around = [n.saturating_sub(1), *n, n + 1];
                out.extend(around.iter().map(|&m| text("a", m)));
                for m in around {
                    out.push(text("ä", m));
                    out.push(text("ä", m / 2));
                    out.push(text("ä", m / 2 + 1));
                }
            }
            Keyword::Charset(_) | Keyword::Encodable(_) => {
                for c in ["é", "€", "Ω", "😀"] {
                    out.push(json!(c));
                }
            }
            Keyword::Enum(items) => out.extend(items.iter().cloned()),
            Keyword::Const(v) => out.push(v.clone()),
            Keyword::Minimum(x)
            | Keyword::Maximum(x)
            | Keyword::ExclusiveMinimum(x)
            | Keyword::ExclusiveMaximum(x) => {
                for d in [-1.0, -0.5, -0.01, 0.0, 0.01, 0.5, 1.0] {
                    out.push(number(x + d));
                }
            }
            Keyword::MultipleOf(m) => {
                out.push(number(*m));
                out.push(number(m / 10.0));
                out.push(number(m * 1.5));
            }
            Keyword::Format(f) => out.extend(format_samples(f)),
            _ => {}
        }
    }
    out
}

fn format_samples(format: &str) -> Vec<Value> {
    match format {
        "date" => vec![json!("2024-02-29"), json!("2024-02-29T10:00:00Z")],
        "date-time" => vec![json!("2024-02-29T10:00:00Z"), json!("2024-02-29")],
        "time" => vec![json!("10:00:00Z")],
        "uuid" => vec![json!("123e4567-e89b-12d3-a456-426614174000")],
        "email" => vec![json!("a@example.com")],
        _ => Vec::new(),
    }
}

/// A JSON number; whole numbers as integers, rounded to 9 decimals so `0.1 + 1.0` is
/// `1.1`.
fn number(x: f64) -> Value {
    let rounded = (x * 1e9).round() / 1e9;
    if rounded.fract() == 0.0 && rounded.abs() < 9e15 {
        json!(rounded as i64)
    } else {
        serde_json::Number::from_f64(rounded).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_straddle_the_limits() {
        let c = candidates(&[Keyword::MaxBytes(4)]);
        assert!(c.contains(&json!("aaaaa")));
        assert!(c.contains(&json!("äää")));
        let c = candidates(&[Keyword::Maximum(999.99)]);
        assert!(c.contains(&json!(1000.99)));
        assert!(c.contains(&json!(1000)));
    }

    #[test]
    fn pointers_escape() {
        assert_eq!(pointer("a/b~c"), "/a~1b~0c");
    }
}
