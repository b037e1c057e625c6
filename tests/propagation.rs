//! Property: propagation and validation never panic on any record the entry schema accepts,
//! and every reported violation names a system on a path that really reaches it.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::LazyLock;

use proptest::prelude::*;
use ripple::change::ChangeRequest;
use ripple::graph::SystemGraph;
use ripple::pipeline::{self, Pipeline};
use ripple::validate;
use serde_json::{Value, json};

fn load(rel: &str) -> Pipeline {
    pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Strings mixing ASCII, Latin-1, Finnish letters, ß, combining marks, emoji and spaces.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 ._äöåÄÖÅßæøé\u{0301}😀İ-]{0,40}").unwrap()
}

fn record() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|(username, first, last, street, postal, city)| {
            let mut r = json!({});
            let mut put = |k: &str, v: Option<String>| {
                if let Some(v) = v {
                    r[k] = Value::String(v);
                }
            };
            put("username", username);
            put("first_name", first);
            put("last_name", last);
            let mut address = json!({});
            for (k, v) in [("street", street), ("postal_code", postal), ("city", city)] {
                if let Some(v) = v {
                    address[k] = Value::String(v);
                }
            }
            if address.as_object().is_some_and(|a| !a.is_empty()) {
                r["address"] = address;
            }
            r
        })
}

fn check(pipeline: &Pipeline, record: Value) -> Result<(), TestCaseError> {
    let graph = SystemGraph::new(pipeline);
    let entry = pipeline.entries().next().unwrap();
    let entry_schema = &pipeline.systems[entry].schema;
    // Keep only fields the entry declares, and records it accepts.
    let Value::Object(map) = record else {
        return Ok(());
    };
    let kept: serde_json::Map<String, Value> = map
        .into_iter()
        .filter(|(k, _)| entry_schema.declares(&format!("/{k}")))
        .collect();
    let change = ChangeRequest {
        record: Value::Object(kept),
        ..ChangeRequest::default()
    };
    if change
        .check_fields(&pipeline.systems[entry].id, entry_schema)
        .is_err()
    {
        return Ok(());
    }
    let report = validate::validate(pipeline, &graph, &change)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    for v in &report.violations {
        prop_assert_eq!(v.path.last().copied(), Some(v.system));
        prop_assert_eq!(v.path.first().copied(), Some(entry));
    }
    Ok(())
}

static BASIC: LazyLock<Pipeline> =
    LazyLock::new(|| load("tests/fixtures/basic/pipelines/basic.yaml"));
static EXAMPLE: LazyLock<Pipeline> = LazyLock::new(|| load("pipelines/customer-identity.yaml"));

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn basic_pipeline_never_panics(record in record()) {
        check(&BASIC, record)?;
    }

    #[test]
    fn example_pipeline_never_panics(record in record()) {
        check(&EXAMPLE, record)?;
    }
}
