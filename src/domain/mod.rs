//! What a value can be, and what it must be: the abstract descriptions shared by `check`
//! (an over-approximation, [`Abs`], used to *prove* that a target accepts every value an
//! upstream path can deliver), `constraints` (a sufficient condition, [`Constraint`]) and
//! the mapping functions' rules (`func/`), which sit above it.
//!
//! A string is described by its length interval, a bound on its UTF-8 bytes and the set of
//! characters it may contain (a `regex_syntax` Unicode class, so set operations are exact).
//! Each mapping function has a transfer function that keeps this sound: the result
//! describes at least every value the function can produce. A target constraint is proven
//! only when the description satisfies it; otherwise ripple looks for a witness.

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};

use crate::schema::{Keyword, Leaf, TypeName};

pub(crate) mod chars;
pub(crate) mod constraint;
mod empty;
pub(crate) mod format;
mod pattern;

pub use constraint::Constraint;
pub use empty::{rejects_all, rejects_null};
pub use pattern::{pattern_bounds, pattern_min_len, simple_pattern};

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
    crate::schema::Charset::from_name(name).map(charset_chars)
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

/// The characters of an `x-charset`.
#[must_use]
pub fn charset_chars(c: crate::schema::Charset) -> Chars {
    match c {
        crate::schema::Charset::Ascii => chars_of(&[('\0', '\x7f')]),
        crate::schema::Charset::Latin1 => chars_of(&[('\0', '\u{ff}')]),
        crate::schema::Charset::Utf8mb3 => chars_of(&[('\0', '\u{ffff}')]),
    }
}

/// The characters an encoding can store (`x-encoding`).
#[must_use]
pub fn encodable_chars(e: crate::schema::Encoding) -> Chars {
    use crate::schema::Encoding;
    match e {
        Encoding::Utf8 | Encoding::Utf16 => chars_of(&[('\0', char::MAX)]),
        Encoding::Latin1 => chars_of(&[('\0', '\u{ff}')]),
        Encoding::Cp1252 => {
            let mut ranges = vec![('\0', '\x7f'), ('\u{a0}', '\u{ff}')];
            ranges.extend(crate::schema::CP1252_HIGH.iter().map(|&c| (c, c)));
            chars_of(&ranges)
        }
    }
}

/// The most bytes a string described by `s` can take in encoding `e` (characters it
/// cannot store counted as one byte each, as `validate` counts them), when bounded.
#[must_use]
pub fn max_encoded_bytes(s: &Str, e: crate::schema::Encoding) -> Option<u64> {
    use crate::schema::Encoding;
    match e {
        Encoding::Utf8 => s.max_bytes(),
        Encoding::Latin1 | Encoding::Cp1252 => s.max,
        // 2 bytes per character of the Basic Multilingual Plane, 4 outside it.
        Encoding::Utf16 => {
            let bmp = subset(&s.chars, &chars_of(&[('\0', '\u{ffff}')]));
            s.max.map(|m| m.saturating_mul(if bmp { 2 } else { 4 }))
        }
    }
}

/// The values other than `null` a system accepts at a field, as far as modelled: what an
/// entry field can hold (whether it can be `null` is the caller's to track). Only the
/// unconditional keywords narrow it (a limit in one `anyOf` branch does not hold for
/// every value).
#[must_use]
pub fn from_leaf(leaf: &Leaf) -> Abs {
    let types = leaf.types().without(TypeName::Null);
    let start = if types.only(TypeName::String) {
        Abs::Str(Str::any())
    } else if types.only_numbers() {
        Abs::Num(Num::any(!types.allows(TypeName::Number)))
    } else {
        return Abs::Any;
    };
    refine(start, leaf)
}

/// Narrows `abs` by what a system accepts at a field (values that passed it).
#[must_use]
pub fn refine(abs: Abs, leaf: &Leaf) -> Abs {
    match abs {
        Abs::Str(mut s) => {
            for k in &leaf.keywords {
                match k {
                    Keyword::MinLength(n) => s.min = s.min.max(*n),
                    Keyword::MaxLength(n) => s.max = Some(s.max.map_or(*n, |m| m.min(*n))),
                    // Every character takes at least one byte in UTF-8.
                    Keyword::MaxBytes(n) => {
                        s.bytes = Some(s.bytes.map_or(*n, |m| m.min(*n)));
                        s.max = Some(s.max.map_or(*n, |m| m.min(*n)));
                    }
                    // One byte a character in latin1 and cp1252, at least two in UTF-16.
                    Keyword::EncodedBytes(e, n) => {
                        let chars = if *e == crate::schema::Encoding::Utf16 {
                            n / 2
                        } else {
                            *n
                        };
                        s.max = Some(s.max.map_or(chars, |m| m.min(chars)));
                    }
                    // A string that passed is one of the strings listed.
                    Keyword::Enum(items) => s = meet_listed(s, items),
                    Keyword::Const(v) => s = meet_listed(s, std::slice::from_ref(v)),
                    Keyword::Encodable(e) => s.chars = intersect(&s.chars, &encodable_chars(*e)),
                    Keyword::Format(f) => {
                        // What the format's grammar fixes (a `date` is 10 of `[0-9-]`).
                        if let Some(shape) = format::shape(f) {
                            s.min = s.min.max(shape.min);
                            if let Some(hi) = shape.max {
                                s.max = Some(s.max.map_or(hi, |m| m.min(hi)));
                            }
                            if let Some(c) = &shape.chars {
                                s.chars = intersect(&s.chars, c);
                            }
                        }
                        s.format = Some(f.clone());
                    }
                    Keyword::Charset(c) => s.chars = intersect(&s.chars, &charset_chars(*c)),
                    Keyword::Pattern(p) => {
                        if let Some((c, lo, hi)) = pattern_bounds(p) {
                            s.chars = intersect(&s.chars, &c);
                            s.min = s.min.max(lo);
                            if let Some(hi) = hi {
                                s.max = Some(s.max.map_or(hi, |m| m.min(hi)));
                            }
                        } else {
                            // Any pattern: a match is at least this long (`(?m)^[a-z]+$`: 1).
                            s.min = s.min.max(pattern_min_len(p));
                        }
                    }
                    _ => {}
                }
            }
            // Only the empty string: it has no characters.
            if s.max == Some(0) {
                s.chars = ClassUnicode::empty();
            }
            Abs::Str(s)
        }
        Abs::Num(mut n) => {
            for k in &leaf.keywords {
                match k {
                    Keyword::Minimum(x) => n.min = Some(n.min.map_or(*x, |m| m.max(*x))),
                    Keyword::Maximum(x) => n.max = Some(n.max.map_or(*x, |m| m.min(*x))),
                    // Closed bounds for open ones: a sound, slightly wider description.
                    Keyword::ExclusiveMinimum(x) => n.min = Some(n.min.map_or(*x, |m| m.max(*x))),
                    Keyword::ExclusiveMaximum(x) => n.max = Some(n.max.map_or(*x, |m| m.min(*x))),
                    Keyword::MultipleOf(x) => n.multiple = Some(*x),
                    Keyword::Type(t, _) if !t.allows(TypeName::Number) => n.integer = true,
                    _ => {}
                }
            }
            Abs::Num(n)
        }
        // A value that passed a `type` naming only strings (or only numbers) is one.
        Abs::Any => from_leaf(leaf),
    }
}

/// `s` narrowed to the strings among `items` (an `enum` or `const`): their lengths, bytes
/// and characters. No string listed: no string passes (an empty length interval).
fn meet_listed(mut s: Str, items: &[serde_json::Value]) -> Str {
    let listed = items
        .iter()
        .filter_map(serde_json::Value::as_str)
        .map(Str::literal)
        .reduce(|a, b| match join(&Abs::Str(a), &Abs::Str(b)) {
            Abs::Str(j) => j,
            // Two strings join to a string.
            _ => Str::any(),
        });
    let Some(l) = listed else {
        s.min = s.min.max(1);
        s.max = Some(0);
        return s;
    };
    s.min = s.min.max(l.min);
    s.max = Some(l.max.map_or(u64::MAX, |m| s.max.map_or(m, |x| x.min(m))));
    s.bytes = match (s.bytes, l.bytes) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    s.chars = intersect(&s.chars, &l.chars);
    s
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
    fn schemas_refine() {
        let leaf = |v: serde_json::Value| {
            let dir = std::env::temp_dir();
            let schema = crate::schema::SystemSchema::from_value(
                &dir.join("leaf.json"),
                json!({"type": "object", "properties": {"f": v}}),
            )
            .unwrap();
            (*schema.leaf("/f")).clone()
        };
        let a = leaf(json!({"type": "string", "maxLength": 8, "pattern": "^[a-z]+$"}));
        let Abs::Str(s) = from_leaf(&a) else { panic!() };
        assert_eq!((s.min, s.max, s.max_bytes()), (1, Some(8), Some(8)));
        // A limit in one of several branches does not hold for every value.
        let b = leaf(json!({"type": "string", "anyOf": [{"maxLength": 2}, {"maxLength": 9}]}));
        let Abs::Str(s) = from_leaf(&b) else { panic!() };
        assert_eq!(s.max, None);
        assert!(!b.is_exact());
        let c = leaf(json!({"type": ["string", "null"], "maxLength": 3}));
        // The description covers the values other than null; `null` is tracked beside it.
        let Abs::Str(s) = from_leaf(&c) else { panic!() };
        assert_eq!(s.max, Some(3));
        let d = leaf(json!({"maxLength": 3}));
        assert_eq!(from_leaf(&d), Abs::Any, "an untyped field can be anything");
        // A byte limit in cp1252 is one byte per character, and only its characters pass.
        let e = leaf(json!({"type": "string", "x-maxBytes": 6, "x-encoding": "cp1252"}));
        let Abs::Str(s) = from_leaf(&e) else { panic!() };
        assert_eq!((s.max, s.bytes), (Some(6), None));
        assert!(contains(&s.chars, '€') && !contains(&s.chars, '\u{81}'));
        assert!(e.is_exact());
        // In UTF-16 it bounds the characters (at least two bytes each), loosely.
        let f = leaf(json!({"type": "string", "x-maxBytes": 6, "x-encoding": "utf-16"}));
        let Abs::Str(s) = from_leaf(&f) else { panic!() };
        assert_eq!((s.max, s.bytes), (Some(3), None));
        assert!(!f.is_exact(), "2 or 4 bytes a character: not exact");
        // A UTF-8 byte limit bounds the characters too.
        let g = leaf(json!({"type": "string", "x-maxBytes": 4}));
        let Abs::Str(s) = from_leaf(&g) else { panic!() };
        assert_eq!((s.max, s.max_bytes()), (Some(4), Some(4)));
        // A string that passed an `enum` is one of its strings; with none, no string passes.
        let h = leaf(json!({"type": "string", "enum": ["ab", "c", 7]}));
        let Abs::Str(s) = from_leaf(&h) else { panic!() };
        assert_eq!((s.min, s.max), (1, Some(2)));
        assert!(contains(&s.chars, 'a') && !contains(&s.chars, 'd'));
        assert!(!rejects_all(&Abs::Any, &leaf(json!({"enum": [1, 2]}))));
        assert!(rejects_all(
            &Abs::Str(Str::any()),
            &leaf(json!({"type": "string", "enum": [1, 2]}))
        ));
        // An untyped value that passed `type: string` is a string.
        assert!(matches!(
            refine(Abs::Any, &leaf(json!({"type": "string", "maxLength": 2}))),
            Abs::Str(Str { max: Some(2), .. })
        ));
    }
}
