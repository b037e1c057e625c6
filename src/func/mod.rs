//! The mapping functions (README, "Mapping expressions"): one file per function, each
//! holding everything ripple knows about it.
//!
//! A function's meaning used to be written out in six places (evaluation, the forward
//! transfer over the abstract domain, the demand rule of the fixpoint, the pull-back rule
//! of `constraints`, character preimages and sum rules), each with a `_ =>` fallback, so a
//! new function or a changed one silently fell through. Here every function is one type
//! implementing [`MappingFunction`], a trait without default methods, and the methods of
//! [`Func`] are generated from one table (the `functions!` invocation below) whose dispatch
//! matches are exhaustive: adding a function is its name in the `expr` module's list, one
//! new file and one table line, and the compiler names every rule it still lacks. The
//! layout follows jsonschema-rs's one file per keyword.
//!
//! [`Func`] itself is a plain name in the syntax tree (`expr`), which knows no function's
//! meaning; this module builds on it with evaluation ([`eval`]) and the parse-time check
//! of each call's arguments ([`parse`]), so the dependency goes one way (README,
//! "Development", "Layout").
//!
//! Each file's tests tie its rules to its evaluation (README, "Development": every rule
//! about a function is checked against the concrete evaluation): the forward rule must
//! cover what `eval` returns, the backward rule must be sufficient and the demand rule
//! necessary.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};

use serde_json::{Number, Value};

use crate::domain::Constraint;
use crate::domain::{self, Abs, Chars, Num, Str};
use crate::error::ErrorKind;
pub use crate::expr::Func;
use crate::expr::{EvalError, Expr, ExprError, ExprKind, FieldPath};

mod charmap;
pub(crate) mod pullback;
#[cfg(test)]
pub(crate) mod testkit;

pub use charmap::CharMap;
pub use pullback::pull_back;

/// Everything ripple knows about one mapping function. No method has a default, so a new
/// function must state every rule.
pub trait MappingFunction {
    /// Which function it is; its name in expressions is [`Func::name`] (the names are
    /// the syntax's, in the `expr` module).
    const FUNC: Func;

    /// The argument kinds, checked at load time; `None` for variadic `concat` (one or more
    /// of any).
    fn params() -> Option<&'static [Literal]>;

    /// Documentation: what it does, and to length and characters (the README's table).
    fn doc() -> FuncDoc;

    /// Concrete evaluation; `Ok(None)` is a missing result (the target field is left out).
    ///
    /// # Errors
    /// When the function cannot handle its input (`number("abc")`, `upper` of an object).
    fn eval(args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError>;

    /// The forward transfer: what it can produce from arguments described by `args`
    /// (literal arguments also as values in `lits`). Sound: covers every `eval` result.
    fn forward(args: &[Abs], lits: &[Option<Value>]) -> Abs;

    /// Whether it can fail (make the mapping give no value) for arguments described by
    /// `args`: `number` of text that may not be a number. (A string function also fails
    /// on an array or object; the domain describes those only as `Any`, and the checker
    /// has never counted that as a failure.)
    fn may_fail(args: &[Abs]) -> bool;

    /// Whether it surely gives no value (a missing result, not `null`) for text arguments
    /// described by `args` (literals also in `lits`): `part(s, ".", 1)` of text that
    /// cannot hold a `.`. Then the target field is absent past the flow.
    fn gives_nothing(args: &[Abs], lits: &[Option<Value>]) -> bool;

    /// The backward (sufficient) rule: the constraint on the text argument `arg` that makes
    /// the result satisfy `c` (literal arguments as text in `lits`). What cannot be pulled
    /// back is dropped with a note, never guessed.
    fn backward(arg: &Expr, lits: &[Option<String>], c: Constraint) -> Constraint;

    /// The demand (necessary) rule: when the result has at most `max` characters, which
    /// argument must have at most how many. `None` when no single argument is bounded.
    fn demand(args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)>;

    /// What it does to the length of its (first) argument.
    fn length_effect(lits: &[Option<Value>]) -> LengthEffect;
}

/// What a function does to the length of its text argument, in characters: the typed form
/// of the README table's "length" column, for the checker and `constraints`.
#[derive(Debug, Clone, Copy)]
pub enum LengthEffect {
    /// The same text (`string` of a string).
    Preserves,
    /// Never longer; can become empty (`trim`, `digits`, `part`).
    Shrinks,
    /// The first `n` characters: never longer than the input, nor than `n` (`truncate`).
    AtMost(u64),
    /// At least `n` characters; a longer input is unchanged (`pad_left`).
    AtLeast(u64),
    /// Character by character through a [`CharMap`] (`upper`, `lower`, `ascii`): exact
    /// for the characters the map keeps at one character of no more bytes.
    PerChar(&'static CharMap),
    /// The arguments' lengths added, plus `literal` characters (`concat`).
    Adds {
        /// Characters of the literal arguments.
        literal: u64,
    },
    /// Each occurrence of `from` (that many characters) becomes `to` characters (`replace`).
    Replaces {
        /// Characters of `from`.
        from: u64,
        /// Characters of `to`.
        to: u64,
    },
    /// Either argument's (`default`).
    Either,
    /// The result is not text (`number`).
    NotText,
}

impl LengthEffect {
    /// Whether the result is never shorter than the input (so a limit on the result's
    /// length bounds the input's: the demand rule).
    #[must_use]
    pub fn never_shorter(self) -> bool {
        match self {
            Self::Preserves | Self::AtLeast(_) | Self::Adds { .. } => true,
            Self::PerChar(map) => map.min_out() >= 1,
            Self::Replaces { from, to } => to >= from,
            Self::Shrinks | Self::AtMost(_) | Self::Either | Self::NotText => false,
        }
    }

    /// Whether the result is never longer than the input, in characters and in UTF-8
    /// bytes alike (so one answer serves `maxLength` and `x-maxBytes` sums), given that the
    /// input holds only the characters [`CharMap::safe`] keeps at one character of no more
    /// bytes (for a per-character map); and at least how long it is anyway (`pad_left`'s
    /// floor, else 0). `None` when it can grow.
    #[must_use]
    pub fn never_longer(self) -> Option<u64> {
        match self {
            Self::Preserves | Self::Shrinks | Self::AtMost(_) | Self::PerChar(_) => Some(0),
            Self::AtLeast(n) => Some(n),
            // A shorter `to` can still have more bytes (`replace(s, "a", "ä")`).
            Self::Adds { .. } | Self::Replaces { .. } | Self::Either | Self::NotText => None,
        }
    }
}

/// What a function does, for people and for the checker.
#[derive(Debug, Clone, Copy)]
pub struct FuncDoc {
    /// Call form.
    pub signature: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Its effect on length (characters).
    pub length: &'static str,
    /// Its effect on characters.
    pub chars: &'static str,
    /// The result type.
    pub result: &'static str,
}

/// Which arguments must be literals, checked at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    /// Any expression.
    Any,
    /// A non-negative integer literal.
    Count,
    /// An integer literal (may be negative).
    Int,
    /// A non-empty string literal.
    NonEmptyStr,
    /// A string literal.
    Str,
    /// A string literal of exactly one character.
    Char,
}

/// The arguments of one call, evaluated on demand: `default` looks at its fallback only
/// when it needs it and `concat` stops at the first missing argument (README, "Mapping
/// expressions"). A field read as an argument is borrowed from the source record (`'v`),
/// not copied: only computed values are owned (evaluation runs for every field of every
/// record in a batch, README "`--batch FILE [--jobs N]`").
pub struct Args<'a, 'v> {
    len: usize,
    eval: &'a mut dyn FnMut(usize) -> ArgResult<'v>,
    /// The argument expressions, when evaluating a call of the syntax tree: a string
    /// literal is then read in place ([`Args::literal_text`]).
    exprs: &'a [Expr],
    /// A string the function may build its text result in ([`Args::take_spare`]).
    spare: Option<String>,
}

/// One argument's value: borrowed from the record or a literal, or computed (`None`:
/// missing).
pub type ArgResult<'v> = Result<Option<Cow<'v, Value>>, EvalError>;

impl<'a, 'v> Args<'a, 'v> {
    /// `len` arguments, the `i`-th evaluated by `eval(i)`.
    pub fn new(len: usize, eval: &'a mut dyn FnMut(usize) -> ArgResult<'v>) -> Self {
        Self {
            len,
            eval,
            exprs: &[],
            spare: None,
        }
    }

    /// The `i`-th argument's text when it is a string literal (read in place, not
    /// copied); `None` for any other argument. [`Args::get`] gives the same text as a
    /// value.
    #[must_use]
    pub fn literal_text(&self, i: usize) -> Option<&'a str> {
        match &self.exprs.get(i)?.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// An empty string to build a text result in: one the caller no longer needs (batch
    /// validation's old value of the target field, README "`cargo bench --bench batch`"),
    /// so the result needs no allocation; else a new one.
    pub fn take_spare(&mut self) -> String {
        self.spare.take().unwrap_or_default()
    }

    /// How many arguments there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`-th argument's value (`None`: missing, or no such argument).
    ///
    /// # Errors
    /// When evaluating the argument fails.
    pub fn get(&mut self, i: usize) -> ArgResult<'v> {
        if i < self.len {
            (self.eval)(i)
        } else {
            Ok(None)
        }
    }
}

macro_rules! functions {
    ($($variant:ident => $module:ident :: $ty:ident),* $(,)?) => {
        $(pub mod $module;)*

        // Each table line names the type whose `FUNC` is that variant.
        $(const _: () = assert!(matches!(<$module::$ty as MappingFunction>::FUNC, Func::$variant));)*

        /// The rules of each function, dispatched to the file of the same name. [`Func`] is
        /// a plain name in the syntax tree (`expr`); these methods give it its meaning here,
        /// so the syntax depends on no function and every match below is exhaustive.
        impl Func {
            /// See [`MappingFunction::params`].
            #[must_use]
            pub fn params(self) -> Option<&'static [Literal]> {
                match self { $(Func::$variant => <$module::$ty as MappingFunction>::params(),)* }
            }

            /// See [`MappingFunction::doc`].
            #[must_use]
            pub fn doc(self) -> FuncDoc {
                match self { $(Func::$variant => <$module::$ty as MappingFunction>::doc(),)* }
            }

            /// See [`MappingFunction::eval`].
            ///
            /// # Errors
            /// When the function cannot handle its input.
            pub fn eval(self, args: &mut Args<'_, '_>) -> Result<Option<Value>, EvalError> {
                match self { $(Func::$variant => <$module::$ty as MappingFunction>::eval(args),)* }
            }

            /// See [`MappingFunction::forward`].
            #[must_use]
            pub fn forward(self, args: &[Abs], lits: &[Option<Value>]) -> Abs {
                match self {
                    $(Func::$variant => <$module::$ty as MappingFunction>::forward(args, lits),)*
                }
            }

            /// See [`MappingFunction::may_fail`].
            #[must_use]
            pub fn may_fail(self, args: &[Abs]) -> bool {
                match self { $(Func::$variant => <$module::$ty as MappingFunction>::may_fail(args),)* }
            }

            /// See [`MappingFunction::gives_nothing`].
            #[must_use]
            pub fn gives_nothing(self, args: &[Abs], lits: &[Option<Value>]) -> bool {
                match self {
                    $(Func::$variant => <$module::$ty as MappingFunction>::gives_nothing(args, lits),)*
                }
            }

            /// See [`MappingFunction::backward`].
            #[must_use]
            pub fn backward(self, arg: &Expr, lits: &[Option<String>], c: Constraint) -> Constraint {
                match self {
                    $(Func::$variant => <$module::$ty as MappingFunction>::backward(arg, lits, c),)*
                }
            }

            /// See [`MappingFunction::demand`].
            #[must_use]
            pub fn demand(self, args: &[Expr], max: Option<u64>) -> Option<(usize, Option<u64>)> {
                match self {
                    $(Func::$variant => <$module::$ty as MappingFunction>::demand(args, max),)*
                }
            }

            /// See [`MappingFunction::length_effect`].
            #[must_use]
            pub fn length_effect(self, lits: &[Option<Value>]) -> LengthEffect {
                match self {
                    $(Func::$variant => <$module::$ty as MappingFunction>::length_effect(lits),)*
                }
            }
        }
    };
}

functions! {
    Lower => lower::Lower,
    Upper => upper::Upper,
    Trim => trim::Trim,
    Ascii => ascii::Ascii,
    Truncate => truncate::Truncate,
    Concat => concat::Concat,
    Replace => replace::Replace,
    Digits => digits::Digits,
    PadLeft => pad_left::PadLeft,
    Part => part::Part,
    Default => default::DefaultTo,
    String => string::StringOf,
    Number => number::NumberOf,
}

impl Func {
    /// Evaluates on already computed argument values (`None`: missing).
    ///
    /// # Errors
    /// When the function cannot handle its input.
    pub fn eval_values(self, values: &[Option<Value>]) -> Result<Option<Value>, EvalError> {
        let mut get = |i: usize| Ok(values.get(i).and_then(Option::as_ref).map(Cow::Borrowed));
        self.eval(&mut Args::new(values.len(), &mut get))
    }

    /// The per-character map of `upper`, `lower` and `ascii`; `None` for the others.
    #[must_use]
    pub fn char_map(self) -> Option<&'static CharMap> {
        match self.length_effect(&[]) {
            LengthEffect::PerChar(map) => Some(map),
            LengthEffect::Preserves
            | LengthEffect::Shrinks
            | LengthEffect::AtMost(_)
            | LengthEffect::AtLeast(_)
            | LengthEffect::Adds { .. }
            | LengthEffect::Replaces { .. }
            | LengthEffect::Either
            | LengthEffect::NotText => None,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parsing with each function's arguments checked, and evaluation.

/// Parses a mapping expression (README, "Mapping expressions"), checking function names,
/// arity and literal arguments, so a pipeline with a bad mapping never loads.
///
/// # Errors
/// A syntax error, an unknown function or a bad argument, with its span in `text`.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    crate::expr::parse_with(text, &check_call)
}

/// Evaluates `expr` against a source record, each call through its function's
/// [`MappingFunction::eval`]; `Ok(None)` means the result is missing (the target field is
/// left out).
///
/// # Errors
/// When a function cannot handle its input (`number("abc")`, `upper` of an object).
pub fn eval<'a>(
    expr: &Expr,
    lookup: &dyn Fn(&FieldPath) -> Option<&'a Value>,
) -> Result<Option<Value>, EvalError> {
    Ok(eval_ref(expr, lookup)?.map(Cow::into_owned))
}

/// [`eval`], with a plain field reference borrowed from the record: a caller that only
/// reads the result, or a function reading its argument, copies nothing.
///
/// # Errors
/// As [`eval`].
pub fn eval_ref<'a>(
    expr: &Expr,
    lookup: &dyn Fn(&FieldPath) -> Option<&'a Value>,
) -> ArgResult<'a> {
    match &expr.kind {
        ExprKind::Field(f) => Ok(lookup(f).map(Cow::Borrowed)),
        ExprKind::Str(s) => Ok(Some(Cow::Owned(Value::String(s.clone())))),
        ExprKind::Number(n) => Ok(Some(Cow::Owned(Value::Number(n.clone())))),
        ExprKind::Bool(b) => Ok(Some(Cow::Owned(Value::Bool(*b)))),
        ExprKind::Null => Ok(Some(Cow::Owned(Value::Null))),
        ExprKind::Call { func, args, .. } => {
            Ok(eval_call(*func, args, lookup, None)?.map(Cow::Owned))
        }
    }
}

/// A call of `func` on the expressions `args`; `spare`: an empty string the function may
/// build its text result in ([`Args::take_spare`]).
fn eval_call<'a>(
    func: Func,
    args: &[Expr],
    lookup: &dyn Fn(&FieldPath) -> Option<&'a Value>,
    spare: Option<String>,
) -> Result<Option<Value>, EvalError> {
    let mut arg = |i: usize| args.get(i).map_or(Ok(None), |a| eval_ref(a, lookup));
    let mut call = Args::new(args.len(), &mut arg);
    call.exprs = args;
    call.spare = spare;
    func.eval(&mut call)
}

/// [`eval`] into `out`, overwriting what it held (batch validation rewrites its derived
/// records in place, README "`cargo bench --bench batch`"): a field or string literal
/// copied into `out`'s own string when both are text, and a call given `out`'s string to
/// build its text in ([`Args::take_spare`]), without a new `String`. `Ok(true)` when there
/// is a result (then `out` is it), `Ok(false)` when it is missing (then `out` holds
/// anything: its text may be gone).
///
/// # Errors
/// As [`eval`]; `out` then holds anything, as for a missing result.
pub fn eval_into<'a>(
    expr: &Expr,
    lookup: &dyn Fn(&FieldPath) -> Option<&'a Value>,
    out: &mut Value,
) -> Result<bool, EvalError> {
    match &expr.kind {
        ExprKind::Str(s) => {
            assign_str(out, s);
            Ok(true)
        }
        ExprKind::Call { func, args, .. } => {
            let spare = match out {
                Value::String(s) => {
                    let mut s = std::mem::take(s);
                    s.clear();
                    Some(s)
                }
                _ => None,
            };
            match eval_call(*func, args, lookup, spare)? {
                Some(v) => {
                    *out = v;
                    Ok(true)
                }
                None => Ok(false),
            }
        }
        _ => match eval_ref(expr, lookup)? {
            Some(v) => {
                assign(out, v);
                Ok(true)
            }
            None => Ok(false),
        },
    }
}

/// `*out = v`, reusing `out`'s string when both are text.
pub(crate) fn assign(out: &mut Value, v: Cow<'_, Value>) {
    match v {
        Cow::Borrowed(Value::String(s)) => assign_str(out, s),
        Cow::Borrowed(v) => *out = v.clone(),
        Cow::Owned(v) => *out = v,
    }
}

/// `*out = Value::String(s.to_owned())`, reusing `out`'s string when it is one.
fn assign_str(out: &mut Value, s: &str) {
    match out {
        Value::String(t) => {
            t.clear();
            t.push_str(s);
        }
        other => *other = Value::String(s.to_owned()),
    }
}

/// The parse-time check of one call: its argument count and literal arguments against
/// [`MappingFunction::params`], with the function's signature as help.
fn check_call(func: Func, args: &[Expr], span: &std::ops::Range<usize>) -> Result<(), ExprError> {
    let doc = func.doc();
    let arity = |message: String, span: std::ops::Range<usize>| ExprError {
        kind: ErrorKind::Arity,
        message,
        span,
        help: Some(format!("{}: {}", doc.signature, doc.summary)),
    };
    let Some(params) = func.params() else {
        return if args.is_empty() {
            Err(arity(
                format!("{} takes at least 1 argument", func.name()),
                span.clone(),
            ))
        } else {
            Ok(())
        };
    };
    if params.len() != args.len() {
        let plural = if params.len() == 1 { "" } else { "s" };
        return Err(arity(
            format!(
                "{} takes {} argument{plural} {}, got {}",
                func.name(),
                params.len(),
                doc.signature,
                args.len()
            ),
            span.clone(),
        ));
    }
    for (i, (param, arg)) in params.iter().zip(args).enumerate() {
        let ok = match (param, &arg.kind) {
            (Literal::Any, _) => true,
            (Literal::Count, ExprKind::Number(n)) => n.as_u64().is_some(),
            (Literal::Int, ExprKind::Number(n)) => n.as_i64().is_some(),
            (Literal::Str, ExprKind::Str(_)) => true,
            (Literal::NonEmptyStr, ExprKind::Str(s)) => !s.is_empty(),
            (Literal::Char, ExprKind::Str(s)) => s.chars().count() == 1,
            _ => false,
        };
        if !ok {
            let want = match param {
                Literal::Any => "",
                Literal::Count => "a non-negative whole number literal",
                Literal::Int => "a whole number literal",
                Literal::Str => "a string literal",
                Literal::NonEmptyStr => "a non-empty string literal",
                Literal::Char => "a string literal of exactly one character",
            };
            return Err(arity(
                format!("argument {} of {} must be {want}", i + 1, func.name()),
                arg.span.clone(),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Shared by several functions.

/// The canonical text of a number (README, "Mapping expressions": `string(x)`): an
/// integral value below 10^21 prints as an integer without `.0` (`1e3` → `1000`, `42.0` →
/// `42`, `-0.0` → `0`), anything else as its JSON text. Every function that reads a
/// number's text uses this.
#[must_use]
pub fn number_text(n: &Number) -> String {
    if n.is_f64()
        && let Some(f) = n.as_f64()
    {
        if f == 0.0 {
            return "0".into();
        }
        if f.fract() == 0.0 && f.abs() < 1e21 {
            return format!("{f:.0}");
        }
    }
    n.to_string()
}

/// Text form of a scalar for string functions (`null`: `None`); `Err` for arrays and
/// objects.
pub(crate) fn text_of(name: &str, v: &Value) -> Result<Option<String>, String> {
    text_ref(name, v).map(|t| t.map(std::borrow::Cow::into_owned))
}

/// [`text_of`], borrowing a string instead of copying it: evaluation runs for every
/// field of every record in a batch (README, "`--batch FILE [--jobs N]`").
pub(crate) fn text_ref<'v>(
    name: &str,
    v: &'v Value,
) -> Result<Option<std::borrow::Cow<'v, str>>, String> {
    use std::borrow::Cow;
    match v {
        Value::String(s) => Ok(Some(Cow::Borrowed(s))),
        Value::Number(n) => Ok(Some(Cow::Owned(number_text(n)))),
        Value::Bool(b) => Ok(Some(Cow::Owned(b.to_string()))),
        Value::Null => Ok(None),
        Value::Array(_) => Err(format!("{name} expects text, got an array")),
        Value::Object(_) => Err(format!("{name} expects text, got an object")),
    }
}

/// An evaluation error of `func`.
pub(crate) fn fail(func: Func, message: String) -> EvalError {
    EvalError {
        func: Some(func),
        message,
    }
}

/// Evaluates a string function: its first argument's text (missing stays missing, `null`
/// passes through), then `apply` with every argument's value as literals.
/// Evaluates a function of text: `null` for a `null` first argument, an error for an
/// array or object, else `apply` on the first argument's text and the other arguments.
/// The text is owned when the argument was computed (`upper(ascii(x))`), so a function
/// can change it in place instead of copying it (evaluation runs for every field of every
/// record in a batch).
pub(crate) fn eval_text(
    func: Func,
    args: &mut Args<'_, '_>,
    apply: impl FnOnce(Cow<'_, str>, &[Cow<'_, Value>]) -> Option<String>,
) -> Result<Option<Value>, EvalError> {
    let Some(v) = args.get(0)? else {
        return Ok(None);
    };
    // The first argument is passed as text, not in `lits` (whose first slot stays `null`).
    let text: Cow<'_, str> = match v {
        Cow::Owned(Value::String(s)) => Cow::Owned(s),
        Cow::Borrowed(Value::String(s)) => Cow::Borrowed(s.as_str()),
        other => match text_ref(func.name(), &other).map_err(|m| fail(func, m))? {
            Some(t) => Cow::Owned(t.into_owned()),
            None => return Ok(Some(Value::Null)),
        },
    };
    // Every string function has at most three arguments: no allocation for them (and
    // the `null`s borrowed, so nothing to drop).
    static NULL: Value = Value::Null;
    let null = || Cow::Borrowed(&NULL);
    let mut small = [null(), null(), null()];
    let mut more = Vec::new();
    let lits: &mut [Cow<'_, Value>] = match small.get_mut(..args.len()) {
        Some(lits) => lits,
        None => {
            more.resize(args.len(), null());
            &mut more
        }
    };
    for (i, lit) in lits.iter_mut().enumerate().skip(1) {
        *lit = args.get(i)?.unwrap_or_else(null);
    }
    Ok(apply(text, lits).map(Value::String))
}

/// A literal argument as a non-negative integer.
pub(crate) fn lit_u64(lits: &[Option<Value>], i: usize) -> Option<u64> {
    lits.get(i).and_then(Option::as_ref).and_then(Value::as_u64)
}

/// A literal argument as a string.
pub(crate) fn lit_str(lits: &[Option<Value>], i: usize) -> Option<&str> {
    lits.get(i).and_then(Option::as_ref).and_then(Value::as_str)
}

/// A literal argument given as text (backward rules) parsed as a non-negative integer.
pub(crate) fn text_u64(lits: &[Option<String>], i: usize) -> Option<u64> {
    lits.get(i)
        .and_then(|l| l.as_deref())
        .and_then(|s| s.parse::<u64>().ok())
}

/// `a ∪ b`.
pub(crate) fn union(a: &Chars, b: &Chars) -> Chars {
    let mut out = a.clone();
    out.union(b);
    out
}

/// `a ∩ b`.
pub(crate) fn intersect(a: &Chars, b: &Chars) -> Chars {
    let mut out = a.clone();
    out.intersect(b);
    out
}

/// The first argument's description as text (string functions read numbers and booleans
/// as their text, README "Mapping expressions").
pub(crate) fn first_text(args: &[Abs]) -> Str {
    args.first().map_or_else(Str::any, as_text)
}

/// Most characters in the canonical text ([`number_text`]) of an integer of magnitude at
/// most `|x|`, sign included.
fn integer_width(x: f64) -> u64 {
    format!("{:.0}", x.abs().trunc()).len() as u64 + u64::from(x <= -1.0)
}

/// A value described by `a` as its text, as string functions read it: a number's
/// canonical text ([`number_text`]), a boolean's `true`/`false`.
#[must_use]
pub fn as_text(a: &Abs) -> Str {
    match a {
        Abs::Str(s) => s.clone(),
        Abs::Num(n) => {
            // An integer prints without `.0` and, below 10^21, without an exponent: one in
            // [lo, hi] has at most as many characters as the wider bound (sign included).
            let bounded = |x: Option<f64>| x.filter(|v| v.abs() < 1e15);
            let max = match (n.integer, bounded(n.min), bounded(n.max)) {
                (true, Some(lo), Some(hi)) => integer_width(lo).max(integer_width(hi)),
                // JSON text of any other number: at most 24 characters (ryu), integers
                // below 10^21 at most 22.
                _ => 32,
            };
            let digits_only =
                n.integer && n.min.is_some_and(|m| m >= 0.0) && n.max.is_some_and(|m| m < 1e21);
            let chars = if digits_only {
                domain::chars_of(&[('0', '9')])
            } else {
                domain::chars_of(&[('+', '.'), ('0', '9'), ('E', 'E'), ('e', 'e')])
            };
            Str {
                min: 1,
                max: Some(max),
                bytes: None,
                chars,
                format: None,
            }
        }
        Abs::Any => Str::any(),
    }
}

/// What a `type` limit on the result of a function that gives text (or `null` for `null`)
/// says about its argument: `Some(true)` when it must not be `null`, `Some(false)` when
/// nothing more; for a type without `string`, the argument must be `null` (`"null"` in the
/// type) or nothing passes: `None`, having set that on `c`.
fn text_type(v: &Value, c: &mut Constraint) -> Option<bool> {
    use crate::schema::{TypeName, TypeSet};
    let Some(t) = TypeSet::parse(v) else {
        c.notes
            .push(format!("type {v} is not understood: not pulled back"));
        return Some(true);
    };
    let null = t.allows(TypeName::Null);
    if t.allows(TypeName::String) {
        return Some(!null);
    }
    if null {
        // Only a `null` argument gives a result the type admits.
        c.verbatim.push(("type".to_owned(), Value::from("null")));
    } else {
        c.never = Some(format!("the result is text, which type {v} does not admit"));
    }
    None
}

/// For a function that may give no result for some text (`part`, or `concat` when another
/// argument is missing): a `type` without `string` on its result is met by text too, so
/// neither a `null` argument alone nor nothing is the condition; the type is dropped with a
/// note (keeping `not null` where it excludes `null`).
pub(crate) fn note_textless_type(name: &str, arg: &Expr, c: &mut Constraint) {
    use crate::schema::{TypeName, TypeSet};
    let mut not_null = false;
    let mut notes = Vec::new();
    c.verbatim.retain(|(k, v)| {
        let Some(t) = TypeSet::parse(v).filter(|_| k == "type") else {
            return true;
        };
        if t.allows(TypeName::String) {
            return true;
        }
        not_null |= !t.allows(TypeName::Null);
        notes.push(format!(
            "type {v} after {name}({arg}): met only where it gives no result, not pulled back"
        ));
        false
    });
    c.notes.extend(notes);
    let rule = ("not".to_owned(), serde_json::json!({"type": "null"}));
    if not_null && !c.verbatim.contains(&rule) {
        c.verbatim.push(rule);
    }
}

/// Drops what survives only a plain copy: keywords of `c` kept verbatim cannot be stated
/// on `arg` once `name` transformed it (those the structured part captures lose nothing).
pub(crate) fn drop_verbatim(name: &str, arg: &Expr, c: &mut Constraint) {
    let captured = std::mem::take(&mut c.captured);
    let mut not_null = false;
    for (k, v) in std::mem::take(&mut c.verbatim) {
        if k == "not" && v == serde_json::json!({"type": "null"}) {
            // Every function but `default` gives `null` for `null`: this one holds as is.
            not_null = true;
            continue;
        }
        if k == "type" {
            // The result is text whatever the argument's type; but a `null` argument gives
            // `null`, which a type without `null` rejects.
            not_null |= text_type(&v, c).unwrap_or(false);
            continue;
        }
        if captured.contains(&(k.clone(), v.clone())) {
            continue;
        }
        c.notes.push(format!(
            "{k} {v} after {name}({arg}) cannot be stated on {arg}"
        ));
    }
    if not_null {
        c.verbatim
            .push(("not".to_owned(), serde_json::json!({"type": "null"})));
    }
}

/// Replaces `c`'s `type` limits by what they still say about an argument that a function
/// turns into text: `null` gives `null`, so a type without `null` excludes it; a type
/// without `string` admits only a `null` argument.
pub(crate) fn type_to_not_null(c: &mut Constraint) {
    let mut not_null = false;
    for (k, v) in std::mem::take(&mut c.verbatim) {
        if k == "type" {
            not_null |= text_type(&v, c).unwrap_or(false);
        } else {
            c.verbatim.push((k, v));
        }
    }
    let rule = ("not".to_owned(), serde_json::json!({"type": "null"}));
    if not_null && !c.verbatim.contains(&rule) {
        c.verbatim.push(rule);
    }
}

/// Narrows `c`'s characters to `set`.
pub(crate) fn restrict_chars(c: &mut Constraint, set: &Chars) {
    let mut out = c.chars.take().unwrap_or_else(domain::all_chars);
    out.intersect(set);
    c.chars = Some(out);
}

/// The demand rule of a function whose result is never shorter than its first argument:
/// the same bound on that argument.
pub(crate) fn demand_first(effect: LengthEffect, max: Option<u64>) -> Option<(usize, Option<u64>)> {
    effect.never_shorter().then_some((0, max))
}

/// A memo keyed by a function's name and a character class: rules over classes are
/// asked about the same class many times (every field of a generated pipeline).
pub(crate) struct ClassMemo<T>(OnceLock<Mutex<rustc_hash::FxHashMap<ClassKey, T>>>);

/// A function's name and a class's ranges.
type ClassKey = (&'static str, Vec<(char, char)>);

impl<T: Clone> ClassMemo<T> {
    /// An empty memo.
    pub(crate) const fn new() -> Self {
        Self(OnceLock::new())
    }

    /// The remembered value for (`name`, `set`), computed by `make` the first time.
    pub(crate) fn get(&self, name: &'static str, set: &Chars, make: impl FnOnce() -> T) -> T {
        let key = (
            name,
            set.ranges().iter().map(|r| (r.start(), r.end())).collect(),
        );
        let memo = self.0.get_or_init(Default::default);
        if let Some(hit) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let out = make();
        if let Ok(mut m) = memo.lock() {
            m.insert(key, out.clone());
        }
        out
    }
}

/// A numeric description that says nothing.
pub(crate) fn any_number() -> Abs {
    Abs::Num(Num::any(false))
}

/// The backward rule of a per-character map (`upper`, `lower`, `ascii`): the characters
/// whose every image the target allows, and, where a length, byte or digit limit must pass
/// through unchanged, only characters the map keeps as one character of no more bytes
/// (`upper("ß")` is `SS`) and that make no digit of a non-digit (`ascii("①")` is `1`);
/// where a minimum length must, only characters it never drops.
pub(crate) fn charwise_backward(
    name: &str,
    map: &CharMap,
    arg: &Expr,
    mut c: Constraint,
) -> Constraint {
    drop_verbatim(name, arg, &mut c);
    if let Some(target) = c.chars.take() {
        c.chars = Some(map.preimage(&target));
    }
    if c.max_len.is_some() || c.max_bytes.is_some() || c.digits.is_some() {
        restrict_chars(&mut c, map.safe());
    }
    if c.min_len > 0 && map.min_out() == 0 {
        // A character that becomes nothing (`ascii` drops some) shortens the value.
        restrict_chars(&mut c, map.nonempty());
    }
    if c.digits.is_some() {
        let digits = domain::chars_of(&[('0', '9')]);
        let mut others = domain::all_chars();
        others.difference(&digits);
        restrict_chars(&mut c, &union(&map.preimage(&others), &digits));
    }
    if !c.forbid.is_empty() {
        c.notes.push(format!(
            "forbidden text after {name}() is not pulled back through it"
        ));
        c.forbid.clear();
    }
    c
}

/// A literal argument's value (`None` for any other expression).
pub(crate) fn literal_value(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Str(s) => Some(Value::String(s.clone())),
        ExprKind::Number(n) => Some(Value::Number(n.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
