//! Candidate values for the witness search: what breaks things. Strings at the lengths
//! and with the characters real systems trip on; the other JSON types the entry allows
//! (`null` through a `["string", "null"]` field, numbers through `string()`); the path's
//! mapping literals (a `replace`'s `from` repeated grows a value); its `enum`/`const`
//! values; and values at the boundaries of its limits.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::domain::{self, Abs, Num, Str};
use crate::pipeline::{FlowId, Pipeline, SystemId};
use crate::schema::{Keyword, Leaf, TypeName};

/// Characters tried first: ordinary ones, then the ones real systems trip on.
const SAMPLES: &[char] = &[
    'a', 'm', 'A', 'Z', '0', '9', ' ', 'ä', 'ö', 'Ä', 'å', 'ß', 'é', '-', '.', '_', '\'', '/', '!',
    '@', 'ÿ', 'ı', 'İ', 'Ł', 'ﬃ', 'ΐ', '€', '中', '😀', '\t', '\n', '\u{2028}',
];

/// What the path's mappings and schemas suggest trying: the literals of its mappings (a
/// `replace`'s `from` grows a value, a `part` separator splits it), the `enum`/`const`
/// values its systems name, and the lengths just past their limits.
#[derive(Debug, Default)]
pub(super) struct Hints {
    literals: Vec<String>,
    values: Vec<Value>,
    lengths: Vec<u64>,
}

impl Hints {
    /// Collects the hints of one path.
    pub(super) fn of_path(pipeline: &Pipeline, systems: &[SystemId], flows: &[FlowId]) -> Self {
        let mut h = Self::default();
        for (k, &flow) in flows.iter().enumerate() {
            let to = &pipeline.systems[systems[k + 1]];
            for m in &pipeline.flows[flow].mappings {
                m.expr.string_literals(&mut h.literals);
                for kw in &to.schema.leaf(&m.target_pointer).keywords {
                    match kw {
                        Keyword::Enum(items) => h.values.extend(items.iter().take(8).cloned()),
                        Keyword::Const(v) => h.values.push(v.clone()),
                        Keyword::MaxLength(n)
                        | Keyword::MaxBytes(n)
                        | Keyword::EncodedBytes(_, n) => {
                            h.lengths.push(n.saturating_add(1));
                        }
                        Keyword::MinLength(n) => h.lengths.push(n.saturating_sub(1)),
                        _ => {}
                    }
                }
            }
        }
        h.literals.retain(|l| !l.is_empty());
        h.literals.sort();
        h.literals.dedup();
        h.lengths.sort_unstable();
        h.lengths.dedup();
        h
    }
}

/// Candidate values for one entry field described by `abs`, whose schema is `leaf`, most
/// likely to break something first.
pub(super) fn candidates(abs: &Abs, leaf: &Leaf, hints: &Hints) -> Vec<Value> {
    let mut out = match abs {
        Abs::Str(s) => strings(s, hints),
        Abs::Num(num) => {
            let mut out = numbers(num);
            out.extend(long_integers(hints, num));
            out
        }
        Abs::Any => {
            let mut out: Vec<Value> = ["a", "ä", "Ä", "a b", "😀"]
                .into_iter()
                .map(Value::from)
                .collect();
            out.push(Value::String("a".repeat(80)));
            // The lengths the path's limits suggest (see `strings`).
            out.extend(hints.lengths.iter().flat_map(|&n| {
                let n = usize::try_from(n.min(300)).unwrap_or(0);
                [
                    Value::String("a".repeat(n)),
                    Value::String("a".repeat(n / 2)),
                ]
            }));
            out
        }
    };
    for kw in &leaf.keywords {
        match kw {
            Keyword::Pattern(p) => {
                if let Some(w) = jsonschema_regex::pattern_witness(p) {
                    out.insert(0, Value::String(w));
                }
            }
            Keyword::Format(f) if f == "email" => out.extend(emails(leaf)),
            // A value the format accepts: the entry rejects almost every other string.
            Keyword::Format(f) => out.extend(domain::format::example(f).map(Value::from)),
            Keyword::Enum(items) => out.extend(items.iter().cloned()),
            Keyword::Const(v) => out.push(v.clone()),
            _ => {}
        }
    }
    out.extend(other_types(abs, leaf));
    if matches!(abs, Abs::Any) && leaf.types().allows(TypeName::Integer) {
        out.extend(long_integers(hints, &Num::any(true)));
    }
    // Literals: repeated right after the longest strings for a string (see `strings`),
    // here for anything else; alone last (short, so they do not become the "shortest"
    // value other fields are held at).
    if matches!(abs, Abs::Any) {
        out.extend(hints.literals.iter().map(|l| Value::String(l.repeat(12))));
    }
    if let Abs::Str(s) = abs {
        out.extend(
            usable(&hints.literals, s)
                .into_iter()
                .map(|l| Value::String(l.clone())),
        );
    }
    out.extend(hints.values.iter().cloned());
    dedup(out)
}

/// The literals made only of characters the description allows.
fn usable<'h>(literals: &'h [String], s: &Str) -> Vec<&'h String> {
    literals
        .iter()
        .filter(|l| l.chars().all(|c| domain::contains(&s.chars, c)))
        .collect()
}

/// Strings: each sample character at the longest length first (length limits break
/// there, and `shrink` cuts a witness down), then the literals repeated, then the other
/// lengths (a default, the shortest, the boundaries of the path's limits).
fn strings(s: &Str, hints: &Hints) -> Vec<Value> {
    let chars: Vec<char> = SAMPLES
        .iter()
        .copied()
        .filter(|c| domain::contains(&s.chars, *c))
        .collect();
    let base = chars.first().copied().unwrap_or('a');
    let hi = s.max.unwrap_or(300).min(300);
    let mut lengths = vec![hi, 8.clamp(s.min, hi.max(s.min)), s.min.max(1).min(hi)];
    lengths.extend(hints.lengths.iter().filter(|&&n| n >= s.min && n <= hi));
    lengths.dedup();
    // Every other length a limit suggests, in the first character only, right after the
    // longest: the empty string, half a limit (a value used twice, `concat(x, x)`), and
    // the short lengths between an object-level `oneOf`'s limits.
    let mut extra: Vec<u64> = vec![s.min, 2, 3, 4, 5, 6];
    extra.extend(
        hints
            .lengths
            .iter()
            .flat_map(|&n| [n / 2, (n / 2).saturating_sub(1)]),
    );
    extra.retain(|&n| n >= s.min && n <= hi && !lengths.contains(&n));
    extra.sort_unstable();
    extra.dedup();
    let mut extra = Some(extra.into_iter().map(|n| {
        Value::String(std::iter::repeat_n(base, usize::try_from(n).unwrap_or(0)).collect())
    }));
    let repeated = usable(&hints.literals, s).into_iter().map(|lit| {
        let n = lit.chars().count().max(1) as u64;
        Value::String(lit.repeat(usize::try_from((hi / n).max(1)).unwrap_or(1)))
    });
    // Each literal between characters, long and short (`a a a … a`, `a a`): a `part`
    // separator or a `replace`'s `from` with text on both sides, where the literal alone
    // repeated leaves only empty parts.
    let between = usable(&hints.literals, s).into_iter().flat_map(|lit| {
        let unit = format!("{base}{lit}");
        let n = unit.chars().count().max(1) as u64;
        let times = usize::try_from((hi.saturating_sub(1) / n).max(1)).unwrap_or(1);
        [times, 1].map(|k| {
            let mut t = unit.repeat(k);
            t.push(base);
            Value::String(t)
        })
    });
    let repeated = repeated.chain(between);
    let mut repeated = Some(repeated);
    let mut out = Vec::new();
    for (i, &len) in lengths.iter().enumerate() {
        if i == 1 {
            out.extend(extra.take().into_iter().flatten());
            out.extend(repeated.take().into_iter().flatten());
        }
        let n = usize::try_from(len).unwrap_or(0);
        for &c in &chars {
            out.push(Value::String(std::iter::repeat_n(c, n).collect()));
            if c != base && n > 0 {
                let mut t: String = std::iter::repeat_n(base, n - 1).collect();
                t.push(c);
                out.push(Value::String(t));
            }
        }
    }
    out.extend(extra.into_iter().flatten());
    out.extend(repeated.into_iter().flatten());
    out
}

/// Numbers: small, negative, large, the bounds and multiples.
fn numbers(num: &Num) -> Vec<Value> {
    // Each count of digits up to four too (text limits on `string(x)` or `trim(x)`).
    let mut nums = vec![0.0, 1.0, -1.0, 1e6, 123_456_789.0, 12.0, 123.0, 1234.0];
    if !num.integer {
        nums.push(0.5);
    }
    nums.extend(num.min.iter().chain(num.max.iter()).copied());
    if !num.integer {
        // Fractions inside the bounds: what `type: integer` downstream rejects.
        nums.extend(num.min.iter().map(|m| m + 0.5));
        nums.extend(num.max.iter().map(|m| m - 0.5));
    }
    if let Some(k) = num.multiple {
        nums.extend([k, 2.0 * k, 3.0 * k, 7.0 * k]);
    }
    nums.into_iter()
        .map(|n| {
            serde_json::Number::from_f64(n).map_or(Value::Null, |x| {
                if num.integer || n.fract() == 0.0 {
                    Value::from(n as i64)
                } else {
                    Value::Number(x)
                }
            })
        })
        .collect()
}

/// Integers one digit longer than each length limit on the path (`string(n)` or `trim(n)`
/// into a `maxLength`), within the description's bounds.
fn long_integers(hints: &Hints, num: &Num) -> Vec<Value> {
    hints
        .lengths
        .iter()
        .filter(|&&n| (1..=18).contains(&n))
        .map(|&n| 10_i64.pow(u32::try_from(n).unwrap_or(18)))
        .filter(|&x| {
            let x = x as f64;
            num.min.is_none_or(|m| x >= m) && num.max.is_none_or(|m| x <= m)
        })
        .map(Value::from)
        .collect()
}

/// Values of other JSON types than the description's, where the entry schema allows them:
/// `null` through a `["string", "null"]` field, numbers and booleans through `string()`.
fn other_types(abs: &Abs, leaf: &Leaf) -> Vec<Value> {
    let t = leaf.types();
    let mut out = Vec::new();
    // The description's own type has its candidates already, shaped by its limits.
    let (strings, numbers) = (!matches!(abs, Abs::Str(_)), !matches!(abs, Abs::Num(_)));
    if t.allows(TypeName::Null) {
        out.push(Value::Null);
    }
    if numbers && t.allows(TypeName::Integer) {
        out.extend([Value::from(0), Value::from(-1), Value::from(123_456_789)]);
    }
    if numbers && t.allows(TypeName::Number) {
        // Integral floats print differently from integers in some systems.
        out.extend([
            serde_json::json!(1e3),
            serde_json::json!(42.0),
            serde_json::json!(0.5),
        ]);
    }
    if t.allows(TypeName::Boolean) {
        out.extend([Value::Bool(true), Value::Bool(false)]);
    }
    if strings && t.allows(TypeName::String) {
        out.push(Value::String(String::new()));
    }
    if t.allows(TypeName::Array) {
        out.push(serde_json::json!(["a"]));
    }
    if t.allows(TypeName::Object) {
        out.push(serde_json::json!({}));
    }
    out
}

/// E-mail addresses around the usual limits (64-character local part, 254 in all).
fn emails(leaf: &Leaf) -> Vec<Value> {
    let mut out: Vec<Value> = [
        "a@example.com",
        "ä@example.com",
        "first.last+tag@example.com",
    ]
    .into_iter()
    .map(Value::from)
    .collect();
    out.push(Value::String(format!("{}@example.com", "a".repeat(60))));
    let want = leaf
        .keywords
        .iter()
        .find_map(|k| match k {
            Keyword::MaxLength(n) => Some(*n),
            _ => None,
        })
        .unwrap_or(254)
        .min(254);
    let mut domain_part = String::from("com");
    while (64 + 1 + domain_part.len() + 64) as u64 <= want {
        domain_part = format!("{}.{domain_part}", "a".repeat(63));
    }
    let local = usize::try_from(want)
        .unwrap_or(64)
        .saturating_sub(domain_part.len() + 1)
        .clamp(1, 64);
    out.push(Value::String(format!(
        "{}@{domain_part}",
        "a".repeat(local)
    )));
    out
}

/// Duplicates (the same string from two rules) cost a run each: drop them. Strings are
/// compared as they are; anything else by its JSON text.
fn dedup(mut out: Vec<Value>) -> Vec<Value> {
    let keep: Vec<bool> = {
        let mut seen_str: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        let mut seen_other = BTreeSet::new();
        out.iter()
            .map(|v| match v {
                Value::String(s) => seen_str.insert(s.as_str()),
                other => seen_other.insert(other.to_string()),
            })
            .collect()
    };
    let mut keep = keep.into_iter();
    out.retain(|_| keep.next().unwrap_or(true));
    out
}
