//! `ripple diff`, baselines, `ripple.toml` severity overrides and ignore comments, through
//! the binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{fixture, json, root, run};

fn diff_json(old: &str, new: &str) -> (i32, Value) {
    let (code, out, err) = run(&[
        "diff",
        &fixture(&format!("diff/{old}.yaml")),
        &fixture(&format!("diff/{new}.yaml")),
        "--format",
        "json",
    ]);
    assert!(err.is_empty(), "{err}");
    (code, json(&out))
}

fn kinds(report: &Value) -> Vec<String> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn narrowed_limit_is_one_new_incompatibility() {
    let (code, report) = diff_json("base", "narrowed");
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["ok"], false);
    assert_eq!(kinds(&report), ["constraint-narrowed"]);
    let change = &report["changes"][0];
    assert_eq!(change["system"], "crm");
    assert_eq!(change["field"], "/login");
    assert_eq!(change["keyword"], "maxLength");
    assert_eq!(
        (change["old"].clone(), change["new"].clone()),
        (20.into(), 12.into())
    );
    let new = report["new"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{report:#}");
    assert_eq!(new[0]["code"], "R301");
    assert_eq!(new[0]["field"], "/login");
    assert!(new[0]["fingerprint"].as_str().unwrap().len() == 16);
    assert_eq!(report["fixed"], serde_json::json!([]));
}

#[test]
fn widened_limit_fixes_the_incompatibility() {
    let (code, report) = diff_json("narrowed", "base");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(kinds(&report), ["constraint-widened"]);
    assert_eq!(report["new"], serde_json::json!([]));
    let fixed = report["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["code"], "R301");
}

#[test]
fn renamed_system_is_removed_and_added() {
    let (code, report) = diff_json("base", "renamed");
    assert_eq!(code, 0, "{report:#}");
    let k = kinds(&report);
    assert!(k.contains(&"system-removed".to_owned()), "{k:?}");
    assert!(k.contains(&"system-added".to_owned()), "{k:?}");
    let systems: Vec<(&str, &str)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"].as_str().unwrap().starts_with("system-"))
        .map(|c| (c["kind"].as_str().unwrap(), c["system"].as_str().unwrap()))
        .collect();
    assert_eq!(
        systems,
        [("system-removed", "crm"), ("system-added", "contacts")]
    );
}

#[test]
fn moved_schedule_is_reported() {
    let (code, report) = diff_json("base", "moved");
    assert_eq!(code, 0);
    assert_eq!(kinds(&report), ["schedule-moved"]);
    assert_eq!(report["changes"][0]["old"], "realtime");
    assert_eq!(report["changes"][0]["new"], "nightly 02:00");
    assert_eq!(report["changes"][0]["flow"], "web → crm");
}

#[test]
fn same_pipeline_has_no_changes_and_human_output_summarises() {
    let (code, out, _) = run(&[
        "diff",
        &fixture("diff/base.yaml"),
        &fixture("diff/narrowed.yaml"),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("constraint-narrowed  crm:/login maxLength: 20 → 12"),
        "{out}"
    );
    assert!(out.contains("error[R301]"), "{out}");
    assert!(
        out.contains("1 change, 1 new finding (1 error), 0 fixed"),
        "{out}"
    );
    let (code, out, _) = run(&[
        "diff",
        &fixture("diff/base.yaml"),
        &fixture("diff/base.yaml"),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("0 changes, 0 new findings"), "{out}");
}

#[test]
fn sarif_and_github_carry_new_findings_only() {
    let (code, out, _) = run(&[
        "diff",
        &fixture("diff/base.yaml"),
        &fixture("diff/narrowed.yaml"),
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1);
    let log = json(&out);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert!(results[0]["partialFingerprints"]["rippleFingerprint/v1"].is_string());
    let (_, out, _) = run(&[
        "diff",
        &fixture("diff/base.yaml"),
        &fixture("diff/narrowed.yaml"),
        "--format",
        "github",
    ]);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("::error file="), "{out}");
}

#[test]
fn a_file_and_a_folder_do_not_compare() {
    let (code, _, err) = run(&["diff", &fixture("diff/base.yaml"), &fixture("diff")]);
    assert_eq!(code, 2);
    assert!(err.contains("two pipeline files or two folders"), "{err}");
    let (code, _, err) = run(&["diff", &fixture("diff/base.yaml")]);
    assert_eq!(code, 2);
    assert!(err.contains("--base"), "{err}");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=ripple",
            "-c",
            "user.email=ripple@example.com",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A repository with `pipelines/demo.yaml` and `schemas/`, committed.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("pipelines")).unwrap();
    std::fs::create_dir_all(d.join("schemas")).unwrap();
    for s in ["web.json", "crm.json"] {
        std::fs::copy(
            root().join("tests/fixtures/diff/schemas").join(s),
            d.join("schemas").join(s),
        )
        .unwrap();
    }
    let text = std::fs::read_to_string(root().join("tests/fixtures/diff/base.yaml")).unwrap();
    std::fs::write(
        d.join("pipelines/demo.yaml"),
        text.replace("schemas/", "../schemas/"),
    )
    .unwrap();
    git(d, &["init", "-q"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "pipelines"]);
    dir
}

fn ripple_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = super::ripple()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn base_revision_reads_old_pipelines_and_schemas_from_git() {
    let repo = repository();
    let d = repo.path();
    // A schema change only: the old schema must come from the revision, not the tree.
    let crm = d.join("schemas/crm.json");
    let text = std::fs::read_to_string(&crm).unwrap();
    std::fs::write(&crm, text.replace("\"maxLength\": 20", "\"maxLength\": 10")).unwrap();
    let (code, out, err) = ripple_in(d, &["diff", "--base", "HEAD", "--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let report = json(&out);
    assert_eq!(kinds(&report), ["constraint-narrowed"]);
    assert_eq!(report["new"].as_array().unwrap().len(), 1);
    // Undo the schema, move the schedule, commit nothing: the work tree is compared.
    std::fs::write(&crm, &text).unwrap();
    let demo = d.join("pipelines/demo.yaml");
    let p = std::fs::read_to_string(&demo).unwrap();
    std::fs::write(&demo, p.replace("realtime", "hourly")).unwrap();
    let (code, out, _) = ripple_in(
        d,
        &[
            "diff",
            "pipelines/demo.yaml",
            "--base",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(kinds(&json(&out)), ["schedule-moved"]);
    let (code, _, err) = ripple_in(d, &["diff", "--base", "no-such-rev"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown git revision"), "{err}");
}

#[test]
fn baseline_accepts_known_findings_and_counts_gone_ones() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let b = baseline.display().to_string();
    let narrowed = fixture("diff/narrowed.yaml");
    let (code, _, err) = run(&["check", &narrowed, "--write-baseline", &b]);
    assert_eq!(code, 0, "{err}");
    let written = json(&std::fs::read_to_string(&baseline).unwrap());
    assert_eq!(written["version"], 1);
    assert_eq!(written["findings"].as_array().unwrap().len(), 1);
    assert_eq!(written["findings"][0]["code"], "R301");
    // The baselined finding does not fail.
    let (code, out, _) = run(&["check", &narrowed, "--baseline", &b, "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report = json(&out);
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(
        report["baseline"],
        serde_json::json!({"suppressed": 1, "gone": 0})
    );
    // A new one does; the old one is gone.
    let (code, out, _) = run(&["check", &fixture("basic/pipelines"), "--baseline", &b]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "1 baselined finding no longer occurs; rewrite the baseline with --write-baseline"
        ),
        "{out}"
    );
    let (code, _, err) = run(&[
        "check",
        &narrowed,
        "--baseline",
        "tests/fixtures/diff/base.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a ripple baseline"), "{err}");
}

#[test]
fn ripple_toml_overrides_severities() {
    let (code, out, _) = run(&["check", &fixture("suppress/toml"), "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let report = json(&out);
    assert_eq!(report["findings"][0]["code"], "R301");
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(report["ignored"][0]["code"], "R201");
    assert!(
        report["ignored"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("ripple.toml"),
        "{report:#}"
    );
}

#[test]
fn ignore_comment_with_a_reason_suppresses() {
    let (code, out, _) = run(&["check", &fixture("suppress/ignored")]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ignored: R301 ")
            && out.contains("(the CRM truncates logins to 12 characters on import)"),
        "{out}"
    );
    let (_, out, _) = run(&["check", &fixture("suppress/ignored"), "--format", "json"]);
    let report = json(&out);
    assert_eq!(report["ignored"][0]["code"], "R301");
    assert_eq!(
        report["ignored"][0]["reason"],
        "the CRM truncates logins to 12 characters on import"
    );
}

#[test]
fn ignore_comment_without_a_reason_is_an_error() {
    let (code, out, _) = run(&["check", &fixture("suppress/noreason"), "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["R301", "R110"]);
}

#[test]
fn mapping_changes_are_classified() {
    let (code, report) = diff_json("base", "mapping");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(kinds(&report), ["mapping-changed", "mapping-removed"]);
    let changed = &report["changes"][0];
    assert_eq!(changed["field"], "/login");
    assert_eq!(changed["old"], "username");
    assert_eq!(changed["new"], "lower(username)");
    assert_eq!(report["changes"][1]["field"], "/tier");
    assert_eq!(report["changes"][1]["new"], Value::Null);
}

/// [`repository`] with a `source:` on `crm` (README, "Drift"), its DDL committed or not.
fn repository_with_source(commit_ddl: bool) -> tempfile::TempDir {
    let repo = repository();
    let d = repo.path();
    let demo = d.join("pipelines/demo.yaml");
    let text = std::fs::read_to_string(&demo).unwrap();
    let with_source = text.replace(
        "    schema: ../schemas/crm.json\n",
        "    schema: ../schemas/crm.json\n    source: { ddl: ddl/crm.sql, table: contact, dialect: postgres }\n",
    );
    assert_ne!(with_source, text);
    std::fs::write(&demo, with_source).unwrap();
    std::fs::create_dir_all(d.join("pipelines/ddl")).unwrap();
    let ddl = "CREATE TABLE contact (\n    login varchar(20),\n    tier  varchar(20)\n);\n";
    if commit_ddl {
        std::fs::write(d.join("pipelines/ddl/crm.sql"), ddl).unwrap();
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "source"]);
    if !commit_ddl {
        std::fs::write(d.join("pipelines/ddl/crm.sql"), ddl).unwrap();
    }
    repo
}

#[test]
fn base_revision_reads_source_files_from_git() {
    let repo = repository_with_source(true);
    let d = repo.path();
    let (code, out, err) = ripple_in(d, &["check", "pipelines", "--format", "json"]);
    assert!(!out.contains("R404"), "{out}{err}");
    assert_eq!(code, 0, "{out}{err}");
    // Unchanged: the old side imports the DDL as it was at HEAD, as the new side does.
    let (code, out, err) = ripple_in(
        d,
        &["diff", "pipelines", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let report = json(&out);
    assert_eq!(report["changes"], Value::Array(Vec::new()), "{out}");
    assert_eq!(report["new"], Value::Array(Vec::new()), "{out}");
    assert_eq!(report["fixed"], Value::Array(Vec::new()), "{out}");
}

#[test]
fn a_source_file_missing_at_the_revision_is_named_by_the_revision() {
    // The DDL is only in the work tree: the old side could not read it (fixed R404),
    // and its message names the file `HEAD:path`, never the temporary copy.
    let repo = repository_with_source(false);
    let d = repo.path();
    let (code, out, err) = ripple_in(
        d,
        &["diff", "pipelines", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let report = json(&out);
    let fixed = report["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1, "{out}");
    assert_eq!(fixed[0]["code"], "R404");
    assert_eq!(fixed[0]["file"], "HEAD:pipelines/demo.yaml");
    let message = fixed[0]["message"].as_str().unwrap();
    assert!(message.contains("HEAD:pipelines/ddl/crm.sql"), "{message}");
    assert!(!message.contains("ripple-diff-"), "{message}");
}
