//! The current record (README, "Partial changes and the current record"): a change merged
//! into the record as it is now, mappings skipped without it, what each system receives,
//! and two-way syncs that write a value back changed.

use serde_json::{Value, json};

use super::{fixture, json, run};

fn shop() -> String {
    fixture("current/pipelines/shop.yaml")
}

fn current(name: &str) -> String {
    fixture(&format!("current/{name}"))
}

#[test]
fn a_city_only_change_is_warned_about_without_the_current_record() {
    let (code, out, _) = run(&["validate", &shop(), &current("city-only.json")]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warehouse /line3 not checked: mailing.postal_code is not in the change; pass --current to check it"),
        "{out}"
    );
    let (_, out, _) = run(&[
        "validate",
        &shop(),
        &current("city-only.json"),
        "--format",
        "json",
    ]);
    assert_eq!(
        json(&out)["skipped"],
        json!([{
            "system": "warehouse",
            "field": "/line3",
            "expr": "concat(mailing.postal_code, \" \", mailing.city)",
            "missing": ["mailing.postal_code"],
        }])
    );
    let (code, _, _) = run(&["validate", &shop(), &current("city-only.json"), "--strict"]);
    assert_eq!(code, 1, "--strict makes a skipped mapping a finding");
}

#[test]
fn with_the_current_record_the_city_only_change_is_rejected() {
    let (code, out, _) = run(&[
        "validate",
        &shop(),
        &current("city-only.json"),
        "--current",
        &current("current.json"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    let line3: Vec<&Value> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["system"] == "warehouse" && x["field"] == "/line3")
        .collect();
    assert_eq!(line3.len(), 1, "{out}");
    assert_eq!(line3[0]["value"], "73230 Kirchheim unter Teck-Nabern");
    assert_eq!(v["skipped"], json!([]));
}

#[test]
fn a_short_current_postal_code_keeps_line3_within_its_limit() {
    let (code, out, _) = run(&[
        "validate",
        &shop(),
        &current("city-only.json"),
        "--current",
        &current("current-short.json"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let v = json(&out);
    let warehouse = v["systems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["system"] == "warehouse")
        .unwrap();
    assert_eq!(
        warehouse["record"]["line3"],
        "D1 Kirchheim unter Teck-Nabern"
    );
    // Personal fields of the derived records are masked unless asked for.
    assert_eq!(warehouse["record"]["line1"], "[redacted]");
    assert_eq!(v["systems"][0]["record"]["email"], "[redacted]");
    let (_, out, _) = run(&[
        "validate",
        &shop(),
        &current("city-only.json"),
        "--current",
        &current("current-short.json"),
        "--format",
        "json",
        "--show-values",
    ]);
    assert_eq!(
        json(&out)["systems"][0]["record"]["email"],
        "anna@shop.example"
    );
}

#[test]
fn the_current_record_can_come_in_the_change_and_null_deletes() {
    let change = json!({
        "record": { "name": null, "address": { "city": "Ulm" } },
        "current": {
            "customer_no": "100234", "name": "Anna Berg", "email": "anna@shop.example",
            "address": { "street": "Hauptstraße 1", "postal_code": "73230", "city": "Kirchheim" }
        }
    });
    let dir = std::env::temp_dir().join(format!("ripple-current-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("change.json");
    std::fs::write(&file, change.to_string()).unwrap();
    let (code, out, _) = run(&[
        "validate",
        &shop(),
        file.to_str().unwrap(),
        "--format",
        "json",
        "--show-values",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{out}");
    let entry = &json(&out)["systems"][0]["record"];
    assert!(entry.get("name").is_none(), "null deletes: {entry}");
    assert_eq!(entry["address"]["postal_code"], "73230");
    assert_eq!(entry["address"]["city"], "Ulm");
}

#[test]
fn a_create_enforces_every_required_field_of_the_entry() {
    let (code, out, _) = run(&[
        "validate",
        &shop(),
        "--set",
        "email=anna@shop.example",
        "--create",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let v = json(&out);
    assert!(
        v["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["system"] == "shop" && x["keyword"] == "required"),
        "{out}"
    );
    // An update with the same record does not know the rest, so `required` waits.
    let (code, _, _) = run(&["validate", &shop(), "--set", "email=anna@shop.example"]);
    assert_eq!(code, 0);
}

#[test]
fn validate_reports_a_value_a_two_way_sync_writes_back_changed() {
    let args = |pipeline: String| {
        vec![
            "validate".to_owned(),
            pipeline,
            "--set".into(),
            "email=Anna@Shop.example".into(),
            "--set-str".into(),
            "customer_no=100234".into(),
            "--format".into(),
            "json".into(),
            "--show-values".into(),
        ]
    };
    let a = args(shop());
    let (code, out, _) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        json(&out)["echoes"],
        json!([{
            "system": "shop",
            "field": "/email",
            "sent": "Anna@Shop.example",
            "back": "anna@shop.example",
            "path": ["shop", "crm", "shop"],
            "pii": true,
        }])
    );
    let a = args(fixture("current/pipelines/plain-echo.yaml"));
    let (code, out, _) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "a plain copy both ways is no echo: {out}");
    assert_eq!(json(&out)["echoes"], json!([]));
}

#[test]
fn check_finds_the_echo_with_a_witness_that_replays() {
    let (code, out, _) = run(&["check", &shop(), "--format", "json"]);
    assert_eq!(code, 1);
    let report = json(&out);
    let echo: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "R205")
        .collect();
    assert_eq!(echo.len(), 1, "{out}");
    assert_eq!(echo[0]["system"], "shop");
    assert_eq!(echo[0]["field"], "/email");
    let replay = echo[0]["replay"].to_string();
    let dir = std::env::temp_dir().join(format!("ripple-echo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("witness.json");
    std::fs::write(&file, replay).unwrap();
    let (_, out, _) = run(&[
        "validate",
        &shop(),
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(json(&out)["echoes"][0]["field"], "/email", "{out}");
    let (_, out, _) = run(&[
        "check",
        &fixture("current/pipelines/plain-echo.yaml"),
        "--format",
        "json",
    ]);
    assert!(!out.contains("R205"), "{out}");
    let (code, out, _) = run(&["explain", "R205"]);
    assert_eq!(code, 0);
    assert!(out.contains("rewriting-echo"), "{out}");
}

#[test]
fn a_postgres_update_statement_names_the_column_among_equal_limits() {
    let (code, out, _) = run(&[
        "trace",
        &fixture("current/pipelines/partner.yaml"),
        "--log",
        &fixture("current/partner.log"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let event = &json(&out)["events"][0];
    assert_eq!(event["field"], "/city", "{out}");
    assert_eq!(
        event["origin"],
        json!([{ "system": "shop", "field": "/address/city" }])
    );
}
