//! `number(x)`: text parsed as a number, as a database cast reads it (README, "Mapping
//! expressions").

use serde_json::{Number, Value};

use super::{Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, any_number, fail, first_text};
use crate::domain::{self, Abs, Num};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `number(x)`.
pub struct NumberOf;

/// A finite number as JSON: an integral value that fits 64 bits as an integer (`1e3` →
/// `1000`, `12.0` → `12`), any other as a float; `None` for infinities and NaN.
#[must_use]
pub fn normalize(f: f64) -> Option<Number> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.0e18 {
        // In range and integral: the conversion is exact.
        #[allow(clippy::cast_possible_truncation)]
        return Some(Number::from(f as i64));
    }
    Number::from_f64(f)
}

/// Parses text as a database cast does: white space around, a sign (`+` or `-`), digits
/// with leading zeros, a fraction (`1.5`, `.5`, `5.`) and an exponent (`1e3`, `2E-2`).
/// Empty text, hex, `NaN` and `Infinity` are not numbers.
#[must_use]
pub fn parse(text: &str) -> Option<Number> {
    let t = text.trim();
    let b = t.as_bytes();
    let digits = |mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i, i - start)
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let (end, whole) = digits(i);
    i = end;
    let mut fraction = 0;
    let mut plain = true;
    if b.get(i) == Some(&b'.') {
        (i, fraction) = digits(i + 1);
        plain = false;
    }
    if whole + fraction == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, n) = digits(i);
        if n == 0 {
            return None;
        }
        i = end;
        plain = false;
    }
    if i != b.len() {
        return None;
    }
    let unsigned = t.strip_prefix('+').unwrap_or(t);
    if plain {
        if let Ok(n) = unsigned.parse::<i64>() {
            return Some(Number::from(n));
        }
        if let Ok(n) = unsigned.parse::<u64>() {
            return Some(Number::from(n));
        }
    }
    normalize(unsigned.parse::<f64>().ok()?)
}

/// `number(v)` of one value.
fn convert(v: &Value) -> Result<Option<Value>, String> {
    match v {
        Value::Number(n) => Ok(Some(Value::Number(
            match n.as_f64().filter(|_| n.is_f64()).and_then(normalize) {
                Some(m) => m,
                None => n.clone(),
            },
        ))),
        Value::Null => Ok(Some(Value::Null)),
        Value::String(s) => parse(s)
            .map(|n| Some(Value::Number(n)))
            .ok_or_else(|| format!("cannot convert \"{}\" to a number", crate::text::shorten(s))),
        other => Err(format!("cannot convert {} to a number", kind(other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether every string `s` describes is nothing but ASCII digits (at least one).
fn digits_only(s: &domain::Str) -> bool {
    s.min > 0 && domain::subset(&s.chars, &domain::chars_of(&[('0', '9')]))
}

impl MappingFunction for NumberOf {
    const FUNC: Func = Func::Number;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "number(x)",
            summary: "Parses text as a database cast does: white space around, sign, leading zeros, fraction and exponent (` +000123 ` → 123, `1e3` → 1000); empty text, hex, NaN and Infinity fail the mapping. An integral result is a JSON integer; numbers unchanged.",
            length: "n/a",
            chars: "n/a",
            result: "number",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        let Some(v) = args.get(0)? else {
            return Ok(None);
        };
        convert(&v).map_err(|m| fail(Func::Number, m))
    }

    fn forward(args: &[Abs], _lits: &[Option<Value>]) -> Abs {
        // Digits only: a non-negative integer below 10^max (leading zeros included).
        let s = first_text(args);
        match s.max {
            Some(m) if digits_only(&s) && m < 16 => Abs::Num(Num {
                integer: true,
                min: Some(0.0),
                max: Some(10f64.powi(i32::try_from(m).unwrap_or(15)) - 1.0),
                multiple: None,
            }),
            _ => any_number(),
        }
    }

    fn may_fail(args: &[Abs]) -> bool {
        match args.first() {
            Some(Abs::Num(_)) => false,
            Some(Abs::Str(s)) => !digits_only(s),
            _ => true,
        }
    }

    fn gives_nothing(_args: &[Abs], _lits: &[Option<Value>]) -> bool {
        false
    }

    fn backward(arg: &Expr, _lits: &[Option<String>], c: Constraint) -> Constraint {
        let mut out = Constraint::default();
        // The mapping fails on text that is not a number ("", "abc", "1e400") and on
        // booleans: a condition on the text JSON Schema could only approximate.
        out.notes.push(format!(
            "number({arg}) fails on text that is not a number: not pulled back"
        ));
        for (k, v) in c.verbatim {
            let any_number = k == "type"
                && crate::schema::TypeSet::parse(&v)
                    .is_some_and(|t| t.allows(crate::schema::TypeName::Number));
            if !any_number {
                out.notes.push(format!(
                    "{k} {v} on number({arg}) cannot be stated on the text"
                ));
            }
        }
        out.notes.extend(c.notes);
        out
    }

    fn demand(_args: &[Expr], _max: Option<u64>) -> Option<(usize, Option<u64>)> {
        // The result is a number: a length limit says nothing about it.
        None
    }

    fn length_effect(_lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::NotText
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    fn number(v: Value) -> Option<Value> {
        Func::Number.eval_values(&[Some(v)]).ok().flatten()
    }

    #[test]
    fn leading_zeros_signs_and_white_space_are_accepted() {
        assert_eq!(number(json!("000123")), Some(json!(123)));
        assert_eq!(number(json!(" +000123 ")), Some(json!(123)));
        assert_eq!(number(json!("-7")), Some(json!(-7)));
        assert_eq!(number(json!(" 42.5 ")), Some(json!(42.5)));
        assert_eq!(number(json!(".5")), Some(json!(0.5)));
        assert_eq!(number(json!("5.")), Some(json!(5)));
    }

    #[test]
    fn integral_results_are_json_integers() {
        assert_eq!(number(json!("1e3")), Some(json!(1000)));
        assert!(number(json!("1e3")).is_some_and(|v| v.is_i64()));
        assert_eq!(number(json!("12.0")), Some(json!(12)));
        assert!(number(json!(12.0)).is_some_and(|v| v.is_i64()));
        assert_eq!(number(json!("2E-2")), Some(json!(0.02)));
    }

    #[test]
    fn empty_hex_nan_and_infinity_fail() {
        for bad in ["", "  ", "0x1A", "NaN", "nan", "Infinity", "-Infinity", "inf", "1e", "+", ".", "1e400", "abc", "1 2"] {
            assert!(
                Func::Number.eval_values(&[Some(json!(bad))]).is_err(),
                "{bad:?} is not a number"
            );
        }
    }

    #[test]
    fn digits_only_text_never_fails() {
        let s = Abs::Str(domain::Str {
            min: 1,
            max: Some(6),
            bytes: None,
            chars: domain::chars_of(&[('0', '9')]),
            format: None,
        });
        assert!(!NumberOf::may_fail(std::slice::from_ref(&s)));
        let out = NumberOf::forward(&[s], &[None]);
        assert!(testkit::covers(&out, &json!(999_999)));
        assert!(testkit::covers(&out, &number(json!("000123")).unwrap_or_default()));
    }

    testkit::laws!(Func::Number, "number(x)");
}
