//! `default(x, v)`: x when present and not null, else v (README, "Mapping expressions").

use std::borrow::Cow;

use serde_json::Value;

use super::{Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction};
use crate::domain::{self, Abs};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `default(x, v)`.
pub struct DefaultTo;

impl MappingFunction for DefaultTo {
    const FUNC: Func = Func::Default;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any, Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "default(x, v)",
            summary: "x when present and not null, otherwise v. The only function that gives a value for a missing field.",
            length: "either x's or v's",
            chars: "either x's or v's",
            result: "x's or v's type",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        match args.get(0)? {
            Some(v) if !v.is_null() => Ok(Some(v.into_owned())),
            _ => Ok(args.get(1)?.map(Cow::into_owned)),
        }
    }

    fn forward(args: &[Abs], _lits: &[Option<Value>]) -> Abs {
        match (args.first(), args.get(1)) {
            (Some(a), Some(b)) => domain::join(a, b),
            _ => Abs::Any,
        }
    }

    fn may_fail(_args: &[Abs]) -> bool {
        false
    }

    fn gives_nothing(_args: &[Abs], _lits: &[Option<Value>]) -> bool {
        false
    }

    fn backward(_arg: &Expr, _lits: &[Option<String>], c: Constraint) -> Constraint {
        // A present x is the result.
        c
    }

    fn demand(_args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        // A present, non-null x is the result.
        Some((0, max))
    }

    fn length_effect(_lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::Either
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::func::{Func, testkit};

    #[test]
    fn missing_and_null_take_the_fallback() {
        let d = |x: Option<Value>| Func::Default.eval_values(&[x, Some(json!("n/a"))]);
        assert_eq!(d(None).ok().flatten(), Some(json!("n/a")));
        assert_eq!(d(Some(Value::Null)).ok().flatten(), Some(json!("n/a")));
        assert_eq!(d(Some(json!(0))).ok().flatten(), Some(json!(0)));
    }

    testkit::laws!(Func::Default, "default(x, \"n/a\")");
}
