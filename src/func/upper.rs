//! `upper(s)`: Unicode upper case, full mapping (README, "Mapping expressions").

use std::borrow::Cow;

use serde_json::Value;

use super::{
    Args, CharMap, Func, FuncDoc, LengthEffect, Literal, MappingFunction, charwise_backward,
    demand_first, eval_text, first_text,
};
use crate::domain::Abs;
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `upper(s)`.
pub struct Upper;

/// What `upper` does to each character: its full upper case (`ß` → `SS`, `ŉ` → `ʼN`,
/// `ᾳ` → `ΑΙ`, `ΐ` → `Ϊ́`), which `str::to_uppercase` applies without context.
pub static MAP: CharMap = CharMap::new(
    "upper",
    '\u{1FFFF}',
    |c| {
        let mut u = c.to_uppercase();
        !(u.next() == Some(c) && u.next().is_none())
    },
    |c, f| f(&c.to_uppercase().collect::<String>()),
);

/// `upper(s)`: computed text (`upper(ascii(x))`) that is all ASCII is changed in place
/// (for ASCII, `to_uppercase` is `make_ascii_uppercase`); anything else through `to_uppercase`.
fn apply(s: Cow<'_, str>) -> String {
    match s {
        Cow::Owned(mut s) if s.is_ascii() => {
            s.make_ascii_uppercase();
            s
        }
        s => s.to_uppercase(),
    }
}

impl MappingFunction for Upper {
    const FUNC: Func = Func::Upper;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "upper(s)",
            summary: "Unicode upper case (full case mapping).",
            length: "can grow: `ß` → `SS`, `ŉ` → `ʼN`",
            chars: "no lower-case letters remain; `ä` stays non-ASCII (`Ä`)",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Upper, args, |s, _| Some(apply(s)))
    }

    fn forward(args: &[Abs], _lits: &[Option<Value>]) -> Abs {
        Abs::Str(MAP.forward(&first_text(args)))
    }

    fn may_fail(_args: &[Abs]) -> bool {
        false
    }

    fn gives_nothing(_args: &[Abs], _lits: &[Option<Value>]) -> bool {
        false
    }

    fn backward(arg: &Expr, _lits: &[Option<String>], c: Constraint) -> Constraint {
        charwise_backward(Self::FUNC.name(), &MAP, arg, c)
    }

    fn demand(_args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        demand_first(Self::length_effect(&[]), max)
    }

    fn length_effect(_lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::PerChar(&MAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Str, chars_of, contains, subset};
    use crate::func::testkit;

    #[test]
    // Moved from the domain module: the domain knows no function.
    fn upper_of_ascii_stays_ascii_and_of_latin1_can_grow() {
        let lower_ascii = Abs::Str(Str {
            min: 1,
            max: Some(8),
            bytes: None,
            chars: chars_of(&[('a', 'z')]),
            format: None,
        });
        let Abs::Str(up) = Func::Upper.forward(&[lower_ascii], &[None]) else {
            panic!()
        };
        assert!(subset(&up.chars, &chars_of(&[('A', 'Z')])));
        assert_eq!(up.max, Some(8));
        let latin = Abs::Str(Str {
            min: 1,
            max: Some(8),
            bytes: None,
            chars: chars_of(&[('a', 'z'), ('ß', 'ß')]),
            format: None,
        });
        let Abs::Str(up) = Func::Upper.forward(&[latin], &[None]) else {
            panic!()
        };
        assert_eq!(up.max, Some(16));
        assert!(contains(&up.chars, 'S'));
    }


    #[test]
    fn special_casing_is_in_the_forward_rule() {
        for (from, to) in [
            ("ᾳ", "ΑΙ"),
            ("ΐ", "\u{399}\u{308}\u{301}"),
            ("ŉ", "ʼN"),
            ("ß", "SS"),
            ("ﬀ", "FF"),
        ] {
            assert_eq!(testkit::text(Func::Upper, from, &[]), to);
            let out = testkit::forward_of(Func::Upper, from);
            assert!(testkit::covers(&out, &Value::String(to.into())), "{from}: {out:?}");
        }
    }

    #[test]
    fn growth_is_exact_for_small_sets() {
        let s = Abs::Str(Str {
            min: 1,
            max: Some(8),
            bytes: None,
            chars: chars_of(&[('a', 'z'), ('ß', 'ß')]),
            format: None,
        });
        let Abs::Str(up) = Upper::forward(&[s], &[None]) else {
            panic!()
        };
        assert_eq!(up.max, Some(16), "ß → SS: two characters each");
        assert!(contains(&up.chars, 'S') && !contains(&up.chars, 'a'));
        assert_eq!(MAP.max_out(), 3, "ΐ → Ϊ́ is the longest");
    }

    #[test]
    fn no_character_passing_is_a_valid_schema() {
        // Nothing upper() makes is lower-case: the pulled-back class is empty, written so
        // that the Rust regex ripple compiles patterns with accepts it (not `[]`).
        let e = crate::func::parse("upper(x)").unwrap();
        let c = Constraint {
            chars: Some(chars_of(&[('a', 'z')])),
            ..Constraint::default()
        };
        let pulled = crate::func::pull_back(&e, c).remove(0).1;
        assert!(testkit::schema_holds(&pulled, &Value::String(String::new())));
        assert!(!testkit::schema_holds(&pulled, &Value::String("a".into())));
    }

    testkit::laws!(Func::Upper, "upper(x)");
}
