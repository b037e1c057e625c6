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

    /// The message in `line`, if it holds one.
    pub(super) fn parse(&self, line: &str) -> Option<Hit> {
        if let Some(c) = self.too_large.captures(line) {
            let (table, column) = names(c.get(1)?.as_str());
            return Some(Hit {
                code: "ORA-12899".into(),
                table,
                column: Some(column),
                actual: c.get(2)?.as_str().parse().ok(),
                limit: c.get(3)?.as_str().parse().ok(),
                message: message(line),
                ..Hit::default()
            });
        }
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
