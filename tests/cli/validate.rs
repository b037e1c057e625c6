//! `ripple validate`: verdicts, exit codes, JSON keys, human output snapshots.

use super::{fixture, json, ripple, run};

fn basic() -> String {
    fixture("basic/pipelines/basic.yaml")
}

#[test]
fn accepted_change_exits_0() {
    let (code, out, err) = run(&["validate", &basic(), &fixture("basic/changes/ok.json")]);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!("basic_ok_human", out);
}

#[test]
fn rejected_change_exits_1_and_names_every_rejection() {
    let (code, out, err) = run(&["validate", &basic(), &fixture("basic/changes/two.json")]);
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!("basic_two_human", out);
}

#[test]
fn json_has_the_stable_keys() {
    let (code, out, _) = run(&[
        "validate",
        &basic(),
        &fixture("basic/changes/bytes.json"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["entry"], "web");
    let systems = v["systems"].as_array().cloned().unwrap_or_default();
    let status = |id: &str| {
        systems
            .iter()
            .find(|s| s["system"] == id)
            .map(|s| s["status"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(status("web").as_deref(), Some("accepted"));
    assert_eq!(status("dir").as_deref(), Some("rejected"));
    assert_eq!(status("pay").as_deref(), Some("rejected"));
    let pay = v["violations"]
        .as_array()
        .and_then(|vs| vs.iter().find(|x| x["system"] == "pay").cloned())
        .unwrap_or_default();
    assert_eq!(pay["field"], "/login");
    assert_eq!(pay["keyword"], "x-maxBytes");
    assert_eq!(pay["limit"], 9);
    assert_eq!(pay["value"], "uMÄTTÖÄ");
    assert_eq!(
        pay["origin"],
        serde_json::json!([{"system": "web", "field": "/username"}])
    );
    assert_eq!(pay["path"], serde_json::json!(["web", "pay"]));
    assert!(pay["message"].is_string());
}

#[test]
fn pii_values_are_masked_in_json_unless_asked() {
    let args = [
        "validate",
        &basic(),
        &fixture("basic/changes/two.json"),
        "--format",
        "json",
    ];
    let (_, out, _) = run(&args);
    assert!(!out.contains("Hämeenkatu"), "{out}");
    assert!(out.contains("[redacted]"), "{out}");
    let (_, out, _) = run(&[&args[..], &["--show-values"]].concat());
    assert!(out.contains("Hämeenkatu"), "{out}");
}

#[test]
fn set_builds_a_change_on_the_command_line() {
    let (code, out, _) = run(&[
        "validate",
        &basic(),
        "--set",
        "username=matti",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = run(&[
        "validate",
        &basic(),
        "--set",
        "username=matti",
        "--set",
        "address.street=Hämeenkatu 1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    assert_eq!(v["violations"][0]["system"], "pay");
    assert_eq!(v["violations"][0]["keyword"], "x-charset");
}

#[test]
fn change_from_stdin() {
    let out = ripple()
        .args(["validate", &basic(), "-", "--format", "json"])
        .write_stdin(r#"{"record": {"username": "matti"}}"#)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn partial_change_leaves_unreached_systems_alone() {
    // Only the e-mail changes: dir gets it, pay maps nothing from it.
    let (code, out, _) = run(&[
        "validate",
        &basic(),
        "--set",
        "email=matti@example.com",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v = json(&out);
    let pay = v["systems"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["system"] == "pay").cloned())
        .unwrap_or_default();
    assert_eq!(pay["status"], "not_reached");
    // dir requires uid, but the change does not reach it: not an error.
    assert!(
        v["violations"].as_array().is_some_and(Vec::is_empty),
        "{out}"
    );
}

#[test]
fn two_way_sync_terminates() {
    // dir → web flows back; a path never visits a system twice.
    let (code, out, _) = run(&[
        "validate",
        &basic(),
        &fixture("basic/changes/ok.json"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v = json(&out);
    assert_eq!(v["systems"].as_array().map(Vec::len), Some(3), "{out}");
}

#[test]
fn quiet_prints_only_the_verdict() {
    let (code, out, _) = run(&[
        "validate",
        &basic(),
        &fixture("basic/changes/two.json"),
        "-q",
    ]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
}

#[test]
fn color_always_uses_ansi_and_never_does_not() {
    let change = fixture("basic/changes/two.json");
    let (_, out, _) = run(&["validate", &basic(), &change, "--color", "always"]);
    assert!(out.contains("\u{1b}["), "{out}");
    let (_, out, _) = run(&["validate", &basic(), &change, "--color", "never"]);
    assert!(!out.contains("\u{1b}["), "{out}");
}

#[test]
fn paths_that_disagree_are_a_finding() {
    let p = fixture("conflict/pipelines/conflict.yaml");
    let (code, out, err) = run(&[
        "validate",
        &p,
        "--set",
        "username=Matti",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let c = &v["conflicts"][0];
    assert_eq!(c["system"], "dir");
    assert_eq!(c["field"], "/uid");
    assert_eq!(c["values"][0]["value"], "matti");
    assert_eq!(c["values"][0]["path"], serde_json::json!(["web", "dir"]));
    assert_eq!(c["values"][1]["value"], "Matti");
    assert_eq!(
        c["values"][1]["path"],
        serde_json::json!(["web", "pay", "dir"])
    );
    // Lower-case input: both paths agree.
    let (code, _, _) = run(&[
        "validate",
        &p,
        "--set",
        "username=matti",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn pipeline_from_stdin_resolves_schemas_from_the_working_directory() {
    let text =
        std::fs::read_to_string(super::root().join("tests/fixtures/basic/pipelines/basic.yaml"))
            .unwrap()
            .replace("../schemas/", "tests/fixtures/basic/schemas/");
    let out = ripple()
        .args(["validate", "-", "--set", "username=matti"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn example_changes_give_the_documented_verdicts() {
    let pipeline = "pipelines/customer-identity.yaml";
    for (change, code, rejecting) in [
        ("accepted", 0, &[][..]),
        ("partial-address", 0, &[][..]),
        ("rejected-directory", 1, &["ad", "payroll"][..]),
        ("rejected-payroll-bytes", 1, &["payroll"][..]),
        ("rejected-statement", 1, &["statement"][..]),
        ("rejected-payment", 1, &["payment"][..]),
        ("rejected-entry", 1, &["web", "crm", "ad"][..]),
    ] {
        let path = format!("pipelines/changes/{change}.json");
        let (got, out, err) = run(&["validate", pipeline, &path, "--format", "json"]);
        assert_eq!(got, code, "{change}: {out}{err}");
        let v = json(&out);
        let mut systems: Vec<String> = v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["system"].as_str().unwrap().to_owned())
            .collect();
        systems.dedup();
        assert_eq!(systems, rejecting, "{change}");
    }
    // Payroll rejects by bytes only: the login fits in 12 characters.
    let (_, out, _) = run(&[
        "validate",
        pipeline,
        "pipelines/changes/rejected-payroll-bytes.json",
        "--format",
        "json",
    ]);
    let v = json(&out);
    assert_eq!(v["violations"][0]["keyword"], "x-maxBytes");
    assert_eq!(v["violations"][0]["value"], "uMÄKELÄINEN");
    assert_eq!(
        v["violations"][0]["path"],
        serde_json::json!(["web", "crm", "payroll"])
    );
}

#[test]
fn example_statement_rejection_human() {
    let (code, out, _) = run(&[
        "validate",
        "pipelines/customer-identity.yaml",
        "pipelines/changes/rejected-statement.json",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("example_statement_human", out);
}
