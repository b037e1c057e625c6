//! Baselines (README, "`ripple check`", "Baselines"): the fingerprints of findings a team
//! has accepted for now, so that `check --baseline FILE` reports only what is new.
//!
//! The file is JSON, sorted by fingerprint so that it diffs well in git:
//! `{"version": 1, "findings": [{"fingerprint", "code", "system", "field", "message"}]}`.
//! Findings are matched by fingerprint as a multiset: two findings with one fingerprint
//! need two baseline entries.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::finding::Finding;
pub use super::outcome::BaselineSummary;
use super::outcome::CheckReport;
use crate::error::{Error, ErrorKind};

/// The baseline file format version this ripple writes and reads.
pub const BASELINE_VERSION: u64 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// [`Finding::fingerprint`].
    pub fingerprint: String,
    /// The code (`R301`).
    pub code: String,
    /// The system, when the finding names one.
    #[serde(default)]
    pub system: Option<String>,
    /// The field, when the finding names one.
    #[serde(default)]
    pub field: Option<String>,
    /// The message when the baseline was written, for people reading the file.
    #[serde(default)]
    pub message: String,
}

/// A baseline file's contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Always [`BASELINE_VERSION`].
    pub version: u64,
    /// The accepted findings, sorted.
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    /// The baseline of `findings`, sorted.
    #[must_use]
    pub fn of(findings: &[Finding]) -> Self {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint(),
                code: f.code().code().to_owned(),
                system: f.system().map(str::to_owned),
                field: f.field().map(str::to_owned),
                message: f.message().to_owned(),
            })
            .collect();
        entries.sort();
        Self {
            version: BASELINE_VERSION,
            findings: entries,
        }
    }

    /// The file's text: pretty JSON and a newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Parses a baseline file's text.
    ///
    /// # Errors
    /// Text that is not a baseline, or a version other than [`BASELINE_VERSION`].
    pub fn parse(text: &str, path: &Path) -> Result<Self, Error> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::Json,
                format!("{} is not a ripple baseline: {e}", path.display()),
            )
            .in_file(path)
            .help("write one with `ripple check --write-baseline FILE`")
        })?;
        if baseline.version != BASELINE_VERSION {
            return Err(Error::new(
                ErrorKind::Version,
                format!(
                    "{} is a version {} baseline; this ripple reads version {BASELINE_VERSION}",
                    path.display(),
                    baseline.version
                ),
            )
            .in_file(path)
            .help("rewrite it with `ripple check --write-baseline FILE`"));
        }
        Ok(baseline)
    }

    /// Reads a baseline file.
    ///
    /// # Errors
    /// A file that cannot be read or is not a baseline.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, &e))?;
        Self::parse(&text, path)
    }

    /// Writes the baseline to `path`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_json()).map_err(|e| Error::io(path, &e))
    }
}

impl CheckReport {
    /// Leaves out the findings `baseline` accepts and records how many it left out and
    /// how many of its entries no longer occur ([`CheckReport::baseline`]).
    pub fn apply_baseline(&mut self, baseline: &Baseline) {
        let mut left: BTreeMap<&str, usize> = BTreeMap::new();
        for entry in &baseline.findings {
            *left.entry(entry.fingerprint.as_str()).or_default() += 1;
        }
        let keep: Vec<bool> = self
            .findings
            .iter()
            .map(|f| match left.get_mut(f.fingerprint().as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect();
        let suppressed = keep.iter().filter(|k| !**k).count();
        self.retain_findings(&keep);
        self.baseline = Some(BaselineSummary {
            suppressed,
            gone: left.values().sum(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{FieldAt, Incompatibility};
    use crate::propagate::FieldRef;
    use crate::span::{Location, SourceFile};

    /// An R301 at `crm:/login` by `keyword`, the finding's other facts made up.
    fn finding_at(message: &str, field: &str, keyword: &str, origin: &[(&str, &str)]) -> Finding {
        let file = SourceFile::new("p.yaml", "flows: []\n");
        let facts = Incompatibility {
            at: FieldAt {
                system: "crm".into(),
                field: field.into(),
            },
            keyword: keyword.into(),
            limit: serde_json::json!(12),
            origin: origin
                .iter()
                .map(|(s, p)| FieldRef {
                    system: (*s).into(),
                    field: (*p).into(),
                })
                .collect(),
            path: vec!["web".into(), "crm".into()],
            witness: serde_json::json!({}),
            value: None,
        };
        let location = Location::new(&file, file.span(0, 5));
        Finding::incompatible(facts, message.into(), Path::new("p.yaml"), location)
    }

    fn finding(message: &str, origin: &[(&str, &str)]) -> Finding {
        finding_at(message, "/login", "maxLength", origin)
    }

    #[test]
    fn fingerprints_ignore_messages_and_origin_order() {
        let a = finding("one wording", &[("web", "/a"), ("web", "/b")]);
        let b = finding("another wording", &[("web", "/b"), ("web", "/a")]);
        assert_eq!(a.fingerprint(), b.fingerprint());
        // Pinned (checked by hand against FNV-1a 64): the same on every Rust version.
        assert_eq!(a.fingerprint(), "ceddad50aa54d1f6");
        let c = finding_at(
            "one wording",
            "/login",
            "pattern",
            &[("web", "/a"), ("web", "/b")],
        );
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn baselines_match_as_a_multiset_and_keep_checked_ranges() {
        let f = finding("m", &[]);
        let other = finding_at("m", "/tier", "maxLength", &[]);
        let mut report = CheckReport {
            findings: vec![f.clone(), other.clone(), f.clone()],
            checked: vec![
                ("p.yaml".into(), "a".into(), 0..1),
                ("p.yaml".into(), "b".into(), 1..3),
            ],
            ..CheckReport::default()
        };
        let mut baseline = Baseline::of(&[f.clone(), other.clone()]);
        baseline.findings.push(BaselineEntry {
            fingerprint: "0000000000000000".into(),
            code: "R301".into(),
            system: None,
            field: None,
            message: String::new(),
        });
        report.apply_baseline(&baseline);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(
            report.baseline,
            Some(BaselineSummary {
                suppressed: 2,
                gone: 1
            })
        );
        let ranges: Vec<_> = report.checked.iter().map(|c| c.2.clone()).collect();
        assert_eq!(ranges, [0..0, 0..1]);
        let text = Baseline::of(&[f]).to_json();
        assert_eq!(
            Baseline::parse(&text, Path::new("b.json")).ok(),
            Some(Baseline::of(&[finding("m", &[])]))
        );
        assert!(
            Baseline::parse("{\"version\": 2, \"findings\": []}", Path::new("b.json")).is_err()
        );
    }
}
