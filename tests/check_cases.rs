//! The checker's verdict on two-system cases (`tests/cases/two_system.json`): every keyword
//! and every function, compatible and incompatible. Every witness must reproduce with the
//! real validator, and a proven-compatible case must accept random upstream values.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use proptest::prelude::*;
use ripple::change::ChangeRequest;
use ripple::check::{self, CheckReport, Code};
use ripple::graph::SystemGraph;
use ripple::pipeline::{self, Pipeline};
use ripple::validate;
use serde_json::{Value, json};

/// Writes a two-system pipeline (`up` → `down`, one mapping `w: expr`) and loads it.
fn two_systems(dir: &Path, upstream: &Value, expr: &str, downstream: &Value) -> Pipeline {
    two_systems_with(dir, upstream, expr, downstream, &Value::Null)
}

/// [`two_systems`] with more keywords on the downstream record's root schema (an
/// object-level `anyOf`, `if`, `dependentSchemas` …).
fn two_systems_with(
    dir: &Path,
    upstream: &Value,
    expr: &str,
    downstream: &Value,
    downstream_root: &Value,
) -> Pipeline {
    let up = json!({"type": "object", "properties": upstream});
    let mut down = json!({"type": "object", "properties": {"w": downstream}});
    if let (Some(root), Some(extra)) = (down.as_object_mut(), downstream_root.as_object()) {
        root.extend(extra.clone());
    }
    std::fs::write(dir.join("up.json"), up.to_string()).unwrap();
    std::fs::write(dir.join("down.json"), down.to_string()).unwrap();
    let yaml = format!(
        "version: 1\nname: case\nsystems:\n  up: {{ name: Up, schema: up.json, entry: true }}\n  down: {{ name: Down, schema: down.json }}\nflows:\n  - from: up\n    to: down\n    map:\n      w: {}\n",
        serde_json::to_string(expr).unwrap()
    );
    let path = dir.join("p.yaml");
    std::fs::write(&path, yaml).unwrap();
    pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn verdict(report: &CheckReport) -> &'static str {
    match report.findings.iter().find(|f| f.field() == Some("/w")) {
        None => "compatible",
        Some(f) if f.code() == Code::Incompatible => "incompatible",
        Some(f) if f.code() == Code::Undecided => "undecided",
        Some(_) => "other",
    }
}

/// Runs the witness through `validate`: the entry accepts it and `down` rejects `/w`.
fn reproduces(p: &Pipeline, witness: &Value) -> bool {
    let change = ChangeRequest {
        record: witness.clone(),
        ..ChangeRequest::default()
    };
    let report = validate::validate(p, &SystemGraph::new(p), &change).unwrap();
    let up_ok = report
        .violations
        .iter()
        .all(|v| p.systems[v.system].id != "up");
    // At the field, or by an applicator on the record above it (an object-level `anyOf`
    // reports at the root).
    up_ok
        && report
            .violations
            .iter()
            .any(|v| p.systems[v.system].id == "down" && (v.field == "/w" || v.field.is_empty()))
}

#[test]
fn table_of_two_system_cases() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/two_system.json"),
    )
    .unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 40);
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let p = two_systems_with(
            dir.path(),
            &case["upstream"],
            case["expr"].as_str().unwrap(),
            &case["downstream"],
            &case["downstream_root"],
        );
        let mut report = CheckReport::default();
        check::check_pipeline(&p, &mut report);
        let got = verdict(&report);
        let want = case["verdict"].as_str().unwrap();
        if got != want {
            failures.push(format!(
                "{}: expected {want}, got {got}: {:?}",
                case["name"],
                report
                    .findings
                    .iter()
                    .map(|f| f.message())
                    .collect::<Vec<_>>()
            ));
        }
        for f in report
            .findings
            .iter()
            .filter(|f| f.code() == Code::Incompatible)
        {
            let w = f.witness().unwrap();
            if !reproduces(&p, w) {
                failures.push(format!("{}: witness {w} does not reproduce", case["name"]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn constraint() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(0u64..12),
        proptest::option::of(0u64..24),
        proptest::option::of(prop_oneof![Just("ascii"), Just("latin1"), Just("utf8mb3")]),
        proptest::option::of(prop_oneof![
            Just("^[a-z]*$"),
            Just("^[A-Za-z0-9 ]*$"),
            Just("^[0-9]{1,4}$"),
            Just("^[A-Z .'-]*$")
        ]),
        proptest::option::of(0u64..3),
    )
        .prop_map(|(max, bytes, charset, pattern, min)| {
            let mut s = json!({"type": "string"});
            if let Some(m) = max {
                s["maxLength"] = json!(m);
            }
            if let Some(b) = bytes {
                s["x-maxBytes"] = json!(b);
            }
            if let Some(c) = charset {
                s["x-charset"] = json!(c);
            }
            if let Some(p) = pattern {
                s["pattern"] = json!(p);
            }
            if let Some(m) = min {
                s["minLength"] = json!(m);
            }
            s
        })
}

fn expression() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("v"),
        Just("upper(v)"),
        Just("lower(v)"),
        Just("ascii(v)"),
        Just("trim(v)"),
        Just("truncate(v, 4)"),
        Just("concat(\"u\", v)"),
        Just("digits(v)"),
        Just("pad_left(v, 4, \"0\")"),
        Just("replace(v, \"a\", \"ää\")"),
        Just("upper(ascii(v))"),
        Just("part(v, \" \", -1)"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every reported witness reproduces; a field proven compatible accepts every sampled
    /// upstream value.
    #[test]
    fn witnesses_reproduce_and_proofs_hold(
        up in constraint(),
        down in constraint(),
        expr in expression(),
        samples in proptest::collection::vec("[a-zA-Z0-9 äöÄßé😀._-]{0,14}", 24),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let p = two_systems(dir.path(), &json!({"v": up}), expr, &down);
        let mut report = CheckReport::default();
        check::check_pipeline(&p, &mut report);
        for f in report.findings.iter().filter(|f| f.code() == Code::Incompatible) {
            prop_assert!(reproduces(&p, f.witness().unwrap()), "witness {:?} for {expr}", f.witness());
        }
        if verdict(&report) == "compatible" {
            let up_schema = &p.systems[0].schema;
            for s in samples {
                let record = json!({"v": s});
                if up_schema.is_valid(&record) {
                    prop_assert!(!reproduces(&p, &record), "proven compatible, but {record} is rejected ({expr})");
                }
            }
        }
    }
}

/// A flow that only closes a cycle (`s2 → s1` after `s0 → s1 → s2`) writes a field that
/// `validate` never checks at `s1` (a path never visits a system twice): its limit is no
/// finding, where it used to be an R302 "no counterexample found" that no record could
/// ever settle. What the flow writes back is the echo search's (R205) business.
#[test]
fn a_flow_that_only_closes_a_cycle_is_not_undecided() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let obj = |props: Value| json!({"type": "object", "properties": props}).to_string();
    std::fs::write(
        d.join("s0.json"),
        obj(json!({"street": {"type": "string"}})),
    )
    .unwrap();
    std::fs::write(
        d.join("s1.json"),
        obj(json!({"m": {"type": "string"}, "back": {"maxLength": 3}})),
    )
    .unwrap();
    std::fs::write(d.join("s2.json"), obj(json!({"t": {}}))).unwrap();
    let yaml = "version: 1\nname: cycle\nsystems:\n  s0: { name: S0, schema: s0.json, entry: true }\n  s1: { name: S1, schema: s1.json }\n  s2: { name: S2, schema: s2.json }\nflows:\n  - { from: s0, to: s1, map: { m: street } }\n  - { from: s1, to: s2, map: { t: m } }\n  - { from: s2, to: s1, map: { back: t } }\n";
    std::fs::write(d.join("p.yaml"), yaml).unwrap();
    let p = pipeline::load(&d.join("p.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut report = CheckReport::default();
    check::check_pipeline(&p, &mut report);
    let about_back: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.field() == Some("/back"))
        .map(|f| f.message().to_string())
        .collect();
    assert!(about_back.is_empty(), "{about_back:?}");
    // And `validate` agrees: a street far longer than 3 characters is accepted everywhere.
    let change = ChangeRequest {
        record: json!({"street": "a long street name"}),
        ..ChangeRequest::default()
    };
    let got = validate::validate(&p, &SystemGraph::new(&p), &change).unwrap();
    assert!(got.violations.is_empty(), "{:?}", got.violations);
}

/// One flow of [`chain`]: from, to, and its `field: expression` lines.
type Flow<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// Writes a pipeline of `systems` (id → the properties of its record; the first is the
/// entry; a `"$root"` property adds keywords to the record's schema) and `flows` (from,
/// to, `field: expression` lines), and loads it.
fn chain(dir: &Path, systems: &[(&str, Value)], flows: &[Flow<'_>]) -> Pipeline {
    let mut yaml = String::from("version: 1\nname: chain\nsystems:\n");
    for (i, (id, props)) in systems.iter().enumerate() {
        let mut props = props.clone();
        let root = props.as_object_mut().and_then(|p| p.remove("$root"));
        let mut schema = json!({"type": "object", "properties": props});
        if let (Some(s), Some(Value::Object(extra))) = (schema.as_object_mut(), root) {
            s.extend(extra);
        }
        std::fs::write(dir.join(format!("{id}.json")), schema.to_string()).unwrap();
        let entry = if i == 0 { ", entry: true" } else { "" };
        yaml += &format!("  {id}: {{ name: {id}, schema: {id}.json{entry} }}\n");
    }
    yaml += "flows:\n";
    for (from, to, map) in flows {
        yaml += &format!("  - from: {from}\n    to: {to}\n    map:\n");
        for (field, expr) in *map {
            yaml += &format!("      {field}: {}\n", serde_json::to_string(expr).unwrap());
        }
    }
    let path = dir.join("p.yaml");
    std::fs::write(&path, yaml).unwrap();
    pipeline::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// The findings about `field` at `system`, as (code, witness record).
fn findings_at(p: &Pipeline, system: &str, field: &str) -> Vec<(Code, Option<Value>)> {
    let mut report = CheckReport::default();
    check::check_pipeline(p, &mut report);
    report
        .findings
        .iter()
        .filter(|f| f.field() == Some(field) && f.system() == Some(system))
        .map(|f| (f.code(), f.witness().cloned()))
        .collect()
}

/// What `validate` says about a change of `record`.
fn validated(p: &Pipeline, record: Value) -> validate::Report {
    let change = ChangeRequest {
        record,
        ..ChangeRequest::default()
    };
    validate::validate(p, &SystemGraph::new(p), &change).unwrap()
}

/// Whether `validate` accepts `record` at the entry and every system before `system`, and
/// rejects it at `system`.
fn rejected_first_at(p: &Pipeline, record: &Value, system: &str) -> bool {
    let report = validated(p, record.clone());
    let rejecting: Vec<&str> = report
        .violations
        .iter()
        .map(|v| p.systems[v.system].id.as_str())
        .collect();
    rejecting.first() == Some(&system) && rejecting.iter().all(|s| *s == system)
}

/// A field read inside an object copied whole (`m: addr`, then `number(m.city)`) varies
/// on its own in the witness search. The whole object's candidates used to be strings
/// first, which left no room to set `addr.city`: no record could be built, and a `city`
/// that may be `true` (neither branch of its `anyOf` limits a boolean), which `number()`
/// cannot convert, ended as R302.
#[test]
fn a_field_inside_a_whole_object_copy_gets_a_witness() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "s0",
                json!({"addr": {"type": "object", "properties": {
                    "street": {"type": "string"},
                    "city": {"anyOf": [{"pattern": "^[0-9]+$"}, {"type": "integer"}]}
                }}}),
            ),
            (
                "s1",
                json!({"m": {"type": "object", "properties": {"street": {}, "city": {}}}}),
            ),
            ("s2", json!({"t": {}, "u": {}})),
        ],
        &[
            ("s0", "s1", &[("m", "addr")]),
            // `u`'s literals make longer candidate lists, which put a string for `addr`
            // beside every candidate of `addr.city`.
            (
                "s1",
                "s2",
                &[
                    ("t", "number(m.city)"),
                    ("u", "replace(m.street, \"-\", \"--\")"),
                ],
            ),
        ],
    );
    let got = findings_at(&p, "s2", "/t");
    assert!(
        matches!(got.as_slice(), [(Code::Incompatible, Some(_))]),
        "{got:?}"
    );
    assert!(rejected_first_at(&p, got[0].1.as_ref().unwrap(), "s2"));
}

/// An object-level rule that relates two fields (`anyOf [t0_1 empty, t0_0 ≤ 4]`) fails
/// when both are long: the other field is tried at its longest candidate, not at the
/// pattern's short example that comes first in its list.
#[test]
fn a_companion_field_is_tried_at_its_longest() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "s0",
                json!({"b": {"type": "string", "pattern": "^[0-9]{1,6}$"}, "c": {"type": "integer"}}),
            ),
            (
                "s1",
                json!({"t0_0": {"type": "string"}, "t0_1": {"type": "string"}, "$root": {"anyOf": [
                    {"properties": {"t0_1": {"maxLength": 0}}},
                    {"properties": {"t0_0": {"maxLength": 4}}}
                ]}}),
            ),
        ],
        &[(
            "s0",
            "s1",
            &[
                ("t0_0", "lower(concat(b, \"u\"))"),
                ("t0_1", "replace(c, \"-\", \"--\")"),
            ],
        )],
    );
    let got = findings_at(&p, "s1", "/t0_1");
    assert!(
        matches!(got.as_slice(), [(Code::Incompatible, Some(_)), ..]),
        "{got:?}"
    );
    for (_, w) in &got {
        assert!(rejected_first_at(&p, w.as_ref().unwrap(), "s1"), "{w:?}");
    }
}

/// A text function of a `["string", "integer"]` field cannot fail: only an array or an
/// object can make it fail, and the field's `type` allows neither. And past a system
/// that accepted the record, no mapping into it failed (`validate` reports a failing
/// mapping as its target rejecting): `string(n)` of `n = number(street)` is proven at
/// `s2` though `number(street)` may fail at `s1`. Both were R302 ("mapping … not proven").
#[test]
fn scalar_unions_and_accepted_failures_do_not_make_a_mapping_fail() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "s0",
                json!({"a": {"type": ["string", "integer"]}, "street": {"type": "string"}}),
            ),
            ("s1", json!({"u": {}, "n": {}})),
            ("s2", json!({"t": {"type": "string"}})),
        ],
        &[
            ("s0", "s1", &[("u", "upper(a)"), ("n", "number(street)")]),
            ("s1", "s2", &[("t", "string(n)")]),
        ],
    );
    assert_eq!(findings_at(&p, "s1", "/u"), vec![]);
    assert_eq!(findings_at(&p, "s2", "/t"), vec![]);
    let n = findings_at(&p, "s1", "/n");
    assert!(
        matches!(n.as_slice(), [(Code::Incompatible, Some(_))]),
        "{n:?}"
    );
    for record in [json!({"a": 5}), json!({"a": "x", "street": "12"})] {
        let report = validated(&p, record);
        assert!(report.violations.is_empty(), "{:?}", report.violations);
    }
}

/// A byte limit in another encoding than UTF-8 is proven from the characters: 1 byte each
/// in latin1 and cp1252, 2 in UTF-16 within the Basic Multilingual Plane. Before, it was
/// never proven (R302 "x-maxBytes … not proven").
#[test]
fn byte_limits_in_other_encodings_are_proven() {
    let dir = tempfile::tempdir().unwrap();
    let digits = json!({"a": {"type": "string", "pattern": "^[0-9]{1,3}$"}});
    for (down, want) in [
        (json!({"x-maxBytes": 3, "x-encoding": "cp1252"}), None),
        (json!({"x-maxBytes": 3, "x-encoding": "latin1"}), None),
        (json!({"x-maxBytes": 6, "x-encoding": "utf-16"}), None),
        (json!({"x-encoding": "cp1252"}), None),
        (
            json!({"x-maxBytes": 5, "x-encoding": "utf-16"}),
            Some(Code::Incompatible),
        ),
        (
            json!({"x-maxBytes": 2, "x-encoding": "cp1252"}),
            Some(Code::Incompatible),
        ),
    ] {
        let p = chain(
            dir.path(),
            &[("s0", digits.clone()), ("s1", json!({"t": down}))],
            &[("s0", "s1", &[("t", "a")])],
        );
        let got = findings_at(&p, "s1", "/t");
        assert_eq!(got.first().map(|(c, _)| *c), want, "{down}: {got:?}");
        for (_, w) in got {
            assert!(
                rejected_first_at(&p, w.as_ref().unwrap(), "s1"),
                "{down}: {w:?}"
            );
        }
    }
}

/// What a `format` fixes narrows the value (a `date` has ten characters): a system that
/// takes a 1–5-digit street as a `date` rejects every record that has one, so nothing of
/// it reaches the next system, whose limit is then nothing to prove. It used to be an
/// R302 that no record could settle.
#[test]
fn a_format_shape_closes_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "s0",
                json!({"street": {"type": "string", "pattern": "^[0-9]{1,5}$"}}),
            ),
            ("s1", json!({"m": {"type": "string", "format": "date"}})),
            ("s2", json!({"t": {"type": "string", "maxLength": 1}})),
        ],
        &[
            ("s0", "s1", &[("m", "street")]),
            ("s1", "s2", &[("t", "lower(m)")]),
        ],
    );
    let at_s1 = findings_at(&p, "s1", "/m");
    assert!(
        matches!(at_s1.as_slice(), [(Code::Incompatible, Some(_))]),
        "{at_s1:?}"
    );
    assert_eq!(findings_at(&p, "s2", "/t"), vec![]);
}

/// A string that passed an `enum` or `const` is one of its strings, and one under a UTF-8
/// byte limit has at most that many characters: `part("u", ".", -2)` gives nothing (so
/// `boolean` at the target is never asked), and `pad_left` of at most 4 bytes to 5 fits 5
/// characters. Both were R302.
#[test]
fn listed_strings_and_byte_limits_narrow_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "s0",
                json!({
                    "b": {"type": "string", "const": "u"},
                    "c": {"type": ["string", "null"], "x-maxBytes": 4}
                }),
            ),
            (
                "s1",
                json!({"t": {"type": "boolean"}, "u": {"maxLength": 5}}),
            ),
        ],
        &[(
            "s0",
            "s1",
            &[("t", "part(b, \".\", -2)"), ("u", "pad_left(c, 5, \"0\")")],
        )],
    );
    assert_eq!(findings_at(&p, "s1", "/t"), vec![]);
    assert_eq!(findings_at(&p, "s1", "/u"), vec![]);
}

/// A `oneOf` judged on the values the system's own field keywords accept: with `t0_0` and
/// `t0_1` at most 3 characters, both branches (`≤ 4`, `≤ 7`) always hold, so `s1` rejects
/// every record and nothing reaches `s2`, whose `type: number` is then nothing to prove.
/// Judged on the values the mappings give (unbounded), it stayed an R302.
#[test]
fn a_one_of_that_the_fields_own_limits_decide_closes_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "s0",
                json!({"c": {"type": "string"}, "city": {"type": "string"}}),
            ),
            (
                "s1",
                json!({
                    "t0_0": {"maxLength": 3},
                    "t0_1": {"maxLength": 3},
                    "$root": {"oneOf": [
                        {"properties": {"t0_0": {"maxLength": 4}}},
                        {"properties": {"t0_1": {"maxLength": 7}}}
                    ]}
                }),
            ),
            ("s2", json!({"t": {"type": "number"}})),
        ],
        &[
            // Through a function, so that no demand of `s1` bounds the entry fields.
            ("s0", "s1", &[("t0_0", "ascii(c)"), ("t0_1", "ascii(city)")]),
            ("s1", "s2", &[("t", "upper(t0_1)")]),
        ],
    );
    assert_eq!(findings_at(&p, "s2", "/t"), vec![]);
    for record in [json!({"city": "a"}), json!({"city": "a", "c": "bb"})] {
        let report = validated(&p, record);
        // `s1` rejects it (what `validate` says further on is behind that rejection).
        assert!(
            report
                .violations
                .iter()
                .any(|v| p.systems[v.system].id == "s1")
        );
    }
}

/// `replace` of text that cannot contain its `from` gives the text unchanged (digits stay
/// digits, not "digits or ä"), and a field that can only be empty has no characters (a
/// UTF-16 `x-maxBytes: 1` leaves only ""; `pad_left` of it is "ää", no white space).
/// Both were R302.
#[test]
fn replace_without_its_from_and_the_empty_string_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "s0",
                json!({"b": {"type": "string", "pattern": "^[0-9]{1,6}$"}, "c": {"type": "string"}}),
            ),
            (
                "s1",
                json!({
                    "t": {"type": "string", "x-charset": "ascii"},
                    "e": {"type": "string", "x-maxBytes": 1, "x-encoding": "utf-16"}
                }),
            ),
            (
                "s2",
                json!({"u": {"type": "string", "pattern": "^[^\\s]{0,8}$"}}),
            ),
        ],
        &[
            (
                "s0",
                "s1",
                &[("t", "replace(b, \"x\", \"ä\")"), ("e", "ascii(c)")],
            ),
            ("s1", "s2", &[("u", "pad_left(lower(e), 2, \"ä\")")]),
        ],
    );
    assert_eq!(findings_at(&p, "s1", "/t"), vec![]);
    assert_eq!(findings_at(&p, "s2", "/u"), vec![]);
}

/// On one path the witness search varies that path's own origins, not the summary's (on a
/// graph with two paths into a system, the summary's holds both paths' fields). Here `/x`
/// of `b` comes from `a:/x` on `a → b` and from `a:/y` on `a → d → b`; on `a → b`, any
/// `y` makes `b` reject (`w` is always too long), so a search that also set `y` never got
/// a record past `b` and the field ended R302.
#[test]
fn the_search_on_a_path_varies_that_paths_origins_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = chain(
        dir.path(),
        &[
            (
                "a",
                json!({
                    "x": {"type": "string", "maxLength": 20},
                    "y": {"type": "string", "maxLength": 5}
                }),
            ),
            (
                "b",
                json!({"x": {"type": "string"}, "w": {"type": "string", "maxLength": 1}}),
            ),
            ("d", json!({"x": {"type": "string"}})),
            ("c", json!({"z": {"type": "string", "maxLength": 10}})),
        ],
        &[
            ("a", "b", &[("x", "x"), ("w", "concat(y, \"xx\")")]),
            ("a", "d", &[("x", "y")]),
            ("d", "b", &[("x", "x")]),
            ("b", "c", &[("z", "x")]),
        ],
    );
    let found = findings_at(&p, "c", "/z");
    let [(Code::Incompatible, Some(witness))] = found.as_slice() else {
        panic!("{found:?}")
    };
    let record = witness.clone();
    assert!(record.get("y").is_none(), "{record}");
    assert!(rejected_first_at(&p, &record, "c"), "{record}");
}
