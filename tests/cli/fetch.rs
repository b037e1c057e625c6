//! `ripple validate --fetch-current` against real servers on 127.0.0.1: the record read from
//! the entry system's `endpoint.read` is what the change is merged into; 404, refused
//! tokens, hangs and 503s end as the README says, and the token is never printed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::server::{Reply, Server};
use super::{json, ripple, root};

const TOKEN: &str = "sekret-token-123";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts the token is in neither stdout nor stderr.
    fn no_token(&self) {
        assert!(!self.stdout.contains(TOKEN), "stdout: {}", self.stdout);
        assert!(!self.stderr.contains(TOKEN), "stderr: {}", self.stderr);
    }
}

/// `tests/fixtures/current/pipelines/shop.yaml` in a temporary folder, its schemas found
/// where they are and its entry system reading from `read` on the server.
fn pipeline(dir: &Path, server: &Server, read: &str) -> PathBuf {
    let fixtures = root().join("tests/fixtures/current");
    let text = std::fs::read_to_string(fixtures.join("pipelines/shop.yaml")).expect("shop.yaml");
    let schemas = fixtures.join("schemas").display().to_string();
    let endpoint = format!(
        "entry: true,\n    endpoint: {{ read: \"{}\", token_env: RIPPLE_TEST_TOKEN, timeout_ms: 3000 }} }}",
        server.url(read)
    );
    let text = text
        .replace("../schemas", &schemas)
        .replace("entry: true }", &endpoint);
    let path = dir.join("shop.yaml");
    std::fs::write(&path, text).expect("write pipeline");
    path
}

/// `ripple validate PIPELINE city-only.json --fetch-current` plus `extra`, with the token
/// set (unless `token` is `None`) and logs on at `-vv` so they are checked for the token too.
fn fetch(server: &Server, read: &str, extra: &[&str], token: Option<&str>) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = pipeline(dir.path(), server, read);
    let mut cmd = ripple();
    cmd.args(["validate", &path.display().to_string()])
        .arg(root().join("tests/fixtures/current/city-only.json"))
        .arg("--fetch-current")
        .args(extra)
        .env_remove("RUST_LOG")
        .env_remove("RIPPLE_TEST_TOKEN");
    if !extra.iter().any(|a| a.starts_with("-v")) {
        cmd.arg("-vv");
    }
    if let Some(token) = token {
        cmd.env("RIPPLE_TEST_TOKEN", token);
    }
    let out = cmd.output().expect("run ripple");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fixture_record(name: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/current").join(name)).expect("fixture")
}

/// Answers every request with the current record `name` (a fixture).
fn serving(name: &str) -> Server {
    let body = fixture_record(name);
    Server::start(move |_, _| Reply::json(200, "application/json", &body))
}

const READ: &str = "/customers/{key}";

#[test]
fn the_record_read_is_what_the_change_is_merged_into() {
    // 73230 + " " + a 27-character city is 33 characters: the warehouse's line3 holds 30.
    let server = serving("current.json");
    let run = fetch(&server, READ, &[], Some(TOKEN));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("73230 Kirchheim unter Teck-Nabern"),
        "{}",
        run.stdout
    );
    run.no_token();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/customers/100234");
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer sekret-token-123")
    );

    // With a short postal code the merged record fits everywhere.
    let server = serving("current-short.json");
    let run = fetch(&server, READ, &["--format", "json", "-v"], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let v = json(&run.stdout);
    let warehouse = v["systems"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["system"] == "warehouse"))
        .expect("warehouse");
    assert_eq!(
        warehouse["record"]["line3"],
        "D1 Kirchheim unter Teck-Nabern"
    );
    run.no_token();
}

#[test]
fn the_key_is_percent_encoded_and_key_overrides_the_change() {
    let server = serving("current-short.json");
    let run = fetch(&server, READ, &["--key", "a b/ä"], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(server.requests()[0].path, "/customers/a%20b%2F%C3%A4");
}

#[test]
fn no_record_is_exit_2_naming_the_key_and_the_system() {
    let server = Server::start(|_, _| Reply::status(404, "not found"));
    let run = fetch(&server, READ, &[], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        "`shop` has no record `100234` (HTTP 404 from {})",
        server.url("/customers/100234")
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(server.requests().len(), 1, "a 404 is not retried");
    run.no_token();
}

#[test]
fn a_refused_token_is_exit_2_naming_the_variable_not_the_token() {
    // The server echoes the Authorization header back, the worst case.
    for status in [401, 403] {
        let server = Server::start(move |r, _| {
            let echo = format!(
                "bad credentials: {}",
                r.header("authorization").unwrap_or("")
            );
            Reply::status(status, &echo)
        });
        let run = fetch(&server, READ, &[], Some(TOKEN));
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("`shop` refused the token from `RIPPLE_TEST_TOKEN`"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("HTTP {status}")),
            "{}",
            run.stderr
        );
        run.no_token();
    }
}

#[test]
fn a_server_that_hangs_is_exit_2_within_the_time_out() {
    let server = Server::start(|_, _| Reply::Hang);
    let started = Instant::now();
    let run = fetch(
        &server,
        READ,
        &["--timeout", "300ms", "--attempts", "2"],
        Some(TOKEN),
    );
    let elapsed = started.elapsed();
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "could not read the current record from `shop` at {}: no answer within 300 ms (2 attempts)",
            server.url("/customers/100234")
        )),
        "{}",
        run.stderr
    );
    // Two time-outs and at most one 250 ms backoff, not the endpoint's 3 s.
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    assert_eq!(server.requests().len(), 2);
    run.no_token();
}

#[test]
fn a_503_then_the_record_succeeds_with_two_requests() {
    let body = fixture_record("current-short.json");
    let server = Server::start(move |r, n| {
        if n == 0 {
            let echo = format!("busy, {}", r.header("authorization").unwrap_or(""));
            Reply::Answer {
                delay: Duration::ZERO,
                status: 503,
                headers: vec![("Retry-After", "0".to_owned())],
                body: echo,
            }
        } else {
            Reply::json(200, "application/json", &body)
        }
    });
    let run = fetch(&server, READ, &[], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer sekret-token-123"))
    );
    run.no_token();
}

#[test]
fn only_503s_are_exit_2_after_the_last_attempt() {
    let server = Server::start(|_, _| Reply::Answer {
        delay: Duration::ZERO,
        status: 503,
        headers: vec![("Retry-After", "0".to_owned())],
        body: String::new(),
    });
    let run = fetch(&server, READ, &["--attempts", "3"], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("could not read the current record from `shop`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("HTTP 503 (3 attempts)"),
        "{}",
        run.stderr
    );
    assert_eq!(server.requests().len(), 3);
    run.no_token();
}

#[test]
fn an_answer_that_is_not_a_record_is_exit_2_naming_system_and_url() {
    let server = Server::start(|_, _| Reply::json(200, "application/json", "[1, 2]"));
    let run = fetch(&server, READ, &[], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let expected = format!(
        "`shop` answered {} with a JSON array, not a record (a JSON object)",
        server.url("/customers/100234")
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    run.no_token();
}

#[test]
fn an_unset_token_variable_is_named_and_nothing_is_sent() {
    let server = serving("current.json");
    let run = fetch(&server, READ, &[], None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("RIPPLE_TEST_TOKEN"), "{}", run.stderr);
    assert!(server.requests().is_empty());
}

#[test]
fn no_key_is_a_usage_error_with_help() {
    let server = serving("current.json");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = pipeline(dir.path(), &server, READ);
    let out = ripple()
        .args(["validate", &path.display().to_string()])
        .args(["--set", "address.city=Ulm", "--fetch-current"])
        .env("RIPPLE_TEST_TOKEN", TOKEN)
        .output()
        .expect("run ripple");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("needs the record's key"), "{stderr}");
    assert!(stderr.contains("help: "), "{stderr}");
    assert!(server.requests().is_empty());
}

#[test]
fn fetch_current_conflicts_with_current_and_create() {
    let server = serving("current.json");
    for flag in [
        vec!["--current", "tests/fixtures/current/current.json"],
        vec!["--create"],
    ] {
        let run = fetch(&server, READ, &flag, Some(TOKEN));
        assert_eq!(run.code, 2, "{flag:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_read_url_with_another_placeholder_does_not_load() {
    let server = serving("current.json");
    let run = fetch(&server, "/customers/{id}", &[], Some(TOKEN));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("`shop`'s `endpoint.read` has a placeholder other than `{key}`"),
        "{}",
        run.stderr
    );
    assert!(server.requests().is_empty());
}

/// Runs `validate PIPELINE CHANGE --fetch-current` with `change` written to a file.
fn fetch_change(server: &Server, change: &serde_json::Value) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = pipeline(dir.path(), server, READ);
    let change_path = dir.path().join("change.json");
    std::fs::write(&change_path, change.to_string()).expect("write change");
    let out = ripple()
        .args(["validate", &path.display().to_string()])
        .arg(&change_path)
        .arg("--fetch-current")
        .env("RIPPLE_TEST_TOKEN", TOKEN)
        .output()
        .expect("run ripple");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_record_read_replaces_a_current_the_change_carries_and_a_create_is_refused() {
    let server = serving("current-short.json");
    let long: serde_json::Value =
        serde_json::from_str(&fixture_record("current.json")).expect("current.json");
    let change = serde_json::json!({
        "key": "100234",
        "record": { "address": { "city": "Kirchheim unter Teck-Nabern" } },
        "current": long,
    });
    let run = fetch_change(&server, &change);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(server.requests().len(), 1);

    let create = serde_json::json!({
        "key": "100234",
        "op": "create",
        "record": { "address": { "city": "Ulm" } },
    });
    let run = fetch_change(&server, &create);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("a create has no current record to fetch"),
        "{}",
        run.stderr
    );
    assert_eq!(server.requests().len(), 1, "nothing read for a create");
}
