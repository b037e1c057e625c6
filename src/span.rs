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
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
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
}

impl SourceFile {
    /// Wraps a path and its text.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            path: path.into(),
            text: text.into(),
        })
    }
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
