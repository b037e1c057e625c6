//! Batch validation agrees with `validate`, record by record (README, "`ripple validate
//! --batch`"): on 10,000 generated records through the example pipeline, every record the
//! batch accepts `validate` accepts, and every rejection is the same set of (system,
//! field, keyword) — whatever the number of workers, and in input order.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

use ripple::batch::{self, BatchOptions, InputFormat, Outcome};
use ripple::change::ChangeRequest;
use ripple::graph::SystemGraph;
use ripple::{pipeline, validate};
use serde_json::{Value, json};

const RECORDS: usize = 10_000;

/// (system, field, keyword) of each rejection.
type Rejections = BTreeSet<(pipeline::SystemId, String, String)>;

/// Values near the example pipeline's limits: long, multi-byte, case-changing, empty.
fn records(seed: u64) -> Vec<Value> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let names = [
        "matti",
        "Matti.Meikalainen",
        "anna",
        "Äijälä",
        "ŁUKASZ",
        "o'brien",
        "",
        "x",
        "abcdefghijkl",
        "İsmail",
        "ß",
        "a b",
    ];
    let streets = ["Hämeenkatu 1 A 3", "MAIN ST 1", "Rue de l'Été 12", "", "1"];
    (0..RECORDS)
        .map(|i| {
            let mut r = serde_json::Map::new();
            let pick = |rng: &mut fastrand::Rng, xs: &[&str]| xs[rng.usize(..xs.len())].to_owned();
            let mut username = pick(&mut rng, &names);
            if rng.bool() {
                username = username.repeat(rng.usize(1..4));
            }
            r.insert("username".into(), json!(username));
            if rng.bool() {
                r.insert("first_name".into(), json!(pick(&mut rng, &names)));
                r.insert(
                    "last_name".into(),
                    json!(pick(&mut rng, &names).repeat(rng.usize(1..6))),
                );
            }
            if rng.u8(..4) == 0 {
                r.insert(
                    "address".into(),
                    json!({ "street": pick(&mut rng, &streets), "city": "Tampere" }),
                );
            }
            if rng.u8(..10) == 0 {
                r.insert(
                    "email".into(),
                    json!(if rng.bool() { "a@b.fi" } else { "not an email" }),
                );
            }
            if i % 2 == 0 {
                json!({ "key": format!("k{i}"), "record": Value::Object(r) })
            } else {
                Value::Object(r)
            }
        })
        .collect()
}

fn keywords(o: &Outcome) -> Option<Rejections> {
    match o {
        Outcome::Rejected { rejections, .. } => Some(
            rejections
                .iter()
                .map(|r| (r.system, r.field.clone(), r.keyword.clone()))
                .collect(),
        ),
        _ => None,
    }
}

#[test]
fn batch_agrees_with_validate_record_by_record() {
    let p = pipeline::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/customer-identity.yaml"),
    )
    .unwrap();
    let graph = SystemGraph::new(&p);
    let input = records(7);
    let text: String = input.iter().map(|r| format!("{r}\n")).collect();
    let truths: Vec<(bool, Rejections)> = input
        .iter()
        .map(|record| {
            let change = match record.get("record") {
                Some(r) => ChangeRequest {
                    key: record["key"].as_str().map(str::to_owned),
                    record: r.clone(),
                    ..ChangeRequest::default()
                },
                None => ChangeRequest {
                    record: record.clone(),
                    ..ChangeRequest::default()
                },
            };
            let report = validate::validate(&p, &graph, &change).unwrap();
            let set = report
                .violations
                .iter()
                .map(|v| (v.system, v.field.clone(), v.keyword.clone()))
                .collect();
            (report.ok(), set)
        })
        .collect();
    for jobs in [1, 2] {
        let mut outcomes = Vec::new();
        let opts = BatchOptions {
            jobs,
            format: InputFormat::JsonLines,
            entry: None,
            progress: None,
        };
        let summary = batch::run(&p, Cursor::new(text.as_bytes()), &opts, |o| {
            outcomes.push(o.clone())
        })
        .unwrap();
        assert_eq!(outcomes.len(), RECORDS);
        assert_eq!(summary.records as usize, RECORDS);
        assert_eq!(summary.malformed, 0);
        let mut rejected = 0;
        for (i, ((record, outcome), (ok, truth))) in
            input.iter().zip(&outcomes).zip(&truths).enumerate()
        {
            match keywords(outcome) {
                None => assert!(
                    ok,
                    "record {i} accepted by the batch, rejected by validate: {record}"
                ),
                Some(got) => {
                    rejected += 1;
                    assert!(!ok, "record {i}: {record}");
                    assert_eq!(&got, truth, "record {i}: {record}");
                    if let Outcome::Rejected { line, .. } = outcome {
                        assert_eq!(*line as usize, i + 1, "in input order");
                    }
                }
            }
        }
        assert_eq!(summary.rejected, rejected);
        assert!(
            rejected > RECORDS as u64 / 10 && rejected < RECORDS as u64,
            "the generator rejects some, not all: {rejected}"
        );
    }
}

#[test]
fn malformed_lines_are_counted_and_never_stop_the_run() {
    let p = pipeline::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/customer-identity.yaml"),
    )
    .unwrap();
    let text = "{\"username\": \"matti\"}\nnot json\n[1]\n\n{\"record\": {\"username\": \"anna\"}, \"bogus\": 1}\n{\"nosuchfield\": 1}\n{\"username\": \"anna\"}\n";
    let mut outcomes = Vec::new();
    let opts = BatchOptions {
        jobs: 2,
        format: InputFormat::JsonLines,
        entry: None,
        progress: None,
    };
    let summary = batch::run(&p, Cursor::new(text), &opts, |o| outcomes.push(o.clone())).unwrap();
    let malformed: Vec<u64> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Malformed { line, .. } => Some(*line),
            _ => None,
        })
        .collect();
    assert_eq!(malformed, [2, 3, 5, 6]);
    assert_eq!(
        (summary.records, summary.accepted, summary.malformed),
        (6, 2, 4)
    );
}

#[test]
fn csv_cells_are_typed_by_the_entry_schema() {
    let p = pipeline::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/customer-identity.yaml"),
    )
    .unwrap();
    let text = "username,address.street,address.city\nmatti,Main St 1,Tampere\n12345,,\n\"a,b\",\"Hämeenkatu 1\",Tampere\n";
    let mut outcomes = Vec::new();
    let opts = BatchOptions {
        jobs: 1,
        format: InputFormat::Csv,
        entry: None,
        progress: None,
    };
    let summary = batch::run(&p, Cursor::new(text), &opts, |o| outcomes.push(o.clone())).unwrap();
    assert_eq!(summary.records, 3);
    // A username is text, so `12345` stays text (and is accepted); the quoted comma is one cell.
    assert!(matches!(outcomes[0], Outcome::Accepted), "{outcomes:?}");
    assert!(matches!(outcomes[1], Outcome::Accepted), "{outcomes:?}");
    let Outcome::Rejected {
        line, rejections, ..
    } = &outcomes[2]
    else {
        panic!("{outcomes:?}")
    };
    assert_eq!(*line, 4);
    assert!(rejections.iter().any(|r| r.field == "/address_line"));
}
