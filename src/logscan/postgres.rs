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

    /// The line split at its severity, if it is a PostgreSQL log line. The common lines
    /// are split by hand ([`line_by_hand`]: the capturing expression through the
    /// backtracking engine was a quarter of the time on a dense log of every backend;
    /// README, "Benchmarks"); the expression, which stays the specification, decides the
    /// lines the hand reader is unsure of.
    pub(super) fn line<'a>(&self, line: &'a str) -> Option<PgLine<'a>> {
        line_by_hand(line).unwrap_or_else(|| self.line_by_expression(line))
    }

    /// [`Postgres::line`] by the capturing expressions alone.
    fn line_by_expression<'a>(&self, line: &'a str) -> Option<PgLine<'a>> {
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
    ///
    /// 22001 is read by hand ([`too_long_by_hand`]; the expression decides the lines it is
    /// unsure of); the 23502 expression runs only on text that starts as it must.
    pub(super) fn error(&self, text: &str, line: &str) -> Option<Hit> {
        if let Some(limit) =
            too_long_by_hand(text).unwrap_or_else(|| self.too_long_by_expression(text))
        {
            return Some(Hit {
                code: "22001".into(),
                limit: limit.parse().ok(),
                message: message(line),
                by_limit: true,
                ..Hit::default()
            });
        }
        if !text.starts_with("null value in column \"") {
            return None;
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

impl Postgres {
    /// The length in a 22001 text, by the expression.
    fn too_long_by_expression<'a>(&self, text: &'a str) -> Option<&'a str> {
        Some(self.too_long.captures(text)?.get(1)?.as_str())
    }
}

/// The length (`8`) in `value too long for type character varying(8)` without the
/// expression `^value too long for type character(?: varying)?\((\d+)\)`: `Some` with its
/// answer, `None` when only the expression can tell (a non-ASCII character where `\d`
/// decides).
fn too_long_by_hand(text: &str) -> Option<Option<&str>> {
    let Some(rest) = text.strip_prefix("value too long for type character") else {
        return Some(None);
    };
    // `(?: varying)?` then `(`: without ` varying`, `(` would have to follow `character`
    let rest = rest.strip_prefix(" varying").unwrap_or(rest);
    let Some(rest) = rest.strip_prefix('(') else {
        return Some(None);
    };
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest.as_bytes().get(n) {
        Some(b')') if n > 0 => Some(rest.get(..n)),
        Some(b) if !b.is_ascii() => None,
        _ => Some(None),
    }
}

/// Every word `SEVERITIES` matches, for the hand reader.
const SEVERITY_WORDS: [&str; 19] = [
    "ERROR",
    "DETAIL",
    "STATEMENT",
    "HINT",
    "CONTEXT",
    "QUERY",
    "LOCATION",
    "LOG",
    "WARNING",
    "FATAL",
    "PANIC",
    "NOTICE",
    "INFO",
    "DEBUG",
    "DEBUG1",
    "DEBUG2",
    "DEBUG3",
    "DEBUG4",
    "DEBUG5",
];

/// [`Postgres::line`] without the expressions `^(.*?)\b(SEVERITY):  (.*)$` and
/// `\[(\d+)\]`: `Some` with their answer, `None` when the line is unusual enough that only
/// they can tell (a non-ASCII character just before a severity word or just after a pid's
/// digits, where Unicode's `\b` and `\d` decide).
///
/// The lazy prefix makes the split at the leftmost severity word that starts at a word
/// boundary and is followed by `:  `; as no severity word holds a `:`, that is the word
/// before the leftmost `:  ` that qualifies. `.` takes no line break, so a line holding
/// one is no PostgreSQL line.
fn line_by_hand(line: &str) -> Option<Option<PgLine<'_>>> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    // Every PostgreSQL line has `SEVERITY:  ` (two spaces); the other backends' lines
    // seldom have `:  `, and a line without one is no PostgreSQL line.
    static SEPARATOR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(":  "));
    let bytes = line.as_bytes();
    let mut from = 0;
    let (start, colon) = loop {
        let Some(found) = bytes.get(from..).and_then(|b| SEPARATOR.find(b)) else {
            return Some(None);
        };
        let colon = from + found;
        from = colon + 1;
        let before = bytes.get(..colon)?;
        let Some(word) = SEVERITY_WORDS
            .iter()
            .find(|w| before.ends_with(w.as_bytes()))
        else {
            continue;
        };
        let start = colon - word.len();
        match start.checked_sub(1).and_then(|i| bytes.get(i)) {
            // at the line's start, or after an ASCII character that is no word character:
            // a word boundary
            None => break (start, colon),
            Some(b) if b.is_ascii_alphanumeric() || *b == b'_' => {}
            Some(b) if b.is_ascii() => break (start, colon),
            // after a non-ASCII character: whether it is a word character is Unicode's
            // to say
            Some(_) => return None,
        }
    };
    if memchr::memchr(b'\n', bytes).is_some() {
        return Some(None);
    }
    Some(Some(PgLine {
        pid: pid_by_hand(line.get(..start)?)?,
        severity: line.get(start..colon)?,
        text: line.get(colon + 3..)?,
    }))
}

/// The pid `\[(\d+)\]` finds in a line's prefix, without the expression: `Some` with its
/// answer (the leftmost `[digits]`), `None` when a non-ASCII character follows a `[` and
/// its ASCII digits (it may be a digit in another script, which `\d` takes).
fn pid_by_hand(prefix: &str) -> Option<Option<&str>> {
    let bytes = prefix.as_bytes();
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|b| memchr::memchr(b'[', b)) {
        let digits = from + found + 1;
        let n = bytes
            .get(digits..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        match bytes.get(digits + n) {
            Some(b']') if n > 0 => return Some(prefix.get(digits..digits + n)),
            Some(b) if !b.is_ascii() => return None,
            _ => from = digits + n,
        }
    }
    Some(None)
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
    fn the_hand_readers_words_are_the_expressions() {
        let expanded: Vec<String> = SEVERITIES
            .split('|')
            .flat_map(|w| match w.strip_suffix("[1-5]?") {
                Some(stem) => (0..=5)
                    .map(|d| match d {
                        0 => stem.to_owned(),
                        d => format!("{stem}{d}"),
                    })
                    .collect(),
                None => vec![w.to_owned()],
            })
            .collect();
        assert_eq!(expanded, SEVERITY_WORDS);
    }

    /// Checks that `line_by_hand` gives what the expressions give on `line`, and that
    /// [`Postgres::line`] does; returns whether the hand reader was sure.
    fn agrees(pg: &Postgres, line: &str) -> bool {
        let by_expression = pg.line_by_expression(line);
        assert_eq!(pg.line(line), by_expression, "{line:?}");
        match line_by_hand(line) {
            Some(by_hand) => {
                assert_eq!(by_hand, by_expression, "{line:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_hand_reader_agrees_with_the_expression() {
        let pg = pg();
        // the common shapes are read by hand
        for line in [
            "2026-11-20 02:00:13.123 UTC [4242] ERROR:  value too long for type character varying(8)",
            "2026-11-20 02:00:13.123 UTC [4242] STATEMENT:  INSERT INTO directory.users (uid, cn) VALUES ('väinö.ilmari', 'Väinö')",
            "2026-11-20 02:00:13.123 UTC [4242] LOG:  duration: 1.234 ms  statement: SELECT 1",
            "2026-11-20 02:00:13 CET [77]: [3-1] user=app,db=hr DETAIL:  Failing row contains (1, null).",
            "ERROR:  null value in column \"email\" of relation \"emp\" violates not-null constraint",
            "2026-11-20 02:00:13.123 UTC [4242] DEBUG3:  x",
            "2026-11-20 02:00:13.123 UTC [4242] HINT:  ",
        ] {
            assert!(agrees(&pg, line), "not read by hand: {line}");
            assert!(line_by_hand(line).is_some_and(|l| l.is_some()), "{line}");
        }
        // edge cases
        for line in [
            "",
            ":  ",
            "ERROR:",
            "ERROR: one space",
            "ERROR:   three spaces",
            "ERROR:\t tab",
            "XERROR:  glued to a word",
            "_ERROR:  glued to an underscore",
            "1ERROR:  glued to a digit",
            "-ERROR:  after a hyphen",
            "öERROR:  after a letter outside ASCII",
            "—ERROR:  after a dash outside ASCII",
            "\u{a0}ERROR:  after a no-break space",
            "ERRORS:  plural",
            "error:  lower case",
            "DEBUG6:  no such level",
            "DEBUG:  plain debug",
            "CATALOG:  ends in LOG",
            "[4242] XLOG:  no [43] LOG:  second",
            "[4242] LOG: x ERROR:  the second is the split",
            "LOG:  ERROR:  the first is the split",
            "ERROR::  two colons",
            "ERROR :  space before the colon",
            "[42] ERROR:  a\nb",
            "[42]\nERROR:  x",
            "[] ERROR:  empty brackets",
            "[ 42] ERROR:  space in brackets",
            "[42x] [43] ERROR:  the first is no pid",
            "[42] [43] ERROR:  the first pid",
            "[[42]] ERROR:  nested",
            "[٤٢] ERROR:  digits outside ASCII",
            "[42٤] ERROR:  a digit outside ASCII after ASCII ones",
            "[4٢] ERROR:  mixed",
            "[42 ERROR:  unclosed",
            "ERROR:  [42] the pid after the severity is not the prefix's",
            "日本 [1] ERROR:  CJK prefix",
            "[99999999999999999999999] ERROR:  a long pid",
            "ERROR:  \r",
            "\tERROR:  tab before",
        ] {
            agrees(&pg, line);
        }
        // generated: prefixes × severities × separators × texts
        let prefixes = [
            "",
            "2026-11-20 02:00:13.123 UTC [4242] ",
            "[4242] ",
            "2026-11-20 02:00:13 UTC [] ",
            "[abc] [12] ",
            "[12x] [34] ",
            "[٤٢] ",
            "[42٤] ",
            "pid=[ 42] ",
            "väinö [7] ",
            "x",
            "X_",
            "é",
            "ö ",
            "1",
            "(",
            "ERROR ",
            "LOG:  ",
            "[1] ERROR: ",
            "[4242]",
            "\t",
            "日本 [1] ",
            "[1]\u{a0}",
            "a\n[1] ",
        ];
        let severities = SEVERITY_WORDS.iter().copied().chain([
            "DEBUG6", "DEBUG0", "ERRORS", "error", "Error", "LOGS", "WARN", "",
        ]);
        let separators = [":  ", ": ", ":   ", ":\t ", " :  ", "::  ", ":  :  "];
        let texts = [
            "",
            "value too long for type character varying(8)",
            "INSERT INTO t VALUES ('ERROR:  x')",
            "x [99] y",
            "väinö",
            "DETAIL:  y",
            "a\nb",
            "\r",
            " ",
        ];
        let mut by_hand = 0;
        let mut all = 0;
        for severity in severities {
            for prefix in prefixes {
                for separator in separators {
                    for text in texts {
                        all += 1;
                        if agrees(&pg, &format!("{prefix}{severity}{separator}{text}")) {
                            by_hand += 1;
                        }
                    }
                }
            }
        }
        assert!(by_hand * 10 > all * 9, "{by_hand} of {all} read by hand");
        // generated: random strings of the pieces that matter
        let tokens = [
            "ERROR", "ERROR:  ", " LOG:  ", "LOG", "DEBUG", "5", "6", "DETAIL", ":", " ", "  ",
            ":  ", ":  ", "[", "]", "[42]", "1", "x", "_", "ö", "٤", "\n", "\t", "-", "é", "日",
        ];
        let (mut lines, mut unsure) = (0, 0);
        for line in crate::logscan::preset::variations(&tokens, 20_000, 14) {
            if !agrees(&pg, &line) {
                unsure += 1;
            } else if pg.line_by_expression(&line).is_some() {
                lines += 1;
            }
        }
        assert!(
            lines > 5_000 && unsure < 2_000,
            "{lines} lines, {unsure} unsure"
        );
    }

    #[test]
    fn the_22001_hand_reader_agrees_with_the_expression() {
        let pg = pg();
        let check = |text: &str| {
            let by_hand = too_long_by_hand(text);
            if let Some(h) = by_hand {
                assert_eq!(h, pg.too_long_by_expression(text), "{text:?}");
            }
            let expected = pg
                .too_long_by_expression(text)
                .map(|l| ("22001", l.parse::<u64>().ok()))
                .or_else(|| pg.null.is_match(text).then_some(("23502", None)));
            let got = pg.error(text, "").map(|h| (h.code, h.limit));
            assert_eq!(
                got.as_ref().map(|(c, l)| (c.as_str(), *l)),
                expected,
                "{text:?}"
            );
            by_hand.is_some()
        };
        for text in [
            "value too long for type character varying(8)",
            "value too long for type character(2)",
            "value too long for type character varying(99999999999999999999999)",
            "value too long for type character varying()",
            "value too long for type character varyingx(8)",
            "value too long for type character (8)",
            "x value too long for type character(8)",
            r#"null value in column "email" violates not-null constraint"#,
        ] {
            assert!(check(text), "not read by hand: {text}");
        }
        assert!(!check("value too long for type character(\u{663})"));
        assert!(!check("value too long for type character(8\u{663})"));
        let tokens = [
            "value too long for type character",
            " varying",
            "(",
            ")",
            "8",
            "42",
            "\u{663}",
            "é",
            " ",
            "x",
            "null value in column \"",
            "\"",
        ];
        let mut sure = 0;
        for text in crate::logscan::preset::variations(&tokens, 20_000, 6) {
            sure += usize::from(check(&text));
        }
        assert!(sure > 15_000, "{sure}");
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
