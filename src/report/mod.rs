//! Output formats: one renderer per format, all fed by the library's report values.
//!
//! Human output is for people at a terminal (colour when asked or when stdout is a
//! terminal); JSON is for scripts, with the stable keys each command documents in the README. Personal data (`x-pii`)
//! is masked in machine-readable output unless the user asks for values.

pub mod batch;
pub mod diagnostic;
pub mod diff;
pub mod github;
pub mod graph;
pub mod human;
pub mod journal;
pub mod json;
pub mod junit;
pub mod log;
pub mod sarif;
pub mod trace;

use serde_json::Value;

pub use crate::text::{MAX_VALUE_CHARS, display_value, shorten};

pub use crate::text::MASK;

/// Output options shared by every renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Use ANSI colours.
    pub color: bool,
    /// Show `x-pii` values instead of masking them.
    pub show_values: bool,
    /// Only the verdict line.
    pub quiet: bool,
    /// Show each reached system's derived record in human output (`-v`).
    pub records: bool,
}

/// What `validate` adds to the local verdicts: the live dry runs and the submit, when
/// asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Additions<'a> {
    /// The outcomes of `--live`.
    pub live: Option<&'a [crate::live::LiveOutcome]>,
    /// What `--submit` did.
    pub submit: Option<SubmitReport<'a>>,
}

/// What `--submit` did.
#[derive(Debug, Clone, Copy)]
pub enum SubmitReport<'a> {
    /// The change was journalled and sent (or found acknowledged already).
    Sent {
        /// The outcome.
        submission: &'a crate::submit::Submission,
        /// Personal values of the entry record, masked where the server quotes them.
        personal: &'a [String],
    },
    /// The change was not sent, and why (a system rejects it, an endpoint is unreachable).
    Withheld(&'a str),
}

/// A value as put in JSON output: shortened when long, masked when personal.
#[must_use]
pub fn json_value(value: &Value, pii: bool, opts: Options) -> Value {
    if pii && !opts.show_values {
        return Value::String(MASK.to_owned());
    }
    match value {
        Value::String(s) if s.chars().nth(MAX_VALUE_CHARS).is_some() => Value::String(shorten(s)),
        Value::Array(_) | Value::Object(_) => {
            let text = value.to_string();
            if text.len() > MAX_VALUE_CHARS * 4 {
                Value::String(shorten(&text))
            } else {
                value.clone()
            }
        }
        other => other.clone(),
    }
}

/// What [`json_value`] gives for a text value, borrowed when it is unchanged (neither
/// shortened nor masked): a dense log's JSON writes one per event (README, "Benchmarks").
#[must_use]
pub fn json_str(value: &str, pii: bool, opts: Options) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if pii && !opts.show_values {
        return Cow::Borrowed(MASK);
    }
    // at most MAX_VALUE_CHARS bytes are at most that many characters
    if value.len() > MAX_VALUE_CHARS && value.chars().nth(MAX_VALUE_CHARS).is_some() {
        Cow::Owned(shorten(value))
    } else {
        Cow::Borrowed(value)
    }
}

/// A derived record as shown: each leaf through [`json_value`] (shortened; masked when
/// its pointer is in `personal` and values are not shown).
#[must_use]
pub fn record_value(record: &Value, personal: &[String], opts: Options) -> Value {
    let mut out = record.clone();
    for (pointer, value) in crate::pointer::leaves(record) {
        if let Some(slot) = out.pointer_mut(&pointer) {
            *slot = json_value(&value, personal.contains(&pointer), opts);
        }
    }
    out
}

/// Masks personal values inside text ripple did not write (a log line, a server's
/// answer), unless values are shown. Each whole occurrence of a value (not part of a
/// longer word) becomes [`MASK`], in one pass over the original text, so a mask is never
/// itself edited and a short value such as `e` does not mangle other words.
#[must_use]
pub fn mask_text(text: &str, values: &[&str], opts: Options) -> String {
    if opts.show_values {
        return text.to_owned();
    }
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for value in values.iter().filter(|v| !v.trim().is_empty()) {
        for (start, _) in text.match_indices(*value) {
            let end = start + value.len();
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            let bounded_before =
                !word(text[..start].chars().next_back()) || !word(value.chars().next());
            let bounded_after =
                !word(text[end..].chars().next()) || !word(value.chars().next_back());
            if bounded_before && bounded_after {
                ranges.push((start, end));
            }
        }
    }
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in ranges {
        if end <= at {
            continue;
        }
        out.push_str(&text[at..start.max(at)]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pii_is_masked_unless_asked() {
        let v = Value::String("Hämeenkatu 1".into());
        let opts = Options::default();
        assert_eq!(json_value(&v, true, opts), Value::String(MASK.into()));
        let shown = Options {
            show_values: true,
            ..opts
        };
        assert_eq!(json_value(&v, true, shown), v);
        assert_eq!(
            mask_text("\"Hämeenkatu 1\" is too long", &["Hämeenkatu 1"], opts),
            "\"[redacted]\" is too long"
        );
    }

    #[test]
    fn masking_text_never_edits_a_mask_or_other_words() {
        let opts = Options::default();
        assert_eq!(
            mask_text("value e is not a valid email", &["e"], opts),
            "value [redacted] is not a valid email"
        );
        assert_eq!(
            mask_text("got '0' for 10 digits", &["0"], opts),
            "got '[redacted]' for 10 digits"
        );
        assert_eq!(
            mask_text("red and redacted", &["red", "redacted"], opts),
            "[redacted] and [redacted]"
        );
    }
}
