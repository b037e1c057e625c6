//! `x-encoding` (README, "System schemas"): `x-maxBytes` counts bytes in the encoding a
//! system stores, and a character it cannot encode is a violation — in `validate`, and in
//! `check`, which never proves such a limit and finds witnesses that replay.

use serde_json::Value;

use super::{fixture, json, run};

fn pipeline() -> String {
    fixture("encoding/pipelines/erp.yaml")
}

fn validate(field: &str, value: &str) -> (i32, Value) {
    let (code, out, _) = run(&[
        "validate",
        &pipeline(),
        "--set-str",
        &format!("{field}={value}"),
        "--format",
        "json",
    ]);
    (code, json(&out))
}

#[test]
fn utf16_byte_limits_count_code_units() {
    assert_eq!(
        validate("name", "abcdefgh").0,
        0,
        "8 characters are 16 bytes"
    );
    let (code, v) = validate("name", "abcdefghi");
    assert_eq!(code, 1);
    assert_eq!(v["violations"][0]["keyword"], "x-maxBytes");
    assert_eq!(
        v["violations"][0]["message"],
        "\"abcdefghi\" is 18 bytes in UTF-16, more than 16 (x-maxBytes)"
    );
    // Five emoji are five characters, ten UTF-16 code units.
    assert_eq!(validate("name", "😀😀😀😀😀").0, 1);
    assert_eq!(validate("name", "ÄÖÜäöüßé").0, 0, "2 bytes each in UTF-16");
}

#[test]
fn characters_an_encoding_cannot_store_are_rejected() {
    assert_eq!(validate("city", "€ Köln").0, 0, "Windows-1252 has € and ö");
    let (code, v) = validate("city", "Łódź");
    assert_eq!(code, 1);
    let x = &v["violations"][0];
    assert_eq!(x["keyword"], "x-encoding");
    assert_eq!(
        x["message"],
        "\"Łódź\" has a character that cp1252 cannot store (x-encoding): `Ł` (U+0141)"
    );
}

#[test]
fn check_finds_witnesses_for_encoded_limits_and_they_replay() {
    let (code, out, _) = run(&["check", &pipeline(), "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    for (field, keyword) in [("/name", "x-maxBytes"), ("/city", "x-encoding")] {
        let f = findings
            .iter()
            .find(|f| f["field"] == field && f["keyword"] == keyword)
            .unwrap_or_else(|| panic!("no {keyword} finding at {field}: {out}"));
        assert_eq!(f["code"], "R301");
        let dir = std::env::temp_dir().join(format!(
            "ripple-encoding-{}-{}",
            std::process::id(),
            &field[1..]
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("witness.json");
        std::fs::write(&file, f["replay"].to_string()).unwrap();
        let (code, out, _) = run(&[
            "validate",
            &pipeline(),
            file.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(code, 1, "the witness replays: {out}");
        assert!(
            json(&out)["violations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["field"] == field && v["keyword"] == keyword),
            "{out}"
        );
    }
}

#[test]
fn constraints_never_read_an_encoded_byte_limit_as_utf8() {
    let (_, out, _) = run(&["constraints", &pipeline(), "--format", "json"]);
    let fields = json(&out)["fields"].as_array().unwrap().clone();
    let name = fields.iter().find(|f| f["field"] == "/name").unwrap();
    assert!(
        name["effective"].get("x-maxBytes").is_none(),
        "16 UTF-16 bytes are not 16 UTF-8 bytes: {out}"
    );
    assert!(
        name["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("x-encoding")),
        "{out}"
    );
}
