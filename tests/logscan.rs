//! Scanning the fixture logs (`tests/fixtures/logs/*.log`, in the vendors' real formats with
//! the noise around them) against `tests/fixtures/logs/pipelines/logs.yaml`: every event
//! and the number of unmatched lines.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use ripple::logscan::{LogEvent, Scanner, Stats, scan};
use ripple::pipeline;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs")
}

/// (line, system, field, value, code)
type Row = (
    u64,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

fn scan_file(name: &str) -> (Vec<LogEvent>, Vec<(u64, String)>, Stats) {
    let pipeline =
        pipeline::load(&dir().join("pipelines/logs.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut scanner = Scanner::new(&pipeline, None).unwrap_or_else(|e| panic!("{e}"));
    let file = File::open(dir().join(name)).unwrap();
    let (mut events, mut unmatched) = (Vec::new(), Vec::new());
    let stats = scan(
        &mut scanner,
        BufReader::new(file),
        |e| events.push(e),
        |n, text| unmatched.push((n, text.to_owned())),
    )
    .unwrap();
    assert_eq!(stats.events, events.len() as u64);
    assert_eq!(stats.unmatched, unmatched.len() as u64);
    assert_eq!(stats.unmatched, scanner.unmatched());
    (events, unmatched, stats)
}

fn check(name: &str, expected: &[Row], unmatched_lines: &[u64]) -> Vec<LogEvent> {
    let (events, unmatched, _) = scan_file(name);
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.line,
                e.system.as_str(),
                e.field.as_deref(),
                e.value.as_deref(),
                e.code.as_deref(),
            )
        })
        .collect();
    let expected: Vec<_> = expected
        .iter()
        .map(|&(l, s, f, v, c)| (l, s, f, v, (!c.is_empty()).then_some(c)))
        .collect();
    assert_eq!(rows, expected, "{name}");
    let lines: Vec<u64> = unmatched.iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, unmatched_lines, "{name}: {unmatched:#?}");
    events
}

#[test]
fn oracle() {
    let events = check(
        "oracle.log",
        &[
            (3, "payroll", Some("/login"), None, "ORA-12899"),
            (6, "payroll", Some("/display_name"), None, "ORA-12899"),
            (7, "hr", Some("/email"), None, "ORA-01400"),
            (10, "payroll", None, None, "ORA-12899"),
        ],
        &[1, 2, 4, 5, 8, 9, 11],
    );
    assert_eq!((events[0].actual, events[0].limit), (Some(15), Some(9)));
    assert!(
        events[0]
            .message
            .starts_with("2026-11-20 02:00:02,551 ERROR")
    );
}

#[test]
fn postgres() {
    let events = check(
        "postgres.log",
        &[
            (
                2,
                "directory",
                Some("/uid"),
                Some("matti.meikalainen"),
                "22001",
            ),
            (4, "directory", Some("/email"), None, "23502"),
            (
                // The UPDATE names the column (`SET title = …`).
                7,
                "directory",
                Some("/title"),
                Some("Senior Vice President of Customer Identity and Directory Services, EMEA"),
                "22001",
            ),
            (
                12,
                "directory",
                Some("/uid"),
                Some("aleksanteri.k"),
                "22001",
            ),
            (16, "directory", Some("/uid"), None, "22001"),
        ],
        &[1, 9, 10, 11, 13, 18],
    );
    assert_eq!((events[0].limit, events[0].actual), (Some(8), Some(17)));
    assert_eq!(events[2].limit, Some(64));
}

#[test]
fn mysql() {
    check(
        "mysql.log",
        &[
            (2, "crm", Some("/login"), None, "1406"),
            (3, "crm", Some("/name"), Some("😀"), "1366"),
            (4, "crm", Some("/name"), Some(r"\xE4ij\xE4..."), "1366"),
            (5, "crm", Some("/email"), None, "1048"),
            (9, "crm", Some("/login"), None, "1406"),
        ],
        &[1, 6, 7, 8],
    );
}

#[test]
fn sqlserver() {
    let events = check(
        "sqlserver.log",
        &[
            (
                2,
                "shop",
                Some("/name"),
                Some("Väinö Ilmari Meikäläi"),
                "2628",
            ),
            (5, "shop", Some("/email"), None, "515"),
            (
                11,
                "shop",
                Some("/name"),
                Some("Anna-Kaisa Wallenius-"),
                "2628",
            ),
            (12, "shop", None, None, "8152"),
        ],
        &[1, 8, 9, 10],
    );
    assert!(events[0].value_prefix);
    assert!(events[0].message.starts_with("String or binary data"));
    assert!(!events[1].value_prefix);
}

#[test]
fn ldap() {
    let events = check(
        "ldap.log",
        &[
            (2, "openldap", Some("/uid"), None, "LDAP 19"),
            (6, "openldap", Some("/mail"), None, "LDAP 21"),
            (9, "openldap", Some("/uid"), None, "LDAP 19"),
            (11, "ad", Some("/sAMAccountName"), None, "LDAP 80"),
            // `cn` is in both directories' schemas: the first declared wins
            (12, "ad", Some("/cn"), None, "LDAP 19"),
            (16, "ad", None, None, "LDAP 19"),
        ],
        &[1, 5, 10, 14, 15],
    );
    assert!(
        events[0]
            .message
            .ends_with("additional info: modify breaks constraint on uid")
    );
}

#[test]
fn custom_patterns() {
    let (events, unmatched, _) = scan_file("custom.log");
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            (
                e.line,
                e.system.as_str(),
                e.field.as_deref(),
                e.value.as_deref(),
                e.key.as_deref(),
                e.code.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                2,
                "sync",
                Some("/uid"),
                Some("matti.meikalainen"),
                Some("cn=matti"),
                None
            ),
            (
                3,
                "sync",
                Some("/uid"),
                Some("tiina.teekkari.ext"),
                Some("cn=tiina"),
                None
            ),
            (4, "sync", Some("/mail"), None, Some("cn=ville"), None),
        ]
    );
    let lines: Vec<u64> = unmatched.iter().map(|(n, _)| *n).collect();
    assert_eq!(lines, [1, 5, 6, 7]);
    assert!(
        unmatched[3].1.ends_with("P\u{fffd}ivi"),
        "invalid UTF-8 is decoded lossily"
    );
}

#[test]
fn every_fixture_log_is_checked() {
    let mut logs: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".log"))
        .collect();
    logs.sort();
    assert_eq!(
        logs,
        [
            "custom.log",
            "ldap.log",
            "mysql.log",
            "oracle.log",
            "postgres.log",
            "sqlserver.log"
        ]
    );
}
