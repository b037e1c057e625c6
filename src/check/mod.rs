//! `ripple check` (README, "`ripple check`"): static reasoning over pipelines and schemas.
//!
//! For every flow path from an entry system and every field the path's last flow fills,
//! ripple first tries to *prove* the target accepts whatever the path can deliver (an
//! over-approximation in [`domain`]). What it cannot prove it tries to *refute* with a
//! concrete change that the entry and every earlier system accept and the target rejects,
//! found by [`witness`] and verified with the real propagation and validators. A finding is
//! an error only with such a witness; where neither works it is a warning that says why.

mod analyze;
pub mod baseline;
mod candidates;
pub mod codes;
mod conflict;
mod dataflow;
mod drift;
mod echo;

mod field;
mod nested;
mod path;
mod prove;
mod rules;
pub mod suppress;
mod witness;

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Errors};
use crate::graph::SystemGraph;
use crate::pipeline::{self, FlowId, Pipeline, SystemId};
use crate::propagate::FieldRef;
use crate::span::Location;
pub use baseline::{Baseline, BaselineSummary};
pub use codes::{Code, Severity};
pub use field::{FieldVerdict, check_field};
pub(crate) use nested::with_nested;
pub use suppress::Ignored;

/// Candidate changes verified per pipeline before ripple stops searching for witnesses
/// (what is left unproven then is reported as undecided, saying so). Keeps `check` bounded
/// on large graphs whose limits the abstract domain cannot relate.
pub const WITNESS_BUDGET: usize = 20_000;

/// Said of an undecided field whose search stopped because the budget ran out.
pub(crate) const BUDGET_NOTE: &str = " (the witness search budget for this pipeline ran out)";

/// How thoroughly `check` looks for witnesses.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// Candidate changes run per pipeline before the search stops (see
    /// [`WITNESS_BUDGET`]); raise it to decide more fields on large graphs.
    pub witness_budget: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            witness_budget: WITNESS_BUDGET,
        }
    }
}

/// One finding of `ripple check`.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// Error, warning or note.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The file (a pipeline, or the file of a load error).
    pub file: PathBuf,
    /// Where in it, when known (with the text for excerpts).
    pub location: Option<Location>,
    /// Text under the underline.
    pub label: Option<String>,
    /// What to change.
    pub help: Option<String>,
    /// The system the finding is about.
    pub system: Option<String>,
    /// The field (JSON Pointer) in that system.
    pub field: Option<String>,
    /// The rejecting keyword (incompatibilities).
    pub keyword: Option<String>,
    /// The keyword's limit.
    pub limit: Option<Value>,
    /// Entry fields the value derives from.
    pub origin: Vec<FieldRef>,
    /// System ids from the entry.
    pub path: Vec<String>,
    /// An entry `record` reproducing the finding with `ripple validate`.
    pub witness: Option<Value>,
    /// The value the target receives for the witness; for drift (R401, R402), a value
    /// for the system's own field that one schema accepts and the other rejects.
    pub value: Option<Value>,
}

impl Finding {
    fn new(code: Code, message: impl Into<String>, file: &Path) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            file: file.to_path_buf(),
            location: None,
            label: None,
            help: None,
            system: None,
            field: None,
            keyword: None,
            limit: None,
            origin: Vec::new(),
            path: Vec::new(),
            witness: None,
            value: None,
        }
    }

    /// The finding for a load error.
    #[must_use]
    pub fn from_error(error: &Error, file: &Path) -> Self {
        let mut f = Self::new(
            Code::for_error(error.kind),
            error.message.clone(),
            error.file.as_deref().unwrap_or(file),
        );
        f.location.clone_from(&error.location);
        f.label.clone_from(&error.label);
        f.help.clone_from(&error.help);
        f
    }

    /// The entry system of the finding's path: where its witness enters.
    #[must_use]
    pub fn entry(&self) -> Option<&str> {
        self.witness
            .as_ref()
            .and(self.path.first().map(String::as_str))
    }

    /// The witness as a whole change request, `{"entry": …, "record": …}`: saved to a
    /// file, `ripple validate PIPELINE FILE` reproduces the finding, whichever entry
    /// system it starts from.
    #[must_use]
    pub fn replay(&self) -> Option<Value> {
        let record = self.witness.as_ref()?;
        Some(match self.entry() {
            Some(entry) => serde_json::json!({ "entry": entry, "record": record }),
            None => serde_json::json!({ "record": record }),
        })
    }

    /// `error`, `warning` or `note`.
    #[must_use]
    pub fn severity_name(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// A stable fingerprint (16 hex digits): FNV-1a over the code, system, field, keyword
    /// and the sorted origin fields, never the line or the message, so a finding keeps it
    /// when the pipeline is reformatted or the wording changes (README, "Baselines").
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let mut origin: Vec<String> = self
            .origin
            .iter()
            .map(|o| format!("{}:{}", o.system, o.field))
            .collect();
        origin.sort();
        origin.dedup();
        let parts = [
            self.code.code(),
            self.system.as_deref().unwrap_or(""),
            self.field.as_deref().unwrap_or(""),
            self.keyword.as_deref().unwrap_or(""),
            &origin.join(","),
        ];
        format!("{:016x}", fnv1a(&parts.join("\u{1f}")))
    }

    /// `(line, column)`, 1-based; `(1, 1)` when there is no finer location.
    #[must_use]
    pub fn line_column(&self) -> (usize, usize) {
        self.location
            .as_ref()
            .map_or((1, 1), |l| (l.span.line.max(1), l.span.column.max(1)))
    }
}

/// FNV-1a, 64 bits: a fixed hash whose value never changes between Rust versions.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

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
        !self.findings.iter().any(|f| f.severity == Severity::Error)
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

/// Checks pipeline files and directories (every `*.yaml`/`*.yml` under a directory, its
/// sub-folders included, hidden ones left out).
///
/// # Errors
/// A path that does not exist, a directory that cannot be read, or no pipeline at all.
pub fn check_paths(paths: &[PathBuf]) -> Result<CheckReport, Errors> {
    check_paths_with(paths, CheckOptions::default())
}

/// [`check_paths`] with options. A pipeline that does not load is a finding (its load
/// error's code) and makes the verdict incomplete; the others are still checked.
///
/// # Errors
/// A path that does not exist, a directory that cannot be read, or no pipeline at all.
pub fn check_paths_with(paths: &[PathBuf], opts: CheckOptions) -> Result<CheckReport, Errors> {
    let files = pipeline_files(paths)?;
    let mut report = CheckReport::default();
    let mut configs = suppress::Configs::default();
    for file in &files {
        check_file(file, &mut report, opts, &mut configs)?;
    }
    report.files = files;
    Ok(report)
}

/// Loads and checks one pipeline file, appending to `report` (a load error becomes
/// findings and counts as unloaded), then applies its ignore comments and `ripple.toml`.
/// Returns the pipeline when it loaded.
///
/// # Errors
/// A `ripple.toml` that cannot be read or parsed.
pub(crate) fn check_file(
    file: &Path,
    report: &mut CheckReport,
    opts: CheckOptions,
    configs: &mut suppress::Configs,
) -> Result<Option<Pipeline>, Errors> {
    match pipeline::load(file) {
        Ok(p) => {
            report.warnings.extend(p.warnings());
            let start = report.findings.len();
            check_pipeline_with(&p, report, opts);
            let config = configs.for_pipeline(file)?;
            suppress::apply(&p, config.as_deref(), report, start);
            Ok(Some(p))
        }
        Err(errors) => {
            report.unloaded += 1;
            report
                .findings
                .extend(errors.0.iter().map(|e| Finding::from_error(e, file)));
            Ok(None)
        }
    }
}

fn is_pipeline_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "yaml" || x == "yml")
}

/// The pipeline files named by `paths`, directories searched recursively, sorted per
/// directory; hidden files and folders (`.git`) are skipped.
pub(crate) fn pipeline_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Errors> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let walk = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walk {
                let entry = entry.map_err(|e| {
                    let at = e.path().unwrap_or(p).to_path_buf();
                    match e.into_io_error() {
                        Some(io) => Error::io(&at, &io),
                        None => Error::new(
                            crate::error::ErrorKind::Io,
                            format!("cannot read {}: a symbolic link loops", at.display()),
                        ),
                    }
                })?;
                if entry.file_type().is_file() && is_pipeline_file(entry.path()) {
                    files.push(entry.into_path());
                }
            }
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(Error::io(p, &std::io::Error::from(std::io::ErrorKind::NotFound)).into());
        }
    }
    if files.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::new(
            crate::error::ErrorKind::Usage,
            format!(
                "no pipeline (`*.yaml`, `*.yml`) found in {}",
                names.join(", ")
            ),
        )
        .help("pass pipeline files or the folders that hold them: `ripple check pipelines/`")
        .into());
    }
    Ok(files)
}

/// Checks one loaded pipeline, appending to `report`.
pub fn check_pipeline(pipeline: &Pipeline, report: &mut CheckReport) {
    check_pipeline_with(pipeline, report, CheckOptions::default());
}

/// [`check_pipeline`] with options.
pub fn check_pipeline_with(pipeline: &Pipeline, report: &mut CheckReport, opts: CheckOptions) {
    let graph = SystemGraph::new(pipeline);
    unreachable(pipeline, &graph, report);
    structural(pipeline, &graph, report);
    drift::drift(pipeline, report);
    let budget = witness::Budget::new(opts.witness_budget);
    // Fields inside objects copied whole are checked one by one (see `nested`).
    let mappings: Vec<Vec<pipeline::Mapping>> = (0..pipeline.flows.len())
        .map(|fid| nested::with_nested(pipeline, fid))
        .collect();
    for entry in pipeline.entries() {
        check_from(pipeline, &graph, &budget, &mappings, entry, report);
        echo::echoes(pipeline, &graph, entry, report);
    }
}

/// R102: systems no flow from an entry system reaches.
fn unreachable(pipeline: &Pipeline, graph: &SystemGraph, report: &mut CheckReport) {
    let reach = graph.reachable(pipeline.entries());
    for (id, system) in pipeline.systems.iter().enumerate() {
        if !reach[id] {
            let mut f = Finding::new(
                Code::UnreachableSystem,
                format!("no flow from an entry system reaches `{}`", system.id),
                &pipeline.file.path,
            );
            f.location = Some(pipeline.location(system.span));
            f.system = Some(system.id.clone());
            f.help = Some("add a flow into it, or remove it from the pipeline".into());
            report.findings.push(f);
        }
    }
}

/// Every flow field reached from `entry`, in two passes (a short witness search
/// everywhere, so easy witnesses are found in every flow before the budget goes to the
/// hard ones; then the full search where the short one found nothing), then conflicts.
fn check_from(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    budget: &witness::Budget,
    mappings: &[Vec<pipeline::Mapping>],
    entry: SystemId,
    report: &mut CheckReport,
) {
    let file = pipeline.file.path.clone();
    let summary = dataflow::Summary::compute(pipeline, graph, entry);
    let from_entry = graph.reachable([entry]);
    // Paths ending with each flow, found once and shared by both passes and conflicts.
    let paths: Vec<std::cell::OnceCell<(Vec<path::FlowPath>, bool)>> = (0..pipeline.flows.len())
        .map(|_| std::cell::OnceCell::new())
        .collect();
    let analyze_field = |fid: FlowId, m: &pipeline::Mapping| {
        analyze::analyze(
            budget,
            pipeline,
            graph,
            &summary,
            entry,
            fid,
            m,
            &paths[fid],
        )
    };
    budget.per_search.set(witness::QUICK_CANDIDATES);
    // Per flow field: its name, where its mapping is, what pass 1 found, and whether the
    // budget had run out by then (`analyze` then says so in the message).
    let mut fields: Vec<(String, FlowId, usize, Vec<Finding>, bool)> = Vec::new();
    for (fid, flow) in pipeline.flows.iter().enumerate() {
        if !from_entry[flow.from] || flow.to == entry {
            continue;
        }
        for (mi, m) in mappings[fid].iter().enumerate() {
            let found = analyze_field(fid, m);
            let name = format!(
                "{} → {} {}",
                pipeline.systems[flow.from].id, pipeline.systems[flow.to].id, m.target_pointer
            );
            fields.push((name, fid, mi, found, budget.total.get() == 0));
        }
    }
    budget.per_search.set(witness::MAX_CANDIDATES);
    for (_, fid, mi, found, noted) in &mut fields {
        if !matches!(found.as_slice(), [f] if f.code == Code::Undecided) {
            continue;
        }
        if budget.total.get() == 0 {
            // Pass 1 already tried every path's proof; nothing more can be run.
            if !*noted {
                found[0].message.push_str(BUDGET_NOTE);
            }
            continue;
        }
        *found = analyze_field(*fid, &mappings[*fid][*mi]);
    }
    for (name, _, _, found, _) in fields {
        let start = report.findings.len();
        report.findings.extend(found);
        report
            .checked
            .push((file.clone(), name, start..report.findings.len()));
    }
    conflict::conflicts(pipeline, graph, budget, entry, &from_entry, &paths, report);
}

/// R202 and R204: fields required but never filled, mappings into undeclared fields.
fn structural(pipeline: &Pipeline, graph: &SystemGraph, report: &mut CheckReport) {
    let file = &pipeline.file.path;
    for flow in &pipeline.flows {
        let target = &pipeline.systems[flow.to];
        for m in &flow.mappings {
            if !target.schema.declares(&m.target_pointer) {
                let mut f = Finding::new(
                    Code::UndeclaredTarget,
                    format!("`{}` is not a field of `{}`", m.target, target.id),
                    file,
                );
                f.location = Some(pipeline.location(m.target_span));
                f.label = Some(format!("not declared in {}", target.schema_path.display()));
                f.system = Some(target.id.clone());
                f.field = Some(m.target_pointer.to_string());
                report.findings.push(f);
            }
        }
    }
    for (id, system) in pipeline.systems.iter().enumerate() {
        let incoming = graph.incoming(id);
        if system.entry || incoming.is_empty() {
            continue;
        }
        let required = system
            .schema
            .raw()
            .get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for name in required.iter().filter_map(Value::as_str) {
            let ptr = format!("/{name}");
            let filled = incoming.iter().any(|&fl| {
                pipeline.flows[fl].mappings.iter().any(|m| {
                    *m.target_pointer == *ptr || m.target_pointer.starts_with(&format!("{ptr}/"))
                })
            });
            if !filled {
                let mut f = Finding::new(
                    Code::RequiredNotFilled,
                    format!(
                        "`{}` requires `{name}`, but no flow into it fills that field",
                        system.id
                    ),
                    file,
                );
                f.location = Some(pipeline.location(system.span));
                f.system = Some(system.id.clone());
                f.field = Some(ptr);
                report.findings.push(f);
            }
        }
    }
}

/// The entry fields (JSON Pointers) a checked value derives from: what the witness search
/// varies.
pub(crate) struct Derivation {
    pub origins: std::collections::BTreeSet<std::sync::Arc<str>>,
}
