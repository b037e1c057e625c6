//! `ripple validate --submit` and `ripple journal` against real servers on 127.0.0.1 with
//! faults injected: retries, idempotency keys, the journal, token secrecy and a crash.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::server::{Reply, Server, pipeline};
use super::{json, ripple};

const TOKEN: &str = "sekret-token-123";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A temporary folder with the shop pipeline pointing at `server` and a journal path.
struct Setup {
    dir: tempfile::TempDir,
    pipeline: PathBuf,
}

impl Setup {
    fn new(server: &Server) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let pipeline = pipeline(dir.path(), "shop.yaml", server.port);
        Self { dir, pipeline }
    }

    fn journal(&self) -> PathBuf {
        self.dir.path().join("state/journal.db")
    }

    fn change(&self, json: &serde_json::Value) -> PathBuf {
        let path = self.dir.path().join("change.json");
        std::fs::write(&path, json.to_string()).expect("write change");
        path
    }

    /// `ripple validate PIPELINE CHANGE --submit --journal J` plus `extra`.
    fn submit(&self, change: &serde_json::Value, extra: &[&str], token: Option<&str>) -> Run {
        let change = self.change(change);
        let mut cmd = ripple();
        cmd.args(["validate", &s(&self.pipeline), &s(&change), "--submit"])
            .args(["--journal", &s(&self.journal())])
            .args(extra)
            .env_remove("RIPPLE_TEST_TOKEN");
        if let Some(token) = token {
            cmd.env("RIPPLE_TEST_TOKEN", token);
        }
        verbose(&mut cmd, extra);
        output(&mut cmd)
    }

    fn journal_cmd(&self, args: &[&str]) -> Run {
        let mut cmd = ripple();
        cmd.arg("journal")
            .args(args)
            .args(["--journal", &s(&self.journal())])
            .env("RIPPLE_TEST_TOKEN", TOKEN);
        verbose(&mut cmd, args);
        output(&mut cmd)
    }

    /// The journal's entries as `journal list --format json` gives them.
    fn entries(&self) -> Vec<serde_json::Value> {
        let run = self.journal_cmd(&["list", "--format", "json"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        json(&run.stdout)["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// With `-v…` the logs go to stderr as a user debugging a submit would see them.
fn verbose(cmd: &mut assert_cmd::Command, args: &[&str]) {
    if args.iter().any(|a| a.starts_with("-v")) {
        cmd.env_remove("RUST_LOG");
    }
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn output(cmd: &mut assert_cmd::Command) -> Run {
    let out = cmd.output().expect("run ripple");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn change(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "key": "customer 1/2",
        "requested_by": "anna.support",
        "record": { "username": "matti", "email": "matti@example.com" }
    })
}

fn keys(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/customers/"))
        .map(|r| r.header("idempotency-key").unwrap_or("").to_owned())
        .collect()
}

#[test]
fn an_acknowledged_submit_is_sent_once_with_key_token_and_record() {
    let server = Server::start(|_, _| Reply::status(201, ""));
    let setup = Setup::new(&server);
    let run = setup.submit(&change("chg-1"), &[], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("submitted change chg-1 to web: acknowledged (HTTP 201, 1 attempt)"),
        "{}",
        run.stdout
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.path, "/customers/customer%201%2F2");
    assert_eq!(r.header("idempotency-key"), Some("chg-1"));
    assert_eq!(r.header("authorization"), Some("Bearer sekret-token-123"));
    assert_eq!(
        json(&r.body),
        serde_json::json!({"username": "matti", "email": "matti@example.com"})
    );
    let entries = setup.entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["id"], "chg-1");
    assert_eq!(entries[0]["status"], "acknowledged");
    assert_eq!(entries[0]["attempts"], 1);
    assert_eq!(entries[0]["http_status"], 201);
    assert_eq!(entries[0]["requested_by"], "anna.support");
    assert!(
        entries[0]["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.contains('T'))
    );

    // The same change again: the journal knows it is acknowledged; nothing is sent.
    let again = setup.submit(&change("chg-1"), &[], Some(TOKEN));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("already acknowledged"),
        "{}",
        again.stdout
    );
    assert_eq!(server.requests().len(), 1);

    // A different change under the same id is refused before anything is sent.
    let mut other = change("chg-1");
    other["record"]["username"] = "maija".into();
    let clash = setup.submit(&other, &[], Some(TOKEN));
    assert_eq!(clash.code, 2);
    assert!(
        clash.stderr.contains("already in the journal"),
        "{}",
        clash.stderr
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_change_without_id_gets_a_printed_one() {
    let server = Server::start(|_, _| Reply::status(200, ""));
    let setup = Setup::new(&server);
    let mut c = change("x");
    c.as_object_mut().map(|o| o.remove("id"));
    let run = setup.submit(&c, &["--format", "json"], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let v = json(&run.stdout);
    let id = v["submit"]["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {v:#}");
    assert_eq!(v["submit"]["status"], "acknowledged");
    assert_eq!(keys(&server), vec![id.clone()]);
    let shown = setup.journal_cmd(&["show", &id, "--format", "json"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    let entry = json(&shown.stdout);
    // The e-mail is x-pii: masked in machine output, also where it flowed downstream.
    assert_eq!(entry["record"]["email"], "[redacted]");
    assert_eq!(entry["record"]["username"], "matti");
    let values = entry["values"].as_array().cloned().unwrap_or_default();
    assert!(
        values
            .iter()
            .any(|v| v["system"] == "crm" && v["pointer"] == "/mail" && v["value"] == "[redacted]"),
        "{entry:#}"
    );
    assert!(
        values
            .iter()
            .any(|v| v["system"] == "dir" && v["pointer"] == "/uid" && v["value"] == "matti"),
        "{entry:#}"
    );
}

#[test]
fn a_500_then_200_is_retried_with_the_same_key() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::status(500, "oops")
        } else {
            Reply::status(200, "")
        }
    });
    let setup = Setup::new(&server);
    let run = setup.submit(&change("chg-500"), &[], Some(TOKEN));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(keys(&server), vec!["chg-500", "chg-500"]);
    let entries = setup.entries();
    assert_eq!(entries[0]["status"], "acknowledged");
    assert_eq!(entries[0]["attempts"], 2);
}

#[test]
fn a_429_waits_for_retry_after() {
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::Answer {
                delay: Duration::ZERO,
                status: 429,
                headers: vec![("Retry-After", "1".to_owned())],
                body: String::new(),
            }
        } else {
            Reply::status(200, "")
        }
    });
    let setup = Setup::new(&server);
    let started = Instant::now();
    let run = setup.submit(&change("chg-429"), &[], Some(TOKEN));
    let elapsed = started.elapsed();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(keys(&server), vec!["chg-429", "chg-429"]);
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[test]
fn transport_faults_are_retried_then_left_pending() {
    type Fault = (&'static str, fn() -> Reply, &'static str);
    let faults: Vec<Fault> = vec![
        ("hang", || Reply::Hang, "no answer within 300 ms"),
        ("reset", || Reply::Reset, "connection"),
        ("garbage", || Reply::Garbage, "HTTP"),
        (
            "slow body",
            || Reply::SlowBody {
                every: Duration::from_millis(100),
            },
            "no answer within 300 ms",
        ),
        ("503", || Reply::status(503, "down"), "HTTP 503"),
    ];
    for (name, fault, reason) in faults {
        let server = Server::start(move |_, _| fault());
        let setup = Setup::new(&server);
        let id = format!("chg-{}", name.replace(' ', "-"));
        let run = setup.submit(
            &change(&id),
            &["--attempts", "2", "--timeout", "300ms", "--format", "json"],
            Some(TOKEN),
        );
        assert_eq!(run.code, 2, "{name}: {}{}", run.stdout, run.stderr);
        let v = json(&run.stdout);
        assert_eq!(v["submit"]["status"], "pending", "{name}: {v:#}");
        assert_eq!(keys(&server), vec![id.clone(), id.clone()], "{name}");
        let entries = setup.entries();
        assert_eq!(entries[0]["status"], "pending", "{name}");
        assert_eq!(entries[0]["attempts"], 2, "{name}");
        assert!(
            entries[0]["last_error"]
                .as_str()
                .is_some_and(|e| e.contains(reason)),
            "{name}: {:#}",
            entries[0]
        );
    }
}

#[test]
fn a_4xx_is_final_and_not_retried() {
    let server = Server::start(|_, _| {
        Reply::json(
            422,
            "application/problem+json",
            r#"{"errors":[{"pointer":"/username","detail":"already taken"}]}"#,
        )
    });
    let setup = Setup::new(&server);
    let run = setup.submit(&change("chg-422"), &[], Some(TOKEN));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "web refused change chg-422 (HTTP 422, 1 attempt): HTTP 422: /username: already taken"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(server.requests().len(), 1);
    assert_eq!(setup.entries()[0]["status"], "failed");
}

#[test]
fn a_rejected_change_is_never_submitted() {
    let server = Server::start(|_, _| Reply::status(200, ""));
    let setup = Setup::new(&server);
    let mut c = change("chg-long");
    // dir allows 8 characters.
    c["record"]["username"] = "mattimeikalainen".into();
    let run = setup.submit(&c, &[], Some(TOKEN));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("not submitted"), "{}", run.stdout);
    assert!(server.requests().is_empty());
    assert!(!setup.journal().exists(), "nothing is journalled");

    // With --live, a live rejection also withholds the submit.
    let live = Server::start(|r, _| {
        if r.path == "/validate/crm" {
            Reply::json(422, "application/json", r#"{"message":"no"}"#)
        } else {
            Reply::status(200, "")
        }
    });
    let setup = Setup::new(&live);
    let run = setup.submit(&change("chg-live"), &["--live"], Some(TOKEN));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        live.requests()
            .iter()
            .all(|r| r.path.starts_with("/validate/")),
        "{:?}",
        live.requests()
    );
}

#[test]
fn an_unset_token_variable_is_named_and_nothing_is_sent() {
    let server = Server::start(|_, _| Reply::status(200, ""));
    let setup = Setup::new(&server);
    let run = setup.submit(&change("chg-notoken"), &[], None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("RIPPLE_TEST_TOKEN"), "{}", run.stderr);
    assert!(server.requests().is_empty());
    assert!(!setup.journal().exists());
}

#[test]
fn the_token_appears_nowhere_but_the_authorization_header() {
    // The server echoes the Authorization header back in its errors, the worst case.
    let server = Server::start(|r, n| {
        let echo = format!("you sent {}", r.header("authorization").unwrap_or(""));
        if n == 0 {
            Reply::status(500, &echo)
        } else {
            Reply::json(
                400,
                "application/json",
                &serde_json::json!({"detail": echo}).to_string(),
            )
        }
    });
    let setup = Setup::new(&server);
    let mut runs = vec![setup.submit(&change("chg-secret"), &["-vv"], Some(TOKEN))];
    assert_eq!(runs[0].code, 1, "{}{}", runs[0].stdout, runs[0].stderr);
    assert!(!runs[0].stderr.is_empty(), "-vv logs something");
    runs.push(setup.submit(
        &change("chg-secret-2"),
        &["-vv", "--format", "json"],
        Some(TOKEN),
    ));
    runs.push(setup.journal_cmd(&["list", "-vv"]));
    runs.push(setup.journal_cmd(&["show", "chg-secret", "--format", "json", "--show-values"]));
    let mut cmd = ripple();
    cmd.args([
        "validate",
        &s(&setup.pipeline),
        "--set",
        "username=matti",
        "--live",
        "-vvv",
    ])
    .env("RIPPLE_TEST_TOKEN", TOKEN)
    .env_remove("RUST_LOG");
    runs.push(output(&mut cmd));
    for run in &runs {
        assert!(!run.stdout.contains(TOKEN), "stdout: {}", run.stdout);
        assert!(!run.stderr.contains(TOKEN), "stderr: {}", run.stderr);
    }
    // The echo reached ripple and was scrubbed, not just absent.
    assert!(runs[0].stdout.contains("[token]"), "{}", runs[0].stdout);
    let authorized: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path != "/validate/crm")
        .collect();
    assert!(authorized.len() >= 4);
    assert!(
        authorized
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer sekret-token-123"))
    );
    let mut files = 0;
    for entry in std::fs::read_dir(setup.journal().parent().expect("parent")).expect("read dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        files += 1;
        assert!(
            !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
            "{} holds the token",
            path.display()
        );
    }
    assert!(files >= 1);
}

#[test]
fn a_crash_leaves_the_change_pending_and_resume_sends_it() {
    // The first request hangs (ripple is killed while it waits); later ones succeed.
    let server = Server::start(|_, n| {
        if n == 0 {
            Reply::Hang
        } else {
            Reply::status(200, "")
        }
    });
    let setup = Setup::new(&server);
    let change = setup.change(&change("chg-crash"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(["validate", &s(&setup.pipeline), &s(&change), "--submit"])
        .args(["--journal", &s(&setup.journal()), "--timeout", "60s"])
        .env("RIPPLE_TEST_TOKEN", TOKEN)
        .env("NO_PROXY", "127.0.0.1")
        .env("RUST_LOG", "off")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn ripple");
    // Wait until the journal says pending and the request is in flight, then kill.
    let started = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(20), "never pending");
        if pending(&setup.journal(), "chg-crash") && !keys(&server).is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(pending(&setup.journal(), "chg-crash"));

    let resume = setup.journal_cmd(&["resume"]);
    assert_eq!(resume.code, 0, "{}{}", resume.stdout, resume.stderr);
    assert!(
        resume.stdout.contains("chg-crash acknowledged"),
        "{}",
        resume.stdout
    );
    let sent = keys(&server);
    assert!(sent.iter().all(|k| k == "chg-crash"));
    assert!(!sent.is_empty() && sent.len() <= 2, "{sent:?}");
    assert_eq!(setup.entries()[0]["status"], "acknowledged");
    // Nothing pending is left: a second resume sends nothing.
    let again = setup.journal_cmd(&["resume"]);
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("nothing pending"), "{}", again.stdout);
    assert_eq!(keys(&server).len(), sent.len());
}

/// Reads the journal database directly, as another process would while ripple runs.
fn pending(journal: &Path, id: &str) -> bool {
    if !journal.exists() {
        return false;
    }
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return false;
    };
    conn.query_row("SELECT status FROM changes WHERE id = ?1", [id], |r| {
        r.get::<_, String>(0)
    })
    .is_ok_and(|s| s == "pending")
}
