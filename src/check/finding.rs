//! One finding of `ripple check` (README, "`ripple check`"): a common header (code,
//! severity, message, file, location, label, help) and a typed [`Body`] per kind of
//! finding, so that each code carries exactly the facts it has.
//!
//! A finding is built by the one constructor of its kind ([`Finding::incompatible`],
//! [`Finding::undecided`], [`Finding::looser_than_source`] …), which sets its code: a load
//! error cannot have a field, nor an undecided field a witness. Renderers, baselines,
//! `diff` and ignore comments read it through accessor methods ([`Finding::system`],
//! [`Finding::witness`] …) that answer for every kind alike, so the stable JSON keys
//! (README, "`ripple check`", "JSON") stay what they were.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::codes::{Code, Severity};
use crate::error::Error;
use crate::propagate::FieldRef;
use crate::span::Location;

/// One finding of `ripple check`: its header and its [`Body`]. Fields are private: build
/// one with the constructor of its kind, read it with the accessors.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The stable code, set by the constructor.
    code: Code,
    /// Error, warning or note: the code's default until `ripple.toml` overrides it.
    severity: Severity,
    /// What is wrong.
    message: String,
    /// The file (a pipeline, or the file of a load error).
    file: PathBuf,
    /// Where in it, when known (with the text for excerpts).
    location: Option<Location>,
    /// Text under the underline.
    label: Option<String>,
    /// What to change.
    help: Option<String>,
    /// What the finding is about, by kind.
    body: Body,
}

/// What a finding is about, one variant per kind of finding.
#[derive(Debug, Clone)]
pub enum Body {
    /// Nothing in a system: load errors (R101–R109), ignore comments (R110) and the
    /// summary of path conflicts the budget left unchecked (R302).
    General,
    /// A system as a whole: unreachable (R201), or its `source:` unreadable (R404).
    System {
        /// The system id.
        system: String,
    },
    /// A field of a system, with no value: required but never filled (R202), not
    /// declared (R204), or missing from the system's source (R403).
    Field(FieldAt),
    /// R301: the target rejects a value the path delivers, shown by a verified witness.
    Incompatible(Box<Incompatibility>),
    /// R302: neither proven nor refuted, naming the constraint not proven.
    Undecided(Box<Undecided>),
    /// R203: two paths give one field different values.
    Conflict(Box<Conflict>),
    /// R205: a value written back changed by a two-way sync.
    Echo(Box<Echo>),
    /// R401, R402: the declared schema and the system's source disagree on a value.
    Drift(Box<Drift>),
}

/// A field of a system.
#[derive(Debug, Clone)]
pub struct FieldAt {
    /// The system id.
    pub system: String,
    /// The field, a JSON Pointer into that system's record.
    pub field: String,
}

/// The facts of an incompatibility (R301).
#[derive(Debug, Clone)]
pub struct Incompatibility {
    /// The target system and field.
    pub at: FieldAt,
    /// The keyword the target rejects the value by.
    pub keyword: String,
    /// That keyword's limit.
    pub limit: Value,
    /// Entry fields the value derives from.
    pub origin: Vec<FieldRef>,
    /// System ids from the entry to the target.
    pub path: Vec<String>,
    /// The entry `record` that reproduces it with `ripple validate`.
    pub witness: Value,
    /// The value the target receives for the witness, when there is one.
    pub value: Option<Value>,
}

/// The facts of an undecided field (R302).
#[derive(Debug, Clone)]
pub struct Undecided {
    /// The target system and field.
    pub at: FieldAt,
    /// The first constraint not proven, `(keyword, limit)`, when one is known.
    pub constraint: Option<(String, Value)>,
    /// Entry fields the value derives from.
    pub origin: Vec<FieldRef>,
    /// System ids of the shortest path from the entry to the target.
    pub path: Vec<String>,
}

/// The facts of a path conflict (R203).
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The system and field filled twice.
    pub at: FieldAt,
    /// System ids of the second path.
    pub path: Vec<String>,
    /// The entry `record` for which the two paths differ.
    pub witness: Value,
}

/// The facts of an echo (R205).
#[derive(Debug, Clone)]
pub struct Echo {
    /// The system and field the value comes back to.
    pub at: FieldAt,
    /// System ids from the entry through the system, round the trip and back to it: the
    /// path on which `validate` shows the echo.
    pub path: Vec<String>,
    /// The change request `record` that shows it.
    pub witness: Value,
    /// The value written back.
    pub value: Value,
}

/// The facts of a drift between a declared schema and its source (R401, R402).
#[derive(Debug, Clone)]
pub struct Drift {
    /// The system and its field.
    pub at: FieldAt,
    /// The keyword that rejects `value` (the source's for R401, the declared schema's for
    /// R402).
    pub keyword: String,
    /// That keyword's limit.
    pub limit: Value,
    /// A value for the system's field that one side accepts and the other rejects (not an
    /// entry record: it is not replayed with `validate`).
    pub value: Value,
}

impl Finding {
    /// The header every constructor shares; `code` decides the default severity.
    fn new(
        code: Code,
        message: String,
        file: &Path,
        location: Option<Location>,
        body: Body,
    ) -> Self {
        Self {
            code,
            severity: code.severity(),
            message,
            file: file.to_path_buf(),
            location,
            label: None,
            help: None,
            body,
        }
    }

    /// The finding for a load error (R101–R109, by the error's kind), with its location,
    /// label and help.
    #[must_use]
    pub fn from_error(error: &Error, file: &Path) -> Self {
        let mut f = Self::new(
            Code::for_error(error.kind),
            error.message.clone(),
            error.file.as_deref().unwrap_or(file),
            error.location.clone(),
            Body::General,
        );
        f.label.clone_from(&error.label);
        f.help.clone_from(&error.help);
        f
    }

    /// R110: a malformed ignore comment at `location`.
    #[must_use]
    pub fn bad_ignore(message: String, file: &Path, location: Location) -> Self {
        Self::new(
            Code::BadIgnore,
            message,
            file,
            Some(location),
            Body::General,
        )
    }

    /// R302 for the pipeline as a whole: `count` of `what` (path conflicts, round trips
    /// searched for echoes) from `entry` the witness budget left unchecked.
    #[must_use]
    pub fn unchecked(count: usize, what: &str, entry: &str, file: &Path) -> Self {
        let message = format!(
            "{count} {what} from `{entry}` were not fully checked: the witness search budget for this pipeline ran out"
        );
        Self::new(Code::Undecided, message, file, None, Body::General)
            .with_help(Some("raise `--witness-budget` to check them".into()))
    }

    /// R201: no flow from an entry system reaches `system`.
    #[must_use]
    pub fn unreachable_system(
        system: String,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        let body = Body::System { system };
        Self::new(Code::UnreachableSystem, message, file, Some(location), body)
    }

    /// R404: the `source:` of `system` cannot be imported.
    #[must_use]
    pub fn source_unreadable(
        system: String,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        let body = Body::System { system };
        Self::new(Code::SourceUnreadable, message, file, Some(location), body)
    }

    /// R202: a field the system requires that no flow into it fills.
    #[must_use]
    pub fn required_not_filled(
        at: FieldAt,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        Self::new(
            Code::RequiredNotFilled,
            message,
            file,
            Some(location),
            Body::Field(at),
        )
    }

    /// R204: a mapping into a field the target schema does not declare.
    #[must_use]
    pub fn undeclared_target(
        at: FieldAt,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        Self::new(
            Code::UndeclaredTarget,
            message,
            file,
            Some(location),
            Body::Field(at),
        )
    }

    /// R403: a mapped field with no column in the system's source.
    #[must_use]
    pub fn missing_column(at: FieldAt, message: String, file: &Path, location: Location) -> Self {
        Self::new(
            Code::MissingColumn,
            message,
            file,
            Some(location),
            Body::Field(at),
        )
    }

    /// R301: an incompatibility with its verified witness.
    #[must_use]
    pub fn incompatible(
        facts: Incompatibility,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        let body = Body::Incompatible(Box::new(facts));
        Self::new(Code::Incompatible, message, file, Some(location), body)
    }

    /// R302: a field neither proven nor refuted.
    #[must_use]
    pub fn undecided(facts: Undecided, message: String, file: &Path, location: Location) -> Self {
        let body = Body::Undecided(Box::new(facts));
        Self::new(Code::Undecided, message, file, Some(location), body)
    }

    /// R203: two paths fill one field differently.
    #[must_use]
    pub fn path_conflict(
        facts: Conflict,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        let body = Body::Conflict(Box::new(facts));
        Self::new(Code::PathConflict, message, file, Some(location), body)
    }

    /// R205: a two-way sync writes a value back changed.
    #[must_use]
    pub fn echo(facts: Echo, message: String, file: &Path, location: Location) -> Self {
        let body = Body::Echo(Box::new(facts));
        Self::new(Code::Echo, message, file, Some(location), body)
    }

    /// R401: the declared schema accepts a value the source rejects.
    #[must_use]
    pub fn looser_than_source(
        facts: Drift,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        let body = Body::Drift(Box::new(facts));
        Self::new(Code::LooserThanSource, message, file, Some(location), body)
    }

    /// R402: the declared schema rejects, by a limit the source states too, a value the
    /// source accepts.
    #[must_use]
    pub fn tighter_than_source(
        facts: Drift,
        message: String,
        file: &Path,
        location: Location,
    ) -> Self {
        let body = Body::Drift(Box::new(facts));
        Self::new(Code::TighterThanSource, message, file, Some(location), body)
    }

    /// With `label` under the underline.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// With `help`, when there is one.
    #[must_use]
    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Sets the severity (a `ripple.toml` override, README "Severity overrides").
    pub(crate) fn set_severity(&mut self, severity: Severity) {
        self.severity = severity;
    }

    /// Names the file differently: `ripple diff --base REV` names an old pipeline
    /// `REV:path` (README, "`ripple diff`").
    pub(crate) fn set_file(&mut self, file: PathBuf) {
        self.file = file;
    }

    /// Replaces `from` by `to` in the message, label and help: `ripple diff --base REV`
    /// names a file of the old side `REV:path` there too, not by its temporary copy.
    pub(crate) fn rename_in_text(&mut self, from: &str, to: &str) {
        self.message = self.message.replace(from, to);
        for text in [&mut self.label, &mut self.help].into_iter().flatten() {
            *text = text.replace(from, to);
        }
    }

    /// Appends `text` to the message (why an undecided field stayed undecided).
    pub(crate) fn append_message(&mut self, text: &str) {
        self.message.push_str(text);
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> Code {
        self.code
    }

    /// Error, warning or note.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file (a pipeline, or the file of a load error).
    #[must_use]
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Where in the file, when known (with the text for excerpts).
    #[must_use]
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Text under the underline.
    #[must_use]
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// What to change.
    #[must_use]
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// What the finding is about, typed by kind.
    #[must_use]
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// The system and field, for the kinds that name a field.
    fn at(&self) -> Option<&FieldAt> {
        match &self.body {
            Body::General | Body::System { .. } => None,
            Body::Field(at) => Some(at),
            Body::Incompatible(x) => Some(&x.at),
            Body::Undecided(x) => Some(&x.at),
            Body::Conflict(x) => Some(&x.at),
            Body::Echo(x) => Some(&x.at),
            Body::Drift(x) => Some(&x.at),
        }
    }

    /// The system the finding is about.
    #[must_use]
    pub fn system(&self) -> Option<&str> {
        match &self.body {
            Body::System { system } => Some(system),
            _ => self.at().map(|at| at.system.as_str()),
        }
    }

    /// The field (JSON Pointer) in that system.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        self.at().map(|at| at.field.as_str())
    }

    /// The rejecting keyword (incompatibilities, drift) or the one not proven (undecided).
    #[must_use]
    pub fn keyword(&self) -> Option<&str> {
        self.keyword_limit().map(|(k, _)| k)
    }

    /// The keyword's limit.
    #[must_use]
    pub fn limit(&self) -> Option<&Value> {
        self.keyword_limit().map(|(_, l)| l)
    }

    fn keyword_limit(&self) -> Option<(&str, &Value)> {
        match &self.body {
            Body::Incompatible(x) => Some((&x.keyword, &x.limit)),
            Body::Drift(x) => Some((&x.keyword, &x.limit)),
            Body::Undecided(x) => x.constraint.as_ref().map(|(k, l)| (k.as_str(), l)),
            Body::General
            | Body::System { .. }
            | Body::Field(_)
            | Body::Conflict(_)
            | Body::Echo(_) => None,
        }
    }

    /// Entry fields the value derives from (empty when the kind has none).
    #[must_use]
    pub fn origin(&self) -> &[FieldRef] {
        match &self.body {
            Body::Incompatible(x) => &x.origin,
            Body::Undecided(x) => &x.origin,
            _ => &[],
        }
    }

    /// System ids from the entry (empty when the kind has none).
    #[must_use]
    pub fn path(&self) -> &[String] {
        match &self.body {
            Body::Incompatible(x) => &x.path,
            Body::Undecided(x) => &x.path,
            Body::Conflict(x) => &x.path,
            Body::Echo(x) => &x.path,
            _ => &[],
        }
    }

    /// An entry `record` reproducing the finding with `ripple validate`.
    #[must_use]
    pub fn witness(&self) -> Option<&Value> {
        match &self.body {
            Body::Incompatible(x) => Some(&x.witness),
            Body::Conflict(x) => Some(&x.witness),
            Body::Echo(x) => Some(&x.witness),
            _ => None,
        }
    }

    /// The value the target receives for the witness; for drift (R401, R402), a value for
    /// the system's own field that one schema accepts and the other rejects.
    #[must_use]
    pub fn value(&self) -> Option<&Value> {
        match &self.body {
            Body::Incompatible(x) => x.value.as_ref(),
            Body::Echo(x) => Some(&x.value),
            Body::Drift(x) => Some(&x.value),
            _ => None,
        }
    }

    /// The entry system of the finding's path: where its witness enters.
    #[must_use]
    pub fn entry(&self) -> Option<&str> {
        self.witness().and(self.path().first().map(String::as_str))
    }

    /// The witness as a whole change request, `{"entry": …, "record": …}`: saved to a
    /// file, `ripple validate PIPELINE FILE` reproduces the finding, whichever entry
    /// system it starts from.
    #[must_use]
    pub fn replay(&self) -> Option<Value> {
        let record = self.witness()?;
        Some(match self.entry() {
            Some(entry) => serde_json::json!({ "entry": entry, "record": record }),
            None => serde_json::json!({ "record": record }),
        })
    }

    /// `error`, `warning` or `note`.
    #[must_use]
    pub fn severity_name(&self) -> &'static str {
        match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// A stable fingerprint (16 hex digits): FNV-1a over the code, system, field, keyword
    /// and the sorted origin fields, never the line or the message, so a finding keeps it
    /// when the pipeline is reformatted or the wording changes (README, "Baselines").
    #[must_use]
    pub fn fingerprint(&self) -> String {
        let mut origin: Vec<String> = self
            .origin()
            .iter()
            .map(|o| format!("{}:{}", o.system, o.field))
            .collect();
        origin.sort();
        origin.dedup();
        let parts = [
            self.code.code(),
            self.system().unwrap_or(""),
            self.field().unwrap_or(""),
            self.keyword().unwrap_or(""),
            &origin.join(","),
        ];
        format!("{:016x}", fnv1a(&parts.join("\u{1f}")))
    }

    /// `(line, column)`, 1-based; `(1, 1)` when there is no finer location.
    #[must_use]
    pub fn line_column(&self) -> (usize, usize) {
        self.location
            .as_ref()
            .map_or((1, 1), |l| (l.span.line.max(1), l.span.column.max(1)))
    }
}

/// FNV-1a, 64 bits: a fixed hash whose value never changes between Rust versions.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
