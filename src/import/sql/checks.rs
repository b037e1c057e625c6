//! `CHECK` constraints that are limits JSON Schema can state: `col IN ('a', 'b')` →
//! `enum`, `char_length(col) >= n` → `minLength`, `col BETWEEN a AND b` and `col >= n`
//! → `minimum`/`maximum`. Anything else is left to the database.

use serde_json::{Map, Number, Value, json};
use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, InTarget, UnaryOperator,
    Value as SqlValue,
};

use super::property;

/// One limit a `CHECK` puts on a column: (column property, keyword, value).
pub(super) type Limit = (String, &'static str, Value);

/// The limits `expr` states, each on one column; conjunctions (`AND`) are split.
/// `bytes_length` says that `length()` counts bytes (MySQL), so it states no character
/// limit.
pub(super) fn limits(expr: &Expr, bytes_length: bool) -> Vec<Limit> {
    let mut out = Vec::new();
    collect(expr, bytes_length, &mut out);
    out
}

fn collect(expr: &Expr, bytes_length: bool, out: &mut Vec<Limit>) {
    match expr {
        Expr::Nested(inner) => collect(inner, bytes_length, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            collect(left, bytes_length, out);
            collect(right, bytes_length, out);
        }
        Expr::In {
            expr,
            target: InTarget::List(list),
            negated: false,
            ..
        } => {
            if let Some(col) = column(expr) {
                let values: Option<Vec<Value>> = list.iter().map(literal).collect();
                if let Some(values) = values {
                    out.push((col, "enum", Value::Array(values)));
                }
            }
        }
        Expr::Between {
            expr,
            negated: false,
            low,
            high,
        } => {
            if let (Some(col), Some(lo), Some(hi)) = (column(expr), number(low), number(high)) {
                out.push((col.clone(), "minimum", lo));
                out.push((col, "maximum", hi));
            }
        }
        Expr::BinaryOp { left, op, right } => comparison(left, op, right, bytes_length, out),
        _ => {}
    }
}

/// `col op n`, `n op col`, `length(col) op n`.
fn comparison(
    left: &Expr,
    op: &BinaryOperator,
    right: &Expr,
    bytes_length: bool,
    out: &mut Vec<Limit>,
) {
    let (subject, op, bound) = match (number(right), number(left)) {
        (Some(n), _) => (left, op.clone(), n),
        (None, Some(n)) => (right, flip(op), n),
        _ => return,
    };
    if let Some(col) = length_of(subject, bytes_length) {
        let Some(n) = bound.as_i64() else { return };
        let limit = match op {
            BinaryOperator::GtEq => ("minLength", n),
            BinaryOperator::Gt => ("minLength", n + 1),
            BinaryOperator::LtEq => ("maxLength", n),
            BinaryOperator::Lt => ("maxLength", n - 1),
            _ => return,
        };
        if limit.1 >= 0 {
            out.push((col, limit.0, json!(limit.1)));
        }
    } else if let Some(col) = column(subject) {
        let keyword = match op {
            BinaryOperator::GtEq => "minimum",
            BinaryOperator::Gt => "exclusiveMinimum",
            BinaryOperator::LtEq => "maximum",
            BinaryOperator::Lt => "exclusiveMaximum",
            _ => return,
        };
        out.push((col, keyword, bound));
    }
}

fn flip(op: &BinaryOperator) -> BinaryOperator {
    match op {
        BinaryOperator::Gt => BinaryOperator::Lt,
        BinaryOperator::GtEq => BinaryOperator::LtEq,
        BinaryOperator::Lt => BinaryOperator::Gt,
        BinaryOperator::LtEq => BinaryOperator::GtEq,
        other => other.clone(),
    }
}

/// The column a bare (or table-qualified) identifier names.
fn column(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(property(ident)),
        Expr::CompoundIdentifier(parts) => parts.last().map(property),
        Expr::Nested(inner) => column(inner),
        _ => None,
    }
}

/// The column of `char_length(col)`, `character_length(col)`, `length(col)` (characters
/// in Oracle and PostgreSQL; bytes in MySQL, where it is left out) or `len(col)` (SQL
/// Server).
fn length_of(expr: &Expr, bytes_length: bool) -> Option<String> {
    let Expr::Function(f) = expr else {
        return None;
    };
    let name = f.name.to_string().to_ascii_lowercase();
    let known = match name.as_str() {
        "char_length" | "character_length" | "len" => true,
        "length" => !bytes_length,
        _ => false,
    };
    if !known {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))] => column(e),
        _ => None,
    }
}

/// A string or number literal.
fn literal(expr: &Expr) -> Option<Value> {
    match expr {
        Expr::Value(v) => match &v.value {
            SqlValue::SingleQuotedString(s)
            | SqlValue::NationalStringLiteral(s)
            | SqlValue::DoubleQuotedString(s) => Some(json!(s)),
            SqlValue::Number(..) => number(expr),
            _ => None,
        },
        Expr::UnaryOp { .. } => number(expr),
        _ => None,
    }
}

/// A number literal, possibly negated.
fn number(expr: &Expr) -> Option<Value> {
    match expr {
        Expr::Value(v) => match &v.value {
            SqlValue::Number(n, _) => parse_number(n),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => {
            let n = number(expr)?;
            n.as_i64().map(|i| json!(-i)).or_else(|| {
                n.as_f64()
                    .and_then(|f| Number::from_f64(-f))
                    .map(Value::Number)
            })
        }
        Expr::Nested(inner) => number(inner),
        _ => None,
    }
}

fn parse_number(text: &str) -> Option<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(json!(i));
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

/// Tightens `schema` with one limit: the smaller maximum, the larger minimum, the
/// common values of two enums.
pub(super) fn apply(schema: &mut Map<String, Value>, keyword: &str, value: Value) {
    let tighter = |old: &Value, new: &Value, lower: bool| match (old.as_f64(), new.as_f64()) {
        (Some(o), Some(n)) => {
            if lower {
                n > o
            } else {
                n < o
            }
        }
        _ => true,
    };
    match (keyword, schema.get(keyword)) {
        ("enum", Some(Value::Array(old))) => {
            let old = old.clone();
            let common: Vec<Value> = value
                .as_array()
                .map(|v| v.iter().filter(|x| old.contains(x)).cloned().collect())
                .unwrap_or_default();
            schema.insert("enum".into(), Value::Array(common));
        }
        ("minimum" | "exclusiveMinimum" | "minLength", Some(old)) => {
            if tighter(old, &value, true) {
                schema.insert(keyword.to_owned(), value);
            }
        }
        ("maximum" | "exclusiveMaximum" | "maxLength", Some(old)) => {
            if tighter(old, &value, false) {
                schema.insert(keyword.to_owned(), value);
            }
        }
        _ => {
            schema.insert(keyword.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    fn check(text: &str) -> Vec<Limit> {
        let expr = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(text)
            .and_then(|mut p| p.parse_expr());
        expr.map(|e| limits(&e, false)).unwrap_or_default()
    }

    #[test]
    fn in_lists_become_enums() {
        assert_eq!(
            check("Country IN ('FI', 'SE')"),
            vec![("country".to_owned(), "enum", json!(["FI", "SE"]))]
        );
        assert_eq!(check("code NOT IN ('x')"), vec![]);
        assert_eq!(
            check("\"Level\" IN (1, 2, -3)"),
            vec![("Level".to_owned(), "enum", json!([1, 2, -3]))]
        );
    }

    #[test]
    fn lengths_and_ranges() {
        assert_eq!(
            check("char_length(name) >= 2 AND length(name) < 10"),
            vec![
                ("name".to_owned(), "minLength", json!(2)),
                ("name".to_owned(), "maxLength", json!(9)),
            ]
        );
        assert_eq!(
            check("(age BETWEEN 0 AND 150)"),
            vec![
                ("age".to_owned(), "minimum", json!(0)),
                ("age".to_owned(), "maximum", json!(150)),
            ]
        );
        assert_eq!(
            check("0 < price"),
            vec![("price".to_owned(), "exclusiveMinimum", json!(0))]
        );
        assert_eq!(check("a > b OR a IN ('x')"), vec![]);
    }

    #[test]
    fn limits_tighten() {
        let mut s = Map::new();
        apply(&mut s, "maxLength", json!(10));
        apply(&mut s, "maxLength", json!(12));
        apply(&mut s, "enum", json!(["a", "b"]));
        apply(&mut s, "enum", json!(["b", "c"]));
        assert_eq!(Value::Object(s), json!({"maxLength": 10, "enum": ["b"]}));
    }
}
