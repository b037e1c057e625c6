//! Oracle Database messages: `ORA-12899: value too large for column "S"."T"."C" (actual: 15,
//! maximum: 9)` and `ORA-01400: cannot insert NULL into ("S"."T"."C")`, wherever they sit in
//! a line (JDBC and sqlplus wrap them in their own text).

use regex::Regex;

use super::preset::{Hit, message, regex};
use crate::error::Error;

/// The compiled Oracle expressions.
#[derive(Debug)]
pub(super) struct Oracle {
    too_large: Regex,
    null: Regex,
}

impl Oracle {
    pub(super) fn new() -> Result<Self, Error> {
        Ok(Self {
            too_large: regex(
                r#"ORA-12899: value too large for column ((?:"[^"]*"\.){0,2}"[^"]*") \(actual: (\d+), maximum: (\d+)\)"#,
            )?,
            null: regex(r#"ORA-01400: cannot insert NULL into \(((?:"[^"]*"\.){0,2}"[^"]*")\)"#)?,
        })
    }

    /// The message in `line`, if it holds one. ORA-12899, the one a failing batch writes
    /// by the hundred thousand, is read by hand (a dense log spends its time here); the
    /// expression decides the rare lines the hand reader does not take. (The scanner
    /// makes the same two steps itself, to attribute the hand-read message without
    /// copying its names.)
    #[cfg(test)]
    pub(super) fn parse(&self, line: &str) -> Option<Hit> {
        if let Some(t) = too_large_by_hand(line) {
            return Some(t.hit(line));
        }
        self.parse_by_expression(line)
    }

    /// [`Oracle::parse`] for a line [`too_large_by_hand`] has already declined.
    /// Each expression runs only on a line holding its literal start (a line without it
    /// cannot match, and each call allocates its captures).
    pub(super) fn parse_by_expression(&self, line: &str) -> Option<Hit> {
        use memchr::memmem::Finder;
        use std::sync::LazyLock;
        static TOO_LARGE_HEAD: LazyLock<Finder<'static>> =
            LazyLock::new(|| Finder::new("ORA-12899: value too large for column "));
        static NULL_HEAD: LazyLock<Finder<'static>> =
            LazyLock::new(|| Finder::new("ORA-01400: cannot insert NULL into ("));
        let bytes = line.as_bytes();
        if let Some(c) = TOO_LARGE_HEAD
            .find(bytes)
            .and_then(|_| self.too_large.captures(line))
        {
            let (table, column) = names(c.get(1)?.as_str());
            return Some(Hit {
                code: TOO_LARGE.into(),
                table,
                column: Some(column),
                actual: c.get(2)?.as_str().parse().ok(),
                limit: c.get(3)?.as_str().parse().ok(),
                message: message(line),
                ..Hit::default()
            });
        }
        NULL_HEAD.find(bytes)?;
        let c = self.null.captures(line)?;
        let (table, column) = names(c.get(1)?.as_str());
        Some(Hit {
            code: "ORA-01400".into(),
            table,
            column: Some(column),
            message: message(line),
            ..Hit::default()
        })
    }
}

/// The code of the message read by hand.
pub(super) const TOO_LARGE: &str = "ORA-12899";

/// An ORA-12899 as [`too_large_by_hand`] reads it, borrowing the names from the line: the
/// scanner attributes it through its per-column cache without allocating them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TooLarge<'a> {
    /// The table, when the message qualifies the column.
    pub table: Option<&'a str>,
    /// The column.
    pub column: &'a str,
    /// The value's size (`actual: 15`).
    pub actual: u64,
    /// The column's size (`maximum: 9`).
    pub limit: u64,
}

impl TooLarge<'_> {
    /// The same message as a [`Hit`] of `line`.
    #[cfg(test)]
    fn hit(self, line: &str) -> Hit {
        Hit {
            code: TOO_LARGE.into(),
            table: self.table.map(str::to_owned),
            column: Some(self.column.to_owned()),
            actual: Some(self.actual),
            limit: Some(self.limit),
            message: message(line),
            ..Hit::default()
        }
    }
}

/// `ORA-12899: value too large for column "S"."T"."C" (actual: 15, maximum: 9)` read
/// without a regular expression; `None` for anything it does not recognise exactly.
pub(super) fn too_large_by_hand(line: &str) -> Option<TooLarge<'_>> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    const HEAD: &str = "ORA-12899: value too large for column ";
    const ACTUAL: &str = " (actual: ";
    const MAXIMUM: &str = ", maximum: ";
    static HEAD_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(HEAD));
    static MAXIMUM_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(MAXIMUM));
    let at = HEAD_FINDER.find(line.as_bytes())?;
    let rest = &line[at + HEAD.len()..];
    // up to three quoted names, `"S"."T"."C"`
    let mut parts: [&str; 3] = [""; 3];
    let mut n = 0;
    let mut i = 0;
    loop {
        let body = rest.get(i..)?.strip_prefix('"')?;
        let end = memchr::memchr(b'"', body.as_bytes())?;
        *parts.get_mut(n)? = &body[..end];
        n += 1;
        i += end + 2;
        match rest.get(i..)? {
            r if r.starts_with('.') && n < 3 => i += 1,
            r if r.starts_with(ACTUAL) => break,
            _ => return None,
        }
    }
    let numbers = rest.get(i + ACTUAL.len()..)?;
    let k = MAXIMUM_FINDER.find(numbers.as_bytes())?;
    let (actual, numbers) = (&numbers[..k], &numbers[k + MAXIMUM.len()..]);
    let limit = &numbers[..memchr::memchr(b')', numbers.as_bytes())?];
    Some(TooLarge {
        table: n.checked_sub(2).and_then(|k| parts.get(k).copied()),
        column: parts.get(n.checked_sub(1)?).copied()?,
        actual: actual.parse().ok()?,
        limit: limit.parse().ok()?,
    })
}

/// `"S"."T"."C"` → (`T`, `C`); `"T"."C"` → (`T`, `C`); `"C"` → (none, `C`).
fn names(quoted: &str) -> (Option<String>, String) {
    let parts: Vec<&str> = quoted.split("\".\"").map(|p| p.trim_matches('"')).collect();
    let column = parts.last().copied().unwrap_or_default().to_owned();
    let table = parts.len().checked_sub(2).map(|i| parts[i].to_owned());
    (table, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Option<Hit> {
        Oracle::new().unwrap_or_else(|e| panic!("{e}")).parse(line)
    }

    #[test]
    fn the_hand_reader_agrees_with_the_expression() {
        let o = Oracle::new().unwrap_or_else(|e| panic!("{e}"));
        for line in [
            r#"x ORA-12899: value too large for column "PAYROLL"."EMPLOYEES"."LOGIN" (actual: 15, maximum: 9)"#,
            r#"ORA-12899: value too large for column "T"."C" (actual: 1, maximum: 0) tail"#,
            r#"ORA-12899: value too large for column "C" (actual: 12, maximum: 10)"#,
            r#"ORA-12899: value too large for column "A"."B"."C"."D" (actual: 2, maximum: 1)"#,
            r#"ORA-12899: value too large for column "A"."B (actual: 2, maximum: 1)"#,
            r#"ORA-12899: value too large for column "A" (actual: x, maximum: 1)"#,
            r#"ORA-12899: value too large for column "A" (actual: 99999999999999999999, maximum: 1)"#,
            r#"ORA-12899: value too large for column "" (actual: 2, maximum: 1)"#,
        ] {
            let by_regex = o.too_large.captures(line).map(|c| {
                let (table, column) = names(c.get(1).map_or("", |m| m.as_str()));
                (
                    table,
                    column,
                    c.get(2).and_then(|m| m.as_str().parse::<u64>().ok()),
                    c.get(3).and_then(|m| m.as_str().parse::<u64>().ok()),
                )
            });
            let by_hand = too_large_by_hand(line).map(|h| {
                (
                    h.table.map(str::to_owned),
                    h.column.to_owned(),
                    Some(h.actual),
                    Some(h.limit),
                )
            });
            if let Some(hand) = by_hand {
                assert_eq!(Some(hand), by_regex, "{line}");
            }
        }
        assert!(
            too_large_by_hand(
                r#"ORA-12899: value too large for column "P"."E"."L" (actual: 15, maximum: 9)"#
            )
            .is_some()
        );
    }

    #[test]
    fn value_too_large_three_and_two_part_names() {
        let h = parse(r#"2026-11-20 02:00:14 batch ERROR java.sql.SQLException: ORA-12899: value too large for column "PAYROLL"."EMPLOYEES"."LOGIN" (actual: 15, maximum: 9)"#).unwrap();
        assert_eq!(h.code, "ORA-12899");
        assert_eq!(h.table.as_deref(), Some("EMPLOYEES"));
        assert_eq!(h.column.as_deref(), Some("LOGIN"));
        assert_eq!((h.actual, h.limit), (Some(15), Some(9)));
        assert!(h.message.starts_with("2026-11-20"));

        let h = parse(
            r#"ORA-12899: value too large for column "EMPLOYEES"."LOGIN" (actual: 10, maximum: 9)"#,
        )
        .unwrap();
        assert_eq!(
            (h.table.as_deref(), h.column.as_deref()),
            (Some("EMPLOYEES"), Some("LOGIN"))
        );
    }

    #[test]
    fn cannot_insert_null() {
        let h = parse(r#"ORA-01400: cannot insert NULL into ("HR"."EMP"."EMAIL")"#).unwrap();
        assert_eq!(h.code, "ORA-01400");
        assert_eq!(
            (h.table.as_deref(), h.column.as_deref()),
            (Some("EMP"), Some("EMAIL"))
        );
        assert_eq!(h.limit, None);
    }

    #[test]
    fn look_alikes_do_not_match() {
        for line in [
            r#"ORA-12899 value too large for column "A"."B" (actual: 1, maximum: 0)"#,
            "ORA-01401: inserted value too large for column",
            r#"ORA-12899: value too large for column "A"."B""#,
            r#"ORA-01400: cannot insert NULL into "HR"."EMP"."EMAIL""#,
            "ORA-00001: unique constraint (HR.EMP_PK) violated",
            r#"ORA-12899: value too large for column "A"."B" (actual: x, maximum: 9)"#,
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }
}
