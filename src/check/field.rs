//! `check`'s verdict on one field of one system, for `trace`: read off the very report
//! `ripple check` makes (same analysis, same budget), so that `trace` never claims what
//! `check` does not prove, nor disagrees with it where the budget decided.

use super::codes::Code;
use super::finding::Finding;
use super::outcome::CheckReport;
use super::run::{CheckOptions, check_pipeline_with};
use crate::pipeline::{Pipeline, SystemId};

/// What `check` concludes about one field.
#[derive(Debug, Clone)]
pub enum FieldVerdict {
    /// No flow from an entry system fills the field.
    NotReached,
    /// Every value any path can deliver is accepted.
    Proven,
    /// A verified witness: the (first) R301 finding.
    Incompatible(Box<Finding>),
    /// Neither proven nor refuted: the R302 finding, saying why.
    Undecided(Box<Finding>),
}

impl FieldVerdict {
    /// The stable name used in JSON output.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            FieldVerdict::NotReached => "not_reached",
            FieldVerdict::Proven => "proven",
            FieldVerdict::Incompatible(_) => "incompatible",
            FieldVerdict::Undecided(_) => "undecided",
        }
    }
}

/// Checks the pipeline as `ripple check` does and returns its verdict on `pointer` of
/// `system`, over every flow that fills it.
#[must_use]
pub fn check_field(
    pipeline: &Pipeline,
    system: SystemId,
    pointer: &str,
    opts: CheckOptions,
) -> FieldVerdict {
    let mut report = CheckReport::default();
    check_pipeline_with(pipeline, &mut report, opts);
    verdict_in(&report, &pipeline.systems[system].id, pointer)
}

/// The verdict on `pointer` of the system `id` in a check report.
#[must_use]
pub fn verdict_in(report: &CheckReport, id: &str, pointer: &str) -> FieldVerdict {
    let mut verdict = FieldVerdict::NotReached;
    for (_, name, range) in &report.checked {
        // "from → to /pointer"
        let Some((_, rest)) = name.split_once(" → ") else {
            continue;
        };
        if rest.split_once(' ') != Some((id, pointer)) {
            continue;
        }
        let found = report.findings.get(range.clone()).unwrap_or_default();
        let first = found.first().cloned();
        verdict = match (verdict, first) {
            (FieldVerdict::Incompatible(f), _) => FieldVerdict::Incompatible(f),
            (_, Some(f)) if f.code() == Code::Incompatible => {
                FieldVerdict::Incompatible(Box::new(f))
            }
            (FieldVerdict::Undecided(f), _) => FieldVerdict::Undecided(f),
            (_, Some(f)) => FieldVerdict::Undecided(Box::new(f)),
            (_, None) => FieldVerdict::Proven,
        };
    }
    verdict
}
