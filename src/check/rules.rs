//! Object-level rules (`anyOf`, `oneOf`, `if`/`then`/`else`, `dependentSchemas` on a
//! system's record) judged from what each field can hold on one path (README, "What
//! `check` can prove"): a rule whose branch surely passes for every record the path can
//! bring is no limit on a field, and a `oneOf` two of whose branches surely pass rejects
//! every record. Anything not understood is "not sure", which decides nothing.

use serde_json::Value;

use crate::domain::Abs;
use crate::schema::{Keyword, Leaf};

/// What one field of the record holds on the path.
#[derive(Debug, Clone)]
pub(crate) enum Arrived {
    /// No mapping writes it: it is absent from every record.
    Absent,
    /// A value described by the description, `null` too when the flag is set (or nothing,
    /// when the mapping gives nothing or fails).
    Value(Abs, bool),
    /// Something ripple does not describe here (a field inside an object).
    Unknown,
}

/// Keys of a field's subschema that say nothing about its value.
const ANNOTATIONS: &[&str] = &[
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "readOnly",
    "writeOnly",
    "deprecated",
    "x-pii",
];

/// Keys of a field's subschema ripple reads as value keywords ([`Keyword::parse_object`]).
const VALUE_KEYWORDS: &[&str] = &[
    "type",
    "minLength",
    "maxLength",
    "x-maxBytes",
    "x-encoding",
    "x-charset",
    "pattern",
    "format",
    "enum",
    "const",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];

/// Whether every value `arrived` covers (absence included) surely passes the field
/// subschema `sub`.
pub(crate) fn value_passes(sub: &Value, arrived: &Arrived) -> bool {
    let (abs, null) = match arrived {
        Arrived::Absent => return true,
        Arrived::Unknown => return matches!(sub, Value::Bool(true)),
        Arrived::Value(abs, null) => (abs, *null),
    };
    let map = match sub {
        Value::Bool(b) => return *b,
        Value::Object(map) => map,
        _ => return false,
    };
    for (k, v) in map {
        let k = k.as_str();
        let ok = match k {
            "anyOf" => v
                .as_array()
                .is_some_and(|items| items.iter().any(|b| value_passes(b, arrived))),
            "allOf" => v
                .as_array()
                .is_some_and(|items| items.iter().all(|b| value_passes(b, arrived))),
            _ => ANNOTATIONS.contains(&k) || VALUE_KEYWORDS.contains(&k),
        };
        if !ok {
            return false;
        }
    }
    let keywords = Keyword::parse_object(map);
    if keywords.iter().any(|k| matches!(k, Keyword::Other(..))) {
        return false;
    }
    let leaf = Leaf {
        keywords,
        declared: true,
        ..Leaf::default()
    };
    super::prove::unproven(abs, null, &leaf).is_empty()
}

/// Whether a record whose top-level fields hold what `field` says surely passes the
/// object subschema `branch` (its `properties`, `allOf`, `anyOf`; a `type` naming objects).
pub(crate) fn branch_passes(branch: &Value, field: &dyn Fn(&str) -> Arrived) -> bool {
    let map = match branch {
        Value::Bool(b) => return *b,
        Value::Object(map) => map,
        _ => return false,
    };
    map.iter().all(|(k, v)| match k.as_str() {
        "properties" => v.as_object().is_some_and(|props| {
            props
                .iter()
                .all(|(name, sub)| value_passes(sub, &field(name)))
        }),
        "allOf" => v
            .as_array()
            .is_some_and(|items| items.iter().all(|b| branch_passes(b, field))),
        "anyOf" => v
            .as_array()
            .is_some_and(|items| items.iter().any(|b| branch_passes(b, field))),
        "type" => crate::schema::TypeSet::parse(v)
            .is_some_and(|t| t.allows(crate::schema::TypeName::Object)),
        k => ANNOTATIONS.contains(&k),
    })
}

/// Whether every object-level rule of the system schema `root` surely passes (so that
/// no limit it puts on a top-level field applies): `anyOf` with a branch that surely
/// passes, `if`/`then`/`else` whose outcome surely passes, `dependentSchemas` whose
/// schemas surely pass or whose trigger is absent, and the same inside `allOf`. A `oneOf`,
/// `not`, `$ref` or whole-object `enum`/`const` is not sure.
pub(crate) fn rules_pass(root: &Value, field: &dyn Fn(&str) -> Arrived) -> bool {
    let Value::Object(map) = root else {
        return matches!(root, Value::Bool(true));
    };
    let passes = |b: &Value| branch_passes(b, field);
    map.iter().all(|(k, v)| match k.as_str() {
        "anyOf" => v.as_array().is_some_and(|items| items.iter().any(&passes)),
        "allOf" => v
            .as_array()
            .is_some_and(|items| items.iter().all(|b| rules_pass(b, field))),
        "if" => {
            // Both outcomes pass, or the condition always holds and its outcome passes.
            let then = map.get("then").is_none_or(&passes);
            let other = map.get("else").is_none_or(&passes);
            then && (other || passes(v))
        }
        "dependentSchemas" => v.as_object().is_some_and(|deps| {
            deps.iter()
                .all(|(name, s)| matches!(field(name), Arrived::Absent) || passes(s))
        }),
        "oneOf" | "not" | "$ref" | "enum" | "const" | "dependencies" => false,
        _ => true,
    })
}

/// Whether the system schema `root` surely rejects every record whose top-level fields
/// hold what `field` says: a `oneOf` (on the root or in its `allOf`) two of whose
/// branches surely pass.
pub(crate) fn rules_fail(root: &Value, field: &dyn Fn(&str) -> Arrived) -> bool {
    if !has_one_of(root) {
        return false;
    }
    let Value::Object(map) = root else {
        return false;
    };
    let one_of = map
        .get("oneOf")
        .and_then(Value::as_array)
        .is_some_and(|items| {
            items
                .iter()
                .filter(|b| branch_passes(b, field))
                .take(2)
                .count()
                >= 2
        });
    one_of
        || map
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|b| rules_fail(b, field)))
}

/// Whether the system schema `root` has a `oneOf` [`rules_fail`] looks at: when not, what
/// the fields hold need not be worked out.
pub(crate) fn has_one_of(root: &Value) -> bool {
    root.get("oneOf").is_some()
        || root
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(has_one_of))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Str;
    use serde_json::json;

    fn short(max: u64) -> Arrived {
        let mut s = Str::any();
        s.max = Some(max);
        Arrived::Value(Abs::Str(s), false)
    }

    #[test]
    fn any_of_with_a_branch_that_passes_holds() {
        let root = json!({"anyOf": [
            {"properties": {"a": {"maxLength": 1}}},
            {"properties": {"b": {"maxLength": 2}}}
        ]});
        let f = |n: &str| if n == "b" { short(2) } else { short(9) };
        assert!(rules_pass(&root, &f));
        let g = |_: &str| short(9);
        assert!(!rules_pass(&root, &g));
        let absent = |n: &str| if n == "a" { Arrived::Absent } else { short(9) };
        assert!(rules_pass(&root, &absent));
    }

    #[test]
    fn one_of_two_sure_branches_fails() {
        let root = json!({"allOf": [{"oneOf": [
            {"properties": {"a": {"maxLength": 1}}},
            {"properties": {"b": {"maxLength": 2}}}
        ]}]});
        let both = |_: &str| Arrived::Absent;
        assert!(rules_fail(&root, &both));
        assert!(!rules_pass(&root, &both));
        let one = |n: &str| if n == "a" { short(5) } else { Arrived::Absent };
        assert!(!rules_fail(&root, &one));
    }

    fn valid(schema: &Value, v: &Value) -> bool {
        jsonschema::options()
            .with_pattern_options(jsonschema::PatternOptions::regex())
            .build(schema)
            .map(|s| s.is_valid(v))
            .unwrap_or(false)
    }

    fn sub_schema() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let limit = 0u64..6;
        prop_oneof![
            limit.clone().prop_map(|k| json!({"maxLength": k})),
            limit
                .clone()
                .prop_map(|k| json!({"type": "string", "maxLength": k})),
            (limit.clone(), limit).prop_map(
                |(a, b)| json!({"anyOf": [{"maxLength": a}, {"minLength": b, "maxLength": 9}]})
            ),
            Just(json!({"pattern": "^[a-z]*$"})),
        ]
    }

    proptest::proptest! {
        /// What `value_passes`, `rules_pass` and `rules_fail` say holds under the real
        /// validator for values inside the description (`null` too when it says so).
        #[test]
        fn judgements_hold_under_the_validator(
            max in 0u64..6,
            null in proptest::bool::ANY,
            texts in proptest::collection::vec("[aä😀 B]{0,6}", 1..6),
            present in proptest::bool::ANY,
            a in sub_schema(),
            b in sub_schema(),
        ) {
            let mut s = Str::any();
            s.max = Some(max);
            let arrived = Arrived::Value(Abs::Str(s), null);
            let mut values: Vec<Value> = texts
                .into_iter()
                .filter(|t| t.chars().count() as u64 <= max)
                .map(Value::from)
                .collect();
            if null {
                values.push(Value::Null);
            }
            let sure = value_passes(&a, &arrived);
            let root = json!({"allOf": [
                {"anyOf": [{"properties": {"x": a}}, {"properties": {"y": b}}]},
                {"oneOf": [{"properties": {"x": a}}, {"properties": {"y": b}}]}
            ]});
            let y = if present { Arrived::Absent } else { Arrived::Unknown };
            let field = |n: &str| if n == "x" { arrived.clone() } else { y.clone() };
            let any_of = json!({"anyOf": root["allOf"][0]["anyOf"].clone()});
            let pass = rules_pass(&any_of, &field);
            let fail = rules_fail(&root, &field);
            for v in &values {
                if sure {
                    proptest::prop_assert!(valid(&a, v), "{a} {v}");
                }
                let doc = json!({"x": v});
                if pass {
                    proptest::prop_assert!(valid(&any_of, &doc), "{any_of} {doc}");
                }
                if fail {
                    proptest::prop_assert!(!valid(&root, &doc), "{root} {doc}");
                }
            }
        }
    }

    #[test]
    fn unknown_keywords_are_not_sure() {
        let sub = json!({"maxLength": 3, "x-custom": 1});
        assert!(!value_passes(&sub, &short(1)));
        assert!(!value_passes(&json!({"not": {}}), &short(1)));
        assert!(!value_passes(&json!({"maxLength": 3}), &Arrived::Unknown));
        let null = Arrived::Value(Abs::Str(Str::literal("")), true);
        assert!(!value_passes(&json!({"type": "string"}), &null));
        assert!(value_passes(&json!({"maxLength": 0}), &null));
    }
}
