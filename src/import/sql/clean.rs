//! Per-dialect clauses `sqlparser` does not read and ripple does not need, removed from a
//! statement's tokens before parsing. Removing tokens keeps the others' places in the
//! file, so errors stay located.
//!
//! - Oracle (`DBMS_METADATA.GET_DDL` output): constraint states (`ENABLE`, `DISABLE`,
//!   `VALIDATE`, `NOVALIDATE`, `RELY`, `NORELY`) and `USING INDEX …` clauses.
//! - SQL Server (SSMS scripts): `WITH (…)` index options and `ON [filegroup]` after a
//!   constraint.
//! - PostgreSQL (`pg_dump` output): the sequence options of `… AS IDENTITY (…)`.
//! - MySQL: a column's `CHARSET x` is read as `CHARACTER SET x`.
//! - Everything after a `CREATE TABLE`'s column list (storage, tablespaces,
//!   partitioning), except in MySQL, whose table options carry the default charset.

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::Dialect;

/// The tokens of a `CREATE TABLE` (`create`) or `ALTER TABLE` statement, cleaned.
pub(super) fn statement(
    tokens: Vec<TokenWithSpan>,
    dialect: Dialect,
    create: bool,
) -> Vec<TokenWithSpan> {
    // Clauses are dropped where constraints stand: in a CREATE's column list, at the top
    // of an ALTER.
    let level = usize::from(create);
    let mut out = Vec::with_capacity(tokens.len());
    let mut depth = 0_usize;
    let mut opened = false;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i].token;
        // A column's name (first in its item) is never a clause.
        let item_start = matches!(last_solid(&out), None | Some(Token::LParen | Token::Comma));
        if depth == level
            && !item_start
            && let Some(end) = droppable(&tokens, i, dialect)
        {
            i = end;
            continue;
        }
        // PostgreSQL `AS IDENTITY (SEQUENCE NAME …)`: keep IDENTITY, drop its options.
        if dialect == Dialect::Postgres
            && *token == Token::LParen
            && last_solid(&out).and_then(word).as_deref() == Some("IDENTITY")
        {
            i = group_end(&tokens, i);
            continue;
        }
        // MySQL accepts `CHARSET x` for `CHARACTER SET x` in a column too.
        if dialect == Dialect::Mysql
            && depth == level
            && !item_start
            && word(token).as_deref() == Some("CHARSET")
        {
            let span = tokens[i].span;
            out.push(TokenWithSpan {
                token: Token::make_keyword("CHARACTER"),
                span,
            });
            out.push(TokenWithSpan {
                token: Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                span,
            });
            out.push(TokenWithSpan {
                token: Token::make_keyword("SET"),
                span,
            });
            i += 1;
            continue;
        }
        match token {
            Token::LParen => {
                depth += 1;
                opened = true;
            }
            Token::RParen => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(tokens[i].clone());
        i += 1;
        if create && opened && depth == 0 && dialect != Dialect::Mysql {
            break;
        }
    }
    out
}

/// Where the clause starting at `i` ends (exclusive), when it is one to drop.
fn droppable(tokens: &[TokenWithSpan], i: usize, dialect: Dialect) -> Option<usize> {
    let word = word(&tokens[i].token)?;
    let next = next_solid(tokens, i + 1);
    let next_word = next.and_then(|n| word_of(tokens, n));
    match (dialect, word.as_str()) {
        (Dialect::Oracle, "ENABLE" | "DISABLE" | "VALIDATE" | "NOVALIDATE" | "RELY" | "NORELY") => {
            Some(i + 1)
        }
        (Dialect::Oracle, "USING") if next_word.as_deref() == Some("INDEX") => {
            Some(clause_end(tokens, i))
        }
        (Dialect::Sqlserver, "WITH") if next.is_some_and(|n| tokens[n].token == Token::LParen) => {
            next.map(|n| group_end(tokens, n))
        }
        // `ON [PRIMARY]`, not a foreign key's `ON DELETE`/`ON UPDATE`.
        (Dialect::Sqlserver, "ON" | "TEXTIMAGE_ON")
            if next.is_some_and(|n| is_word(&tokens[n].token))
                && !matches!(next_word.as_deref(), Some("DELETE" | "UPDATE")) =>
        {
            let after = next.map_or(i + 1, |n| n + 1);
            match next_solid(tokens, after) {
                Some(p) if tokens[p].token == Token::LParen => Some(group_end(tokens, p)),
                _ => Some(after),
            }
        }
        _ => None,
    }
}

/// The end of the clause starting at `i`: the next `,` or `)` at the same depth.
fn clause_end(tokens: &[TokenWithSpan], i: usize) -> usize {
    let mut depth = 0_usize;
    for (j, t) in tokens.iter().enumerate().skip(i) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen if depth == 0 => return j,
            Token::RParen => depth -= 1,
            Token::Comma if depth == 0 => return j,
            _ => {}
        }
    }
    tokens.len()
}

/// One past the `)` that closes the `(` at `open`.
fn group_end(tokens: &[TokenWithSpan], open: usize) -> usize {
    let mut depth = 0_usize;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// The last token that is not whitespace or a comment.
fn last_solid(tokens: &[TokenWithSpan]) -> Option<&Token> {
    tokens
        .iter()
        .rev()
        .map(|t| &t.token)
        .find(|t| !matches!(t, Token::Whitespace(_)))
}

fn next_solid(tokens: &[TokenWithSpan], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&j| !matches!(tokens[j].token, Token::Whitespace(_)))
}

/// An unquoted word, upper case.
fn word(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

fn word_of(tokens: &[TokenWithSpan], i: usize) -> Option<String> {
    word(&tokens[i].token)
}

/// Any word, quoted or not (`[PRIMARY]`).
fn is_word(token: &Token) -> bool {
    matches!(token, Token::Word(_))
}
