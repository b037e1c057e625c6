//! One test per regression fixture in `tests/fixtures/agreement/`: the property must hold
//! (agreement with `validate`). A fixture that fails today is `#[ignore]`d with the bug.

use crate::replay::replay;

fn holds(name: &str) {
    if let Err(e) = replay(name) {
        panic!("{e}");
    }
}

/// Rewrites every fixture's `case.json` `truth` with what `validate` says about its
/// records now: `cargo test --test agreement refresh_fixture_truth -- --ignored`.
#[test]
#[ignore = "maintenance: rewrites the fixtures' recorded truth"]
fn refresh_fixture_truth() {
    for entry in std::fs::read_dir(crate::replay::fixtures()).unwrap() {
        let dir = entry.unwrap().path();
        let path = dir.join("case.json");
        let mut case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let loaded = crate::props::Loaded::load(&dir.join("pipeline.yaml")).unwrap();
        let truth: Vec<serde_json::Value> = case["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| crate::props::truth(&loaded, r))
            .collect();
        case["truth"] = serde_json::Value::Array(truth);
        std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap() + "\n").unwrap();
    }
}

#[test]
#[ignore = "known bug: check's witness verification ignores a mapping failure at an earlier system on the path"]
fn witness_past_mapping_failure() {
    holds("witness-past-mapping-failure");
}

#[test]
#[ignore = "known bug: check proves a field read from a whole-object copy (m: addr; t: m.street) whatever its limit"]
fn proof_through_object_copy() {
    holds("proof-through-object-copy");
}

#[test]
#[ignore = "known bug: two disjoint character-class patterns emit the invalid regex ^[]*$"]
fn emitted_empty_char_class() {
    holds("emitted-empty-char-class");
}

#[test]
#[ignore = "known bug: trace finds no root cause for number(a) of a free string, which fails on \"\""]
fn trace_ignores_number_parse() {
    holds("trace-ignores-number-parse");
}

#[test]
#[ignore = "known bug: check leaves a whole-object copy into the same shape undecided (type object not proven)"]
fn object_copy_undecided() {
    holds("object-copy-undecided");
}

#[test]
#[ignore = "known bug: check leaves exclusiveMinimum on a string-typed target undecided"]
fn numeric_keyword_on_string_undecided() {
    holds("numeric-keyword-on-string-undecided");
}

#[test]
#[ignore = "known bug: check proves lower(c) into a string field though c may be null (null is never tried)"]
fn proof_null_through_lower() {
    holds("proof-null-through-lower");
}

#[test]
#[ignore = "known bug: trace finds no root cause for lower(a) into an integer field"]
fn trace_ignores_target_type() {
    holds("trace-ignores-target-type");
}

#[test]
#[ignore = "known bug: the emitted schema drops a nested limit reached through a whole-object copy"]
fn emitted_ignores_object_copy() {
    holds("emitted-ignores-object-copy");
}

#[test]
#[ignore = "known bug: field-level anyOf met as one gives the emitted digit-count pattern {1,0}"]
fn emitted_inverted_digit_count() {
    holds("emitted-inverted-digit-count");
}
