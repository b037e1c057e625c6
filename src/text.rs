//! Text helpers shared by messages and renderers.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// Longest value echoed in messages and output, in characters.
pub const MAX_VALUE_CHARS: usize = 120;

/// Shortens a string for display: the first [`MAX_VALUE_CHARS`] characters and a count of
/// the rest, so a 50 MB value is reported, not echoed.
#[must_use]
pub fn shorten(text: &str) -> String {
    // Most text is short, or ASCII where bytes are characters: no decoding then.
    if text.len() <= MAX_VALUE_CHARS {
        return text.to_owned();
    }
    let cut = if text.as_bytes()[..=MAX_VALUE_CHARS].is_ascii() {
        MAX_VALUE_CHARS
    } else {
        match text.char_indices().nth(MAX_VALUE_CHARS) {
            None => return text.to_owned(),
            Some((cut, _)) => cut,
        }
    };
    let tail = &text[cut..];
    let rest = if tail.is_ascii() {
        tail.len()
    } else {
        tail.chars().count()
    };
    // one allocation of the final size: a dense log shortens one message per event
    let mut out = String::with_capacity(cut + 40);
    out.push_str(&text[..cut]);
    out.push_str("… (");
    let _ = write!(out, "{rest}");
    out.push_str(" more characters)");
    out
}

/// What replaces a personal value wherever it would be shown.
pub const MASK: &str = "[redacted]";

/// A sentence about a value: `"abc" is longer than 2 characters (3)`, or with `masked`
/// `value [redacted] is longer than 2 characters (3)`; `detail` (which quotes part of the
/// value) is appended only when not masked. Without a value the message stands alone.
#[must_use]
pub fn sentence(
    value: Option<&serde_json::Value>,
    message: &str,
    detail: Option<&str>,
    masked: bool,
) -> String {
    let mut out = match value {
        Some(_) if masked => format!("value {MASK} {message}"),
        Some(v) => format!("{} {message}", display_value(v)),
        None => message.to_owned(),
    };
    if let (Some(d), false) = (detail, masked) {
        out.push_str(": ");
        out.push_str(d);
    }
    out
}

/// The noun for `n` things: `character` for 1, `characters` otherwise.
#[must_use]
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

/// `n` and its noun: `1 character`, `2 characters`.
#[must_use]
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {}", plural(n as u64, noun))
}

/// A JSON value in words for messages: `the string "35"`, `the number -1`, `true`,
/// `null`, `a list`, `an object`.
#[must_use]
pub fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::String(s) => format!("the string \"{}\"", shorten(s)),
        Value::Number(n) => format!("the number {n}"),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// `text` without a leading UTF-8 byte order mark, which some Windows editors write and
/// JSON parsers reject.
#[must_use]
pub fn strip_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// Now as RFC 3339 in UTC with milliseconds (`2026-11-03T09:41:07.123Z`).
#[must_use]
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// `time` as RFC 3339 in UTC with milliseconds.
#[must_use]
pub fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// A value as shown to people: JSON text, shortened, with every character a terminal
/// would act on escaped (see [`escape`]). Lives here, below every module that writes
/// messages, so that `check` and `trace` need not reach up into `report`.
#[must_use]
pub fn display_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => format!("\"{}\"", escape(&shorten(s))),
        other => escape(&shorten(&other.to_string())).into_owned(),
    }
}

/// Whether a terminal may act on `c` rather than print it: control characters (ESC, CR,
/// LF, NUL, DEL, C1), bidirectional overrides and isolates, zero-width and other invisible
/// format characters, and the Unicode line and paragraph separators.
#[must_use]
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Text from users or other systems made safe for a terminal: each character a terminal
/// would act on is written as an escape (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`), so a value
/// can neither fake report lines nor move the cursor (README, "Output and exit codes").
#[must_use]
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    // printable ASCII needs no escape, and is checked without decoding
    if text.bytes().all(|b| (b' '..b'\x7f').contains(&b)) || !text.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Like [`escape`] but keeps line breaks: for multi-line text ripple itself wrote around
/// user data that is already escaped (diagnostics, help texts).
#[must_use]
pub fn escape_keep_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| escape(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_is_utc_with_milliseconds() {
        let t = UNIX_EPOCH + Duration::from_millis(1_793_000_000_123);
        assert_eq!(rfc3339(t), "2026-10-26T07:33:20.123Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn terminal_controls_are_escaped() {
        assert_eq!(escape("plain Ä €"), "plain Ä €");
        assert_eq!(
            escape("a\u{1b}[2Jb\r\nc\0d\u{202e}e\u{7f}"),
            "a\\u{1b}[2Jb\\r\\nc\\u{0}d\\u{202e}e\\u{7f}"
        );
        assert_eq!(display_value(&serde_json::json!("x\ny")), "\"x\\ny\"");
        assert_eq!(escape_keep_lines("a\u{1b}\nb"), "a\\u{1b}\nb");
        assert!(
            !escape("\u{2028}\u{feff}\u{200b}")
                .chars()
                .any(is_unsafe_char)
        );
    }

    #[test]
    fn long_values_are_shortened() {
        let long = "x".repeat(1000);
        let s = shorten(&long);
        assert!(s.starts_with(&"x".repeat(MAX_VALUE_CHARS)));
        assert!(s.ends_with("(880 more characters)"));
        assert_eq!(shorten("äö"), "äö");
    }
}
