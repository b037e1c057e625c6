//! Errors: why ripple cannot run.
//!
//! Findings (rejections, incompatibilities) are never errors; they are values in a report.
//! An [`Error`] means the input is bad or unreadable, and it carries what the user needs to
//! fix it: the file, line and column where possible, a label for the underlined text, and a
//! hint at what would be right. The CLI renders it and exits 2.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::span::Location;

/// What went wrong, as a stable family for tests and scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read.
    Io,
    /// A file is not valid YAML.
    Yaml,
    /// A file is not valid JSON.
    Json,
    /// A pipeline does not follow the pipeline file format (`schemas/pipeline.schema.json`).
    Format,
    /// A pipeline declares a format version ripple does not know.
    Version,
    /// A system schema is not a valid JSON Schema, or one of its `$ref`s does not resolve.
    Schema,
    /// A flow, change or option names a system the pipeline does not declare.
    UnknownSystem,
    /// A mapping calls a function that does not exist.
    UnknownFunction,
    /// A function is called with the wrong number or kind of arguments.
    Arity,
    /// A mapping expression or field path does not parse.
    Syntax,
    /// A field path names a field the schema does not declare.
    UnknownField,
    /// A change request is malformed.
    Change,
    /// An `errors` pattern is not a valid regular expression.
    Regex,
    /// The command line is inconsistent (bad `--set`, no entry system, …).
    Usage,
    /// The input is valid but too large to process within ripple's limits.
    Limit,
    /// An endpoint cannot be used: a bad URL, an unset token variable, or no answer.
    Http,
    /// The journal database cannot be opened, read or written.
    Journal,
    /// A source database cannot be reached, or its catalogue cannot be read.
    Database,
}

/// A reason ripple cannot run, located in the user's input where possible.
#[derive(Debug, Clone)]
pub struct Error {
    /// The family of the problem.
    pub kind: ErrorKind,
    /// One line saying what is wrong.
    pub message: String,
    /// Where in which file, when known.
    pub location: Option<Location>,
    /// The file, when there is no finer location.
    pub file: Option<PathBuf>,
    /// Short text shown under the underlined span.
    pub label: Option<String>,
    /// What would be right.
    pub help: Option<String>,
}

impl Error {
    /// A new error of `kind` saying `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            location: None,
            file: None,
            label: None,
            help: None,
        }
    }

    /// An I/O failure on `path`.
    pub fn io(path: &Path, err: &std::io::Error) -> Self {
        Self::new(
            ErrorKind::Io,
            format!("cannot read {}: {}", path.display(), io_reason(err)),
        )
        .in_file(path)
    }

    /// Attaches the location in a file.
    #[must_use]
    pub fn at(mut self, location: Location) -> Self {
        self.file = Some(location.path().to_path_buf());
        self.location = Some(location);
        self
    }

    /// Names the file when there is no finer location.
    #[must_use]
    pub fn in_file(mut self, path: &Path) -> Self {
        self.file = Some(path.to_path_buf());
        self
    }

    /// Sets the label shown under the span.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the hint at what would be right.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// What a warning is about, as a stable family for tests and scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// A system schema uses a keyword that is neither JSON Schema's nor ripple's: JSON
    /// Schema ignores it, so the limit it was meant to state is not checked.
    UnknownKeyword,
}

/// Something in the user's input that ripple accepts but that is probably a mistake.
///
/// Warnings are shown, never fatal: they do not change ripple's exit code.
#[derive(Debug, Clone)]
pub struct Warning {
    /// The family of the problem.
    pub kind: WarningKind,
    /// One line saying what is suspicious.
    pub message: String,
    /// Where in which file, when known.
    pub location: Option<Location>,
    /// The file, when there is no finer location.
    pub file: Option<PathBuf>,
    /// Short text shown under the underlined span.
    pub label: Option<String>,
    /// What would be right.
    pub help: Option<String>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        } else if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        f.write_str(&self.message)
    }
}

/// An OS error in words, without the raw `(os error N)` suffix.
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match err.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::InvalidData => "the file is not valid UTF-8".into(),
        K::IsADirectory => "it is a directory, not a file".into(),
        K::NotADirectory => "a part of the path is not a directory".into(),
        K::InvalidFilename => "the file name is too long or not valid".into(),
        _ => {
            let text = err.to_string();
            let text = match text.rfind(" (os error ") {
                Some(i) if text.ends_with(')') => text[..i].to_owned(),
                _ => text,
            };
            let mut chars = text.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_lowercase().chain(chars).collect::<String>()
            })
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        } else if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Every problem found while loading, so a user fixes them in one pass rather than one
/// per run.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<Error>);

impl Errors {
    /// Adds one error.
    pub fn push(&mut self, error: Error) {
        self.0.push(error);
    }

    /// Whether nothing went wrong.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when empty, the errors otherwise.
    ///
    /// # Errors
    /// When at least one error was collected.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<Error> for Errors {
    fn from(error: Error) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_are_in_words() {
        let dir = std::env::temp_dir();
        let err = std::fs::read_to_string(&dir).err();
        let reason = err.map(|e| io_reason(&e)).unwrap_or_default();
        assert_eq!(reason, "it is a directory, not a file");
        let other = std::io::Error::from_raw_os_error(28);
        assert_eq!(io_reason(&other), "no space left on device");
        let missing = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&missing), "no such file or directory");
    }
}
