//! `string(x)`: the text of x (README, "Mapping expressions").

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, fail, first_text, text_of,
};
use crate::domain::Abs;
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `string(x)`.
pub struct StringOf;

impl MappingFunction for StringOf {
    const FUNC: Func = Func::String;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "string(x)",
            summary: "Text of x: strings unchanged, booleans as JSON text, numbers as their canonical text (an integral number without `.0`: `1e3` → `1000`, `42.0` → `42`).",
            length: "numbers: their text",
            chars: "numbers: 0–9, `-`, `.`, `e`, `+`",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        let Some(v) = args.get(0)? else {
            return Ok(None);
        };
        Ok(Some(
            text_of(Self::FUNC.name(), &v)
                .map_err(|m| fail(Func::String, m))?
                .map_or(Value::Null, Value::String),
        ))
    }

    fn forward(args: &[Abs], _lits: &[Option<Value>]) -> Abs {
        Abs::Str(first_text(args))
    }

    fn may_fail(_args: &[Abs]) -> bool {
        false
    }

    fn gives_nothing(_args: &[Abs], _lits: &[Option<Value>]) -> bool {
        false
    }

    fn backward(_arg: &Expr, _lits: &[Option<String>], mut c: Constraint) -> Constraint {
        // The text of a string is the string. The result is always text, so a `type`
        // limit on it says nothing about the argument (a number's text limits are stated
        // for numbers when the schema is emitted: `constraints::nontext`).
        super::type_to_not_null(&mut c);
        c
    }

    fn demand(_args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        super::demand_first(Self::length_effect(&[]), max)
    }

    fn length_effect(_lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::Preserves
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    fn string(v: Value) -> Value {
        Func::String
            .eval_values(&[Some(v)])
            .ok()
            .flatten()
            .unwrap_or(Value::Null)
    }

    #[test]
    fn integral_numbers_print_without_a_fraction() {
        assert_eq!(string(json!(1e3)), json!("1000"));
        assert_eq!(string(json!(42.0)), json!("42"));
        assert_eq!(string(json!(-0.0)), json!("0"));
        assert_eq!(string(json!(12)), json!("12"));
        assert_eq!(string(json!(42.5)), json!("42.5"));
        assert_eq!(string(json!(1e300)), json!("1e+300"));
        assert_eq!(string(json!(true)), json!("true"));
    }

    #[test]
    fn the_text_of_a_bounded_integer_fits_its_widest_bound() {
        let n = Abs::Num(crate::domain::Num {
            integer: true,
            min: Some(0.0),
            max: Some(100.0),
            multiple: None,
        });
        let out = StringOf::forward(&[n], &[None]);
        assert!(testkit::covers(&out, &string(json!(100.0))), "{out:?}");
    }

    testkit::laws!(Func::String, "string(x)");
}
