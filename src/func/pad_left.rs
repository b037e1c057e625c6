//! `pad_left(s, n, c)`: pads on the left to n characters (README, "Mapping expressions").

use std::borrow::Cow;

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, demand_first, drop_verbatim,
    eval_text, first_text, lit_str, lit_u64, text_u64, union,
};
use crate::domain::{self, Abs, Str};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `pad_left(s, n, c)`.
pub struct PadLeft;

fn apply(s: &str, lits: &[Cow<'_, Value>]) -> Option<String> {
    let n = usize::try_from(lits.get(1)?.as_u64()?).ok()?;
    let c = lits.get(2)?.as_str()?.chars().next()?;
    let len = s.chars().count();
    let mut out: String = std::iter::repeat_n(c, n.saturating_sub(len)).collect();
    out.push_str(s);
    Some(out)
}

impl MappingFunction for PadLeft {
    const FUNC: Func = Func::PadLeft;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any, Literal::Count, Literal::Char])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "pad_left(s, n, c)",
            summary: "Pads on the left with the one-character literal c to n characters; never truncates.",
            length: "at least n; longer input unchanged",
            chars: "the input's plus c",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::PadLeft, args, |s, lits| apply(&s, lits))
    }

    fn forward(args: &[Abs], lits: &[Option<Value>]) -> Abs {
        let s = first_text(args);
        let n = lit_u64(lits, 1).unwrap_or(0);
        let c = lit_str(lits, 2).unwrap_or_default();
        Abs::Str(Str {
            min: s.min.max(n),
            max: s.max.map(|m| m.max(n)),
            bytes: None,
            chars: union(&s.chars, &domain::chars_in(c)),
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
        let n = text_u64(lits, 1).unwrap_or(0);
        let pad = lits
            .get(2)
            .and_then(|l| l.as_deref())
            .and_then(|s| s.chars().next())
            .unwrap_or(' ');
        if c.max_len.is_some_and(|m| n > m) {
            c.never = Some(format!(
                "pad_left makes at least {n} characters, more than {}",
                c.max_len.unwrap_or(0)
            ));
        }
        if let Some(m) = c.max_bytes {
            let padding = n.saturating_mul(pad.len_utf8() as u64);
            if padding > m {
                c.notes.push(format!(
                    "pad_left({arg}, {n}, {pad:?}) bytes: not pulled back"
                ));
            } else {
                // A short value gains up to n pad characters, a long one none: leaving
                // room for all of them suffices either way.
                c.max_bytes = Some(m - padding);
            }
        }
        if c.min_len <= n {
            c.min_len = 0;
        }
        let pad_allowed = c.chars.as_ref().is_none_or(|set| domain::contains(set, pad));
        // Padding could also make forbidden text (`"0a"` with pad `0`): then only values
        // long enough not to be padded pass unchanged.
        let pad_forbidden = c.forbid.iter().any(|f| f.contains(pad));
        if !pad_allowed || pad_forbidden {
            c.min_len = c.min_len.max(n);
        }
        if c.digits.is_some() && pad.is_ascii_digit() {
            c.notes
                .push("digit padding changes the digit count: not pulled back".into());
            c.digits = None;
        }
        c
    }

    fn demand(_args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        demand_first(Self::length_effect(&[]), max)
    }

    fn length_effect(lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::AtLeast(lit_u64(lits, 1).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    #[test]
    fn pads_and_never_truncates() {
        assert_eq!(testkit::text(Func::PadLeft, "42", &[json!(5), json!("0")]), "00042");
        assert_eq!(
            testkit::text(Func::PadLeft, "123456", &[json!(5), json!("0")]),
            "123456"
        );
    }

    #[test]
    fn a_byte_limit_leaves_room_for_the_padding() {
        // "😀" is 4 bytes and 1 character: padded to 3 with "ä" it is 8 bytes.
        let e = crate::func::parse(r#"pad_left(x, 3, "ä")"#).unwrap();
        let c = Constraint {
            max_bytes: Some(6),
            ..Constraint::default()
        };
        let pulled = crate::func::pull_back(&e, c);
        assert_eq!(pulled[0].1.max_bytes, Some(0));
    }

    testkit::laws!(
        Func::PadLeft,
        (0u64..6, prop::sample::select(vec!["0", " ", "ä", "a"]))
            .prop_map(|(n, c)| format!("pad_left(x, {n}, {})", json!(c)))
    );
}
