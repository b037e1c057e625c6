//! Values no system could accept: a field whose every possible value a system rejects is
//! absent from every record that system accepts. `check` uses this to see that a field
//! never arrives past a system whose schema contradicts what flows into it (a string into
//! `type: number`, `enum: [1, 2]` on a string, `minLength` above `maxLength`), instead of
//! searching for a witness that cannot exist.
//!
//! Only the unconditional keywords count (they hold for every accepted value), and each
//! test errs towards "some value may pass": a field is called empty only when it surely is.

#[allow(clippy::wildcard_imports)]
use super::*;
use serde_json::Value;

/// Whether `leaf`'s unconditional keywords reject every value other than `null` that
/// `abs` describes (whether `null` passes is [`rejects_null`]'s to say).
#[must_use]
pub fn rejects_all(abs: &Abs, leaf: &Leaf) -> bool {
    if leaf.keywords.iter().any(|k| matches!(k, Keyword::Never)) {
        return true;
    }
    let types = leaf.types();
    let finite = finite_items(leaf);
    let string = matches!(abs, Abs::Str(_) | Abs::Any) && types.allows(TypeName::String) && {
        let s = match abs {
            Abs::Str(s) => s.clone(),
            _ => Str::any(),
        };
        match refine(Abs::Str(s), leaf) {
            Abs::Str(s) if str_possible(&s) => finite.as_ref().is_none_or(|items| {
                items.iter().any(|v| {
                    v.as_str()
                        .is_some_and(|t| str_covers(&s, t) && matches_text_keywords(leaf, v))
                })
            }),
            _ => false,
        }
    };
    let number = matches!(abs, Abs::Num(_) | Abs::Any) && types.allows(TypeName::Integer) && {
        let n = match abs {
            Abs::Num(n) => *n,
            _ => Num::any(false),
        };
        match refine(Abs::Num(n), leaf) {
            Abs::Num(n) if num_possible(&n, leaf) => finite.as_ref().is_none_or(|items| {
                items
                    .iter()
                    .any(|v| v.as_f64().is_some_and(|x| num_covers(&n, x, types)))
            }),
            _ => false,
        }
    };
    let other = matches!(abs, Abs::Any)
        && [TypeName::Boolean, TypeName::Array, TypeName::Object]
            .into_iter()
            .filter(|&t| types.allows(t))
            .any(|t| {
                finite
                    .as_ref()
                    .is_none_or(|items| items.iter().any(|v| type_of(v) == Some(t)))
            });
    !(string || number || other) || branches_reject_all(abs, leaf)
}

/// Whether a field-level `anyOf`/`oneOf` (one branch at least must hold) has no branch that
/// lets a value `abs` describes through, each branch read together with the field's own
/// keywords (`type: string` with `anyOf [{"type": "null"}, {"type": "integer"}]`). A
/// branch's own applicators are left out: they only narrow it further.
fn branches_reject_all(abs: &Abs, leaf: &Leaf) -> bool {
    leaf.applicators.iter().any(|(k, v)| {
        matches!(k.as_str(), "anyOf" | "oneOf")
            && v.as_array().is_some_and(|branches| {
                branches.iter().all(|b| match b {
                    Value::Bool(false) => true,
                    Value::Object(map) => {
                        let mut keywords = leaf.keywords.clone();
                        keywords.extend(Keyword::parse_object(map));
                        let both = Leaf {
                            keywords,
                            ..Leaf::default()
                        };
                        rejects_all(abs, &both)
                    }
                    _ => false,
                })
            })
    })
}

/// Whether `leaf`'s unconditional keywords surely reject `null`: its `type` leaves it out,
/// an `enum`/`const` does not name it, or the schema is `false`.
#[must_use]
pub fn rejects_null(leaf: &Leaf) -> bool {
    leaf.keywords.iter().any(|k| match k {
        Keyword::Type(t, _) => !t.allows(TypeName::Null),
        Keyword::Enum(items) => !items.contains(&Value::Null),
        Keyword::Const(v) => !v.is_null(),
        Keyword::Never => true,
        _ => false,
    })
}

/// The values every `enum`/`const` of the leaf names (each must hold), if any names some.
fn finite_items(leaf: &Leaf) -> Option<Vec<Value>> {
    let mut out: Option<Vec<Value>> = None;
    for k in &leaf.keywords {
        let items: &[Value] = match k {
            Keyword::Enum(items) => items,
            Keyword::Const(v) => std::slice::from_ref(v),
            _ => continue,
        };
        out = Some(match out {
            None => items.to_vec(),
            Some(prev) => prev.into_iter().filter(|v| items.contains(v)).collect(),
        });
    }
    out
}

/// Whether the string `v` passes the leaf's `pattern`s and `format`s, as the validator
/// checks them (`format` asserted, the `regex` engine); true when one cannot be compiled.
fn matches_text_keywords(leaf: &Leaf, v: &Value) -> bool {
    leaf.keywords.iter().all(|k| match k {
        Keyword::Pattern(p) => passes(&serde_json::json!({ "pattern": p }), v),
        Keyword::Format(f) => passes(&serde_json::json!({ "format": f }), v),
        _ => true,
    })
}

/// Validators of one keyword, compiled once per keyword text.
type KeywordValidators = std::sync::Mutex<
    std::collections::HashMap<String, Option<std::sync::Arc<jsonschema::Validator>>>,
>;
static VALIDATORS: std::sync::OnceLock<KeywordValidators> = std::sync::OnceLock::new();

/// Whether `v` passes the one-keyword `schema`; true when it cannot be compiled.
fn passes(schema: &Value, v: &Value) -> bool {
    let key = schema.to_string();
    let cache = VALIDATORS.get_or_init(Default::default);
    let cached = cache.lock().ok().and_then(|m| m.get(&key).cloned());
    let validator = cached.unwrap_or_else(|| {
        let built = crate::schema::validator_options()
            .build(schema)
            .ok()
            .map(std::sync::Arc::new);
        if let Ok(mut m) = cache.lock() {
            m.insert(key, built.clone());
        }
        built
    });
    validator.is_none_or(|val| val.is_valid(v))
}

/// The JSON type of a non-string, non-number value.
fn type_of(v: &Value) -> Option<TypeName> {
    match v {
        Value::Bool(_) => Some(TypeName::Boolean),
        Value::Array(_) => Some(TypeName::Array),
        Value::Object(_) => Some(TypeName::Object),
        _ => None,
    }
}

/// Whether some string may fit the description: its length interval is not empty, its
/// byte bound leaves room for its fewest characters (each takes at least one byte), and it
/// has characters to be made of when it needs any.
fn str_possible(s: &Str) -> bool {
    s.max.is_none_or(|m| m >= s.min)
        && s.max_bytes().is_none_or(|b| b >= s.min)
        && (s.min == 0 || !s.chars.ranges().is_empty())
        // A format whose strings all contain a character (`@` in an e-mail address).
        && s
            .format
            .as_deref()
            .and_then(super::format::shape)
            .and_then(|shape| shape.needs)
            .is_none_or(|c| super::contains(&s.chars, c))
}

/// Whether the description covers `t`.
fn str_covers(s: &Str, t: &str) -> bool {
    let n = t.chars().count() as u64;
    n >= s.min
        && s.max.is_none_or(|m| n <= m)
        && s.max_bytes().is_none_or(|b| t.len() as u64 <= b)
        && t.chars().all(|c| contains(&s.chars, c))
}

/// Whether some number may fit the description and the leaf's exclusive bounds.
fn num_possible(n: &Num, leaf: &Leaf) -> bool {
    let (lo, hi) = (
        n.min.unwrap_or(f64::NEG_INFINITY),
        n.max.unwrap_or(f64::INFINITY),
    );
    if lo > hi || (n.integer && lo.ceil() > hi.floor()) {
        return false;
    }
    leaf.keywords.iter().all(|k| match k {
        Keyword::ExclusiveMinimum(x) => hi > *x,
        Keyword::ExclusiveMaximum(x) => lo < *x,
        _ => true,
    })
}

/// Whether the description (and the leaf's types) covers the number `x`.
fn num_covers(n: &Num, x: f64, types: crate::schema::TypeSet) -> bool {
    let integral = x.fract() == 0.0;
    (integral || (!n.integer && types.allows(TypeName::Number)))
        && n.min.is_none_or(|m| x >= m)
        && n.max.is_none_or(|m| x <= m)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn leaf(v: Value) -> Leaf {
        let dir = std::env::temp_dir();
        let schema = crate::schema::SystemSchema::from_value(
            &dir.join("empty.json"),
            json!({"type": "object", "properties": {"f": v}}),
        )
        .unwrap();
        (*schema.leaf("/f")).clone()
    }

    #[test]
    fn field_level_branches_that_all_contradict_reject_everything() {
        let s = Abs::Str(Str::any());
        let any = Abs::Any;
        let null_only = json!({"type": "string", "anyOf": [{"type": "null"}, {"type": "null"}]});
        assert!(rejects_all(&s, &leaf(null_only.clone())));
        assert!(rejects_all(&any, &leaf(null_only)));
        let letters_or_digits = json!({
            "type": "string",
            "pattern": "^[a-z]+$",
            "oneOf": [{"pattern": "^[0-9]+$"}, {"type": "integer"}]
        });
        assert!(rejects_all(&s, &leaf(letters_or_digits)));
        // One branch that can hold is enough.
        let one_fits = json!({"type": "string", "anyOf": [{"type": "null"}, {"maxLength": 3}]});
        assert!(!rejects_all(&s, &leaf(one_fits)));
    }

    #[test]
    fn contradictions_reject_everything() {
        let s = Abs::Str(Str::any());
        assert!(rejects_all(&s, &leaf(json!({"type": "number"}))));
        assert!(rejects_all(&s, &leaf(json!({"enum": [1, 2, 3]}))));
        assert!(rejects_all(
            &s,
            &leaf(json!({"minLength": 3, "maxLength": 2}))
        ));
        assert!(rejects_all(
            &s,
            &leaf(json!({"minLength": 1, "x-maxBytes": 0}))
        ));
        assert!(rejects_all(
            &s,
            &leaf(json!({"pattern": "^\\S+$", "maxLength": 0}))
        ));
        assert!(rejects_all(&Abs::Any, &leaf(json!({"type": "null"}))));
        assert!(rejects_all(&Abs::Any, &leaf(json!(false))));
        let n = Abs::Num(Num::any(false));
        assert!(rejects_all(&n, &leaf(json!({"type": "string"}))));
        assert!(rejects_all(&n, &leaf(json!({"minimum": 5, "maximum": 4}))));
        assert!(rejects_all(
            &n,
            &leaf(json!({"minimum": 157, "exclusiveMaximum": 110}))
        ));
        assert!(rejects_all(
            &n,
            &leaf(json!({"type": "integer", "minimum": 0.2, "maximum": 0.8}))
        ));
        assert!(rejects_all(&n, &leaf(json!({"enum": ["", "x"]}))));
        assert!(rejects_all(
            &s,
            &leaf(json!({"format": "date", "enum": ["a", "b", "AB"]}))
        ));
        assert!(rejects_all(
            &s,
            &leaf(json!({"pattern": "^[a-z]+@", "enum": ["a", "b"]}))
        ));
    }

    #[test]
    fn satisfiable_limits_do_not() {
        let s = Abs::Str(Str::any());
        assert!(!rejects_all(&s, &leaf(json!({"maxLength": 0}))));
        assert!(!rejects_all(&s, &leaf(json!({"enum": ["a", 1]}))));
        assert!(!rejects_all(
            &s,
            &leaf(json!({"format": "date", "enum": ["a", "2024-02-29"]}))
        ));
        assert!(!rejects_all(&s, &leaf(json!({"minimum": 5, "maximum": 4}))));
        assert!(!rejects_all(
            &s,
            &leaf(json!({"anyOf": [{"type": "number"}, {"maxLength": 1}]}))
        ));
        assert!(!rejects_all(&Abs::Any, &leaf(json!({"type": "boolean"}))));
        assert!(!rejects_all(
            &Abs::Any,
            &leaf(json!({"type": "string", "enum": [true, "x"]}))
        ));
        let n = Abs::Num(Num::any(true));
        assert!(!rejects_all(
            &n,
            &leaf(json!({"type": "integer", "enum": [1.0]}))
        ));
        assert!(!rejects_all(
            &n,
            &leaf(json!({"exclusiveMinimum": 1, "maximum": 2}))
        ));
        assert!(rejects_null(&leaf(json!({"enum": [1, 2]}))));
        assert!(!rejects_null(&leaf(json!({"maxLength": 2}))));
    }
}
