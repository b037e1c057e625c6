//! `ascii(s)`: transliteration with deunicode (README, "Mapping expressions").

use serde_json::Value;

use super::{
    Args, CharMap, Func, FuncDoc, LengthEffect, Literal, MappingFunction, charwise_backward,
    demand_first, eval_text, first_text,
};
use crate::domain::Abs;
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr};

/// `ascii(s)`.
pub struct Ascii;

/// The ASCII form of one non-ASCII character: deunicode's, or `?` where it has none.
fn char_ascii(c: char) -> &'static str {
    match deunicode::deunicode_char(c) {
        Some(t) if t != "[?]" => t,
        _ => "?",
    }
}

/// What `ascii` does to each character. deunicode's forms are not all printable: U+2028
/// and U+2029 become `\n`, and some characters become nothing; the map's images are
/// exactly what it emits, so the forward rule covers them (computed once, see
/// [`CharMap::outputs`]).
pub static MAP: CharMap = CharMap::new("ascii", char::MAX, |c| !c.is_ascii(), |c, f| f(char_ascii(c)));

/// Transliterates to ASCII; characters deunicode has no form for become `?`.
pub(crate) fn to_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(char_ascii(c));
        }
    }
    out
}

impl MappingFunction for Ascii {
    const FUNC: Func = Func::Ascii;

    fn params() -> Option<&'static [Literal]> {
        Some(&[Literal::Any])
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "ascii(s)",
            summary: "Transliterates to ASCII (deunicode): ä→a, ö→o, å→a, ß→ss, æ→ae, ø→o, é→e; a character with no ASCII form becomes `?`.",
            length: "can grow (`ß` → `ss`, `æ` → `ae`, CJK → syllables) or shrink (combining marks dropped)",
            chars: "ASCII only (not always printable: U+2028 becomes a line feed)",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        eval_text(Func::Ascii, args, |s, _| {
            // ASCII text is its own transliteration: kept (computed) or copied whole.
            Some(if s.is_ascii() {
                s.into_owned()
            } else {
                to_ascii(&s)
            })
        })
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
    use crate::domain::{self, Str, contains};
    use crate::func::testkit;

    #[test]
    fn line_separators_become_line_feeds_and_the_forward_rule_says_so() {
        let out = testkit::text(Func::Ascii, "a\u{2028}b\u{2029}", &[]);
        assert!(out.is_ascii());
        let Abs::Str(s) = testkit::forward_of(Func::Ascii, "a\u{2028}b\u{2029}") else {
            panic!()
        };
        assert!(out.chars().all(|c| contains(&s.chars, c)), "{out:?} in {s:?}");
        let any = Abs::Str(Str::any());
        let Abs::Str(all) = Ascii::forward(&[any], &[None]) else {
            panic!()
        };
        assert!(contains(&all.chars, '\n'), "emitted by deunicode");
        assert!(domain::subset(&all.chars, &domain::chars_of(&[('\0', '\x7f')])));
    }

    #[test]
    fn transliterates() {
        let out = testkit::text(Func::Ascii, "Hämeenkatu Åbo ß æ ø é 😀", &[]);
        assert!(out.starts_with("Hameenkatu Abo ss ae o e"), "{out}");
        assert!(out.is_ascii());
    }

    #[test]
    fn a_minimum_length_is_pulled_back_only_through_characters_it_keeps() {
        // A soft hyphen transliterates to nothing: ascii("\u{AD}") is empty.
        assert_eq!(testkit::text(Func::Ascii, "\u{AD}", &[]), "");
        let e = crate::func::parse("ascii(x)").unwrap();
        let c = Constraint {
            min_len: 1,
            ..Constraint::default()
        };
        let pulled = crate::func::pull_back(&e, c);
        let chars = pulled[0].1.chars.clone().unwrap();
        assert!(!contains(&chars, '\u{AD}') && contains(&chars, 'ä'));
    }

    testkit::laws!(Func::Ascii, "ascii(x)");
}
