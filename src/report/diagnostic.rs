//! Rendering errors like a compiler: `error: …` with the file excerpt and the underlined
//! span (codespan-reporting).

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config};

use crate::check::{Finding, Severity};
use crate::error::{Error, Warning};
use crate::span::{Location, SourceFile};
use crate::text::escape_keep_lines;

/// At most one source file for a diagnostic, with its line index computed once per file
/// (codespan's `SimpleFiles` recounts lines for every diagnostic: quadratic for thousands
/// of findings in one large pipeline).
#[derive(Default)]
struct OneFile<'a> {
    file: Option<(String, &'a SourceFile)>,
}

impl<'a> OneFile<'a> {
    fn add(&mut self, name: String, file: &'a SourceFile) -> usize {
        self.file = Some((name, file));
        0
    }

    fn get(&self) -> Result<&(String, &'a SourceFile), FilesError> {
        self.file.as_ref().ok_or(FilesError::FileMissing)
    }
}

impl<'a> Files<'a> for OneFile<'a> {
    type FileId = usize;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, _id: usize) -> Result<String, FilesError> {
        Ok(self.get()?.0.clone())
    }

    fn source(&'a self, _id: usize) -> Result<&'a str, FilesError> {
        Ok(self.get()?.1.shown_text())
    }

    fn line_index(&'a self, _id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.get()?.1.line_starts();
        Ok(starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_range(
        &'a self,
        _id: usize,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        let file = self.get()?.1;
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len().saturating_sub(1),
        })?;
        let end = starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}

/// Renders `errors` for a terminal, with colour when `color`.
#[must_use]
pub fn render(errors: &[Error], color: bool) -> String {
    let mut out = Vec::new();
    for error in errors {
        render_one(error, color, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Renders `warnings` (see [`crate::pipeline::Pipeline::warnings`]) for a terminal as
/// `warning: …` diagnostics, with colour when `color`.
#[must_use]
pub fn render_warnings(warnings: &[Warning], color: bool) -> String {
    let mut out = Vec::new();
    for w in warnings {
        let parts = Parts {
            location: w.location.as_ref(),
            file: w.file.as_deref(),
            label: w.label.as_deref(),
            help: w.help.as_deref(),
        };
        let diagnostic = Diagnostic::warning().with_message(escape_keep_lines(&w.message));
        if emit(diagnostic, &parts, color, &mut out).is_err() {
            out.extend_from_slice(format!("warning: {w}\n").as_bytes());
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn render_one(error: &Error, color: bool, out: &mut Vec<u8>) {
    let parts = Parts {
        location: error.location.as_ref(),
        file: error.file.as_deref(),
        label: error.label.as_deref(),
        help: error.help.as_deref(),
    };
    let diagnostic = Diagnostic::error().with_message(escape_keep_lines(&error.message));
    if emit(diagnostic, &parts, color, out).is_err() {
        out.extend_from_slice(format!("error: {error}\n").as_bytes());
    }
}

/// What an error or a warning shows besides its message.
struct Parts<'a> {
    location: Option<&'a Location>,
    file: Option<&'a std::path::Path>,
    label: Option<&'a str>,
    help: Option<&'a str>,
}

fn emit(
    mut diagnostic: Diagnostic<usize>,
    parts: &Parts<'_>,
    color: bool,
    out: &mut Vec<u8>,
) -> Result<(), FilesError> {
    let mut files = OneFile::default();
    if let Some(location) = parts.location {
        let id = files.add(location.path().display().to_string(), &location.file);
        let span = location.span;
        let mut label = Label::primary(id, span.start..span.end);
        if let Some(text) = parts.label {
            label = label.with_message(escape_keep_lines(text));
        }
        diagnostic = diagnostic.with_labels(vec![label]);
    } else {
        let mut notes = Vec::new();
        if let Some(file) = parts.file {
            notes.push(format!("in {}", file.display()));
        }
        if let Some(label) = parts.label {
            notes.push(escape_keep_lines(label));
        }
        diagnostic = diagnostic.with_notes(notes);
    }
    if let Some(help) = parts.help {
        diagnostic = diagnostic.with_notes(vec![format!("help: {}", escape_keep_lines(help))]);
    }
    let config = Config::default();
    if color {
        let mut writer = term::termcolor::Ansi::new(&mut *out);
        term::emit_to_write_style(&mut writer, &config, &files, &diagnostic)
    } else {
        term::emit_to_io_write(out, &config, &files, &diagnostic)
    }
}

/// Renders a `check` finding like a compiler diagnostic: `error[R301]: …`, the excerpt
/// with the mapping underlined, then path, witness and help.
#[must_use]
pub fn render_finding(f: &Finding, color: bool) -> String {
    let mut files = OneFile::default();
    let mut d = match f.severity() {
        Severity::Error => Diagnostic::error(),
        Severity::Warning => Diagnostic::warning(),
        Severity::Note => Diagnostic::note(),
    }
    .with_code(f.code().code())
    .with_message(escape_keep_lines(f.message()));
    if let Some(location) = f.location() {
        let id = files.add(location.path().display().to_string(), &location.file);
        let mut label = Label::primary(id, location.span.start..location.span.end);
        if let Some(text) = f.label() {
            label = label.with_message(escape_keep_lines(text));
        }
        d = d.with_labels(vec![label]);
    }
    let mut notes = Vec::new();
    if f.location().is_none() {
        notes.push(format!("in {}", f.file().display()));
        if let Some(label) = f.label() {
            notes.push(escape_keep_lines(label));
        }
    }
    if !f.path().is_empty() {
        notes.push(format!("path: {}", f.path().join(" → ")));
    }
    if !f.origin().is_empty() {
        let o: Vec<String> = f
            .origin()
            .iter()
            .map(|o| format!("{}:{}", o.system, o.field))
            .collect();
        notes.push(escape_keep_lines(&format!("origin: {}", o.join(", "))));
    }
    if let Some(w) = f.replay() {
        // Whole, not shortened: it is meant to be copied into a change file.
        notes.push(format!("witness: {}", crate::text::escape(&w.to_string())));
    }
    if let Some(v) = f.value() {
        let system = f.system().unwrap_or("target");
        let drift = matches!(
            f.code(),
            crate::check::Code::LooserThanSource | crate::check::Code::TighterThanSource
        );
        notes.push(if drift {
            // A value for the system's own field, not what a flow delivers.
            format!(
                "value for {system}:{}: {}",
                f.field().unwrap_or(""),
                super::display_value(v)
            )
        } else {
            format!("{system} receives: {}", super::display_value(v))
        });
    }
    if let Some(help) = f.help() {
        notes.push(format!("help: {}", escape_keep_lines(help)));
    }
    d = d.with_notes(notes);
    let mut out = Vec::new();
    let config = Config::default();
    let result = if color {
        let mut writer = term::termcolor::Ansi::new(&mut out);
        term::emit_to_write_style(&mut writer, &config, &files, &d)
    } else {
        term::emit_to_io_write(&mut out, &config, &files, &d)
    };
    if result.is_err() {
        return format!(
            "{}[{}]: {}\n",
            f.severity_name(),
            f.code().code(),
            f.message()
        );
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::span::Span;

    #[test]
    fn shows_file_line_column_and_help() {
        let file = SourceFile::new("p.yaml", "a: 1\nb: lowr(x)\n");
        let span = Span::from_offsets(&file.text, 8, 12);
        let err = Error::new(ErrorKind::UnknownFunction, "unknown function `lowr`")
            .at(Location::new(&file, span))
            .help("did you mean `lower`?");
        let text = render(&[err], false);
        assert!(text.contains("p.yaml:2:4"), "{text}");
        assert!(text.contains("^^^^"), "{text}");
        assert!(text.contains("help: did you mean `lower`?"), "{text}");
    }

    #[test]
    fn warnings_render_as_warnings() {
        let file = SourceFile::new("s.json", "{\n  \"maxLenght\": 3\n}");
        let warning = Warning {
            kind: crate::error::WarningKind::UnknownKeyword,
            message: "unknown keyword `maxLenght` is ignored".into(),
            location: Some(Location::new(&file, Span::from_offsets(&file.text, 4, 15))),
            file: None,
            label: Some("at /maxLenght".into()),
            help: Some("did you mean `maxLength`?".into()),
        };
        let text = render_warnings(&[warning], false);
        assert!(text.starts_with("warning: unknown keyword"), "{text}");
        assert!(text.contains("s.json:2:3"), "{text}");
        assert!(text.contains("help: did you mean `maxLength`?"), "{text}");
    }
}
