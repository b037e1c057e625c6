//! `ripple check` (README, "`ripple check`"): static reasoning over pipelines and schemas.
//!
//! For every flow path from an entry system and every field the path's last flow fills,
//! ripple first tries to *prove* the target accepts whatever the path can deliver (an
//! over-approximation in [`crate::domain`]). What it cannot prove it tries to *refute* with a
//! concrete change that the entry and every earlier system accept and the target rejects,
//! found by `witness` and verified with the real propagation and validators. A finding is
//! an error only with such a witness; where neither works it is a warning that says why.
//!
//! This file only declares the parts and re-exports what the library shows; no part
//! depends on it, and the parts depend on each other one way: `run` calls the checks
//! (`analyze`, `conflict`, `drift`, `echo`) and `suppress`, which all append to the
//! [`CheckReport`] of `outcome` the [`Finding`]s of `finding`.

mod analyze;
pub mod baseline;
mod candidates;
pub mod codes;
mod conflict;
mod dataflow;
mod drift;
mod echo;

mod field;
mod finding;
mod nested;
mod outcome;
mod path;
mod prove;
mod rules;
mod run;
pub mod suppress;
mod witness;

pub use baseline::{Baseline, BaselineSummary};
pub use codes::{Code, Severity};
pub use field::{FieldVerdict, check_field};
pub use finding::{Body, Conflict, Drift, Echo, FieldAt, Finding, Incompatibility, Undecided};
pub(crate) use nested::with_nested;
pub use outcome::{CheckReport, Ignored};
pub use run::{
    CheckOptions, WITNESS_BUDGET, check_paths, check_paths_with, check_pipeline,
    check_pipeline_with,
};
pub(crate) use run::{check_file, pipeline_files};
