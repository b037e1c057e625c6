//! The mapping functions, what each does to a value, and what each does to length and
//! characters: the static check reasons with the latter, the README documents both.

use serde_json::{Number, Value};

/// A mapping function (SPEC 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    /// `lower(s)`
    Lower,
    /// `upper(s)`
    Upper,
    /// `trim(s)`
    Trim,
    /// `ascii(s)`
    Ascii,
    /// `truncate(s, n)`
    Truncate,
    /// `concat(a, b, …)`
    Concat,
    /// `replace(s, from, to)`
    Replace,
    /// `digits(s)`
    Digits,
    /// `pad_left(s, n, c)`
    PadLeft,
    /// `part(s, sep, i)`
    Part,
    /// `default(x, v)`
    Default,
    /// `string(x)`
    String,
    /// `number(x)`
    Number,
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
pub(crate) enum Literal {
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

impl Func {
    /// Every function, in documentation order.
    pub const ALL: [Func; 13] = [
        Func::Lower,
        Func::Upper,
        Func::Trim,
        Func::Ascii,
        Func::Truncate,
        Func::Concat,
        Func::Replace,
        Func::Digits,
        Func::PadLeft,
        Func::Part,
        Func::Default,
        Func::String,
        Func::Number,
    ];

    /// The function called `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Func> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Its name in expressions.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Func::Lower => "lower",
            Func::Upper => "upper",
            Func::Trim => "trim",
            Func::Ascii => "ascii",
            Func::Truncate => "truncate",
            Func::Concat => "concat",
            Func::Replace => "replace",
            Func::Digits => "digits",
            Func::PadLeft => "pad_left",
            Func::Part => "part",
            Func::Default => "default",
            Func::String => "string",
            Func::Number => "number",
        }
    }

    /// The argument kinds; `None` for variadic `concat` (one or more of any).
    pub(crate) fn params(self) -> Option<&'static [Literal]> {
        use Literal::{Any, Char, Count, Int, NonEmptyStr, Str};
        Some(match self {
            Func::Lower
            | Func::Upper
            | Func::Trim
            | Func::Ascii
            | Func::Digits
            | Func::String
            | Func::Number => &[Any],
            Func::Truncate => &[Any, Count],
            Func::Concat => return None,
            Func::Replace => &[Any, NonEmptyStr, Str],
            Func::PadLeft => &[Any, Count, Char],
            Func::Part => &[Any, NonEmptyStr, Int],
            Func::Default => &[Any, Any],
        })
    }

    /// Documentation: what it does, and to length and characters.
    #[must_use]
    pub fn doc(self) -> FuncDoc {
        match self {
            Func::Lower => FuncDoc {
                signature: "lower(s)",
                summary: "Unicode lower case.",
                length: "usually unchanged; can grow (`İ` → `i̇`, 2 characters)",
                chars: "no upper-case letters remain; non-letters unchanged",
                result: "string",
            },
            Func::Upper => FuncDoc {
                signature: "upper(s)",
                summary: "Unicode upper case (full case mapping).",
                length: "can grow: `ß` → `SS`, `ŉ` → `ʼN`",
                chars: "no lower-case letters remain; `ä` stays non-ASCII (`Ä`)",
                result: "string",
            },
            Func::Trim => FuncDoc {
                signature: "trim(s)",
                summary: "Removes Unicode white space at both ends.",
                length: "shrinks or unchanged; can become empty",
                chars: "a subset of the input's",
                result: "string",
            },
            Func::Ascii => FuncDoc {
                signature: "ascii(s)",
                summary: "Transliterates to ASCII (deunicode): ä→a, ö→o, å→a, ß→ss, æ→ae, ø→o, é→e; a character with no ASCII form becomes `?`.",
                length: "can grow (`ß` → `ss`, `æ` → `ae`, CJK → syllables) or shrink (combining marks dropped)",
                chars: "ASCII only",
                result: "string",
            },
            Func::Truncate => FuncDoc {
                signature: "truncate(s, n)",
                summary: "The first n characters (Unicode scalar values, as JSON Schema counts). n is an integer literal.",
                length: "at most n characters (bytes may still be up to 4n)",
                chars: "a prefix of the input",
                result: "string",
            },
            Func::Concat => FuncDoc {
                signature: "concat(a, b, …)",
                summary: "Joins its arguments' text. Missing if any argument is missing.",
                length: "the sum of the arguments' lengths",
                chars: "the union of the arguments' characters",
                result: "string",
            },
            Func::Replace => FuncDoc {
                signature: "replace(s, from, to)",
                summary: "Replaces every occurrence of the literal `from` with the literal `to`.",
                length: "grows or shrinks by (len(to) − len(from)) per occurrence",
                chars: "`from` may disappear, `to`'s characters may appear",
                result: "string",
            },
            Func::Digits => FuncDoc {
                signature: "digits(s)",
                summary: "Keeps only the ASCII digits 0–9.",
                length: "shrinks or unchanged; can become empty",
                chars: "0–9 only",
                result: "string",
            },
            Func::PadLeft => FuncDoc {
                signature: "pad_left(s, n, c)",
                summary: "Pads on the left with the one-character literal c to n characters; never truncates.",
                length: "at least n; longer input unchanged",
                chars: "the input's plus c",
                result: "string",
            },
            Func::Part => FuncDoc {
                signature: "part(s, sep, i)",
                summary: "The i-th piece of s split on the literal sep (0-based; negative counts from the end, -1 = last). Missing when out of range.",
                length: "at most the input's",
                chars: "a subset of the input's, never sep",
                result: "string",
            },
            Func::Default => FuncDoc {
                signature: "default(x, v)",
                summary: "x when present and not null, otherwise v. The only function that gives a value for a missing field.",
                length: "either x's or v's",
                chars: "either x's or v's",
                result: "x's or v's type",
            },
            Func::String => FuncDoc {
                signature: "string(x)",
                summary: "Text of x: strings unchanged, numbers and booleans as JSON text.",
                length: "numbers: their JSON text",
                chars: "numbers: 0–9, `-`, `.`, `e`, `+`",
                result: "string",
            },
            Func::Number => FuncDoc {
                signature: "number(x)",
                summary: "Parses text as a JSON number (white space trimmed); numbers unchanged; anything else fails the mapping.",
                length: "n/a",
                chars: "n/a",
                result: "number",
            },
        }
    }
}

/// Text form of a scalar for string functions; `Err` for arrays and objects.
pub(crate) fn text_of(func: Func, v: &Value) -> Result<Option<String>, String> {
    match v {
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Bool(b) => Ok(Some(b.to_string())),
        Value::Null => Ok(None),
        Value::Array(_) => Err(format!("{} expects text, got an array", func.name())),
        Value::Object(_) => Err(format!("{} expects text, got an object", func.name())),
    }
}

/// Transliterates to ASCII; characters deunicode has no form for become `?`.
pub(crate) fn to_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            match deunicode::deunicode_char(c) {
                Some(t) if t != "[?]" => out.push_str(t),
                _ => out.push('?'),
            }
        }
    }
    out
}

/// Applies a string function to its (already evaluated, present, non-null) text argument.
pub(crate) fn apply_text(func: Func, s: &str, lits: &[Value]) -> Option<String> {
    let int = |i: usize| lits.get(i).and_then(Value::as_i64);
    let text = |i: usize| lits.get(i).and_then(Value::as_str);
    Some(match func {
        Func::Lower => s.to_lowercase(),
        Func::Upper => s.to_uppercase(),
        Func::Trim => s.trim().to_owned(),
        Func::Ascii => to_ascii(s),
        Func::Digits => s.chars().filter(char::is_ascii_digit).collect(),
        Func::Truncate => {
            let n = usize::try_from(int(1)?).ok()?;
            s.chars().take(n).collect()
        }
        Func::Replace => s.replace(text(1)?, text(2)?),
        Func::PadLeft => {
            let n = usize::try_from(int(1)?).ok()?;
            let c = text(2)?.chars().next()?;
            let len = s.chars().count();
            let mut out: String = std::iter::repeat_n(c, n.saturating_sub(len)).collect();
            out.push_str(s);
            out
        }
        Func::Part => {
            let pieces: Vec<&str> = s.split(text(1)?).collect();
            let i = int(2)?;
            let idx = if i < 0 {
                pieces
                    .len()
                    .checked_sub(usize::try_from(i.unsigned_abs()).ok()?)?
            } else {
                usize::try_from(i).ok()?
            };
            (*pieces.get(idx)?).to_owned()
        }
        Func::Concat | Func::Default | Func::String | Func::Number => return None,
    })
}

/// `number(x)`.
pub(crate) fn to_number(v: &Value) -> Result<Option<Value>, String> {
    match v {
        Value::Number(_) => Ok(Some(v.clone())),
        Value::Null => Ok(Some(Value::Null)),
        Value::String(s) => serde_json::from_str::<Number>(s.trim())
            .map(|n| Some(Value::Number(n)))
            .map_err(|_| format!("cannot convert \"{}\" to a number", crate::text::shorten(s))),
        other => Err(format!("cannot convert {} to a number", kind(other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
