//! What a statement that failed shows: its string literals and, for a plain
//! `INSERT … (columns) VALUES …` or `UPDATE … SET column = value, …`, which column each
//! value goes to. Enough SQL to find the
//! value a backend rejected without naming it (PostgreSQL's 22001), and nothing more: a
//! statement this does not understand gives no answer rather than a guess.

use super::preset::unqualified;

/// What a failing statement shows: its string literals and, for a plain
/// `INSERT … (columns) VALUES …`, which column each item goes to.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Statement {
    literals: Vec<String>,
    insert: Option<Insert>,
}

impl Statement {
    /// Reads the literals and the INSERT shape of `sql`.
    pub(super) fn new(sql: &str) -> Self {
        Self {
            literals: literals(sql),
            insert: Insert::parse(sql).or_else(|| Insert::parse_update(sql)),
        }
    }

    /// The table an INSERT goes to, unqualified.
    pub(super) fn table(&self) -> Option<String> {
        let insert = self.insert.as_ref()?;
        Some(unqualified(&insert.table).trim_matches('"').to_owned())
    }

    /// The literal a `character varying(limit)` error rejected, and its INSERT column.
    ///
    /// `limits(column)` gives the declared lengths of the field a column maps to (`None`
    /// for a column the system does not know). A literal longer than `limit` is a candidate
    /// unless its column declares other lengths: it went through that column's own check.
    /// Exactly one candidate is the answer; otherwise the statement's only literal longer
    /// than `limit`; otherwise nothing.
    pub(super) fn rejected(
        &self,
        limit: u64,
        limits: impl Fn(&str) -> Option<Vec<u64>>,
    ) -> (Option<String>, Option<String>) {
        let too_long = |v: &str| v.chars().count() as u64 > limit;
        if let Some(insert) = &self.insert {
            let mut candidates = insert.rows.iter().flat_map(|row| {
                row.iter()
                    .zip(&insert.columns)
                    .filter_map(|(item, column)| {
                        let value = literal(item).filter(|v| too_long(v))?;
                        let column = column.trim_matches('"');
                        let fits_column = limits(column).is_none_or(|l| l.contains(&limit));
                        fits_column.then(|| (value, column.to_owned()))
                    })
            });
            if let Some((value, column)) = candidates.next() {
                return match candidates.next() {
                    None => (Some(value), Some(column)),
                    Some(_) => (None, None),
                };
            }
        }
        let mut long = self.literals.iter().filter(|v| too_long(v));
        match (long.next(), long.next()) {
            (Some(value), None) => (Some(value.clone()), None),
            _ => (None, None),
        }
    }
}

/// The string literals of a statement, in order, with `''` unescaped.
fn literals(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(offset) = sql[i..].find(['\'', '"', '-']) {
        let at = i + offset;
        match sql.as_bytes()[at] {
            b'\'' => match read_literal(sql, at) {
                Some((value, end)) => {
                    out.push(value);
                    i = end;
                }
                None => return out,
            },
            b'"' => match sql[at + 1..].find('"') {
                Some(end) => i = at + end + 2,
                None => return out,
            },
            _ if sql[at..].starts_with("--") => match sql[at..].find('\n') {
                Some(end) => i = at + end,
                None => return out,
            },
            _ => i = at + 1,
        }
    }
    out
}

/// The literal whose opening quote is at `start`, and the index after its closing quote.
fn read_literal(sql: &str, start: usize) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut i = start + 1;
    loop {
        let quote = i + sql[i..].find('\'')?;
        value.push_str(&sql[i..quote]);
        if sql[quote + 1..].starts_with('\'') {
            value.push('\'');
            i = quote + 2;
        } else {
            return Some((value, quote + 1));
        }
    }
}

/// The value of an item that is one string literal, possibly cast (`'x'::text`).
fn literal(item: &str) -> Option<String> {
    let item = item.trim();
    if !item.starts_with('\'') {
        return None;
    }
    let (value, end) = read_literal(item, 0)?;
    let rest = item[end..].trim();
    (rest.is_empty() || rest.starts_with("::")).then_some(value)
}

/// A statement that writes named columns: `INSERT INTO table (columns) VALUES (row),
/// (row)…` with its items split at top-level commas, or `UPDATE table SET column = item,
/// …` (one row); anything else does not parse.
#[derive(Debug, Clone, PartialEq)]
struct Insert {
    table: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Insert {
    fn parse(sql: &str) -> Option<Self> {
        let rest = keyword(sql.trim_start(), "INSERT")?;
        let rest = keyword(rest, "INTO")?;
        let rest = rest.trim_start();
        let end = rest.find(|c: char| c.is_whitespace() || c == '(')?;
        let (table, rest) = rest.split_at(end);
        let (columns, mut rest) = group(rest.trim_start())?;
        let columns: Vec<String> = columns.iter().map(|c| c.trim().to_owned()).collect();
        rest = keyword(rest, "VALUES")?;
        let mut rows = Vec::new();
        loop {
            let (row, after) = group(rest.trim_start())?;
            if row.len() != columns.len() {
                return None;
            }
            rows.push(row);
            match after.trim_start().strip_prefix(',') {
                Some(more) => rest = more,
                None => break,
            }
        }
        Some(Self {
            table: table.to_owned(),
            columns,
            rows,
        })
    }
}

impl Insert {
    /// `UPDATE table SET a = item, b = item [WHERE …]` as one row of columns and items.
    fn parse_update(sql: &str) -> Option<Self> {
        let rest = keyword(sql.trim_start(), "UPDATE")?.trim_start();
        let rest = rest.strip_prefix("ONLY ").unwrap_or(rest).trim_start();
        let end = rest.find(char::is_whitespace)?;
        let (table, rest) = rest.split_at(end);
        let rest = keyword(rest, "SET")?;
        let (mut columns, mut row) = (Vec::new(), Vec::new());
        for assignment in set_items(rest)? {
            let (column, item) = split_top(&assignment, b'=')?;
            let column = column.trim();
            if column.is_empty() || column.starts_with('(') {
                return None;
            }
            columns.push(column.to_owned());
            row.push(item.to_owned());
        }
        (!columns.is_empty()).then(|| Self {
            table: table.to_owned(),
            columns,
            rows: vec![row],
        })
    }
}

/// The assignments of a SET clause, split at top-level commas, up to a top-level
/// `WHERE`, `FROM` or `RETURNING` or the end of the statement.
fn set_items(s: &str) -> Option<Vec<String>> {
    let bytes = s.as_bytes();
    let (mut items, mut depth, mut start, mut i) = (Vec::new(), 0usize, 0usize, 0usize);
    let ends_here = |i: usize| {
        i > 0
            && bytes[i - 1].is_ascii_whitespace()
            && ["WHERE", "FROM", "RETURNING"]
                .iter()
                .any(|w| keyword(&s[i..], w).is_some() || s[i..].eq_ignore_ascii_case(w))
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => i = read_literal(s, i)?.1 - 1,
            b'"' => i += s[i + 1..].find('"')? + 1,
            b'(' => depth += 1,
            b')' => depth = depth.checked_sub(1)?,
            b',' if depth == 0 => {
                items.push(s[start..i].to_owned());
                start = i + 1;
            }
            b';' if depth == 0 => break,
            _ if depth == 0 && ends_here(i) => break,
            _ => {}
        }
        i += 1;
    }
    items.push(s[start..i.min(s.len())].to_owned());
    Some(items)
}

/// `s` split at its first top-level `sep` (outside quotes and parentheses).
fn split_top(s: &str, sep: u8) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => i = read_literal(s, i)?.1 - 1,
            b'"' => i += s[i + 1..].find('"')? + 1,
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b if b == sep && depth == 0 => return Some((&s[..i], &s[i + 1..])),
            _ => {}
        }
        i += 1;
    }
    None
}

fn keyword<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let s = s.trim_start();
    let head = s.get(..word.len())?;
    head.eq_ignore_ascii_case(word)
        .then(|| &s[word.len()..])
        .filter(|rest| rest.starts_with(|c: char| c.is_whitespace() || c == '('))
}

/// `(a, f(b, c), 'x,y')` → `["a", " f(b, c)", " 'x,y'"]` and the text after `)`.
fn group(s: &str) -> Option<(Vec<String>, &str)> {
    let body = s.strip_prefix('(')?;
    let mut items = Vec::new();
    let (mut depth, mut start, mut i) = (0usize, 0usize, 0usize);
    let bytes = body.as_bytes();
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => i = read_literal(body, i)?.1 - 1,
            b'"' => i += body[i + 1..].find('"')? + 1,
            b'(' => depth += 1,
            b')' if depth == 0 => {
                items.push(body[start..i].to_owned());
                return Some((items, &body[i + 1..]));
            }
            b')' => depth -= 1,
            b',' if depth == 0 => {
                items.push(body[start..i].to_owned());
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(sql: &str) -> Statement {
        Statement::new(sql)
    }

    fn rejected(limit: u64, sql: &str) -> (Option<String>, Option<String>) {
        statement(sql).rejected(limit, |_| None)
    }

    fn some(value: &str, column: Option<&str>) -> (Option<String>, Option<String>) {
        (Some(value.into()), column.map(Into::into))
    }

    #[test]
    fn the_only_long_literal_is_the_value_and_insert_gives_its_column() {
        let sql = "INSERT INTO directory.users (uid, cn) VALUES ('matti.meikalainen', 'Matti')";
        assert_eq!(rejected(8, sql), some("matti.meikalainen", Some("uid")));
        assert_eq!(statement(sql).table().as_deref(), Some("users"));
        let sql = "insert into t (a, \"B\") values (lower('x,y'), 'O''Connor'::text), ('a', 'b')";
        assert_eq!(rejected(5, sql), some("O'Connor", Some("B")));
        let sql = "UPDATE users SET cn = 'Väinö' WHERE uid = 'ab'";
        assert_eq!(rejected(3, sql), some("Väinö", Some("cn")));
        assert_eq!(statement(sql).table().as_deref(), Some("users"));
    }

    #[test]
    fn columns_that_declare_other_lengths_are_not_candidates() {
        let sql = "INSERT INTO users (uid, cn, email) VALUES ('matti.meikalainen', 'Matti Meikäläinen', 'm@example.com')";
        assert_eq!(
            rejected(8, sql),
            (None, None),
            "three literals are too long"
        );
        let limits = |c: &str| match c {
            "uid" => Some(vec![8]),
            "cn" | "email" => Some(vec![64]),
            _ => None,
        };
        assert_eq!(
            statement(sql).rejected(8, limits),
            some("matti.meikalainen", Some("uid"))
        );
    }

    #[test]
    fn ambiguity_leaves_value_and_column_out() {
        assert_eq!(
            rejected(3, "INSERT INTO t (a, b) VALUES ('long1', 'long2')"),
            (None, None)
        );
        assert_eq!(
            rejected(3, "INSERT INTO t (a, b) VALUES ('ok', 'no')"),
            (None, None)
        );
        assert_eq!(
            rejected(3, "UPDATE t SET a = 'long', b = 'long'"),
            (None, None),
            "the same literal twice is still two literals"
        );
    }

    #[test]
    fn update_names_the_column_of_each_value() {
        let sql = "UPDATE partner SET city = 'Kirchheim unter Teck-Nabern', street = 'Hauptstr. 1' WHERE id = 'x, y'";
        assert_eq!(
            rejected(20, sql),
            some("Kirchheim unter Teck-Nabern", Some("city"))
        );
        assert_eq!(statement(sql).table().as_deref(), Some("partner"));
        let sql =
            "update \"Partner\" set \"CITY\" = upper('a = b, c'), name2 = 'x'::text returning id";
        assert_eq!(
            Insert::parse_update(sql).map(|u| u.columns),
            Some(vec!["\"CITY\"".to_owned(), "name2".to_owned()])
        );
        assert_eq!(
            Insert::parse_update("UPDATE t SET (a, b) = ('x', 'y')"),
            None
        );
        assert_eq!(Insert::parse_update("UPDATE t SET a = 'unterminated"), None);
        assert_eq!(Insert::parse_update("UPDATEt SET a = 'x'"), None);
    }

    #[test]
    fn insert_parsing() {
        assert_eq!(
            Insert::parse("INSERT INTO s.t(a,b) VALUES (1, '2)')"),
            Some(Insert {
                table: "s.t".into(),
                columns: vec!["a".into(), "b".into()],
                rows: vec![vec!["1".into(), " '2)'".into()]],
            })
        );
        assert_eq!(Insert::parse("INSERT INTO t VALUES ('a')"), None);
        assert_eq!(Insert::parse("INSERT INTO t (a) VALUES ('a', 'b')"), None);
        assert_eq!(Insert::parse("INSERTINTO t (a) VALUES ('a')"), None);
        assert_eq!(
            Insert::parse("INSERT INTO t (a) VALUES ('unterminated)"),
            None
        );
    }
}
