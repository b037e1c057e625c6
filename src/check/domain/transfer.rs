//! Transfer functions: what each mapping function can produce from descriptions of its
//! arguments, kept sound (the result covers every value the function can return).

#[allow(clippy::wildcard_imports)]
use super::*;

/// A value as a string description (numbers and booleans become their JSON text).
fn as_text(a: &Abs) -> Str {
    match a {
        Abs::Str(s) => s.clone(),
        Abs::Num(n) => {
            // A bounded integer prints with at most as many characters as its widest bound.
            let digits = |x: f64| x.abs().to_string().len() as u64 + u64::from(x < 0.0);
            let max = match (n.integer, n.min, n.max) {
                (true, Some(lo), Some(hi)) if lo.abs() < 1e15 && hi.abs() < 1e15 => {
                    Some(digits(lo).max(digits(hi)))
                }
                _ => Some(32),
            };
            let chars = if n.integer && n.min.is_some_and(|m| m >= 0.0) {
                chars_of(&[('0', '9')])
            } else {
                chars_of(&[('+', '.'), ('0', '9'), ('E', 'E'), ('e', 'e')])
            };
            Str {
                min: 1,
                max,
                bytes: None,
                chars,
                format: None,
            }
        }
        Abs::Any => Str::any(),
    }
}

fn non_ascii(c: &Chars) -> bool {
    c.ranges().last().is_some_and(|r| !r.end().is_ascii())
}

/// What `func` can produce from arguments described by `args` (literal arguments as
/// values in `lits`).
#[must_use]
pub fn apply(func: Func, args: &[Abs], lits: &[Option<Value>]) -> Abs {
    let first = || args.first().map(as_text).unwrap_or_else(Str::any);
    let lit_u64 = |i: usize| lits.get(i).and_then(|v| v.as_ref()).and_then(Value::as_u64);
    let lit_str = |i: usize| {
        lits.get(i)
            .and_then(|v| v.as_ref())
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let ascii_printable = chars_of(&[(' ', '~')]);
    Abs::Str(match func {
        Func::Lower | Func::Upper => {
            let s = first();
            let lower = func == Func::Lower;
            let (from, to) = if lower {
                (('A', 'Z'), ('a', 'z'))
            } else {
                (('a', 'z'), ('A', 'Z'))
            };
            let mut ascii = intersect(&s.chars, &chars_of(&[('\0', '\x7f')]));
            let cased = intersect(&ascii, &chars_of(&[from]));
            if !cased.ranges().is_empty() {
                ascii.difference(&chars_of(&[from]));
                ascii.union(&chars_of(&[to]));
            }
            let mut chars = ascii;
            let mut max = s.max;
            if non_ascii(&s.chars) {
                // Non-ASCII letters map to their other case, to ASCII letters (ß → SS,
                // ſ → S, K → k) and combining marks; a character can become three.
                let mut other = intersect(&s.chars, &chars_of(&[('\u{80}', char::MAX)]));
                // Folding a huge class costs more than it tells: keep it exact for small
                // sets (Latin-1 letters), and take every non-ASCII character otherwise.
                if count(&other) <= 4096 {
                    other.case_fold_simple();
                } else {
                    other = chars_of(&[('\u{80}', char::MAX)]);
                }
                chars.union(&other);
                chars.union(&chars_of(&[
                    to,
                    ('\u{2bc}', '\u{2bc}'),
                    ('\u{300}', '\u{36f}'),
                ]));
                max = max.map(|m| m.saturating_mul(3));
            }
            Str {
                min: s.min,
                max,
                bytes: None,
                chars,
                format: None,
            }
        }
        Func::Trim => {
            let s = first();
            Str {
                min: 0,
                format: None,
                ..s
            }
        }
        Func::Ascii => {
            let s = first();
            if non_ascii(&s.chars) {
                let mut chars = intersect(&s.chars, &chars_of(&[('\0', '\x7f')]));
                chars.union(&ascii_printable);
                Str {
                    min: 0,
                    max: None,
                    bytes: None,
                    chars,
                    format: None,
                }
            } else {
                s
            }
        }
        Func::Truncate => {
            let s = first();
            let n = lit_u64(1).unwrap_or(u64::MAX);
            Str {
                min: s.min.min(n),
                max: Some(s.max.map_or(n, |m| m.min(n))),
                bytes: s.bytes,
                chars: s.chars,
                format: None,
            }
        }
        Func::Concat => {
            let mut out = Str::literal("");
            for a in args {
                let t = as_text(a);
                out = Str {
                    min: out.min.saturating_add(t.min),
                    max: out.max.zip(t.max).map(|(p, q)| p.saturating_add(q)),
                    bytes: out
                        .max_bytes()
                        .zip(t.max_bytes())
                        .map(|(p, q)| p.saturating_add(q)),
                    chars: union(&out.chars, &t.chars),
                    format: None,
                };
            }
            out
        }
        Func::Replace => {
            let s = first();
            let (from, to) = (
                lit_str(1).unwrap_or_default(),
                lit_str(2).unwrap_or_default(),
            );
            let (lf, lt) = (
                from.chars().count().max(1) as u64,
                to.chars().count() as u64,
            );
            let max = if lt <= lf {
                s.max
            } else {
                s.max.map(|m| m.saturating_mul(lt).div_ceil(lf))
            };
            let min = if lt >= lf { s.min } else { 0 };
            Str {
                min,
                max,
                bytes: None,
                chars: union(&s.chars, &chars_in(&to)),
                format: None,
            }
        }
        Func::Digits => {
            let s = first();
            Str {
                min: 0,
                max: s.max,
                bytes: s.max,
                chars: intersect(&s.chars, &chars_of(&[('0', '9')])),
                format: None,
            }
        }
        Func::PadLeft => {
            let s = first();
            let n = lit_u64(1).unwrap_or(0);
            let c = lit_str(2).unwrap_or_default();
            Str {
                min: s.min.max(n),
                max: s.max.map(|m| m.max(n)),
                bytes: None,
                chars: union(&s.chars, &chars_in(&c)),
                format: None,
            }
        }
        Func::Part => {
            let s = first();
            Str {
                min: 0,
                format: None,
                ..s
            }
        }
        Func::String => first(),
        Func::Default => {
            return match (args.first(), args.get(1)) {
                (Some(a), Some(b)) => join(a, b),
                _ => Abs::Any,
            };
        }
        Func::Number => {
            // Digits only: a non-negative integer below 10^max.
            let s = first();
            let digits_only = subset(&s.chars, &chars_of(&[('0', '9')])) && s.min > 0;
            return match s.max {
                Some(m) if digits_only && m < 16 => Abs::Num(Num {
                    integer: true,
                    min: Some(0.0),
                    max: Some(10f64.powi(i32::try_from(m).unwrap_or(15)) - 1.0),
                    multiple: None,
                }),
                _ => Abs::Num(Num::any(false)),
            };
        }
    })
}
