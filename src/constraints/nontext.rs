//! Numbers and booleans that reach text limits: an entry field typed `integer` turned into
//! text downstream (`string(points)`, `concat("#", id)`) meets `maxLength` there, but
//! JSON Schema's text keywords do not apply to numbers at the entry. The emitted schema
//! states such limits for numbers and booleans separately: as numeric bounds where the
//! limit is a length (the canonical text of an integer of at most n digits), and by
//! excluding the type where ripple cannot translate it (README, `constraints`).

use serde_json::{Value, json};

use crate::domain;
use crate::domain::Constraint;
use crate::schema::{TypeName, TypeSet};

/// Extra schema branches (for an `allOf`) that keep numbers and booleans allowed by
/// `types` within `c`'s text limits; empty when `c` has none.
pub(super) fn branches(c: &Constraint, types: TypeSet) -> Vec<Value> {
    if !has_text_limits(c) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if types.allows(TypeName::Integer) {
        out.push(numbers(c));
    }
    if types.allows(TypeName::Boolean) && !["true", "false"].iter().all(|t| c.text_passes(t)) {
        out.push(json!({ "not": { "type": "boolean" } }));
    }
    out
}

/// Keywords kept verbatim that may judge a number's text differently from the number: all
/// but `type`, the numeric keywords (the same value at the entry) and `not null`.
fn number_verbatim(c: &Constraint) -> bool {
    c.verbatim.iter().any(|(k, v)| {
        let numeric = matches!(
            k.as_str(),
            "type" | "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf"
        );
        let not_null = k == "not" && *v == json!({"type": "null"});
        !numeric && !not_null && !c.captured.contains(&(k.clone(), v.clone()))
    })
}

fn has_text_limits(c: &Constraint) -> bool {
    c.max_len.is_some()
        || c.max_bytes.is_some()
        || c.min_len > 0
        || c.chars.is_some()
        || !c.forbid.is_empty()
        || c.digits.is_some()
        || number_verbatim(c)
}

/// Integers whose canonical text (no sign for non-negatives, no fraction, no exponent)
/// meets the length limit; numbers excluded when the limit is not one of length.
fn numbers(c: &Constraint) -> Value {
    let digits_ok = c
        .chars
        .as_ref()
        .is_none_or(|set| ('0'..='9').all(|ch| domain::contains(set, ch)));
    let translatable = c.never.is_none()
        && c.min_len <= 1
        && c.forbid.is_empty()
        && c.digits.is_none()
        && !number_verbatim(c)
        && digits_ok;
    if !translatable {
        return json!({ "not": { "type": "number" } });
    }
    // Number text is ASCII: bytes and characters agree. At most 15 digits, so the bound
    // is exact in a double.
    let n = c
        .max_len
        .into_iter()
        .chain(c.max_bytes)
        .min()
        .unwrap_or(15)
        .min(15);
    if n == 0 {
        return json!({ "not": { "type": "number" } });
    }
    let minus = c
        .chars
        .as_ref()
        .is_none_or(|set| domain::contains(set, '-'));
    let max = 10_i64.pow(u32::try_from(n).unwrap_or(15)) - 1;
    let min = if minus && n >= 2 {
        -(10_i64.pow(u32::try_from(n - 1).unwrap_or(14)) - 1)
    } else {
        0
    };
    json!({ "multipleOf": 1, "minimum": min, "maximum": max })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(v: Value) -> TypeSet {
        TypeSet::parse(&v).unwrap()
    }

    #[test]
    fn a_length_limit_becomes_integer_bounds() {
        let c = Constraint {
            max_len: Some(6),
            ..Constraint::default()
        };
        assert_eq!(
            branches(&c, types(json!("integer"))),
            vec![json!({"multipleOf": 1, "minimum": -99999, "maximum": 999_999})]
        );
        assert!(branches(&c, types(json!("string"))).is_empty());
        assert!(branches(&Constraint::default(), types(json!("integer"))).is_empty());
    }

    #[test]
    fn untranslatable_limits_exclude_the_type() {
        let c = Constraint {
            min_len: 3,
            max_len: Some(4),
            ..Constraint::default()
        };
        assert_eq!(
            branches(&c, types(json!(["integer", "boolean"]))),
            vec![
                json!({"not": {"type": "number"}}),
                json!({"not": {"type": "boolean"}})
            ]
        );
    }
}
