//! Microsoft SQL Server messages. sqlcmd and SSMS print a header line
//! (`Msg 2628, Level 16, State 1, Line 1`) and the text on the next line; applications
//! often log the text alone. Both make one event: 2628 (string truncated, with table, column
//! and the truncated value), 8152 (the same before SQL Server 2019, naming nothing) and 515
//! (NULL into a NOT NULL column).

use regex::Regex;

use super::preset::{Hit, message, regex, unqualified};
use crate::error::Error;

/// The message numbers whose header opens an event.
const CODES: [&str; 3] = ["2628", "8152", "515"];

/// The compiled SQL Server expressions.
#[derive(Debug)]
pub(super) struct SqlServer {
    header: Regex,
    truncated: Regex,
    truncated_old: Regex,
    null: Regex,
}

impl SqlServer {
    pub(super) fn new() -> Result<Self, Error> {
        Ok(Self {
            header: regex(r"\bMsg (\d+), Level \d+, State \d+,")?,
            truncated: regex(
                r"String or binary data would be truncated in table '([^']*)', column '([^']*)'\. Truncated value: '(.*)'",
            )?,
            truncated_old: regex(r"String or binary data would be truncated\.")?,
            null: regex(
                r"Cannot insert the value NULL into column '([^']*)', table '([^']*)'; column does not allow nulls\. (?:INSERT|UPDATE|MERGE) fails",
            )?,
        })
    }

    /// The message number of a `Msg N, Level L, State S, …` header that opens an event.
    pub(super) fn header(&self, line: &str) -> Option<&'static str> {
        let c = self.header.captures(line)?;
        let code = c.get(1)?.as_str();
        CODES.into_iter().find(|k| *k == code)
    }

    /// The message text in `line`, if it holds one.
    pub(super) fn text(&self, line: &str) -> Option<Hit> {
        if let Some(c) = self.truncated.captures(line) {
            return Some(Hit {
                code: "2628".into(),
                table: Some(unqualified(c.get(1)?.as_str()).to_owned()),
                column: Some(c.get(2)?.as_str().to_owned()),
                value: Some(c.get(3)?.as_str().to_owned()),
                value_prefix: true,
                message: message(line),
                ..Hit::default()
            });
        }
        if let Some(c) = self.null.captures(line) {
            return Some(Hit {
                code: "515".into(),
                column: Some(c.get(1)?.as_str().to_owned()),
                table: Some(unqualified(c.get(2)?.as_str()).to_owned()),
                message: message(line),
                ..Hit::default()
            });
        }
        self.truncated_old.is_match(line).then(|| Hit {
            code: "8152".into(),
            message: message(line),
            ..Hit::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> SqlServer {
        SqlServer::new().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn headers_that_open_events() {
        let s = s();
        assert_eq!(
            s.header("Msg 2628, Level 16, State 1, Line 1"),
            Some("2628")
        );
        assert_eq!(
            s.header("Msg 515, Level 16, State 2, Server DB01, Line 3"),
            Some("515")
        );
        assert_eq!(s.header("Msg 208, Level 16, State 1, Line 1"), None);
        assert_eq!(s.header("Msg 26280, Level 16, State 1, Line 1"), None);
        assert_eq!(s.header("NewMsg 2628, Level 16, State 1, Line 1"), None);
    }

    #[test]
    fn truncation_gives_table_column_and_value_prefix() {
        let h = s().text("String or binary data would be truncated in table 'Shop.dbo.Customers', column 'name'. Truncated value: 'Väinö Ilmari Meikäläi'.").unwrap();
        assert_eq!(h.code, "2628");
        assert_eq!(
            (h.table.as_deref(), h.column.as_deref()),
            (Some("Customers"), Some("name"))
        );
        assert_eq!(h.value.as_deref(), Some("Väinö Ilmari Meikäläi"));
        assert!(h.value_prefix);
        let h = s().text("String or binary data would be truncated in table 'Shop.dbo.Customers', column 'name'. Truncated value: 'O'Brien-Smi'.").unwrap();
        assert_eq!(h.value.as_deref(), Some("O'Brien-Smi"));
    }

    #[test]
    fn null_and_the_old_message() {
        let h = s().text("Cannot insert the value NULL into column 'email', table 'Shop.dbo.Customers'; column does not allow nulls. INSERT fails.").unwrap();
        assert_eq!(
            (h.code.as_str(), h.table.as_deref(), h.column.as_deref()),
            ("515", Some("Customers"), Some("email"))
        );
        let h = s()
            .text("String or binary data would be truncated.")
            .unwrap();
        assert_eq!((h.code.as_str(), h.column), ("8152", None));
    }

    #[test]
    fn look_alikes_do_not_match() {
        for line in [
            "String or binary data would be truncated in table 'T', column 'c'",
            "Cannot insert the value NULL into column 'email'",
            "Cannot insert duplicate key row in object 'dbo.Customers' with unique index 'IX'.",
            "Invalid object name 'dbo.Customer'.",
        ] {
            assert_eq!(s().text(line), None, "{line}");
        }
    }
}
