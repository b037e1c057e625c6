//! Proving that a target accepts every value a description covers, keyword by keyword.
//!
//! A keyword is proven only when the description implies it. Whatever ripple does not
//! model (an unknown keyword, a limit under `anyOf`/`if`/`not`, the parts of an object
//! value) is never proven: it stays for the witness search, and ends undecided at worst.

use serde_json::Value;

use crate::domain::{self, Abs};
use crate::schema::{Keyword, Leaf, TypeName};

/// The target's limits that a value described by `abs` (or `null`, when `null` is set)
/// does not provably satisfy, as (keyword, limit).
pub(super) fn unproven(abs: &Abs, null: bool, leaf: &Leaf) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = leaf
        .keywords
        .iter()
        .filter(|k| !proves(abs, k) || (null && !admits_null(k)))
        .map(|k| (k.name().to_owned(), k.value()))
        .collect();
    for c in &leaf.conditional {
        out.push((c.applicator.to_owned(), Value::from(c.keywords.join(", "))));
    }
    out
}

/// Whether `null` passes the keyword (string and number keywords do not apply to it).
fn admits_null(keyword: &Keyword) -> bool {
    match keyword {
        Keyword::Type(t, _) => t.allows(TypeName::Null),
        Keyword::Enum(items) => items.contains(&Value::Null),
        Keyword::Const(v) => v.is_null(),
        Keyword::Never | Keyword::Other(..) => false,
        _ => true,
    }
}

fn proves(abs: &Abs, keyword: &Keyword) -> bool {
    let Abs::Str(s) = abs else {
        return match abs {
            Abs::Num(x) => proves_num(x, keyword),
            _ => false,
        };
    };
    match keyword {
        Keyword::Type(t, _) => t.allows(TypeName::String),
        Keyword::MaxLength(n) => s.max.is_some_and(|m| m <= *n),
        Keyword::MinLength(n) => s.min >= *n,
        Keyword::MaxBytes(n) => s.max_bytes().is_some_and(|m| m <= *n),
        Keyword::EncodedBytes(e, n) => domain::max_encoded_bytes(s, *e).is_some_and(|m| m <= *n),
        Keyword::Encodable(e) => domain::subset(&s.chars, &domain::encodable_chars(*e)),
        Keyword::Charset(c) => domain::subset(&s.chars, &domain::charset_chars(*c)),
        Keyword::Pattern(p) => domain::simple_pattern(p).is_some_and(|(c, lo, hi)| {
            domain::subset(&s.chars, &c)
                && s.min >= lo
                && hi.is_none_or(|h| s.max.is_some_and(|m| m <= h))
        }),
        Keyword::Format(f) => s.format.as_deref() == Some(f.as_str()),
        // Number keywords do not apply to strings; nor do object and array keywords.
        Keyword::Minimum(_)
        | Keyword::Maximum(_)
        | Keyword::ExclusiveMinimum(_)
        | Keyword::ExclusiveMaximum(_)
        | Keyword::MultipleOf(_)
        | Keyword::Structure(..) => true,
        Keyword::Enum(_) | Keyword::Const(_) | Keyword::Never | Keyword::Other(..) => false,
    }
}

fn proves_num(x: &domain::Num, keyword: &Keyword) -> bool {
    match keyword {
        Keyword::Type(t, _) => {
            t.allows(TypeName::Number) || (x.integer && t.allows(TypeName::Integer))
        }
        Keyword::Minimum(n) => x.min.is_some_and(|m| m >= *n),
        Keyword::Maximum(n) => x.max.is_some_and(|m| m <= *n),
        Keyword::ExclusiveMinimum(n) => x.min.is_some_and(|m| m > *n),
        Keyword::ExclusiveMaximum(n) => x.max.is_some_and(|m| m < *n),
        Keyword::MultipleOf(n) => {
            (x.integer && (n - 1.0).abs() < f64::EPSILON)
                || x.multiple.is_some_and(|k| (k / n).fract() == 0.0)
        }
        // String keywords do not apply to numbers; nor do object and array keywords.
        Keyword::MinLength(_)
        | Keyword::MaxLength(_)
        | Keyword::MaxBytes(_)
        | Keyword::EncodedBytes(..)
        | Keyword::Encodable(_)
        | Keyword::Charset(_)
        | Keyword::Pattern(_)
        | Keyword::Format(_)
        | Keyword::Structure(..) => true,
        Keyword::Enum(_) | Keyword::Const(_) | Keyword::Never | Keyword::Other(..) => false,
    }
}
