//! Drift in `ripple check` (R401–R404): declared schemas compared with the DDL file or
//! live PostgreSQL table named under a system's `source:`.

use std::path::Path;

use ripple::schema::SystemSchema;
use serde_json::Value;

use super::{json, pg, ripple, root, run};

/// The findings of `ripple check --format json` on `path`, with the exit code.
fn check(path: &Path) -> (i32, Vec<Value>) {
    let (code, out, err) = run(&["check", path.to_str().unwrap(), "--format", "json"]);
    assert!(code == 0 || code == 1 || code == 2, "{err}");
    let v = json(&out);
    (code, v["findings"].as_array().cloned().unwrap_or_default())
}

fn drift(findings: &[Value]) -> Vec<&Value> {
    findings
        .iter()
        .filter(|f| f["code"].as_str().is_some_and(|c| c.starts_with("R4")))
        .collect()
}

/// The example pipeline, its schemas and its DDL in a temporary copy of the repository
/// layout (`pipelines/`, `pipelines/ddl/`, `schemas/`).
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["schemas", "pipelines/ddl"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(root().join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(sub).join(entry.file_name())).unwrap();
        }
    }
    std::fs::create_dir_all(dir.path().join("pipelines")).unwrap();
    std::fs::copy(
        root().join("pipelines/customer-identity.yaml"),
        dir.path().join("pipelines/customer-identity.yaml"),
    )
    .unwrap();
    dir
}

#[test]
fn the_example_pipelines_have_no_drift() {
    let (_, findings) = check(&root().join("pipelines"));
    assert!(drift(&findings).is_empty(), "{:#?}", drift(&findings));
}

#[test]
fn a_shortened_column_is_found_with_a_witness_that_replays() {
    let dir = example_copy();
    let ddl = dir.path().join("pipelines/ddl/payroll.sql");
    let text = std::fs::read_to_string(&ddl).unwrap();
    std::fs::write(&ddl, text.replace("VARCHAR2(12 BYTE)", "VARCHAR2(10 BYTE)")).unwrap();
    let (code, findings) = check(&dir.path().join("pipelines/customer-identity.yaml"));
    assert_eq!(code, 1);
    let found = drift(&findings);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f["code"], "R401");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["system"], "payroll");
    assert_eq!(f["field"], "/login");
    assert_eq!(f["keyword"], "x-maxBytes");
    assert_eq!(f["limit"], 10);
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("`login`") && message.contains("LOGIN VARCHAR2(10 BYTE)"),
        "{message}"
    );
    // The witness replays: the declared schema takes it, the source's schema does not.
    let value = f["value"].clone();
    let record = serde_json::json!({ "login": value });
    let declared = SystemSchema::load(&dir.path().join("schemas/payroll.employee.json")).unwrap();
    assert!(
        !declared
            .validate(&record)
            .iter()
            .any(|v| v.pointer == "/login")
    );
    let imported =
        ripple::import::import_sql_table(&ddl, ripple::import::Dialect::Oracle, "EMPLOYEES")
            .unwrap();
    let imported = SystemSchema::from_value(&ddl, imported).unwrap();
    assert!(
        imported
            .validate(&record)
            .iter()
            .any(|v| v.pointer == "/login")
    );
}

#[test]
fn a_missing_column_and_a_tighter_declaration() {
    let dir = example_copy();
    let ddl = dir.path().join("pipelines/ddl/payroll.sql");
    let text = std::fs::read_to_string(&ddl).unwrap();
    let text = text
        .replace("    STREET        VARCHAR2(120 BYTE)  NOT NULL,\n", "")
        .replace("VARCHAR2(60 BYTE)", "VARCHAR2(80 BYTE)");
    std::fs::write(&ddl, text).unwrap();
    let (code, findings) = check(&dir.path().join("pipelines/customer-identity.yaml"));
    assert_eq!(code, 1);
    let found = drift(&findings);
    let missing = found.iter().find(|f| f["code"] == "R403").unwrap();
    assert_eq!(missing["field"], "/street");
    assert_eq!(missing["severity"], "error");
    let tighter = found.iter().find(|f| f["code"] == "R402").unwrap();
    assert_eq!(tighter["field"], "/display_name");
    assert_eq!(tighter["severity"], "note");
}

#[test]
fn an_unreadable_source_makes_the_check_incomplete() {
    let dir = example_copy();
    std::fs::remove_file(dir.path().join("pipelines/ddl/emboss.sql")).unwrap();
    let (code, findings) = check(&dir.path().join("pipelines/customer-identity.yaml"));
    assert_eq!(code, 2);
    let found = drift(&findings);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["code"], "R404");
    assert_eq!(found[0]["system"], "emboss");
}

/// A two-system pipeline whose `crm` names a live PostgreSQL table as its source.
fn live_pipeline(dir: &Path) -> std::path::PathBuf {
    std::fs::write(
        dir.join("web.json"),
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {"username": {"type": "string", "maxLength": 30}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("crm.json"),
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "properties": {"username": {"type": "string", "maxLength": 80}}}"#,
    )
    .unwrap();
    let pipeline = dir.join("live.yaml");
    std::fs::write(
        &pipeline,
        "version: 1\nname: live\nsystems:\n  web: { name: Web, schema: web.json, entry: true }\n  \
         crm:\n    name: CRM\n    schema: crm.json\n    source: { postgres: { url_env: RIPPLE_TEST_CRM_URL }, table: contact, schema: public, columns: { username: user_name } }\n\
         flows:\n  - from: web\n    to: crm\n    map: { username: username }\n",
    )
    .unwrap();
    pipeline
}

#[test]
fn live_postgres_drift() {
    let Some(server) = pg::start() else { return };
    server.execute(
        "postgres",
        "CREATE TABLE contact (id serial PRIMARY KEY, user_name varchar(40) NOT NULL);",
    );
    let dir = tempfile::tempdir().unwrap();
    let pipeline = live_pipeline(dir.path());
    let url = format!(
        "postgres://{}:NotShown99@127.0.0.1:{}/postgres",
        pg::USER,
        server.port
    );
    let out = ripple()
        .args(["check", pipeline.to_str().unwrap(), "--format", "json"])
        .env("RIPPLE_TEST_CRM_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let v = json(&stdout);
    let findings = v["findings"].as_array().unwrap();
    let f = findings.iter().find(|f| f["code"] == "R401").unwrap();
    assert_eq!(f["field"], "/username");
    assert_eq!(f["keyword"], "maxLength");
    assert_eq!(f["limit"], 40);
    let n = f["value"].as_str().unwrap().chars().count();
    assert!(n > 40 && n <= 80, "{n}");

    // The table gone: incomplete, exit 2, and the URL's password nowhere.
    server.execute("postgres", "DROP TABLE contact;");
    let out = ripple()
        .args(["check", pipeline.to_str().unwrap()])
        .env("RIPPLE_TEST_CRM_URL", &url)
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("R404"), "{all}");
    assert!(!all.contains("NotShown99"), "{all}");
    // Unset variable: incomplete too.
    let out = ripple()
        .args(["check", pipeline.to_str().unwrap()])
        .env_remove("RIPPLE_TEST_CRM_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn enums_and_numbers_drift_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("orders.sql"),
        "CREATE TYPE order_kind AS ENUM ('web', 'shop');\n\
         CREATE TABLE orders (status varchar(10) NOT NULL CHECK (status IN ('new', 'paid')),\n\
           amount numeric(6,2) NOT NULL, kind order_kind NOT NULL, qty integer NOT NULL CHECK (qty BETWEEN 1 AND 99));\n",
    )
    .unwrap();
    std::fs::write(
        d.join("entry.json"),
        r#"{"type": "object", "properties": {"s": {"type": "string"}, "a": {"type": "number"}, "k": {"type": "string"}, "q": {"type": "integer"}}}"#,
    )
    .unwrap();
    std::fs::write(
        d.join("orders.json"),
        r#"{"type": "object", "properties": {
            "status": {"type": "string", "enum": ["new", "paid", "void"]},
            "amount": {"type": "number", "minimum": -9999.99, "maximum": 99999.99, "multipleOf": 0.01},
            "kind": {"type": "string", "enum": ["web"]},
            "qty": {"type": "integer", "minimum": 1, "maximum": 99}}}"#,
    )
    .unwrap();
    let pipeline = d.join("p.yaml");
    std::fs::write(
        &pipeline,
        "version: 1\nname: p\nsystems:\n  entry: { name: E, schema: entry.json, entry: true }\n  \
         orders:\n    name: O\n    schema: orders.json\n    source: { ddl: orders.sql, table: orders }\n\
         flows:\n  - from: entry\n    to: orders\n    map: { status: s, amount: a, kind: k, qty: q }\n",
    )
    .unwrap();
    let (_, findings) = check(&pipeline);
    let found = drift(&findings);
    let by_field = |field: &str| {
        found
            .iter()
            .find(|f| f["field"] == field)
            .copied()
            .unwrap_or_else(|| panic!("no drift at {field}: {found:#?}"))
    };
    let status = by_field("/status");
    assert_eq!(status["code"], "R401");
    assert_eq!(status["value"], "void");
    let amount = by_field("/amount");
    assert_eq!(amount["code"], "R401", "{amount}");
    assert_eq!(amount["keyword"], "maximum");
    let kind = by_field("/kind");
    assert_eq!(kind["code"], "R402");
    assert_eq!(kind["value"], "shop");
    assert!(found.iter().all(|f| f["field"] != "/qty"), "{found:#?}");
}

/// A pipeline `entry → target` in `dir`, the target declaring `field` with `declared`
/// and naming `source`.
fn one_flow(dir: &Path, field: &str, declared: &str, source: &str) -> std::path::PathBuf {
    std::fs::write(
        dir.join("entry.json"),
        r#"{"type": "object", "properties": {"v": {"type": "string"}}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("target.json"),
        format!(r#"{{"type": "object", "properties": {{"{field}": {declared}}}}}"#),
    )
    .unwrap();
    let pipeline = dir.join("p.yaml");
    std::fs::write(
        &pipeline,
        format!(
            "version: 1\nname: p\nsystems:\n  entry: {{ name: E, schema: entry.json, entry: true }}\n  \
             target:\n    name: T\n    schema: target.json\n    source: {source}\n\
             flows:\n  - from: entry\n    to: target\n    map: {{ {field}: v }}\n"
        ),
    )
    .unwrap();
    pipeline
}

#[test]
fn openapi_and_ldap_sources() {
    let fixtures = root().join("tests/fixtures/import");
    let dir = tempfile::tempdir().unwrap();
    let source = format!(
        "{{ openapi: {}, schema: Customer }}",
        fixtures.join("openapi-3.0.yaml").display()
    );
    let p = one_flow(
        dir.path(),
        "name",
        r#"{"type": "string", "minLength": 1, "maxLength": 100}"#,
        &source,
    );
    let (_, findings) = check(&p);
    let found = drift(&findings);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["code"], "R401");
    assert_eq!(found[0]["limit"], 80);

    let dir = tempfile::tempdir().unwrap();
    let source = format!(
        "{{ ldap: {}, class: user, columns: {{ login: sAMAccountName }} }}",
        fixtures.join("ad-schema.ldif").display()
    );
    let p = one_flow(
        dir.path(),
        "login",
        r#"{"type": "string", "maxLength": 20}"#,
        &source,
    );
    let (_, findings) = check(&p);
    assert!(drift(&findings).is_empty(), "{findings:#?}");
    // Without the column map, `login` is no attribute of `user`.
    let source = format!(
        "{{ ldap: {}, class: user }}",
        fixtures.join("ad-schema.ldif").display()
    );
    let p = one_flow(
        dir.path(),
        "login",
        r#"{"type": "string", "maxLength": 20}"#,
        &source,
    );
    let (code, findings) = check(&p);
    assert_eq!(code, 1);
    assert_eq!(drift(&findings)[0]["code"], "R403");
}

#[test]
fn a_malformed_source_is_a_pipeline_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = one_flow(dir.path(), "x", r#"{"type": "string"}"#, "{ ddl: t.sql }");
    let (code, out, err) = run(&["check", p.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("R102"), "{out}");
}
