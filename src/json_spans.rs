//! Where each value of a JSON document stands in its text.
//!
//! serde_json keeps no positions, so schema and change-request errors found on the parsed
//! value are located afterwards: [`JsonSpans::scan`] walks the text once and maps every
//! value's JSON Pointer (and every object key's) to its [`Span`], and notes keys that appear
//! twice in one object, which serde_json would silently collapse to the last.
//!
//! The scanner trusts that the text is JSON (callers parse it with serde_json first) but
//! never panics on text that is not: it stops and keeps what it has indexed so far.

use std::collections::HashMap;

use crate::span::{SourceFile, Span};

/// Deepest nesting scanned (serde_json itself stops at 128).
const MAX_DEPTH: usize = 128;

/// A key that appears twice in one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key, unescaped.
    pub key: String,
    /// JSON Pointer of the key's value.
    pub pointer: String,
    /// The span of the first occurrence of the key.
    pub first: Span,
    /// The span of the later occurrence.
    pub second: Span,
}

/// The span of every value (by JSON Pointer) and every object key of a JSON text.
#[derive(Debug, Default)]
pub struct JsonSpans {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
    duplicates: Vec<DuplicateKey>,
}

impl JsonSpans {
    /// Scans the text of `file`. A leading byte order mark is skipped.
    #[must_use]
    pub fn scan(file: &SourceFile) -> Self {
        let mut scanner = Scanner {
            file,
            bytes: file.text.as_bytes(),
            pos: 0,
            path: Vec::new(),
            out: Self::default(),
        };
        if file.text.starts_with('\u{feff}') {
            scanner.pos = '\u{feff}'.len_utf8();
        }
        let _ = scanner.value(0);
        scanner.out
    }

    /// The span of the value at `pointer`, or of its nearest ancestor that has one.
    #[must_use]
    pub fn value(&self, pointer: &str) -> Span {
        let mut p = pointer;
        loop {
            if let Some(span) = self.values.get(p) {
                return *span;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Span::default(),
            }
        }
    }

    /// The span of the key whose value is at `pointer` (with its quotes), falling back to
    /// [`JsonSpans::value`] for array items and the root.
    #[must_use]
    pub fn key(&self, pointer: &str) -> Span {
        self.keys
            .get(pointer)
            .copied()
            .unwrap_or_else(|| self.value(pointer))
    }

    /// Keys that appear more than once in one object, in the order of the later
    /// occurrence.
    #[must_use]
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }
}

/// Escapes one JSON Pointer segment (`~` → `~0`, `/` → `~1`).
#[must_use]
pub fn escape(segment: &str) -> String {
    crate::pointer::escape(segment)
}

struct Scanner<'a> {
    file: &'a SourceFile,
    bytes: &'a [u8],
    pos: usize,
    path: Vec<String>,
    out: JsonSpans,
}

impl Scanner<'_> {
    fn pointer(&self) -> String {
        let mut p = String::new();
        for segment in &self.path {
            p.push('/');
            p.push_str(&escape(segment));
        }
        p
    }

    fn skip_ws(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Scans one value and records its span; `None` when the text is not JSON.
    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let start = self.pos;
        match self.peek()? {
            b'{' => self.object(depth)?,
            b'[' => self.array(depth)?,
            b'"' => self.string()?,
            _ => self.scalar()?,
        }
        let span = self.file.span(start, self.pos);
        self.out.values.insert(self.pointer(), span);
        Some(())
    }

    fn scalar(&mut self) -> Option<()> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| !matches!(b, b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    /// Scans a string starting at its opening quote, leaving `pos` after the closing one.
    fn string(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.pos += 1;
        let mut seen: HashMap<String, Span> = HashMap::new();
        loop {
            self.skip_ws();
            match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                b'"' => {}
                _ => return None,
            }
            let start = self.pos;
            self.string()?;
            let raw = self.file.text.get(start..self.pos)?;
            let key = if raw.contains('\\') {
                serde_json::from_str::<String>(raw).ok()?
            } else {
                raw.get(1..raw.len() - 1)?.to_owned()
            };
            let key_span = self.file.span(start, self.pos);
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            self.path.push(key.clone());
            let pointer = self.pointer();
            self.out.keys.insert(pointer.clone(), key_span);
            if let Some(first) = seen.get(&key) {
                self.out.duplicates.push(DuplicateKey {
                    key: key.clone(),
                    pointer,
                    first: *first,
                    second: key_span,
                });
            } else {
                seen.insert(key, key_span);
            }
            self.value(depth + 1)?;
            self.path.pop();
            if !self.separator(b'}')? {
                return Some(());
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.pos += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        for index in 0usize.. {
            self.path.push(index.to_string());
            self.value(depth + 1)?;
            self.path.pop();
            if !self.separator(b']')? {
                break;
            }
        }
        Some(())
    }

    /// After a member: `Some(true)` after a comma, `Some(false)` after `close`.
    fn separator(&mut self, close: u8) -> Option<bool> {
        self.skip_ws();
        match self.peek()? {
            b',' => {
                self.pos += 1;
                Some(true)
            }
            b if b == close => {
                self.pos += 1;
                Some(false)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(span: Span) -> (usize, usize) {
        (span.line, span.column)
    }

    #[test]
    fn values_and_keys_are_located() {
        let file = SourceFile::new(
            "a.json",
            "{\n  \"a\": 1,\n  \"b\": {\"c\": [true, \"x\"]}\n}",
        );
        let spans = JsonSpans::scan(&file);
        assert_eq!(at(spans.value("")), (1, 1));
        assert_eq!(at(spans.key("/a")), (2, 3));
        assert_eq!(at(spans.value("/a")), (2, 8));
        assert_eq!(at(spans.value("/b/c/0")), (3, 15));
        let x = spans.value("/b/c/1");
        assert_eq!((at(x), &file.text[x.start..x.end]), ((3, 21), "\"x\""));
        assert_eq!(
            at(spans.value("/b/c/7")),
            (3, 14),
            "falls back to the parent"
        );
        assert!(spans.duplicates().is_empty());
    }

    #[test]
    fn escaped_keys_are_unescaped_and_pointer_escaped() {
        let text = r#"{"a\"b": 1, "c/d": {"e~f": 2}, "\u00e4": [[], {"g": 3}]}"#;
        let file = SourceFile::new("a.json", text);
        let spans = JsonSpans::scan(&file);
        assert_eq!(at(spans.key("/a\"b")), (1, 2));
        assert_eq!(at(spans.value("/c~1d/e~0f")), (1, 28));
        let text_at = |p: &str| {
            let s = spans.value(p);
            &file.text[s.start..s.end]
        };
        assert_eq!(text_at("/ä/1/g"), "3");
        assert_eq!(text_at("/ä/0"), "[]");
        assert_eq!(text_at("/ä/1"), "{\"g\": 3}");
    }

    #[test]
    fn duplicates_are_found_at_any_depth() {
        let file = SourceFile::new(
            "c.json",
            "{\"record\": {\n  \"email\": \"a\",\n  \"email\": \"b\"\n}, \"x\": 1, \"x\": 2}",
        );
        let spans = JsonSpans::scan(&file);
        let d: Vec<_> = spans
            .duplicates()
            .iter()
            .map(|d| (d.pointer.as_str(), at(d.first), at(d.second)))
            .collect();
        assert_eq!(
            d,
            [("/record/email", (2, 3), (3, 3)), ("/x", (4, 4), (4, 12))]
        );
        let value = spans.value("/record/email");
        assert_eq!(
            &file.text[value.start..value.end],
            "\"b\"",
            "the last one wins"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_garbage_does_not_panic() {
        let file = SourceFile::new("a.json", "\u{feff}{\"a\": 1}");
        assert_eq!(at(JsonSpans::scan(&file).value("/a")), (1, 8));
        for text in [
            "",
            "{",
            "{\"a",
            "[1,",
            "{\"a\" 1}",
            "\"\\",
            "{\"a\":}",
            "]]",
        ] {
            let _ = JsonSpans::scan(&SourceFile::new("x", text));
        }
        let deep = "[".repeat(10_000);
        let _ = JsonSpans::scan(&SourceFile::new("x", deep));
    }
}
