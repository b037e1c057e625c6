//! R205: a two-way sync writes a value back changed (shop → crm → shop, where the CRM
//! lower-cases the e-mail). Such an echo overwrites what the user typed, and can flap
//! between the systems. Reported only with a witness: an entry record for which
//! `validate` itself shows the value coming back different (README, "Echoes").

use serde_json::Value;

use super::codes::Code;
use super::finding::{Echo, FieldAt, Finding};
use super::outcome::CheckReport;
use crate::change::ChangeRequest;
use crate::graph::SystemGraph;
use crate::lineage;
use crate::pipeline::{FlowId, Pipeline, SystemId};

/// Values that commonly change on a round trip: letter case, white space, non-ASCII and
/// case-changing letters, separators, long text, leading zeros.
const PROBES: &[&str] = &[
    "Ab",
    "Ab@Example.com",
    " a",
    "a ",
    "a  b",
    "Ä",
    "ß",
    "İ",
    "a-b.c",
    "007",
    "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz",
];

/// Looks for echoes of every flow that closes a cycle reachable from `entry`.
pub(super) fn echoes(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    entry: SystemId,
    report: &mut CheckReport,
) {
    let reach = graph.reachable([entry]);
    for (fid, flow) in pipeline.flows_with_ids() {
        if !reach[flow.from.index()]
            || !reach[flow.to.index()]
            || !graph.reachable([flow.to])[flow.from.index()]
        {
            continue;
        }
        for mapping in &flow.mappings {
            let target = mapping.target_pointer.to_string();
            if report
                .findings
                .iter()
                .any(|f| f.code() == Code::Echo && f.field() == Some(target.as_str()))
            {
                continue;
            }
            if let Some(f) = witness(pipeline, graph, entry, (fid, mapping), flow.to, &target) {
                report.findings.push(f);
            }
        }
    }
}

/// The first probe that comes back changed at `system`'s `field`, as a finding.
fn witness(
    pipeline: &Pipeline,
    graph: &SystemGraph,
    entry: SystemId,
    (fid, mapping): (FlowId, &crate::pipeline::Mapping),
    system: SystemId,
    field: &str,
) -> Option<Finding> {
    for origin in origins(pipeline, entry, system, field) {
        for value in candidates(pipeline, entry, &origin) {
            let mut change = ChangeRequest {
                entry: Some(pipeline.systems[entry].id.clone()),
                ..ChangeRequest::default()
            };
            crate::pointer::put(&mut change.record, &origin, value);
            let Ok(report) = crate::validate::validate(pipeline, graph, &change) else {
                continue;
            };
            if report.violations.iter().any(|v| v.system == entry) {
                continue;
            }
            let echo = report
                .echoes
                .iter()
                .find(|e| e.system == system && e.field == field)?;
            return Some(finding(pipeline, (fid, mapping), echo, &change.record));
        }
    }
    None
}

/// The entry fields `system`'s `field` comes from.
fn origins(pipeline: &Pipeline, entry: SystemId, system: SystemId, field: &str) -> Vec<String> {
    let mut out: Vec<String> = lineage::chains(pipeline, system, field, Some(entry))
        .into_iter()
        .filter_map(|c| c.first().map(|h| h.pointer.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The probes, then the entry field's own `enum`/`const` values.
fn candidates(pipeline: &Pipeline, entry: SystemId, pointer: &str) -> Vec<Value> {
    let mut out: Vec<Value> = PROBES
        .iter()
        .map(|p| Value::String((*p).to_owned()))
        .collect();
    let leaf = pipeline.systems[entry].schema.leaf(pointer);
    for k in &leaf.keywords {
        match k {
            crate::schema::Keyword::Enum(values) => out.extend(values.iter().cloned()),
            crate::schema::Keyword::Const(v) => out.push(v.clone()),
            _ => {}
        }
    }
    out
}

fn finding(
    pipeline: &Pipeline,
    (fid, mapping): (FlowId, &crate::pipeline::Mapping),
    echo: &crate::validate::EchoFinding,
    record: &Value,
) -> Finding {
    let system = &pipeline.systems[echo.system];
    let ids: Vec<String> = echo
        .path
        .iter()
        .map(|&s| pipeline.systems[s].id.clone())
        .collect();
    let message = format!(
        "`{}` {} comes back changed through {}",
        system.id,
        echo.field,
        ids.join(" → ")
    );
    let label = format!(
        "{} is written back as {}",
        crate::text::display_value(&echo.sent),
        crate::text::display_value(&echo.back)
    );
    let help = format!(
        "write back only what the other side may change, or make `{}` accept only values the round trip keeps (flow {} → {})",
        system.id, pipeline.systems[pipeline.flows[fid].from].id, system.id
    );
    let facts = Echo {
        at: FieldAt {
            system: system.id.clone(),
            field: echo.field.clone(),
        },
        path: ids,
        witness: record.clone(),
        value: echo.back.clone(),
    };
    Finding::echo(
        facts,
        message,
        &pipeline.file.path,
        pipeline.location(mapping.span),
    )
    .with_label(label)
    .with_help(Some(help))
}
