//! Rendering errors like a compiler: `error: …` with the file excerpt and the underlined
//! span (codespan-reporting).

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};

use crate::error::Error;

/// Renders `errors` for a terminal, with colour when `color`.
#[must_use]
pub fn render(errors: &[Error], color: bool) -> String {
    let mut out = Vec::new();
    for error in errors {
        render_one(error, color, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn render_one(error: &Error, color: bool, out: &mut Vec<u8>) {
    let mut files = SimpleFiles::new();
    let mut diagnostic = Diagnostic::error().with_message(&error.message);
    if let Some(location) = &error.location {
        let id = files.add(
            location.path().display().to_string(),
            location.file.text.as_str(),
        );
        let span = location.span;
        let mut label = Label::primary(id, span.start..span.end);
        if let Some(text) = &error.label {
            label = label.with_message(text);
        }
        diagnostic = diagnostic.with_labels(vec![label]);
    } else {
        let mut notes = Vec::new();
        if let Some(file) = &error.file {
            notes.push(format!("in {}", file.display()));
        }
        if let Some(label) = &error.label {
            notes.push(label.clone());
        }
        diagnostic = diagnostic.with_notes(notes);
    }
    if let Some(help) = &error.help {
        let mut notes = diagnostic.notes.clone();
        notes.push(format!("help: {help}"));
        diagnostic = diagnostic.with_notes(notes);
    }
    let config = Config::default();
    let result = if color {
        let mut writer = term::termcolor::Ansi::new(&mut *out);
        term::emit_to_write_style(&mut writer, &config, &files, &diagnostic)
    } else {
        term::emit_to_io_write(out, &config, &files, &diagnostic)
    };
    if result.is_err() {
        out.extend_from_slice(format!("error: {error}\n").as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::span::{Location, SourceFile, Span};

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
}
