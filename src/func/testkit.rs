//! Test support: the laws that tie every function's rules to its evaluation (README,
//! "Development"), random abstract inputs and values inside them, and concrete checks of a
//! description and of a constraint.

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Number, Value, json};

use super::Func;
use crate::domain::Constraint;
use crate::domain::{self, Abs, Chars, Num, Str};
use crate::expr::{Expr, ExprKind, FieldPath};
use crate::func::parse;
use crate::func::pull_back;

/// Characters the random inputs are made of: ASCII, Latin-1, case-changing ones whose
/// upper or lower case is longer or special (ß, İ, ŉ, ᾳ, ΐ, ﬀ, Σ), ones `ascii()` maps to
/// control characters or digits (U+2028, ①), a combining mark and an astral one.
pub(crate) const POOL: &[char] = &[
    'a', 'z', 'A', 'Z', '0', '9', ' ', '-', '.', 'e', 'ä', 'Ä', 'é', 'ß', 'ẞ', 'İ', 'ı', 'ŉ', 'ᾳ',
    'ΐ', 'ﬀ', 'Σ', 'σ', 'ς', 'α', 'ǅ', 'K', '\u{2028}', '\u{2029}', '①', '０', '\u{301}', '😀',
    '中', 'æ', '\t',
];

/// A string of pool characters.
pub(crate) fn arb_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(POOL), 0..8).prop_map(|v| v.into_iter().collect())
}

/// A description of strings and one string it holds.
pub(crate) fn arb_str_input() -> impl Strategy<Value = (Abs, Value)> {
    (
        arb_text(),
        prop::collection::vec(prop::sample::select(POOL), 0..4),
        0u64..8,
        prop::option::of(0u64..4),
        prop::option::of(0u64..6),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(s, extra, min, max, bytes, big)| {
            let len = s.chars().count() as u64;
            let mut chars = domain::chars_in(&s);
            chars.union(&domain::chars_in(&extra.into_iter().collect::<String>()));
            if big {
                chars.union(&domain::chars_of(&[('\u{80}', char::MAX)]));
            }
            let abs = Abs::Str(Str {
                min: min.min(len),
                max: max.map(|k| len + k),
                bytes: bytes.map(|k| s.len() as u64 + k),
                chars,
                format: None,
            });
            (abs, Value::String(s))
        })
}

/// A description of numbers and one number it holds (integers, integral floats such as
/// `100.0`, fractions and numbers too large for plain digits).
pub(crate) fn arb_num_input() -> impl Strategy<Value = (Abs, Value)> {
    (
        -100_000i64..100_000,
        0u8..5,
        prop::option::of(0i64..1000),
        prop::option::of(0i64..1000),
    )
        .prop_map(|(i, kind, below, above)| {
            let (value, f) = match kind {
                0 => (Number::from(i), i as f64),
                1 => (
                    Number::from_f64(i as f64).unwrap_or_else(|| Number::from(0)),
                    i as f64,
                ),
                2 => {
                    let f = i as f64 / 8.0 + 0.0625;
                    (Number::from_f64(f).unwrap_or_else(|| Number::from(0)), f)
                }
                3 => {
                    let f = (i as f64) * 1e17;
                    (Number::from_f64(f).unwrap_or_else(|| Number::from(0)), f)
                }
                _ => (
                    Number::from(u64::MAX - i.unsigned_abs()),
                    (u64::MAX - i.unsigned_abs()) as f64,
                ),
            };
            let abs = Abs::Num(Num {
                integer: f.fract() == 0.0,
                min: below.map(|k| f - k as f64),
                max: above.map(|k| f + k as f64),
                multiple: None,
            });
            (abs, Value::Number(value))
        })
}

/// A description and a value inside it: strings or numbers.
pub(crate) fn arb_input() -> impl Strategy<Value = (Abs, Value)> {
    prop_oneof![3 => arb_str_input(), 1 => arb_num_input()]
}

/// A few character classes a downstream system may allow (few, so that the preimages,
/// remembered per class, are computed once).
fn classes() -> Vec<Chars> {
    let mut not_sharp_s = domain::all_chars();
    not_sharp_s.difference(&domain::chars_in("ßſ"));
    vec![
        domain::chars_of(&[('a', 'z')]),
        domain::chars_of(&[(' ', ' '), ('0', '9'), ('A', 'Z')]),
        domain::chars_of(&[('\0', '\x7f')]),
        domain::chars_of(&[(' ', '~')]),
        domain::chars_of(&[('\0', '\u{ff}')]),
        domain::chars_in("aασςΑΣ"),
        not_sharp_s,
    ]
}

/// A constraint on a target field.
pub(crate) fn arb_constraint() -> impl Strategy<Value = Constraint> {
    (
        0u64..5,
        prop::option::of(0u64..10),
        prop::option::of(0u64..20),
        prop::option::of(0..classes().len()),
        prop::option::of(prop::sample::select(vec!["a", "ß", "-", "Σ", "aa", "0"])),
        prop::option::of(
            (0u64..3, prop::option::of(0u64..4)).prop_map(|(lo, hi)| (lo, hi.map(|h| h + lo))),
        ),
    )
        .prop_map(|(min_len, max_len, max_bytes, class, forbid, digits)| {
            let mut c = Constraint {
                min_len,
                max_len,
                max_bytes,
                chars: class.map(|i| classes().swap_remove(i)),
                digits,
                ..Constraint::default()
            };
            if let Some(f) = forbid {
                c.forbid.insert(f.to_owned());
            }
            c
        })
}

/// Whether `v` satisfies `c` (JSON Schema's reading: length limits bind strings only).
pub(crate) fn holds(c: &Constraint, v: &Value) -> bool {
    if c.never.is_some() {
        return false;
    }
    let Value::String(s) = v else { return true };
    let n = s.chars().count() as u64;
    let digits = s.chars().filter(char::is_ascii_digit).count() as u64;
    n >= c.min_len
        && c.max_len.is_none_or(|m| n <= m)
        && c.max_bytes.is_none_or(|m| s.len() as u64 <= m)
        && c.chars
            .as_ref()
            .is_none_or(|set| s.chars().all(|ch| domain::contains(set, ch)))
        && c.forbid.iter().all(|f| !s.contains(f.as_str()))
        && c.digits
            .is_none_or(|(lo, hi)| digits >= lo && hi.is_none_or(|h| digits <= h))
}

/// Whether `v` satisfies `c` as the JSON Schema it emits says, compiled with ripple's
/// keywords (`x-maxBytes`, `x-charset`): the check [`holds`] must agree with.
pub(crate) fn schema_holds(c: &Constraint, v: &Value) -> bool {
    let schema = c.to_schema();
    crate::schema::SystemSchema::from_value(std::path::Path::new("constraint.json"), schema.clone())
        .unwrap_or_else(|e| panic!("{schema}: {e:?}"))
        .is_valid(v)
}

/// Whether the description `abs` covers the value `v`.
pub(crate) fn covers(abs: &Abs, v: &Value) -> bool {
    match (abs, v) {
        (Abs::Any, _) => true,
        (Abs::Str(s), Value::String(t)) => {
            let n = t.chars().count() as u64;
            n >= s.min
                && s.max.is_none_or(|m| n <= m)
                && s.max_bytes().is_none_or(|m| t.len() as u64 <= m)
                && t.chars().all(|c| domain::contains(&s.chars, c))
        }
        (Abs::Num(n), Value::Number(x)) => {
            let Some(f) = x.as_f64() else { return false };
            n.min.is_none_or(|m| f >= m)
                && n.max.is_none_or(|m| f <= m)
                && (!n.integer || f.fract() == 0.0)
                && n.multiple.is_none_or(|m| (f / m).fract() == 0.0)
        }
        _ => false,
    }
}

/// `func` applied to the text `s` and literal arguments `lits`, as text.
pub(crate) fn text(func: Func, s: &str, lits: &[Value]) -> String {
    let mut values = vec![Some(Value::String(s.into()))];
    values.extend(lits.iter().cloned().map(Some));
    match func.eval_values(&values) {
        Ok(Some(Value::String(t))) => t,
        other => panic!("{}({s:?}): {other:?}", func.name()),
    }
}

/// The forward rule of a one-argument function on exactly the string `s`.
pub(crate) fn forward_of(func: Func, s: &str) -> Abs {
    func.forward(&[Abs::Str(Str::literal(s))], &[None])
}

fn call(text: &str) -> (Expr, Func, Vec<Expr>) {
    let e = parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let ExprKind::Call { func, args, .. } = &e.kind else {
        panic!("{text} is not a call")
    };
    let (func, args) = (*func, args.clone());
    (e, func, args)
}

fn eval(e: &Expr, x: &Value, y: &Value) -> Option<Value> {
    let record = json!({ "x": x, "y": y });
    crate::func::eval(e, &|f: &FieldPath| f.get(&record))
        .ok()
        .flatten()
}

/// Forward law: for a value inside each argument's description, the forward rule's result
/// covers what evaluation returns, and where the function says it surely gives nothing,
/// evaluation gives no value.
pub(crate) fn check_forward(
    func: Func,
    text: &str,
    x: &(Abs, Value),
    y: &(Abs, Value),
) -> Result<(), TestCaseError> {
    let (e, f, args) = call(text);
    prop_assert_eq!(f, func);
    let abs: Vec<Abs> = args
        .iter()
        .map(|a| match &a.kind {
            ExprKind::Field(p) if p.to_string() == "x" => x.0.clone(),
            ExprKind::Field(_) => y.0.clone(),
            ExprKind::Str(s) => Abs::Str(Str::literal(s)),
            ExprKind::Number(n) => Abs::Num(Num {
                integer: n.is_i64() || n.is_u64(),
                min: n.as_f64(),
                max: n.as_f64(),
                multiple: None,
            }),
            _ => Abs::Any,
        })
        .collect();
    let lits: Vec<Option<Value>> = args
        .iter()
        .map(|a| match &a.kind {
            ExprKind::Str(s) => Some(Value::String(s.clone())),
            ExprKind::Number(n) => Some(Value::Number(n.clone())),
            _ => None,
        })
        .collect();
    // Nothing-law: where the rule says it surely gives nothing, evaluation gives no value
    // (`null` arguments aside: a function of `null` gives `null`, which the checker
    // tracks beside the description).
    let null_arg = x.1.is_null() || y.1.is_null();
    if func.gives_nothing(&abs, &lits) && !null_arg {
        prop_assert!(
            eval(&e, &x.1, &y.1).is_none(),
            "{text} of {:?}, {:?} gives a value though gives_nothing holds",
            x.1,
            y.1
        );
    }
    if let Some(v) = eval(&e, &x.1, &y.1) {
        let out = func.forward(&abs, &lits);
        prop_assert!(
            covers(&out, &v),
            "{text} of {:?}, {:?} = {v:?} not in {out:?}",
            x.1,
            y.1
        );
    }
    Ok(())
}

/// Backward law: an input that satisfies the pulled-back constraint (one the rule did not
/// give up on: no notes) gives a result that satisfies the original.
pub(crate) fn check_backward(
    text: &str,
    c: &Constraint,
    x: &str,
    y: &str,
) -> Result<(), TestCaseError> {
    let (e, _, _) = call(text);
    let mut per: HashMap<String, Constraint> = HashMap::new();
    for (f, fc) in pull_back(&e, c.clone()) {
        per.entry(f.to_string()).or_default().meet(&fc);
    }
    if per
        .values()
        .any(|p| !p.notes.is_empty() || p.never.is_some())
    {
        return Ok(());
    }
    let (xv, yv) = (Value::String(x.into()), Value::String(y.into()));
    let ok = |name: &str, v: &Value| {
        per.get(name).is_none_or(|p| {
            let hand = holds(p, v);
            assert_eq!(hand, schema_holds(p, v), "{v:?} against {}", p.to_schema());
            hand
        })
    };
    if ok("x", &xv)
        && ok("y", &yv)
        && let Some(v) = eval(&e, &xv, &yv)
    {
        prop_assert!(
            holds(c, &v),
            "{text} of {x:?}: {v:?} breaks {c:?} (pulled back: {per:?})"
        );
    }
    Ok(())
}

/// Demand law: when the result has at most `max` characters, the argument the demand rule
/// names has at most the demanded number.
pub(crate) fn check_demand(text: &str, max: u64, x: &str) -> Result<(), TestCaseError> {
    let (e, func, args) = call(text);
    let Some((i, bound)) = func.demand(&args, Some(max)) else {
        return Ok(());
    };
    prop_assert!(
        matches!(args[i].kind, ExprKind::Field(_)),
        "{text}: demand on a non-field"
    );
    let xv = Value::String(x.into());
    if let Some(Value::String(t)) = eval(&e, &xv, &Value::Null)
        && t.chars().count() as u64 <= max
    {
        prop_assert!(
            bound.is_none_or(|b| x.chars().count() as u64 <= b),
            "{text}: {x:?} gives {t:?} (at most {max}) but the demand is {bound:?}"
        );
    }
    Ok(())
}

/// The three laws for one function, over the expressions `exprs` (a strategy of
/// expression texts reading fields `x` and `y`, or one text).
macro_rules! laws {
    ($func:expr, $text:literal) => {
        $crate::func::testkit::laws!($func, proptest::strategy::Just($text.to_string()));
    };
    ($func:expr, $exprs:expr) => {
        proptest::proptest! {
            #![proptest_config(proptest::test_runner::Config::with_cases(192))]
            #[test]
            fn forward_covers_eval(
                text in $exprs,
                x in $crate::func::testkit::arb_input(),
                y in $crate::func::testkit::arb_input(),
            ) {
                $crate::func::testkit::check_forward($func, &text, &x, &y)?;
            }

            #[test]
            fn backward_is_sufficient(
                text in $exprs,
                c in $crate::func::testkit::arb_constraint(),
                x in $crate::func::testkit::arb_text(),
                y in $crate::func::testkit::arb_text(),
            ) {
                $crate::func::testkit::check_backward(&text, &c, &x, &y)?;
            }

            #[test]
            fn demand_is_necessary(
                text in $exprs,
                max in 0u64..10,
                x in $crate::func::testkit::arb_text(),
            ) {
                $crate::func::testkit::check_demand(&text, max, &x)?;
            }
        }
    };
}
pub(crate) use laws;
