//! The run of `ripple check` (README, "`ripple check`"): which files, each pipeline
//! loaded and checked (unreachable systems, structure, drift, every flow field from each
//! entry, conflicts, echoes), then its ignore comments and `ripple.toml` applied.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::codes::Code;
use super::finding::{FieldAt, Finding};
use super::outcome::CheckReport;
use super::witness::BUDGET_NOTE;
use super::{analyze, conflict, dataflow, drift, echo, nested, path, suppress, witness};
use crate::error::{Error, Errors};
use crate::graph::SystemGraph;
use crate::pipeline::{self, FlowId, Pipeline, SystemId};

/// Candidate changes verified per pipeline before ripple stops searching for witnesses
/// (what is left unproven then is reported as undecided, saying so). Keeps `check` bounded
/// on large graphs whose limits the abstract domain cannot relate.
pub const WITNESS_BUDGET: usize = 20_000;

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
    let mappings: Vec<Vec<pipeline::Mapping>> = pipeline
        .flows_with_ids()
        .map(|(fid, _)| nested::with_nested(pipeline, fid))
        .collect();
    for entry in pipeline.entries() {
        check_from(pipeline, &graph, &budget, &mappings, entry, report);
        echo::echoes(
            pipeline,
            &graph,
            &mappings,
            entry,
            opts.witness_budget,
            report,
        );
    }
}

/// R102: systems no flow from an entry system reaches.
fn unreachable(pipeline: &Pipeline, graph: &SystemGraph, report: &mut CheckReport) {
    let reach = graph.reachable(pipeline.entries());
    for (id, system) in pipeline.systems.iter().enumerate() {
        if !reach[id] {
            let f = Finding::unreachable_system(
                system.id.clone(),
                format!("no flow from an entry system reaches `{}`", system.id),
                &pipeline.file.path,
                pipeline.location(system.span),
            )
            .with_help(Some(
                "add a flow into it, or remove it from the pipeline".into(),
            ));
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
            &paths[fid.index()],
        )
    };
    budget.per_search.set(witness::QUICK_CANDIDATES);
    // Per flow field: its name, where its mapping is, what pass 1 found, and whether the
    // budget had run out by then (`analyze` then says so in the message).
    let mut fields: Vec<(String, FlowId, usize, Vec<Finding>, bool)> = Vec::new();
    for (fid, flow) in pipeline.flows_with_ids() {
        if !from_entry[flow.from.index()] || flow.to == entry {
            continue;
        }
        for (mi, m) in mappings[fid.index()].iter().enumerate() {
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
        if !matches!(found.as_slice(), [f] if f.code() == Code::Undecided) {
            continue;
        }
        if budget.total.get() == 0 {
            // Pass 1 already tried every path's proof; nothing more can be run.
            if !*noted {
                found[0].append_message(BUDGET_NOTE);
            }
            continue;
        }
        *found = analyze_field(*fid, &mappings[fid.index()][*mi]);
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
                let at = FieldAt {
                    system: target.id.clone(),
                    field: m.target_pointer.to_string(),
                };
                let f = Finding::undeclared_target(
                    at,
                    format!("`{}` is not a field of `{}`", m.target, target.id),
                    file,
                    pipeline.location(m.target_span),
                )
                .with_label(format!("not declared in {}", target.schema_path.display()));
                report.findings.push(f);
            }
        }
    }
    for (id, system) in pipeline.systems_with_ids() {
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
                let at = FieldAt {
                    system: system.id.clone(),
                    field: ptr,
                };
                let f = Finding::required_not_filled(
                    at,
                    format!(
                        "`{}` requires `{name}`, but no flow into it fills that field",
                        system.id
                    ),
                    file,
                    pipeline.location(system.span),
                );
                report.findings.push(f);
            }
        }
    }
}
