//! `ripple validate --live` against real servers on 127.0.0.1 with faults injected.

use std::time::{Duration, Instant};

use super::server::{Reply, Server, pipeline};
use super::{json, ripple};

/// Runs `validate --live --format json` on the shop pipeline with `extra` arguments.
fn live(server: &Server, set: &[&str], extra: &[&str]) -> (i32, serde_json::Value, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = pipeline(dir.path(), "shop.yaml", server.port);
    let mut args = vec![
        "validate".to_owned(),
        path.display().to_string(),
        "--live".into(),
        "--format".into(),
        "json".into(),
    ];
    for s in set {
        args.push("--set".into());
        args.push((*s).to_owned());
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let out = ripple()
        .args(&args)
        .env("RIPPLE_TEST_TOKEN", "sekret-token-123")
        .output()
        .expect("run ripple");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let value = if stdout.trim().is_empty() {
        serde_json::Value::Null
    } else {
        json(&stdout)
    };
    (out.status.code().unwrap_or(-1), value, stderr)
}

fn entry<'a>(v: &'a serde_json::Value, system: &str) -> &'a serde_json::Value {
    v["live"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["system"] == system))
        .unwrap_or_else(|| panic!("no live entry for {system}: {v:#}"))
}

#[test]
fn accepted_everywhere_exits_0_with_the_live_keys() {
    let server = Server::start(|_, _| Reply::status(200, "{}"));
    let (code, v, err) = live(&server, &["username=matti"], &[]);
    assert_eq!(code, 0, "{v:#}{err}");
    assert_eq!(v["ok"], true);
    let web = entry(&v, "web");
    assert_eq!(web["status"], "accepted");
    assert_eq!(web["http_status"], 200);
    assert!(web["elapsed_ms"].is_u64());
    assert!(web["errors"].as_array().is_some_and(Vec::is_empty));
    assert_eq!(entry(&v, "crm")["status"], "accepted");
    // The stable keys of validate are still there.
    for key in ["entry", "systems", "violations"] {
        assert!(v.get(key).is_some(), "{key} missing: {v:#}");
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "dir has no endpoint: {requests:?}");
    let crm = requests
        .iter()
        .find(|r| r.path == "/validate/crm")
        .expect("crm asked");
    // Each system gets the record it would receive, not the entry record.
    assert_eq!(crm.method, "POST");
    assert_eq!(json(&crm.body), serde_json::json!({"login": "matti"}));
    let web = requests
        .iter()
        .find(|r| r.path == "/validate/web")
        .expect("web asked");
    assert_eq!(
        web.header("authorization"),
        Some("Bearer sekret-token-123"),
        "the dry run carries the endpoint's token"
    );
}

#[test]
fn ten_slow_endpoints_are_asked_at_once() {
    let server = Server::start(|_, _| Reply::after(Duration::from_millis(200), 200));
    let dir = tempfile::tempdir().expect("tempdir");
    let schemas = super::root().join("tests/fixtures/submit/schemas");
    let mut yaml = String::from("version: 1\nname: fan-out\nsystems:\n");
    for i in 0..10 {
        yaml.push_str(&format!(
            "  s{i}:\n    name: System {i}\n    schema: {}\n{}    endpoint:\n      validate: {}\n",
            schemas.join("dir.json").display(),
            if i == 0 { "    entry: true\n" } else { "" },
            server.url(&format!("/validate/s{i}")),
        ));
    }
    yaml.push_str("flows:\n");
    for i in 1..10 {
        yaml.push_str(&format!(
            "  - from: s0\n    to: s{i}\n    map:\n      uid: uid\n"
        ));
    }
    let path = dir.path().join("fan-out.yaml");
    std::fs::write(&path, yaml).expect("write");
    let started = Instant::now();
    let out = ripple()
        .args([
            "validate",
            &path.display().to_string(),
            "--set",
            "uid=matti",
        ])
        .args(["--live", "--format", "json"])
        .output()
        .expect("run");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let v = json(&stdout);
    let live = v["live"].as_array().cloned().unwrap_or_default();
    assert_eq!(live.len(), 10, "{v:#}");
    assert!(live.iter().all(|l| l["status"] == "accepted"), "{v:#}");
    assert_eq!(server.requests().len(), 10);
    eprintln!(
        "ten endpoints of 200 ms each: {} ms in all",
        elapsed.as_millis()
    );
    assert!(
        elapsed < Duration::from_millis(1000),
        "sequential would be 2 s; took {elapsed:?}"
    );
}

#[test]
fn a_problem_details_rejection_exits_1_with_pointers_and_masks_personal_values() {
    let server = Server::start(|r, _| {
        if r.path == "/validate/crm" {
            Reply::json(
                422,
                "application/problem+json",
                r#"{"title":"Invalid contact","detail":"mail matti@example.com is on a blocklist",
                    "errors":[{"pointer":"/mail","detail":"matti@example.com is blocked"}]}"#,
            )
        } else {
            Reply::status(200, "")
        }
    });
    let set = ["username=matti", "email=matti@example.com"];
    let (code, v, err) = live(&server, &set, &[]);
    assert_eq!(code, 1, "{v:#}{err}");
    assert_eq!(v["ok"], false);
    let crm = entry(&v, "crm");
    assert_eq!(crm["status"], "rejected");
    assert_eq!(crm["http_status"], 422);
    let errors = crm["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e["pointer"] == "/mail" && e["detail"] == "[redacted] is blocked"),
        "{v:#}"
    );
    assert!(!v.to_string().contains("matti@example.com"), "{v:#}");
    let (_, v, _) = live(&server, &set, &["--show-values"]);
    assert!(
        v.to_string().contains("matti@example.com is blocked"),
        "{v:#}"
    );
}

#[test]
fn a_json_api_rejection_is_read() {
    let server = Server::start(|r, _| {
        if r.path == "/validate/web" {
            Reply::json(
                400,
                "application/vnd.api+json",
                r#"{"errors":[{"source":{"pointer":"/username"},"title":"taken"}]}"#,
            )
        } else {
            Reply::status(200, "")
        }
    });
    let (code, v, _) = live(&server, &["username=matti"], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        entry(&v, "web")["errors"],
        serde_json::json!([{"pointer": "/username", "detail": "taken"}])
    );
}

#[test]
fn faults_make_endpoints_unreachable_and_exit_2() {
    // web hangs past its 1 s time-out; crm resets, answers garbage, 503 or trickles.
    type Fault = (&'static str, fn() -> Reply, &'static str);
    let faults: Vec<Fault> = vec![
        ("reset", || Reply::Reset, "connection"),
        ("garbage", || Reply::Garbage, "HTTP"),
        (
            "503",
            || Reply::status(503, "<h1>maintenance</h1>"),
            "HTTP 503",
        ),
        (
            "slow body",
            || Reply::SlowBody {
                every: Duration::from_millis(300),
            },
            "no answer within",
        ),
    ];
    for (name, fault, reason) in faults {
        let server = Server::start(move |r, _| {
            if r.path == "/validate/web" {
                Reply::Hang
            } else {
                fault()
            }
        });
        let started = Instant::now();
        let (code, v, err) = live(&server, &["username=matti"], &["--timeout", "1s"]);
        assert_eq!(code, 2, "{name}: {v:#}{err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{name}");
        let web = entry(&v, "web");
        assert_eq!(web["status"], "unreachable", "{name}");
        assert!(
            web["reason"]
                .as_str()
                .is_some_and(|r| r.contains("no answer within 1000 ms")),
            "{name}: {v:#}"
        );
        let crm = entry(&v, "crm");
        assert_eq!(crm["status"], "unreachable", "{name}: {v:#}");
        assert!(
            crm["reason"].as_str().is_some_and(|r| r.contains(reason)),
            "{name}: {v:#}"
        );
    }
}

#[test]
fn the_deadline_bounds_the_whole_round() {
    let server = Server::start(|_, _| Reply::Hang);
    let started = Instant::now();
    let (code, v, _) = live(
        &server,
        &["username=matti"],
        &["--timeout", "10s", "--deadline", "300ms"],
    );
    assert_eq!(code, 2);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        entry(&v, "crm")["reason"]
            .as_str()
            .is_some_and(|r| r.contains("deadline")),
        "{v:#}"
    );
}

#[test]
fn a_local_rejection_is_still_reported_with_live_results() {
    let server = Server::start(|_, _| Reply::status(200, ""));
    // dir allows 8 characters and has no endpoint: a local rejection, exit 1.
    let (code, v, _) = live(&server, &["username=mattimeikalainen"], &[]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["violations"][0]["system"], "dir");
    assert_eq!(entry(&v, "crm")["status"], "accepted");
}

#[test]
fn human_output_lists_each_endpoint() {
    let server = Server::start(|r, _| {
        if r.path == "/validate/crm" {
            Reply::json(
                422,
                "application/problem+json",
                r#"{"detail":"login taken"}"#,
            )
        } else {
            Reply::status(200, "")
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let path = pipeline(dir.path(), "shop.yaml", server.port);
    let out = ripple()
        .args([
            "validate",
            &path.display().to_string(),
            "--set",
            "username=matti",
            "--live",
        ])
        .env("RIPPLE_TEST_TOKEN", "t0k3n-value")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Live dry runs"), "{stdout}");
    assert!(stdout.contains("login taken"), "{stdout}");
    assert!(stdout.contains("✗ live: 1 endpoint rejects"), "{stdout}");
}
