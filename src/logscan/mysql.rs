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

    /// The message in `line`, if it holds one.
    pub(super) fn parse(&self, line: &str) -> Option<Hit> {
        let (code, caps, value) = if let Some(c) = self.too_long.captures(line) {
            ("1406", c, None)
        } else if let Some(c) = self.incorrect.captures(line) {
            let raw = c.get(1)?.as_str();
            let value = decode_escapes(raw).unwrap_or_else(|| raw.to_owned());
            ("1366", c, Some(value))
        } else {
            ("1048", self.null.captures(line)?, None)
        };
        let (table, column) = names(caps.get(caps.len() - 1)?.as_str());
        Some(Hit {
            code: code.into(),
            table,
            column: Some(column),
            value,
            message: message(line),
            ..Hit::default()
        })
    }
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
