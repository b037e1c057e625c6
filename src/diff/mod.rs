//! `ripple diff OLD NEW` and `ripple diff --base REV` (README, "`ripple diff`"): what a
//! change to the pipelines and schemas does — each structural change classified
//! (constraints narrowed or widened, mappings, flows, systems, schedules) and the `check`
//! findings that are new in NEW or fixed since OLD, matched by fingerprint.

mod compare;
mod git;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::check::{self, CheckOptions, CheckReport, Finding, Severity};
use crate::error::{Error, ErrorKind, Errors};
use crate::pipeline::Pipeline;

/// What kind of change a [`Change`] is; its JSON name is kebab-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A limit is tighter: fewer values pass (a smaller `maxLength`, a new keyword, an
    /// `enum` that is a subset of the old one).
    ConstraintNarrowed,
    /// A limit is looser: more values pass (a larger `maxLength`, a keyword removed).
    ConstraintWidened,
    /// A limit changed neither way (`pattern`, `format`, an `enum` that is neither a
    /// subset nor a superset).
    ConstraintChanged,
    /// A mapping's expression changed.
    MappingChanged,
    /// A flow fills a field it did not.
    MappingAdded,
    /// A flow no longer fills a field.
    MappingRemoved,
    /// A new flow.
    FlowAdded,
    /// A flow is gone.
    FlowRemoved,
    /// A new system.
    SystemAdded,
    /// A system is gone (a renamed one is removed and added).
    SystemRemoved,
    /// A flow's schedule changed.
    ScheduleMoved,
}

impl ChangeKind {
    /// The kebab-case name used in output.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::ConstraintNarrowed => "constraint-narrowed",
            Self::ConstraintWidened => "constraint-widened",
            Self::ConstraintChanged => "constraint-changed",
            Self::MappingChanged => "mapping-changed",
            Self::MappingAdded => "mapping-added",
            Self::MappingRemoved => "mapping-removed",
            Self::FlowAdded => "flow-added",
            Self::FlowRemoved => "flow-removed",
            Self::SystemAdded => "system-added",
            Self::SystemRemoved => "system-removed",
            Self::ScheduleMoved => "schedule-moved",
        }
    }
}

/// One change between OLD and NEW (README, "`ripple diff`": `changes[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The system: the one added or removed, whose schema changed, or a flow's target.
    pub system: String,
    /// The field (JSON Pointer), for constraints and mappings.
    pub field: Option<String>,
    /// The schema keyword, for constraints.
    pub keyword: Option<String>,
    /// The flow, `from → to`, for flows, schedules and mappings.
    pub flow: Option<String>,
    /// The value before (a keyword's value, a mapping expression, a schedule, a system
    /// name); `null` when there was none.
    pub old: Option<Value>,
    /// The value after; `null` when there is none.
    pub new: Option<Value>,
}

/// What `ripple diff` found.
#[derive(Debug, Default)]
pub struct DiffReport {
    /// Every change that matters, pipeline by pipeline.
    pub changes: Vec<Change>,
    /// Findings of NEW that OLD does not have.
    pub new: Vec<Finding>,
    /// Findings of OLD that NEW no longer has.
    pub fixed: Vec<Finding>,
    /// NEW's pipeline files.
    pub files: Vec<PathBuf>,
    /// Pipelines that did not load, on either side (their errors are findings).
    pub unloaded: usize,
    /// Unknown schema keywords and the like in NEW (never change the exit code).
    pub warnings: Vec<crate::error::Warning>,
}

impl DiffReport {
    /// Whether no new finding is an error.
    #[must_use]
    pub fn ok(&self) -> bool {
        !self.new.iter().any(|f| f.severity() == Severity::Error)
    }

    /// Incomplete when a pipeline did not load; findings when a new finding is an error.
    #[must_use]
    pub fn verdict(&self) -> crate::request::Verdict {
        if self.unloaded > 0 {
            crate::request::Verdict::Incomplete
        } else {
            crate::request::Verdict::found(!self.ok())
        }
    }
}

/// One side of a diff: its findings and its pipelines as loaded (`None`: did not load).
struct Side {
    report: CheckReport,
    pipelines: Vec<(PathBuf, Option<Pipeline>)>,
}

fn side(files: Vec<PathBuf>, opts: CheckOptions) -> Result<Side, Errors> {
    let mut report = CheckReport::default();
    let mut configs = check::suppress::Configs::default();
    let mut pipelines = Vec::new();
    for file in &files {
        let p = check::check_file(file, &mut report, opts, &mut configs)?;
        pipelines.push((file.clone(), p));
    }
    report.files = files;
    Ok(Side { report, pipelines })
}

/// Compares two pipeline files, or two folders of pipelines (matched by pipeline `name`,
/// then by file name).
///
/// # Errors
/// A path that does not exist, a file compared with a folder, no pipeline in NEW, or a
/// `ripple.toml` that does not parse.
pub fn diff_paths(old: &Path, new: &Path, opts: CheckOptions) -> Result<DiffReport, Errors> {
    diff_inner(old, new, opts, false)
}

/// Compares the pipelines at `new` (a file or folder in a git work tree) with the same
/// path at revision `rev`, read with `git show` into a temporary folder (no checkout),
/// schemas included. Old files are named `REV:path` in the report.
///
/// # Errors
/// No git, not a repository, an unknown revision, or what [`diff_paths`] reports.
pub fn diff_base(rev: &str, new: &Path, opts: CheckOptions) -> Result<DiffReport, Errors> {
    let tree = git::extract(rev, new)?;
    let mut report = diff_inner(&tree.old_path, new, opts, true)?;
    let copy = format!("{}{}", tree.root.display(), std::path::MAIN_SEPARATOR);
    for f in &mut report.fixed {
        if let Ok(rest) = f.file().strip_prefix(&tree.root) {
            let renamed = PathBuf::from(format!("{rev}:{}", rest.display()));
            f.set_file(renamed);
        }
        f.rename_in_text(&copy, &format!("{rev}:"));
    }
    Ok(report)
}

fn diff_inner(
    old: &Path,
    new: &Path,
    opts: CheckOptions,
    old_may_be_missing: bool,
) -> Result<DiffReport, Errors> {
    let files = |p: &Path| check::pipeline_files(&[p.to_path_buf()]);
    let new_files = files(new)?;
    let old_files = match files(old) {
        Ok(f) => f,
        Err(_) if old_may_be_missing => Vec::new(),
        Err(e) => return Err(e),
    };
    if old.is_file() != new.is_file() && !old_may_be_missing {
        return Err(Error::new(
            ErrorKind::Usage,
            format!(
                "cannot compare {} with {}: give two pipeline files or two folders",
                old.display(),
                new.display()
            ),
        )
        .into());
    }
    let both_files = old.is_file() && new.is_file();
    let (before, after) = (side(old_files, opts)?, side(new_files, opts)?);
    let mut report = DiffReport {
        unloaded: before.report.unloaded + after.report.unloaded,
        ..DiffReport::default()
    };
    for pair in pairs(&before.pipelines, &after.pipelines, both_files) {
        report.changes.extend(match pair {
            (Some(a), Some(b)) => compare::pipelines(a, b),
            (Some(a), None) => whole(a, ChangeKind::SystemRemoved),
            (None, Some(b)) => whole(b, ChangeKind::SystemAdded),
            (None, None) => Vec::new(),
        });
    }
    report.new = only_in(&after.report.findings, &before.report.findings);
    report.fixed = only_in(&before.report.findings, &after.report.findings);
    report.files = after.report.files;
    report.warnings = after.report.warnings;
    Ok(report)
}

/// A pipeline only on one side: each of its systems added or removed.
fn whole(p: &Pipeline, kind: ChangeKind) -> Vec<Change> {
    let removed = kind == ChangeKind::SystemRemoved;
    p.systems
        .iter()
        .map(|s| Change {
            kind,
            system: s.id.clone(),
            field: None,
            keyword: None,
            flow: None,
            old: removed.then(|| Value::String(s.name.clone())),
            new: (!removed).then(|| Value::String(s.name.clone())),
        })
        .collect()
}

type Loaded = [(PathBuf, Option<Pipeline>)];

/// Pairs the loaded pipelines of both sides: two files always, otherwise by `name`, then
/// by file name; what is left pairs with nothing.
fn pairs<'a>(
    old: &'a Loaded,
    new: &'a Loaded,
    both_files: bool,
) -> Vec<(Option<&'a Pipeline>, Option<&'a Pipeline>)> {
    let loaded = |side: &'a Loaded| -> Vec<(&'a Path, &'a Pipeline)> {
        side.iter()
            .filter_map(|(f, p)| p.as_ref().map(|p| (f.as_path(), p)))
            .collect()
    };
    let (mut left, mut right) = (loaded(old), loaded(new));
    if both_files && left.len() == 1 && right.len() == 1 {
        return vec![(Some(left[0].1), Some(right[0].1))];
    }
    let mut out = Vec::new();
    for by_file in [false, true] {
        let same = |a: &(&Path, &Pipeline), b: &(&Path, &Pipeline)| {
            if by_file {
                a.0.file_name() == b.0.file_name()
            } else {
                a.1.name == b.1.name
            }
        };
        let mut i = 0;
        while i < left.len() {
            let found = right.iter().position(|r| same(&left[i], r));
            if let Some(j) = found {
                out.push((Some(left.remove(i).1), Some(right.remove(j).1)));
            } else {
                i += 1;
            }
        }
    }
    out.extend(left.into_iter().map(|(_, p)| (Some(p), None)));
    out.extend(right.into_iter().map(|(_, p)| (None, Some(p))));
    out
}

/// The findings of `a` whose fingerprints `b` lacks, counting duplicates.
fn only_in(a: &[Finding], b: &[Finding]) -> Vec<Finding> {
    let mut left: BTreeMap<String, usize> = BTreeMap::new();
    for f in b {
        *left.entry(f.fingerprint()).or_default() += 1;
    }
    a.iter()
        .filter(|f| match left.get_mut(&f.fingerprint()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}
