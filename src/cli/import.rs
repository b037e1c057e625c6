//! `ripple import sql|openapi|ldap …`: system schemas from DDL, OpenAPI documents and
//! LDAP schemas (README, "`ripple import`"); the importers are in `ripple::import`.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use ripple::import::{self, Dialect, LengthSemantics, SqlOptions, Update};
use ripple::{Error, ErrorKind, Errors};
use serde_json::{Value, json};

use super::args::HumanOrJson;
use super::{Format, Verdict, emit};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    source: Source,
}

#[derive(Debug, Subcommand)]
enum Source {
    /// One schema per `CREATE TABLE` (and `ALTER TABLE … ADD/MODIFY`) in SQL DDL files.
    Sql(SqlArgs),
    /// An OpenAPI 3.0/3.1 component schema (JSON or YAML).
    Openapi(OpenapiArgs),
    /// An LDAP object class (OpenLDAP schema, `olcAttributeTypes:` LDIF, or an Active
    /// Directory schema LDIF).
    Ldap(LdapArgs),
    /// A table of a live PostgreSQL database, read from its catalogue.
    Postgres(PostgresArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DialectArg {
    Oracle,
    Postgres,
    Mysql,
    Sqlserver,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SemanticsArg {
    Byte,
    Char,
}

#[derive(Debug, clap::Args)]
struct SqlArgs {
    /// DDL files, read in order (an `ALTER TABLE` may change a table of an earlier file).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The SQL dialect; guessed from the first file when left out.
    #[arg(long, value_enum)]
    dialect: Option<DialectArg>,
    /// Only this table (case-insensitive, with or without its schema); prints its schema
    /// alone rather than an object of schemas by table.
    #[arg(long, value_name = "T")]
    table: Option<String>,
    /// What Oracle lengths without `BYTE` or `CHAR` count (`NLS_LENGTH_SEMANTICS`).
    #[arg(long, value_enum, default_value = "byte")]
    length_semantics: SemanticsArg,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct OpenapiArgs {
    /// The OpenAPI document (JSON or YAML).
    file: PathBuf,
    /// The component schema (`#/components/schemas/NAME`).
    #[arg(long, value_name = "NAME")]
    schema: String,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct LdapArgs {
    /// LDAP schema files (pass `core.schema` too when the class's superclasses are
    /// defined there).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The object class.
    #[arg(long = "class", value_name = "C")]
    class: String,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct PostgresArgs {
    /// The connection URL (`postgres://USER@HOST:PORT/DATABASE`); its password is never
    /// printed. Prefer --url-env when it holds one.
    #[arg(required_unless_present = "url_env", conflicts_with = "url_env")]
    url: Option<String>,
    /// Read the URL from this environment variable.
    #[arg(long, value_name = "VAR")]
    url_env: Option<String>,
    /// The table (as written, else folded to lower case).
    #[arg(long, value_name = "T")]
    table: String,
    /// The schema (namespace); the first on the search path holding the table by default.
    #[arg(long, value_name = "S")]
    schema: Option<String>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, clap::Args)]
struct Common {
    /// Write each schema to `DIR/<name>.json` instead of printing it.
    #[arg(long, value_name = "DIR", conflicts_with = "update")]
    out: Option<PathBuf>,
    /// Rewrite SYSTEM's schema file in PIPELINE from the imported schema, keeping its
    /// `x-pii`, `description`, `title`, `examples`, `$comment` and other `x-`
    /// annotations; prints what changed.
    #[arg(long, num_args = 2, value_names = ["PIPELINE", "SYSTEM"])]
    update: Option<Vec<PathBuf>>,
    #[command(flatten)]
    format: HumanOrJson,
}

pub(crate) fn run(args: Args) -> Result<Verdict, Errors> {
    let (schemas, common, single) = match args.source {
        Source::Sql(sql) => {
            let single = sql.table.is_some();
            (import_sql(&sql)?, sql.common, single)
        }
        Source::Openapi(o) => {
            let schema = import::import_openapi(&o.file, &o.schema)?;
            (vec![(o.schema, schema)], o.common, true)
        }
        Source::Ldap(l) => {
            let schema = import::ldap::import_ldap_paths(&l.files, &l.class)?;
            (vec![(l.class, schema)], l.common, true)
        }
        Source::Postgres(p) => {
            let url = postgres_url(p.url.as_deref(), p.url_env.as_deref())?;
            let schema = import::import_postgres(&import::PgTable {
                url: &url,
                schema: p.schema.as_deref(),
                table: &p.table,
            })?;
            (vec![(p.table, schema)], p.common, true)
        }
    };
    if let Some(update) = &common.update {
        return run_update(update, schemas, common.format.format);
    }
    if let Some(dir) = &common.out {
        return write_out(dir, &schemas, common.format.format);
    }
    let value = match schemas.as_slice() {
        [(_, schema)] if single => schema.clone(),
        _ => Value::Object(schemas.into_iter().collect()),
    };
    emit(&format!("{}\n", pretty(&value)?))?;
    Ok(Verdict::Clean)
}

/// The URL from the command line or from the variable `--url-env` names.
fn postgres_url(url: Option<&str>, env: Option<&str>) -> Result<String, Error> {
    if let Some(url) = url {
        return Ok(url.to_owned());
    }
    let var = env.unwrap_or_default();
    std::env::var(var).map_err(|_| {
        Error::new(
            ErrorKind::Usage,
            format!("the environment variable `{var}` (--url-env) is not set"),
        )
        .help("export it with the connection URL: postgres://USER@HOST:PORT/DATABASE")
    })
}

fn import_sql(args: &SqlArgs) -> Result<Vec<(String, Value)>, Error> {
    let files = args
        .files
        .iter()
        .map(|p| import::read_source(p))
        .collect::<Result<Vec<_>, _>>()?;
    let dialect = match args.dialect {
        Some(DialectArg::Oracle) => Dialect::Oracle,
        Some(DialectArg::Postgres) => Dialect::Postgres,
        Some(DialectArg::Mysql) => Dialect::Mysql,
        Some(DialectArg::Sqlserver) => Dialect::Sqlserver,
        None => {
            let guessed = Dialect::guess(files.first().map_or("", |f| f.text.as_str()));
            tracing::info!(dialect = guessed.name(), "SQL dialect guessed");
            guessed
        }
    };
    let options = SqlOptions {
        dialect,
        table: args.table.clone(),
        length_semantics: match args.length_semantics {
            SemanticsArg::Byte => LengthSemantics::Byte,
            SemanticsArg::Char => LengthSemantics::Char,
        },
    };
    Ok(import::sql::import_sql_files(&files, &options)?
        .into_iter()
        .collect())
}

fn pretty(value: &Value) -> Result<String, Error> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Error::new(ErrorKind::Json, format!("cannot write JSON: {e}")))
}

/// `--out DIR`: one `<name>.json` per schema.
fn write_out(dir: &Path, schemas: &[(String, Value)], format: Format) -> Result<Verdict, Errors> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, &e))?;
    let mut written = Vec::new();
    for (name, schema) in schemas {
        let path = dir.join(format!("{}.json", file_name(name)));
        let text = format!("{}\n", pretty(schema)?);
        std::fs::write(&path, text).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot write {}: {e}", path.display()),
            )
            .in_file(&path)
        })?;
        written.push(path.display().to_string());
    }
    let text = match format {
        Format::Json => format!("{}\n", json!({ "written": written })),
        _ => written
            .iter()
            .map(|p| format!("wrote {}\n", ripple::text::escape(p)))
            .collect(),
    };
    emit(&text)?;
    Ok(Verdict::Clean)
}

/// A schema name safe as a file name: path separators and other awkward characters
/// become `_`.
fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `--update PIPELINE SYSTEM`.
fn run_update(
    update: &[PathBuf],
    schemas: Vec<(String, Value)>,
    format: Format,
) -> Result<Verdict, Errors> {
    let [pipeline_path, system] = update else {
        return Err(Error::new(ErrorKind::Usage, "--update takes PIPELINE SYSTEM").into());
    };
    let system = system.to_string_lossy();
    let imported = match <[(String, Value); 1]>::try_from(schemas) {
        Ok([(_, schema)]) => schema,
        Err(schemas) => {
            let names: Vec<&str> = schemas.iter().map(|(n, _)| n.as_str()).collect();
            return Err(Error::new(
                ErrorKind::Usage,
                format!(
                    "--update needs one table, the files define {}: {}",
                    names.len(),
                    names.join(", ")
                ),
            )
            .help("pick one with --table")
            .into());
        }
    };
    let pipeline = super::load(pipeline_path)?;
    let planned = import::update::plan(&pipeline, &system, &imported)?;
    planned.apply(pipeline_path)?;
    emit(&report(&planned, format))?;
    Ok(Verdict::Clean)
}

/// One change for `--format json`: `field`, `change` (`added`, `removed`, `required`,
/// `optional`, `keyword`) and for keywords `keyword`, `before`, `after`.
fn change_json(change: &import::FieldChange) -> Value {
    use import::update::Change;
    match &change.change {
        Change::Added => json!({"field": change.field, "change": "added"}),
        Change::Removed => json!({"field": change.field, "change": "removed"}),
        Change::Required(true) => json!({"field": change.field, "change": "required"}),
        Change::Required(false) => json!({"field": change.field, "change": "optional"}),
        Change::Keyword {
            keyword,
            before,
            after,
        } => json!({
            "field": change.field,
            "change": "keyword",
            "keyword": keyword,
            "before": before,
            "after": after,
        }),
    }
}

fn report(update: &Update, format: Format) -> String {
    if format == Format::Json {
        let changes: Vec<Value> = update.changes.iter().map(change_json).collect();
        return format!(
            "{}\n",
            json!({"system": update.system, "file": update.path.display().to_string(), "changes": changes})
        );
    }
    let mut text = format!(
        "updated {} ({})",
        ripple::text::escape(&update.path.display().to_string()),
        ripple::text::escape(&update.system)
    );
    if update.changes.is_empty() {
        text.push_str(": no change\n");
        return text;
    }
    text.push('\n');
    for change in &update.changes {
        text.push_str(&format!(
            "  {}\n",
            ripple::text::escape(&change.to_string())
        ));
    }
    text
}
