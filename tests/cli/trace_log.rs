//! `ripple trace PIPELINE --log FILE`: events, origins, the journal link, the ranked summary.

use ripple::journal::{FieldValue, Journal, NewEntry};
use serde_json::{Value, json};

use super::{fixture, ripple, run};

const PIPELINE: &str = "tests/fixtures/logs/pipelines/logs.yaml";

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

#[test]
fn oracle_log_events_have_origins_and_a_ranked_summary() {
    let (code, out, err) = run(&[
        "trace",
        PIPELINE,
        "--log",
        &fixture("logs/oracle.log"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v = json_of(&out);
    let first = &v["events"][0];
    assert_eq!(first["line"], 3);
    assert_eq!(first["system"], "payroll");
    assert_eq!(first["field"], "/login");
    assert_eq!(first["code"], "ORA-12899");
    assert_eq!(
        first["origin"],
        json!([{ "system": "web", "field": "/username" }])
    );
    assert_eq!(first["change"], Value::Null);
    assert_eq!(v["unmatched"], 7);
    let summary = v["summary"].as_array().unwrap();
    let counts: Vec<u64> = summary
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .collect();
    let mut sorted = counts.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(counts, sorted, "most failures first");
    assert!(summary.iter().any(|s| s["origin"]
        == json!({ "system": "web", "field": "/username" })
        && s["origins"] == json!([{ "system": "web", "field": "/username" }])));
    // Each failure counts for one cause, so the counts add up to the failures.
    assert_eq!(counts.iter().sum::<u64>(), v["failures"].as_u64().unwrap());
    assert_eq!(v["failures"], v["events"].as_array().unwrap().len());
}

#[test]
fn human_output_lists_unmatched_lines() {
    let (code, out, _) = run(&["trace", PIPELINE, "--log", &fixture("logs/oracle.log")]);
    assert_eq!(code, 1);
    assert!(out.contains("7 lines matched no pattern"), "{out}");
    assert!(
        out.contains("ORA-00001: unique constraint"),
        "unmatched lines are listed: {out}"
    );
    assert!(out.contains("root causes, most failures first"), "{out}");
}

#[test]
fn events_link_to_the_journal_entry_that_set_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let mut journal = Journal::open(&path).unwrap();
    let record = json!({ "username": "matti.meikalainen" });
    let values = [FieldValue {
        system: "directory".into(),
        pointer: "/uid".into(),
        value: json!("matti.meikalainen"),
    }];
    journal
        .insert(&NewEntry {
            id: "chg-1042",
            pipeline: PIPELINE,
            entry: "web",
            key: Some("customer-1042"),
            requested_by: Some("anna.support"),
            record: &record,
            change: &record,
            current: None,
            values: &values,
        })
        .unwrap();
    drop(journal);
    let journal_arg = path.display().to_string();
    let (code, out, err) = run(&[
        "trace",
        PIPELINE,
        "--log",
        &fixture("logs/postgres.log"),
        "--journal",
        &journal_arg,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v = json_of(&out);
    let linked: Vec<&Value> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["change"].is_null())
        .collect();
    assert_eq!(linked.len(), 1, "{out}");
    assert_eq!(linked[0]["value"], "matti.meikalainen");
    assert_eq!(linked[0]["change"]["id"], "chg-1042");
    assert_eq!(linked[0]["change"]["requested_by"], "anna.support");
    let (_, human, _) = run(&[
        "trace",
        PIPELINE,
        "--log",
        &fixture("logs/postgres.log"),
        "--journal",
        &journal_arg,
    ]);
    assert!(human.contains("change chg-1042 by anna.support"), "{human}");
}

#[test]
fn log_from_stdin_and_system_filter() {
    let out = ripple()
        .args(["trace", PIPELINE, "--log", "-", "--system", "payroll", "--format", "json"])
        .write_stdin("ORA-12899: value too large for column \"EMPLOYEES\".\"LOGIN\" (actual: 15, maximum: 9)\nnoise\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
    assert_eq!(v["events"][0]["field"], "/login");
    assert_eq!(v["unmatched"], 1);
}

#[test]
fn a_clean_log_exits_zero_and_bad_inputs_exit_two() {
    let out = ripple()
        .args(["trace", PIPELINE, "--log", "-"])
        .write_stdin("all good\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (code, _, err) = run(&[
        "trace",
        PIPELINE,
        "--log",
        "tests/fixtures/logs/missing.log",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.log"), "{err}");
    let (code, _, err) = run(&["trace", PIPELINE, "--log", "-", "--system", "payrol"]);
    assert_eq!(code, 2);
    assert!(err.contains("payroll"), "did-you-mean: {err}");
    let (code, _, err) = run(&[
        "trace",
        PIPELINE,
        "--log",
        "-",
        "--journal",
        "/nonexistent/j.db",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no journal"), "{err}");
}

#[test]
fn personal_values_are_masked_unless_asked_for() {
    let log = fixture("logs/custom.log");
    let (_, out, _) = run(&[
        "trace", PIPELINE, "--log", &log, "--system", "sync", "--format", "json",
    ]);
    assert!(
        !out.contains("matti.meikalainen"),
        "x-pii value leaked: {out}"
    );
    assert!(out.contains("[redacted]"), "{out}");
    let (_, human, _) = run(&["trace", PIPELINE, "--log", &log, "--system", "sync"]);
    assert!(
        !human.contains("\"matti.meikalainen\""),
        "x-pii value leaked: {human}"
    );
    let (_, shown, _) = run(&[
        "trace",
        PIPELINE,
        "--log",
        &log,
        "--system",
        "sync",
        "--format",
        "json",
        "--show-values",
    ]);
    assert!(shown.contains("matti.meikalainen"), "{shown}");
}

#[test]
fn the_example_payroll_log_ranks_the_username_first() {
    let (code, out, err) = run(&[
        "trace",
        "pipelines/customer-identity.yaml",
        "--log",
        "pipelines/logs/payroll-nightly.log",
    ]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("example_payroll_log", out);
}
