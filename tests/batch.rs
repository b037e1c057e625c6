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

/// Pipelines for the fast path's plan: the examples, a two-way sync (echoes), two paths
/// into one system (conflicts), and mappings that can fail (`number`, nested targets).
const PLAN_PIPELINES: &[&str] = &[
    "pipelines/customer-identity.yaml",
    "pipelines/hr-onboarding.yaml",
    "tests/fixtures/basic/pipelines/basic.yaml",
    "tests/fixtures/conflict/pipelines/conflict.yaml",
    "tests/fixtures/conflict/pipelines/two-paths.yaml",
    "tests/fixtures/current/pipelines/plain-echo.yaml",
    "tests/fixtures/ecommerce/pipelines/ecommerce.yaml",
];

static LOADED: std::sync::LazyLock<Vec<pipeline::Pipeline>> = std::sync::LazyLock::new(|| {
    PLAN_PIPELINES
        .iter()
        .map(|rel| pipeline::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap())
        .collect()
});

thread_local! {
    /// Per pipeline, a plan and its derived records, kept across every `verdicts` call of
    /// a thread.
    static REUSED: std::cell::RefCell<
        std::collections::HashMap<String, (ripple::plan::Plan, ripple::plan::Docs)>,
    > = std::cell::RefCell::default();
}

/// A partial change through `p`: the plan's verdict, `validate::accepts`' and whether
/// `validate` reports nothing; `None` when the record sets a field the entry schema does
/// not declare (and then the plan's field check must not call it declared).
fn verdicts(p: &pipeline::Pipeline, record: &Value) -> Option<(bool, bool, bool)> {
    let graph = SystemGraph::new(p);
    let entry = p.entries().next().unwrap();
    let plan = ripple::plan::Plan::new(p, &graph, entry).unwrap();
    let schema = &p.systems[entry].schema;
    let change = ChangeRequest {
        record: record.clone(),
        ..ChangeRequest::default()
    };
    let declared = ripple::plan::Declared::default().all(schema, record);
    if change.check_fields(&p.systems[entry].id, schema).is_err() {
        assert!(
            !declared,
            "the plan calls an undeclared field declared: {record}"
        );
        return None;
    }
    let fast = plan.accepts(p, record, &mut ripple::plan::Docs::default());
    // A worker's derived records are rewritten in place from record to record: with one
    // plan and its records kept through every earlier case, the verdict must be the same
    // as from scratch.
    let reused = REUSED.with(|kept| {
        let mut kept = kept.borrow_mut();
        let (plan, docs) = kept.entry(p.name.clone()).or_insert_with(|| {
            (
                ripple::plan::Plan::new(p, &graph, entry).unwrap(),
                ripple::plan::Docs::default(),
            )
        });
        plan.accepts(p, record, docs)
    });
    assert_eq!(fast, reused, "{}: reused derived records: {record}", p.name);
    let slow = validate::accepts(p, &graph, &change).unwrap();
    let ok = validate::validate(p, &graph, &change).unwrap().ok();
    Some((fast, slow, ok))
}

fn value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    prop_oneof![
        4 => "[a-zA-Z0-9 .@_äöÄÖßİ😀-]{0,40}".prop_map(Value::from),
        1 => "[0-9]{1,7}".prop_map(Value::from),
        1 => (0i64..100_000).prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
    ]
}

/// Entry records over the field names of every plan pipeline's entry schema (and one no
/// schema declares), values of every JSON type.
fn plan_record() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    const NAMES: &[&str] = &[
        "username",
        "email",
        "first_name",
        "last_name",
        "employee_id",
        "customer_no",
        "name",
        "name1",
        "name2",
        "loyalty_points",
        "vat_id",
        "notes",
        "partner_id",
        "recipient",
    ];
    (
        proptest::collection::vec((proptest::sample::select(NAMES), value()), 0..6),
        proptest::option::of(proptest::collection::vec(
            (
                proptest::sample::select(&["street", "city", "postal_code", "country"][..]),
                value(),
            ),
            0..4,
        )),
        proptest::bool::weighted(0.05),
    )
        .prop_map(|(fields, address, stray)| {
            let mut r = serde_json::Map::new();
            for (k, v) in fields {
                r.insert(k.to_owned(), v);
            }
            if let Some(a) = address {
                let a: serde_json::Map<String, Value> =
                    a.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                r.insert("address".into(), Value::Object(a));
            }
            if stray {
                r.insert("no_such_field".into(), json!(1));
            }
            Value::Object(r)
        })
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(400))]
    /// The fast path's plan gives `validate::accepts`' verdict on every partial change,
    /// so it never accepts what `validate` rejects.
    #[test]
    fn plan_is_as_strict_as_validate(record in plan_record()) {
        for p in LOADED.iter() {
            if let Some((fast, slow, ok)) = verdicts(p, &record) {
                proptest::prop_assert_eq!(fast, slow, "{}: {}", p.name, record);
                proptest::prop_assert!(!fast || ok, "{}: {}", p.name, record);
            }
        }
    }
}

#[test]
fn plan_sees_echoes_conflicts_and_failed_mappings() {
    let by_name = |n: &str| LOADED.iter().find(|p| p.name == n).unwrap();
    // The directory writes `uid` = lower(username) back as the username: an echo.
    let echo = json!({"username": "Matti"});
    assert_eq!(
        verdicts(by_name("basic"), &echo),
        Some((false, false, false))
    );
    assert_eq!(
        verdicts(
            by_name("basic"),
            &json!({"username": "matti", "address": {"street": "Main St 1"}})
        ),
        Some((true, true, true))
    );
    // Two paths bring the directory `matti` and `Matti`: a conflict.
    assert_eq!(
        verdicts(by_name("conflict"), &echo),
        Some((false, false, false))
    );
    assert_eq!(
        verdicts(by_name("two-paths"), &json!({"username": "ANNA"})),
        Some((true, true, true))
    );
    assert_eq!(
        verdicts(by_name("two-paths"), &json!({"username": "anna"})),
        Some((false, false, false))
    );
    // A field the entry schema does not declare is left to the full check.
    assert_eq!(verdicts(by_name("basic"), &json!({"nosuch": 1})), None);
}
