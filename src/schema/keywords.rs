//! ripple's vocabulary for limits real backends have and JSON Schema cannot say (README, "System schemas"):
//! `x-maxBytes` (UTF-8 byte length, e.g. Oracle `VARCHAR2(n BYTE)`) and `x-charset`
//! (`ascii`, `latin1`, `utf8mb3`). `x-pii` is an annotation and needs no validator.

use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError};
use serde_json::{Map, Value};

/// The character sets `x-charset` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// U+0000–U+007F.
    Ascii,
    /// U+0000–U+00FF (ISO 8859-1).
    Latin1,
    /// Everything but 4-byte UTF-8 (MySQL's `utf8`).
    Utf8mb3,
}

impl Charset {
    /// Parses a charset name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ascii" => Some(Self::Ascii),
            "latin1" => Some(Self::Latin1),
            "utf8mb3" => Some(Self::Utf8mb3),
            _ => None,
        }
    }

    /// The name used in schemas.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Ascii => "ascii",
            Self::Latin1 => "latin1",
            Self::Utf8mb3 => "utf8mb3",
        }
    }

    /// Whether `c` is encodable.
    #[must_use]
    pub fn contains(self, c: char) -> bool {
        match self {
            Self::Ascii => c.is_ascii(),
            Self::Latin1 => u32::from(c) <= 0xFF,
            Self::Utf8mb3 => u32::from(c) <= 0xFFFF,
        }
    }
}

struct MaxBytes(u64);

impl<'i> Keyword<'i> for MaxBytes {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match instance {
            Value::String(s) if s.len() as u64 > self.0 => Err(ValidationError::custom(format!(
                "is {} bytes in UTF-8, more than {} (x-maxBytes)",
                s.len(),
                self.0
            ))),
            _ => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_str().is_none_or(|s| s.len() as u64 <= self.0)
    }
}

struct CharsetKeyword(Charset);

impl<'i> Keyword<'i> for CharsetKeyword {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        let Value::String(s) = instance else {
            return Ok(());
        };
        if s.chars().all(|c| self.0.contains(c)) {
            Ok(())
        } else {
            Err(ValidationError::custom(format!(
                "has a character that is not in the {} character set (x-charset)",
                self.0.name()
            )))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance
            .as_str()
            .is_none_or(|s| s.chars().all(|c| self.0.contains(c)))
    }
}

/// The first character of `instance` outside the charset named by `charset`, as shown
/// beside a violation: `` `Ä` (U+00C4) ``.
pub(crate) fn first_outside(charset: &Value, instance: &Value) -> Option<String> {
    let set = charset.as_str().and_then(Charset::from_name)?;
    let c = instance.as_str()?.chars().find(|c| !set.contains(*c))?;
    Some(format!(
        "`{}` (U+{:04X})",
        crate::text::escape(&c.to_string()),
        u32::from(c)
    ))
}

type Factory<'a> = Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>>;

/// Builds the `x-maxBytes` validator from its schema value.
pub(crate) fn max_bytes<'a>(
    _: &'a Map<String, Value>,
    value: &'a Value,
    _: Location,
) -> Factory<'a> {
    match value.as_u64() {
        Some(n) => Ok(Box::new(MaxBytes(n))),
        None => Err(ValidationError::custom(format!(
            "x-maxBytes must be a non-negative integer, got {value}"
        ))),
    }
}

/// Builds the `x-charset` validator from its schema value.
pub(crate) fn charset<'a>(_: &'a Map<String, Value>, value: &'a Value, _: Location) -> Factory<'a> {
    match value.as_str().and_then(Charset::from_name) {
        Some(c) => Ok(Box::new(CharsetKeyword(c))),
        None => Err(ValidationError::custom(format!(
            "x-charset must be \"ascii\", \"latin1\" or \"utf8mb3\", got {value}"
        ))),
    }
}

/// Accepts `x-pii` when it is a boolean.
pub(crate) fn pii<'a>(_: &'a Map<String, Value>, value: &'a Value, _: Location) -> Factory<'a> {
    if value.is_boolean() {
        Ok(Box::new(Annotation))
    } else {
        Err(ValidationError::custom(format!(
            "x-pii must be true or false, got {value}"
        )))
    }
}

struct Annotation;

impl<'i> Keyword<'i> for Annotation {
    fn validate(&self, _: &'i Value) -> Result<(), ValidationError<'i>> {
        Ok(())
    }

    fn is_valid(&self, _: &'i Value) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        assert!(Charset::Ascii.contains('a') && !Charset::Ascii.contains('ä'));
        assert!(Charset::Latin1.contains('ä') && !Charset::Latin1.contains('€'));
        assert!(Charset::Utf8mb3.contains('€') && !Charset::Utf8mb3.contains('😀'));
    }
}
