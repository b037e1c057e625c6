//! Fields inside a whole object copied by one mapping (`ship_address: mailing`): the
//! target schema may limit them (`ship_address.city` at most 20 characters) where the
//! source allows more. Each becomes a mapping of its own for the analysis
//! (`ship_address.city ← mailing.city`), so its limits are proven or refuted like any
//! field's, instead of hiding behind the object.

use std::sync::Arc;

use serde_json::Value;

use crate::expr::{Expr, ExprKind, FieldPath};
use crate::pipeline::{FlowId, Mapping, Pipeline};

/// How deep nested objects are followed.
const MAX_DEPTH: usize = 4;

/// The mappings of flow `fid` followed by one per field inside each object it copies
/// whole.
#[must_use]
pub(crate) fn with_nested(pipeline: &Pipeline, fid: FlowId) -> Vec<Mapping> {
    let flow = &pipeline.flows[fid];
    let schema = &pipeline.systems[flow.to].schema;
    let mut out: Vec<Mapping> = flow.mappings.clone();
    for m in &flow.mappings {
        let ExprKind::Field(source) = &m.expr.kind else {
            continue;
        };
        let mut suffixes = Vec::new();
        leaves(schema, &m.target_pointer, String::new(), 0, &mut suffixes);
        let from = source.pointer();
        for suffix in suffixes {
            let (Ok(target), Ok(input)) = (
                FieldPath::parse(&format!("{}{suffix}", m.target_pointer)),
                FieldPath::parse(&format!("{from}{suffix}")),
            ) else {
                continue;
            };
            let input_pointer = input.pointer();
            let dotted = suffix.trim_start_matches('/').replace('/', ".");
            out.push(Mapping {
                target_pointer: Arc::from(target.pointer()),
                target,
                expr: Expr {
                    kind: ExprKind::Field(input.clone()),
                    span: m.expr.span.clone(),
                },
                inputs: vec![(input, input_pointer)],
                source: Arc::from(format!("{}.{dotted}", m.source)),
                target_span: m.target_span,
                span: m.span,
                text_offset: None,
            });
        }
    }
    out
}

/// The pointers (relative to `pointer`) of every field the schema declares inside the
/// object at `pointer` that holds no object of its own.
fn leaves(
    schema: &crate::schema::SystemSchema,
    pointer: &str,
    suffix: String,
    depth: usize,
    out: &mut Vec<String>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    let here = format!("{pointer}{suffix}");
    let mut names: Vec<String> = schema
        .subschemas(&here)
        .iter()
        .filter_map(|s| s.get("properties").and_then(Value::as_object))
        .flat_map(|p| p.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let child = crate::pointer::child(&suffix, &name);
        let nested = schema
            .subschemas(&format!("{pointer}{child}"))
            .iter()
            .any(|s| s.get("properties").is_some());
        if nested {
            leaves(schema, pointer, child, depth + 1, out);
        } else {
            out.push(child);
        }
    }
}
