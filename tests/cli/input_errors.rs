//! Schema and change-file errors at their place (README, "System schemas" and "Change
//! requests"): exit 2 with file:line:column and a plain cause; unknown schema keywords are
//! warnings that do not change the exit code.

use super::{fixture, run};

fn pipeline(name: &str) -> String {
    fixture(&format!("input-errors/pipelines/{name}.yaml"))
}

fn change(name: &str) -> String {
    fixture(&format!("input-errors/changes/{name}.json"))
}

/// Runs `validate` and asserts exit 2 and every expected piece of stderr.
fn fails_with(pipeline_name: &str, change_name: &str, expected: &[&str]) {
    let (code, _out, err) = run(&["validate", &pipeline(pipeline_name), &change(change_name)]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for e in expected {
        assert!(err.contains(e), "missing {e:?} in:\n{err}");
    }
}

#[test]
fn a_non_integer_max_length_is_shown_in_the_schema_file() {
    fails_with(
        "bad-maxlength",
        "ok",
        &[
            "error: invalid JSON Schema: maxLength must be a non-negative integer, found the string \"35\"",
            "schemas/bad-maxlength.json:6:20",
            "at /properties/username/maxLength",
        ],
    );
}

#[test]
fn a_misspelt_type_is_shown_with_a_suggestion() {
    fails_with(
        "bad-type",
        "ok",
        &[
            "type must be one of array, boolean, integer, null, number, object, string, found \"strnig\"",
            "schemas/bad-type.json:4:27",
            "help: did you mean `string`?",
        ],
    );
}

#[test]
fn an_error_in_a_referenced_file_is_shown_in_that_file() {
    fails_with(
        "bad-in-ref",
        "ok",
        &[
            "minLength must be a non-negative integer, found the number -1",
            "input-errors/schemas/common-bad.json:5:20",
            "at /$defs/name/minLength",
        ],
    );
}

#[test]
fn a_missing_ref_target_is_in_words_at_the_ref() {
    fails_with(
        "missing-ref",
        "ok",
        &[
            "`$ref: nowhere.json#/$defs/name` does not resolve",
            "nowhere.json: no such file or directory",
            "schemas/missing-ref.json:4:27",
        ],
    );
    let (_, _, err) = run(&["validate", &pipeline("missing-ref"), &change("ok")]);
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn a_directory_as_schema_is_in_words() {
    fails_with(
        "directory",
        "ok",
        &["it is a directory, not a file", "directory.yaml:6:13"],
    );
    let (_, _, err) = run(&["validate", &pipeline("directory"), &change("ok")]);
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn unknown_keywords_do_not_change_the_exit_code() {
    let (code, _, err) = run(&["validate", &pipeline("unknown-keyword"), &change("ok")]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn unknown_keywords_render_as_warnings_with_a_suggestion() {
    let path = super::root().join(pipeline("unknown-keyword"));
    let loaded = ripple::pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let warnings = loaded.warnings();
    let text = ripple::report::diagnostic::render_warnings(&warnings, false);
    assert_eq!(warnings.len(), 2, "{text}");
    for expected in [
        "warning: unknown keyword `maxLenght` is ignored",
        "schemas/unknown-keyword.json:4:37",
        "help: did you mean `maxLength`? Keywords of your own need an `x-` prefix (`x-maxLenght`)",
        "warning: unknown keyword `fromat` is ignored",
        "input-errors/schemas/common-typo.json:3:34",
        "did you mean `format`?",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("x-mine"), "{text}");
}

#[test]
fn every_command_prints_unknown_keyword_warnings_without_failing() {
    let p = pipeline("unknown-keyword");
    for args in [
        vec!["check", p.as_str()],
        vec!["graph", p.as_str()],
        vec!["constraints", p.as_str()],
    ] {
        let (code, _, err) = run(&args);
        assert!(code < 2, "{args:?}: exit {code}\n{err}");
        assert!(
            err.contains("warning: unknown keyword `maxLenght` is ignored"),
            "{args:?}:\n{err}"
        );
        assert!(err.contains("did you mean `maxLength`?"), "{err}");
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let (code, _, err) = run(&["validate", &pipeline("bom-schema"), &change("bom")]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_duplicate_key_in_the_record_is_an_error_at_the_second() {
    fails_with(
        "ok",
        "duplicate",
        &[
            "error: duplicate key `email`; the first is at line 4",
            "changes/duplicate.json:6:5",
        ],
    );
}

#[test]
fn an_unknown_change_key_is_located_with_a_suggestion() {
    fails_with(
        "ok",
        "unknown-key",
        &[
            "unknown key `reccord` in the change request",
            "changes/unknown-key.json:3:3",
            "help: did you mean `record`?",
        ],
    );
    fails_with(
        "ok",
        "no-record",
        &[
            "unknown key `username` in the change request",
            "changes/no-record.json:3:3",
            "the changed fields go inside `record`",
        ],
    );
}

#[test]
fn wrong_types_are_located_at_the_value() {
    fails_with(
        "ok",
        "record-not-object",
        &[
            "`record` must be a JSON object, found the string \"username=matti\"",
            "changes/record-not-object.json:3:13",
        ],
    );
    fails_with(
        "ok",
        "key-number",
        &[
            "`key` must be a string, found the number 1042",
            "changes/key-number.json:3:10",
            "help: put it in quotes: \"key\": \"1042\"",
        ],
    );
}

#[test]
fn a_change_without_a_record_is_an_error_but_set_needs_none() {
    fails_with(
        "ok",
        "no-record-at-all",
        &[
            "a change request needs a `record`",
            "changes/no-record-at-all.json:1:1",
            "help: `record` holds the changed fields",
        ],
    );
    let (code, _, err) = run(&["validate", &pipeline("ok"), "--set", "username=matti"]);
    assert_eq!(code, 0, "{err}");
}
