//! `lower(s)`: Unicode lower case (README, "Mapping expressions").

use std::borrow::Cow;

use serde_json::Value;

use super::{
    Args, CharMap, Func, FuncDoc, LengthEffect, Literal, MappingFunction, charwise_backward,
    demand_first, eval_text, first_text,
};
use crate::domain::Abs;
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `lower(s)`.
pub struct Lower;

/// What `lower` does to each character. `str::to_lowercase` writes a capital sigma that
/// ends a word as `ς` and any other as `σ`, so `Σ` has both images.
pub static MAP: CharMap = CharMap::new(
    "lower",
    '\u{1FFFF}',
    |c| {
        let mut l = c.to_lowercase();
        !(l.next() == Some(c) && l.next().is_none())
    },
    |c, f| {
        f(&c.to_lowercase().collect::<String>());
        if c == 'Σ' {
            f("ς");
        }
    },
);

/// `lower(s)`: computed text (`lower(ascii(x))`) that is all ASCII is changed in place
/// (for ASCII, `to_lowercase` is `make_ascii_lowercase`); anything else through `to_lowercase`.
fn apply(s: Cow<'_, str>) -> String {
    match s {
        Cow::Owned(mut s) if s.is_ascii() => {
            s.make_ascii_lowercase();
            s
        }
        s => s.to_lowercase(),
    }
}

impl MappingFunction for Lower {
    const FUNC: Func = Func::Lower;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "lower(s)",
            summary: "Unicode lower case.",
            length: "usually unchanged; can grow (`İ` → `i̇`, 2 characters)",
            chars: "no upper-case letters remain; non-letters unchanged",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Lower, args, |s, _| Some(apply(s)))
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
    use crate::func::testkit;

    #[test]
    fn lower_of_capital_i_with_dot_grows() {
        assert_eq!(testkit::text(Func::Lower, "İ", &[]), "i\u{307}");
        let out = testkit::forward_of(Func::Lower, "İ");
        assert!(testkit::covers(&out, &Value::String("i\u{307}".into())));
    }

    #[test]
    fn final_sigma_is_in_the_forward_rule_and_the_preimage() {
        assert_eq!(testkit::text(Func::Lower, "ΑΣ", &[]), "ας");
        let out = testkit::forward_of(Func::Lower, "ΑΣ");
        assert!(testkit::covers(&out, &Value::String("ας".into())));
        // Only σ allowed downstream: Σ is not enough, `lower("ΑΣ")` ends in ς.
        let target = crate::domain::chars_of(&[('α', 'α'), ('σ', 'σ')]);
        assert!(!crate::domain::contains(&MAP.preimage(&target), 'Σ'));
    }

    testkit::laws!(Func::Lower, "lower(x)");
}
