//! SARIF 2.1.0 for code-scanning tools: one rule per diagnostic code, one result per
//! finding, with the pipeline line as physical location and `system:/field` as logical
//! location. Columns count Unicode code points (`columnKind`).

use serde_json::{Value, json};

use crate::check::{CheckReport, Code, Finding, Severity};
use crate::span::Span;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn uri(path: &std::path::Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "/")
        .trim_start_matches("./")
        .to_owned()
}

fn result(f: &Finding) -> Value {
    let rule_index = Code::ALL.iter().position(|c| *c == f.code()).unwrap_or(0);
    let (line, column) = f.line_column();
    let mut region = json!({"startLine": line, "startColumn": column});
    if let Some(loc) = f.location() {
        let end = Span::from_offsets(&loc.file.text, loc.span.end, loc.span.end);
        if end.line >= line {
            region["endLine"] = json!(end.line);
            region["endColumn"] = json!(end.column.max(1));
        }
    }
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(f.file())},
            "region": region,
        }
    });
    if let (Some(system), Some(field)) = (f.system(), f.field()) {
        location["logicalLocations"] = json!([{
            "name": field,
            "fullyQualifiedName": format!("{system}:{field}"),
            "kind": "member",
        }]);
    } else if let Some(system) = f.system() {
        location["logicalLocations"] = json!([{"name": system, "kind": "module"}]);
    }
    let mut text = f.message().to_owned();
    if let Some(w) = f.replay() {
        text.push_str(&format!(" Witness: {w}."));
    }
    if let Some(h) = f.help() {
        text.push_str(&format!(" Fix: {h}."));
    }
    let mut properties = json!({});
    if let Some(w) = f.replay() {
        properties["witness"] = w;
    }
    if !f.path().is_empty() {
        properties["path"] = json!(f.path());
    }
    if !f.origin().is_empty() {
        properties["origin"] = json!(f.origin());
    }
    json!({
        "ruleId": f.code().code(),
        "ruleIndex": rule_index,
        "level": level(f.severity()),
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"rippleFingerprint/v1": f.fingerprint()},
        "properties": properties,
    })
}

/// Renders a check report as a SARIF 2.1.0 log.
#[must_use]
pub fn check(report: &CheckReport) -> String {
    log(&report.files, &report.findings)
}

/// A SARIF 2.1.0 log of `findings` in `files` (`ripple diff` gives its new findings).
#[must_use]
pub fn log(files: &[std::path::PathBuf], findings: &[Finding]) -> String {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.code(),
                "name": c.name(),
                "shortDescription": {"text": c.name().replace('-', " ")},
                "fullDescription": {"text": c.doc()},
                "defaultConfiguration": {"level": level(c.severity())},
                "help": {"text": c.doc()},
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ripple",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ripple/ripple",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "artifacts": files.iter().map(|f| json!({"location": {"uri": uri(f)}})).collect::<Vec<_>>(),
            "results": findings.iter().map(result).collect::<Vec<_>>(),
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
