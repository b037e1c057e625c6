//! Reading a downstream error log (README, "`ripple trace --log`"): which lines report a
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

mod attribute;
mod custom;
mod fields;
mod ldap;
mod mysql;
mod oracle;
mod postgres;
mod preset;
mod scanner;
mod sqlserver;
mod statement;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::BufRead;

use serde::Serialize;

pub use preset::Preset;
use scanner::LineKind;
pub use scanner::Scanner;

use crate::text::MAX_VALUE_CHARS;

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

/// Reads `reader` through `scanner`, calling `on_event` for every event and `on_unmatched`
/// with the number and shortened text of every line that matched nothing, then flushes the
/// scanner.
///
/// Lines are taken straight from the reader's buffer (only a line that straddles two
/// fills is copied), so memory stays constant apart from the longest line. While no event
/// is open, the triggers are searched over the whole buffer at once, as grep does, and the
/// lines before the next candidate are only counted and listed.
///
/// # Errors
/// Reading fails.
pub fn scan<R: BufRead>(
    scanner: &mut Scanner<'_>,
    reader: R,
    on_event: impl FnMut(LogEvent),
    on_unmatched: impl FnMut(u64, &str),
) -> std::io::Result<Stats> {
    scan_listing(scanner, reader, on_event, on_unmatched, u64::MAX)
}

/// [`scan`], calling `on_unmatched` for the first `list` unmatched lines only (the others
/// are still counted): the text of a line is shortened only to be listed, and on a dense
/// log that is most lines.
///
/// # Errors
/// Reading fails.
pub fn scan_listing<R: BufRead>(
    scanner: &mut Scanner<'_>,
    mut reader: R,
    on_event: impl FnMut(LogEvent),
    on_unmatched: impl FnMut(u64, &str),
    list: u64,
) -> std::io::Result<Stats> {
    /// A line buffer grown past this by one huge line is given back afterwards.
    const KEEP: usize = 1 << 20;
    let mut driver = Driver {
        scanner,
        stats: Stats::default(),
        on_event,
        on_unmatched,
        list,
        text: String::new(),
    };
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let len = available.len();
        let Some(last) = memchr::memrchr(b'\n', available) else {
            carry.extend_from_slice(available);
            reader.consume(len);
            continue;
        };
        let mut start = 0;
        if !carry.is_empty() {
            let first = memchr::memchr(b'\n', available).unwrap_or(last);
            carry.extend_from_slice(&available[..=first]);
            driver.block(&carry);
            carry.clear();
            if carry.capacity() > KEEP {
                carry = Vec::new();
            }
            start = first + 1;
        }
        driver.block(&available[start..=last]);
        carry.extend_from_slice(&available[last + 1..]);
        reader.consume(len);
    }
    if !carry.is_empty() {
        carry.push(b'\n');
        driver.block(&carry);
        driver.stats.bytes -= 1;
    }
    for event in driver.scanner.finish() {
        driver.stats.events += 1;
        (driver.on_event)(event);
    }
    Ok(driver.stats)
}

/// [`scan`]'s state between buffer fills.
struct Driver<'s, 'p, E, U> {
    scanner: &'s mut Scanner<'p>,
    stats: Stats,
    on_event: E,
    on_unmatched: U,
    /// How many more unmatched lines are listed.
    list: u64,
    /// Reused for shortening unmatched lines.
    text: String,
}

impl<E: FnMut(LogEvent), U: FnMut(u64, &str)> Driver<'_, '_, E, U> {
    /// Handles `block`: whole lines, each ending in `\n`.
    fn block(&mut self, block: &[u8]) {
        let mut pos = 0;
        // where the next trigger match ends (at or after `pos`); `None`: search again
        let mut candidate: Option<usize> = None;
        while pos < block.len() {
            let end = memchr::memchr(b'\n', &block[pos..]).map_or(block.len(), |i| pos + i + 1);
            let raw = &block[pos..end];
            let line = strip_line_break(raw);
            self.stats.lines += 1;
            self.stats.bytes += raw.len() as u64;
            let next = match candidate {
                Some(c) if c >= pos => c,
                _ => self
                    .scanner
                    .next_candidate(block, pos)
                    .unwrap_or(usize::MAX),
            };
            candidate = Some(next);
            // A match never spans lines, so one that ends inside this line (before its
            // break) lies wholly in it; no match ends before `next`, so a line that ends
            // first holds none. Either way the scanner need not search the line again.
            let gated = if next >= end {
                Some(false)
            } else if next <= pos + line.len() {
                Some(true)
            } else {
                None
            };
            let kind = if self.scanner.busy() {
                // an open event may take the line: every line is fed
                self.scanner.feed_gated(self.stats.lines, line, gated)
            } else if gated == Some(false) {
                self.scanner.skip(line)
            } else {
                self.scanner.feed_gated(self.stats.lines, line, gated)
            };
            for event in self.scanner.drain() {
                self.stats.events += 1;
                (self.on_event)(event);
            }
            if kind == LineKind::Unmatched {
                self.stats.unmatched += 1;
                if self.list > 0 {
                    self.list -= 1;
                    (self.on_unmatched)(self.stats.lines, display(line, &mut self.text));
                }
            }
            pos = end;
        }
    }
}

fn strip_line_break(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `line` as text: borrowed when it is valid UTF-8 (checked by the fast validator, not
/// the lossy decoder), with U+FFFD for invalid bytes otherwise.
pub(crate) fn lossy(line: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(line) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(line),
    }
}

/// A line for listing: trimmed and shortened like [`crate::text::shorten`], borrowed when it is short
/// valid UTF-8 and written into `buf` (no allocation once `buf` has grown) otherwise.
fn display<'a>(line: &'a [u8], buf: &'a mut String) -> &'a str {
    let line = line.trim_ascii();
    let text = match std::str::from_utf8(line) {
        Ok(s) if s.len() <= MAX_VALUE_CHARS => return s,
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(line),
    };
    buf.clear();
    // most log lines are ASCII: the cut is then a byte offset, found without decoding
    let cut = if text.len() > MAX_VALUE_CHARS && text.as_bytes()[..MAX_VALUE_CHARS].is_ascii() {
        Some(MAX_VALUE_CHARS)
    } else {
        text.char_indices().nth(MAX_VALUE_CHARS).map(|(i, _)| i)
    };
    match cut {
        None => buf.push_str(&text),
        Some(cut) => {
            let rest = text[cut..].chars().count();
            buf.push_str(&text[..cut]);
            // writing to a String cannot fail
            let _ = write!(buf, "… ({rest} more characters)");
        }
    }
    buf
}

#[cfg(test)]
mod tests;
