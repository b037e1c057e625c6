//! A table's JSON Schema from a live PostgreSQL catalogue (README, "`ripple import
//! postgres`").
//!
//! The columns (`information_schema.columns`), the table's `CHECK` constraints
//! (`pg_constraint`), the enum types its columns use (`pg_enum`) and the database encoding
//! are read with a real client and written out as the `CREATE TYPE`/`CREATE TABLE` text the
//! DDL importer reads: one set of type and `CHECK` rules for both, so the live import and
//! the DDL import of the same table give the same properties. Casts the catalogue adds to
//! `CHECK` expressions (`(name)::text`, `= ANY (ARRAY[…])` for `IN (…)`) are taken off
//! first.
//!
//! The connection URL may hold a password: it never appears in output or in errors
//! ([`scrub`]).

use std::str::FromStr;
use std::time::Duration;

use serde_json::{Map, Value, json};
use sqlparser::ast::{
    BinaryOperator, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, InTarget,
    Value as SqlValue,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use tokio_postgres::{Client, Config, NoTls};

use super::sql::{Dialect, SqlOptions, import_sql_files};
use crate::error::{Error, ErrorKind};
use crate::span::SourceFile;

/// How long connecting may take when the URL does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which table of which database to import.
#[derive(Debug, Clone)]
pub struct PgTable<'a> {
    /// A `postgres://` URL or a `key=value` connection string.
    pub url: &'a str,
    /// The schema (namespace); the first one on the search path holding the table when
    /// `None`.
    pub schema: Option<&'a str>,
    /// The table: as written, else folded to lower case as PostgreSQL folds unquoted names.
    pub table: &'a str,
}

/// One column as the catalogue describes it.
#[derive(Debug, Clone)]
struct PgColumn {
    name: String,
    data_type: String,
    length: Option<i32>,
    precision: Option<i32>,
    scale: Option<i32>,
    nullable: bool,
    udt_name: String,
    filled: bool,
}

/// The JSON Schema of `target.table`, read from the live database.
///
/// # Errors
/// A URL that does not parse, a server that cannot be reached or refuses the login, no
/// such table, or a catalogue that cannot be read; the URL's password never appears in
/// the message.
pub fn import_postgres(target: &PgTable<'_>) -> Result<Value, Error> {
    let config = Config::from_str(target.url).map_err(|e| {
        Error::new(
            ErrorKind::Usage,
            scrub(
                &format!("invalid PostgreSQL connection URL: {e}"),
                target.url,
            ),
        )
        .help("write it as postgres://USER[:PASSWORD]@HOST:PORT/DATABASE or as `host=… port=… user=… dbname=…`")
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(ErrorKind::Database, format!("cannot start a runtime: {e}")))?;
    runtime.block_on(read_table(config, target))
}

/// Connects and reads the catalogue.
async fn read_table(mut config: Config, target: &PgTable<'_>) -> Result<Value, Error> {
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let place = describe(&config);
    let db_error = |what: &str, e: &tokio_postgres::Error| {
        let cause = e.as_db_error().map_or_else(
            || {
                use std::error::Error as _;
                e.source()
                    .map_or_else(|| e.to_string(), |s| format!("{e}: {s}"))
            },
            |d| d.message().to_owned(),
        );
        Error::new(
            ErrorKind::Database,
            scrub(&format!("{what} {place}: {cause}"), target.url),
        )
    };
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| db_error("cannot connect to PostgreSQL at", &e))?;
    let task = tokio::spawn(connection);
    let result = catalogue(&client, target)
        .await
        .map_err(|e| db_error("cannot read the catalogue of", &e))
        .and_then(|read| read.ok_or_else(|| no_table(target, &place)))
        .and_then(|(table, ddl)| schema_from_ddl(&table, &ddl));
    drop(client);
    // The connection ends once the client is dropped; its outcome adds nothing.
    let _ = task.await;
    result
}

fn no_table(target: &PgTable<'_>, place: &str) -> Error {
    let name = match target.schema {
        Some(s) => format!("{s}.{}", target.table),
        None => target.table.to_owned(),
    };
    Error::new(ErrorKind::Usage, format!("no table `{name}` in {place}"))
        .help("name the schema with --schema, or check the table's spelling")
}

/// `user@host:port/database`, without the password.
fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map_or_else(String::new, |h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        });
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{db}")
}

/// `text` without the password `url` holds (as written and percent-decoded).
#[must_use]
pub fn scrub(text: &str, url: &str) -> String {
    let mut out = text.to_owned();
    let mut secrets: Vec<String> = Vec::new();
    if let Ok(config) = Config::from_str(url)
        && let Some(pw) = config.get_password()
    {
        secrets.push(String::from_utf8_lossy(pw).into_owned());
    }
    if let Ok(parsed) = url::Url::parse(url)
        && let Some(pw) = parsed.password()
    {
        secrets.push(pw.to_owned());
        let decoded = percent_encoding::percent_decode_str(pw).decode_utf8_lossy();
        secrets.push(decoded.into_owned());
    }
    // `password=…` in a key/value string that did not parse.
    for part in url.split_whitespace() {
        if let Some(pw) = part.strip_prefix("password=") {
            secrets.push(pw.trim_matches('\'').to_owned());
        }
    }
    secrets.retain(|s| !s.is_empty());
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in secrets {
        out = out.replace(&s, "****");
    }
    out
}

/// The table's `(schema.table, DDL)`, or `None` when there is no such table.
async fn catalogue(
    client: &Client,
    target: &PgTable<'_>,
) -> Result<Option<(String, String)>, tokio_postgres::Error> {
    let Some((oid, schema, table)) = resolve(client, target).await? else {
        return Ok(None);
    };
    let encoding: String = client
        .query_one(
            "SELECT pg_encoding_to_char(encoding)::text FROM pg_database \
             WHERE datname = current_database()",
            &[],
        )
        .await?
        .get(0);
    let columns = columns(client, &schema, &table).await?;
    let checks: Vec<String> = client
        .query(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = $1 AND contype = 'c' ORDER BY conname",
            &[&oid],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let enums = enums(client, oid).await?;
    let ddl = ddl(&table, &columns, &checks, &enums, &encoding);
    Ok(Some((format!("{schema}.{table}"), ddl)))
}

/// The table's oid, schema and name: as written, else in lower case.
async fn resolve(
    client: &Client,
    target: &PgTable<'_>,
) -> Result<Option<(u32, String, String)>, tokio_postgres::Error> {
    let mut names = vec![target.table.to_owned()];
    if target.table.to_lowercase() != target.table {
        names.push(target.table.to_lowercase());
    }
    for name in names {
        let row = client
            .query_opt(
                "SELECT c.oid, n.nspname::text, c.relname::text FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.oid = to_regclass(CASE WHEN $1::text IS NULL THEN quote_ident($2) \
                   ELSE quote_ident($1) || '.' || quote_ident($2) END)",
                &[&target.schema, &name],
            )
            .await?;
        if let Some(row) = row {
            return Ok(Some((row.get(0), row.get(1), row.get(2))));
        }
    }
    Ok(None)
}

async fn columns(
    client: &Client,
    schema: &str,
    table: &str,
) -> Result<Vec<PgColumn>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT column_name::text, data_type::text, character_maximum_length::int4, \
             numeric_precision::int4, numeric_scale::int4, is_nullable::text, udt_name::text, \
             (column_default IS NOT NULL OR is_identity = 'YES' OR is_generated = 'ALWAYS') \
             FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 \
             ORDER BY ordinal_position",
            &[&schema, &table],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| PgColumn {
            name: r.get(0),
            data_type: r.get(1),
            length: r.get(2),
            precision: r.get(3),
            scale: r.get(4),
            nullable: r.get::<_, String>(5) == "YES",
            udt_name: r.get(6),
            filled: r.get(7),
        })
        .collect())
}

/// The enum types the table's columns use, with their labels in order.
async fn enums(
    client: &Client,
    oid: u32,
) -> Result<Vec<(String, Vec<String>)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) \
             FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
             JOIN pg_enum e ON e.enumtypid = t.oid \
             WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped \
             GROUP BY t.typname ORDER BY t.typname",
            &[&oid],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// A quoted identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A quoted string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The DDL the DDL importer reads for the table; `encoding` is kept in a comment.
fn ddl(
    table: &str,
    columns: &[PgColumn],
    checks: &[String],
    enums: &[(String, Vec<String>)],
    encoding: &str,
) -> String {
    let mut out = format!("-- server_encoding {encoding}\n");
    for (name, labels) in enums {
        let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
        out.push_str(&format!(
            "CREATE TYPE {} AS ENUM ({});\n",
            quote(name),
            labels.join(", ")
        ));
    }
    let mut lines: Vec<String> = columns
        .iter()
        .map(|c| {
            let mut line = format!("  {} {}", quote(&c.name), column_type(c));
            if !c.nullable {
                line.push_str(" NOT NULL");
            }
            if c.filled {
                line.push_str(" DEFAULT NULL");
            }
            line
        })
        .collect();
    lines.extend(
        checks
            .iter()
            .filter_map(|c| check_text(c))
            .map(|c| format!("  CHECK ({c})")),
    );
    out.push_str(&format!(
        "CREATE TABLE {} (\n{}\n);\n",
        quote(table),
        lines.join(",\n")
    ));
    out
}

/// The column's type as DDL text the importer maps; a type it does not know keeps its
/// name (and maps to `{}`).
fn column_type(c: &PgColumn) -> String {
    let sized = |name: &str| match c.length {
        Some(n) => format!("{name}({n})"),
        None => name.to_owned(),
    };
    match c.data_type.as_str() {
        "character varying" => sized("varchar"),
        "character" => sized("char"),
        "numeric" => match (c.precision, c.scale) {
            (Some(p), Some(s)) => format!("numeric({p},{s})"),
            (Some(p), None) => format!("numeric({p})"),
            _ => "numeric".to_owned(),
        },
        "smallint"
        | "integer"
        | "bigint"
        | "text"
        | "boolean"
        | "date"
        | "uuid"
        | "real"
        | "double precision"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "time without time zone"
        | "time with time zone" => c.data_type.clone(),
        _ => quote(&c.udt_name),
    }
}

/// The expression of a `pg_get_constraintdef` text (`CHECK ((…))`, maybe `NOT VALID`)
/// without the casts the catalogue adds, as SQL text; `None` when it does not parse.
fn check_text(def: &str) -> Option<String> {
    let body = def.trim().strip_prefix("CHECK")?.trim();
    let body = body.strip_suffix("NOT VALID").unwrap_or(body).trim();
    let body = body.strip_suffix("NO INHERIT").unwrap_or(body).trim();
    let expr = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(body)
        .ok()?
        .parse_expr()
        .ok()?;
    Some(uncast(expr).to_string())
}

/// `expr` without casts; `x = ANY (ARRAY[a, b])` as `x IN (a, b)`; a quoted number cast
/// to a numeric type (`'-1'::integer`) as the number.
fn uncast(expr: Expr) -> Expr {
    match expr {
        Expr::Cast {
            expr, data_type, ..
        } => match *expr {
            Expr::Value(v) if numeric(&data_type) => match &v.value {
                SqlValue::SingleQuotedString(s) if s.parse::<f64>().is_ok() => {
                    Expr::Value(SqlValue::Number(s.clone(), false).with_empty_span())
                }
                _ => Expr::Value(v),
            },
            other => strip(uncast(other)),
        },
        Expr::Nested(inner) => Expr::Nested(Box::new(uncast(*inner))),
        Expr::BinaryOp { left, op, right } => Expr::BinaryOp {
            left: Box::new(uncast(*left)),
            op,
            right: Box::new(uncast(*right)),
        },
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            is_some,
        } => match strip(uncast(*right)) {
            Expr::Array(array) => Expr::In {
                expr: Box::new(uncast(*left)),
                target: InTarget::List(array.elem.into_iter().map(uncast).collect()),
                negated: false,
                global: false,
            },
            right => Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right: Box::new(right),
                is_some,
            },
        },
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => Expr::Between {
            expr: Box::new(uncast(*expr)),
            negated,
            low: Box::new(uncast(*low)),
            high: Box::new(uncast(*high)),
        },
        Expr::UnaryOp { op, expr } => Expr::UnaryOp {
            op,
            expr: Box::new(uncast(*expr)),
        },
        Expr::Function(mut f) => {
            if let FunctionArguments::List(list) = &mut f.args {
                for arg in &mut list.args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = arg {
                        *e = uncast(std::mem::replace(
                            e,
                            Expr::Value(SqlValue::Null.with_empty_span()),
                        ));
                    }
                }
            }
            Expr::Function(f)
        }
        other => other,
    }
}

/// Without enclosing parentheses.
fn strip(expr: Expr) -> Expr {
    match expr {
        Expr::Nested(inner) => strip(*inner),
        other => other,
    }
}

fn numeric(dt: &DataType) -> bool {
    let name = dt.to_string().to_ascii_lowercase();
    [
        "int", "numeric", "decimal", "real", "double", "float", "bigint", "smallint",
    ]
    .iter()
    .any(|n| name.starts_with(n))
}

/// Imports the DDL text and applies the encoding.
fn schema_from_ddl(table: &str, ddl: &str) -> Result<Value, Error> {
    let file = SourceFile::new(format!("postgres:{table}"), ddl.to_owned());
    let options = SqlOptions::new(Dialect::Postgres);
    let schemas = import_sql_files(&[file], &options)?;
    let Some((_, mut schema)) = schemas.into_iter().next() else {
        return Err(Error::new(
            ErrorKind::Database,
            format!("`{table}` has no columns"),
        ));
    };
    let encoding = ddl
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("-- server_encoding "))
        .unwrap_or("UTF8")
        .to_owned();
    if let Some(root) = schema.as_object_mut() {
        root.insert(
            "x-source".into(),
            json!(format!("postgres {table} (server_encoding {encoding})")),
        );
        if let Some(Value::Object(props)) = root.get_mut("properties") {
            for prop in props.values_mut() {
                if let Value::Object(p) = prop {
                    apply_encoding(p, &encoding);
                }
            }
        }
    }
    Ok(schema)
}

/// What the database encoding adds to a text column (README, "`ripple import
/// postgres`"): `LATIN1` and `WIN1252` hold only Latin-1 characters (`x-charset:
/// latin1`; WIN1252's few extra characters are left out, the safe side); `SQL_ASCII`
/// stores the bytes the client sends and counts lengths in them (`maxLength` becomes
/// `x-maxBytes`). Other encodings add nothing.
pub(crate) fn apply_encoding(prop: &mut Map<String, Value>, encoding: &str) {
    let string = match prop.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if !string || prop.contains_key("enum") || prop.contains_key("format") {
        return;
    }
    match encoding.to_ascii_uppercase().as_str() {
        "LATIN1" | "WIN1252" => {
            prop.insert("x-charset".into(), json!("latin1"));
        }
        "SQL_ASCII" => {
            if let Some(n) = prop.remove("maxLength") {
                prop.insert("x-maxBytes".into(), n);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_checks_lose_their_casts() {
        assert_eq!(
            check_text("CHECK ((char_length((name)::text) >= 2))").as_deref(),
            Some("((char_length(name) >= 2))")
        );
        assert_eq!(
            check_text(
                "CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))"
            )
            .as_deref(),
            Some("((status IN ('a', 'b')))")
        );
        assert_eq!(
            check_text("CHECK (((age >= '-1'::integer) AND (age <= 150))) NOT VALID").as_deref(),
            Some("(((age >= -1) AND (age <= 150)))")
        );
    }

    fn column(name: &str, data_type: &str, length: Option<i32>, udt: &str) -> PgColumn {
        PgColumn {
            name: name.into(),
            data_type: data_type.into(),
            length,
            precision: None,
            scale: None,
            nullable: false,
            udt_name: udt.into(),
            filled: false,
        }
    }

    #[test]
    fn the_catalogue_becomes_ddl_the_importer_reads() {
        let mut id = column("id", "integer", None, "int4");
        id.filled = true;
        let mut amount = column("amount", "numeric", None, "numeric");
        amount.precision = Some(8);
        amount.scale = Some(2);
        amount.nullable = true;
        let columns = [
            id,
            column("Na\"me", "character varying", Some(12), "varchar"),
            column("kind", "USER-DEFINED", None, "kind"),
            column("tags", "ARRAY", None, "_text"),
            amount,
        ];
        let enums = [("kind".to_owned(), vec!["a".to_owned(), "it's".to_owned()])];
        let checks = ["CHECK ((char_length((\"Na\"\"me\")::text) >= 2))".to_owned()];
        let text = ddl("t", &columns, &checks, &enums, "LATIN1");
        let Ok(schema) = schema_from_ddl("public.t", &text) else {
            panic!("{text}")
        };
        let p = &schema["properties"];
        assert_eq!(p["id"]["type"], "integer");
        assert_eq!(p["Na\"me"]["maxLength"], 12);
        assert_eq!(p["Na\"me"]["minLength"], 2);
        assert_eq!(p["Na\"me"]["x-charset"], "latin1");
        assert_eq!(p["kind"]["enum"], json!(["a", "it's"]));
        assert!(p["tags"].get("type").is_none());
        assert_eq!(p["amount"]["type"], json!(["number", "null"]));
        assert_eq!(p["amount"]["maximum"], json!(999_999.99));
        assert_eq!(schema["required"], json!(["Na\"me", "kind", "tags"]));
    }

    #[test]
    fn passwords_are_scrubbed() {
        let url = "postgres://app:s3cr%3Ft@127.0.0.1:1/crm";
        let text = "failed for app with s3cr?t and s3cr%3Ft";
        let out = scrub(text, url);
        assert!(!out.contains("s3cr"), "{out}");
        let kv = "host=/tmp user=app password=hunter2";
        assert!(!scrub("saw hunter2", kv).contains("hunter2"));
    }

    #[test]
    fn encodings_mark_text_columns() {
        let mut p = json!({"type": "string", "maxLength": 5});
        if let Value::Object(m) = &mut p {
            apply_encoding(m, "SQL_ASCII");
        }
        assert_eq!(p, json!({"type": "string", "x-maxBytes": 5}));
        let mut p = json!({"type": ["string", "null"], "maxLength": 5});
        if let Value::Object(m) = &mut p {
            apply_encoding(m, "LATIN1");
        }
        assert_eq!(p["x-charset"], "latin1");
    }
}
