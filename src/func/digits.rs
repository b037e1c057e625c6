//! `digits(s)`: keeps the ASCII digits 0–9 (README, "Mapping expressions").

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, demand_first, drop_verbatim,
    eval_text, first_text, intersect,
};
use crate::domain::{self, Abs, Str};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `digits(s)`.
pub struct Digits;

impl MappingFunction for Digits {
    const FUNC: Func = Func::Digits;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "digits(s)",
            summary: "Keeps only the ASCII digits 0–9 (of a number: of its text, `100.0` → `100`).",
            length: "shrinks or unchanged; can become empty",
            chars: "0–9 only",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Digits, args, |s, _| {
            Some(s.chars().filter(char::is_ascii_digit).collect())
        })
    }

    fn forward(args: &[Abs], _lits: &[Option<Value>]) -> Abs {
        let s = first_text(args);
        Abs::Str(Str {
            min: 0,
            max: s.max,
            bytes: s.max,
            chars: intersect(&s.chars, &domain::chars_of(&[('0', '9')])),
            format: None,
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
        let lo = c.min_len;
        let hi = match (c.max_len, c.max_bytes) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let mut out = Constraint {
            // What `drop_verbatim` keeps (`not null`, a `null`-only type) holds as it is.
            verbatim: std::mem::take(&mut c.verbatim),
            notes: std::mem::take(&mut c.notes),
            never: c.never.take(),
            ..Constraint::default()
        };
        if lo > 0 || hi.is_some() {
            out.digits = Some((lo, hi));
        }
        if let Some(set) = &c.chars {
            let mut bad = domain::chars_of(&[('0', '9')]);
            bad.difference(set);
            if !bad.ranges().is_empty() {
                let mut allowed = domain::all_chars();
                allowed.difference(&bad);
                out.chars = Some(allowed);
            }
        }
        if let Some((dlo, dhi)) = c.digits {
            // Every character of the result is a digit: its digit count is its length.
            let (a, b) = out.digits.unwrap_or((0, None));
            let hi = match (b, dhi) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            out.digits = Some((a.max(dlo), hi));
        }
        if let Some((lo, Some(hi))) = out.digits
            && hi < lo
        {
            out.never = Some(format!(
                "digits({arg}) would need at least {lo} and at most {hi} digits"
            ));
        }
        if !c.forbid.is_empty() {
            out.notes.push(format!(
                "forbidden text after digits({arg}) is not pulled back through it"
            ));
        }
        out
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
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    #[test]
    fn digits_of_an_integral_float_reads_its_canonical_text() {
        assert_eq!(
            Func::Digits.eval_values(&[Some(json!(100.0))]).ok().flatten(),
            Some(json!("100")),
            "not \"1000\" from the text 100.0"
        );
        assert_eq!(testkit::text(Func::Digits, "  FI-00100 ", &[]), "00100");
    }

    #[test]
    fn a_length_and_digit_limit_that_contradict_mean_nothing_passes() {
        // At least 3 characters, at most 1 digit: digits(x) cannot be both.
        let e = crate::func::parse("digits(x)").unwrap();
        let c = Constraint {
            min_len: 3,
            digits: Some((0, Some(1))),
            ..Constraint::default()
        };
        let pulled = crate::func::pull_back(&e, c).remove(0).1;
        assert!(pulled.never.is_some(), "{pulled:?}");
        assert_eq!(pulled.to_schema(), serde_json::json!(false));
    }

    testkit::laws!(Func::Digits, "digits(x)");
}
