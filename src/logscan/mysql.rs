//! MySQL and MariaDB messages, as the client prints them (`ERROR 1406 (22001): Data too long
//! for column 'login' at row 1`) or as drivers wrap them (`SQLSTATE[22001]: String data,
//! right truncated: 1406 Data too long for column …`): 1406, 1366 and 1048.

use regex::Regex;

use super::preset::{Hit, message, regex};
use crate::error::Error;

/// The compiled MySQL expressions.
#[derive(Debug)]
pub(super) struct Mysql {
    too_long: Regex,
    incorrect: Regex,
    null: Regex,
}

/// A column as MySQL names it: `'name'` or, since 8.0, `` `db`.`table`.`name` ``.
const COLUMN: &str = r"('[^']*'|(?:`[^`]*`\.){0,2}`[^`]*`)";

impl Mysql {
    pub(super) fn new() -> Result<Self, Error> {
        Ok(Self {
            too_long: regex(&format!(r"Data too long for column {COLUMN} at row \d+"))?,
            incorrect: regex(&format!(
                r"Incorrect string value: '(.*?)' for column {COLUMN} at row \d+"
            ))?,
            null: regex(&format!(r"Column {COLUMN} cannot be null"))?,
        })
    }

    /// The message in `line`, if it holds one. 1406 in its usual form is read by hand
    /// ([`too_long_by_hand`]; the expression decides the lines it is unsure of), and the
    /// other expressions run only on lines holding their literal start (a line without it
    /// cannot match, and each call allocates its captures).
    pub(super) fn parse(&self, line: &str) -> Option<Hit> {
        use memchr::memmem::Finder;
        use std::sync::LazyLock;
        static INCORRECT: LazyLock<Finder<'static>> =
            LazyLock::new(|| Finder::new("Incorrect string value: '"));
        static NULL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Column "));
        let bytes = line.as_bytes();
        let (code, quoted, value) = if let Some(quoted) =
            too_long_by_hand(line).unwrap_or_else(|| self.too_long_by_expression(line))
        {
            ("1406", quoted, None)
        } else if let Some(c) = INCORRECT
            .find(bytes)
            .and_then(|_| self.incorrect.captures(line))
        {
            let raw = c.get(1)?.as_str();
            let value = decode_escapes(raw).unwrap_or_else(|| raw.to_owned());
            ("1366", c.get(c.len() - 1)?.as_str(), Some(value))
        } else {
            NULL.find(bytes)?;
            let c = self.null.captures(line)?;
            ("1048", c.get(c.len() - 1)?.as_str(), None)
        };
        let (table, column) = names(quoted);
        Some(Hit {
            code: code.into(),
            table,
            column: Some(column),
            value,
            message: message(line),
            ..Hit::default()
        })
    }

    /// The quoted column of the first 1406 message in `line`, by the expression.
    fn too_long_by_expression<'a>(&self, line: &'a str) -> Option<&'a str> {
        Some(self.too_long.captures(line)?.get(1)?.as_str())
    }
}

/// The quoted column (`'login'`) of `Data too long for column 'login' at row 1` without
/// the expression: `Some` with its answer, `None` when only the expression can tell (the
/// first occurrence of the message's start is not followed by `'name' at row ` and an
/// ASCII digit: a backquoted name, a digit of another script, another occurrence later).
fn too_long_by_hand(line: &str) -> Option<Option<&str>> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    const HEAD: &str = "Data too long for column ";
    static HEAD_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(HEAD));
    let Some(at) = HEAD_FINDER.find(line.as_bytes()) else {
        return Some(None);
    };
    // a match starts at an occurrence of HEAD, so one from the first is the leftmost; a
    // quote there takes the first alternative, `'[^']*'`, which ends at the next quote
    let rest = line.get(at + HEAD.len()..)?;
    let body = rest.strip_prefix('\'')?;
    let end = memchr::memchr(b'\'', body.as_bytes())?;
    let quoted = rest.get(..end + 2)?;
    let row = rest.get(end + 2..)?.strip_prefix(" at row ")?;
    row.as_bytes()
        .first()
        .is_some_and(u8::is_ascii_digit)
        .then_some(Some(quoted))
}

fn names(quoted: &str) -> (Option<String>, String) {
    if let Some(plain) = quoted.strip_prefix('\'') {
        return (None, plain.trim_end_matches('\'').to_owned());
    }
    let parts: Vec<&str> = quoted.split("`.`").map(|p| p.trim_matches('`')).collect();
    let column = parts.last().copied().unwrap_or_default().to_owned();
    let table = parts.len().checked_sub(2).map(|i| parts[i].to_owned());
    (table, column)
}

/// MySQL shows the bytes it cannot store as `\xHH`; when they are valid UTF-8 after all
/// (a 4-byte character in a `utf8mb3` column), this is the string they spell.
fn decode_escapes(shown: &str) -> Option<String> {
    if !shown.contains("\\x") {
        return None;
    }
    let bytes = shown.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 2..i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], bytes.get(i + 1), hex) {
            (b'\\', Some(b'x'), Some(b)) => {
                out.push(b);
                i += 4;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Option<Hit> {
        Mysql::new().unwrap_or_else(|e| panic!("{e}")).parse(line)
    }

    /// Checks [`too_long_by_hand`] and [`Mysql::parse`] against the expressions alone
    /// on `line`; returns whether the hand reader was sure.
    fn agrees(m: &Mysql, line: &str) -> bool {
        let by_expression = m.too_long_by_expression(line);
        let by_hand = too_long_by_hand(line);
        if let Some(h) = by_hand {
            assert_eq!(h, by_expression, "{line:?}");
        }
        let expected = if let Some(q) = by_expression {
            Some(("1406", q.to_owned()))
        } else if let Some(c) = m.incorrect.captures(line) {
            Some(("1366", c.get(c.len() - 1).unwrap().as_str().to_owned()))
        } else {
            m.null
                .captures(line)
                .map(|c| ("1048", c.get(c.len() - 1).unwrap().as_str().to_owned()))
        };
        let parsed = m.parse(line);
        assert_eq!(
            parsed.as_ref().map(|h| h.code.as_str()),
            expected.as_ref().map(|e| e.0),
            "{line:?}"
        );
        if let (Some(h), Some((_, quoted))) = (parsed, expected) {
            let (table, column) = names(&quoted);
            assert_eq!((h.table, h.column), (table, Some(column)), "{line:?}");
        }
        by_hand.is_some()
    }

    #[test]
    fn the_hand_reader_agrees_with_the_expression() {
        let m = Mysql::new().unwrap_or_else(|e| panic!("{e}"));
        for line in [
            "ERROR 1406 (22001): Data too long for column 'login' at row 1",
            "x Data too long for column '' at row 12 tail",
            "Data too long for column 'a b' at row 0",
            "ERROR 1366 (HY000): Incorrect string value: '\\xF0' for column 'name' at row 1",
            "ERROR 1048 (23000): Column 'email' cannot be null",
            "no message here",
        ] {
            assert!(agrees(&m, line), "not read by hand: {line}");
        }
        for line in [
            "Data too long for column `shop`.`customers`.`name` at row 1",
            "Data too long for column 'a' at row x Data too long for column 'b' at row 2",
            "Data too long for column 'a' at row \u{663}",
            "Data too long for column 'a at row 1",
            "Data too long for column 'a' at row ",
        ] {
            agrees(&m, line);
        }
        let tokens = [
            "Data too long for column ",
            "'",
            "`",
            "`.`",
            "login",
            " at row ",
            "1",
            "42",
            "\u{663}",
            "é",
            " ",
            "x",
            "Incorrect string value: '",
            "' for column ",
            "Column ",
            " cannot be null",
            "\n",
        ];
        let mut sure = 0;
        for line in crate::logscan::preset::variations(&tokens, 40_000, 10) {
            sure += usize::from(agrees(&m, &line));
        }
        assert!(sure > 20_000, "{sure}");
    }

    #[test]
    fn data_too_long() {
        let h = parse("ERROR 1406 (22001): Data too long for column 'login' at row 1").unwrap();
        assert_eq!(
            (h.code.as_str(), h.column.as_deref(), h.value),
            ("1406", Some("login"), None)
        );
        let h = parse("[2026-11-20 02:00:15] app.ERROR: SQLSTATE[22001]: String data, right truncated: 1406 Data too long for column `shop`.`customers`.`name` at row 1").unwrap();
        assert_eq!(
            (h.table.as_deref(), h.column.as_deref()),
            (Some("customers"), Some("name"))
        );
    }

    #[test]
    fn incorrect_string_value_is_decoded_when_it_is_utf8() {
        let h = parse(r"ERROR 1366 (HY000): Incorrect string value: '\xF0\x9F\x98\x80' for column 'name' at row 1").unwrap();
        assert_eq!(h.code, "1366");
        assert_eq!(h.column.as_deref(), Some("name"));
        assert_eq!(h.value.as_deref(), Some("😀"));

        let h = parse(r"ERROR 1366 (HY000): Incorrect string value: '\xE4ij\xE4...' for column 'city' at row 1").unwrap();
        assert_eq!(
            h.value.as_deref(),
            Some(r"\xE4ij\xE4..."),
            "latin1 bytes stay as shown"
        );
    }

    #[test]
    fn column_cannot_be_null() {
        let h = parse("ERROR 1048 (23000): Column 'email' cannot be null").unwrap();
        assert_eq!(
            (h.code.as_str(), h.column.as_deref()),
            ("1048", Some("email"))
        );
    }

    #[test]
    fn look_alikes_do_not_match() {
        for line in [
            "ERROR 1406 (22001): Data too long for column login at row 1",
            "Data truncated for column 'amount' at row 1",
            "ERROR 1062 (23000): Duplicate entry 'x' for key 'PRIMARY'",
            "ERROR 1366 (HY000): Incorrect integer value: 'abc' for column 'age' at row 1",
            "INFO: checking whether data too long for column 'x' at row 1",
        ] {
            assert_eq!(parse(line), None, "{line}");
        }
    }
}
