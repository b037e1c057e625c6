//! Mapping expressions (README, "Mapping expressions"): the syntax tree, parsing with
//! positions, and the names of the functions ([`Func`]). This module knows no function's
//! meaning: evaluation and each function's arguments and rules live in the `func` module,
//! which builds on this one (the dependency goes one way).
//!
//! ```text
//! expr   := call | field | string | number | true | false | null
//! call   := name "(" [ expr { "," expr } ] ")"
//! field  := ident { "." ident | "[" digits "]" }
//! string := JSON string in double quotes
//! ```
//!
//! Arity and literal arguments (`truncate`'s count, `replace`'s strings…) are checked at
//! parse time, by the check the `func` module passes to [`parse_with`], so a pipeline
//! with a bad mapping never loads.

mod call;
pub mod field;
mod parse;

use std::fmt;
use std::ops::Range;

use serde_json::Value;

use crate::error::ErrorKind;
pub use call::Func;
pub use field::{FieldPath, Segment};
pub use parse::{CallCheck, parse_with};

/// A parsed expression with its byte span in the expression text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Byte offsets in the expression text.
    pub span: Range<usize>,
}

/// The forms of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A function call.
    Call {
        /// The function.
        func: Func,
        /// The span of its name.
        name_span: Range<usize>,
        /// Its arguments.
        args: Vec<Expr>,
    },
    /// A field of the source record.
    Field(FieldPath),
    /// A string literal.
    Str(String),
    /// A number literal.
    Number(serde_json::Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// Why an expression does not parse or fits no function (a load error).
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    /// [`ErrorKind::Syntax`], [`ErrorKind::UnknownFunction`] or [`ErrorKind::Arity`].
    pub kind: ErrorKind,
    /// What is wrong.
    pub message: String,
    /// Where, in bytes of the expression text.
    pub span: Range<usize>,
    /// What would be right.
    pub help: Option<String>,
}

/// Why a mapping produced no value for a given record (e.g. `number("abc")`).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    /// The function that failed.
    pub func: Option<Func>,
    /// What went wrong.
    pub message: String,
}

impl Expr {
    /// Appends every string literal in the expression (a `replace`'s `from` and `to`, a
    /// `part` separator, a `concat` literal …): the witness search tries them.
    pub fn string_literals(&self, out: &mut Vec<String>) {
        match &self.kind {
            ExprKind::Str(s) => out.push(s.clone()),
            ExprKind::Call { args, .. } => args.iter().for_each(|a| a.string_literals(out)),
            _ => {}
        }
    }

    /// Every field reference, in source order, with its span.
    #[must_use]
    pub fn fields(&self) -> Vec<(&FieldPath, Range<usize>)> {
        let mut out = Vec::new();
        self.collect_fields(&mut out);
        out
    }

    fn collect_fields<'a>(&'a self, out: &mut Vec<(&'a FieldPath, Range<usize>)>) {
        match &self.kind {
            ExprKind::Field(f) => out.push((f, self.span.clone())),
            ExprKind::Call { args, .. } => args.iter().for_each(|a| a.collect_fields(out)),
            _ => {}
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Call { func, args, .. } => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Field(p) => write!(f, "{p}"),
            ExprKind::Str(s) => write!(f, "{}", Value::String(s.clone())),
            ExprKind::Number(n) => write!(f, "{n}"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Null => f.write_str("null"),
        }
    }
}

#[cfg(test)]
mod tests;
