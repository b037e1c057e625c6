//! What a `pattern` says about characters and length, read from the regex itself (in the
//! JSON Schema dialect) and remembered per pattern text.

#[allow(clippy::wildcard_imports)]
use super::*;

/// `^C{m,n}$`: a pattern that is one repeated character class, the shape of most real
/// column patterns. Translated from the JSON Schema (ECMA) dialect first.
#[must_use]
pub fn simple_pattern(pattern: &str) -> Option<(Chars, u64, Option<u64>)> {
    memo(&SIMPLE, pattern, simple_pattern_uncached)
}

/// What a pattern says about characters and length, remembered per pattern text: parsing
/// the regex again for every field on every path dominated `check` on large graphs.
type PatternFacts = Option<(Chars, u64, Option<u64>)>;
type PatternMemo<T = PatternFacts> =
    std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, T>>>;
static SIMPLE: PatternMemo = std::sync::OnceLock::new();
static BOUNDS: PatternMemo = std::sync::OnceLock::new();
static MIN_LEN: PatternMemo<u64> = std::sync::OnceLock::new();

fn memo<T: Clone>(cache: &PatternMemo<T>, pattern: &str, f: fn(&str) -> T) -> T {
    let map = cache.get_or_init(Default::default);
    if let Ok(m) = map.lock()
        && let Some(found) = m.get(pattern)
    {
        return found.clone();
    }
    let facts = f(pattern);
    if let Ok(mut m) = map.lock() {
        m.insert(pattern.to_owned(), facts.clone());
    }
    facts
}

fn simple_pattern_uncached(pattern: &str) -> PatternFacts {
    let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
    let hir = regex_syntax::parse(&translated).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [start, body, end] = parts.as_slice() else {
        return None;
    };
    let anchored =
        |h: &Hir, looks: &[Look]| matches!(h.kind(), HirKind::Look(l) if looks.contains(l));
    if !anchored(start, &[Look::Start]) || !anchored(end, &[Look::End]) {
        return None;
    }
    match body.kind() {
        HirKind::Repetition(rep) => match rep.sub.kind() {
            HirKind::Class(Class::Unicode(c)) => {
                Some((c.clone(), u64::from(rep.min), rep.max.map(u64::from)))
            }
            HirKind::Literal(lit) => {
                let s = std::str::from_utf8(&lit.0).ok()?;
                (s.chars().count() == 1)
                    .then(|| (chars_in(s), u64::from(rep.min), rep.max.map(u64::from)))
            }
            _ => None,
        },
        HirKind::Class(Class::Unicode(c)) => Some((c.clone(), 1, Some(1))),
        _ => None,
    }
}

/// For an anchored pattern that is a sequence of character classes, literals and
/// repeated classes (`^[a-z][a-z0-9]{1,7}$`): the characters it can contain and its length
/// bounds. An over-approximation, so usable to narrow what an upstream system accepted,
/// but not to prove a target accepts a value (order matters there: see
/// [`simple_pattern`]).
#[must_use]
pub fn pattern_bounds(pattern: &str) -> Option<(Chars, u64, Option<u64>)> {
    memo(&BOUNDS, pattern, pattern_bounds_uncached)
}

fn pattern_bounds_uncached(pattern: &str) -> PatternFacts {
    if let Some(simple) = simple_pattern(pattern) {
        return Some(simple);
    }
    let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
    let hir = regex_syntax::parse(&translated).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let (first, rest) = parts.split_first()?;
    let (last, body) = rest.split_last()?;
    let is = |h: &Hir, looks: &[Look]| matches!(h.kind(), HirKind::Look(l) if looks.contains(l));
    if !is(first, &[Look::Start]) || !is(last, &[Look::End]) {
        return None;
    }
    let mut chars = ClassUnicode::empty();
    let (mut min, mut max) = (0u64, Some(0u64));
    for part in body {
        let (c, lo, hi) = match part.kind() {
            HirKind::Class(Class::Unicode(c)) => (c.clone(), 1, Some(1)),
            HirKind::Literal(lit) => {
                let s = std::str::from_utf8(&lit.0).ok()?;
                let n = s.chars().count() as u64;
                (chars_in(s), n, Some(n))
            }
            HirKind::Repetition(rep) => match rep.sub.kind() {
                HirKind::Class(Class::Unicode(c)) => {
                    (c.clone(), u64::from(rep.min), rep.max.map(u64::from))
                }
                HirKind::Literal(lit) => {
                    let s = std::str::from_utf8(&lit.0).ok()?;
                    let n = s.chars().count() as u64;
                    (
                        chars_in(s),
                        n * u64::from(rep.min),
                        rep.max.map(|m| n * u64::from(m)),
                    )
                }
                _ => return None,
            },
            _ => return None,
        };
        chars.union(&c);
        min += lo;
        max = max.zip(hi).map(|(a, b)| a + b);
    }
    Some((chars, min, max))
}

/// The fewest characters a string matching `pattern` can have: every match of the regex
/// is at least that long, anchored or not, in multi-line mode or not, so a value that
/// passed the pattern is too. 0 when the pattern cannot be read.
#[must_use]
pub fn pattern_min_len(pattern: &str) -> u64 {
    memo(&MIN_LEN, pattern, |p| {
        jsonschema_regex::to_rust_regex(p)
            .ok()
            .and_then(|t| regex_syntax::parse(&t).ok())
            .map_or(0, |hir| min_chars(&hir))
    })
}

/// The fewest characters a match of `hir` spans.
fn min_chars(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(lit) => {
            std::str::from_utf8(&lit.0).map_or(0, |s| s.chars().count() as u64)
        }
        // One character (a byte class, outside Unicode mode, one byte of one).
        HirKind::Class(_) => 1,
        HirKind::Repetition(rep) => u64::from(rep.min).saturating_mul(min_chars(&rep.sub)),
        HirKind::Capture(cap) => min_chars(&cap.sub),
        HirKind::Concat(parts) => parts.iter().map(min_chars).fold(0, u64::saturating_add),
        HirKind::Alternation(alts) => alts.iter().map(min_chars).min().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    const PATTERNS: [&str; 8] = [
        "(?m)^[a-z]+$",
        "[0-9]{3}",
        "^(ab|c)+d?$",
        "(?i)x.y",
        "^\\d{1,5}$|^[a-z]{4}",
        "(?m)^$",
        "é{2}",
        "^(?:[A-Z]{2}-)?[0-9]+$",
    ];

    #[test]
    fn minimum_lengths() {
        let got: Vec<u64> = PATTERNS.iter().map(|p| pattern_min_len(p)).collect();
        assert_eq!(got, [1, 3, 1, 3, 1, 0, 2, 1]);
        assert_eq!(pattern_min_len("(unclosed"), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// Every string the real validator matches against a pattern is at least as long
        /// as the pattern's minimum.
        #[test]
        fn matched_strings_are_at_least_the_minimum(
            p in 0..PATTERNS.len(),
            s in "[a-zA-Z0-9é\\n-]{0,6}",
        ) {
            let schema = json!({"pattern": PATTERNS[p]});
            let matched = jsonschema::options()
                .with_pattern_options(jsonschema::PatternOptions::regex())
                .build(&schema)
                .is_ok_and(|v| v.is_valid(&Value::from(s.as_str())));
            if matched {
                prop_assert!(s.chars().count() as u64 >= pattern_min_len(PATTERNS[p]));
            }
        }
    }
}
