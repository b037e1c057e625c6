//! `replace(s, from, to)`: replaces every occurrence of a literal (README, "Mapping
//! expressions").

use std::borrow::Cow;

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, demand_first, drop_verbatim,
    eval_text, first_text, lit_str, union,
};
use crate::domain::{self, Abs, Str};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `replace(s, from, to)`.
pub struct Replace;

fn apply(s: &str, lits: &[Cow<'_, Value>]) -> Option<String> {
    Some(s.replace(lits.get(1)?.as_str()?, lits.get(2)?.as_str()?))
}

impl MappingFunction for Replace {
    const FUNC: Func = Func::Replace;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any, Literal::NonEmptyStr, Literal::Str])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "replace(s, from, to)",
            summary: "Replaces every occurrence of the literal `from` with the literal `to`.",
            length: "grows or shrinks by (len(to) − len(from)) per occurrence",
            chars: "`from` may disappear, `to`'s characters may appear",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Replace, args, |s, lits| apply(&s, lits))
    }

    fn forward(args: &[Abs], lits: &[Option<Value>]) -> Abs {
        let s = first_text(args);
        let (from, to) = (
            lit_str(lits, 1).unwrap_or_default(),
            lit_str(lits, 2).unwrap_or_default(),
        );
        // Text that cannot contain `from` (a character of it is never there) comes out
        // as it went in: `replace(digits, "x", "ä")` gives digits.
        if from.chars().any(|c| !domain::contains(&s.chars, c)) {
            return Abs::Str(Str { format: None, ..s });
        }
        let (lf, lt) = (
            from.chars().count().max(1) as u64,
            to.chars().count() as u64,
        );
        let max = if lt <= lf {
            s.max
        } else {
            s.max.map(|m| m.saturating_mul(lt).div_ceil(lf))
        };
        let min = if lt >= lf { s.min } else { 0 };
        Abs::Str(Str {
            min,
            max,
            bytes: None,
            chars: union(&s.chars, &domain::chars_in(to)),
            format: None,
        })
    }

    fn may_fail(_args: &[Abs]) -> bool {
        false
    }

    fn gives_nothing(_args: &[Abs], _lits: &[Option<Value>]) -> bool {
        false
    }

    fn backward(arg: &Expr, lits: &[Option<String>], mut c: Constraint) -> Constraint {
        drop_verbatim(Self::FUNC.name(), arg, &mut c);
        let text = |i: usize| lits.get(i).and_then(Clone::clone);
        let (Some(from), Some(to)) = (text(1), text(2)) else {
            return c;
        };
        if from.is_empty() {
            return c;
        }
        let grows = to.chars().count() > from.chars().count() || to.len() > from.len();
        let shrinks = to.chars().count() < from.chars().count();
        let to_ok = c
            .chars
            .as_ref()
            .is_none_or(|set| to.chars().all(|ch| domain::contains(set, ch)));
        // A replacement can also make forbidden text (`replace(x, "b", "a")` turns "ab"
        // into "aa").
        if (grows && (c.max_len.is_some() || c.max_bytes.is_some()))
            || (shrinks && c.min_len > 0)
            || !to_ok
            || c.digits.is_some()
            || !c.forbid.is_empty()
        {
            // Values without `from` pass through unchanged.
            c.forbid.insert(from);
        }
        c
    }

    fn demand(args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        let lits: Vec<Option<Value>> = args.iter().map(super::literal_value).collect();
        demand_first(Self::length_effect(&lits), max)
    }

    fn length_effect(lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::Replaces {
            from: lit_str(lits, 1).map_or(0, |s| s.chars().count() as u64),
            to: lit_str(lits, 2).map_or(0, |s| s.chars().count() as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    #[test]
    fn replaces_every_occurrence() {
        assert_eq!(
            testkit::text(Func::Replace, "Matti Juhani M", &[json!(" "), json!(".")]),
            "Matti.Juhani.M"
        );
    }

    #[test]
    fn a_replacement_that_makes_forbidden_text_is_pulled_back() {
        let e = crate::func::parse(r#"replace(x, "b", "a")"#).unwrap();
        let mut c = Constraint::default();
        c.forbid.insert("aa".into());
        let pulled = crate::func::pull_back(&e, c);
        assert!(pulled[0].1.forbid.contains("b"), "{pulled:?}");
    }

    testkit::laws!(
        Func::Replace,
        (
            prop::sample::select(vec!["a", "ß", " ", "Σ", "aa"]),
            prop::sample::select(vec!["", "a", "SS", "-", "😀"]),
        )
            .prop_map(|(f, t)| format!("replace(x, {}, {})", json!(f), json!(t)))
    );
}
