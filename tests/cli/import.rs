//! `ripple import`: each source's fixture, located errors, `--table`, `--out`, `--update`.

use std::path::Path;

use ripple::schema::SystemSchema;

use super::{fixture, json, root, run};

fn import_sql(dialect: &str) -> serde_json::Value {
    let file = fixture(&format!("import/{dialect}.sql"));
    let (code, out, err) = run(&["import", "sql", &file, "--dialect", dialect]);
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    json(&out)
}

#[test]
fn oracle_fixture() {
    insta::assert_json_snapshot!("import_oracle", import_sql("oracle"));
}

#[test]
fn postgres_fixture() {
    insta::assert_json_snapshot!("import_postgres", import_sql("postgres"));
}

#[test]
fn mysql_fixture() {
    insta::assert_json_snapshot!("import_mysql", import_sql("mysql"));
}

#[test]
fn sqlserver_fixture() {
    insta::assert_json_snapshot!("import_sqlserver", import_sql("sqlserver"));
}

#[test]
fn the_dialect_is_guessed_when_left_out() {
    let (code, out, err) = run(&["import", "sql", &fixture("import/oracle.sql")]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out), import_sql("oracle"));
}

#[test]
fn length_semantics_char() {
    let (code, out, err) = run(&[
        "import",
        "sql",
        &fixture("import/oracle.sql"),
        "--table",
        "EMPLOYEES",
        "--length-semantics",
        "char",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["properties"]["street"]["maxLength"], 120);
    assert_eq!(v["properties"]["login"]["x-maxBytes"], 12);
}

/// Every imported schema loads with ripple's own loader, without warnings.
#[test]
fn imported_schemas_load_without_warnings() {
    let mut schemas = Vec::new();
    for dialect in ["oracle", "postgres", "mysql", "sqlserver"] {
        let all = import_sql(dialect);
        for (table, schema) in all.as_object().cloned().unwrap_or_default() {
            schemas.push((format!("{dialect}:{table}"), schema));
        }
    }
    for (args, name) in [
        (
            vec!["openapi", "import/openapi-3.0.yaml", "--schema", "Customer"],
            "openapi 3.0",
        ),
        (
            vec!["openapi", "import/openapi-3.1.json", "--schema", "Customer"],
            "openapi 3.1",
        ),
        (
            vec!["ldap", "import/openldap.schema", "--class", "bankPerson"],
            "openldap",
        ),
        (
            vec!["ldap", "import/ad-schema.ldif", "--class", "user"],
            "ad",
        ),
    ] {
        let file = fixture(args[1]);
        let (code, out, err) = run(&["import", args[0], &file, args[2], args[3]]);
        assert_eq!(code, 0, "{name}: {err}");
        schemas.push((name.to_owned(), json(&out)));
    }
    for (name, schema) in schemas {
        let loaded = SystemSchema::from_value(Path::new("imported.json"), schema)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            loaded.warnings().is_empty(),
            "{name}: {:?}",
            loaded.warnings()
        );
    }
}

#[test]
fn a_parse_error_is_located() {
    let (code, out, err) = run(&[
        "import",
        "sql",
        &fixture("import/bad.sql"),
        "--dialect",
        "oracle",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty());
    assert!(err.contains("tests/fixtures/import/bad.sql:7:3"), "{err}");
    assert!(
        err.contains("invalid SQL: expected ',' or ')' after column definition, found street"),
        "{err}"
    );
}

#[test]
fn an_unknown_table_is_an_input_error() {
    let (code, _, err) = run(&[
        "import",
        "sql",
        &fixture("import/postgres.sql"),
        "--table",
        "contact",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no table `contact`"), "{err}");
    assert!(err.contains("did you mean `contacts`?"), "{err}");
}

#[test]
fn table_picks_one_schema() {
    let (code, out, err) = run(&[
        "import",
        "sql",
        &fixture("import/mysql.sql"),
        "--table",
        "AUDIT_LOG",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["title"], "audit_log");
    assert_eq!(v["properties"]["message"]["x-charset"], "latin1");
}

#[test]
fn out_writes_one_file_per_table() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("schemas");
    let (code, out, err) = run(&[
        "import",
        "sql",
        &fixture("import/mysql.sql"),
        "--out",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("customer.json") && out.contains("audit_log.json"),
        "{out}"
    );
    let text = std::fs::read_to_string(out_dir.join("customer.json")).unwrap();
    let v = json(&text);
    assert_eq!(v, import_sql("mysql")["customer"]);
}

/// Copies the `--update` fixture (a pipeline and its schemas) to a temporary directory.
fn update_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = root().join("tests/fixtures/import/update");
    std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
    for file in [
        "pipeline.yaml",
        "schemas/web.json",
        "schemas/payroll.json",
        "schemas/ad.json",
    ] {
        std::fs::copy(from.join(file), dir.path().join(file)).unwrap();
    }
    dir
}

#[test]
fn update_keeps_annotations_and_prints_the_changes() {
    let dir = update_fixture();
    let pipeline = dir.path().join("pipeline.yaml").display().to_string();
    let (code, out, err) = run(&[
        "import",
        "sql",
        &fixture("import/oracle.sql"),
        "--table",
        "employees",
        "--update",
        &pipeline,
        "payroll",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("~ login: x-maxBytes 10 → 12"), "{out}");
    assert!(out.contains("+ street: added"), "{out}");
    assert!(out.contains("- retired: removed"), "{out}");
    let text = std::fs::read_to_string(dir.path().join("schemas/payroll.json")).unwrap();
    let v = json(&text);
    assert_eq!(v["title"], "Payroll (Oracle) employee row");
    assert_eq!(
        v["description"],
        "Hand-written before the DDL was imported."
    );
    let login = &v["properties"]["login"];
    assert_eq!(login["description"], "The payroll login");
    assert_eq!(login["examples"], serde_json::json!(["UMATTI"]));
    assert_eq!(login["x-maxBytes"], 12);
    let name = &v["properties"]["display_name"];
    assert_eq!(name["x-pii"], true);
    assert_eq!(name["$comment"], "shown on payslips");
    assert_eq!(name["x-maxBytes"], 80);
    assert!(v["properties"].get("retired").is_none());
    // The pipeline still loads with the new schema.
    let (code, _, err) = run(&["graph", &pipeline]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn update_needs_one_table_and_a_known_system() {
    let dir = update_fixture();
    let pipeline = dir.path().join("pipeline.yaml").display().to_string();
    let (code, _, err) = run(&[
        "import",
        "sql",
        &fixture("import/mysql.sql"),
        "--update",
        &pipeline,
        "payroll",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--update needs one table"), "{err}");
    let (code, _, err) = run(&[
        "import",
        "sql",
        &fixture("import/oracle.sql"),
        "--update",
        &pipeline,
        "payrol",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown system `payrol`"), "{err}");
    assert!(err.contains("did you mean `payroll`?"), "{err}");
}

#[test]
fn openapi_fixtures() {
    for (file, snapshot) in [
        ("import/openapi-3.0.yaml", "import_openapi_30"),
        ("import/openapi-3.1.json", "import_openapi_31"),
    ] {
        let (code, out, err) = run(&["import", "openapi", &fixture(file), "--schema", "Customer"]);
        assert_eq!(code, 0, "{err}");
        insta::assert_json_snapshot!(snapshot, json(&out));
    }
}

#[test]
fn openapi_unknown_schema_is_an_input_error() {
    let (code, _, err) = run(&[
        "import",
        "openapi",
        &fixture("import/openapi-3.0.yaml"),
        "--schema",
        "Adress",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no component schema `Adress`"), "{err}");
    assert!(err.contains("did you mean `Address`?"), "{err}");
}

#[test]
fn ldap_fixtures() {
    for (file, class, snapshot) in [
        ("import/openldap.schema", "bankPerson", "import_openldap"),
        ("import/ad-schema.ldif", "user", "import_ad"),
    ] {
        let (code, out, err) = run(&["import", "ldap", &fixture(file), "--class", class]);
        assert_eq!(code, 0, "{err}");
        insta::assert_json_snapshot!(snapshot, json(&out));
    }
}

#[test]
fn ldap_parse_error_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.schema");
    std::fs::write(
        &path,
        "attributetype ( 1.1 NAME 'x'\n    SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{5} $ )\n",
    )
    .unwrap();
    let (code, _, err) = run(&[
        "import",
        "ldap",
        &path.display().to_string(),
        "--class",
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.schema:2:45"), "{err}");
    assert!(err.contains("expected a keyword"), "{err}");
}

#[test]
fn update_from_ldap_and_openapi() {
    let dir = update_fixture();
    let pipeline = dir.path().join("pipeline.yaml").display().to_string();
    let (code, out, err) = run(&[
        "import",
        "ldap",
        &fixture("import/ad-schema.ldif"),
        "--class",
        "user",
        "--update",
        &pipeline,
        "ad",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    assert_eq!(report["system"], "ad");
    let changes = report["changes"].as_array().cloned().unwrap_or_default();
    assert!(
        changes.iter().any(|c| c["field"] == "sAMAccountName"
            && c["keyword"] == "maxLength"
            && c["before"] == 30
            && c["after"] == 20),
        "{out}"
    );
    let v = json(&std::fs::read_to_string(dir.path().join("schemas/ad.json")).unwrap());
    assert_eq!(v["title"], "Directory user");
    let sam = &v["properties"]["sAMAccountName"];
    assert_eq!(sam["maxLength"], 20);
    assert_eq!(sam["description"], "Pre-Windows 2000 logon name");
    assert_eq!(sam["x-owner"], "identity-team");
    assert_eq!(v["properties"]["displayName"]["x-pii"], true);
    assert_eq!(v["properties"]["displayName"]["maxLength"], 256);

    // Again: nothing left to change.
    let (code, out, err) = run(&[
        "import",
        "ldap",
        &fixture("import/ad-schema.ldif"),
        "--class",
        "user",
        "--update",
        &pipeline,
        "ad",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with(": no change\n"), "{out}");

    // An OpenAPI schema into the web system keeps its x-pii.
    let (code, out, err) = run(&[
        "import",
        "openapi",
        &fixture("import/openapi-3.1.json"),
        "--schema",
        "Customer",
        "--update",
        &pipeline,
        "web",
    ]);
    assert_eq!(
        code, 2,
        "the web system's flows read `name`, which the API lacks: {out}"
    );
    assert!(err.contains("is left as it was"), "{err}");
    let web = std::fs::read_to_string(dir.path().join("schemas/web.json")).unwrap();
    let original =
        std::fs::read_to_string(root().join("tests/fixtures/import/update/schemas/web.json"))
            .unwrap();
    assert_eq!(web, original);
}
