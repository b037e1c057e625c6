//! Proving that a target accepts every value a description covers, keyword by keyword.

use serde_json::Value;

use super::domain::{self, Abs};

/// Keywords that do not constrain a leaf value.
pub(crate) const STRUCTURAL: &[&str] = &[
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "definitions",
    "$comment",
    "$anchor",
    "title",
    "description",
    "examples",
    "default",
    "allOf",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "items",
    "prefixItems",
    "x-pii",
    "readOnly",
    "writeOnly",
    "deprecated",
    "minProperties",
    "maxProperties",
    "dependentRequired",
    "propertyNames",
];

/// The target's value constraints that `abs` does not provably satisfy.
pub(super) fn unproven(abs: &Abs, subs: &[&serde_json::Value]) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for sub in subs {
        let Some(map) = sub.as_object() else { continue };
        for (k, v) in map {
            if STRUCTURAL.contains(&k.as_str())
                || (k.starts_with("x-") && !matches!(k.as_str(), "x-maxBytes" | "x-charset"))
            {
                continue;
            }
            if !proves(abs, k, v) {
                out.push((k.clone(), v.clone()));
            }
        }
    }
    out
}

fn proves(abs: &Abs, keyword: &str, limit: &Value) -> bool {
    match (abs, keyword) {
        (Abs::Str(_), "type") => type_allows(limit, "string"),
        (Abs::Num(n), "type") => {
            type_allows(limit, "number") || (n.integer && type_allows(limit, "integer"))
        }
        (Abs::Str(s), "maxLength") => limit
            .as_u64()
            .is_some_and(|n| s.max.is_some_and(|m| m <= n)),
        (Abs::Str(s), "minLength") => limit.as_u64().is_some_and(|n| s.min >= n),
        (Abs::Str(s), "x-maxBytes") => limit
            .as_u64()
            .is_some_and(|n| s.max_bytes().is_some_and(|m| m <= n)),
        (Abs::Str(s), "x-charset") => limit
            .as_str()
            .and_then(domain::charset)
            .is_some_and(|c| domain::subset(&s.chars, &c)),
        (Abs::Str(s), "pattern") => {
            limit
                .as_str()
                .and_then(domain::simple_pattern)
                .is_some_and(|(c, lo, hi)| {
                    domain::subset(&s.chars, &c)
                        && s.min >= lo
                        && hi.is_none_or(|h| s.max.is_some_and(|m| m <= h))
                })
        }
        (Abs::Str(s), "format") => limit
            .as_str()
            .is_some_and(|f| s.format.as_deref() == Some(f)),
        (Abs::Num(x), "minimum") => limit
            .as_f64()
            .is_some_and(|n| x.min.is_some_and(|m| m >= n)),
        (Abs::Num(x), "maximum") => limit
            .as_f64()
            .is_some_and(|n| x.max.is_some_and(|m| m <= n)),
        (Abs::Num(x), "exclusiveMinimum") => {
            limit.as_f64().is_some_and(|n| x.min.is_some_and(|m| m > n))
        }
        (Abs::Num(x), "exclusiveMaximum") => {
            limit.as_f64().is_some_and(|n| x.max.is_some_and(|m| m < n))
        }
        (Abs::Num(x), "multipleOf") => limit.as_f64().is_some_and(|n| {
            n > 0.0
                && ((x.integer && (n - 1.0).abs() < f64::EPSILON)
                    || x.multiple.is_some_and(|k| (k / n).fract() == 0.0))
        }),
        _ => false,
    }
}

fn type_allows(limit: &Value, name: &str) -> bool {
    match limit {
        Value::String(t) => t == name || (name == "integer" && t == "number"),
        Value::Array(ts) => ts.iter().any(|t| t.as_str() == Some(name)),
        _ => false,
    }
}
