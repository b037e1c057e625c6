//! Character sets: what the case and ASCII functions map into a class, and how a class
//! is written in the JSON Schema regex dialect.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A character class in the JSON Schema (ECMA 262) regex dialect.
pub(super) fn class_regex(chars: &Chars) -> String {
    let mut negated = chars.clone();
    negated.negate();
    let (set, mut out) = if negated.ranges().len() < chars.ranges().len() {
        (&negated, String::from("[^"))
    } else {
        (chars, String::from("["))
    };
    if set.ranges().is_empty() {
        // The empty class `[]` matches nothing; `[^]` is not portable.
        return if out == "[" {
            "[]".into()
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
pub(super) fn describe_chars(chars: &Chars) -> String {
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

pub(super) fn push_class_char(out: &mut String, c: char) {
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

pub(super) fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\^$.|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Characters whose upper/lower case differs from themselves; computed once.
pub(super) fn cased() -> &'static [char] {
    static CASED: OnceLock<Vec<char>> = OnceLock::new();
    CASED.get_or_init(|| {
        (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|&c| {
                let mut u = c.to_uppercase();
                let mut l = c.to_lowercase();
                !(u.next() == Some(c) && u.next().is_none() && l.next() == Some(c))
                    || l.next().is_some()
            })
            .collect()
    })
}

/// The scalar value after `c`, skipping the surrogate gap.
pub(super) fn next_char(c: char) -> Option<char> {
    if c == '\u{D7FF}' {
        return Some('\u{E000}');
    }
    char::from_u32(u32::from(c) + 1)
}

pub(super) fn set_of(chars: impl IntoIterator<Item = char>) -> Chars {
    let mut v: Vec<char> = chars.into_iter().collect();
    v.sort_unstable();
    let mut ranges: Vec<(char, char)> = Vec::new();
    for c in v {
        match ranges.last_mut() {
            Some((_, end)) if next_char(*end) == Some(c) => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    domain::chars_of(&ranges)
}

/// The characters `func` (`upper`, `lower` or `ascii`) can change; every other character
/// maps to itself.
fn changed(func: Func) -> Box<dyn Iterator<Item = char>> {
    if func == Func::Ascii {
        Box::new((0x80..=u32::from(char::MAX)).filter_map(char::from_u32))
    } else {
        Box::new(cased().iter().copied())
    }
}

/// The characters `c` for which `func(c)` only holds characters of `target`. Remembered
/// per function and target: a class is pulled back through the same function many times,
/// and `ascii` means looking at every non-ASCII character.
pub(super) fn preimage(func: Func, target: &Chars) -> Chars {
    type Key = (&'static str, Vec<(char, char)>);
    static MEMO: OnceLock<std::sync::Mutex<std::collections::HashMap<Key, Chars>>> =
        OnceLock::new();
    let key: Key = (
        func.name(),
        target
            .ranges()
            .iter()
            .map(|r| (r.start(), r.end()))
            .collect(),
    );
    let memo = MEMO.get_or_init(Default::default);
    if let Some(hit) = memo.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let mut out = target.clone();
    out.difference(&set_of(changed(func)));
    let good = changed(func).filter(|&c| {
        apply_char(func, c)
            .chars()
            .all(|d| domain::contains(target, d))
    });
    out.union(&set_of(good));
    if let Ok(mut m) = memo.lock() {
        m.insert(key, out.clone());
    }
    out
}

/// The characters `func` maps to exactly one character of at most the same UTF-8 width:
/// where length and byte limits pass through it unchanged. Computed once per function.
pub(super) fn safe_chars(func: Func) -> Chars {
    static UPPER: OnceLock<Chars> = OnceLock::new();
    static LOWER: OnceLock<Chars> = OnceLock::new();
    static ASCII: OnceLock<Chars> = OnceLock::new();
    let cell = match func {
        Func::Upper => &UPPER,
        Func::Lower => &LOWER,
        _ => &ASCII,
    };
    cell.get_or_init(|| {
        let mut out = domain::all_chars();
        let bad = changed(func).filter(|&c| {
            let s = apply_char(func, c);
            s.chars().count() != 1 || s.len() > c.len_utf8()
        });
        out.difference(&set_of(bad));
        out
    })
    .clone()
}

pub(super) fn apply_char(func: Func, c: char) -> String {
    let s = c.to_string();
    crate::expr::func::apply_text(func, &s, &[]).unwrap_or(s)
}
