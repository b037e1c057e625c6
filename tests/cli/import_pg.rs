//! `ripple import postgres` against a real server (see [`super::pg`]): the live import of
//! a table gives the properties the DDL import of its DDL gives, enums and CHECKs
//! included; the database encoding marks text columns; passwords never show.

use serde_json::Value;

use super::{fixture, json, pg, ripple, run};

/// The properties of a schema without the `x-source` annotations (the DDL's type text
/// and the catalogue's differ in spelling only).
fn properties(schema: &Value) -> Value {
    let mut props = schema["properties"].clone();
    if let Value::Object(map) = &mut props {
        for p in map.values_mut() {
            if let Value::Object(p) = p {
                p.remove("x-source");
            }
        }
    }
    props
}

#[test]
fn live_import_matches_the_ddl_import() {
    let Some(server) = pg::start() else { return };
    let ddl = std::fs::read_to_string(super::root().join(fixture("import/postgres.sql"))).unwrap();
    server.execute("postgres", &format!("CREATE SCHEMA crm;\n{ddl}"));
    let (code, out, err) = run(&[
        "import",
        "postgres",
        &server.url("postgres"),
        "--schema",
        "crm",
        "--table",
        "contacts",
    ]);
    assert_eq!(code, 0, "{err}");
    let live = json(&out);
    let (code, out, err) = run(&[
        "import",
        "sql",
        &fixture("import/postgres.sql"),
        "--dialect",
        "postgres",
        "--table",
        "contacts",
    ]);
    assert_eq!(code, 0, "{err}");
    let from_ddl = json(&out);
    assert_eq!(properties(&live), properties(&from_ddl));
    assert_eq!(live["required"], from_ddl["required"]);
    assert_eq!(
        live["properties"]["kind"]["enum"],
        serde_json::json!(["person", "company"])
    );
    assert_eq!(live["properties"]["FullName"]["minLength"], 2);
    assert!(
        live["x-source"]
            .as_str()
            .unwrap()
            .contains("server_encoding UTF8")
    );

    // The table named in upper case, found on the search path, the URL from a variable.
    server.execute("postgres", "CREATE TABLE note (body varchar(12) NOT NULL);");
    let out = ripple()
        .args([
            "import",
            "postgres",
            "--url-env",
            "PG_TEST_URL",
            "--table",
            "NOTE",
        ])
        .env("PG_TEST_URL", server.url("postgres"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let note = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(note["properties"]["body"]["maxLength"], 12);
}

#[test]
fn encodings_and_errors() {
    let Some(server) = pg::start() else { return };
    server.execute(
        "postgres",
        "CREATE DATABASE latin WITH ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;",
    );
    server.execute(
        "latin",
        "CREATE TABLE customer (city varchar(35) NOT NULL, zip char(5));",
    );
    let (code, out, err) = run(&[
        "import",
        "postgres",
        &server.url("latin"),
        "--table",
        "customer",
    ]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    assert_eq!(v["properties"]["city"]["x-charset"], "latin1");
    assert_eq!(v["properties"]["city"]["maxLength"], 35);
    // SQL_ASCII stores the client's bytes and counts lengths in them; WIN1252 is Latin-1.
    for (db, encoding) in [("bytes", "SQL_ASCII"), ("win", "WIN1252")] {
        server.execute(
            "postgres",
            &format!("CREATE DATABASE {db} WITH ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;"),
        );
        server.execute(db, "CREATE TABLE customer (city varchar(35) NOT NULL);");
        let (code, out, err) = run(&["import", "postgres", &server.url(db), "--table", "customer"]);
        assert_eq!(code, 0, "{err}");
        let city = json(&out)["properties"]["city"].clone();
        if encoding == "SQL_ASCII" {
            assert_eq!(city["x-maxBytes"], 35, "{city}");
            assert!(city.get("maxLength").is_none(), "{city}");
        } else {
            assert_eq!(city["x-charset"], "latin1", "{city}");
        }
    }

    // A password in the URL never shows: not for a missing database, not for a server
    // that does not answer, not for a missing table.
    let secret = "TopSecret42";
    let urls = [
        format!(
            "postgres://{}:{secret}@127.0.0.1:{}/nosuchdb",
            pg::USER,
            server.port
        ),
        format!("postgres://{}:{secret}@127.0.0.1:1/x", pg::USER),
        format!(
            "postgres://{}:{secret}@127.0.0.1:{}/latin",
            pg::USER,
            server.port
        ),
    ];
    for url in &urls {
        let (code, out, err) = run(&["import", "postgres", url, "--table", "nosuchtable"]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(!err.contains(secret) && !out.contains(secret), "{err}");
        assert!(err.contains("127.0.0.1"), "{err}");
        let (_, out, err) = run(&[
            "import",
            "postgres",
            url,
            "--table",
            "nosuchtable",
            "--format",
            "json",
        ]);
        assert!(!err.contains(secret) && !out.contains(secret), "{err}");
    }
}
