//! The built-in presets: which backends ripple knows the error messages of, and what one
//! recognised message says before it is attributed to a system.

use crate::error::{Error, ErrorKind};

/// A backend whose rejection messages ripple recognises without a custom pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Oracle Database: ORA-12899, ORA-01400.
    Oracle,
    /// PostgreSQL with a `log_line_prefix` that shows the pid: SQLSTATE 22001, 23502.
    Postgres,
    /// MySQL and MariaDB: errors 1406, 1366, 1048.
    Mysql,
    /// Microsoft SQL Server: messages 2628, 8152, 515.
    SqlServer,
    /// LDAP servers (OpenLDAP, Active Directory): result codes 19, 21 and AD's 00000523.
    Ldap,
}

impl Preset {
    /// Every preset, in the order `preset:` lists them in `schemas/pipeline.schema.json`.
    pub const ALL: [Self; 5] = [
        Self::Oracle,
        Self::Postgres,
        Self::Mysql,
        Self::SqlServer,
        Self::Ldap,
    ];

    /// The name used in pipeline files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Oracle => "oracle",
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
            Self::SqlServer => "sqlserver",
            Self::Ldap => "ldap",
        }
    }

    /// The preset named `name` in a pipeline file.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// A cheap regular expression that every line opening one of this preset's events
    /// matches; lines matching no preset's trigger cost one scan and are not parsed.
    pub(super) fn trigger(self) -> &'static str {
        match self {
            Self::Oracle => r"ORA-(?:12899|01400):",
            Self::Postgres => r"ERROR:  (?:value too long for type|null value in column)",
            Self::Mysql => {
                r"Data too long for column |Incorrect string value: |Column '[^'\n]*' cannot be null"
            }
            Self::SqlServer => {
                r"Msg (?:2628|8152|515), Level |String or binary data would be truncated|Cannot insert the value NULL into column "
            }
            Self::Ldap => {
                r"Constraint violation \(19\)|Invalid syntax \(21\)|err=(?:19|21) |error code (?:19|21|80) |Result Code (?:19|21) |DSID-"
            }
        }
    }
}

/// What a recognised message says, before it is attributed to a system.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Hit {
    /// The vendor's code (`ORA-12899`, `22001`, `1406`, `2628`, `LDAP 19`).
    pub code: String,
    /// The table (or LDAP has none) the message names, unqualified.
    pub table: Option<String>,
    /// The column or attribute the message names, as the backend spells it.
    pub column: Option<String>,
    /// The rejected value, when the message shows it.
    pub value: Option<String>,
    /// Whether `value` is only the beginning of the rejected value.
    pub value_prefix: bool,
    /// The limit the value broke.
    pub limit: Option<u64>,
    /// The value's size as the backend measured it.
    pub actual: Option<u64>,
    /// The message line, trimmed and shortened.
    pub message: String,
    /// PostgreSQL 22001: the field is the one whose declared length is `limit`.
    pub by_limit: bool,
    /// PostgreSQL: the statement that failed, for finding the value of a 22001.
    pub statement: Option<super::statement::Statement>,
}

/// Compiles one of the presets' own expressions; failing is a bug in ripple, reported as
/// an error rather than a panic.
pub(super) fn regex(source: &str) -> Result<regex::Regex, Error> {
    regex::Regex::new(source).map_err(|e| {
        Error::new(
            ErrorKind::Regex,
            format!("built-in log pattern does not compile: {e}"),
        )
    })
}

/// The last dot-separated part of a qualified name (`Shop.dbo.Customers` → `Customers`).
pub(super) fn unqualified(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// A line's text for messages: trimmed and shortened.
pub(super) fn message(text: &str) -> String {
    crate::text::shorten(text.trim())
}

/// `count` lines of one to `max` of `tokens` each, drawn by a fixed generator (the same
/// lines every run): the variations the hand readers are checked on against the
/// expressions they stand in for.
#[cfg(test)]
pub(super) fn variations(tokens: &[&str], count: usize, max: u64) -> Vec<String> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    (0..count)
        .map(|_| {
            let len = next(max) + 1;
            (0..len)
                .map(|_| tokens[next(tokens.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_names_are_the_ones_the_pipeline_format_allows() {
        let schema: serde_json::Value = serde_json::from_str(crate::pipeline::PIPELINE_SCHEMA)
            .unwrap_or_else(|e| panic!("{e}"));
        let allowed = find_enum(&schema).unwrap_or_else(|| panic!("no preset enum"));
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(allowed, names);
        for p in Preset::ALL {
            assert_eq!(Preset::from_name(p.name()), Some(p));
        }
        assert_eq!(Preset::from_name("Oracle"), None);
    }

    fn find_enum(v: &serde_json::Value) -> Option<Vec<&str>> {
        if let Some(e) = v.pointer("/properties/preset/enum") {
            return e
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str()).collect());
        }
        match v {
            serde_json::Value::Object(m) => m.values().find_map(find_enum),
            serde_json::Value::Array(a) => a.iter().find_map(find_enum),
            _ => None,
        }
    }

    #[test]
    fn triggers_compile() {
        for p in Preset::ALL {
            assert!(regex::bytes::Regex::new(p.trigger()).is_ok(), "{p:?}");
        }
    }
}
