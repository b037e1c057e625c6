//! The scanner's state machine and attribution, on the fixture pipeline
//! `tests/fixtures/logs/pipelines/logs.yaml` (the per-vendor message formats are tested
//! beside each preset).

use std::path::Path;

use super::*;
use crate::error::ErrorKind;
use crate::pipeline::{self, Pipeline};

fn fixture() -> Pipeline {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs/pipelines/logs.yaml");
    pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Feeds `lines` and returns (line, system, field, value, code) of every event, and the
/// unmatched count.
type Row = (u64, String, Option<String>, Option<String>, Option<String>);

fn run(p: &Pipeline, only: Option<&str>, lines: &[&str]) -> (Vec<Row>, u64) {
    let mut s = Scanner::new(p, only).unwrap_or_else(|e| panic!("{e}"));
    let mut events = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        events.extend(s.push(i as u64 + 1, line.as_bytes()));
    }
    events.extend(s.finish());
    let rows = events
        .into_iter()
        .map(|e| (e.line, e.system, e.field, e.value, e.code))
        .collect();
    (rows, s.unmatched())
}

fn row(line: u64, system: &str, field: Option<&str>, value: Option<&str>, code: &str) -> Row {
    (
        line,
        system.into(),
        field.map(Into::into),
        value.map(Into::into),
        Some(code.into()),
    )
}

#[test]
fn oracle_messages_go_to_the_system_that_knows_the_column() {
    let p = fixture();
    let (rows, unmatched) = run(
        &p,
        None,
        &[
            r#"ORA-12899: value too large for column "PAYROLL"."EMPLOYEES"."LOGIN" (actual: 15, maximum: 9)"#,
            r#"ORA-01400: cannot insert NULL into ("HR"."EMP"."EMAIL")"#,
            r#"ORA-01400: cannot insert NULL into ("X"."OTHER"."EMAIL")"#,
            r#"ORA-01400: cannot insert NULL into ("X"."OTHER"."NOPE")"#,
        ],
    );
    assert_eq!(
        rows,
        [
            row(1, "payroll", Some("/login"), None, "ORA-12899"),
            row(2, "hr", Some("/email"), None, "ORA-01400"),
            // both schemas have `email`: the first declared wins
            row(3, "payroll", Some("/email"), None, "ORA-01400"),
            row(4, "payroll", None, None, "ORA-01400"),
        ]
    );
    assert_eq!(unmatched, 0);
}

#[test]
fn only_attributes_every_line_to_one_system() {
    let p = fixture();
    let line = r#"ORA-12899: value too large for column "PAYROLL"."EMPLOYEES"."LOGIN" (actual: 15, maximum: 9)"#;
    let (rows, _) = run(&p, Some("hr"), &[line]);
    assert_eq!(rows, [row(1, "hr", Some("/login"), None, "ORA-12899")]);
    // `web` declares no errors: every preset is tried for it
    let (rows, _) = run(
        &p,
        Some("web"),
        &[line, "ERROR 1048 (23000): Column 'email' cannot be null"],
    );
    assert_eq!(
        rows,
        [
            row(1, "web", None, None, "ORA-12899"),
            row(2, "web", Some("/email"), None, "1048"),
        ]
    );
    // `payroll` only knows Oracle: a MySQL line is unmatched
    let (rows, unmatched) = run(
        &p,
        Some("payroll"),
        &["ERROR 1048 (23000): Column 'email' cannot be null"],
    );
    assert!(rows.is_empty());
    assert_eq!(unmatched, 1);
}

#[test]
fn bad_setups_are_errors() {
    let p = fixture();
    let e = Scanner::new(&p, Some("nope")).err().unwrap();
    assert_eq!(e.kind, ErrorKind::UnknownSystem);
    assert!(e.help.unwrap_or_default().contains("payroll"));

    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic/pipelines/basic.yaml");
    let basic = pipeline::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let e = Scanner::new(&basic, None).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Usage);
}

#[test]
fn a_postgres_error_holds_later_events_until_it_is_complete() {
    let p = fixture();
    let (rows, unmatched) = run(
        &p,
        None,
        &[
            "2026-11-20 02:00:13.123 UTC [4242] ERROR:  value too long for type character varying(8)",
            r#"ORA-01400: cannot insert NULL into ("HR"."EMP"."EMAIL")"#,
            "2026-11-20 02:00:13.124 UTC [4242] STATEMENT:  INSERT INTO users (uid) VALUES ('matti.meikalainen')",
            "2026-11-20 02:00:13.200 UTC [4243] DETAIL:  a detail of nothing",
        ],
    );
    assert_eq!(
        rows,
        [
            row(
                1,
                "directory",
                Some("/uid"),
                Some("matti.meikalainen"),
                "22001"
            ),
            row(2, "hr", Some("/email"), None, "ORA-01400"),
        ]
    );
    assert_eq!(unmatched, 1, "a DETAIL of another backend");
}

#[test]
fn a_postgres_error_stops_taking_lines_after_its_window_or_its_backends_next_message() {
    let p = fixture();
    let mut lines = vec![
        "2026-11-20 02:00:13.123 UTC [1] ERROR:  value too long for type character varying(8)",
    ];
    lines.extend(std::iter::repeat_n("noise", 20));
    lines.push("2026-11-20 02:00:13.124 UTC [1] STATEMENT:  INSERT INTO users (uid) VALUES ('matti.meikalainen')");
    lines.push(
        "2026-11-20 02:00:14.000 UTC [2] ERROR:  value too long for type character varying(8)",
    );
    lines.push("2026-11-20 02:00:14.000 UTC [2] LOG:  something else");
    lines.push("2026-11-20 02:00:14.000 UTC [2] STATEMENT:  INSERT INTO users (uid) VALUES ('matti.meikalainen')");
    let (rows, unmatched) = run(&p, None, &lines);
    assert_eq!(
        rows,
        [
            row(1, "directory", Some("/uid"), None, "22001"),
            row(23, "directory", Some("/uid"), None, "22001"),
        ]
    );
    assert_eq!(unmatched, 20 + 1 + 2);
}

#[test]
fn sqlserver_header_without_its_text_is_still_an_event() {
    let p = fixture();
    let (rows, unmatched) = run(
        &p,
        None,
        &[
            "Msg 2628, Level 16, State 1, Line 1",
            "something else",
            "Msg 515, Level 16, State 2, Line 1",
        ],
    );
    assert_eq!(
        rows,
        [
            row(1, "shop", None, None, "2628"),
            row(3, "shop", None, None, "515")
        ]
    );
    assert_eq!(unmatched, 1);
}

#[test]
fn blank_lines_are_not_unmatched_and_end_expectations() {
    let p = fixture();
    let (rows, unmatched) = run(
        &p,
        None,
        &[
            "ldap_modify: Constraint violation (19)",
            "",
            "\tadditional info: modify breaks constraint on uid",
        ],
    );
    assert_eq!(rows, [row(1, "ad", None, None, "LDAP 19")]);
    assert_eq!(unmatched, 1);
}

#[test]
fn scan_counts_lines_bytes_and_lists_unmatched_lines_shortened() {
    let p = fixture();
    let mut s = Scanner::new(&p, None).unwrap_or_else(|e| panic!("{e}"));
    let long = "x".repeat(500);
    let mut bytes =
        format!("ERROR 1048 (23000): Column 'email' cannot be null\r\n{long}\n\n").into_bytes();
    bytes.extend(b"caf\xe9");
    let (mut events, mut unmatched) = (Vec::new(), Vec::new());
    let stats = scan(
        &mut s,
        bytes.as_slice(),
        |e| events.push(e),
        |n, text| unmatched.push((n, text.to_owned())),
    )
    .unwrap();
    assert_eq!(
        stats,
        Stats {
            lines: 4,
            bytes: bytes.len() as u64,
            events: 1,
            unmatched: 2
        }
    );
    assert_eq!(
        events[0].message,
        "ERROR 1048 (23000): Column 'email' cannot be null"
    );
    assert_eq!(unmatched[0].0, 2);
    assert!(unmatched[0].1.ends_with("(380 more characters)"));
    assert_eq!(unmatched[1], (4, "caf\u{fffd}".to_owned()));
}

#[test]
fn display_shortens_like_shorten() {
    let mut buf = String::new();
    assert_eq!(display(b"  short line \t", &mut buf), "short line");
    assert_eq!(display(b"caf\xe9", &mut buf), "caf\u{fffd}");
    for long in ["x".repeat(500), "ä".repeat(121), "ä".repeat(120)] {
        assert_eq!(
            display(long.as_bytes(), &mut buf),
            crate::text::shorten(&long)
        );
    }
}

/// Events and unmatched lines of `text` fed line by line through `push`.
fn by_push(p: &Pipeline, text: &[u8]) -> (Vec<LogEvent>, Vec<u64>) {
    let mut s = Scanner::new(p, None).unwrap_or_else(|e| panic!("{e}"));
    let mut events = Vec::new();
    let mut unmatched = Vec::new();
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let before = s.unmatched();
        events.extend(s.push(i as u64 + 1, strip_line_break(line)));
        if s.unmatched() > before {
            unmatched.push(i as u64 + 1);
        }
    }
    events.extend(s.finish());
    (events, unmatched)
}

#[test]
fn scan_agrees_with_push_whatever_the_buffer_size() {
    let p = fixture();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs");
    let mut all = Vec::new();
    for name in ["oracle", "postgres", "mysql", "sqlserver", "ldap", "custom"] {
        let text = std::fs::read(dir.join(format!("{name}.log"))).unwrap();
        all.extend_from_slice(&text);
        if !all.ends_with(b"\n") {
            all.push(b'\n');
        }
    }
    let expected = by_push(&p, &all);
    assert!(expected.0.len() > 20);
    for capacity in [1, 7, 64, 1000, 1 << 16] {
        let mut s = Scanner::new(&p, None).unwrap_or_else(|e| panic!("{e}"));
        let (mut events, mut unmatched) = (Vec::new(), Vec::new());
        let reader = std::io::BufReader::with_capacity(capacity, all.as_slice());
        let stats = scan(&mut s, reader, |e| events.push(e), |n, _| unmatched.push(n)).unwrap();
        assert_eq!(
            (&events, &unmatched),
            (&expected.0, &expected.1),
            "capacity {capacity}"
        );
        assert_eq!(stats.bytes, all.len() as u64);
    }
}

/// Writes and loads a pipeline `web` → `sync` (the fixtures' schemas, `uid: username`)
/// whose `sync` has the custom error `patterns`, in `dir`.
fn with_custom_patterns(dir: &Path, name: &str, patterns: &[&str]) -> pipeline::Pipeline {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs/schemas");
    let errors: String = patterns
        .iter()
        .map(|p| format!("      - pattern: '{p}'\n"))
        .collect();
    let text = format!(
        "version: 1\nname: {name}\nsystems:\n  web:\n    name: Web\n    schema: {web}\n    entry: true\n  sync:\n    name: Sync\n    schema: {openldap}\n    errors:\n{errors}flows:\n  - from: web\n    to: sync\n    map:\n      uid: username\n",
        web = schemas.join("web.json").display(),
        openldap = schemas.join("openldap.json").display(),
    );
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn anchored_custom_patterns_match_on_every_line_of_a_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let p = with_custom_patterns(
        dir.path(),
        "anchored",
        &[r#"^REJECT (?P<field>\w+): "(?P<value>[^"]*)"$"#],
    );
    let log = b"noise\nREJECT uid: \"abc\"\r\nnot REJECT uid: \"x\"\nREJECT uid: \"def\"\n";
    let mut s = Scanner::new(&p, None).unwrap_or_else(|e| panic!("{e}"));
    let mut events = Vec::new();
    let reader = std::io::BufReader::new(log.as_slice());
    let stats = scan(&mut s, reader, |e| events.push(e), |_, _| {}).unwrap();
    let found: Vec<(u64, Option<&str>)> = events
        .iter()
        .map(|e| (e.line, e.value.as_deref()))
        .collect();
    assert_eq!(found, [(2, Some("abc")), (4, Some("def"))]);
    assert_eq!(stats.unmatched, 2);
}

#[test]
fn scan_listing_lists_the_first_unmatched_lines_and_counts_them_all() {
    let p = fixture();
    let log =
        b"a\nb\nORA-12899: value too large for column \"LOGIN\" (actual: 10, maximum: 9)\nc\nd\n";
    let mut all = Vec::new();
    let mut s = Scanner::new(&p, None).unwrap_or_else(|e| panic!("{e}"));
    let full = scan(
        &mut s,
        log.as_slice(),
        |_| {},
        |n, t| all.push((n, t.to_owned())),
    )
    .unwrap();
    assert_eq!(all.len(), 4);
    let mut listed = Vec::new();
    let mut s = Scanner::new(&p, None).unwrap_or_else(|e| panic!("{e}"));
    let stats = super::scan_listing(
        &mut s,
        log.as_slice(),
        |_| {},
        |n, t| listed.push((n, t.to_owned())),
        2,
    )
    .unwrap();
    assert_eq!(listed, all[..2]);
    assert_eq!(stats, full);
}

#[test]
fn a_custom_pattern_that_could_span_lines_matches_within_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = with_custom_patterns(
        dir.path(),
        "spanning",
        &[
            r"REJECT(?s:.)*?uid=(?P<value>[^;]*);",
            r"DROP\s+(?P<value>\S+)\n",
        ],
    );
    let log: &[u8] = b"noise REJECT\nuid=a;\nx REJECT then uid=b; y\nREJECT\r\nuid=c;\r\nDROP\nuid=d;\nDROP  e\nREJECT uid=f\n;\n";
    let expected = by_push(&p, log);
    let found: Vec<(u64, Option<&str>)> = expected
        .0
        .iter()
        .map(|e| (e.line, e.value.as_deref()))
        .collect();
    assert_eq!(found, [(3, Some("b"))]);
    for capacity in [1, 5, 16, 1 << 16] {
        let mut s = Scanner::new(&p, None).unwrap_or_else(|e| panic!("{e}"));
        let (mut events, mut unmatched) = (Vec::new(), Vec::new());
        let reader = std::io::BufReader::with_capacity(capacity, log);
        scan(&mut s, reader, |e| events.push(e), |n, _| unmatched.push(n)).unwrap();
        assert_eq!(
            (&events, &unmatched),
            (&expected.0, &expected.1),
            "capacity {capacity}"
        );
    }
}
