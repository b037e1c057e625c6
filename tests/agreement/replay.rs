//! Regression fixtures: a shrunk failing case saved as `tests/fixtures/agreement/<name>/`
//! (`pipeline.yaml`, `schemas/*.json`, `case.json` with the property, the records and what
//! `validate` says about each), and replaying one through its property.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::generator::Rendered;
use crate::props::{self, Failure, Loaded};

/// Where fixtures live.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agreement")
}

/// Writes a failing case to `root/<name>/`.
///
/// # Errors
/// When a file cannot be written or the pipeline does not load.
pub fn save(
    root: &Path,
    name: &str,
    rendered: &Rendered,
    property: &str,
    failure: &Failure,
) -> Result<PathBuf, String> {
    let dir = root.join(name);
    let path = rendered.write(&dir).map_err(|e| e.to_string())?;
    let loaded = Loaded::load(&path)?;
    let records: Vec<Value> = failure.record.iter().cloned().collect();
    let case = json!({
        "property": property,
        "failure": failure.message,
        "records": records,
        "truth": records.iter().map(|r| props::truth(&loaded, r)).collect::<Vec<_>>(),
    });
    std::fs::write(
        dir.join("case.json"),
        serde_json::to_string_pretty(&case).unwrap_or_default() + "\n",
    )
    .map_err(|e| e.to_string())?;
    Ok(dir)
}

/// Runs fixture `name` through its property.
///
/// # Errors
/// The property's failure, or a broken fixture.
pub fn replay(name: &str) -> Result<(), String> {
    let dir = fixtures().join(name);
    let text = std::fs::read_to_string(dir.join("case.json")).map_err(|e| e.to_string())?;
    let case: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let property = case["property"].as_str().unwrap_or_default();
    let prop = props::by_name(property).ok_or_else(|| format!("unknown property {property}"))?;
    let records: Vec<Value> = case["records"].as_array().cloned().unwrap_or_default();
    let loaded = Loaded::load(&dir.join("pipeline.yaml"))?;
    prop(&loaded, &records).map_err(|f| {
        format!(
            "{name} ({property}): {}{}",
            f.message,
            f.record
                .map(|r| format!("\n  record: {r}"))
                .unwrap_or_default()
        )
    })
}
