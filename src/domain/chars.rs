//! How a character class is written in the JSON Schema regex dialect and for people.

use super::{self as domain, Chars};

/// A character class in the JSON Schema (ECMA 262) regex dialect.
pub(crate) fn class_regex(chars: &Chars) -> String {
    let mut negated = chars.clone();
    negated.negate();
    let (set, mut out) = if negated.ranges().len() < chars.ranges().len() {
        (&negated, String::from("[^"))
    } else {
        (chars, String::from("["))
    };
    if set.ranges().is_empty() {
        // No character: `[]` is ECMA 262 only (the Rust regex ripple compiles patterns
        // with rejects it) and `[^]` is not portable; `[^\s\S]` is valid in both.
        return if out == "[" {
            "[^\\s\\S]".into()
        } else {
            "[\\s\\S]".into()
        };
    }
    for r in set.ranges() {
        push_class_char(&mut out, r.start());
        if r.end() != r.start() {
            if u32::from(r.end()) > u32::from(r.start()) + 1 {
                out.push('-');
            }
            push_class_char(&mut out, r.end());
        }
    }
    out.push(']');
    out
}

/// A character set for people: the class when it is short, else its ASCII part and a count
/// of the rest.
pub(crate) fn describe_chars(chars: &Chars) -> String {
    let full = class_regex(chars);
    if full.chars().count() <= 60 {
        return full;
    }
    let mut ascii = chars.clone();
    ascii.intersect(&domain::chars_of(&[('\0', '\x7f')]));
    let mut rest = chars.clone();
    rest.difference(&ascii);
    let n = domain::count(&rest);
    let all = domain::count(&domain::chars_of(&[('\u{80}', char::MAX)]));
    let others = if n * 2 > all {
        format!("all but {} non-ASCII characters", all.saturating_sub(n))
    } else {
        format!("{n} non-ASCII characters")
    };
    format!("{} and {others}", class_regex(&ascii))
}

pub(crate) fn push_class_char(out: &mut String, c: char) {
    match c {
        '\\' | ']' | '[' | '^' | '-' => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii_graphic() || c == ' ' => out.push(c),
        c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        c => out.push(c),
    }
}

pub(crate) fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
