//! What `ripple check` found (README, "`ripple check`"): the report every part of the
//! check appends to, and the verdict it ends with. Its own module so that the parts
//! (analysis, conflicts, drift, echoes, ignore comments, baselines) and the run that
//! calls them all depend on it, and never on each other both ways.

use std::path::PathBuf;

use serde::Serialize;

use super::codes::Severity;
use super::finding::Finding;

/// What `ripple check` found in a set of files.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// The pipeline files checked.
    pub files: Vec<PathBuf>,
    /// Every finding, by file then position.
    pub findings: Vec<Finding>,
    /// Every (pipeline, path, field) checked, for JUnit-style reporting: (file, name, the
    /// indices of its findings, empty when proven; one R301 per keyword it fails).
    pub checked: Vec<(PathBuf, String, std::ops::Range<usize>)>,
    /// Pipelines that did not load (their errors are findings).
    pub unloaded: usize,
    /// Systems whose `source:` could not be imported (R404 findings): their drift check
    /// could not run.
    pub sources_unread: usize,
    /// What looks wrong in the pipelines that loaded but does not change a verdict
    /// (unknown schema keywords).
    pub warnings: Vec<crate::error::Warning>,
    /// Findings left out by an ignore comment or `ripple.toml`, with the reason.
    pub ignored: Vec<Ignored>,
    /// What `--baseline` left out, when a baseline was applied.
    pub baseline: Option<BaselineSummary>,
}

impl CheckReport {
    /// The verdict: incomplete when a pipeline did not load or a system's source could
    /// not be read, findings when any finding is
    /// an error (README, "Exit codes").
    #[must_use]
    pub fn verdict(&self) -> crate::request::Verdict {
        if self.unloaded > 0 || self.sources_unread > 0 {
            crate::request::Verdict::Incomplete
        } else {
            crate::request::Verdict::found(!self.ok())
        }
    }

    /// Whether no finding is an error.
    #[must_use]
    pub fn ok(&self) -> bool {
        !self
            .findings
            .iter()
            .any(|f| f.severity() == Severity::Error)
    }

    /// Removes the findings whose `keep` entry is false (those past its end are kept) and
    /// returns them in order; [`CheckReport::checked`]'s ranges follow.
    pub(crate) fn take_findings(&mut self, keep: &[bool]) -> Vec<Finding> {
        // kept_before[i]: how many findings before index i stay.
        let mut kept_before = Vec::with_capacity(self.findings.len() + 1);
        kept_before.push(0);
        for i in 0..self.findings.len() {
            let last = kept_before.last().copied().unwrap_or(0);
            kept_before.push(last + usize::from(keep.get(i).copied().unwrap_or(true)));
        }
        let at = |i: usize| kept_before.get(i).copied().unwrap_or(0);
        for (_, _, range) in &mut self.checked {
            *range = at(range.start)..at(range.end);
        }
        let mut removed = Vec::new();
        let mut kept = Vec::with_capacity(self.findings.len());
        for (i, f) in std::mem::take(&mut self.findings).into_iter().enumerate() {
            if keep.get(i).copied().unwrap_or(true) {
                kept.push(f);
            } else {
                removed.push(f);
            }
        }
        self.findings = kept;
        removed
    }

    /// [`CheckReport::take_findings`], dropping what it removes.
    pub(crate) fn retain_findings(&mut self, keep: &[bool]) {
        self.take_findings(keep);
    }
}

/// What applying a baseline left out: `baseline: {suppressed, gone}` in check's JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// Findings that are in the baseline and so not reported.
    pub suppressed: usize,
    /// Baseline entries no current finding matches: fixed since, or changed.
    pub gone: usize,
}

/// A finding left out of the report, and why.
#[derive(Debug, Clone)]
pub struct Ignored {
    /// The finding as it would have been reported.
    pub finding: Finding,
    /// The ignore comment's reason, or the `ripple.toml` setting that dropped it.
    pub reason: String,
}
