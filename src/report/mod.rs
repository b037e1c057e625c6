//! Output formats: one renderer per format, all fed by the library's report values.
//!
//! Human output is for people at a terminal (colour when asked or when stdout is a
//! terminal); JSON is for scripts, with the stable keys each command documents in the README. Personal data (`x-pii`)
//! is masked in machine-readable output unless the user asks for values.

pub mod diagnostic;
pub mod github;
pub mod graph;
pub mod human;
pub mod journal;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod trace;

use serde_json::Value;

pub use crate::text::{MAX_VALUE_CHARS, display_value, shorten};

/// What replaces a personal value in machine-readable output.
pub const MASK: &str = "[redacted]";

/// Output options shared by every renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Use ANSI colours.
    pub color: bool,
    /// Show `x-pii` values instead of masking them.
    pub show_values: bool,
    /// Only the verdict line.
    pub quiet: bool,
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

/// Removes a personal value from a message that may quote it.
#[must_use]
pub fn mask_message(message: &str, value: Option<&Value>, pii: bool, opts: Options) -> String {
    match value {
        Some(Value::String(s)) if pii && !opts.show_values && !s.is_empty() => {
            let mut out = message.replace(s.as_str(), MASK);
            let short = shorten(s);
            out = out.replace(&short, MASK);
            // Schema messages may quote a prefix of a long value.
            if let Some(prefix) = s.get(..s.char_indices().nth(20).map_or(s.len(), |(i, _)| i))
                && prefix.chars().count() >= 3
            {
                out = out.replace(prefix, MASK);
            }
            out
        }
        _ => message.to_owned(),
    }
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
            mask_message("\"Hämeenkatu 1\" is too long", Some(&v), true, opts),
            "\"[redacted]\" is too long"
        );
    }
}
