//! `truncate(s, n)`: the first n characters (README, "Mapping expressions").

use std::borrow::Cow;

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, demand_first, drop_verbatim,
    eval_text, first_text, lit_u64, text_u64,
};
use crate::domain::{Abs, Str};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `truncate(s, n)`.
pub struct Truncate;

/// The first `n` characters of `s` (Unicode scalar values, as JSON Schema counts).
/// Computed text (`truncate(upper(x), n)`) is cut in place, not copied.
fn apply(s: Cow<'_, str>, lits: &[Cow<'_, Value>]) -> Option<String> {
    let n = usize::try_from(lits.get(1)?.as_u64()?).ok()?;
    // No text of at most `n` bytes has more than `n` characters.
    let end = if s.len() <= n {
        s.len()
    } else {
        s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
    };
    Some(match s {
        Cow::Owned(mut s) => {
            s.truncate(end);
            s
        }
        Cow::Borrowed(s) => s.get(..end).unwrap_or(s).to_owned(),
    })
}

impl MappingFunction for Truncate {
    const FUNC: Func = Func::Truncate;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any, Literal::Count])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "truncate(s, n)",
            summary: "The first n characters (Unicode scalar values, as JSON Schema counts). n is an integer literal.",
            length: "at most n characters (bytes may still be up to 4n)",
            chars: "a prefix of the input",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Truncate, args, apply)
    }

    fn forward(args: &[Abs], lits: &[Option<Value>]) -> Abs {
        let s = first_text(args);
        let n = lit_u64(lits, 1).unwrap_or(u64::MAX);
        Abs::Str(Str {
            min: s.min.min(n),
            max: Some(s.max.map_or(n, |m| m.min(n))),
            bytes: s.bytes,
            chars: s.chars,
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
        let Some(n) = text_u64(lits, 1) else { return c };
        if c.max_len.is_some_and(|m| m >= n) {
            c.max_len = None;
        }
        if c.max_bytes.is_some_and(|m| m >= n.saturating_mul(4)) {
            c.max_bytes = None;
        }
        if c.min_len > n {
            c.never = Some(format!(
                "truncate({arg}, {n}) is shorter than the {} characters required",
                c.min_len
            ));
        }
        if let Some((lo, _)) = &mut c.digits
            && *lo > 0
        {
            c.notes
                .push("a minimum number of digits after truncate() is not pulled back".into());
            *lo = 0;
        }
        c
    }

    fn demand(_args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        demand_first(Self::length_effect(&[]), max)
    }

    fn length_effect(lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::AtMost(lit_u64(lits, 1).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(testkit::text(Func::Truncate, "ääkkönen", &[json!(3)]), "ääk");
        assert_eq!(testkit::text(Func::Truncate, "ääkkönen", &[json!(0)]), "");
        assert_eq!(testkit::text(Func::Truncate, "ääk", &[json!(100)]), "ääk");
    }

    testkit::laws!(
        Func::Truncate,
        (0u64..10).prop_map(|n| format!("truncate(x, {n})"))
    );
}
