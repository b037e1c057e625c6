//! GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`, so
//! findings show as annotations on the pull request's diff.

use std::fmt::Write as _;

use crate::check::{CheckReport, Finding, Severity};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders a check report as workflow commands, one line per finding.
#[must_use]
pub fn check(report: &CheckReport) -> String {
    findings(&report.findings)
}

/// Workflow commands for `findings`, one line each (`ripple diff` gives its new ones).
#[must_use]
pub fn findings(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let command = match f.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let (line, column) = f.line_column();
        let mut message = f.message().to_owned();
        if let Some(w) = f.replay() {
            let _ = write!(message, "\nwitness: {w}");
        }
        if let Some(h) = f.help() {
            let _ = write!(message, "\nhelp: {h}");
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={line},col={column},title={}::{}",
            escape_property(&f.file().display().to_string()),
            escape_property(&format!("{} {}", f.code().code(), f.code().name())),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_github_requires() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
