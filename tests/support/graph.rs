//! Generated check graphs, shared by `benches/check.rs` and `tests/generated_graph.rs`:
//! N systems, 4N flows, 20 string fields per system, seeded random limits (`maxLength`,
//! `x-maxBytes`, `x-charset`, a pattern) and mappings (copies, `upper`, `truncate`,
//! `concat`, `lower(ascii())`, `trim`), mostly a layered chain with random back edges
//! (two-way syncs).
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

const FIELDS: usize = 20;

/// xorshift64*: a seeded generator, so every run checks the same graph.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

/// Writes a pipeline of `systems` systems and `4 × systems` flows into `dir`.
pub fn generate(dir: &Path, systems: usize, seed: u64) -> std::path::PathBuf {
    let mut rng = Rng(seed);
    let limits = [16, 24, 32, 48, 64, 128];
    for s in 0..systems {
        let mut props = serde_json::Map::new();
        for f in 0..FIELDS {
            let mut field =
                serde_json::json!({"type": "string", "maxLength": limits[rng.below(limits.len())]});
            match rng.below(6) {
                0 => field["x-charset"] = "latin1".into(),
                1 => field["pattern"] = "^[A-Za-z0-9 .-]*$".into(),
                2 => field["x-maxBytes"] = (limits[rng.below(limits.len())] * 2).into(),
                _ => {}
            }
            props.insert(format!("f{f}"), field);
        }
        let schema = serde_json::json!({"type": "object", "properties": props});
        std::fs::write(dir.join(format!("s{s}.json")), schema.to_string()).unwrap();
    }
    let mut yaml = String::from("version: 1\nname: generated\nsystems:\n");
    for s in 0..systems {
        let entry = if s == 0 { ", entry: true" } else { "" };
        writeln!(
            yaml,
            "  s{s}: {{ name: System {s}, schema: s{s}.json{entry} }}"
        )
        .unwrap();
    }
    yaml.push_str("flows:\n");
    let exprs = [
        "f{a}",
        "upper(f{a})",
        "truncate(f{a}, 16)",
        "concat(f{a}, \"-\", f{b})",
        "lower(ascii(f{a}))",
        "trim(f{a})",
    ];
    for i in 0..systems * 4 {
        // Mostly forward edges (a layered flow), some back edges (two-way syncs).
        let from = if i < systems - 1 {
            i
        } else {
            rng.below(systems)
        };
        let to = if i < systems - 1 {
            i + 1
        } else {
            rng.below(systems)
        };
        if from == to {
            continue;
        }
        writeln!(yaml, "  - from: s{from}\n    to: s{to}\n    map:").unwrap();
        for f in 0..FIELDS {
            let e = exprs[rng.below(exprs.len())]
                .replace("{a}", &rng.below(FIELDS).to_string())
                .replace("{b}", &rng.below(FIELDS).to_string());
            writeln!(yaml, "      f{f}: '{e}'").unwrap();
        }
    }
    let path = dir.join("generated.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}
