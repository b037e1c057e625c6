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
    /// Read by hand ([`header_by_hand`]; the expression decides the lines it is unsure of).
    pub(super) fn header(&self, line: &str) -> Option<&'static str> {
        let code = header_by_hand(line).unwrap_or_else(|| self.header_by_expression(line))?;
        CODES.into_iter().find(|k| *k == code)
    }

    /// The message number in the first `Msg N, Level L, State S,` of `line`, by the
    /// expression.
    fn header_by_expression<'a>(&self, line: &'a str) -> Option<&'a str> {
        Some(self.header.captures(line)?.get(1)?.as_str())
    }

    /// The message text in `line`, if it holds one. 2628, the message a failing batch
    /// writes by the thousand, is read by hand ([`truncated_by_hand`]; its capturing
    /// expression was a tenth of the time on a dense log of every backend; README,
    /// "Benchmarks"); the expression decides the lines the hand reader is unsure of.
    pub(super) fn text(&self, line: &str) -> Option<Hit> {
        use memchr::memmem::Finder;
        use std::sync::LazyLock;
        static NULL_HEAD: LazyLock<Finder<'static>> =
            LazyLock::new(|| Finder::new("Cannot insert the value NULL into column '"));
        let truncated =
            truncated_by_hand(line).unwrap_or_else(|| self.truncated_by_expression(line));
        if let Some(t) = truncated {
            return Some(Hit {
                code: "2628".into(),
                table: Some(unqualified(t.table).to_owned()),
                column: Some(t.column.to_owned()),
                value: Some(t.value.to_owned()),
                value_prefix: true,
                message: message(line),
                ..Hit::default()
            });
        }
        // the expression runs only on a line holding its literal start (each call
        // allocates its captures)
        if let Some(c) = NULL_HEAD
            .find(line.as_bytes())
            .and_then(|_| self.null.captures(line))
        {
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

impl SqlServer {
    /// The 2628 message in `line`, by the expression.
    fn truncated_by_expression<'a>(&self, line: &'a str) -> Option<Truncated<'a>> {
        let c = self.truncated.captures(line)?;
        Some(Truncated {
            table: c.get(1)?.as_str(),
            column: c.get(2)?.as_str(),
            value: c.get(3)?.as_str(),
        })
    }
}

/// A 2628 message's parts, borrowed from its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Truncated<'a> {
    /// The table, as qualified as the message has it.
    table: &'a str,
    /// The column.
    column: &'a str,
    /// The part of the value that fitted.
    value: &'a str,
}

/// Whether `line` has a word character (ASCII; `None`: not ASCII, Unicode's to say)
/// just before byte `at`; `Some(false)` at the line's start.
fn word_before(line: &[u8], at: usize) -> Option<bool> {
    match at.checked_sub(1).and_then(|i| line.get(i)) {
        None => Some(false),
        Some(b) if b.is_ascii() => Some(b.is_ascii_alphanumeric() || *b == b'_'),
        Some(_) => None,
    }
}

/// The ASCII digits `line` has at `at`: `None` when a non-ASCII character follows them
/// (it may be a digit in another script, which `\d` takes).
fn digits_at(line: &str, at: usize) -> Option<&str> {
    let rest = line.get(at..)?;
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    if rest.as_bytes().get(n).is_some_and(|b| !b.is_ascii()) {
        return None;
    }
    rest.get(..n)
}

/// The message number of the first `Msg N, Level L, State S,` in `line`, without the
/// expression `\bMsg (\d+), Level \d+, State \d+,`: `Some` with its answer, `None` when
/// only the expression can tell (a non-ASCII character before `Msg` or after digits,
/// where Unicode's `\b` and `\d` decide).
fn header_by_hand(line: &str) -> Option<Option<&str>> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static MSG: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Msg "));
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|b| MSG.find(b)) {
        let at = from + found;
        from = at + 1;
        if word_before(bytes, at)? {
            continue;
        }
        // `N, Level L, State S,`, each number one or more digits
        let mut i = at + "Msg ".len();
        let code = digits_at(line, i)?;
        let mut ok = !code.is_empty();
        i += code.len();
        for (literal, last) in [(", Level ", false), (", State ", false), (",", true)] {
            if !ok || !line.get(i..).is_some_and(|r| r.starts_with(literal)) {
                ok = false;
                break;
            }
            i += literal.len();
            if !last {
                let n = digits_at(line, i)?.len();
                ok = n > 0;
                i += n;
            }
        }
        if ok {
            return Some(Some(code));
        }
    }
    Some(None)
}

/// `String or binary data would be truncated in table 'T', column 'C'. Truncated value:
/// 'V'` without the expression: `Some` with its answer, `None` when only the expression
/// can tell (a line break in the line, or a first occurrence of the message's start that
/// does not read as the whole message).
fn truncated_by_hand(line: &str) -> Option<Option<Truncated<'_>>> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    const HEAD: &str = "String or binary data would be truncated in table '";
    const COLUMN: &str = "', column '";
    const VALUE: &str = "'. Truncated value: '";
    static HEAD_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(HEAD));
    let bytes = line.as_bytes();
    let Some(at) = HEAD_FINDER.find(bytes) else {
        return Some(None);
    };
    if memchr::memchr(b'\n', bytes).is_some() {
        return None;
    }
    // a match starts at an occurrence of HEAD, so one from the first is the leftmost
    let rest = line.get(at + HEAD.len()..)?;
    let end = memchr::memchr(b'\'', rest.as_bytes())?;
    let (table, rest) = (rest.get(..end)?, rest.get(end..)?.strip_prefix(COLUMN)?);
    let end = memchr::memchr(b'\'', rest.as_bytes())?;
    let (column, rest) = (rest.get(..end)?, rest.get(end..)?.strip_prefix(VALUE)?);
    // `(.*)'`: up to the line's last quote
    let end = memchr::memrchr(b'\'', rest.as_bytes())?;
    Some(Some(Truncated {
        table,
        column,
        value: rest.get(..end)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> SqlServer {
        SqlServer::new().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Checks the hand readers against the expressions on `line` (and [`SqlServer::header`]
    /// and [`SqlServer::text`] against the expressions alone); returns whether both hand
    /// readers were sure.
    fn agrees(s: &SqlServer, line: &str) -> bool {
        let header = s.header_by_expression(line);
        assert_eq!(
            s.header(line),
            header.and_then(|c| CODES.into_iter().find(|k| *k == c)),
            "{line:?}"
        );
        let truncated = s.truncated_by_expression(line);
        let text = s.text(line);
        if let Some(t) = truncated {
            let hit = text.unwrap_or_else(|| panic!("{line:?}"));
            assert_eq!(
                (hit.table, hit.column, hit.value),
                (
                    Some(unqualified(t.table).to_owned()),
                    Some(t.column.to_owned()),
                    Some(t.value.to_owned())
                ),
                "{line:?}"
            );
        }
        let by_hand = (header_by_hand(line), truncated_by_hand(line));
        if let Some(h) = by_hand.0 {
            assert_eq!(h, header, "{line:?}");
        }
        if let Some(t) = by_hand.1 {
            assert_eq!(t, truncated, "{line:?}");
        }
        by_hand.0.is_some() && by_hand.1.is_some()
    }

    #[test]
    fn the_hand_readers_agree_with_the_expressions() {
        let s = s();
        for line in [
            "Msg 2628, Level 16, State 1, Server SHOPDB01, Line 1",
            "Msg 515, Level 16, State 2, Line 3",
            "String or binary data would be truncated in table 'Shop.dbo.Customers', column 'name'. Truncated value: 'väinö.ilmari'.",
            "String or binary data would be truncated in table 'Shop.dbo.Customers', column 'name'. Truncated value: 'O'Brien-Smi'.",
            "2026-11-20 ERROR [shop] String or binary data would be truncated in table 'T', column 'c'. Truncated value: ''.",
            "ldap_modify: Constraint violation (19)",
        ] {
            assert!(agrees(&s, line), "not read by hand: {line}");
        }
        for line in [
            "",
            "Msg 2628, Level 16, State 1,",
            "Msg 2628, Level 16, State 1",
            "Msg 2628,Level 16, State 1,",
            "Msg , Level 16, State 1,",
            "Msg 2628, Level , State 1,",
            "Msg 2628, Level 16, State ,",
            "NewMsg 2628, Level 16, State 1, Line 1",
            "_Msg 2628, Level 16, State 1, Line 1",
            "[Msg 2628, Level 16, State 1, Line 1",
            "öMsg 2628, Level 16, State 1, Line 1",
            "Msg 26٢8, Level 16, State 1, Line 1",
            "Msg ٢628, Level 16, State 1, Line 1",
            "Msg 2628, Level 1٦, State 1, Line 1",
            "Msg 2628, Level 16, State ١, Line 1",
            "Msg 208, Level 16, State 1, Msg 2628, Level 16, State 1,",
            "XMsg 1, Level 1, State 1, Msg 515, Level 16, State 1,",
            "Msg 1, Level x Msg 515, Level 16, State 1,",
            "Msg 99999999999999999999999, Level 16, State 1,",
            "String or binary data would be truncated in table 'T', column 'c'",
            "String or binary data would be truncated in table 'T', column 'c'. Truncated value: 'x",
            "String or binary data would be truncated in table 'T', column 'c'. Truncated value: 'x'\n'y'",
            "String or binary data would be truncated in table 'T\nU', column 'c'. Truncated value: 'x'",
            "String or binary data would be truncated in table 'T', column 'c'. Truncated value: 'a'b'c'",
            "String or binary data would be truncated in table 'T', column 'c'.Truncated value: 'x'",
            "String or binary data would be truncated in table 'T', column 'c'. Truncated value: 'x' String or binary data would be truncated in table 'U', column 'd'. Truncated value: 'y'",
            "String or binary data would be truncated in table 'T' String or binary data would be truncated in table 'U', column 'd'. Truncated value: 'y'",
            "String or binary data would be truncated.",
        ] {
            agrees(&s, line);
        }
        // generated: random strings of the pieces that matter, for each reader
        let header_tokens = [
            "Msg 2628, Level 16, State 1,",
            "Msg 515, Level 16, State ",
            "Msg 2628, Level ",
            "Msg ",
            "Msg 2628",
            "2628",
            "1",
            ", Level ",
            ", Level 16",
            ", State ",
            ", State 1,",
            ",",
            " ",
            "x",
            "_",
            "ö",
            "٢",
        ];
        let text_tokens = [
            "String or binary data would be truncated in table '",
            "String or binary data would be truncated in table 'dbo.T', column '",
            "'",
            "', column '",
            "c'. Truncated value: '",
            "'. Truncated value: '",
            "dbo.T",
            "x",
            " ",
            "é",
            "\n",
        ];
        let (mut headers, mut truncated, mut unsure) = (0, 0, 0);
        for line in crate::logscan::preset::variations(&header_tokens, 20_000, 8)
            .into_iter()
            .chain(crate::logscan::preset::variations(&text_tokens, 20_000, 8))
        {
            if !agrees(&s, &line) {
                unsure += 1;
            }
            headers += usize::from(s.header_by_expression(&line).is_some());
            truncated += usize::from(s.truncated_by_expression(&line).is_some());
        }
        assert!(
            headers > 1_000 && truncated > 500 && unsure < 20_000,
            "{headers} headers, {truncated} truncations, {unsure} unsure"
        );
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
