//! `ripple constraints --emit-schema`: the tightened entry schema rejects every witness that
//! `check` finds for the entry and still accepts the examples' accepted changes.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use ripple::check::{CheckReport, check_pipeline};
use ripple::constraints::{effective, emit_schema};
use ripple::schema::SystemSchema;
use ripple::{change, pipeline, validate};
use serde_json::Value;

fn emitted(pipeline: &pipeline::Pipeline, entry: pipeline::SystemId) -> SystemSchema {
    let eff = effective(pipeline, entry);
    let raw = emit_schema(pipeline, entry, &eff);
    // Same path as the entry schema, so relative `$ref`s resolve as they do there.
    SystemSchema::from_value(pipeline.systems[entry].schema.path(), raw)
        .unwrap_or_else(|e| panic!("emitted schema does not compile: {e:?}"))
}

/// Violations other than `required` (a change carries only the fields it changes).
fn rejects(schema: &SystemSchema, record: &Value) -> Vec<String> {
    schema
        .validate(record)
        .into_iter()
        .filter(|v| v.keyword != "required")
        .map(|v| format!("{} {}: {}", v.pointer, v.keyword, v.message))
        .collect()
}

#[test]
fn emitted_schema_rejects_witnesses_and_accepts_accepted_examples() {
    for file in [
        "pipelines/customer-identity.yaml",
        "pipelines/hr-onboarding.yaml",
    ] {
        let p = pipeline::load(Path::new(file)).unwrap();
        let entries: Vec<pipeline::SystemId> = p.entries().collect();
        let mut report = CheckReport::default();
        check_pipeline(&p, &mut report);
        for &entry in &entries {
            let schema = emitted(&p, entry);
            let entry_id = &p.systems[entry].id;
            let mut checked = 0;
            for f in &report.findings {
                let (Some(witness), Some(path)) = (&f.witness(), f.path().first()) else {
                    continue;
                };
                if path != entry_id {
                    continue;
                }
                checked += 1;
                assert!(
                    !rejects(&schema, witness).is_empty(),
                    "{file}: emitted schema accepts the witness of {} {:?} {:?}: {witness}",
                    f.code().code(),
                    f.system(),
                    f.field()
                );
            }
            if file.contains("customer-identity") {
                assert!(checked >= 5, "{file}: only {checked} witnesses checked");
            }
        }
    }
}

#[test]
fn emitted_schema_accepts_every_accepted_example_change() {
    let p = pipeline::load(Path::new("pipelines/customer-identity.yaml")).unwrap();
    let graph = ripple::graph::SystemGraph::new(&p);
    let mut accepted = 0;
    for entry in std::fs::read_dir("pipelines/changes").unwrap() {
        let path = entry.unwrap().path();
        let req = change::ChangeRequest::read(&path).unwrap();
        let report = validate::validate(&p, &graph, &req).unwrap();
        let entry = report.entry;
        let schema = emitted(&p, entry);
        let why = rejects(&schema, &req.record);
        if report.ok() {
            accepted += 1;
            assert!(
                why.is_empty(),
                "{}: accepted change rejected by the emitted schema: {why:?}",
                path.display()
            );
        } else if report.violations.iter().any(|v| v.system != entry) {
            assert!(
                !why.is_empty(),
                "{}: rejected downstream but the emitted schema accepts it",
                path.display()
            );
        }
    }
    assert!(accepted >= 2);
}

mod sufficiency {
    //! Property: the emitted schema is *sufficient* — every change it accepts is accepted by
    //! every system downstream (the point of tightening the entry schema).
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    struct Fixture {
        pipeline: pipeline::Pipeline,
        graph: ripple::graph::SystemGraph,
        emitted: SystemSchema,
    }

    static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
        let p = pipeline::load(Path::new("pipelines/customer-identity.yaml")).unwrap();
        let entry = p.entries().next().unwrap();
        let emitted = emitted(&p, entry);
        let graph = ripple::graph::SystemGraph::new(&p);
        Fixture {
            pipeline: p,
            graph,
            emitted,
        }
    });

    fn text(class: &str, max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[{class}]{{1,{max}}}")).unwrap()
    }

    /// Near the edge of what the tightened schema allows: lengths around the limits and sums,
    /// ß and Finnish letters where some systems take them and others do not.
    fn record() -> impl Strategy<Value = Value> {
        (
            proptest::option::of(text("a-zA-Z0-9._ä-", 13)),
            proptest::option::of(text("a-zA-Zäöß' -", 45)),
            proptest::option::of(text("a-zA-Zäöß' -", 45)),
            proptest::option::of(text("A-Za-z0-9 ,.'/ßä-", 80)),
            proptest::option::of("[0-9 -]{0,8}"),
            proptest::option::of(text("A-Za-zäß -", 40)),
        )
            .prop_map(|(username, first, last, street, postal, city)| {
                let mut r = serde_json::json!({});
                for (k, v) in [
                    ("username", username),
                    ("first_name", first),
                    ("last_name", last),
                ] {
                    if let Some(v) = v {
                        r[k] = Value::String(v);
                    }
                }
                let mut address = serde_json::json!({});
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, max_global_rejects: 20_000, ..ProptestConfig::default() })]

        #[test]
        fn what_the_emitted_schema_accepts_no_system_rejects(record in record()) {
            let f = &*FIXTURE;
            prop_assume!(rejects(&f.emitted, &record).is_empty());
            let change = change::ChangeRequest {
                record: record.clone(),
                ..change::ChangeRequest::default()
            };
            let report = validate::validate(&f.pipeline, &f.graph, &change).unwrap();
            let found: Vec<String> = report
                .violations
                .iter()
                .map(|v| format!("{} {} {}: {}", f.pipeline.systems[v.system].id, v.field, v.keyword, v.message))
                .collect();
            prop_assert!(found.is_empty(), "accepted by the emitted schema, rejected downstream: {record}\n{found:#?}");
        }
    }
}
