//! JUnit XML for CI dashboards: one test suite per pipeline file, one test case per checked
//! flow field, plus one case per error or warning that is not about a flow field (load and
//! graph errors). An error is a `<failure>`; a warning (undecided, R302) is `<skipped>`
//! with its message, since it does not fail the run (exit 0); notes are left out.

use std::collections::BTreeMap;
use std::path::PathBuf;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::check::{CheckReport, Finding, Severity};

fn failure(f: &Finding, name: String) -> TestCase {
    failure_of(&[f], name)
}

/// One failed case for a field's findings (one per keyword it fails).
fn failure_of(all: &[&Finding], name: String) -> TestCase {
    let Some(f) = all.first() else {
        return TestCase::new(name, TestCaseStatus::success());
    };
    let mut status = if f.severity() == Severity::Error {
        TestCaseStatus::non_success(NonSuccessKind::Failure)
    } else {
        TestCaseStatus::skipped()
    };
    let message: Vec<&str> = all.iter().map(|f| f.message()).collect();
    status.set_message(message.join("; ")).set_type(format!(
        "{} {}",
        f.code().code(),
        f.code().name()
    ));
    let mut description = Vec::new();
    let (line, column) = f.line_column();
    description.push(format!("{}:{line}:{column}", f.file().display()));
    if !f.path().is_empty() {
        description.push(format!("path: {}", f.path().join(" → ")));
    }
    if let Some(w) = f.replay() {
        description.push(format!("witness: {w}"));
    }
    if let Some(h) = f.help() {
        description.push(format!("help: {h}"));
    }
    status.set_description(description.join("\n"));
    let mut case = TestCase::new(name, status);
    case.set_classname(f.file().display().to_string());
    case
}

/// Renders a check report as JUnit XML.
#[must_use]
pub fn check(report: &CheckReport) -> String {
    let mut suites: BTreeMap<PathBuf, Vec<TestCase>> = report
        .files
        .iter()
        .map(|f| (f.clone(), Vec::new()))
        .collect();
    let mut used = vec![false; report.findings.len()];
    for (file, name, range) in &report.checked {
        let mut found: Vec<&Finding> = report
            .findings
            .get(range.clone())
            .unwrap_or_default()
            .iter()
            .filter(|f| f.severity() != Severity::Note)
            .collect();
        // An error outranks a warning on the same field.
        found.sort_by_key(|f| f.severity() != Severity::Error);
        range.clone().for_each(|i| {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        });
        let case = match found.as_slice() {
            [_, ..] => failure_of(&found, name.clone()),
            [] => {
                let mut case = TestCase::new(name.clone(), TestCaseStatus::success());
                case.set_classname(file.display().to_string());
                case
            }
        };
        suites.entry(file.clone()).or_default().push(case);
    }
    for (i, f) in report.findings.iter().enumerate() {
        if !used[i] && f.severity() != Severity::Note {
            let name = format!("{} {}", f.code().code(), f.code().name());
            suites
                .entry(f.file().to_path_buf())
                .or_default()
                .push(failure(f, name));
        }
    }
    let mut out = Report::new("ripple check");
    for (file, cases) in suites {
        let mut suite = TestSuite::new(file.display().to_string());
        suite.add_test_cases(cases);
        out.add_test_suite(suite);
    }
    out.to_string().unwrap_or_default()
}
