//! `ripple validate --batch` through the binary: JSON Lines out, CSV in, exit codes.

use serde_json::Value;

use super::{fixture, json, ripple, run};

const PIPELINE: &str = "pipelines/customer-identity.yaml";

#[test]
fn json_lines_report_each_rejected_and_malformed_record_then_a_summary() {
    let (code, out, err) = run(&[
        "validate",
        PIPELINE,
        "--batch",
        &fixture("batch/records.jsonl"),
        "--format",
        "json",
        "--jobs",
        "2",
    ]);
    assert_eq!(code, 2, "a malformed line makes the run incomplete: {err}");
    assert!(
        err.is_empty(),
        "no progress bar when stderr is not a terminal: {err}"
    );
    let lines: Vec<Value> = out.lines().map(json).collect();
    let kinds: Vec<(&str, u64)> = lines[..lines.len() - 1]
        .iter()
        .map(|l| (l["type"].as_str().unwrap(), l["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("rejected", 2), ("malformed", 3), ("rejected", 4)],
        "{out}"
    );
    assert_eq!(lines[0]["key"], "c-2");
    let street = lines[2]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["field"] == "/address_line")
        .unwrap();
    assert_eq!(street["value"], "[redacted]", "personal values are masked");
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(
        (
            &summary["records"],
            &summary["accepted"],
            &summary["rejected"],
            &summary["malformed"]
        ),
        (&4.into(), &1.into(), &2.into(), &1.into())
    );
}

#[test]
fn csv_from_a_file_and_json_lines_from_stdin() {
    let (code, out, _) = run(&[
        "validate",
        PIPELINE,
        "--batch",
        &fixture("batch/records.csv"),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("2 records: 1 accepted, 1 rejected, 0 malformed"),
        "{out}"
    );
    assert!(
        out.contains("payroll /login x-maxBytes  e.g. line 3"),
        "{out}"
    );
    let out = ripple()
        .args(["validate", PIPELINE, "--batch", "-"])
        .write_stdin("{\"username\": \"matti\"}\n{\"username\": \"anna\"}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 records: 2 accepted"));
}
