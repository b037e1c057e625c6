//! PostgreSQL server logs with a `log_line_prefix` that shows the pid (the default `%m [%p] `
//! does): `… [4242] ERROR:  value too long for type character varying(8)`, followed by
//! `… [4242] STATEMENT:  INSERT …` (22001), and `ERROR:  null value in column "email" of
//! relation "emp" violates not-null constraint` with `DETAIL:  Failing row contains (…)`
//! (23502). The lines after an ERROR with the same pid (DETAIL, STATEMENT, HINT, CONTEXT,
//! QUERY, LOCATION) belong to it.
//!
//! 22001 names no column. The rejected value is the statement's only string literal longer
//! than the type's length, when there is exactly one; the column is the one an
//! `INSERT INTO t (cols) VALUES (…)` puts that literal in. Anything less certain is left out.

use regex::Regex;

use super::preset::{Hit, message, regex};
use super::statement::Statement;
use crate::error::Error;

/// Longest statement kept for finding the rejected literal; past it the value is not
/// guessed (constant memory on a log of 50 MB statements).
const MAX_STATEMENT: usize = 1 << 20;

/// The severities whose lines continue the preceding message of the same backend.
const CONTINUATIONS: [&str; 6] = [
    "DETAIL",
    "STATEMENT",
    "HINT",
    "CONTEXT",
    "QUERY",
    "LOCATION",
];

/// Every severity keyword.
const SEVERITIES: &str = "ERROR|DETAIL|STATEMENT|HINT|CONTEXT|QUERY|LOCATION|LOG|WARNING|FATAL|PANIC|NOTICE|INFO|DEBUG[1-5]?";

/// Any PostgreSQL log line, for the gate used while an event waits for its continuation.
pub(super) fn any_line() -> String {
    format!("(?:{SEVERITIES}):  ")
}

/// The compiled PostgreSQL expressions.
#[derive(Debug)]
pub(super) struct Postgres {
    line: Regex,
    pid: Regex,
    too_long: Regex,
    null: Regex,
}

/// One PostgreSQL log line, split at its severity.
#[derive(Debug, PartialEq)]
pub(super) struct PgLine<'a> {
    /// The backend's pid from the prefix, when the prefix shows it.
    pub pid: Option<&'a str>,
    /// `ERROR`, `DETAIL`, `STATEMENT`, …
    pub severity: &'a str,
    /// The text after the severity.
    pub text: &'a str,
}

impl PgLine<'_> {
    /// Whether this line continues the message before it.
    pub(super) fn is_continuation(&self) -> bool {
        CONTINUATIONS.contains(&self.severity)
    }
}

impl Postgres {
    pub(super) fn new() -> Result<Self, Error> {
        Ok(Self {
            line: regex(&format!(r"^(.*?)\b({SEVERITIES}):  (.*)$"))?,
            pid: regex(r"\[(\d+)\]")?,
            too_long: regex(r"^value too long for type character(?: varying)?\((\d+)\)")?,
            null: regex(
                r#"^null value in column "((?:[^"]|"")*)"(?: of relation "((?:[^"]|"")*)")? violates not-null constraint"#,
            )?,
        })
    }

    /// The line split at its severity, if it is a PostgreSQL log line.
    pub(super) fn line<'a>(&self, line: &'a str) -> Option<PgLine<'a>> {
        // Every PostgreSQL line has `SEVERITY:  ` (two spaces); the other backends' lines
        // seldom have `:  ` and skip the capturing expression, which every candidate line
        // meets (on a dense log of every backend it was a third of the time; README,
        // "Benchmarks").
        static SEPARATOR: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new(":  "));
        SEPARATOR.find(line.as_bytes())?;
        let c = self.line.captures(line)?;
        let prefix = c.get(1)?.as_str();
        Some(PgLine {
            pid: self
                .pid
                .captures(prefix)
                .and_then(|p| p.get(1))
                .map(|m| m.as_str()),
            severity: c.get(2)?.as_str(),
            text: c.get(3)?.as_str(),
        })
    }

    /// The error an `ERROR` line's text reports, if ripple knows it.
    pub(super) fn error(&self, text: &str, line: &str) -> Option<Hit> {
        if let Some(c) = self.too_long.captures(text) {
            return Some(Hit {
                code: "22001".into(),
                limit: c.get(1)?.as_str().parse().ok(),
                message: message(line),
                by_limit: true,
                ..Hit::default()
            });
        }
        let c = self.null.captures(text)?;
        Some(Hit {
            code: "23502".into(),
            column: Some(c.get(1)?.as_str().replace("\"\"", "\"")),
            table: c.get(2).map(|t| t.as_str().replace("\"\"", "\"")),
            message: message(line),
            ..Hit::default()
        })
    }
}

/// An ERROR waiting for the lines that continue it.
#[derive(Debug)]
pub(super) struct Pending {
    /// The ERROR line's number.
    pub line: u64,
    /// The last line that belonged to it.
    pub last: u64,
    /// The backend's pid.
    pub pid: Option<String>,
    /// What the ERROR line said.
    pub hit: Hit,
    statement: Option<String>,
    overflow: bool,
}

impl Pending {
    /// A new pending event for the ERROR at `line`.
    pub(super) fn new(line: u64, pid: Option<&str>, hit: Hit) -> Self {
        Self {
            line,
            last: line,
            pid: pid.map(str::to_owned),
            hit,
            statement: None,
            overflow: false,
        }
    }

    /// Adds a continuation line of `severity` with `text`.
    pub(super) fn add(&mut self, line: u64, severity: &str, text: &str) {
        self.last = line;
        if severity == "STATEMENT" {
            self.statement = None;
            self.overflow = false;
            self.append(text);
        }
    }

    /// Adds a raw line of a statement that spans several lines.
    pub(super) fn add_statement_line(&mut self, line: u64, text: &str) {
        self.last = line;
        self.append("\n");
        self.append(text);
    }

    fn append(&mut self, text: &str) {
        let statement = self.statement.get_or_insert_with(String::new);
        if statement.len() + text.len() > MAX_STATEMENT {
            self.overflow = true;
        } else {
            statement.push_str(text);
        }
    }

    /// The hit, with the statement it failed on when that was logged whole.
    pub(super) fn finish(self) -> Hit {
        let mut hit = self.hit;
        if let (Some(sql), false) = (self.statement, self.overflow) {
            hit.statement = Some(Statement::new(&sql));
        }
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg() -> Postgres {
        Postgres::new().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn lines_split_at_the_severity_and_keep_the_pid() {
        let pg = pg();
        let l = pg
            .line("2026-11-20 02:00:13.123 UTC [4242] ERROR:  value too long for type character varying(8)")
            .unwrap();
        assert_eq!(
            (l.pid, l.severity, l.text),
            (
                Some("4242"),
                "ERROR",
                "value too long for type character varying(8)"
            )
        );
        let l = pg
            .line(
                "2026-11-20 02:00:13.123 UTC [4242] STATEMENT:  INSERT INTO t VALUES ('ERROR:  x')",
            )
            .unwrap();
        assert_eq!(l.severity, "STATEMENT");
        assert!(l.is_continuation());
        assert!(pg.line("ERROR: one space is not PostgreSQL").is_none());
    }

    #[test]
    fn errors() {
        let pg = pg();
        let h = pg
            .error("value too long for type character varying(8)", "")
            .unwrap();
        assert_eq!(
            (h.code.as_str(), h.limit, h.by_limit),
            ("22001", Some(8), true)
        );
        let h = pg
            .error("value too long for type character(2)", "")
            .unwrap();
        assert_eq!(h.limit, Some(2));
        let h = pg
            .error(
                r#"null value in column "email" of relation "emp" violates not-null constraint"#,
                "",
            )
            .unwrap();
        assert_eq!(
            (h.code.as_str(), h.table.as_deref(), h.column.as_deref()),
            ("23502", Some("emp"), Some("email"))
        );
        let h = pg
            .error(
                r#"null value in column "email" violates not-null constraint"#,
                "",
            )
            .unwrap();
        assert_eq!((h.table, h.column.as_deref()), (None, Some("email")));
        for text in [
            "value too long for type bit varying(3)",
            r#"duplicate key value violates unique constraint "users_pkey""#,
            r#"new row for relation "emp" violates check constraint "emp_email_check""#,
        ] {
            assert_eq!(pg.error(text, ""), None, "{text}");
        }
    }
}
