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

/// The encodings `x-encoding` names: what `x-maxBytes` counts bytes in, and which
/// characters a system can store at all (README, "System schemas").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (the default): every character, 1–4 bytes.
    Utf8,
    /// UTF-16 (`NVARCHAR`): every character, 2 bytes, 4 outside the BMP.
    Utf16,
    /// ISO 8859-1: U+0000–U+00FF, 1 byte each.
    Latin1,
    /// Windows-1252: Latin-1 with printable characters (€, „, Š, …) in 0x80–0x9F.
    Cp1252,
}

/// The characters Windows-1252 puts at 0x80–0x9F (five codes there are unassigned).
pub const CP1252_HIGH: [char; 27] = [
    '€', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 'Ž', '‘', '’', '“', '”', '•', '–',
    '—', '˜', '™', 'š', '›', 'œ', 'ž', 'Ÿ',
];

impl Encoding {
    /// Parses an encoding name (`utf-8`, `utf-16`, `latin1`, `cp1252`, with common
    /// spellings).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Self::Utf8),
            "utf-16" | "utf16" | "ucs-2" => Some(Self::Utf16),
            "latin1" | "latin-1" | "iso-8859-1" => Some(Self::Latin1),
            "cp1252" | "windows-1252" => Some(Self::Cp1252),
            _ => None,
        }
    }

    /// The name used in schemas.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Utf16 => "utf-16",
            Self::Latin1 => "latin1",
            Self::Cp1252 => "cp1252",
        }
    }

    /// Whether `c` can be stored.
    #[must_use]
    pub fn encodes(self, c: char) -> bool {
        match self {
            Self::Utf8 | Self::Utf16 => true,
            Self::Latin1 => u32::from(c) <= 0xFF,
            Self::Cp1252 => {
                let n = u32::from(c);
                n < 0x80 || (0xA0..=0xFF).contains(&n) || CP1252_HIGH.contains(&c)
            }
        }
    }

    /// The bytes `text` takes (characters it cannot store counted as one byte each).
    #[must_use]
    pub fn len(self, text: &str) -> u64 {
        match self {
            Self::Utf8 => text.len() as u64,
            Self::Utf16 => text.chars().map(|c| 2 * c.len_utf16() as u64).sum(),
            Self::Latin1 | Self::Cp1252 => text.chars().count() as u64,
        }
    }

    /// The encoding a schema object names with `x-encoding` (UTF-8 when none).
    #[must_use]
    pub fn of(schema: &Map<String, Value>) -> Self {
        schema
            .get("x-encoding")
            .and_then(Value::as_str)
            .and_then(Self::from_name)
            .unwrap_or(Self::Utf8)
    }
}

struct MaxBytes(u64, Encoding);

impl<'i> Keyword<'i> for MaxBytes {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match instance {
            Value::String(s) if self.1.len(s) > self.0 => Err(ValidationError::custom(format!(
                "is {} bytes in {}, more than {} (x-maxBytes)",
                self.1.len(s),
                match self.1 {
                    Encoding::Utf8 => "UTF-8",
                    Encoding::Utf16 => "UTF-16",
                    Encoding::Latin1 => "Latin-1",
                    Encoding::Cp1252 => "Windows-1252",
                },
                self.0
            ))),
            _ => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_str().is_none_or(|s| self.1.len(s) <= self.0)
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

/// Builds the `x-maxBytes` validator from its schema value, counting bytes in the
/// encoding the same schema object names with `x-encoding`.
pub(crate) fn max_bytes<'a>(
    parent: &'a Map<String, Value>,
    value: &'a Value,
    _: Location,
) -> Factory<'a> {
    match value.as_u64() {
        Some(n) => Ok(Box::new(MaxBytes(n, Encoding::of(parent)))),
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

struct EncodingKeyword(Encoding);

impl<'i> Keyword<'i> for EncodingKeyword {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(ValidationError::custom(format!(
                "has a character that {} cannot store (x-encoding)",
                self.0.name()
            )))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance
            .as_str()
            .is_none_or(|s| s.chars().all(|c| self.0.encodes(c)))
    }
}

/// Builds the `x-encoding` validator: a character the encoding cannot store is a
/// violation.
pub(crate) fn encoding<'a>(
    _: &'a Map<String, Value>,
    value: &'a Value,
    _: Location,
) -> Factory<'a> {
    match value.as_str().and_then(Encoding::from_name) {
        Some(e) => Ok(Box::new(EncodingKeyword(e))),
        None => Err(ValidationError::custom(format!(
            "x-encoding must be \"utf-8\", \"utf-16\", \"latin1\" or \"cp1252\", got {value}"
        ))),
    }
}

/// The first character of `instance` the encoding named by `encoding` cannot store.
pub(crate) fn first_unencodable(encoding: &Value, instance: &Value) -> Option<String> {
    let e = encoding.as_str().and_then(Encoding::from_name)?;
    let c = instance.as_str()?.chars().find(|c| !e.encodes(*c))?;
    Some(format!(
        "`{}` (U+{:04X})",
        crate::text::escape(&c.to_string()),
        u32::from(c)
    ))
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
mod encoding_tests {
    use super::*;

    #[test]
    fn bytes_and_characters_per_encoding() {
        assert_eq!(Encoding::Utf8.len("Ä€😀"), 2 + 3 + 4);
        assert_eq!(Encoding::Utf16.len("Ä€😀"), 2 + 2 + 4);
        assert_eq!(Encoding::Latin1.len("Äb"), 2);
        assert!(Encoding::Latin1.encodes('ÿ') && !Encoding::Latin1.encodes('€'));
        assert!(Encoding::Cp1252.encodes('€') && Encoding::Cp1252.encodes('Ä'));
        assert!(!Encoding::Cp1252.encodes('\u{81}') && !Encoding::Cp1252.encodes('ı'));
        assert_eq!(Encoding::from_name("Windows-1252"), Some(Encoding::Cp1252));
        assert_eq!(Encoding::from_name("UTF_16"), Some(Encoding::Utf16));
        assert_eq!(Encoding::from_name("ebcdic"), None);
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
