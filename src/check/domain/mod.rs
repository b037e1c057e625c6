//! What a value can be: an over-approximation used to *prove* that a target accepts every
//! value an upstream path can deliver.
//!
//! A string is described by its length interval, a bound on its UTF-8 bytes and the set of
//! characters it may contain (a `regex_syntax` Unicode class, so set operations are exact).
//! Each mapping function has a transfer function that keeps this sound: the result
//! describes at least every value the function can produce. A target constraint is proven
//! only when the description satisfies it; otherwise ripple looks for a witness.

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};
use serde_json::Value;

use crate::expr::Func;

mod pattern;
mod transfer;

pub use pattern::{pattern_bounds, simple_pattern};
pub use transfer::apply;

/// A set of characters.
pub type Chars = ClassUnicode;

/// Every Unicode scalar value.
#[must_use]
pub fn all_chars() -> Chars {
    ClassUnicode::new([ClassUnicodeRange::new('\0', char::MAX)])
}

/// The characters of a range list.
#[must_use]
pub fn chars_of(ranges: &[(char, char)]) -> Chars {
    ClassUnicode::new(ranges.iter().map(|&(a, b)| ClassUnicodeRange::new(a, b)))
}

/// The characters of a string.
#[must_use]
pub fn chars_in(s: &str) -> Chars {
    ClassUnicode::new(s.chars().map(|c| ClassUnicodeRange::new(c, c)))
}

fn union(a: &Chars, b: &Chars) -> Chars {
    let mut out = a.clone();
    out.union(b);
    out
}

fn intersect(a: &Chars, b: &Chars) -> Chars {
    let mut out = a.clone();
    out.intersect(b);
    out
}

/// Whether every character of `a` is in `b`.
#[must_use]
pub fn subset(a: &Chars, b: &Chars) -> bool {
    let mut d = a.clone();
    d.difference(b);
    d.ranges().is_empty()
}

/// Whether `c` is in `set`.
#[must_use]
pub fn contains(set: &Chars, c: char) -> bool {
    set.ranges().iter().any(|r| r.start() <= c && c <= r.end())
}

/// How many characters `set` holds.
#[must_use]
pub fn count(set: &Chars) -> u64 {
    set.ranges()
        .iter()
        .map(|r| u64::from(r.end()) - u64::from(r.start()) + 1)
        .sum()
}

/// Most UTF-8 bytes one character of `set` takes.
#[must_use]
pub fn width(set: &Chars) -> u64 {
    set.ranges().last().map_or(1, |r| r.end().len_utf8() as u64)
}

/// The characters an `x-charset` allows.
#[must_use]
pub fn charset(name: &str) -> Option<Chars> {
    match name {
        "ascii" => Some(chars_of(&[('\0', '\x7f')])),
        "latin1" => Some(chars_of(&[('\0', '\u{ff}')])),
        "utf8mb3" => Some(chars_of(&[('\0', '\u{ffff}')])),
        _ => None,
    }
}

/// A description of the values a field can hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Abs {
    /// Strings.
    Str(Str),
    /// Numbers in an interval.
    Num(Num),
    /// Anything: nothing can be proven about it.
    Any,
}

/// A set of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Num {
    /// Only integers.
    pub integer: bool,
    /// Inclusive lower bound.
    pub min: Option<f64>,
    /// Inclusive upper bound.
    pub max: Option<f64>,
    /// Every value is a multiple of this.
    pub multiple: Option<f64>,
}

impl Num {
    /// Any number (`integer`: any integer).
    #[must_use]
    pub fn any(integer: bool) -> Self {
        Self {
            integer,
            ..Self::default()
        }
    }
}

/// A set of strings.
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    /// Fewest characters.
    pub min: u64,
    /// Most characters, if bounded.
    pub max: Option<u64>,
    /// Most UTF-8 bytes, if bounded more tightly than `max × width`.
    pub bytes: Option<u64>,
    /// The characters it may contain.
    pub chars: Chars,
    /// A `format` every value satisfies (kept only through copies, not transformations).
    pub format: Option<String>,
}

impl Str {
    /// Any string.
    #[must_use]
    pub fn any() -> Self {
        Self {
            min: 0,
            max: None,
            bytes: None,
            chars: all_chars(),
            format: None,
        }
    }

    /// Exactly `s`.
    #[must_use]
    pub fn literal(s: &str) -> Self {
        let n = s.chars().count() as u64;
        Self {
            min: n,
            max: Some(n),
            bytes: Some(s.len() as u64),
            chars: chars_in(s),
            format: None,
        }
    }

    /// An upper bound on UTF-8 bytes.
    #[must_use]
    pub fn max_bytes(&self) -> Option<u64> {
        let by_chars = self.max.map(|m| m.saturating_mul(width(&self.chars)));
        match (by_chars, self.bytes) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Whether the subschemas hold only keywords ripple models exactly (no `anyOf` etc.),
/// so that meeting them is sound.
fn conjunctive(subs: &[&Value]) -> bool {
    !subs.iter().any(|s| {
        ["anyOf", "oneOf", "not", "if", "$dynamicRef"]
            .iter()
            .any(|k| s.get(k).is_some())
    })
}

/// The values the schemas `subs` (all applying to one field) accept, as far as modelled.
#[must_use]
pub fn from_schemas(subs: &[&Value]) -> Abs {
    if subs.is_empty() || !conjunctive(subs) {
        return Abs::Any;
    }
    let types: Vec<&str> = subs
        .iter()
        .filter_map(|s| s.get("type"))
        .flat_map(|t| match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        })
        .collect();
    let only = |name: &str| !types.is_empty() && types.iter().all(|t| *t == name);
    let start = if only("string") {
        Abs::Str(Str::any())
    } else if only("integer") {
        Abs::Num(Num::any(true))
    } else if only("number")
        || (types.iter().all(|t| matches!(*t, "number" | "integer")) && !types.is_empty())
    {
        Abs::Num(Num::any(types.iter().all(|t| *t == "integer")))
    } else {
        return Abs::Any;
    };
    refine(start, subs)
}

/// Narrows `abs` by what the schemas `subs` accept (values that passed a system).
#[must_use]
pub fn refine(abs: Abs, subs: &[&Value]) -> Abs {
    if !conjunctive(subs) {
        return abs;
    }
    match abs {
        Abs::Str(mut s) => {
            for sub in subs {
                if let Some(n) = sub.get("minLength").and_then(Value::as_u64) {
                    s.min = s.min.max(n);
                }
                if let Some(n) = sub.get("maxLength").and_then(Value::as_u64) {
                    s.max = Some(s.max.map_or(n, |m| m.min(n)));
                }
                if let Some(n) = sub.get("x-maxBytes").and_then(Value::as_u64) {
                    s.bytes = Some(s.bytes.map_or(n, |m| m.min(n)));
                }
                if let Some(f) = sub.get("format").and_then(Value::as_str) {
                    s.format = Some(f.to_owned());
                }
                if let Some(c) = sub
                    .get("x-charset")
                    .and_then(Value::as_str)
                    .and_then(charset)
                {
                    s.chars = intersect(&s.chars, &c);
                }
                if let Some((c, lo, hi)) = sub
                    .get("pattern")
                    .and_then(Value::as_str)
                    .and_then(pattern_bounds)
                {
                    s.chars = intersect(&s.chars, &c);
                    s.min = s.min.max(lo);
                    if let Some(hi) = hi {
                        s.max = Some(s.max.map_or(hi, |m| m.min(hi)));
                    }
                }
            }
            Abs::Str(s)
        }
        Abs::Num(mut n) => {
            for sub in subs {
                if let Some(x) = sub.get("minimum").and_then(Value::as_f64) {
                    n.min = Some(n.min.map_or(x, |m| m.max(x)));
                }
                if let Some(x) = sub.get("maximum").and_then(Value::as_f64) {
                    n.max = Some(n.max.map_or(x, |m| m.min(x)));
                }
                if let Some(x) = sub.get("multipleOf").and_then(Value::as_f64) {
                    n.multiple = Some(x);
                }
                if sub.get("type").and_then(Value::as_str) == Some("integer") {
                    n.integer = true;
                }
            }
            Abs::Num(n)
        }
        Abs::Any => Abs::Any,
    }
}

/// The least description covering both.
#[must_use]
pub fn join(a: &Abs, b: &Abs) -> Abs {
    match (a, b) {
        (Abs::Str(x), Abs::Str(y)) => Abs::Str(Str {
            min: x.min.min(y.min),
            max: x.max.zip(y.max).map(|(p, q)| p.max(q)),
            bytes: x.max_bytes().zip(y.max_bytes()).map(|(p, q)| p.max(q)),
            chars: union(&x.chars, &y.chars),
            format: None,
        }),
        (Abs::Num(x), Abs::Num(y)) => Abs::Num(Num {
            integer: x.integer && y.integer,
            min: x.min.zip(y.min).map(|(p, q)| p.min(q)),
            max: x.max.zip(y.max).map(|(p, q)| p.max(q)),
            multiple: x.multiple.filter(|m| y.multiple == Some(*m)),
        }),
        _ => Abs::Any,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn simple_patterns_are_recognised() {
        let (c, lo, hi) = simple_pattern("^[a-z0-9._-]+$").unwrap();
        assert!(contains(&c, 'a') && contains(&c, '.') && !contains(&c, 'A'));
        assert_eq!((lo, hi), (1, None));
        let (c, lo, hi) = simple_pattern("^\\d{5}$").unwrap();
        assert!(contains(&c, '7') && !contains(&c, '٣'), "ECMA \\d is ASCII");
        assert_eq!((lo, hi), (5, Some(5)));
        assert!(simple_pattern("^[a-z]+@[a-z]+$").is_none());
        assert!(simple_pattern("[a-z]+").is_none(), "unanchored");
        let (c, lo, hi) = pattern_bounds("^[a-z][a-z0-9]{1,7}$").unwrap();
        assert!(contains(&c, '7') && !contains(&c, 'A'));
        assert_eq!((lo, hi), (2, Some(8)));
        assert!(simple_pattern("^[a-z][a-z0-9]{1,7}$").is_none());
    }

    #[test]
    fn upper_of_ascii_stays_ascii_and_of_latin1_can_grow() {
        let lower_ascii = Abs::Str(Str {
            min: 1,
            max: Some(8),
            bytes: None,
            chars: chars_of(&[('a', 'z')]),
            format: None,
        });
        let Abs::Str(up) = apply(Func::Upper, &[lower_ascii], &[None]) else {
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
        let Abs::Str(up) = apply(Func::Upper, &[latin], &[None]) else {
            panic!()
        };
        assert_eq!(up.max, Some(16));
        assert!(contains(&up.chars, 'S'));
    }

    #[test]
    fn schemas_refine() {
        let a = json!({"type": "string", "maxLength": 8, "pattern": "^[a-z]+$"});
        let Abs::Str(s) = from_schemas(&[&a]) else {
            panic!()
        };
        assert_eq!((s.min, s.max, s.max_bytes()), (1, Some(8), Some(8)));
        let b = json!({"type": "string", "anyOf": [{"maxLength": 2}]});
        assert_eq!(from_schemas(&[&b]), Abs::Any);
    }
}
