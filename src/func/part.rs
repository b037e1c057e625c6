//! `part(s, sep, i)`: the i-th piece of s split on a literal (README, "Mapping
//! expressions").

use std::borrow::Cow;

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, demand_first, drop_verbatim,
    eval_text, first_text,
};
use crate::domain::{Abs, Str};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `part(s, sep, i)`.
pub struct Part;

fn apply(s: &str, lits: &[Cow<'_, Value>]) -> Option<String> {
    let pieces: Vec<&str> = s.split(lits.get(1)?.as_str()?).collect();
    let i = lits.get(2)?.as_i64()?;
    let idx = if i < 0 {
        pieces
            .len()
            .checked_sub(usize::try_from(i.unsigned_abs()).ok()?)?
    } else {
        usize::try_from(i).ok()?
    };
    Some((*pieces.get(idx)?).to_owned())
}

impl MappingFunction for Part {
    const FUNC: Func = Func::Part;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any, Literal::NonEmptyStr, Literal::Int])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "part(s, sep, i)",
            summary: "The i-th piece of s split on the literal sep (0-based; negative counts from the end, -1 = last). Missing when out of range.",
            length: "at most the input's",
            chars: "a subset of the input's, never sep",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Part, args, |s, lits| apply(&s, lits))
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

    fn gives_nothing(args: &[Abs], lits: &[Option<Value>]) -> bool {
        // Text that cannot hold `sep` is one piece: any index but 0 and -1 gives nothing.
        let (Some(Abs::Str(s)), Some(Some(Value::String(sep))), Some(Some(i))) =
            (args.first(), lits.get(1), lits.get(2))
        else {
            return false;
        };
        let index = i.as_i64();
        !sep.is_empty()
            && sep.chars().any(|c| !crate::domain::contains(&s.chars, c))
            && index.is_some_and(|i| i != 0 && i != -1)
    }

    fn backward(arg: &Expr, _lits: &[Option<String>], mut c: Constraint) -> Constraint {
        // Text without the wanted part gives no result, which no type rejects.
        super::note_textless_type(Self::FUNC.name(), arg, &mut c);
        drop_verbatim(Self::FUNC.name(), arg, &mut c);
        if c.min_len > 0 {
            c.notes.push(format!(
                "at least {} characters in a part() of {arg}: not pulled back",
                c.min_len
            ));
            c.min_len = 0;
        }
        if let Some((lo, _)) = &mut c.digits
            && *lo > 0
        {
            c.notes
                .push("a minimum number of digits in a part() is not pulled back".into());
            *lo = 0;
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
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    #[test]
    fn pieces_from_either_end() {
        let name = "Matti Juhani Meikäläinen";
        assert_eq!(testkit::text(Func::Part, name, &[json!(" "), json!(0)]), "Matti");
        assert_eq!(
            testkit::text(Func::Part, name, &[json!(" "), json!(-1)]),
            "Meikäläinen"
        );
        let out = Func::Part.eval_values(&[Some(json!(name)), Some(json!(" ")), Some(json!(5))]);
        assert_eq!(out.ok().flatten(), None, "out of range: missing");
    }

    #[test]
    fn a_minimum_digit_count_is_not_pulled_back() {
        // part("1-a", "-", 1) is "a": the input's digit does not reach the result.
        let e = crate::func::parse(r#"part(x, "-", 1)"#).unwrap();
        let c = Constraint {
            digits: Some((1, None)),
            ..Constraint::default()
        };
        let pulled = crate::func::pull_back(&e, c);
        assert_eq!(pulled[0].1.digits, Some((0, None)));
        assert!(!pulled[0].1.notes.is_empty());
    }

    testkit::laws!(
        Func::Part,
        (prop::sample::select(vec![" ", "-", "ß", "aa"]), -3i64..3)
            .prop_map(|(sep, i)| format!("part(x, {}, {i})", json!(sep)))
    );
}
