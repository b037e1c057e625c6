//! Every bad input of README, "Exit codes": bad input: exit 2, a message naming the problem and, where there is one,
//! the file, line and column. Never a panic.

use super::{fixture, run};

/// (pipeline, change, what stderr must contain)
const CASES: &[(&str, &str, &[&str])] = &[
    (
        "bad/pipelines/bad-yaml.yaml",
        "basic/changes/ok.json",
        &["invalid YAML", "bad-yaml.yaml:"],
    ),
    (
        "bad/pipelines/bad-utf8.yaml",
        "basic/changes/ok.json",
        &["not valid UTF-8", "bad-utf8.yaml"],
    ),
    (
        "bad/pipelines/version-2.yaml",
        "basic/changes/ok.json",
        &[
            "unsupported pipeline format version 2",
            "version-2.yaml:1:10",
        ],
    ),
    (
        "bad/pipelines/missing-schema.yaml",
        "basic/changes/ok.json",
        &["does-not-exist.json", "missing-schema.yaml:10:13"],
    ),
    (
        "bad/pipelines/invalid-schema.yaml",
        "basic/changes/ok.json",
        &["not-a-schema.json", "invalid-schema.yaml:10:13"],
    ),
    (
        "bad/pipelines/broken-schema-json.yaml",
        "basic/changes/ok.json",
        &["invalid JSON", "broken.json:4:"],
    ),
    (
        "bad/pipelines/unresolved-ref.yaml",
        "basic/changes/ok.json",
        &["common.json"],
    ),
    (
        "bad/pipelines/network-ref.yaml",
        "basic/changes/ok.json",
        &["https://example.com/schemas/uid.json"],
    ),
    (
        "bad/pipelines/unknown-system.yaml",
        "basic/changes/ok.json",
        &[
            "unknown system `dirr`",
            "unknown-system.yaml:13:9",
            "did you mean `dir`?",
        ],
    ),
    (
        "bad/pipelines/unknown-function.yaml",
        "basic/changes/ok.json",
        &["lowr", "unknown-function.yaml:15:12", "lower"],
    ),
    (
        "bad/pipelines/bad-arity.yaml",
        "basic/changes/ok.json",
        &["truncate", "bad-arity.yaml:15:12"],
    ),
    (
        "bad/pipelines/unknown-field.yaml",
        "basic/changes/ok.json",
        &[
            "`user_name` is not a field of `web`",
            "unknown-field.yaml:15:18",
            "did you mean `username`?",
        ],
    ),
    (
        "bad/pipelines/expr-syntax.yaml",
        "basic/changes/ok.json",
        &["expr-syntax.yaml:15:"],
    ),
    (
        "bad/pipelines/bad-regex.yaml",
        "basic/changes/ok.json",
        &["invalid regular expression", "bad-regex.yaml:12:18"],
    ),
    (
        "bad/pipelines/unknown-key.yaml",
        "basic/changes/ok.json",
        &[
            "unknown key `shedule`",
            "unknown-key.yaml:14:5",
            "did you mean `schedule`?",
        ],
    ),
    (
        "bad/pipelines/no-entry.yaml",
        "basic/changes/ok.json",
        &["no system is marked `entry: true`"],
    ),
    (
        "bad/pipelines/duplicate-key.yaml",
        "basic/changes/ok.json",
        &["duplicate key `name`", "duplicate-key.yaml:12:1"],
    ),
    (
        "bad/pipelines/deep.yaml",
        "basic/changes/ok.json",
        &["nested deeper than"],
    ),
    (
        "bad/pipelines/does-not-exist.yaml",
        "basic/changes/ok.json",
        &["cannot read", "no such file"],
    ),
    (
        "basic/pipelines/basic.yaml",
        "basic/changes/bad-json.json",
        &["invalid JSON", "bad-json.json:1:"],
    ),
    (
        "basic/pipelines/basic.yaml",
        "basic/changes/bad-utf8.json",
        &["not valid UTF-8"],
    ),
    (
        "basic/pipelines/basic.yaml",
        "basic/changes/typo.json",
        &["`usrname`", "did you mean `username`?"],
    ),
    (
        "basic/pipelines/basic.yaml",
        "basic/changes/unknown-entry.json",
        &["unknown entry system `crm`"],
    ),
    (
        "basic/pipelines/basic.yaml",
        "basic/changes/deep.json",
        &["invalid JSON", "recursion limit"],
    ),
];

#[test]
fn every_bad_input_exits_2_with_a_located_message() {
    let mut failures = Vec::new();
    for (pipeline, change, expected) in CASES {
        let (code, _out, err) = run(&["validate", &fixture(pipeline), &fixture(change)]);
        let missing: Vec<&&str> = expected.iter().filter(|e| !err.contains(**e)).collect();
        if code != 2 || !missing.is_empty() || err.contains("panicked") {
            failures.push(format!(
                "{pipeline} + {change}: exit {code}, missing {missing:?}\n{err}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}

#[test]
fn bad_set_and_missing_change_are_usage_errors() {
    let p = fixture("basic/pipelines/basic.yaml");
    let (code, _, err) = run(&["validate", &p]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no change given"), "{err}");
    let (code, _, err) = run(&["validate", &p, "--set", "username"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad `--set username`"), "{err}");
    let (code, _, err) = run(&["validate", &p, "--set", "nope=1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`nope`"), "{err}");
}

#[test]
fn unknown_flags_exit_2() {
    let (code, _, err) = run(&["validate", "--frobnicate"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_huge_value_is_reported_not_echoed() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let change = dir.path().join("huge.json");
    let value = "a".repeat(50 * 1024 * 1024);
    std::fs::write(
        &change,
        format!("{{\"record\": {{\"username\": \"{value}\"}}}}"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let change = change.display().to_string();
    for format in ["human", "json"] {
        let (code, out, err) = run(&[
            "validate",
            &fixture("basic/pipelines/basic.yaml"),
            &change,
            "--format",
            format,
        ]);
        assert_eq!(code, 1, "{err}");
        assert!(out.len() < 20_000, "{format} output is {} bytes", out.len());
        assert!(out.contains("more characters"), "{out}");
    }
}
