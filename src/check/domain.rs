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

/// `^C{m,n}$`: a pattern that is one repeated character class, the shape of most real
/// column patterns. Translated from the JSON Schema (ECMA) dialect first.
#[must_use]
pub fn simple_pattern(pattern: &str) -> Option<(Chars, u64, Option<u64>)> {
    memo(&SIMPLE, pattern, simple_pattern_uncached)
}

/// What a pattern says about characters and length, remembered per pattern text: parsing
/// the regex again for every field on every path dominated `check` on large graphs.
type PatternFacts = Option<(Chars, u64, Option<u64>)>;
type PatternMemo =
    std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, PatternFacts>>>;
static SIMPLE: PatternMemo = std::sync::OnceLock::new();
static BOUNDS: PatternMemo = std::sync::OnceLock::new();

fn memo(cache: &PatternMemo, pattern: &str, f: fn(&str) -> PatternFacts) -> PatternFacts {
    let map = cache.get_or_init(Default::default);
    if let Ok(m) = map.lock()
        && let Some(found) = m.get(pattern)
    {
        return found.clone();
    }
    let facts = f(pattern);
    if let Ok(mut m) = map.lock() {
        m.insert(pattern.to_owned(), facts.clone());
    }
    facts
}

fn simple_pattern_uncached(pattern: &str) -> PatternFacts {
    let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
    let hir = regex_syntax::parse(&translated).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [start, body, end] = parts.as_slice() else {
        return None;
    };
    let anchored =
        |h: &Hir, looks: &[Look]| matches!(h.kind(), HirKind::Look(l) if looks.contains(l));
    if !anchored(start, &[Look::Start, Look::StartLF]) || !anchored(end, &[Look::End, Look::EndLF])
    {
        return None;
    }
    match body.kind() {
        HirKind::Repetition(rep) => match rep.sub.kind() {
            HirKind::Class(Class::Unicode(c)) => {
                Some((c.clone(), u64::from(rep.min), rep.max.map(u64::from)))
            }
            HirKind::Literal(lit) => {
                let s = std::str::from_utf8(&lit.0).ok()?;
                (s.chars().count() == 1)
                    .then(|| (chars_in(s), u64::from(rep.min), rep.max.map(u64::from)))
            }
            _ => None,
        },
        HirKind::Class(Class::Unicode(c)) => Some((c.clone(), 1, Some(1))),
        _ => None,
    }
}

/// For an anchored pattern that is a sequence of character classes, literals and
/// repeated classes (`^[a-z][a-z0-9]{1,7}$`): the characters it can contain and its length
/// bounds. An over-approximation, so usable to narrow what an upstream system accepted,
/// but not to prove a target accepts a value (order matters there: see
/// [`simple_pattern`]).
#[must_use]
pub fn pattern_bounds(pattern: &str) -> Option<(Chars, u64, Option<u64>)> {
    memo(&BOUNDS, pattern, pattern_bounds_uncached)
}

fn pattern_bounds_uncached(pattern: &str) -> PatternFacts {
    if let Some(simple) = simple_pattern(pattern) {
        return Some(simple);
    }
    let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
    let hir = regex_syntax::parse(&translated).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let (first, rest) = parts.split_first()?;
    let (last, body) = rest.split_last()?;
    let is = |h: &Hir, looks: &[Look]| matches!(h.kind(), HirKind::Look(l) if looks.contains(l));
    if !is(first, &[Look::Start, Look::StartLF]) || !is(last, &[Look::End, Look::EndLF]) {
        return None;
    }
    let mut chars = ClassUnicode::empty();
    let (mut min, mut max) = (0u64, Some(0u64));
    for part in body {
        let (c, lo, hi) = match part.kind() {
            HirKind::Class(Class::Unicode(c)) => (c.clone(), 1, Some(1)),
            HirKind::Literal(lit) => {
                let s = std::str::from_utf8(&lit.0).ok()?;
                let n = s.chars().count() as u64;
                (chars_in(s), n, Some(n))
            }
            HirKind::Repetition(rep) => match rep.sub.kind() {
                HirKind::Class(Class::Unicode(c)) => {
                    (c.clone(), u64::from(rep.min), rep.max.map(u64::from))
                }
                HirKind::Literal(lit) => {
                    let s = std::str::from_utf8(&lit.0).ok()?;
                    let n = s.chars().count() as u64;
                    (
                        chars_in(s),
                        n * u64::from(rep.min),
                        rep.max.map(|m| n * u64::from(m)),
                    )
                }
                _ => return None,
            },
            _ => return None,
        };
        chars.union(&c);
        min += lo;
        max = max.zip(hi).map(|(a, b)| a + b);
    }
    Some((chars, min, max))
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

/// A value as a string description (numbers and booleans become their JSON text).
fn as_text(a: &Abs) -> Str {
    match a {
        Abs::Str(s) => s.clone(),
        Abs::Num(n) => {
            // A bounded integer prints with at most as many characters as its widest bound.
            let digits = |x: f64| x.abs().to_string().len() as u64 + u64::from(x < 0.0);
            let max = match (n.integer, n.min, n.max) {
                (true, Some(lo), Some(hi)) if lo.abs() < 1e15 && hi.abs() < 1e15 => {
                    Some(digits(lo).max(digits(hi)))
                }
                _ => Some(32),
            };
            let chars = if n.integer && n.min.is_some_and(|m| m >= 0.0) {
                chars_of(&[('0', '9')])
            } else {
                chars_of(&[('+', '.'), ('0', '9'), ('E', 'E'), ('e', 'e')])
            };
            Str {
                min: 1,
                max,
                bytes: None,
                chars,
                format: None,
            }
        }
        Abs::Any => Str::any(),
    }
}

fn non_ascii(c: &Chars) -> bool {
    c.ranges().last().is_some_and(|r| !r.end().is_ascii())
}

/// What `func` can produce from arguments described by `args` (literal arguments as
/// values in `lits`).
#[must_use]
pub fn apply(func: Func, args: &[Abs], lits: &[Option<Value>]) -> Abs {
    let first = || args.first().map(as_text).unwrap_or_else(Str::any);
    let lit_u64 = |i: usize| lits.get(i).and_then(|v| v.as_ref()).and_then(Value::as_u64);
    let lit_str = |i: usize| {
        lits.get(i)
            .and_then(|v| v.as_ref())
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let ascii_printable = chars_of(&[(' ', '~')]);
    Abs::Str(match func {
        Func::Lower | Func::Upper => {
            let s = first();
            let lower = func == Func::Lower;
            let (from, to) = if lower {
                (('A', 'Z'), ('a', 'z'))
            } else {
                (('a', 'z'), ('A', 'Z'))
            };
            let mut ascii = intersect(&s.chars, &chars_of(&[('\0', '\x7f')]));
            let cased = intersect(&ascii, &chars_of(&[from]));
            if !cased.ranges().is_empty() {
                ascii.difference(&chars_of(&[from]));
                ascii.union(&chars_of(&[to]));
            }
            let mut chars = ascii;
            let mut max = s.max;
            if non_ascii(&s.chars) {
                // Non-ASCII letters map to their other case, to ASCII letters (ß → SS,
                // ſ → S, K → k) and combining marks; a character can become three.
                let mut other = intersect(&s.chars, &chars_of(&[('\u{80}', char::MAX)]));
                // Folding a huge class costs more than it tells: keep it exact for small
                // sets (Latin-1 letters), and take every non-ASCII character otherwise.
                if count(&other) <= 4096 {
                    other.case_fold_simple();
                } else {
                    other = chars_of(&[('\u{80}', char::MAX)]);
                }
                chars.union(&other);
                chars.union(&chars_of(&[
                    to,
                    ('\u{2bc}', '\u{2bc}'),
                    ('\u{300}', '\u{36f}'),
                ]));
                max = max.map(|m| m.saturating_mul(3));
            }
            Str {
                min: s.min,
                max,
                bytes: None,
                chars,
                format: None,
            }
        }
        Func::Trim => {
            let s = first();
            Str {
                min: 0,
                format: None,
                ..s
            }
        }
        Func::Ascii => {
            let s = first();
            if non_ascii(&s.chars) {
                let mut chars = intersect(&s.chars, &chars_of(&[('\0', '\x7f')]));
                chars.union(&ascii_printable);
                Str {
                    min: 0,
                    max: None,
                    bytes: None,
                    chars,
                    format: None,
                }
            } else {
                s
            }
        }
        Func::Truncate => {
            let s = first();
            let n = lit_u64(1).unwrap_or(u64::MAX);
            Str {
                min: s.min.min(n),
                max: Some(s.max.map_or(n, |m| m.min(n))),
                bytes: s.bytes,
                chars: s.chars,
                format: None,
            }
        }
        Func::Concat => {
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
            out
        }
        Func::Replace => {
            let s = first();
            let (from, to) = (
                lit_str(1).unwrap_or_default(),
                lit_str(2).unwrap_or_default(),
            );
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
            Str {
                min,
                max,
                bytes: None,
                chars: union(&s.chars, &chars_in(&to)),
                format: None,
            }
        }
        Func::Digits => {
            let s = first();
            Str {
                min: 0,
                max: s.max,
                bytes: s.max,
                chars: intersect(&s.chars, &chars_of(&[('0', '9')])),
                format: None,
            }
        }
        Func::PadLeft => {
            let s = first();
            let n = lit_u64(1).unwrap_or(0);
            let c = lit_str(2).unwrap_or_default();
            Str {
                min: s.min.max(n),
                max: s.max.map(|m| m.max(n)),
                bytes: None,
                chars: union(&s.chars, &chars_in(&c)),
                format: None,
            }
        }
        Func::Part => {
            let s = first();
            Str {
                min: 0,
                format: None,
                ..s
            }
        }
        Func::String => first(),
        Func::Default => {
            return match (args.first(), args.get(1)) {
                (Some(a), Some(b)) => join(a, b),
                _ => Abs::Any,
            };
        }
        Func::Number => {
            // Digits only: a non-negative integer below 10^max.
            let s = first();
            let digits_only = subset(&s.chars, &chars_of(&[('0', '9')])) && s.min > 0;
            return match s.max {
                Some(m) if digits_only && m < 16 => Abs::Num(Num {
                    integer: true,
                    min: Some(0.0),
                    max: Some(10f64.powi(i32::try_from(m).unwrap_or(15)) - 1.0),
                    multiple: None,
                }),
                _ => Abs::Num(Num::any(false)),
            };
        }
    })
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
        assert_eq!(up.max, Some(24));
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
