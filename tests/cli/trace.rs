//! `ripple trace` (field mode) and `ripple constraints`.

use super::run;

#[test]
fn trace_shows_each_hop_where_it_narrows_and_the_root_cause() {
    let (code, out, err) = run(&[
        "trace",
        "pipelines/customer-identity.yaml",
        "payroll:/login",
    ]);
    assert_eq!(code, 1, "a root cause is a finding: {err}");
    insta::assert_snapshot!("trace_payroll_login", out);
}

#[test]
fn trace_json_has_the_stable_keys() {
    let (code, out, err) = run(&[
        "trace",
        "pipelines/customer-identity.yaml",
        "payroll:login",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["target"]["system"], "payroll");
    assert_eq!(v["target"]["field"], "/login");
    let hops: Vec<(String, String)> = v["lineage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["system"].as_str().unwrap().to_owned(),
                h["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        hops,
        [
            ("web", "/username"),
            ("crm", "/username"),
            ("payroll", "/login")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(v["lineage"][0]["expr"], serde_json::Value::Null);
    assert_eq!(v["lineage"][2]["expr"], "concat(\"u\", upper(username))");
    assert_eq!(v["origin"][0]["system"], "web");
    assert_eq!(v["origin"][0]["field"], "/username");
    // x-maxBytes 12 minus the one byte of "u".
    assert_eq!(v["effective"]["x-maxBytes"], 11);
    assert_eq!(v["root_cause"]["system"], "web");
    assert_eq!(v["root_cause"]["field"], "/username");
    assert!(
        v["root_cause"]["reason"]
            .as_str()
            .unwrap()
            .contains("11 UTF-8 bytes")
    );
}

#[test]
fn trace_of_a_copied_field_that_fits_is_clean() {
    let (code, out, err) = run(&["trace", "pipelines/customer-identity.yaml", "crm:/email"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("every system on the lineage accepts"), "{out}");
}

#[test]
fn trace_of_a_field_with_two_origins_lists_both_chains() {
    let (code, out, _) = run(&[
        "trace",
        "pipelines/customer-identity.yaml",
        "core:customer_name",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let origins: Vec<&str> = v["origin"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["field"].as_str().unwrap())
        .collect();
    assert_eq!(origins, ["/first_name", "/last_name"]);
    assert!(
        v["effective"]["properties"]["first_name"].is_object(),
        "{v}"
    );
}

#[test]
fn trace_bad_field_and_system_are_input_errors() {
    let (code, _, err) = run(&["trace", "pipelines/customer-identity.yaml", "payrol:/login"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown system `payrol`") && err.contains("payroll"),
        "{err}"
    );
    let (code, _, err) = run(&["trace", "pipelines/customer-identity.yaml", "payroll:/logn"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a field of `payroll`"), "{err}");
    let (code, _, err) = run(&["trace", "pipelines/customer-identity.yaml"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn constraints_human_lists_each_entry_field() {
    let (code, out, err) = run(&["constraints", "pipelines/customer-identity.yaml"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("constraints_customer_identity", out);
}

#[test]
fn constraints_of_a_compatible_pipeline_are_clean() {
    let (code, out, err) = run(&["constraints", "pipelines/hr-onboarding.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn emit_schema_is_the_entry_schema_plus_one_branch() {
    let (code, out, err) = run(&[
        "constraints",
        "pipelines/customer-identity.yaml",
        "--emit-schema",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("schemas/web.customer.json").unwrap())
            .unwrap();
    assert_eq!(
        v["properties"], original["properties"],
        "the original is kept as is"
    );
    let branch = v["allOf"].as_array().unwrap().last().unwrap();
    assert_eq!(branch["properties"]["username"]["maxLength"], 20);
    assert_eq!(
        branch["properties"]["address"]["properties"]["street"]["maxLength"],
        70
    );
    assert!(
        branch["allOf"][0]["anyOf"].is_array(),
        "first + last name split: {branch}"
    );
}

#[test]
fn constraints_needs_an_entry_when_there_are_several() {
    let (code, _, err) = run(&[
        "constraints",
        "pipelines/customer-identity.yaml",
        "--entry",
        "crm",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not an entry system"), "{err}");
}
