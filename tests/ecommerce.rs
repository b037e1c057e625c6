//! The e-commerce pipeline of the issue "One truth about what a mapping does"
//! (`tests/fixtures/ecommerce`): every case where `check`, `trace` or `constraints` used to
//! contradict `validate`, asserted against `validate` itself.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use ripple::change::ChangeRequest;
use ripple::check::{self, CheckReport, Code, Finding};
use ripple::graph::SystemGraph;
use ripple::lineage::FieldSpec;
use ripple::pipeline::{self, Pipeline};
use ripple::{trace, validate};
use serde_json::{Value, json};

fn load() -> Pipeline {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ecommerce/pipelines/ecommerce.yaml");
    pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn check(p: &Pipeline) -> CheckReport {
    let mut report = CheckReport::default();
    check::check_pipeline(p, &mut report);
    report
}

/// The systems that reject `record` under `validate`, with the fields.
fn rejections(p: &Pipeline, record: &Value) -> Vec<(String, String)> {
    let change = ChangeRequest {
        record: record.clone(),
        ..ChangeRequest::default()
    };
    let report = validate::validate(p, &SystemGraph::new(p), &change).unwrap();
    report
        .violations
        .iter()
        .map(|v| (p.systems[v.system].id.clone(), v.field.clone()))
        .collect()
}

fn finding<'a>(report: &'a CheckReport, system: &str, field: &str) -> Option<&'a Finding> {
    report
        .findings
        .iter()
        .find(|f| f.system() == Some(system) && f.field() == Some(field))
}

#[test]
fn every_witness_reproduces_under_validate() {
    let p = load();
    let report = check(&p);
    let mut seen = 0;
    for f in report
        .findings
        .iter()
        .filter(|f| f.code() == Code::Incompatible)
    {
        let w = f.witness().unwrap();
        let got = rejections(&p, w);
        let system = f.system().unwrap().to_owned();
        let field = f.field().unwrap().to_owned();
        assert!(
            got.iter().any(|(s, fl)| *s == system && *fl == field),
            "witness {w} for {system} {field}: validate says {got:?}"
        );
        let path = &f.path()[..f.path().len() - 1];
        assert!(
            got.iter().all(|(s, _)| !path.contains(s)),
            "witness {w} is rejected before {system}: {got:?}"
        );
        seen += 1;
    }
    assert!(seen >= 5, "{seen} witnesses");
}

#[test]
fn null_and_replace_growth_are_refuted_with_witnesses() {
    let p = load();
    let report = check(&p);
    let vat = finding(&report, "erp", "/vat_id").expect("erp /vat_id");
    assert_eq!(vat.code(), Code::Incompatible, "{}", vat.message());
    assert_eq!(vat.witness(), Some(&json!({"vat_id": null})));
    let notes = finding(&report, "erp", "/notes").expect("erp /notes");
    assert_eq!(notes.code(), Code::Incompatible, "{}", notes.message());
    let w = notes.witness().unwrap()["notes"].as_str().unwrap();
    assert!(w.contains('&'), "{w}");
    let company = finding(&report, "invoicing", "/company").expect("invoicing /company");
    assert_eq!(company.code(), Code::Incompatible);
}

#[test]
fn trace_agrees_with_check() {
    let p = load();
    let report = check(&p);
    for flow in &p.flows {
        for m in &flow.mappings {
            let system = &p.systems[flow.to].id;
            let spec = FieldSpec::parse(&p, &format!("{system}:{}", m.target_pointer)).unwrap();
            let t = trace::trace_field(&p, &spec);
            let f = finding(&report, system, &m.target_pointer);
            let want = match f.map(|f| f.code()) {
                // A flow back into the entry system (crm → shop) is where changes start:
                // `check` does not analyse it.
                None if p.systems[flow.to].entry => "not_reached",
                None => "proven",
                Some(Code::Incompatible) => "incompatible",
                Some(_) => "undecided",
            };
            assert_eq!(t.verdict.name(), want, "{system} {}", m.target_pointer);
            match want {
                "incompatible" => assert!(t.root_cause.is_some(), "{system} {}", m.target_pointer),
                "proven" | "not_reached" => assert!(
                    t.root_cause.is_none(),
                    "{system} {}: {:?}",
                    m.target_pointer,
                    t.root_cause
                ),
                _ => {}
            }
        }
    }
}

#[test]
fn trace_of_a_refuted_field_names_a_root_cause() {
    let p = load();
    let spec = FieldSpec::parse(&p, "erp:/partner_id").unwrap();
    let t = trace::trace_field(&p, &spec);
    assert_eq!(t.verdict.name(), "incompatible");
    let cause = t.root_cause.expect("a root cause");
    assert_eq!(cause.pointer, "/partner_id");
}

#[test]
fn fields_inside_whole_object_copies_are_checked() {
    let p = load();
    let report = check(&p);
    // Read after a whole-object copy (`mailing: address`, then `street: mailing.street`).
    let street = finding(&report, "erp", "/street").expect("erp /street");
    assert_eq!(street.code(), Code::Incompatible, "{}", street.message());
    // Limited inside an object copied whole (`ship_address: mailing`).
    let city = finding(&report, "warehouse", "/ship_address/city").expect("city");
    assert_eq!(city.code(), Code::Incompatible, "{}", city.message());
    assert_eq!(
        city.witness().unwrap()["address"]["city"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        21
    );
    // trace follows the copy back to the nested entry field.
    let spec = FieldSpec::parse(&p, "erp:/street").unwrap();
    let t = trace::trace_field(&p, &spec);
    assert_eq!(t.origins[0].pointer, "/address/street");
    assert_eq!(t.origins[0].effective.max_len, Some(25));
}

/// The entry schema `constraints --emit-schema` prints, compiled.
fn emitted(p: &Pipeline) -> ripple::schema::SystemSchema {
    let entry = p.system_id("shop").unwrap();
    let eff = ripple::constraints::effective(p, entry);
    let doc = ripple::constraints::emit_schema(p, entry, &eff);
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ecommerce/schemas/emitted.json");
    ripple::schema::SystemSchema::from_value(&path, doc).unwrap()
}

#[test]
fn the_emitted_schema_accepts_integers_and_rejects_what_invoicing_rejects() {
    let p = load();
    let schema = emitted(&p);
    // An integer field limited downstream as text still takes integers.
    let points = json!({"loyalty_points": 5});
    assert!(schema.is_valid(&points));
    assert!(rejections(&p, &points).is_empty());
    // Through default(name2, name1) into a latin1 / 40-byte system.
    for record in [
        json!({"name1": "İsmail Yılmaz"}),
        json!({"name1": "Ab", "name2": "Ωmega Trading"}),
        json!({"name1": "Müller & Söhne Präzisionswerkzeuge GmbH Co"}),
    ] {
        assert!(!rejections(&p, &record).is_empty(), "{record}");
        assert!(
            !schema.is_valid(&record),
            "the emitted schema accepts {record}"
        );
    }
    // name2 may stay null: default() then takes name1.
    let null_name2 = json!({"name1": "Acme", "name2": null});
    assert!(rejections(&p, &null_name2).is_empty());
    assert!(schema.is_valid(&null_name2));
}

#[test]
fn the_emitted_schema_rejects_every_witness() {
    let p = load();
    let schema = emitted(&p);
    for f in check(&p)
        .findings
        .iter()
        .filter(|f| f.code() == Code::Incompatible)
    {
        let w = f.witness().unwrap();
        assert!(!schema.is_valid(w), "emitted schema accepts witness {w}");
    }
}
