//! `CREATE TABLE` (and `ALTER TABLE … ADD/MODIFY`) to one JSON Schema per table (README,
//! "`ripple import sql`").
//!
//! Files are tokenized once with `sqlparser`, split into statements (at `;`, at a line
//! holding only `GO` for SQL Server or `/` for Oracle) and only the statements that
//! define tables or enum types are parsed: a script's `CREATE INDEX`, grants and
//! PL/SQL blocks are skipped, never errors. Parse errors keep the tokens' places in the
//! file, so they point at its line and column.

mod checks;
mod clean;
mod types;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, CommentObject, CreateTable,
    DataType, Expr, Ident, ObjectName, Statement, TableConstraint, UserDefinedTypeRepresentation,
};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

pub use crate::dialect::Dialect;
use crate::error::{Error, ErrorKind};
use crate::span::SourceFile;

use super::{allow_null, located, object_schema, offset_of};

/// The `sqlparser` dialect that reads `dialect`'s DDL.
fn parser(dialect: Dialect) -> Box<dyn sqlparser::dialect::Dialect> {
    use sqlparser::dialect as d;
    match dialect {
        Dialect::Oracle => Box::new(d::OracleDialect {}),
        Dialect::Postgres => Box::new(d::PostgreSqlDialect {}),
        Dialect::Mysql => Box::new(d::MySqlDialect {}),
        Dialect::Sqlserver => Box::new(d::MsSqlDialect {}),
    }
}

/// What an Oracle length without `BYTE` or `CHAR` counts (the database's
/// `NLS_LENGTH_SEMANTICS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LengthSemantics {
    /// Bytes (Oracle's default): `x-maxBytes`.
    #[default]
    Byte,
    /// Characters: `maxLength`.
    Char,
}

/// How to read DDL.
#[derive(Debug, Clone)]
pub struct SqlOptions {
    /// The SQL dialect.
    pub dialect: Dialect,
    /// Only this table (matched case-insensitively, with or without its schema).
    pub table: Option<String>,
    /// What Oracle lengths without a unit count.
    pub length_semantics: LengthSemantics,
}

impl SqlOptions {
    /// Options for `dialect`, every table, byte semantics.
    #[must_use]
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            table: None,
            length_semantics: LengthSemantics::Byte,
        }
    }
}

/// One JSON Schema per table defined in the DDL files `paths` (read in order, so an
/// `ALTER TABLE` in a later file changes a table of an earlier one), keyed by the
/// table's name (unquoted names in lower case); only `options.table` when given.
///
/// # Errors
/// An unreadable file, a table or type definition that does not parse (located at its
/// line and column), no table at all, or no table named `options.table`.
pub fn import_sql(
    paths: &[PathBuf],
    options: &SqlOptions,
) -> Result<IndexMap<String, Value>, Error> {
    let files = paths
        .iter()
        .map(|p| super::read_source(p))
        .collect::<Result<Vec<_>, _>>()?;
    import_sql_files(&files, options)
}

/// [`import_sql`] on files already read.
///
/// # Errors
/// As [`import_sql`].
pub fn import_sql_files(
    files: &[Arc<SourceFile>],
    options: &SqlOptions,
) -> Result<IndexMap<String, Value>, Error> {
    let mut model = Model::new(options);
    for file in files {
        model.read(file)?;
    }
    model.schemas(options.table.as_deref(), files)
}

/// [`import_sql`] on DDL text, named `name` in errors.
///
/// # Errors
/// As [`import_sql`], without the reading.
pub fn import_sql_text(
    name: impl Into<PathBuf>,
    text: impl Into<String>,
    options: &SqlOptions,
) -> Result<IndexMap<String, Value>, Error> {
    import_sql_files(&[SourceFile::new(name, text)], options)
}

/// The schema of the one table `table` in the DDL file at `path`: what `check` compares
/// a declared system schema with.
///
/// # Errors
/// As [`import_sql`].
pub fn import_sql_table(path: &Path, dialect: Dialect, table: &str) -> Result<Value, Error> {
    let options = SqlOptions {
        table: Some(table.to_owned()),
        ..SqlOptions::new(dialect)
    };
    let mut schemas = import_sql(&[path.to_path_buf()], &options)?;
    schemas
        .pop()
        .map(|(_, schema)| schema)
        .ok_or_else(|| Error::new(ErrorKind::Usage, format!("no table `{table}`")))
}

/// A column's name as a property: unquoted names in lower case (Oracle folds them to
/// upper case, PostgreSQL to lower; the property is the same for both), quoted names as
/// written.
pub(super) fn property(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// A qualified name folded part by part as [`property`] folds a column.
pub(super) fn fold_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .filter_map(|p| p.as_ident())
        .map(property)
        .collect::<Vec<_>>()
        .join(".")
}

/// The last part of a qualified name.
fn last(name: &ObjectName) -> Option<&Ident> {
    name.0.iter().rev().find_map(|p| p.as_ident())
}

#[derive(Debug, Clone)]
struct Column {
    /// The name as written (unfolded, unquoted).
    written: String,
    /// The type as written.
    type_text: String,
    /// The schema of a non-null value.
    schema: Map<String, Value>,
    not_null: bool,
    /// A default or a generated value: the system fills it when a record leaves it out.
    filled: bool,
    /// `COMMENT '…'` (MySQL) or `COMMENT ON COLUMN … IS '…'`: the property's `description`.
    comment: Option<String>,
}

#[derive(Debug)]
struct Table {
    /// The qualified name as written.
    written: String,
    /// The qualified name, folded.
    qualified: String,
    /// The table's own default character set (MySQL).
    charset: Option<String>,
    /// `COMMENT ON TABLE … IS '…'`: the schema's `description`.
    comment: Option<String>,
    columns: IndexMap<String, Column>,
}

struct Model {
    dialect: Dialect,
    semantics: LengthSemantics,
    tables: IndexMap<String, Table>,
    enums: HashMap<String, Vec<String>>,
}

/// How a statement's tokens are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Parsed as it stands.
    Plain,
    /// Oracle `ALTER TABLE t ADD (col …, col …)`: read as a `CREATE TABLE` of the added
    /// columns.
    OracleAdd,
    /// Oracle `ALTER TABLE t MODIFY (col …)`.
    OracleModify,
}

impl Model {
    fn new(options: &SqlOptions) -> Self {
        Self {
            dialect: options.dialect,
            semantics: options.length_semantics,
            tables: IndexMap::new(),
            enums: HashMap::new(),
        }
    }

    /// Reads the table and type definitions of one file.
    fn read(&mut self, file: &Arc<SourceFile>) -> Result<(), Error> {
        let dialect = parser(self.dialect);
        let tokens = Tokenizer::new(&*dialect, &file.text)
            .tokenize_with_location()
            .map_err(|e| {
                let at = offset_of(file, to_usize(e.location.line), to_usize(e.location.column));
                located(
                    file,
                    ErrorKind::Syntax,
                    at,
                    at + 1,
                    format!("invalid SQL: {}", e.message),
                )
            })?;
        let tokens = if self.dialect == Dialect::Oracle {
            oracle_upper_quoted(tokens)
        } else {
            tokens
        };
        for statement in split(tokens, self.dialect) {
            let Some((kind, tokens)) = self.prepare(statement) else {
                continue;
            };
            let solid = || {
                tokens
                    .iter()
                    .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            };
            let first = solid().next().map(|t| t.span.start);
            let end = solid().next_back().map(|t| t.span.end);
            let parsed = Parser::new(&*dialect)
                .with_tokens_with_locations(tokens)
                .parse_statements()
                .map_err(|e| parse_error(file, &e, first, end))?;
            for statement in parsed {
                self.statement(statement, kind, file, first)?;
            }
        }
        Ok(())
    }

    /// Whether to parse a statement, and how: table and enum definitions only.
    fn prepare(&self, tokens: Vec<TokenWithSpan>) -> Option<(Kind, Vec<TokenWithSpan>)> {
        let words: Vec<String> = tokens
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .take(16)
            .map(|t| match &t.token {
                Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
                other => other.to_string(),
            })
            .collect();
        let word = |i: usize| words.get(i).map_or("", String::as_str);
        match (word(0), word(1)) {
            ("ALTER", "TABLE") => {
                if !alters_columns(&words) {
                    return None;
                }
                let (kind, tokens) = self.oracle_alter(tokens);
                let create = kind != Kind::Plain;
                Some((kind, clean::statement(tokens, self.dialect, create)))
            }
            ("COMMENT", "ON") => {
                matches!(word(2), "COLUMN" | "TABLE").then_some((Kind::Plain, tokens))
            }
            ("CREATE", "TYPE") => (self.dialect == Dialect::Postgres
                && words.iter().any(|w| w == "ENUM"))
            .then_some((Kind::Plain, tokens)),
            ("CREATE", _) => words[1..]
                .iter()
                .take_while(|w| {
                    matches!(
                        w.as_str(),
                        "OR" | "REPLACE"
                            | "GLOBAL"
                            | "LOCAL"
                            | "TEMPORARY"
                            | "TEMP"
                            | "UNLOGGED"
                            | "TABLE"
                    )
                })
                .any(|w| w == "TABLE")
                .then(|| (Kind::Plain, clean::statement(tokens, self.dialect, true))),
            _ => None,
        }
    }

    /// Oracle's `ALTER TABLE t ADD (…)` and `MODIFY (…)` as a `CREATE TABLE t (…)` whose
    /// tokens keep their places in the file.
    fn oracle_alter(&self, tokens: Vec<TokenWithSpan>) -> (Kind, Vec<TokenWithSpan>) {
        if self.dialect != Dialect::Oracle {
            return (Kind::Plain, tokens);
        }
        let tokens = keep_type_placeholders(tokens);
        let solid: Vec<usize> = (0..tokens.len())
            .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
            .collect();
        let Some(pos) = solid.iter().position(|&i| {
            matches!(&tokens[i].token, Token::Word(w) if w.quote_style.is_none()
                && matches!(w.value.to_ascii_uppercase().as_str(), "ADD" | "MODIFY"))
        }) else {
            return (Kind::Plain, tokens);
        };
        let paren = solid.get(pos + 1).map(|&i| &tokens[i].token);
        if paren != Some(&Token::LParen) {
            return (Kind::Plain, tokens);
        }
        let kind = match &tokens[solid[pos]].token {
            Token::Word(w) if w.value.eq_ignore_ascii_case("ADD") => Kind::OracleAdd,
            _ => Kind::OracleModify,
        };
        let mut out = tokens;
        if let Some(&alter) = solid.first()
            && let Token::Word(w) = &mut out[alter].token
        {
            "CREATE".clone_into(&mut w.value);
            w.keyword = sqlparser::keywords::Keyword::CREATE;
        }
        out.remove(solid[pos]);
        (kind, out)
    }

    fn statement(
        &mut self,
        statement: Statement,
        kind: Kind,
        file: &Arc<SourceFile>,
        at: Option<sqlparser::tokenizer::Location>,
    ) -> Result<(), Error> {
        match statement {
            Statement::CreateTable(create) if kind == Kind::Plain => self.create(&create, file, at),
            Statement::CreateTable(create) => {
                self.oracle_columns(&create, kind == Kind::OracleModify);
                Ok(())
            }
            Statement::CreateType {
                name,
                representation: Some(UserDefinedTypeRepresentation::Enum { labels }),
            } => {
                let labels: Vec<String> = labels.into_iter().map(|l| l.value).collect();
                if let Some(last) = last(&name) {
                    self.enums.insert(property(last), labels.clone());
                }
                self.enums.insert(fold_name(&name), labels);
                Ok(())
            }
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => {
                self.comment(object_type, &object_name, comment);
                Ok(())
            }
            Statement::AlterTable(alter) => {
                let table = fold_name(&alter.name);
                for op in &alter.operations {
                    self.alter(&table, op);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn create(
        &mut self,
        create: &CreateTable,
        file: &Arc<SourceFile>,
        at: Option<sqlparser::tokenizer::Location>,
    ) -> Result<(), Error> {
        let Some(name) = last(&create.name) else {
            return Ok(());
        };
        let key = property(name);
        let qualified = fold_name(&create.name);
        if let Some(other) = self.tables.get(&key)
            && other.qualified != qualified
        {
            let start = at.map_or(0, |l| offset_of(file, to_usize(l.line), to_usize(l.column)));
            return Err(located(
                file,
                ErrorKind::Usage,
                start,
                start + 6,
                format!(
                    "two tables are named `{key}`: {} and {}",
                    other.written, create.name
                ),
            )
            .help("import them from separate runs, one file each"));
        }
        let mut table = Table {
            written: create.name.to_string().replace(['"', '`', '[', ']'], ""),
            qualified,
            charset: table_charset(create),
            comment: None,
            columns: IndexMap::new(),
        };
        for def in &create.columns {
            let column = self.column(&table, def);
            table.columns.insert(property(&def.name), column);
        }
        for constraint in &create.constraints {
            self.constraint(&mut table, constraint);
        }
        self.tables.insert(key, table);
        Ok(())
    }

    /// The columns of an Oracle `ALTER TABLE … ADD (…)`/`MODIFY (…)`; a modified column
    /// keeps its nullability unless the statement restates it.
    fn oracle_columns(&mut self, create: &CreateTable, modify: bool) {
        let Some(key) = last(&create.name).map(property) else {
            return;
        };
        let Some((index, key, mut table)) = self.tables.shift_remove_full(&key) else {
            return;
        };
        for def in &create.columns {
            let options: Vec<&ColumnOption> = def.options.iter().map(|o| &o.option).collect();
            let column = column_from(self, &table, &def.name, &def.data_type, &options);
            let name = property(&def.name);
            let column = match table.columns.get(&name) {
                Some(old) if modify => oracle_modified(old, column, &def.data_type, &options),
                _ => column,
            };
            table.columns.insert(name, column);
        }
        self.tables.shift_insert(index, key, table);
    }

    /// One column of `table`.
    fn column(&self, table: &Table, def: &ColumnDef) -> Column {
        let options: Vec<&ColumnOption> = def.options.iter().map(|o| &o.option).collect();
        column_from(self, table, &def.name, &def.data_type, &options)
    }

    fn constraint(&self, table: &mut Table, constraint: &TableConstraint) {
        match constraint {
            TableConstraint::Check(check) => {
                apply_check(table, &check.expr, self.dialect);
            }
            TableConstraint::PrimaryKey(pk) => {
                for c in &pk.columns {
                    if let Expr::Identifier(ident) = &c.column.expr
                        && let Some(col) = table.columns.get_mut(&property(ident))
                    {
                        col.not_null = true;
                    }
                }
            }
            _ => {}
        }
    }

    fn alter(&mut self, table: &str, op: &AlterTableOperation) {
        let key = table.rsplit('.').next().unwrap_or(table);
        let Some(key) = self.table_key(key) else {
            // A table defined elsewhere: nothing to change here.
            return;
        };
        let Some((index, key, mut t)) = self.tables.shift_remove_full(&key) else {
            return;
        };
        self.alter_table(&mut t, op);
        self.tables.shift_insert(index, key, t);
    }

    /// `COMMENT ON TABLE t IS '…'` and `COMMENT ON COLUMN t.c IS '…'`.
    fn comment(&mut self, object: CommentObject, name: &ObjectName, comment: Option<String>) {
        let parts: Vec<&Ident> = name.0.iter().filter_map(|p| p.as_ident()).collect();
        let (table, column) = match (object, parts.as_slice()) {
            (CommentObject::Table, [.., table]) => (*table, None),
            (CommentObject::Column, [.., table, column]) => (*table, Some(*column)),
            _ => return,
        };
        let Some(key) = self.table_key(&property(table)) else {
            return;
        };
        let column_key = column.and_then(|c| self.tables.get(&key).map(|t| self.column_key(t, c)));
        let Some(t) = self.tables.get_mut(&key) else {
            return;
        };
        match column_key {
            Some(c) => {
                if let Some(column) = t.columns.get_mut(&c) {
                    column.comment = comment;
                }
            }
            None => t.comment = comment,
        }
    }

    /// The key of the table `name` names: the same, else (MySQL, SQL Server, whose
    /// names are case-insensitive) the one differing only in case.
    fn table_key(&self, name: &str) -> Option<String> {
        if self.tables.contains_key(name) {
            return Some(name.to_owned());
        }
        self.case_insensitive()
            .then(|| {
                self.tables
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case(name))
                    .cloned()
            })
            .flatten()
    }

    /// The key of the column `ident` names in `t` (see [`Model::table_key`]).
    fn column_key(&self, t: &Table, ident: &Ident) -> String {
        let name = property(ident);
        if t.columns.contains_key(&name) || !self.case_insensitive() {
            return name;
        }
        t.columns
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&name))
            .cloned()
            .unwrap_or(name)
    }

    fn case_insensitive(&self) -> bool {
        matches!(self.dialect, Dialect::Mysql | Dialect::Sqlserver)
    }

    fn alter_table(&self, t: &mut Table, op: &AlterTableOperation) {
        match op {
            AlterTableOperation::AddColumn { column_def, .. } => {
                let column = self.column(t, column_def);
                t.columns.insert(property(&column_def.name), column);
            }
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                options,
                ..
            } => {
                let options: Vec<&ColumnOption> = options.iter().collect();
                let key = self.column_key(t, col_name);
                let column = column_from(self, t, col_name, data_type, &options);
                // MySQL's MODIFY restates the column; Oracle's changes what it names.
                let column = match t.columns.get(&key) {
                    Some(old) if self.dialect == Dialect::Oracle => {
                        oracle_modified(old, column, data_type, &options)
                    }
                    _ => column,
                };
                t.columns.insert(key, column);
            }
            AlterTableOperation::ChangeColumn {
                old_name,
                new_name,
                data_type,
                options,
                ..
            } => {
                let options: Vec<&ColumnOption> = options.iter().collect();
                let column = column_from(self, t, new_name, data_type, &options);
                rename(t, &self.column_key(t, old_name), property(new_name), column);
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let old = self.column_key(t, old_column_name);
                if let Some(mut column) = t.columns.get(&old).cloned() {
                    new_column_name.value.clone_into(&mut column.written);
                    rename(t, &old, property(new_column_name), column);
                }
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for name in column_names {
                    let key = self.column_key(t, name);
                    t.columns.shift_remove(&key);
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                self.alter_column(t, column_name, op);
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                self.constraint(t, constraint);
            }
            _ => {}
        }
    }

    fn alter_column(&self, t: &mut Table, name: &Ident, op: &AlterColumnOperation) {
        let key = self.column_key(t, name);
        if let AlterColumnOperation::SetDataType { data_type, .. } = op {
            if let Some(old) = t.columns.get(&key).cloned() {
                let mut column = column_from(self, t, name, data_type, &[]);
                column.written = old.written;
                column.not_null = old.not_null;
                column.filled = old.filled;
                t.columns.insert(key, column);
            }
            return;
        }
        let Some(column) = t.columns.get_mut(&key) else {
            return;
        };
        match op {
            AlterColumnOperation::SetNotNull => column.not_null = true,
            AlterColumnOperation::DropNotNull => column.not_null = false,
            AlterColumnOperation::SetDefault { .. } | AlterColumnOperation::AddGenerated { .. } => {
                column.filled = true;
            }
            AlterColumnOperation::DropDefault => column.filled = false,
            _ => {}
        }
    }

    /// The schemas of the tables read, or only of `only`.
    fn schemas(
        self,
        only: Option<&str>,
        files: &[Arc<SourceFile>],
    ) -> Result<IndexMap<String, Value>, Error> {
        let in_files = || {
            files
                .iter()
                .map(|f| f.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.tables.is_empty() {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("no CREATE TABLE statement in {}", in_files()),
            ));
        }
        let wanted = |key: &str, table: &Table| {
            only.is_none_or(|o| {
                let o = o.to_lowercase();
                o == key.to_lowercase() || o == table.qualified.to_lowercase()
            })
        };
        let out: IndexMap<String, Value> = self
            .tables
            .iter()
            .filter(|(key, table)| wanted(key, table))
            .map(|(key, table)| (key.clone(), table_schema(table)))
            .collect();
        if out.is_empty() {
            let names = self.tables.keys().map(String::as_str);
            return Err(Error::new(
                ErrorKind::Usage,
                format!("no table `{}` in {}", only.unwrap_or_default(), in_files()),
            )
            .help(crate::suggest::help(
                only.unwrap_or_default(),
                names,
                "tables",
            )));
        }
        Ok(out)
    }
}

/// The type name standing in for the type an Oracle `MODIFY (col NOT NULL)` leaves as it
/// was, so the item parses as a column definition.
const KEEP_TYPE: &str = "RIPPLE_KEEP_TYPE";

/// Inserts [`KEEP_TYPE`] after each column name of an Oracle `MODIFY` that states no
/// type (`MODIFY (a NOT NULL, b DEFAULT 0)`), with the name's place in the file.
fn keep_type_placeholders(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let upper = |t: &Token| match t {
        Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
        _ => String::new(),
    };
    let solid: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
        .collect();
    let Some(modify) = solid
        .iter()
        .position(|&i| upper(&tokens[i].token) == "MODIFY")
    else {
        return tokens;
    };
    let mut inserts = Vec::new();
    let mut depth = 0_usize;
    let mut item_start = true;
    for (k, &i) in solid.iter().enumerate().skip(modify + 1) {
        match &tokens[i].token {
            Token::LParen if item_start && depth == 0 => {
                depth = 1;
                continue;
            }
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth <= 1 => {
                item_start = true;
                continue;
            }
            _ => {}
        }
        if item_start {
            item_start = false;
            let next = solid.get(k + 1).map(|&n| upper(&tokens[n].token));
            let constraint = matches!(
                next.as_deref(),
                Some("NOT" | "NULL" | "DEFAULT" | "CONSTRAINT" | "CHECK" | "UNIQUE" | "PRIMARY")
            );
            if constraint {
                inserts.push(i + 1);
            }
        }
    }
    for at in inserts.into_iter().rev() {
        let span = tokens[at - 1].span;
        let word = Token::make_word(KEEP_TYPE, None);
        tokens.insert(at, TokenWithSpan { token: word, span });
    }
    tokens
}

/// An Oracle `MODIFY`d column: the new type unless it names none ([`KEEP_TYPE`]), the
/// old nullability unless restated, the old default unless one is given.
fn oracle_modified(
    old: &Column,
    mut column: Column,
    data_type: &DataType,
    options: &[&ColumnOption],
) -> Column {
    if matches!(data_type, DataType::Custom(name, _) if name.to_string() == KEEP_TYPE) {
        column.type_text.clone_from(&old.type_text);
        column.schema.clone_from(&old.schema);
    }
    if !options
        .iter()
        .any(|o| matches!(o, ColumnOption::Null | ColumnOption::NotNull))
    {
        column.not_null = old.not_null;
    }
    column.filled |= old.filled;
    column.written.clone_from(&old.written);
    column
}

/// Oracle's `"EMPLOYEES"` is the same name as unquoted `employees` (Oracle folds those to
/// upper case), and `DBMS_METADATA` quotes every name: such words lose their quotes, so
/// their properties are lower case like any unquoted name's. The token stays a non-keyword,
/// so a quoted `"DATE"` column still parses as a name.
fn oracle_upper_quoted(mut tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    for t in &mut tokens {
        if let Token::Word(w) = &mut t.token
            && w.quote_style == Some('"')
            && !w.value.chars().any(char::is_lowercase)
        {
            w.quote_style = None;
        }
    }
    tokens
}

/// Whether an `ALTER TABLE` (its first words, upper case) may change columns or add
/// constraints ripple reads; others (`OWNER TO`, SQL Server's `ADD DEFAULT … FOR`, `WITH
/// CHECK ADD … FOREIGN KEY`, `ALTER COLUMN … SET STATISTICS` …) are skipped unparsed.
fn alters_columns(words: &[String]) -> bool {
    let mut rest = words
        .iter()
        .skip(2)
        .map(String::as_str)
        .skip_while(|w| matches!(*w, "ONLY" | "IF" | "EXISTS"));
    // The table name: a word, or words joined by dots.
    let mut op = None;
    let mut expect_name = true;
    for w in rest.by_ref() {
        if expect_name {
            expect_name = false;
        } else if w == "." {
            expect_name = true;
        } else {
            op = Some(w);
            break;
        }
    }
    let following: Vec<&str> = rest.take(5).collect();
    match op {
        Some("ADD") => !matches!(
            following.as_slice(),
            ["DEFAULT" | "FOREIGN", ..] | ["CONSTRAINT", _, "DEFAULT" | "FOREIGN", ..]
        ),
        Some("ALTER") => {
            let sub = match following.as_slice() {
                ["COLUMN", _, sub @ ..] | [_, sub @ ..] => sub,
                _ => &[],
            };
            matches!(
                sub,
                ["TYPE" | "DROP" | "ADD", ..] | ["SET", "DATA" | "NOT" | "DEFAULT", ..]
            )
        }
        Some("MODIFY" | "CHANGE" | "DROP" | "RENAME") => true,
        _ => false,
    }
}

/// Replaces column `old` by `column` named `new`, in `old`'s place.
fn rename(t: &mut Table, old: &str, new: String, column: Column) {
    match t.columns.get_index_of(old) {
        Some(i) => {
            t.columns.shift_remove_index(i);
            t.columns.shift_insert(i.min(t.columns.len()), new, column);
        }
        None => {
            t.columns.insert(new, column);
        }
    }
}

/// A column from its name, type and options.
fn column_from(
    model: &Model,
    table: &Table,
    name: &Ident,
    data_type: &DataType,
    options: &[&ColumnOption],
) -> Column {
    let object = |o: &ObjectName| o.to_string().replace(['"', '`', '\''], "");
    let charset = options.iter().find_map(|o| match o {
        ColumnOption::CharacterSet(c) => Some(object(c)),
        _ => None,
    });
    let collation = options.iter().find_map(|o| match o {
        ColumnOption::Collation(c) => Some(object(c)),
        _ => None,
    });
    // MySQL: a collation names its character set (`latin1_swedish_ci`).
    let charset = charset.or_else(|| {
        collation
            .as_deref()
            .filter(|_| model.dialect == Dialect::Mysql)
            .and_then(collation_charset)
    });
    let ctx = types::Context {
        dialect: model.dialect,
        semantics: model.semantics,
        charset: charset.as_deref().or(table.charset.as_deref()),
        collation: collation.as_deref(),
        enums: &model.enums,
    };
    let mut column = Column {
        written: name.value.clone(),
        type_text: types::type_text(data_type),
        schema: types::map(data_type, &ctx),
        not_null: false,
        filled: false,
        comment: None,
    };
    let mut limits = Vec::new();
    for option in options {
        match option {
            ColumnOption::NotNull | ColumnOption::PrimaryKey(_) => column.not_null = true,
            ColumnOption::Null => column.not_null = false,
            ColumnOption::Default(_)
            | ColumnOption::Generated { .. }
            | ColumnOption::Identity(_)
            | ColumnOption::Materialized(_) => column.filled = true,
            ColumnOption::DialectSpecific(tokens) => {
                column.filled |= tokens.iter().any(|t| {
                    matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("AUTO_INCREMENT")
                        || w.value.eq_ignore_ascii_case("AUTOINCREMENT")
                        || w.value.eq_ignore_ascii_case("IDENTITY"))
                });
            }
            ColumnOption::Check(check) => {
                limits.extend(checks::limits(&check.expr, model.dialect == Dialect::Mysql));
            }
            ColumnOption::Comment(text) => column.comment = Some(text.clone()),
            _ => {}
        }
    }
    let own = property(name);
    for (col, keyword, value) in limits {
        if col == own {
            checks::apply(&mut column.schema, keyword, value);
        }
    }
    column
}

fn apply_check(table: &mut Table, expr: &Expr, dialect: Dialect) {
    for (col, keyword, value) in checks::limits(expr, dialect == Dialect::Mysql) {
        if let Some(column) = table.columns.get_mut(&col) {
            checks::apply(&mut column.schema, keyword, value);
        }
    }
}

/// MySQL's `DEFAULT CHARSET=…`/`CHARACTER SET …` table option, else the character set
/// its `COLLATE=…` names.
fn table_charset(create: &CreateTable) -> Option<String> {
    let options = create.table_options.to_string();
    let upper = options.to_ascii_uppercase();
    let named = ["CHARACTER SET", "CHARSET"].iter().find_map(|key| {
        let at = upper.find(key)? + key.len();
        let rest = options[at..]
            .trim_start()
            .trim_start_matches('=')
            .trim_start();
        let value: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        (!value.is_empty()).then_some(value)
    });
    named.or_else(|| {
        let at = upper.find("COLLATE")? + "COLLATE".len();
        let rest = options[at..]
            .trim_start()
            .trim_start_matches('=')
            .trim_start();
        collation_charset(rest)
    })
}

/// The character set a MySQL collation belongs to: the name before its first `_`
/// (`latin1_swedish_ci` → `latin1`).
fn collation_charset(collation: &str) -> Option<String> {
    let name: String = collation
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The JSON Schema of one table.
fn table_schema(table: &Table) -> Value {
    let short = table.written.rsplit('.').next().unwrap_or(&table.written);
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, column) in &table.columns {
        let mut schema = column.schema.clone();
        if !column.not_null {
            allow_null(&mut schema);
        } else if !column.filled {
            required.push(name.clone());
        }
        if let Some(comment) = &column.comment {
            schema.insert("description".into(), json!(comment));
        }
        schema.insert(
            "x-source".into(),
            json!(format!("{short}.{} {}", column.written, column.type_text)),
        );
        properties.insert(name.clone(), Value::Object(schema));
    }
    let mut schema = object_schema(&table.written, None, properties, required);
    if let (Some(comment), Value::Object(map)) = (&table.comment, &mut schema) {
        map.insert("description".into(), json!(comment));
    }
    schema
}

/// Splits a file's tokens into statements: at `;`, and at a line holding only `GO`
/// (SQL Server) or `/` (Oracle). Separators are dropped, as are statements of nothing
/// but whitespace and comments.
fn split(tokens: Vec<TokenWithSpan>, dialect: Dialect) -> Vec<Vec<TokenWithSpan>> {
    let mut out = Vec::new();
    let mut current: Vec<TokenWithSpan> = Vec::new();
    let mut last_line = 0;
    let solid_lines: Vec<u64> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .map(|t| t.span.start.line)
        .collect();
    let mut solid_index = 0;
    for token in tokens {
        let solid = !matches!(token.token, Token::Whitespace(_) | Token::EOF);
        let line = token.span.start.line;
        let alone = solid
            && line > last_line
            && solid_lines
                .get(solid_index + 1)
                .is_none_or(|&next| next > line);
        let separator = match &token.token {
            Token::SemiColon => true,
            Token::Word(w) if dialect == Dialect::Sqlserver && alone => {
                w.quote_style.is_none() && w.value.eq_ignore_ascii_case("GO")
            }
            Token::Div => dialect == Dialect::Oracle && alone,
            _ => false,
        };
        if solid {
            solid_index += 1;
            last_line = line;
        }
        if separator || token.token == Token::EOF {
            flush(&mut current, &mut out);
        } else {
            current.push(token);
        }
    }
    flush(&mut current, &mut out);
    out
}

fn flush(current: &mut Vec<TokenWithSpan>, out: &mut Vec<Vec<TokenWithSpan>>) {
    let statement = std::mem::take(current);
    if statement
        .iter()
        .any(|t| !matches!(t.token, Token::Whitespace(_)))
    {
        out.push(statement);
    }
}

/// A parser error at the line and column it names (`… at Line: 3, Column: 7`), else at
/// the statement's start.
fn parse_error(
    file: &Arc<SourceFile>,
    error: &ParserError,
    statement: Option<sqlparser::tokenizer::Location>,
    statement_end: Option<sqlparser::tokenizer::Location>,
) -> Error {
    let text = match error {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => "the statement nests too deeply".to_owned(),
    };
    let (message, line, column) = match text.rfind(" at Line: ") {
        Some(i) => {
            let place = &text[i + " at Line: ".len()..];
            let mut numbers = place
                .split(", Column: ")
                .map(|n| n.trim().parse::<usize>().ok());
            let line = numbers.next().flatten();
            let column = numbers.next().flatten();
            (text[..i].to_owned(), line, column)
        }
        None => (text, None, None),
    };
    // Running out of tokens is reported without a place: the statement's end.
    let place = if message.ends_with("found: EOF") {
        statement_end.or(statement)
    } else {
        statement
    };
    let (line, column) = match (line, column, place) {
        (Some(l), Some(c), _) => (l, c),
        (_, _, Some(s)) => (to_usize(s.line), to_usize(s.column)),
        _ => (1, 1),
    };
    let at = offset_of(file, line, column);
    let end = file.text[at..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace() || matches!(c, ',' | ';' | ')'))
        .map_or(file.text.len(), |(i, _)| at + i.max(1));
    let message = message
        .replace("Expected: ", "expected ")
        .replace(", found: EOF", ", found the end of the statement")
        .replace(", found: ", ", found ");
    located(
        file,
        ErrorKind::Syntax,
        at,
        end,
        format!("invalid SQL: {message}"),
    )
    .label("here")
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests;
