//! `ripple check`: findings, stable JSON keys, SARIF/JUnit/GitHub output, witnesses that
//! reproduce with `ripple validate`, `ripple explain`.

use serde_json::Value;

use super::{fixture, json, run};

#[test]
fn default_path_is_pipelines_and_incompatibilities_exit_1() {
    let (code, out, err) = run(&["check", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v = json(&out);
    assert_eq!(v["ok"], false);
    let findings = v["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == "pipelines/customer-identity.yaml")
    );
    for f in findings {
        for key in ["code", "severity", "message", "file", "line", "column"] {
            assert!(!f[key].is_null(), "{key} missing in {f}");
        }
        if f["code"] == "R301" {
            for key in ["system", "field", "keyword", "origin", "path", "witness"] {
                assert!(!f[key].is_null(), "{key} missing in {f}");
            }
        }
    }
}

#[test]
fn the_compatible_example_checks_clean() {
    let (code, out, _) = run(&["check", "pipelines/hr-onboarding.yaml"]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!("hr_clean_human", out);
}

#[test]
fn every_witness_reproduces_with_validate() {
    let (_, out, _) = run(&[
        "check",
        "pipelines/customer-identity.yaml",
        "--format",
        "json",
    ]);
    let v = json(&out);
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for f in v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "R301")
    {
        let change = dir.path().join(format!("w{checked}.json"));
        std::fs::write(
            &change,
            serde_json::json!({"record": f["witness"]}).to_string(),
        )
        .unwrap();
        let (code, out, err) = run(&[
            "validate",
            "pipelines/customer-identity.yaml",
            change.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(code, 1, "{f}\n{out}{err}");
        let r = json(&out);
        let hit = r["violations"].as_array().unwrap().iter().any(|x| {
            x["system"] == f["system"] && x["field"] == f["field"] && x["keyword"] == f["keyword"]
        });
        assert!(hit, "witness of {} does not reproduce: {out}", f["message"]);
        // The entry accepts the witness.
        assert!(
            r["violations"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["system"] != "web"),
            "{out}"
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} incompatibilities");
}

#[test]
fn human_output_points_at_the_mapping() {
    let (code, out, _) = run(&[
        "check",
        "pipelines/customer-identity.yaml",
        "--color",
        "never",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("customer_identity_check_human", out);
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let (code, out, _) = run(&["check", "--format", "sarif"]);
    assert_eq!(code, 1);
    let log = json(&out);
    let schema_text =
        std::fs::read_to_string(super::root().join("tests/fixtures/sarif/sarif-schema-2.1.0.json"))
            .unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "pipelines/customer-identity.yaml"
    );
    assert!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap()
            .contains(":/")
    );
}

#[test]
fn junit_has_a_case_per_checked_flow_field() {
    let (_, out, _) = run(&[
        "check",
        "pipelines/customer-identity.yaml",
        "--format",
        "junit",
    ]);
    assert!(out.starts_with("<?xml"));
    let (_, j, _) = run(&[
        "check",
        "pipelines/customer-identity.yaml",
        "--format",
        "json",
    ]);
    // One failed case per failing field, however many keywords it fails.
    let failing: std::collections::BTreeSet<(String, String)> = json(&j)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| (f["system"].to_string(), f["field"].to_string()))
        .collect();
    assert_eq!(out.matches("<testcase ").count(), 28, "{out}");
    assert_eq!(out.matches("<failure ").count(), failing.len(), "{out}");
}

#[test]
fn github_annotations_carry_file_and_line() {
    let (_, out, _) = run(&[
        "check",
        "pipelines/customer-identity.yaml",
        "--format",
        "github",
    ]);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=pipelines/customer-identity.yaml,line="),
        "{first}"
    );
    assert!(first.contains("title=R301 incompatible::"), "{first}");
    assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
}

#[test]
fn load_errors_become_located_findings() {
    let (code, out, _) = run(&[
        "check",
        &fixture("bad/pipelines/unknown-function.yaml"),
        "--format",
        "json",
    ]);
    // A pipeline that does not load: ripple could not do its job (README, "Exit codes").
    assert_eq!(code, 2, "{out}");
    let f = &json(&out)["findings"][0];
    assert_eq!(f["code"], "R105");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(15), Some(12))
    );
}

#[test]
fn graph_findings() {
    let (_, out, _) = run(&[
        "check",
        &fixture("graph/pipelines/graph.yaml"),
        "--format",
        "json",
    ]);
    let v = json(&out);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"R201"), "{out}");
    assert!(codes.contains(&"R202"), "{out}");
    assert!(codes.contains(&"R204"), "{out}");
}

#[test]
fn a_missing_path_is_an_input_error() {
    let (code, _, err) = run(&["check", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir"), "{err}");
}

#[test]
fn explain_prints_the_rule() {
    let (code, out, _) = run(&["explain", "R301"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("R301 incompatible"), "{out}");
    assert!(out.contains("witness"), "{out}");
    let (code, out, _) = run(&["explain"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), ripple::check::Code::ALL.len());
    let (code, _, err) = run(&["explain", "R999"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn paths_that_disagree_are_proven_with_a_witness() {
    let p = fixture("conflict/pipelines/two-paths.yaml");
    let (code, out, _) = run(&["check", &p, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "R203")
        .cloned()
        .unwrap_or_default();
    assert_eq!(f["system"], "crm", "{out}");
    assert_eq!(f["field"], "/name");
    // The witness really gives two values under validate.
    let witness = f["witness"]["username"].as_str().unwrap().to_owned();
    let (code, out, _) = run(&[
        "validate",
        &p,
        "--set",
        &format!("username={witness}"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(json(&out)["conflicts"][0]["field"], "/name");
}

#[test]
fn round_trips_the_budget_leaves_are_one_pipeline_level_r302() {
    let (_, out, err) = run(&[
        "check",
        "tests/fixtures/ecommerce/pipelines/",
        "--witness-budget",
        "0",
        "--format",
        "json",
    ]);
    let v = json(&out);
    let unchecked: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "R302" && f["system"].is_null())
        .collect();
    assert_eq!(unchecked.len(), 1, "{out}\n{err}");
    assert_eq!(
        unchecked[0]["message"],
        "1 round trip(s) (echoes, R205) from `shop` were not fully checked: the witness search budget for this pipeline ran out"
    );
}
