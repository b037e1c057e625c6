//! System schemas from where the constraints live (README, "`ripple import`"): SQL DDL,
//! OpenAPI component schemas, LDAP schema definitions and live PostgreSQL catalogues,
//! each turned into a JSON Schema 2020-12 document that ripple's loader accepts without
//! warnings.
//!
//! Every importer returns plain [`serde_json::Value`] schemas, so a caller can compare a
//! declared system schema with its source, write them out or load them with
//! [`crate::schema::SystemSchema::from_value`]:
//!
//! - [`import_sql_table`]`(path, dialect, table)`, [`import_sql`] (every table of several
//!   files), [`import_sql_text`];
//! - [`import_openapi`]`(path, schema_name)`, [`import_openapi_file`];
//! - [`import_ldap`]`(path, class)`, [`import_ldap_paths`], [`import_ldap_files`];
//! - [`import_postgres`]`(&PgTable { url, schema, table })`, a live catalogue;
//! - [`merge`]`(declared, imported)` returns the declared schema rewritten from the
//!   imported one (its annotations kept) and the [`FieldChange`]s between them: the
//!   drift, field by field.
//!
//! Keywords emitted besides JSON Schema's and ripple's own (`x-maxBytes`, `x-charset`):
//! `x-source` (where a property came from: `table.column TYPE`, an OpenAPI pointer, an
//! LDAP attribute definition) and `x-encoding: utf-16` next to `x-maxBytes` for columns
//! stored as UTF-16 code units (Oracle `NVARCHAR2`, SQL Server `NVARCHAR`).

pub mod ldap;
pub mod openapi;
pub mod postgres;
pub mod sql;
pub mod update;

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Number, Value, json};

use crate::error::{Error, ErrorKind};
use crate::span::{Location, SourceFile};

pub use ldap::{import_ldap, import_ldap_files, import_ldap_paths};
pub use openapi::{import_openapi, import_openapi_file};
pub use postgres::{PgTable, import_postgres};
pub use sql::{
    Dialect, LengthSemantics, SqlOptions, import_sql, import_sql_files, import_sql_table,
    import_sql_text,
};
pub use update::{Change, FieldChange, Update, merge};

/// The `$schema` every imported document declares.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// Reads a file for an importer, as a [`SourceFile`] errors can quote; a leading byte
/// order mark is dropped.
///
/// # Errors
/// The file cannot be read or is not UTF-8.
pub fn read_source(path: &Path) -> Result<Arc<SourceFile>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
    Ok(SourceFile::new(path, crate::text::strip_bom(text)))
}

/// An error of `kind` at bytes `start..end` of `file`.
pub(crate) fn located(
    file: &Arc<SourceFile>,
    kind: ErrorKind,
    start: usize,
    end: usize,
    message: impl Into<String>,
) -> Error {
    Error::new(kind, message).at(Location::new(file, file.span(start, end)))
}

/// The byte offset of 1-based `line` and 1-based `column` (in characters) of `file`,
/// clamped to the text.
pub(crate) fn offset_of(file: &SourceFile, line: usize, column: usize) -> usize {
    let starts = file.line_starts();
    let Some(&start) = starts.get(line.saturating_sub(1)) else {
        return file.text.len();
    };
    file.text[start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(file.text.len(), |(i, _)| start + i)
}

/// An object schema with `properties`, `required` (when any) and
/// `additionalProperties: false`, headed by `$schema` and `title`.
pub(crate) fn object_schema(
    title: &str,
    source: Option<String>,
    properties: Map<String, Value>,
    required: Vec<String>,
) -> Value {
    let mut root = Map::new();
    root.insert("$schema".into(), json!(DRAFT_2020_12));
    root.insert("title".into(), json!(title));
    if let Some(source) = source {
        root.insert("x-source".into(), json!(source));
    }
    root.insert("type".into(), json!("object"));
    root.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        root.insert("required".into(), json!(required));
    }
    root.insert("additionalProperties".into(), json!(false));
    Value::Object(root)
}

/// Lets `null` through `schema`: `type: T` becomes `[T, "null"]`, and an `enum` gains
/// `null`. A schema without `type` or `enum` accepts `null` already.
pub(crate) fn allow_null(schema: &mut Map<String, Value>) {
    match schema.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = std::mem::take(t);
            schema.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => {
            types.push(json!("null"));
        }
        _ => {}
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
}

/// The bounds of a decimal with `precision` digits of which `scale` are after the point
/// (SQL `NUMERIC(p,s)`, Oracle `NUMBER(p,s)`): `type` (integer when `scale <= 0`),
/// `minimum`/`maximum` ±(10^(p−s) − 10^−s) and `multipleOf` 10^−s (left out for
/// integers with `scale` 0). Bounds too wide for a JSON number to hold exactly are left
/// out.
pub(crate) fn decimal_schema(precision: u32, scale: i32) -> Map<String, Value> {
    let mut out = Map::new();
    let integer = scale <= 0;
    out.insert(
        "type".into(),
        json!(if integer { "integer" } else { "number" }),
    );
    if let Some(max) = decimal_max(precision, scale) {
        out.insert("minimum".into(), negate(&max));
        out.insert("maximum".into(), max);
    }
    if scale != 0
        && let Some(step) = power_of_ten(-scale)
    {
        out.insert("multipleOf".into(), step);
    }
    out
}

/// 10^(p−s) − 10^−s as a JSON number, when it is exact.
fn decimal_max(precision: u32, scale: i32) -> Option<Value> {
    if precision == 0 || precision > 15 {
        // 15 significant digits are exact in an f64; i64 holds 18.
        if scale <= 0 && precision <= 18 && precision > 0 {
            let zeros = u32::try_from(-scale).ok()?;
            let nines = 10_i64.checked_pow(precision)? - 1;
            return Some(json!(nines.checked_mul(10_i64.checked_pow(zeros)?)?));
        }
        return None;
    }
    let p = i64::from(precision);
    let s = i64::from(scale);
    let text = if s <= 0 {
        format!(
            "{}{}",
            "9".repeat(usize::try_from(p).ok()?),
            "0".repeat(usize::try_from(-s).ok()?)
        )
    } else {
        let int_digits = usize::try_from((p - s).max(0)).ok()?;
        let leading_zeros = usize::try_from((s - p).max(0)).ok()?;
        let frac_nines = usize::try_from(s.min(p)).ok()?;
        let int = if int_digits == 0 {
            "0".to_owned()
        } else {
            "9".repeat(int_digits)
        };
        format!(
            "{int}.{}{}",
            "0".repeat(leading_zeros),
            "9".repeat(frac_nines)
        )
    };
    number(&text)
}

/// 10^exp as a JSON number (an integer when `exp >= 0`).
fn power_of_ten(exp: i32) -> Option<Value> {
    if exp >= 0 {
        return Some(json!(10_i64.checked_pow(u32::try_from(exp).ok()?)?));
    }
    let zeros = usize::try_from(-exp - 1).ok()?;
    if zeros > 300 {
        return None;
    }
    number(&format!("0.{}1", "0".repeat(zeros)))
}

/// A decimal text as a JSON number: an integer when it has no point.
fn number(text: &str) -> Option<Value> {
    if !text.contains('.') {
        return text.parse::<i64>().ok().map(|n| json!(n));
    }
    let f: f64 = text.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

fn negate(value: &Value) -> Value {
    if let Some(i) = value.as_i64() {
        return json!(-i);
    }
    value
        .as_f64()
        .and_then(|f| Number::from_f64(-f))
        .map_or(Value::Null, Value::Number)
}

/// An integer schema from `min` to `max`.
pub(crate) fn integer_range(min: i128, max: i128) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), json!("integer"));
    let bound = |n: i128| {
        i64::try_from(n)
            .map(|n| json!(n))
            .or_else(|_| u64::try_from(n).map(|n| json!(n)))
            .ok()
    };
    if let Some(min) = bound(min) {
        out.insert("minimum".into(), min);
    }
    if let Some(max) = bound(max) {
        out.insert("maximum".into(), max);
    }
    out
}

/// A schema of one `type`, with `more` keywords.
pub(crate) fn typed(ty: &str, more: &[(&str, Value)]) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("type".into(), json!(ty));
    for (k, v) in more {
        out.insert((*k).to_owned(), v.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_bounds_follow_precision_and_scale() {
        let s = decimal_schema(8, 2);
        assert_eq!(
            Value::Object(s),
            json!({"type": "number", "minimum": -999_999.99, "maximum": 999_999.99, "multipleOf": 0.01})
        );
        let s = decimal_schema(10, 0);
        assert_eq!(
            Value::Object(s),
            json!({"type": "integer", "minimum": -9_999_999_999_i64, "maximum": 9_999_999_999_i64})
        );
        let s = decimal_schema(3, 5);
        assert_eq!(s["maximum"], json!(0.00999));
        assert_eq!(s["multipleOf"], json!(0.00001));
        let s = decimal_schema(2, -2);
        assert_eq!(
            Value::Object(s),
            json!({"type": "integer", "minimum": -9900, "maximum": 9900, "multipleOf": 100})
        );
        let s = decimal_schema(38, 0);
        assert_eq!(Value::Object(s), json!({"type": "integer"}));
        let s = decimal_schema(18, 0);
        assert_eq!(s["maximum"], json!(999_999_999_999_999_999_i64));
    }

    #[test]
    fn null_is_added_to_type_and_enum() {
        let mut s = typed("string", &[("enum", json!(["a"]))]);
        allow_null(&mut s);
        assert_eq!(
            Value::Object(s),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }
}

#[cfg(test)]
mod validation_tests {
    use super::*;

    /// The decimal bounds work with ripple's validator, floating point or not.
    #[test]
    fn decimal_schemas_accept_their_values() {
        let mut schema = decimal_schema(8, 2);
        schema.insert("$schema".into(), json!(DRAFT_2020_12));
        let loaded =
            crate::schema::SystemSchema::from_value(Path::new("t.json"), Value::Object(schema));
        let Ok(loaded) = loaded else {
            panic!("does not load")
        };
        for ok in [
            json!(19.99),
            json!(0.07),
            json!(999_999.99),
            json!(-999_999.99),
            json!(1234.56),
            json!(3),
        ] {
            assert!(loaded.is_valid(&ok), "{ok}");
        }
        for bad in [json!(0.001), json!(1_000_000), json!(19.999)] {
            assert!(!loaded.is_valid(&bad), "{bad}");
        }
    }
}
