//! Positions in user files.
//!
//! Every load error and every static finding points at `file:line:column`, so spans are
//! kept from the moment a file is read until the diagnostic is rendered.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A region of a source file: byte offsets for rendering excerpts, and the 1-based line and
/// column (in characters) of its start for `file:line:column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, counted in characters.
    pub column: usize,
}

impl Span {
    /// Computes a span for the byte range `start..end` of `text`.
    #[must_use]
    pub fn from_offsets(text: &str, start: usize, end: usize) -> Self {
        let start = floor_char_boundary(text, start.min(text.len()));
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self::at_line(text, start, end, line, line_start)
    }

    /// [`Span::from_offsets`] with the byte offsets where lines start (`line_starts[0]` is
    /// 0), so that many spans into one large file cost a binary search each.
    #[must_use]
    pub fn from_offsets_in(text: &str, line_starts: &[usize], start: usize, end: usize) -> Self {
        let start = floor_char_boundary(text, start.min(text.len()));
        let line = line_starts.partition_point(|&s| s <= start).max(1);
        let line_start = line_starts.get(line - 1).copied().unwrap_or(0);
        Self::at_line(text, start, end, line, line_start)
    }

    fn at_line(text: &str, start: usize, end: usize, line: usize, line_start: usize) -> Self {
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let column = text[line_start..start].chars().count() + 1;
        Self {
            start,
            end,
            line,
            column,
        }
    }

    /// The sub-span `offset..offset+len` (bytes) of this span, for pointing inside a scalar
    /// such as a mapping expression.
    #[must_use]
    pub fn sub(&self, text: &str, offset: usize, len: usize) -> Self {
        let start = (self.start + offset).min(self.end.max(self.start));
        let end = (start + len).min(text.len()).max(start);
        Self::from_offsets(text, start, end)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A user file kept in memory so diagnostics can quote it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`).
    pub path: PathBuf,
    /// The whole text.
    pub text: String,
    /// Byte offsets where lines start, computed on first use.
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// The text safe for a terminal, when it differs (see [`SourceFile::shown_text`]).
    shown: std::sync::OnceLock<Option<String>>,
}

impl SourceFile {
    /// Wraps a path and its text.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            path: path.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
            shown: std::sync::OnceLock::new(),
        })
    }

    /// The text as excerpts show it: every character a terminal would act on (ESC, CR,
    /// bidi overrides; not line feeds or tabs) replaced by `?`s of the same byte length,
    /// so spans still point at the same bytes. Computed once per file.
    #[must_use]
    pub fn shown_text(&self) -> &str {
        self.shown
            .get_or_init(|| {
                let unsafe_char =
                    |c: char| c != '\n' && c != '\t' && crate::text::is_unsafe_char(c);
                self.text.contains(unsafe_char).then(|| {
                    self.text
                        .chars()
                        .map(|c| {
                            if unsafe_char(c) {
                                "?".repeat(c.len_utf8())
                            } else {
                                c.to_string()
                            }
                        })
                        .collect()
                })
            })
            .as_deref()
            .unwrap_or(&self.text)
    }

    /// Byte offsets where lines start (the first is 0).
    #[must_use]
    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    /// The span of bytes `start..end` of this file (a binary search, not a scan).
    #[must_use]
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::from_offsets_in(&self.text, self.line_starts(), start, end)
    }
}

/// Byte offsets where the lines of `text` start (the first is 0).
#[must_use]
pub fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

/// A span in a named file: what every located error and finding carries.
#[derive(Debug, Clone)]
pub struct Location {
    /// The file, with its text for excerpts.
    pub file: Arc<SourceFile>,
    /// Where in the file.
    pub span: Span,
}

impl Location {
    /// A location in `file` at `span`.
    #[must_use]
    pub fn new(file: &Arc<SourceFile>, span: Span) -> Self {
        Self {
            file: Arc::clone(file),
            span,
        }
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.file.path
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.file.path.display(),
            self.span.line,
            self.span.column
        )
    }
}

/// Turns a serde_json error into a located error.
pub fn json_error(file: &Arc<SourceFile>, err: &serde_json::Error) -> crate::Error {
    let offset = offset_of(&file.text, err.line(), err.column());
    let message = err.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    crate::Error::new(crate::ErrorKind::Json, format!("invalid JSON: {message}")).at(Location::new(
        file,
        Span::from_offsets(&file.text, offset, offset),
    ))
}

/// Byte offset of a 1-based line and 1-based column (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    text.get(start..)
        .and_then(|rest| rest.char_indices().nth(column.saturating_sub(1)))
        .map_or(text.len(), |(i, _)| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a: 1\nbä: x\n";
        let at = text.find('x').unwrap_or_default();
        let span = Span::from_offsets(text, at, at + 1);
        assert_eq!((span.line, span.column), (2, 5));
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let span = Span::from_offsets("ab", 10, 20);
        assert_eq!((span.start, span.end, span.line, span.column), (2, 2, 1, 3));
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn indexed_spans_equal_scanned_spans() {
        let text = "a: 1\nbé: [x, y]\n\n  z: ü\nlast";
        let starts = line_starts(text);
        for start in 0..=text.len() {
            for end in [start, text.len()] {
                assert_eq!(
                    Span::from_offsets_in(text, &starts, start, end),
                    Span::from_offsets(text, start, end),
                    "{start}..{end}"
                );
            }
        }
    }
}
