//! Column types to JSON Schema, per dialect (README, "`ripple import sql`", the mapping
//! table).

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use sqlparser::ast::{DataType, EnumMember, TypeModifier};

use super::{Dialect, LengthSemantics};
use crate::import::{decimal_schema, integer_range, typed};

/// A column type reduced to its upper-case name (with any suffix such as `WITH TIME
/// ZONE` or `UNSIGNED`) and its upper-case arguments: `VARCHAR2(12 BYTE)` is
/// `VARCHAR2` with `["12", "BYTE"]`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Shape {
    pub(super) name: String,
    pub(super) args: Vec<String>,
}

/// The type as the DDL wrote it, near enough: `VARCHAR2(12 BYTE)`, `NUMBER(8,2)`.
pub(super) fn type_text(dt: &DataType) -> String {
    match dt {
        DataType::Custom(name, modifiers) => {
            // Without quotes or brackets: SQL Server scripts write `[varchar](26)`.
            let name = name
                .0
                .iter()
                .filter_map(|p| p.as_ident())
                .map(|i| i.value.as_str())
                .collect::<Vec<_>>()
                .join(".");
            if modifiers.is_empty() {
                return name;
            }
            let mut out = format!("{name}(");
            for (i, m) in modifiers.iter().enumerate() {
                let sep = match (i, m) {
                    (0, _) => "",
                    (_, TypeModifier::Identifier(_)) => " ",
                    _ => ",",
                };
                out.push_str(sep);
                out.push_str(&m.to_string());
            }
            out.push(')');
            out
        }
        _ => dt.to_string(),
    }
}

/// The [`Shape`] of a type.
pub(super) fn shape(dt: &DataType) -> Shape {
    let text = type_text(dt);
    let (name, args, suffix) = match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) if close > open => {
            (&text[..open], &text[open + 1..close], &text[close + 1..])
        }
        _ => (text.as_str(), "", ""),
    };
    let name = format!("{name} {suffix}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    let args = args
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|a| !a.is_empty())
        .map(str::to_uppercase)
        .collect();
    Shape { name, args }
}

/// What a column's type mapping depends on besides the type.
pub(super) struct Context<'a> {
    pub(super) dialect: Dialect,
    pub(super) semantics: LengthSemantics,
    /// The column's `CHARACTER SET`, else the table's default (MySQL).
    pub(super) charset: Option<&'a str>,
    /// The column's `COLLATE` (SQL Server `_UTF8` collations store UTF-8).
    pub(super) collation: Option<&'a str>,
    /// PostgreSQL `CREATE TYPE … AS ENUM` labels by folded type name.
    pub(super) enums: &'a HashMap<String, Vec<String>>,
}

/// The schema of a value of type `dt` (without `null`); `{}` for a type ripple does not
/// know, which accepts anything.
pub(super) fn map(dt: &DataType, ctx: &Context<'_>) -> Map<String, Value> {
    if let DataType::Enum(members, _) = dt {
        let labels: Vec<Value> = members
            .iter()
            .map(|m| match m {
                EnumMember::Name(n) | EnumMember::NamedValue(n, _) => json!(n),
            })
            .collect();
        return typed("string", &[("enum", Value::Array(labels))]);
    }
    if let DataType::Custom(name, modifiers) = dt
        && modifiers.is_empty()
        && let Some(labels) = ctx
            .enums
            .get(&super::fold_name(name))
            .or_else(|| super::last(name).and_then(|l| ctx.enums.get(&super::property(l))))
    {
        return typed("string", &[("enum", json!(labels))]);
    }
    let shape = shape(dt);
    let specific = match ctx.dialect {
        Dialect::Oracle => oracle(&shape, ctx),
        Dialect::Postgres => postgres(&shape),
        Dialect::Mysql => mysql(&shape, ctx),
        Dialect::Sqlserver => sqlserver(&shape, ctx),
    };
    specific
        .or_else(|| common(&shape, ctx.dialect))
        .unwrap_or_default()
}

/// The first argument as a length.
fn length(shape: &Shape) -> Option<u64> {
    shape.args.first().and_then(|a| a.parse().ok())
}

/// `x-maxBytes: 2n` with `x-encoding: utf-16`: `n` UTF-16 code units.
fn utf16(n: Option<u64>) -> Map<String, Value> {
    match n {
        Some(n) => typed(
            "string",
            &[
                ("x-maxBytes", json!(n.saturating_mul(2))),
                ("x-encoding", json!("utf-16")),
            ],
        ),
        None => typed("string", &[]),
    }
}

fn oracle(shape: &Shape, ctx: &Context<'_>) -> Option<Map<String, Value>> {
    let s = match shape.name.as_str() {
        "VARCHAR2" | "VARCHAR" | "CHAR" | "CHARACTER" | "CHARACTER VARYING" | "CHAR VARYING" => {
            let unit = shape.args.get(1).map(String::as_str);
            let chars = match unit {
                Some("CHAR" | "CHARACTERS") => true,
                Some("BYTE" | "OCTETS") => false,
                _ => ctx.semantics == LengthSemantics::Char,
            };
            match length(shape) {
                Some(n) if chars => oracle_chars(n, shape.name.starts_with("CHAR")),
                Some(n) => typed("string", &[("x-maxBytes", json!(n))]),
                None => typed("string", &[]),
            }
        }
        "NVARCHAR2" | "NCHAR" | "NVARCHAR" | "NATIONAL CHAR" | "NATIONAL CHARACTER" => {
            utf16(length(shape))
        }
        "CLOB" | "NCLOB" | "LONG" => typed("string", &[]),
        "NUMBER" => number_args(shape).unwrap_or_else(|| typed("number", &[])),
        "INTEGER" | "INT" | "SMALLINT" => decimal_schema(38, 0),
        "BINARY_FLOAT" | "BINARY_DOUBLE" => typed("number", &[]),
        "DATE" => typed("string", &[("format", json!("date-time"))]),
        _ => return None,
    };
    Some(s)
}

/// `n` characters, within Oracle's byte limit of the type (4000 for `VARCHAR2`, 2000
/// for `CHAR`, with the default `MAX_STRING_SIZE = STANDARD`), stated when `n`
/// characters of up to 4 bytes could exceed it.
fn oracle_chars(n: u64, fixed: bool) -> Map<String, Value> {
    let cap: u64 = if fixed { 2000 } else { 4000 };
    let mut s = typed("string", &[("maxLength", json!(n))]);
    if n.saturating_mul(4) > cap {
        s.insert("x-maxBytes".into(), json!(cap));
    }
    s
}

fn postgres(shape: &Shape) -> Option<Map<String, Value>> {
    let s = match shape.name.as_str() {
        "VARCHAR" | "CHARACTER VARYING" | "CHAR VARYING" | "CHAR" | "CHARACTER" | "BPCHAR" => {
            chars(shape)
        }
        "TEXT" | "CITEXT" | "NAME" => typed("string", &[]),
        "INT2" => integer_range(-32_768, 32_767),
        "INT4" | "INT" | "INTEGER" => integer_range(i32::MIN.into(), i32::MAX.into()),
        "SERIAL" | "SERIAL4" => integer_range(1, i32::MAX.into()),
        "SMALLSERIAL" | "SERIAL2" => integer_range(1, 32_767),
        "BIGSERIAL" | "SERIAL8" => integer_range(1, i64::MAX.into()),
        "DATE" => typed("string", &[("format", json!("date"))]),
        _ => return None,
    };
    Some(s)
}

fn mysql(shape: &Shape, ctx: &Context<'_>) -> Option<Map<String, Value>> {
    // `NCHAR`/`NVARCHAR` are MySQL's national character set, utf8mb3.
    let national = matches!(shape.name.as_str(), "NVARCHAR" | "NCHAR" | "NATIONAL CHAR");
    let charset = if national {
        Some("utf8mb3")
    } else {
        ctx.charset.and_then(mysql_charset)
    };
    let latin1 = matches!(charset, Some("latin1" | "ascii"));
    let mut s = match shape.name.as_str() {
        "VARCHAR" | "CHAR" | "CHARACTER" | "CHARACTER VARYING" | "NVARCHAR" | "NCHAR"
        | "NATIONAL CHAR" => chars(shape),
        // TEXT types count bytes in the column's character set: characters for a
        // one-byte set, UTF-8 bytes otherwise.
        "TINYTEXT" => text_bytes(255, latin1),
        "TEXT" => text_bytes(65_535, latin1),
        "MEDIUMTEXT" => text_bytes(16_777_215, latin1),
        "LONGTEXT" => text_bytes(4_294_967_295, latin1),
        "TINYINT" if shape.args.first().is_some_and(|a| a == "1") => typed("boolean", &[]),
        "TINYINT" => integer_range(-128, 127),
        "TINYINT UNSIGNED" => integer_range(0, 255),
        "SMALLINT UNSIGNED" => integer_range(0, 65_535),
        "MEDIUMINT" => integer_range(-8_388_608, 8_388_607),
        "MEDIUMINT UNSIGNED" => integer_range(0, 16_777_215),
        "INT" | "INTEGER" => integer_range(i32::MIN.into(), i32::MAX.into()),
        "INT UNSIGNED" | "INTEGER UNSIGNED" => integer_range(0, u32::MAX.into()),
        "BIGINT UNSIGNED" => integer_range(0, u64::MAX.into()),
        "DECIMAL" | "NUMERIC" | "DEC" if shape.args.is_empty() => decimal_schema(10, 0),
        "DATETIME" | "TIMESTAMP" => typed("string", &[("format", json!("date-time"))]),
        "YEAR" => integer_range(1901, 2155),
        _ => return None,
    };
    if let Some(charset) = charset
        && s.get("type") == Some(&json!("string"))
        && !s.contains_key("enum")
        && !s.contains_key("format")
    {
        s.insert("x-charset".into(), json!(charset));
    }
    Some(s)
}

/// A MySQL character set as an `x-charset`, when ripple has one for it.
fn mysql_charset(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "utf8" | "utf8mb3" => Some("utf8mb3"),
        "latin1" => Some("latin1"),
        "ascii" => Some("ascii"),
        _ => None,
    }
}

fn text_bytes(n: u64, one_byte: bool) -> Map<String, Value> {
    let key = if one_byte { "maxLength" } else { "x-maxBytes" };
    typed("string", &[(key, json!(n))])
}

fn sqlserver(shape: &Shape, ctx: &Context<'_>) -> Option<Map<String, Value>> {
    let utf8 = ctx
        .collation
        .is_some_and(|c| c.to_ascii_uppercase().ends_with("_UTF8"));
    let s = match shape.name.as_str() {
        // Bytes in the collation's code page; the default collations are Latin1
        // (README: SQL Server assumes a Latin1 collation unless the column names a
        // `_UTF8` one).
        "VARCHAR" | "CHAR" | "CHARACTER" | "CHARACTER VARYING" => {
            let mut s = match length(shape) {
                Some(n) => typed("string", &[("x-maxBytes", json!(n))]),
                None => typed("string", &[]),
            };
            if !utf8 {
                s.insert("x-charset".into(), json!("latin1"));
            }
            s
        }
        "NVARCHAR" | "NCHAR" | "NATIONAL CHARACTER VARYING" => utf16(length(shape)),
        "TEXT" => typed("string", &[("x-charset", json!("latin1"))]),
        "NTEXT" => typed("string", &[]),
        "TINYINT" => integer_range(0, 255),
        "BIT" => typed("boolean", &[]),
        "MONEY" => decimal_schema(19, 4),
        "SMALLMONEY" => decimal_schema(10, 4),
        "DATETIME" | "DATETIME2" | "SMALLDATETIME" | "DATETIMEOFFSET" => {
            typed("string", &[("format", json!("date-time"))])
        }
        "DATE" => typed("string", &[("format", json!("date"))]),
        "UNIQUEIDENTIFIER" => typed("string", &[("format", json!("uuid"))]),
        "DECIMAL" | "NUMERIC" | "DEC" if shape.args.is_empty() => decimal_schema(18, 0),
        _ => return None,
    };
    Some(s)
}

/// `maxLength` from the first argument: lengths in characters.
fn chars(shape: &Shape) -> Map<String, Value> {
    match length(shape) {
        Some(n) => typed("string", &[("maxLength", json!(n))]),
        None => typed("string", &[]),
    }
}

/// `(p)` or `(p,s)` as a decimal schema; `None` without arguments. `*` as the precision
/// (Oracle `NUMBER(*,0)`) means 38 digits.
fn number_args(shape: &Shape) -> Option<Map<String, Value>> {
    let p = match shape.args.first()?.as_str() {
        "*" => 38,
        p => p.parse().ok()?,
    };
    let s = shape.args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Some(decimal_schema(p, s))
}

/// Types that mean the same in every dialect.
fn common(shape: &Shape, dialect: Dialect) -> Option<Map<String, Value>> {
    let name = shape.name.as_str();
    let s = match name {
        "NUMERIC" | "DECIMAL" | "DEC" => number_args(shape).unwrap_or_else(|| typed("number", &[])),
        "SMALLINT" | "SMALLINT SIGNED" => integer_range(-32_768, 32_767),
        "INT" | "INTEGER" | "INT4" => integer_range(i32::MIN.into(), i32::MAX.into()),
        "BIGINT" | "INT8" => integer_range(i64::MIN.into(), i64::MAX.into()),
        "REAL" | "FLOAT" | "FLOAT4" | "FLOAT8" | "DOUBLE" | "DOUBLE PRECISION" => {
            typed("number", &[])
        }
        "BOOLEAN" | "BOOL" => typed("boolean", &[]),
        "DATE" => typed("string", &[("format", json!("date"))]),
        "UUID" => typed("string", &[("format", json!("uuid"))]),
        "TEXT" | "CLOB" => typed("string", &[]),
        "VARCHAR" | "CHAR" | "CHARACTER" | "CHARACTER VARYING" => chars(shape),
        _ if name.starts_with("TIMESTAMP") || name.starts_with("DATETIME") => {
            typed("string", &[("format", json!("date-time"))])
        }
        _ if name.starts_with("TIME") && dialect != Dialect::Oracle => {
            typed("string", &[("format", json!("time"))])
        }
        _ => return None,
    };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::ast::{CharacterLength, ExactNumberInfo, ObjectName};

    fn ctx(dialect: Dialect, enums: &HashMap<String, Vec<String>>) -> Context<'_> {
        Context {
            dialect,
            semantics: LengthSemantics::Byte,
            charset: None,
            collation: None,
            enums,
        }
    }

    fn custom(name: &str, mods: &[&str]) -> DataType {
        DataType::Custom(
            ObjectName::from(vec![sqlparser::ast::Ident::new(name)]),
            mods.iter()
                .map(|m| {
                    if m.chars().all(|c| c.is_ascii_digit()) {
                        TypeModifier::Number((*m).to_owned(), false)
                    } else {
                        TypeModifier::Identifier(sqlparser::ast::Ident::new(*m))
                    }
                })
                .collect(),
        )
    }

    #[test]
    fn shapes_and_texts() {
        let dt = custom("VARCHAR2", &["12", "BYTE"]);
        assert_eq!(type_text(&dt), "VARCHAR2(12 BYTE)");
        assert_eq!(
            shape(&dt),
            Shape {
                name: "VARCHAR2".into(),
                args: vec!["12".into(), "BYTE".into()]
            }
        );
        let dt = custom("NUMBER", &["8", "2"]);
        assert_eq!(type_text(&dt), "NUMBER(8,2)");
        let dt = DataType::Timestamp(Some(3), sqlparser::ast::TimezoneInfo::WithTimeZone);
        assert_eq!(shape(&dt).name, "TIMESTAMP WITH TIME ZONE");
    }

    #[test]
    fn oracle_lengths_count_bytes_unless_char() {
        let enums = HashMap::new();
        let c = ctx(Dialect::Oracle, &enums);
        let m = |dt: &DataType, c: &Context<'_>| Value::Object(map(dt, c));
        assert_eq!(
            m(&custom("VARCHAR2", &["12"]), &c),
            json!({"type": "string", "x-maxBytes": 12})
        );
        assert_eq!(
            m(&custom("VARCHAR2", &["12", "CHAR"]), &c),
            json!({"type": "string", "maxLength": 12})
        );
        assert_eq!(
            m(&custom("VARCHAR2", &["2000", "CHAR"]), &c),
            json!({"type": "string", "maxLength": 2000, "x-maxBytes": 4000})
        );
        assert_eq!(
            m(&custom("CHAR", &["600", "CHAR"]), &c),
            json!({"type": "string", "maxLength": 600, "x-maxBytes": 2000})
        );
        let chars = Context {
            semantics: LengthSemantics::Char,
            ..ctx(Dialect::Oracle, &enums)
        };
        assert_eq!(
            m(&custom("VARCHAR2", &["12"]), &chars),
            json!({"type": "string", "maxLength": 12})
        );
        assert_eq!(
            m(&custom("VARCHAR2", &["12", "BYTE"]), &chars),
            json!({"type": "string", "x-maxBytes": 12})
        );
        assert_eq!(
            m(&custom("NVARCHAR2", &["20"]), &c),
            json!({"type": "string", "x-maxBytes": 40, "x-encoding": "utf-16"})
        );
        assert_eq!(
            m(&custom("NUMBER", &["5", "1"]), &c),
            json!({"type": "number", "minimum": -9999.9, "maximum": 9999.9, "multipleOf": 0.1})
        );
        assert_eq!(m(&DataType::Date, &c)["format"], "date-time");
        assert_eq!(
            m(
                &DataType::Timestamp(Some(6), sqlparser::ast::TimezoneInfo::None),
                &c
            )["format"],
            "date-time"
        );
        let char3 = DataType::Char(Some(CharacterLength::IntegerLength {
            length: 3,
            unit: None,
        }));
        assert_eq!(m(&char3, &c), json!({"type": "string", "x-maxBytes": 3}));
    }

    #[test]
    fn postgres_types() {
        let mut enums = HashMap::new();
        enums.insert("mood".to_owned(), vec!["sad".to_owned(), "ok".to_owned()]);
        let c = ctx(Dialect::Postgres, &enums);
        let m = |dt: &DataType| Value::Object(map(dt, &c));
        let varchar = DataType::Varchar(Some(CharacterLength::IntegerLength {
            length: 8,
            unit: None,
        }));
        assert_eq!(m(&varchar), json!({"type": "string", "maxLength": 8}));
        assert_eq!(m(&DataType::Text), json!({"type": "string"}));
        assert_eq!(
            m(&DataType::SmallInt(None)),
            json!({"type": "integer", "minimum": -32768, "maximum": 32767})
        );
        assert_eq!(m(&DataType::Integer(None))["maximum"], 2_147_483_647);
        assert_eq!(m(&DataType::BigInt(None))["minimum"], i64::MIN);
        assert_eq!(m(&DataType::Boolean), json!({"type": "boolean"}));
        assert_eq!(
            m(&DataType::Date),
            json!({"type": "string", "format": "date"})
        );
        assert_eq!(
            m(&DataType::Uuid),
            json!({"type": "string", "format": "uuid"})
        );
        let tz = DataType::Timestamp(None, sqlparser::ast::TimezoneInfo::Tz);
        assert_eq!(m(&tz), json!({"type": "string", "format": "date-time"}));
        let numeric = DataType::Numeric(ExactNumberInfo::PrecisionAndScale(4, 2));
        assert_eq!(
            m(&numeric),
            json!({"type": "number", "minimum": -99.99, "maximum": 99.99, "multipleOf": 0.01})
        );
        assert_eq!(
            m(&custom("mood", &[])),
            json!({"type": "string", "enum": ["sad", "ok"]})
        );
    }

    #[test]
    fn mysql_types_and_charsets() {
        let enums = HashMap::new();
        let c = Context {
            charset: Some("utf8"),
            ..ctx(Dialect::Mysql, &enums)
        };
        let varchar = DataType::Varchar(Some(CharacterLength::IntegerLength {
            length: 8,
            unit: None,
        }));
        assert_eq!(
            Value::Object(map(&varchar, &c)),
            json!({"type": "string", "maxLength": 8, "x-charset": "utf8mb3"})
        );
        let c = Context {
            charset: Some("latin1"),
            ..ctx(Dialect::Mysql, &enums)
        };
        assert_eq!(
            Value::Object(map(&DataType::Text, &c)),
            json!({"type": "string", "maxLength": 65535, "x-charset": "latin1"})
        );
        let c = ctx(Dialect::Mysql, &enums);
        assert_eq!(
            Value::Object(map(&DataType::Text, &c)),
            json!({"type": "string", "x-maxBytes": 65535})
        );
        assert_eq!(
            Value::Object(map(&DataType::TinyInt(Some(1)), &c)),
            json!({"type": "boolean"})
        );
        assert_eq!(
            Value::Object(map(&DataType::TinyInt(None), &c))["maximum"],
            127
        );
        let e = DataType::Enum(
            vec![EnumMember::Name("a".into()), EnumMember::Name("b".into())],
            None,
        );
        assert_eq!(
            Value::Object(map(&e, &c)),
            json!({"type": "string", "enum": ["a", "b"]})
        );
    }

    #[test]
    fn sqlserver_types() {
        let enums = HashMap::new();
        let c = ctx(Dialect::Sqlserver, &enums);
        let varchar = DataType::Varchar(Some(CharacterLength::IntegerLength {
            length: 26,
            unit: None,
        }));
        assert_eq!(
            Value::Object(map(&varchar, &c)),
            json!({"type": "string", "x-maxBytes": 26, "x-charset": "latin1"})
        );
        let max = DataType::Nvarchar(Some(CharacterLength::Max));
        assert_eq!(Value::Object(map(&max, &c)), json!({"type": "string"}));
        let n = DataType::Nvarchar(Some(CharacterLength::IntegerLength {
            length: 26,
            unit: None,
        }));
        assert_eq!(
            Value::Object(map(&n, &c)),
            json!({"type": "string", "x-maxBytes": 52, "x-encoding": "utf-16"})
        );
        let vmax = DataType::Varchar(Some(CharacterLength::Max));
        assert_eq!(
            Value::Object(map(&vmax, &c)),
            json!({"type": "string", "x-charset": "latin1"})
        );
        let utf8 = Context {
            collation: Some("Latin1_General_100_CI_AS_SC_UTF8"),
            ..ctx(Dialect::Sqlserver, &enums)
        };
        assert_eq!(
            Value::Object(map(&varchar, &utf8)),
            json!({"type": "string", "x-maxBytes": 26})
        );
        assert_eq!(
            Value::Object(map(&custom("UNIQUEIDENTIFIER", &[]), &c))["format"],
            "uuid"
        );
        assert_eq!(
            Value::Object(map(&custom("BIT", &[]), &c)),
            json!({"type": "boolean"})
        );
    }
}
