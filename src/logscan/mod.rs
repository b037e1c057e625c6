//! Reading a downstream error log (SPEC 4.3, `ripple trace --log`): which lines report a
//! rejected value, in which system, for which field.
//!
//! A [`Scanner`] is built once from the pipeline's `errors` declarations (custom patterns
//! and [`Preset`]s) and fed one line at a time; [`scan`] drives it over any reader in
//! constant memory. Most lines of a real log are noise, so every line first meets one
//! combined expression of cheap triggers (`ORA-12899`, `Msg 2628`, `DSID-`, …): a line that
//! misses costs one scan and no allocation, and only candidate lines are decoded and parsed.
//! Messages that span lines (PostgreSQL's ERROR + STATEMENT, SQL Server's `Msg` header +
//! text, an LDAP client's summary + `additional info:`) make one event, and their
//! continuation lines are not counted as unmatched.

mod custom;
mod fields;
mod ldap;
mod mysql;
mod oracle;
mod postgres;
mod preset;
mod scanner;
mod sqlserver;

use std::borrow::Cow;
use std::io::BufRead;

use serde::Serialize;

pub use preset::Preset;
use scanner::LineKind;
pub use scanner::Scanner;

use crate::text::{MAX_VALUE_CHARS, shorten};

/// One rejection found in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    /// The 1-based number of the line the event starts on.
    pub line: u64,
    /// The id of the system that rejected the value.
    pub system: String,
    /// The rejected field as a JSON Pointer, when the message names it unambiguously.
    pub field: Option<String>,
    /// The rejected value, when the message shows it.
    pub value: Option<String>,
    /// Whether `value` is only the beginning of the rejected value (SQL Server's 2628
    /// shows the part that fitted).
    pub value_prefix: bool,
    /// The record's key, from a custom pattern's `key` group.
    pub key: Option<String>,
    /// The backend's code: `ORA-12899`, `22001`, `1406`, `2628`, `LDAP 19`, …; none for
    /// custom patterns.
    pub code: Option<String>,
    /// The line that says why, trimmed and shortened.
    pub message: String,
    /// The limit the value broke, when the message says (`maximum: 9`, `varchar(8)`).
    pub limit: Option<u64>,
    /// The value's size as the backend measured it (`actual: 15`).
    pub actual: Option<u64>,
}

/// What [`scan`] read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read, blank ones included.
    pub lines: u64,
    /// Bytes read, line breaks included.
    pub bytes: u64,
    /// Events reported.
    pub events: u64,
    /// Lines that matched nothing and continued no event.
    pub unmatched: u64,
}

/// Reads `reader` line by line through `scanner` with one reused buffer, calling
/// `on_event` for every event and `on_unmatched` with the number and shortened text of
/// every line that matched nothing, then flushes the scanner.
///
/// # Errors
/// Reading fails.
pub fn scan<R: BufRead>(
    scanner: &mut Scanner<'_>,
    mut reader: R,
    mut on_event: impl FnMut(LogEvent),
    mut on_unmatched: impl FnMut(u64, &str),
) -> std::io::Result<Stats> {
    /// A buffer grown past this by one huge line is given back afterwards.
    const KEEP: usize = 1 << 20;
    let mut stats = Stats::default();
    let mut buf = Vec::with_capacity(8 * 1024);
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        stats.lines += 1;
        stats.bytes += n as u64;
        let line = strip_line_break(&buf);
        let kind = scanner.feed(stats.lines, line);
        for event in scanner.drain() {
            stats.events += 1;
            on_event(event);
        }
        if kind == LineKind::Unmatched {
            stats.unmatched += 1;
            on_unmatched(stats.lines, &display(line));
        }
        if buf.capacity() > KEEP {
            buf = Vec::with_capacity(8 * 1024);
        }
    }
    for event in scanner.finish() {
        stats.events += 1;
        on_event(event);
    }
    Ok(stats)
}

fn strip_line_break(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A line for listing: trimmed and shortened, borrowed when it is short valid UTF-8.
fn display(line: &[u8]) -> Cow<'_, str> {
    let line = line.trim_ascii();
    match std::str::from_utf8(line) {
        Ok(s) if s.len() <= MAX_VALUE_CHARS || s.chars().nth(MAX_VALUE_CHARS).is_none() => {
            Cow::Borrowed(s)
        }
        _ => Cow::Owned(shorten(&String::from_utf8_lossy(line))),
    }
}

#[cfg(test)]
mod tests;
