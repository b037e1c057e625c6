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
// Found by the harness; fixed on main.
fn witness_past_mapping_failure() {
    holds("witness-past-mapping-failure");
}

#[test]
// Found by the harness; fixed on main.
fn proof_through_object_copy() {
    holds("proof-through-object-copy");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_empty_char_class() {
    holds("emitted-empty-char-class");
}

#[test]
// Found by the harness; fixed on main.
fn trace_ignores_number_parse() {
    holds("trace-ignores-number-parse");
}

#[test]
// Found by the harness; fixed on main.
fn object_copy_undecided() {
    holds("object-copy-undecided");
}

#[test]
// Found by the harness; fixed on main.
fn numeric_keyword_on_string_undecided() {
    holds("numeric-keyword-on-string-undecided");
}

#[test]
// Found by the harness; fixed on main.
fn proof_null_through_lower() {
    holds("proof-null-through-lower");
}

#[test]
// Found by the harness; fixed on main.
fn trace_ignores_target_type() {
    holds("trace-ignores-target-type");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_ignores_object_copy() {
    holds("emitted-ignores-object-copy");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_inverted_digit_count() {
    holds("emitted-inverted-digit-count");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_type_through_string() {
    holds("emitted-type-through-string");
}

#[test]
// Found by the harness; fixed on main.
fn field_any_of_undecided() {
    holds("field-any-of-undecided");
}

#[test]
// Found by the harness; fixed on main.
fn proof_ignores_dependent_schemas() {
    holds("proof-ignores-dependent-schemas");
}

#[test]
// Found by the harness; fixed on main.
fn trace_drops_enum_through_function() {
    holds("trace-drops-enum-through-function");
}

#[test]
// Found by the harness; fixed (pull-back through concat and number, sums).
fn emitted_drops_keyword_through_concat() {
    holds("emitted-drops-keyword-through-concat");
}

#[test]
// Found by the harness; fixed on main.
fn proof_one_of_flattened() {
    holds("proof-one-of-flattened");
}

#[test]
// Found by the harness; fixed on main.
fn default_fallback_undecided() {
    holds("default-fallback-undecided");
}

#[test]
// Found by the harness; fixed (pull-back through concat and number, sums).
fn emitted_number_parse_no_note() {
    holds("emitted-number-parse-no-note");
}

#[test]
// Found by the harness; fixed on main.
fn trace_min_length_through_trim() {
    holds("trace-min-length-through-trim");
}

#[test]
// Found by the harness; fixed (pull-back through concat and number, sums).
fn emitted_concat_same_field_sum() {
    holds("emitted-concat-same-field-sum");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_unsatisfiable_digit_count() {
    holds("emitted-unsatisfiable-digit-count");
}

#[test]
// Found by the harness; fixed (pull-back through concat and number, sums).
fn emitted_length_limit_on_integer() {
    holds("emitted-length-limit-on-integer");
}

#[test]
// Found by the harness; fixed on main.
fn trace_null_through_function() {
    holds("trace-null-through-function");
}

#[test]
// Found by the harness; fixed on main.
fn trace_digits_twice() {
    holds("trace-digits-twice");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_ignores_dependent_schemas() {
    holds("emitted-ignores-dependent-schemas");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_null_through_lower() {
    holds("emitted-null-through-lower");
}

#[test]
// Found by the harness; fixed on main.
fn trace_concat_same_origin_twice() {
    holds("trace-concat-same-origin-twice");
}

#[test]
// Found by the harness; fixed (pull-back through concat and number, sums).
fn emitted_replace_over_concat() {
    holds("emitted-replace-over-concat");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_pad_left_max_bytes() {
    holds("emitted-pad-left-max-bytes");
}

#[test]
// Found by the harness; fixed (pull-back through concat and number, sums).
fn emitted_sum_ignores_literal() {
    holds("emitted-sum-ignores-literal");
}

#[test]
// Found by the harness; fixed (pull-back through concat and number, sums).
fn emitted_nested_concat_unlimited() {
    holds("emitted-nested-concat-unlimited");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_one_of_flattened() {
    holds("emitted-one-of-flattened");
}

#[test]
// Found by the harness; fixed on main.
fn witness_object_any_of_pointer() {
    holds("witness-object-any-of-pointer");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_type_through_default() {
    holds("emitted-type-through-default");
}

#[test]
// Found by the harness; fixed on main.
fn proof_number_leading_zeros() {
    holds("proof-number-leading-zeros");
}

#[test]
// Found by the harness; fixed on main.
fn proof_finite_one_of() {
    holds("proof-finite-one-of");
}

#[test]
// Found by the harness; fixed on main.
fn proof_object_copy_nested_limit() {
    holds("proof-object-copy-nested-limit");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_unsatisfiable_digit_count_two_hops() {
    holds("emitted-unsatisfiable-digit-count-two-hops");
}

#[test]
// Found by the harness; fixed on main.
fn emitted_duplicate_null_type() {
    holds("emitted-duplicate-null-type");
}

#[test]
// Found by the harness (seed 1, all features); fixed.
fn emitted_string_into_integer() {
    holds("emitted-string-into-integer");
}

#[test]
// Found by the harness (seed 1, all features); fixed.
fn emitted_part_type_null() {
    holds("emitted-part-type-null");
}

#[test]
// Found by the harness (seed 2, all features); fixed.
fn emitted_concat_type_null() {
    holds("emitted-concat-type-null");
}

#[test]
// Found by the harness (seeds 3 and 4, all features); fixed.
fn emitted_digits_type_null() {
    holds("emitted-digits-type-null");
}

#[test]
// Found by the harness (seed 13, all features, 10000 cases); fixed.
fn emitted_integer_text_limit_unchanged() {
    holds("emitted-integer-text-limit-unchanged");
}

#[test]
// Found by the harness (seed 14, all features, 10000 cases).
fn emitted_default_number_fallback() {
    holds("emitted-default-number-fallback");
}

#[test]
// Found by the harness (seed 12): `concat(x, y)` with `x` null and `y` missing is `null`,
// not missing, once `check` knew `y` could never be filled.
fn proof_concat_null_before_missing() {
    holds("proof-concat-null-before-missing");
}

#[test]
// Found by reading the witness search: an exhaustive search over the origins alone
// proved a field that only reaches its target with another entry field present.
fn proof_exhaustive_needs_companion() {
    holds("proof-exhaustive-needs-companion");
}

#[test]
fn emitted_rule_over_field_only_a_flow_back_fills() {
    holds("emitted-rule-over-field-only-a-flow-back-fills");
}

#[test]
// Found by the long run (seed 56); fixed on main.
fn proof_failure_before_missing_argument() {
    holds("proof-failure-before-missing-argument");
}

#[test]
fn emitted_default_null_into_field_any_of() {
    holds("emitted-default-null-into-field-any-of");
}

#[test]
fn emitted_mapping_failure_of_one_concat_input() {
    holds("emitted-mapping-failure-of-one-concat-input");
}

#[test]
fn emitted_default_fallback_fails_format() {
    holds("emitted-default-fallback-fails-format");
}

#[test]
fn proof_concat_origins_after_an_absent_argument() {
    holds("proof-concat-origins-after-an-absent-argument");
}

#[test]
fn proof_concat_origins_after_an_impossible_email_enum() {
    holds("proof-concat-origins-after-an-impossible-email-enum");
}

#[test]
// Found by the long run (seed 211); fixed on main.
fn proof_null_inside_an_object_copied_whole() {
    holds("proof-null-inside-an-object-copied-whole");
}
