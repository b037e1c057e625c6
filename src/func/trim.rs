//! `trim(s)`: removes white space at both ends (README, "Mapping expressions").

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, demand_first, drop_verbatim,
    eval_text, first_text,
};
use crate::domain::{Abs, Str};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `trim(s)`.
pub struct Trim;

impl MappingFunction for Trim {
    const FUNC: Func = Func::Trim;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "trim(s)",
            summary: "Removes Unicode white space at both ends.",
            length: "shrinks or unchanged; can become empty",
            chars: "a subset of the input's",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Trim, args, |s, _| Some(s.trim().to_owned()))
    }

    fn forward(args: &[Abs], _lits: &[Option<Value>]) -> Abs {
        Abs::Str(Str {
            min: 0,
            format: None,
            ..first_text(args)
        })
    }

    fn may_fail(_args: &[Abs]) -> bool {
        false
    }

    fn gives_nothing(_args: &[Abs], _lits: &[Option<Value>]) -> bool {
        false
    }

    fn backward(arg: &Expr, _lits: &[Option<String>], mut c: Constraint) -> Constraint {
        drop_verbatim(Self::FUNC.name(), arg, &mut c);
        if c.min_len > 0 {
            c.notes.push(format!(
                "at least {} characters after trim({arg}): spaces at the ends do not count",
                c.min_len
            ));
            c.min_len = 0;
        }
        c
    }

    fn demand(_args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        demand_first(Self::length_effect(&[]), max)
    }

    fn length_effect(_lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::Shrinks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::func::testkit;

    #[test]
    fn trims_unicode_white_space() {
        assert_eq!(testkit::text(Func::Trim, "  FI-00100 ", &[]), "FI-00100");
        assert_eq!(testkit::text(Func::Trim, "\u{2028}x\t", &[]), "x");
        assert_eq!(testkit::text(Func::Trim, "   ", &[]), "");
    }

    testkit::laws!(Func::Trim, "trim(x)");
}
