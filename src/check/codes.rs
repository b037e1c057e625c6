//! Stable diagnostic codes: `R` + family digit + number, each with a kebab-case name and a
//! paragraph of documentation (`ripple explain CODE`). Codes are never renumbered or reused;
//! a test snapshots the whole list.

use crate::error::ErrorKind;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the check (exit 1).
    Error,
    /// Worth a look; ripple could not prove it either way, or it is suspicious.
    Warning,
    /// Information.
    Note,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $name:literal, $severity:ident, $doc:literal;)*) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// `R101` …
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The kebab-case name.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The default severity.
            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// What it means, why it matters and what to do.
            #[must_use]
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    InvalidYaml = "R101", "invalid-yaml", Error,
        "The pipeline file is not valid YAML (or has a duplicate key, a tag, or nests too deep). Nothing else can be checked until it parses.";
    InvalidPipeline = "R102", "invalid-pipeline", Error,
        "The pipeline does not follow the format of schemas/pipeline.schema.json: a missing or unknown key, a wrong type, a version other than 1, or no entry system.";
    InvalidSchema = "R103", "invalid-schema", Error,
        "A system's schema cannot be used: the file is missing or not JSON, it is not a valid JSON Schema, an x- keyword has a bad value, or a $ref does not resolve locally (ripple never fetches schemas from the network).";
    UnknownSystem = "R104", "unknown-system", Error,
        "A flow names a system that is not declared under `systems`. Usually a typo; the message suggests the closest id.";
    UnknownFunction = "R105", "unknown-function", Error,
        "A mapping calls a function ripple does not have. The functions are lower, upper, trim, ascii, truncate, concat, replace, digits, pad_left, part, default, string and number.";
    BadArguments = "R106", "bad-arguments", Error,
        "A mapping expression does not parse, or calls a function with the wrong number or kind of arguments (counts and separators must be literals, so that ripple can reason about them).";
    UnknownField = "R107", "unknown-field", Error,
        "A mapping reads a field the source system's schema does not declare. Either the field name is misspelt or the schema is missing the property; a value that is never there would silently never flow.";
    InvalidErrorPattern = "R108", "invalid-error-pattern", Error,
        "An `errors` pattern is not a valid regular expression.";
    Unreadable = "R109", "unreadable-file", Error,
        "A file could not be read, or a limit was exceeded.";
    BadIgnore = "R110", "bad-ignore", Error,
        "An ignore comment (`# ripple: ignore R301 reason`) gives no reason, names no known code, or is not `ignore`. A suppressed finding must say why it is acceptable, so that a reviewer can judge it; write the reason after the code, on the line the finding is located on.";
    UnreachableSystem = "R201", "unreachable-system", Warning,
        "No flow path from any entry system reaches this system, so no change typed in anywhere can reach it. Either a flow is missing or the system does not belong in this pipeline.";
    RequiredNotFilled = "R202", "required-not-filled", Warning,
        "The target schema requires a field that no flow into the system fills. Records created from this pipeline alone would be rejected; another feed must provide the field.";
    PathConflict = "R203", "path-conflict", Error,
        "Two flow paths fill the same field of one system with different values for the same change (shown by the witness). Whichever batch runs last wins, so the field flip-flops.";
    UndeclaredTarget = "R204", "undeclared-target", Warning,
        "A mapping writes a field the target schema does not declare. With `additionalProperties: false` the target rejects it; otherwise it is stored unchecked. Usually a typo in the target key.";
    Echo = "R205", "rewriting-echo", Error,
        "A two-way sync writes a value back changed: the value a system sends comes back to the same field, through other systems, different (the CRM lower-cases the e-mail and writes it back to the shop). The write-back overwrites what the user typed, and the systems can flap. The witness is a change request that shows it with `ripple validate` (its `echoes[]`). Write back only what the other side may change, or make the source accept only values the round trip keeps.";
    Incompatible = "R301", "incompatible", Error,
        "A value the entry system accepts (and every system before the target on the path accepts) is rejected by the target after the mappings. The witness is a change request record that reproduces it with `ripple validate`. Fix it by tightening the entry schema or by changing the mapping (e.g. ascii(), truncate()).";
    Undecided = "R302", "undecided", Warning,
        "ripple could neither prove that the target accepts every value the path can deliver nor find a counterexample. The message says which constraint it could not reason about. Add the constraint upstream, or simplify the pattern, so that it can be proven.";
    LooserThanSource = "R401", "looser-than-source", Error,
        "A system's declared schema accepts a value its source (the DDL table, PostgreSQL table, OpenAPI schema or LDAP class named under `source:`) rejects: the declared schema has drifted from where the constraint lives (a column was shortened, an enum value dropped). The finding's `value` is a value for that system's field that the declared schema accepts and the imported schema rejects, both checked with the real validators. Every proof about this system rests on the declared schema, so fix it (`ripple import … --update`) before trusting the other findings.";
    TighterThanSource = "R402", "tighter-than-source", Note,
        "A system's declared schema rejects, by a limit its source also states, a value the source accepts (the declared maximum is below the column's). Harmless for the data, but the declared schema is no longer what the source says: widen it, or leave it if the tighter limit is deliberate. The finding's `value` shows one such value.";
    MissingColumn = "R403", "missing-column", Error,
        "A field that the pipeline's mappings fill or read in this system has no column (or property, or attribute) in the system's source. Values for it would be dropped or rejected. Add the column, or map the field to the column's name with `source.columns`.";
    SourceUnreadable = "R404", "source-unreadable", Error,
        "The system's `source:` could not be imported (a missing DDL file, a table it does not define, a database that cannot be reached or whose URL variable is unset), so the drift check for that system could not run and the verdict is incomplete (exit 2). The message says why; a connection URL's password never appears in it.";
}

impl Code {
    /// The load-error code for an error kind.
    #[must_use]
    pub fn for_error(kind: ErrorKind) -> Code {
        match kind {
            ErrorKind::Yaml => Code::InvalidYaml,
            ErrorKind::Format | ErrorKind::Version => Code::InvalidPipeline,
            ErrorKind::Schema | ErrorKind::Json => Code::InvalidSchema,
            ErrorKind::UnknownSystem => Code::UnknownSystem,
            ErrorKind::UnknownFunction => Code::UnknownFunction,
            ErrorKind::Arity | ErrorKind::Syntax => Code::BadArguments,
            ErrorKind::UnknownField => Code::UnknownField,
            ErrorKind::Regex => Code::InvalidErrorPattern,
            _ => Code::Unreadable,
        }
    }

    /// Looks a code up by `R101` or by name.
    #[must_use]
    pub fn find(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.code().eq_ignore_ascii_case(text) || c.name() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let list: Vec<String> = Code::ALL
            .iter()
            .map(|c| format!("{} {}", c.code(), c.name()))
            .collect();
        assert_eq!(
            list.join("\n"),
            "R101 invalid-yaml\nR102 invalid-pipeline\nR103 invalid-schema\nR104 unknown-system\n\
             R105 unknown-function\nR106 bad-arguments\nR107 unknown-field\nR108 invalid-error-pattern\n\
             R109 unreadable-file\nR110 bad-ignore\nR201 unreachable-system\nR202 required-not-filled\nR203 path-conflict\n\
             R204 undeclared-target\nR205 rewriting-echo\nR301 incompatible\nR302 undecided\n\
             R401 looser-than-source\nR402 tighter-than-source\nR403 missing-column\nR404 source-unreadable"
        );
    }
}
