//! Unit tests of the pull-back rules.

use super::*;
use crate::domain::chars::class_regex;

fn pulled(expr: &str, schema: Value) -> Constraint {
    let e = crate::func::parse(expr).unwrap_or_else(|e| panic!("{e:?}"));
    let c = Constraint::from_schemas(&[&schema]);
    let mut out = pull_back(&e, c);
    assert_eq!(out.len(), 1, "{expr}: one field");
    out.remove(0).1
}

#[test]
fn concat_with_literals_subtracts_their_length_and_bytes() {
    let c = pulled(
        r#"concat("u", x)"#,
        json!({"maxLength": 9, "x-maxBytes": 12}),
    );
    assert_eq!(c.max_len, Some(8));
    assert_eq!(c.max_bytes, Some(11));
}

#[test]
fn truncate_lifts_a_length_limit_it_already_enforces() {
    assert_eq!(
        pulled("truncate(x, 8)", json!({"maxLength": 10})).max_len,
        None
    );
    assert_eq!(
        pulled("truncate(x, 20)", json!({"maxLength": 10})).max_len,
        Some(10)
    );
    assert!(
        pulled("truncate(x, 2)", json!({"minLength": 3}))
            .never
            .is_some()
    );
}

#[test]
fn upper_keeps_length_only_for_characters_that_stay_one() {
    let c = pulled("upper(x)", json!({"maxLength": 8}));
    let chars = c.chars.unwrap_or_else(domain::all_chars);
    assert!(!domain::contains(&chars, 'ß'), "ß becomes SS");
    assert!(domain::contains(&chars, 'ä'));
    assert_eq!(c.max_len, Some(8));
}

#[test]
fn upper_pulls_a_character_class_back_to_both_cases() {
    let c = pulled("upper(x)", json!({"pattern": "^[A-Z]*$"}));
    let chars = c.chars.unwrap_or_else(domain::all_chars);
    assert!(domain::contains(&chars, 'a') && domain::contains(&chars, 'Z'));
    assert!(!domain::contains(&chars, 'ä'), "Ä is not in [A-Z]");
}

#[test]
fn digits_bounds_the_digit_count_not_the_length() {
    let c = pulled("digits(x)", json!({"maxLength": 5}));
    assert_eq!(c.max_len, None);
    assert_eq!(c.digits, Some((0, Some(5))));
    let s = c.to_schema();
    let re = regex::Regex::new(s["allOf"][0]["pattern"].as_str().unwrap()).unwrap();
    assert!(re.is_match("FI-12 345"));
    assert!(!re.is_match("123456"));
}

#[test]
fn pad_left_wider_than_the_limit_can_never_pass() {
    assert!(
        pulled(r#"pad_left(x, 6, "0")"#, json!({"maxLength": 5}))
            .never
            .is_some()
    );
    assert_eq!(
        pulled(r#"pad_left(x, 6, "0")"#, json!({"maxLength": 5})).to_schema(),
        json!(false)
    );
}

#[test]
fn a_copy_keeps_every_keyword_verbatim() {
    let c = pulled("x", json!({"format": "email", "maxLength": 40}));
    let s = c.to_schema();
    assert_eq!(s["format"], "email");
    assert_eq!(s["maxLength"], 40);
    let through = pulled("lower(x)", json!({"format": "email"}));
    assert!(
        through.notes.iter().any(|n| n.contains("format")),
        "{:?}",
        through.notes
    );
}

#[test]
fn a_class_renders_as_an_ecma_class_that_matches_the_same_characters() {
    let set = domain::chars_of(&[('a', 'z'), ('-', '-'), ('ä', 'ä')]);
    let re = regex::Regex::new(&format!("^{}*$", class_regex(&set))).unwrap();
    assert!(re.is_match("a-ä"));
    assert!(!re.is_match("A"));
}

/// The walk to one position, hop by hop, as `pull_chain_to` did before it shared
/// `pull_chain_each`: the reference the shared walk is held to.
fn reference_pull_to(pipeline: &Pipeline, chain: &[Hop], at: usize, stop: usize) -> Constraint {
    let hop = &chain[at];
    let mut c = Constraint::from_leaf(&pipeline.systems[hop.system].schema.leaf(&hop.pointer));
    for k in (stop + 1..=at).rev() {
        let (here, prev) = (&chain[k], &chain[k - 1]);
        let Some(m) = mapping_of(pipeline, here) else {
            break;
        };
        if here.inside_copy {
            continue;
        }
        if *m.target_pointer != *here.pointer {
            c = Constraint::from_leaf(
                &pipeline.systems[here.system].schema.leaf(&m.target_pointer),
            );
        }
        let mut next = Constraint::default();
        for (f, fc) in pull_back(&m.expr, c) {
            if f.pointer() == prev.pointer {
                next.meet(&fc);
            }
        }
        c = next;
    }
    c
}

/// Every property pointer of a schema, nested ones too (`/mailing`, `/mailing/street`).
fn property_pointers(schema: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            let pointer = format!("{prefix}/{name}");
            property_pointers(sub, &pointer, out);
            out.push(pointer);
        }
    }
}

/// One walk back per position gives, at every earlier position, what a walk to just that
/// position gives: on every chain into every field of the example pipelines, the
/// e-commerce fixture (`default`, `concat`, a flow back) and two agreement fixtures with
/// whole-object copies (fields inside a copy).
#[test]
fn one_walk_back_visits_what_each_pull_to_a_position_gives() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut pairs, mut inside_copies) = (0, 0);
    for file in [
        "pipelines/customer-identity.yaml",
        "pipelines/hr-onboarding.yaml",
        "tests/fixtures/ecommerce/pipelines/ecommerce.yaml",
        "tests/fixtures/agreement/proof-through-object-copy/pipeline.yaml",
        "tests/fixtures/agreement/proof-object-copy-nested-limit/pipeline.yaml",
    ] {
        let pipeline = crate::pipeline::load(&root.join(file)).unwrap_or_else(|e| panic!("{e}"));
        for (id, system) in pipeline.systems_with_ids() {
            let mut pointers = Vec::new();
            property_pointers(system.schema.raw(), "", &mut pointers);
            for pointer in pointers {
                for chain in chains(&pipeline, id, &pointer, None) {
                    inside_copies += chain.iter().filter(|h| h.inside_copy).count();
                    for at in 0..chain.len() {
                        let mut seen = Vec::new();
                        chains::pull_chain_each(&pipeline, &chain, at, 0, &mut |j, c| {
                            seen.push((j, c.clone()));
                        });
                        let want: Vec<usize> = (0..=at).rev().collect();
                        let got: Vec<usize> = seen.iter().map(|(j, _)| *j).collect();
                        assert_eq!(got, want, "{file}: every position once, the nearest first");
                        for (j, c) in seen {
                            assert_eq!(c, reference_pull_to(&pipeline, &chain, at, j), "{file}");
                            pairs += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(pairs > 50, "only {pairs} pairs compared");
    assert!(inside_copies > 0, "no chain runs inside an object copy");
}
