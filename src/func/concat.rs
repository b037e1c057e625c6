//! `concat(a, b, …)`: joins its arguments' text (README, "Mapping expressions").

use serde_json::Value;

use super::{
    Args, Func, FuncDoc, LengthEffect, Literal, MappingFunction, as_text, drop_verbatim, fail,
    text_of, text_ref, union,
};
use crate::domain::{self, Abs, Str};
use crate::domain::Constraint;
use crate::expr::{EvalError, Expr, ExprKind};

/// `concat(a, b, …)`.
pub struct Concat;

/// The text of a literal argument, as evaluation reads it (a number's canonical text).
#[must_use]
pub fn literal_text(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str(s) => Some(s.clone()),
        ExprKind::Number(n) => Some(super::number_text(n)),
        ExprKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl MappingFunction for Concat {
    const FUNC: Func = Func::Concat;

    fn params() -> Option<&'static [Literal]> {
        None
    }

    fn doc() -> FuncDoc {
        FuncDoc {
            signature: "concat(a, b, …)",
            summary: "Joins its arguments' text. Missing if any argument is missing.",
            length: "the sum of the arguments' lengths",
            chars: "the union of the arguments' characters",
            result: "string",
        }
    }

    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
        // Room for a name or an address line: one allocation, not one per doubling (none
        // when the caller has a string to spare, README "`cargo bench --bench batch`").
        let mut out = args.take_spare();
        out.reserve(32);
        for i in 0..args.len() {
            // A string literal is read where it is, not copied first.
            if let Some(text) = args.literal_text(i) {
                out.push_str(text);
                continue;
            }
            let Some(v) = args.get(i)? else {
                return Ok(None);
            };
            match text_ref(Self::FUNC.name(), &v).map_err(|m| fail(Func::Concat, m))? {
                Some(t) => out.push_str(&t),
                None => return Ok(Some(Value::Null)),
            }
        }
        Ok(Some(Value::String(out)))
    }

    fn forward(args: &[Abs], _lits: &[Option<Value>]) -> Abs {
        let mut out = Str::literal("");
        for a in args {
            let t = as_text(a);
            out = Str {
                min: out.min.saturating_add(t.min),
                max: out.max.zip(t.max).map(|(p, q)| p.saturating_add(q)),
                bytes: out
                    .max_bytes()
                    .zip(t.max_bytes())
                    .map(|(p, q)| p.saturating_add(q)),
                chars: union(&out.chars, &t.chars),
                format: None,
            };
        }
        Abs::Str(out)
    }

    fn may_fail(_args: &[Abs]) -> bool {
        false
    }

    fn gives_nothing(_args: &[Abs], _lits: &[Option<Value>]) -> bool {
        false
    }

    fn backward(arg: &Expr, lits: &[Option<String>], mut c: Constraint) -> Constraint {
        drop_verbatim(Self::FUNC.name(), arg, &mut c);
        let lit: Vec<String> = lits.iter().flatten().cloned().collect();
        let chars: u64 = lit.iter().map(|s| s.chars().count() as u64).sum();
        let bytes: u64 = lit.iter().map(|s| s.len() as u64).sum();
        let digits: u64 = lit
            .iter()
            .map(|s| s.chars().filter(char::is_ascii_digit).count() as u64)
            .sum();
        if let Some(m) = c.max_len {
            if chars > m {
                c.never = Some(format!("the literal text alone exceeds {m} characters"));
            }
            c.max_len = Some(m.saturating_sub(chars));
        }
        if let Some(m) = c.max_bytes {
            if bytes > m {
                c.never = Some(format!("the literal text alone exceeds {m} bytes"));
            }
            c.max_bytes = Some(m.saturating_sub(bytes));
        }
        c.min_len = c.min_len.saturating_sub(chars);
        if let Some(set) = &c.chars
            && let Some(bad) = lit
                .iter()
                .flat_map(|s| s.chars())
                .find(|&ch| !domain::contains(set, ch))
        {
            c.never = Some(format!("the literal character {bad:?} is not allowed"));
        }
        if let Some((lo, hi)) = &mut c.digits {
            if let Some(h) = *hi
                && digits > h
            {
                c.never = Some(format!("the literal text alone has more than {h} digits"));
            }
            *lo = lo.saturating_sub(digits);
            *hi = hi.map(|h| h.saturating_sub(digits));
        }
        forbid_across(&lit, &mut c);
        c
    }

    fn demand(args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
        // The result is at least as long as every argument plus the string literals.
        let literal: u64 = args
            .iter()
            .filter_map(|a| match &a.kind {
                ExprKind::Str(s) => Some(s.chars().count() as u64),
                _ => None,
            })
            .sum();
        let i = args.iter().position(|a| !matches!(a.kind, ExprKind::Str(_)))?;
        Some((i, max.map(|m| m.saturating_sub(literal))))
    }

    fn length_effect(lits: &[Option<Value>]) -> LengthEffect {
        LengthEffect::Adds {
            literal: lits
                .iter()
                .flatten()
                .filter_map(|v| text_of(Self::FUNC.name(), v).ok().flatten())
                .map(|t| t.chars().count() as u64)
                .sum(),
        }
    }
}

/// Forbidden text after `concat`: a literal holding it means nothing passes; each part
/// must not hold it either, which is enough for a single character (it cannot straddle two
/// parts); longer text can, which is said in a note.
fn forbid_across(lits: &[String], c: &mut Constraint) {
    if let Some(bad) = c
        .forbid
        .iter()
        .find(|f| lits.iter().any(|l| l.contains(f.as_str())))
    {
        c.never = Some(format!("the literal text holds the forbidden {bad:?}"));
    }
    if c.forbid.iter().any(|f| f.chars().count() > 1) {
        c.notes
            .push("forbidden text across a concat() boundary is not pulled back".into());
    }
}

/// The backward rule with several field arguments: each part's characters end up in the
/// result, so the character limits hold per part (and a literal character they do not
/// allow means nothing passes); keywords kept verbatim cannot be stated on a part (said in
/// a note, as through any function). The length limits are on the sum, which JSON Schema
/// cannot say per field (`constraints` writes sum limits, or a note where it cannot); a
/// digit count of the whole cannot be split between the parts: a note.
pub(crate) fn backward_many(
    args: &[Expr],
    fields: &[usize],
    c: &Constraint,
    has_field: impl Fn(&Expr) -> bool,
) -> Vec<(usize, Constraint)> {
    let lits: Vec<String> = args
        .iter()
        .filter(|a| !has_field(a))
        .filter_map(literal_text)
        .collect();
    let lit_len: u64 = lits.iter().map(|s| s.chars().count() as u64).sum();
    let lit_bytes: u64 = lits.iter().map(|s| s.len() as u64).sum();
    let lit_digits: u64 = lits
        .iter()
        .map(|s| s.chars().filter(char::is_ascii_digit).count() as u64)
        .sum();
    let mut part = Constraint {
        chars: c.chars.clone(),
        forbid: c.forbid.clone(),
        verbatim: c.verbatim.clone(),
        captured: c.captured.clone(),
        notes: c.notes.clone(),
        never: c.never.clone(),
        ..Constraint::default()
    };
    let names: Vec<String> = fields.iter().map(|&i| args[i].to_string()).collect();
    let together = names.join(" + ");
    if c.max_len.is_some_and(|m| lit_len > m) || c.max_bytes.is_some_and(|m| lit_bytes > m) {
        part.never = Some("the literal text alone exceeds the length limit".into());
    }
    if let Some(set) = &c.chars
        && let Some(bad) = lits
            .iter()
            .flat_map(|s| s.chars())
            .find(|&ch| !domain::contains(set, ch))
    {
        part.never = Some(format!("the literal character {bad:?} is not allowed"));
    }
    forbid_across(&lits, &mut part);
    if let Some((lo, hi)) = c.digits {
        if hi.is_some_and(|h| lit_digits > h) {
            part.never = Some(format!("the literal text alone has more than {} digits", hi.unwrap_or(0)));
        } else if lo > lit_digits || hi.is_some() {
            part.notes
                .push(format!("{together} together: a digit count, not pulled back"));
        }
    }
    let plain = fields
        .iter()
        .all(|&i| matches!(args[i].kind, ExprKind::Field(_)));
    if !plain {
        // Plain fields are covered by the sum limits of `constraints::effective` (which
        // also checks a minimum length of the whole against the fields' own minimums).
        if let Some(n) = c.max_len {
            part.notes.push(format!(
                "{together} together: at most {} characters",
                n.saturating_sub(lit_len)
            ));
        }
        if let Some(n) = c.max_bytes {
            part.notes.push(format!(
                "{together} together: at most {} UTF-8 bytes",
                n.saturating_sub(lit_bytes)
            ));
        }
    }
    fields
        .iter()
        .map(|&i| {
            let mut p = part.clone();
            // The join gives no result when another part is missing.
            super::note_textless_type(Concat::FUNC.name(), &args[i], &mut p);
            drop_verbatim(Concat::FUNC.name(), &args[i], &mut p);
            (i, p)
        })
        .collect()
}

/// Whether an expression reads a field.
#[must_use]
pub fn reads_field(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) => true,
        ExprKind::Call { args, .. } => args.iter().any(reads_field),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::func::testkit;

    #[test]
    fn numbers_join_as_their_canonical_text() {
        let out = Func::Concat.eval_values(&[Some(json!("u")), Some(json!(12000)), Some(json!(1e3))]);
        assert_eq!(out.ok().flatten(), Some(json!("u120001000")));
        let out = Func::Concat.eval_values(&[Some(json!("a")), None]);
        assert_eq!(out.ok().flatten(), None, "missing if any is missing");
    }

    #[test]
    fn literal_digits_over_a_digit_limit_mean_nothing_passes() {
        let e = crate::func::parse(r#"concat("12", x)"#).unwrap();
        let c = Constraint {
            digits: Some((0, Some(1))),
            ..Constraint::default()
        };
        let pulled = crate::func::pull_back(&e, c);
        assert!(pulled[0].1.never.is_some(), "{pulled:?}");
    }

    #[test]
    fn several_fields_note_what_they_cannot_carry() {
        let e = crate::func::parse(r#"concat(a, "é", b)"#).unwrap();
        let enumed = Constraint {
            verbatim: vec![("enum".into(), json!(["a", "b"]))],
            ..Constraint::default()
        };
        for (_, c) in crate::func::pull_back(&e, enumed) {
            assert!(c.notes.iter().any(|n| n.contains("enum")), "{c:?}");
        }
        let ascii = Constraint {
            chars: domain::charset("ascii"),
            ..Constraint::default()
        };
        for (_, c) in crate::func::pull_back(&e, ascii) {
            assert!(c.never.is_some(), "the literal é is not ascii: {c:?}");
        }
        let short = Constraint {
            max_len: Some(0),
            ..Constraint::default()
        };
        for (_, c) in crate::func::pull_back(&e, short) {
            assert!(c.never.is_some(), "the literal alone is too long: {c:?}");
        }
    }

    #[test]
    fn a_forbidden_character_holds_per_part_without_a_note() {
        let e = crate::func::parse("concat(a, b)").unwrap();
        let mut c = Constraint::default();
        c.forbid.insert("i".into());
        for (_, part) in crate::func::pull_back(&e, c.clone()) {
            assert!(part.forbid.contains("i") && part.notes.is_empty(), "{part:?}");
        }
        c.forbid.insert("ab".into());
        for (_, part) in crate::func::pull_back(&e, c) {
            assert!(!part.notes.is_empty(), "\"ab\" can straddle a and b: {part:?}");
        }
    }

    testkit::laws!(
        Func::Concat,
        prop_oneof![
            Just("concat(\"u\", x)".to_string()),
            Just("concat(x, \"-\", 12)".to_string()),
            Just("concat(x, 1e3)".to_string()),
            Just("concat(x)".to_string()),
        ]
    );

    proptest! {
        #[test]
        fn forward_covers_eval_with_two_fields(
            x in testkit::arb_input(),
            y in testkit::arb_input(),
        ) {
            testkit::check_forward(Func::Concat, "concat(x, \"ß\", y)", &x, &y)?;
        }
    }
}
