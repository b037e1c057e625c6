//! What a `format` keyword says about the text of a string that passes it: a length
//! interval, the characters it can be made of, and a character it must contain. Only the
//! formats whose shape is fixed by their grammar are described (`date`, `time`,
//! `date-time`, `email`, `uuid`, `ipv4`); any other says nothing here and is left to the
//! real validator. Each shape is held to jsonschema's own format check by a property test
//! below: every string it accepts fits the shape.

use super::{Chars, chars_of};

/// The shape of every string a format accepts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape {
    /// Fewest characters.
    pub min: u64,
    /// Most characters, if bounded.
    pub max: Option<u64>,
    /// The characters it can be made of, if fewer than all.
    pub chars: Option<Chars>,
    /// A character every accepted string contains.
    pub needs: Option<char>,
}

/// The shape of the strings `format` accepts, for the formats described here.
pub(crate) fn shape(format: &str) -> Option<Shape> {
    let digits = ('0', '9');
    Some(match format {
        // `YYYY-MM-DD` (RFC 3339 full-date): ten characters. Not only digits and `-`:
        // jsonschema accepts `2014-0+-29` (the property test below found it).
        "date" => Shape {
            min: 10,
            max: Some(10),
            chars: None,
            needs: Some('-'),
        },
        // `HH:MM:SS`, fractions, then `Z` or an offset (RFC 3339 full-time).
        "time" => Shape {
            min: 9,
            max: None,
            chars: Some(time_chars(&[])),
            needs: Some(':'),
        },
        // A date, `T`, a time.
        "date-time" => Shape {
            min: 20,
            max: None,
            chars: Some(time_chars(&[('-', '-'), ('T', 'T'), ('t', 't')])),
            needs: Some(':'),
        },
        // `local@domain`, neither part empty.
        "email" => Shape {
            min: 3,
            max: None,
            chars: None,
            needs: Some('@'),
        },
        // 8-4-4-4-12 hexadecimal digits.
        "uuid" => Shape {
            min: 36,
            max: Some(36),
            chars: Some(chars_of(&[digits, ('a', 'f'), ('A', 'F'), ('-', '-')])),
            needs: Some('-'),
        },
        // Four decimal octets.
        "ipv4" => Shape {
            min: 7,
            max: Some(15),
            chars: Some(chars_of(&[digits, ('.', '.')])),
            needs: Some('.'),
        },
        _ => return None,
    })
}

/// A string the format accepts, for the formats whose shape is described here (e-mail
/// addresses have their own candidates, around their length limits).
pub(crate) fn example(format: &str) -> Option<&'static str> {
    Some(match format {
        "date" => "2024-01-31",
        "time" => "12:00:00Z",
        "date-time" => "2024-01-31T12:00:00Z",
        "uuid" => "0f8fad5b-d9cb-469f-a165-70867728950e",
        "ipv4" => "192.168.100.200",
        _ => return None,
    })
}

/// The characters of an RFC 3339 time (and `extra`): digits, `:`, a fraction's `.`, the
/// offset's sign, `Z`.
fn time_chars(extra: &[(char, char)]) -> Chars {
    let mut ranges = vec![
        ('0', '9'),
        (':', ':'),
        ('.', '.'),
        ('+', '+'),
        ('-', '-'),
        ('Z', 'Z'),
        ('z', 'z'),
    ];
    ranges.extend_from_slice(extra);
    chars_of(&ranges)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::domain::contains;

    const FORMATS: [&str; 6] = ["date", "time", "date-time", "email", "uuid", "ipv4"];

    /// Strings each format accepts, to mutate from.
    const VALID: [&str; 8] = [
        "2024-02-29",
        "23:59:60Z",
        "12:00:00.5+01:00",
        "2024-01-31T00:00:00Z",
        "2024-01-31t12:30:00.123-05:00",
        "a@b",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "192.168.100.200",
    ];

    fn accepts(format: &str, s: &str) -> bool {
        jsonschema::options()
            .should_validate_formats(true)
            .build(&json!({"format": format}))
            .is_ok_and(|v| v.is_valid(&Value::from(s)))
    }

    fn fits(shape: &Shape, s: &str) -> bool {
        let n = s.chars().count() as u64;
        n >= shape.min
            && shape.max.is_none_or(|m| n <= m)
            && shape
                .chars
                .as_ref()
                .is_none_or(|c| s.chars().all(|ch| contains(c, ch)))
            && shape.needs.is_none_or(|c| s.contains(c))
    }

    #[test]
    fn the_examples_are_accepted_and_fit() {
        for s in VALID {
            let accepted: Vec<&str> = FORMATS.into_iter().filter(|f| accepts(f, s)).collect();
            assert!(!accepted.is_empty(), "{s} is no example");
            for f in accepted {
                assert!(fits(&shape(f).unwrap(), s), "{f}: {s}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Every string jsonschema accepts for a format fits the format's shape: the
        /// examples with characters replaced, inserted and removed.
        #[test]
        fn every_accepted_string_fits_its_shape(
            base in 0..VALID.len(),
            edits in proptest::collection::vec(
                (0..3u8, 0..40usize, prop::sample::select(
                    "0123456789-:.+@TtZzaAfF ä😀\u{2028}".chars().collect::<Vec<_>>()
                )),
                0..4,
            ),
        ) {
            let mut s: Vec<char> = VALID[base].chars().collect();
            for (op, at, c) in edits {
                let at = at % (s.len() + 1);
                match op {
                    0 => s.insert(at, c),
                    1 if at < s.len() => s[at] = c,
                    _ if at < s.len() => { s.remove(at); }
                    _ => {}
                }
            }
            let s: String = s.into_iter().collect();
            for f in FORMATS {
                if accepts(f, &s) {
                    prop_assert!(fits(&shape(f).unwrap(), &s), "{} accepts {:?}", f, s);
                }
            }
        }
    }
}
