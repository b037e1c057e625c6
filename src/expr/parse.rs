//! The expression parser: recursive descent over bytes, every node with its span.

use super::field::{ident_continue, ident_start, parse_dotted};
use super::{Expr, ExprError, ExprKind, Func};
use crate::error::ErrorKind;
use crate::suggest;

/// Deepest nesting of calls accepted.
const MAX_DEPTH: usize = 64;

/// Checks one call's arguments once they are parsed (arity, literal arguments): the
/// `func` module supplies it, since what a function accepts is part of its rules.
pub type CallCheck<'c> =
    &'c dyn Fn(Func, &[Expr], &std::ops::Range<usize>) -> Result<(), ExprError>;

/// Parses a mapping expression, checking function names, and each call with `check` as
/// soon as its arguments are parsed (so the first error in reading order is reported).
///
/// # Errors
/// A syntax error, an unknown function or what `check` rejects, with its span in `text`.
pub fn parse_with(text: &str, check: CallCheck<'_>) -> Result<Expr, ExprError> {
    let mut p = Parser {
        text,
        pos: 0,
        check,
    };
    p.skip_ws();
    let expr = p.expr(0)?;
    p.skip_ws();
    if p.pos < text.len() {
        return Err(p.error(
            format!("unexpected `{}` after the expression", p.rest_token()),
            p.pos..text.len(),
        ));
    }
    Ok(expr)
}

struct Parser<'t> {
    text: &'t str,
    pos: usize,
    check: CallCheck<'t>,
}

impl Parser<'_> {
    fn error(&self, message: String, span: std::ops::Range<usize>) -> ExprError {
        ExprError {
            kind: ErrorKind::Syntax,
            message,
            span,
            help: None,
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn rest_token(&self) -> String {
        self.text[self.pos..].chars().take(12).collect()
    }

    fn skip_ws(&mut self) {
        let rest = &self.text[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, ExprError> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                format!("expression nested deeper than {MAX_DEPTH} calls"),
                self.pos..self.pos,
            ));
        }
        let start = self.pos;
        match self.peek() {
            None => Err(self.error("expected an expression".into(), start..start)),
            Some('"') => self.string(),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(c) if ident_start(c) => self.name_or_call(depth),
            Some(c) => Err(self.error(
                format!("unexpected character `{c}`"),
                start..start + c.len_utf8(),
            )),
        }
    }

    fn string(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    let lit = &self.text[start..=i];
                    let s: String = serde_json::from_str(lit).map_err(|e| {
                        self.error(format!("invalid string literal: {e}"), start..i + 1)
                    })?;
                    self.pos = i + 1;
                    return Ok(Expr {
                        kind: ExprKind::Str(s),
                        span: start..self.pos,
                    });
                }
                _ => i += 1,
            }
        }
        Err(self.error("unterminated string".into(), start..self.text.len()))
    }

    fn number(&mut self) -> Result<Expr, ExprError> {
        let start = self.pos;
        let len = self.text[start..]
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .map_or(self.text.len() - start, |(j, _)| j);
        let lit = &self.text[start..start + len];
        let n: serde_json::Number = serde_json::from_str(lit)
            .map_err(|_| self.error(format!("invalid number `{lit}`"), start..start + len))?;
        self.pos = start + len;
        Ok(Expr {
            kind: ExprKind::Number(n),
            span: start..self.pos,
        })
    }

    fn name_or_call(&mut self, depth: usize) -> Result<Expr, ExprError> {
        let start = self.pos;
        let name_len = self.text[start..]
            .char_indices()
            .find(|&(_, c)| !ident_continue(c))
            .map_or(self.text.len() - start, |(j, _)| j);
        let name = &self.text[start..start + name_len];
        let after = self.text[start + name_len..].trim_start();
        if after.starts_with('(') {
            return self.call(name, start..start + name_len, depth);
        }
        let literal = match name {
            "true" => Some(ExprKind::Bool(true)),
            "false" => Some(ExprKind::Bool(false)),
            "null" => Some(ExprKind::Null),
            _ => None,
        };
        if let Some(kind) = literal
            && !matches!(
                self.text[start + name_len..].chars().next(),
                Some('.' | '[')
            )
        {
            self.pos = start + name_len;
            return Ok(Expr {
                kind,
                span: start..self.pos,
            });
        }
        let (path, end) = parse_dotted(self.text, start)?;
        self.pos = end;
        Ok(Expr {
            kind: ExprKind::Field(path),
            span: start..end,
        })
    }

    fn call(
        &mut self,
        name: &str,
        name_span: std::ops::Range<usize>,
        depth: usize,
    ) -> Result<Expr, ExprError> {
        let start = name_span.start;
        let func = Func::from_name(name).ok_or_else(|| ExprError {
            kind: ErrorKind::UnknownFunction,
            message: format!("unknown function `{name}`"),
            span: name_span.clone(),
            help: Some(suggest::help(
                name,
                Func::ALL.iter().map(|f| f.name()),
                "functions",
            )),
        })?;
        self.pos = name_span.end;
        self.skip_ws();
        self.pos += 1; // '('
        self.skip_ws();
        let mut args = Vec::new();
        if self.peek() == Some(')') {
            self.pos += 1;
        } else {
            loop {
                args.push(self.expr(depth + 1)?);
                self.skip_ws();
                match self.peek() {
                    Some(',') => {
                        self.pos += 1;
                        self.skip_ws();
                    }
                    Some(')') => {
                        self.pos += 1;
                        break;
                    }
                    Some(c) => {
                        return Err(self.error(
                            format!("expected `,` or `)` in the arguments of {name}, found `{c}`"),
                            self.pos..self.pos + c.len_utf8(),
                        ));
                    }
                    None => {
                        return Err(self
                            .error(format!("expected `)` to close {name}("), self.pos..self.pos));
                    }
                }
            }
        }
        let span = start..self.pos;
        (self.check)(func, &args, &span)?;
        Ok(Expr {
            kind: ExprKind::Call {
                func,
                name_span,
                args,
            },
            span,
        })
    }
}
