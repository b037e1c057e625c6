//! Attribute syntaxes to JSON Schema: RFC 4517's (`1.3.6.1.4.1.1466.115.121.1.N`) and
//! Active Directory's (`attributeSyntax` 2.5.5.N with `oMSyntax`).

use serde_json::{Map, Value, json};

use super::Syntax;
use crate::import::{integer_range, typed};

const RFC4517: &str = "1.3.6.1.4.1.1466.115.121.1.";

/// PrintableString's characters (RFC 4517 §3.2).
const PRINTABLE: &str = "^[A-Za-z0-9 '()+,./:=?-]*$";

/// The schema of one value of `syntax`.
pub(super) fn schema(syntax: &Syntax) -> Map<String, Value> {
    match syntax {
        Syntax::Rfc { oid, bound } => rfc(oid, *bound),
        Syntax::Ad {
            syntax,
            om,
            lower,
            upper,
        } => ad(syntax, *om, *lower, *upper),
    }
}

fn rfc(oid: &str, bound: Option<u64>) -> Map<String, Value> {
    let max = |mut s: Map<String, Value>| {
        if let Some(n) = bound {
            s.insert("maxLength".into(), json!(n));
        }
        s
    };
    match oid.strip_prefix(RFC4517).unwrap_or(oid) {
        // Directory String: one or more UTF-8 characters.
        "15" => max(typed("string", &[("minLength", json!(1))])),
        // IA5 String.
        "26" => max(typed("string", &[("x-charset", json!("ascii"))])),
        // Printable String, Telephone Number.
        "44" | "50" => max(typed(
            "string",
            &[("x-charset", json!("ascii")), ("pattern", json!(PRINTABLE))],
        )),
        // Numeric String.
        "36" => max(typed("string", &[("pattern", json!("^[0-9 ]*$"))])),
        // Country String: two printable characters.
        "11" => typed(
            "string",
            &[
                ("minLength", json!(2)),
                ("maxLength", json!(2)),
                ("pattern", json!(PRINTABLE)),
            ],
        ),
        "27" => typed("integer", &[]),
        "7" => typed("boolean", &[]),
        // DN, OID, Generalized Time, Postal Address, Name and Optional UID.
        "12" | "38" | "24" | "41" | "34" => max(typed("string", &[])),
        // Octet String, JPEG, binary: the bound counts bytes of the raw value.
        "40" | "28" | "5" => typed("string", &[]),
        _ => Map::new(),
    }
}

fn ad(syntax: &str, om: Option<u32>, lower: Option<i64>, upper: Option<i64>) -> Map<String, Value> {
    let lengths = |mut s: Map<String, Value>| {
        if let Some(n) = lower.filter(|n| *n > 0) {
            s.insert("minLength".into(), json!(n));
        }
        if let Some(n) = upper {
            s.insert("maxLength".into(), json!(n));
        }
        s
    };
    match syntax {
        // Unicode, case-insensitive and case-sensitive strings.
        "2.5.5.12" | "2.5.5.4" | "2.5.5.3" => lengths(typed("string", &[])),
        // IA5 (oMSyntax 22) or Printable (19) string.
        "2.5.5.5" if om == Some(19) => lengths(typed(
            "string",
            &[("x-charset", json!("ascii")), ("pattern", json!(PRINTABLE))],
        )),
        "2.5.5.5" => lengths(typed("string", &[("x-charset", json!("ascii"))])),
        "2.5.5.6" => lengths(typed("string", &[("pattern", json!("^[0-9 ]*$"))])),
        "2.5.5.9" => integer_range(
            lower.map_or(i32::MIN.into(), i128::from),
            upper.map_or(i32::MAX.into(), i128::from),
        ),
        "2.5.5.16" => integer_range(
            lower.map_or(i64::MIN.into(), i128::from),
            upper.map_or(i64::MAX.into(), i128::from),
        ),
        "2.5.5.8" => typed("boolean", &[]),
        "2.5.5.1" | "2.5.5.2" | "2.5.5.7" | "2.5.5.11" | "2.5.5.13" | "2.5.5.14" => {
            typed("string", &[])
        }
        // Octet strings, security descriptors, SIDs: binary.
        "2.5.5.10" | "2.5.5.15" | "2.5.5.17" => typed("string", &[]),
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_schema(oid: &str, bound: Option<u64>) -> Value {
        Value::Object(schema(&Syntax::Rfc {
            oid: format!("{RFC4517}{oid}"),
            bound,
        }))
    }

    #[test]
    fn rfc_syntaxes() {
        assert_eq!(
            rfc_schema("15", Some(20)),
            json!({"type": "string", "minLength": 1, "maxLength": 20})
        );
        assert_eq!(
            rfc_schema("26", Some(256)),
            json!({"type": "string", "x-charset": "ascii", "maxLength": 256})
        );
        assert_eq!(rfc_schema("27", Some(5)), json!({"type": "integer"}));
        assert_eq!(rfc_schema("7", None), json!({"type": "boolean"}));
        assert_eq!(rfc_schema("99", None), json!({}));
    }

    #[test]
    fn ad_syntaxes() {
        let s = |syntax: &str, om, lower, upper| {
            Value::Object(schema(&Syntax::Ad {
                syntax: syntax.to_owned(),
                om,
                lower,
                upper,
            }))
        };
        assert_eq!(
            s("2.5.5.12", Some(64), Some(0), Some(20)),
            json!({"type": "string", "maxLength": 20})
        );
        assert_eq!(
            s("2.5.5.9", Some(2), Some(0), Some(10)),
            json!({"type": "integer", "minimum": 0, "maximum": 10})
        );
        assert_eq!(
            s("2.5.5.8", Some(1), None, None),
            json!({"type": "boolean"})
        );
        assert_eq!(s("2.5.5.5", Some(22), None, Some(8))["x-charset"], "ascii");
    }
}
