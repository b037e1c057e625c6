//! Drawing the system graph: Mermaid (for Markdown) and DOT (for Graphviz), with an
//! optional lineage highlighted.

use std::fmt::Write as _;

use crate::lineage::Lineage;
use crate::pipeline::{Pipeline, SystemId};

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// The graph as a Mermaid flowchart; entry systems are rounded, a lineage is drawn red.
#[must_use]
pub fn mermaid(pipeline: &Pipeline, highlight: Option<&Lineage>) -> String {
    let mut out = String::from("flowchart LR\n");
    for s in &pipeline.systems {
        let owner = s
            .owner
            .as_deref()
            .map(|o| format!("<br/><small>{}</small>", mermaid_text(o)))
            .unwrap_or_default();
        let label = format!("{}{owner}", mermaid_text(&s.name));
        if s.entry {
            let _ = writeln!(out, "    {}([\"{label}\"])", s.id);
        } else {
            let _ = writeln!(out, "    {}[\"{label}\"]", s.id);
        }
    }
    for flow in &pipeline.flows {
        let from = &pipeline.systems[flow.from].id;
        let to = &pipeline.systems[flow.to].id;
        match &flow.schedule {
            Some(s) => {
                let _ = writeln!(out, "    {from} -->|\"{}\"| {to}", mermaid_text(s));
            }
            None => {
                let _ = writeln!(out, "    {from} --> {to}");
            }
        }
    }
    if let Some(lineage) = highlight {
        let mut systems: Vec<&str> = lineage
            .fields
            .iter()
            .map(|(s, _)| pipeline.systems[*s].id.as_str())
            .collect();
        systems.dedup();
        out.push_str("    classDef lineage stroke:#d33,stroke-width:3px;\n");
        let _ = writeln!(out, "    class {} lineage", systems.join(","));
        let links: Vec<String> = lineage
            .flows
            .iter()
            .map(|f| f.index().to_string())
            .collect();
        if !links.is_empty() {
            let _ = writeln!(
                out,
                "    linkStyle {} stroke:#d33,stroke-width:3px;",
                links.join(",")
            );
        }
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The graph in Graphviz DOT; a lineage is drawn red and bold.
#[must_use]
pub fn dot(pipeline: &Pipeline, highlight: Option<&Lineage>) -> String {
    let mut out = format!(
        "digraph \"{}\" {{\n    rankdir=LR;\n    node [shape=box, fontname=\"Helvetica\"];\n",
        dot_text(&pipeline.name)
    );
    let lit = |id: SystemId| highlight.is_some_and(|l| l.fields.iter().any(|(s, _)| *s == id));
    for (id, s) in pipeline.systems_with_ids() {
        let owner = s
            .owner
            .as_deref()
            .map(|o| format!("\\n{}", dot_text(o)))
            .unwrap_or_default();
        let mut attrs = format!("label=\"{}{owner}\"", dot_text(&s.name));
        if s.entry {
            attrs.push_str(", style=rounded");
        }
        if lit(id) {
            attrs.push_str(", color=red, penwidth=2");
        }
        let _ = writeln!(out, "    \"{}\" [{attrs}];", dot_text(&s.id));
    }
    for (fid, flow) in pipeline.flows_with_ids() {
        let mut attrs = flow
            .schedule
            .as_deref()
            .map(|s| format!("label=\"{}\"", dot_text(s)))
            .unwrap_or_default();
        if highlight.is_some_and(|l| l.flows.contains(&fid)) {
            if !attrs.is_empty() {
                attrs.push_str(", ");
            }
            attrs.push_str("color=red, penwidth=2");
        }
        let _ = writeln!(
            out,
            "    \"{}\" -> \"{}\" [{attrs}];",
            dot_text(&pipeline.systems[flow.from].id),
            dot_text(&pipeline.systems[flow.to].id)
        );
    }
    out.push_str("}\n");
    out
}
