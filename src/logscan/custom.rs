//! A system's own `pattern:` (README, "Pipelines"): a regular expression with the named groups `field`
//! (a property name or a JSON Pointer), `value` and `key`, or a fixed `field:`.

use super::fields::{SystemFields, field_pointer};
use super::preset::message;
use crate::error::{Error, ErrorKind};
use crate::pipeline::SystemId;

/// One custom pattern, compiled for matching bytes.
#[derive(Debug)]
pub(super) struct Custom {
    /// The system that declares it.
    pub system: SystemId,
    regex: regex::bytes::Regex,
    field: Option<String>,
    /// Reused for every line (`captures` would allocate them per call).
    locations: regex::bytes::CaptureLocations,
    /// The indices of the groups `field`, `value` and `key`.
    groups: [Option<usize>; 3],
}

/// What a custom pattern found in a line.
#[derive(Debug, PartialEq)]
pub(super) struct CustomHit {
    pub field: Option<String>,
    pub value: Option<String>,
    pub key: Option<String>,
    pub message: String,
}

impl Custom {
    /// Compiles `regex` (already checked at load) for bytes; a fixed `field` is normalised
    /// to a JSON Pointer.
    pub(super) fn new(
        system: SystemId,
        regex: &regex::Regex,
        field: Option<&str>,
        fields: &SystemFields,
    ) -> Result<Self, Error> {
        let bytes = regex::bytes::Regex::new(regex.as_str()).map_err(|e| {
            Error::new(
                ErrorKind::Regex,
                format!("invalid regular expression in `errors`: {e}"),
            )
        })?;
        let group = |name: &str| bytes.capture_names().position(|n| n == Some(name));
        let groups = [group("field"), group("value"), group("key")];
        Ok(Self {
            system,
            locations: bytes.capture_locations(),
            groups,
            regex: bytes,
            field: field.map(|f| field_pointer(fields, f)),
        })
    }

    /// The pattern's source, for the gate.
    pub(super) fn source(&self) -> &str {
        self.regex.as_str()
    }

    /// What the pattern finds in `line`, if it matches; a fixed `field:` wins over a
    /// `field` group.
    pub(super) fn parse(&mut self, line: &[u8], fields: &SystemFields) -> Option<CustomHit> {
        self.regex.captures_read(&mut self.locations, line)?;
        let locations = &self.locations;
        let group = |i: usize| {
            let (start, end) = self.groups[i].and_then(|g| locations.get(g))?;
            Some(String::from_utf8_lossy(line.get(start..end)?).into_owned())
        };
        let field = match &self.field {
            Some(fixed) => Some(fixed.clone()),
            None => group(0)
                .filter(|f| !f.is_empty())
                .map(|f| field_pointer(fields, &f)),
        };
        Some(CustomHit {
            field,
            value: group(1),
            key: group(2),
            message: message(&String::from_utf8_lossy(line)),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;
    use crate::schema::SystemSchema;

    fn fields() -> SystemFields {
        let schema = SystemSchema::from_value(
            Path::new("inline.json"),
            json!({"properties": {"uid": {}, "mail": {}}}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        SystemFields::new(&schema)
    }

    fn custom(pattern: &str, field: Option<&str>) -> Custom {
        let re = regex::Regex::new(pattern).unwrap_or_else(|e| panic!("{e}"));
        Custom::new(crate::pipeline::SystemId::new(0), &re, field, &fields())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn groups_give_field_value_and_key() {
        let mut c = custom(
            r#"constraint violation on (?P<field>\w+) for (?P<key>\S+): "(?P<value>[^"]*)""#,
            None,
        );
        let hit = c
            .parse(
                br#"02:00:16 sync constraint violation on UID for cn=matti: "matti.meikalainen""#,
                &fields(),
            )
            .unwrap();
        assert_eq!(hit.field.as_deref(), Some("/uid"));
        assert_eq!(hit.key.as_deref(), Some("cn=matti"));
        assert_eq!(hit.value.as_deref(), Some("matti.meikalainen"));
        assert!(c.parse(b"constraint violation on uid", &fields()).is_none());
    }

    #[test]
    fn pointers_fixed_fields_and_invalid_utf8() {
        let mut c = custom(r"rejected (?P<field>/\S+) value=(?P<value>\S+)", None);
        let hit = c.parse(b"rejected /mail value=caf\xe9", &fields()).unwrap();
        assert_eq!(hit.field.as_deref(), Some("/mail"));
        assert_eq!(
            hit.value.as_deref(),
            Some("caf"),
            "invalid UTF-8 ends a \\S+"
        );
        assert!(hit.message.ends_with("caf\u{fffd}"));
        let mut c = custom(r"mail bounced: (?P<value>\S+)", Some("mail"));
        let hit = c.parse(b"mail bounced: x@y", &fields()).unwrap();
        assert_eq!((hit.field.as_deref(), hit.key), (Some("/mail"), None));
    }
}
