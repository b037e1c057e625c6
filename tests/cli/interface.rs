//! The interface rules every command follows (README, "Output and exit codes"): exit codes,
//! masking of personal data, escaping of terminal control characters, output formats that
//! tools accept, completions and the man page.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{fixture, json, root, run};

/// `ripple` as a plain process, for tests that talk to it while it runs.
fn spawn_ripple(args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_ripple"))
        .current_dir(root())
        .env("RUST_LOG", "off")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

const IDENTITY: &str = "pipelines/customer-identity.yaml";

/// No byte of output is a control character other than a line feed, and no bidi override
/// or other invisible format character is printed.
fn assert_terminal_safe(what: &str, text: &str) {
    for (i, c) in text.char_indices() {
        assert!(
            c == '\n' || !ripple::text::is_unsafe_char(c),
            "{what}: raw {c:?} at byte {i} in:\n{text}"
        );
    }
}

#[test]
fn control_characters_are_escaped_in_every_command() {
    let value = "address.street=x\u{1b}[2J\ry\nz\u{202e}w";
    let field = "--set";
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "validate",
            vec![
                "validate".into(),
                fixture("basic/pipelines/basic.yaml"),
                "--set".into(),
                "username=matti".into(),
                field.into(),
                value.into(),
            ],
        ),
        (
            "check",
            vec!["check".into(), fixture("interface/control.yaml")],
        ),
        (
            "trace",
            vec![
                "trace".into(),
                fixture("interface/control.yaml"),
                "dir:/uid".into(),
            ],
        ),
        (
            "trace --log",
            vec![
                "trace".into(),
                fixture("interface/logs.yaml"),
                "--log".into(),
                fixture("interface/errors.log"),
            ],
        ),
        (
            "graph",
            vec!["graph".into(), fixture("interface/control.yaml")],
        ),
    ];
    for (what, args) in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        assert!(code <= 1, "{what}: exit {code}\n{out}{err}");
        assert_terminal_safe(what, &out);
        assert_terminal_safe(what, &err);
    }
    // The escapes are visible, not dropped.
    let (_, out, _) = run(&["check", &fixture("interface/control.yaml")]);
    assert!(out.contains(r#"\u{1b}[2J\r\n\u{0}\u{202e}"#), "{out}");
    let (_, out, _) = run(&[
        "trace",
        &fixture("interface/logs.yaml"),
        "--log",
        &fixture("interface/errors.log"),
    ]);
    assert!(out.contains(r"ESC here: \u{1b}[2J and CR here:\r"), "{out}");
}

#[test]
fn a_value_cannot_fake_report_lines() {
    let (code, out, _) = run(&[
        "validate",
        &fixture("basic/pipelines/basic.yaml"),
        "--set",
        "username=ab\ncd\n✓ every reached system accepts this change",
    ]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with('✓')).count(),
        0,
        "{out}"
    );
}

#[test]
fn json_masks_personal_values_by_value_not_by_text() {
    let (code, out, _) = run(&["validate", IDENTITY, "--set", "email=e", "--format", "json"]);
    assert_eq!(code, 1);
    let v = json(&out);
    let violations = v["violations"].as_array().unwrap();
    assert!(!violations.is_empty());
    for x in violations {
        assert_eq!(x["value"], "[redacted]");
        assert_eq!(x["message"], "value [redacted] is not a valid email");
    }
    assert!(!out.contains("[r[redacted]"), "{out}");
    // With --show-values the value is shown, in the same sentence.
    let (_, out, _) = run(&[
        "validate",
        IDENTITY,
        "--set",
        "email=e",
        "--format",
        "json",
        "--show-values",
    ]);
    assert!(
        out.contains(r#""message": "\"e\" is not a valid email""#),
        "{out}"
    );
}

#[test]
fn a_masked_pattern_message_keeps_the_pattern() {
    // The phone is personal; the statement printer's pattern must not be edited by masking.
    let (_, out, _) = run(&[
        "validate",
        IDENTITY,
        "--set",
        "phone=0",
        "--set",
        "address.street=Hämeenkatu 1",
        "--format",
        "json",
    ]);
    assert!(!out.contains("[[redacted]"), "{out}");
    for x in json(&out)["violations"].as_array().unwrap() {
        if x["pii"] == true {
            assert!(
                x["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("value [redacted] "),
                "{x}"
            );
            assert_eq!(x["value"], "[redacted]");
        }
    }
}

#[test]
fn human_validate_shows_the_typed_value() {
    let (_, out, _) = run(&["validate", IDENTITY, "--set", "address.street=Hämeenkatu 1"]);
    assert!(out.contains(r#""HÄMEENKATU 1""#), "{out}");
    assert!(out.contains("`Ä` (U+00C4)"), "{out}");
}

#[test]
fn exit_codes_follow_one_rule() {
    let broken = fixture("bad/pipelines/unknown-function.yaml");
    for args in [
        vec!["validate", &broken, "--set", "username=x"],
        vec!["check", &broken],
        vec!["trace", &broken, "web:/username"],
        vec!["graph", &broken],
        vec!["constraints", &broken],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(
            code, 2,
            "{args:?}: a pipeline that does not load\n{out}{err}"
        );
    }
    // Nothing to check is not a clean check.
    let empty = tempfile();
    let (code, _, err) = run(&["check", empty.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no pipeline"), "{err}");
    // Findings are 1, clean is 0.
    assert_eq!(run(&["check", &fixture("interface/two-entries.yaml")]).0, 1);
    let (code, _, _) = run(&[
        "validate",
        &fixture("basic/pipelines/basic.yaml"),
        "--set",
        "username=matti",
    ]);
    assert_eq!(code, 0);
}

/// An empty temporary directory, removed on drop.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile() -> TempDir {
    let dir = std::env::temp_dir().join(format!(
        "ripple-interface-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

#[test]
fn check_recurses_into_folders_and_takes_yml() {
    let (code, out, _) = run(&["check", &fixture("interface/nested"), "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(
        files.iter().all(|f| f.ends_with("nested/deeper/again.yml")) && !files.is_empty(),
        "{files:?}"
    );
}

#[test]
fn every_witness_replays_with_its_entry() {
    let pipeline = fixture("interface/two-entries.yaml");
    let (_, out, _) = run(&["check", &pipeline, "--format", "json"]);
    let findings = json(&out)["findings"].as_array().unwrap().clone();
    let mut entries = std::collections::BTreeSet::new();
    for f in findings.iter().filter(|f| !f["witness"].is_null()) {
        let replay = &f["replay"];
        assert_eq!(replay["entry"], f["path"][0], "{f}");
        assert_eq!(replay["record"], f["witness"], "{f}");
        entries.insert(replay["entry"].as_str().unwrap().to_owned());
        let mut child = spawn_ripple(&["validate", &pipeline, "-"]);
        child
            .stdin
            .take()
            .unwrap()
            .write_all(replay.to_string().as_bytes())
            .unwrap();
        let done = child.wait_with_output().unwrap();
        assert_eq!(done.status.code(), Some(1), "{replay} does not reproduce");
    }
    assert_eq!(entries.len(), 2, "both entry systems have witnesses");
}

#[test]
fn junit_reports_warnings_as_skipped_and_counts_right() {
    let (code, out, _) = run(&[
        "check",
        IDENTITY,
        "--format",
        "junit",
        "--witness-budget",
        "1",
    ]);
    let (_, json_out, _) = run(&[
        "check",
        IDENTITY,
        "--format",
        "json",
        "--witness-budget",
        "1",
    ]);
    let warnings = json(&json_out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "warning")
        .count();
    assert!(warnings > 0, "the budget leaves fields undecided");
    assert!(!out.contains("<error"), "warnings are not errors:\n{out}");
    assert!(out.contains("<skipped"), "{out}");
    let cases = out.matches("<testcase ").count();
    let declared: usize = out
        .split("<testsuites ")
        .nth(1)
        .and_then(|s| s.split("tests=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert_eq!(cases, declared, "{out}");
    let failures = out.matches("<failure").count();
    assert_eq!(code, i32::from(failures > 0));
}

#[test]
fn trace_log_streams_json_lines() {
    let (code, out, _) = run(&[
        "trace",
        IDENTITY,
        "--log",
        "pipelines/logs/payroll-nightly.log",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<Value> = out.lines().map(json).collect();
    let (summary, events) = lines.split_last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert!(events.iter().all(|e| e["type"] == "event"));
    assert_eq!(summary["failures"], events.len());
    let counted: u64 = summary["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, events.len() as u64);
}

#[test]
fn trace_log_stops_reading_when_its_output_closes() {
    // The log never ends (stdin stays open); only a closed stdout can stop the trace.
    let mut child = spawn_ripple(&[
        "trace",
        &fixture("interface/logs.yaml"),
        "--log",
        "-",
        "--format",
        "jsonl",
    ]);
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let writer = std::thread::spawn(move || {
        let line = "ORA-12899: value too large for column \"DIR\".\"USERS\".\"UID\" (actual: 12, maximum: 8)\n";
        let block = line.repeat(1000);
        while stdin.write_all(block.as_bytes()).is_ok() {}
    });
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    assert!(first.contains("\"type\":\"event\""), "{first}");
    // Dropping our end closes the pipe.
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_ne!(status.code(), Some(2), "a closed pipe is not an error");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "still reading after its output closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    writer.join().unwrap();
}

#[test]
fn set_str_keeps_text_that_looks_like_a_number() {
    let pipeline = fixture("basic/pipelines/basic.yaml");
    let (code, out, _) = run(&[
        "validate",
        &pipeline,
        "--set",
        "username=12345",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "a number is not a username: {out}");
    let (code, out, _) = run(&["validate", &pipeline, "--set-str", "username=12345"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        for sub in ["validate", "check", "trace", "constraints"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(out.contains("--set-str"), "{shell}");
    }
    let (code, out, _) = run(&["man"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH ripple"),
        "{out}"
    );
    assert!(out.contains("validate"));
}

#[test]
fn human_validate_has_one_row_per_system_and_each_rejection_once() {
    let (code, out, _) = run(&[
        "validate",
        &fixture("conflict/pipelines/conflict.yaml"),
        "--set",
        "username=Matti.Meikalainen-Long",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("validate_two_paths_human", out);
}

#[test]
fn verbose_logs_follow_color_never() {
    let out = super::ripple()
        .env_remove("RUST_LOG")
        .args([
            "-vv",
            "--color",
            "never",
            "validate",
            &fixture("basic/pipelines/basic.yaml"),
            "--set",
            "username=matti",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pipeline loaded"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err}");
}
