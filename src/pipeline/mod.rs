//! Pipelines: the declared graph of systems and the flows between them (README, "Pipelines").
//!
//! [`load`] reads a pipeline file, checks it against `schemas/pipeline.schema.json`, loads
//! every system's schema once and parses every mapping, collecting all problems with their
//! file:line:column. The result is an immutable [`Pipeline`] that every command reasons on.

mod fills;
mod load;
pub mod yaml;

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::Warning;
use crate::expr::{Expr, FieldPath};
use crate::schema::SystemSchema;
use crate::span::{Location, SourceFile, Span};

pub use fills::FillIndex;
pub use load::{load, load_str};

/// A system of a pipeline: its position in [`Pipeline::systems`] (declaration order).
///
/// The library refers to a system by its id and looks its name ([`System::id`]) up only
/// where it is shown (rendering, errors, findings). Ids come from the pipeline
/// ([`Pipeline::system_id`], [`Pipeline::systems_with_ids`], [`Flow::from`] …), never from
/// an arbitrary integer outside the crate; [`SystemId::index`] indexes per-system vectors.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct SystemId(usize);

impl SystemId {
    /// The id of the system at `index` in [`Pipeline::systems`].
    pub(crate) const fn new(index: usize) -> Self {
        Self(index)
    }

    /// The position in [`Pipeline::systems`], for vectors kept per system.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0
    }
}

/// A flow of a pipeline: its position in [`Pipeline::flows`] (declaration order). Like
/// [`SystemId`], it comes from the pipeline; [`FlowId::index`] indexes per-flow vectors.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct FlowId(usize);

impl FlowId {
    /// The id of the flow at `index` in [`Pipeline::flows`].
    pub(crate) const fn new(index: usize) -> Self {
        Self(index)
    }

    /// The position in [`Pipeline::flows`], for vectors kept per flow.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0
    }
}

impl std::ops::Index<SystemId> for Vec<System> {
    type Output = System;

    fn index(&self, id: SystemId) -> &System {
        &self[id.0]
    }
}

impl std::ops::Index<FlowId> for Vec<Flow> {
    type Output = Flow;

    fn index(&self, id: FlowId) -> &Flow {
        &self[id.0]
    }
}

impl std::ops::Index<SystemId> for Pipeline {
    type Output = System;

    fn index(&self, id: SystemId) -> &System {
        self.system(id)
    }
}

impl std::ops::Index<FlowId> for Pipeline {
    type Output = Flow;

    fn index(&self, id: FlowId) -> &Flow {
        self.flow(id)
    }
}

/// The pipeline file format version this ripple understands.
pub const FORMAT_VERSION: u64 = 1;

/// The JSON Schema of the pipeline file format, shipped in `schemas/` for editors too.
pub const PIPELINE_SCHEMA: &str = include_str!("../../schemas/pipeline.schema.json");

/// A loaded, checked pipeline.
#[derive(Debug)]
pub struct Pipeline {
    /// The pipeline file, kept for diagnostics.
    pub file: Arc<SourceFile>,
    /// The pipeline's `name`.
    pub name: String,
    /// The pipeline's `description`.
    pub description: Option<String>,
    /// Systems in declaration order.
    pub systems: Vec<System>,
    /// Flows in declaration order.
    pub flows: Vec<Flow>,
    /// Which mappings fill each field (see [`FillIndex`]).
    pub fills: FillIndex,
}

impl Pipeline {
    /// The system named `id` in the pipeline file.
    #[must_use]
    pub fn system_id(&self, id: &str) -> Option<SystemId> {
        self.systems.iter().position(|s| s.id == id).map(SystemId)
    }

    /// The system `id`.
    #[must_use]
    pub fn system(&self, id: SystemId) -> &System {
        &self.systems[id.0]
    }

    /// The flow `id`.
    #[must_use]
    pub fn flow(&self, id: FlowId) -> &Flow {
        &self.flows[id.0]
    }

    /// Every system with its id, in declaration order.
    pub fn systems_with_ids(&self) -> impl ExactSizeIterator<Item = (SystemId, &System)> + '_ {
        self.systems
            .iter()
            .enumerate()
            .map(|(i, s)| (SystemId(i), s))
    }

    /// Every system id, in declaration order.
    pub fn system_ids(&self) -> impl ExactSizeIterator<Item = SystemId> + use<> {
        (0..self.systems.len()).map(SystemId)
    }

    /// Every flow with its id, in declaration order.
    pub fn flows_with_ids(&self) -> impl ExactSizeIterator<Item = (FlowId, &Flow)> + '_ {
        self.flows.iter().enumerate().map(|(i, f)| (FlowId(i), f))
    }

    /// The entry systems (`entry: true`), in declaration order.
    pub fn entries(&self) -> impl Iterator<Item = SystemId> + '_ {
        self.systems_with_ids()
            .filter(|(_, s)| s.entry)
            .map(|(i, _)| i)
    }

    /// The entry system a command works from: the one named, which must be an entry
    /// system, or the only one. One rule for `validate` (the change's `entry` or
    /// `--entry`) and `constraints` (`--entry`).
    ///
    /// # Errors
    /// An unknown or non-entry system, or none named when the pipeline has several.
    pub fn resolve_entry(&self, name: Option<&str>) -> Result<SystemId, crate::Error> {
        use crate::{Error, ErrorKind};
        let entries: Vec<SystemId> = self.entries().collect();
        let listed = || {
            crate::suggest::help(
                name.unwrap_or(""),
                entries.iter().map(|&e| self.systems[e].id.as_str()),
                "entry systems",
            )
        };
        match name {
            Some(name) => match self.system_id(name) {
                Some(id) if self.systems[id].entry => Ok(id),
                Some(_) => Err(Error::new(
                    ErrorKind::UnknownSystem,
                    format!("`{name}` is not an entry system"),
                )
                .help(listed())),
                None => Err(Error::new(
                    ErrorKind::UnknownSystem,
                    format!("unknown entry system `{name}`"),
                )
                .help(listed())),
            },
            None => match entries.as_slice() {
                [only] => Ok(*only),
                _ => Err(Error::new(
                    ErrorKind::Usage,
                    "the pipeline has several entry systems; say which one (`entry` in the change, or --entry)",
                )
                .help(listed())),
            },
        }
    }

    /// What looks wrong but does not stop ripple: unknown keywords in the system schemas
    /// and the files they `$ref` (README, "System schemas"), each once, in the order of
    /// the systems. Render them with [`crate::report::diagnostic::render_warnings`];
    /// they never change the exit code.
    #[must_use]
    pub fn warnings(&self) -> Vec<Warning> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for system in &self.systems {
            for w in system.schema.warnings() {
                let place = w
                    .location
                    .as_ref()
                    .map(|l| (l.path().to_path_buf(), l.span.start));
                if seen.insert((place, w.file.clone(), w.message.clone())) {
                    out.push(w.clone());
                }
            }
        }
        out
    }

    /// A location in the pipeline file.
    #[must_use]
    pub fn location(&self, span: Span) -> Location {
        Location::new(&self.file, span)
    }
}

/// A backend system holding a copy of the data.
#[derive(Debug)]
pub struct System {
    /// The id used in flows, change requests and output.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whom to contact about rejections.
    pub owner: Option<String>,
    /// Whether changes are typed in here.
    pub entry: bool,
    /// The compiled schema of this system's record.
    pub schema: Arc<SystemSchema>,
    /// The schema path as resolved from the pipeline file.
    pub schema_path: PathBuf,
    /// Where submits and dry runs go.
    pub endpoint: Option<Endpoint>,
    /// How this system reports rejected values in its logs.
    pub errors: Vec<ErrorPattern>,
    /// Where the system's constraints live (`source:`), for `check`'s drift findings.
    pub source: Option<Source>,
    /// The span of the system's id key.
    pub span: Span,
}

/// Where a system's constraints live, compared with its declared schema by `check`
/// (README, "Pipelines", `source:`).
#[derive(Debug, Clone)]
pub struct Source {
    /// What to import.
    pub kind: SourceKind,
    /// Field → column, where the record's field and the source's name differ.
    pub columns: IndexMap<String, String>,
    /// The span of the `source` value in the pipeline file.
    pub span: Span,
}

/// The kinds of [`Source`]; paths are resolved against the pipeline file.
#[derive(Debug, Clone)]
pub enum SourceKind {
    /// A table of a SQL DDL file.
    Ddl {
        /// The DDL file.
        path: PathBuf,
        /// The table.
        table: String,
        /// The dialect; guessed from the file when left out.
        dialect: Option<crate::dialect::Dialect>,
    },
    /// A table of a live PostgreSQL database.
    Postgres {
        /// The environment variable holding the connection URL.
        url_env: String,
        /// The table.
        table: String,
        /// The schema (namespace).
        schema: Option<String>,
    },
    /// An OpenAPI component schema.
    Openapi {
        /// The OpenAPI document.
        path: PathBuf,
        /// The component schema's name.
        schema: String,
    },
    /// An LDAP object class.
    Ldap {
        /// The LDAP schema file.
        path: PathBuf,
        /// The object class.
        class: String,
    },
}

impl SourceKind {
    /// What the source is, for messages: `ddl/payroll.sql table EMPLOYEES`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Ddl { path, table, .. } => format!("table {table} of {}", path.display()),
            Self::Postgres {
                table,
                schema,
                url_env,
            } => match schema {
                Some(s) => format!("PostgreSQL table {s}.{table} (${url_env})"),
                None => format!("PostgreSQL table {table} (${url_env})"),
            },
            Self::Openapi { path, schema } => format!("schema {schema} of {}", path.display()),
            Self::Ldap { path, class } => format!("object class {class} of {}", path.display()),
        }
    }
}

/// A system's HTTP endpoints (README, "`--submit`", "`--fetch-current`").
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// URL template for submitting a change; `{key}` is the change's key.
    pub submit: Option<String>,
    /// HTTP method for submit.
    #[serde(default = "default_method")]
    pub method: String,
    /// URL of the dry-run validation endpoint.
    pub validate: Option<String>,
    /// URL template for reading a record as it is now (`GET`); `{key}` is the change's key.
    pub read: Option<String>,
    /// Name of the environment variable holding the bearer token.
    pub token_env: Option<String>,
    /// Per-request time-out in milliseconds.
    pub timeout_ms: Option<u64>,
}

fn default_method() -> String {
    "PUT".to_owned()
}

/// How a system reports rejected values (used by `trace --log`).
#[derive(Debug, Clone)]
pub enum ErrorPattern {
    /// A custom regular expression with named groups `field`, `value`, `key`.
    Pattern {
        /// The compiled expression.
        regex: regex::Regex,
        /// The field, when the pattern names it outright.
        field: Option<String>,
        /// Where the pattern is declared.
        span: Span,
    },
    /// A built-in preset for a common backend.
    Preset {
        /// `oracle`, `postgres`, `mysql`, `sqlserver` or `ldap`.
        preset: String,
        /// Column name in messages → JSON Pointer in the record.
        columns: IndexMap<String, String>,
        /// Where the preset is declared.
        span: Span,
    },
}

/// A directed edge `from → to` with a field mapping.
#[derive(Debug)]
pub struct Flow {
    /// Source system.
    pub from: SystemId,
    /// Target system.
    pub to: SystemId,
    /// When values travel ("realtime", "nightly 02:00", …).
    pub schedule: Option<String>,
    /// Target field ← expression over the source record, in declaration order.
    pub mappings: Vec<Mapping>,
    /// The span of the flow entry (its `from` value).
    pub span: Span,
}

/// One target field of a flow and the expression that fills it.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The target field in the `to` system's record.
    pub target: FieldPath,
    /// The target field as a JSON Pointer.
    pub target_pointer: Arc<str>,
    /// The parsed expression.
    pub expr: Expr,
    /// The source fields the expression reads, with their JSON Pointers.
    pub inputs: Vec<(FieldPath, String)>,
    /// The expression as written.
    pub source: Arc<str>,
    /// The span of the target key.
    pub target_span: Span,
    /// The span of the expression scalar in the YAML file.
    pub span: Span,
    /// Byte offset in the file where the expression text starts, when the scalar holds it
    /// verbatim (plain or simply quoted), so sub-expressions can be underlined exactly.
    pub text_offset: Option<usize>,
}

impl Mapping {
    /// The span of `range` (byte offsets into [`Mapping::source`]) in the pipeline file,
    /// or the whole expression when it cannot be located exactly.
    #[must_use]
    pub fn sub_span(&self, file: &SourceFile, range: std::ops::Range<usize>) -> Span {
        match self.text_offset {
            Some(offset) => file.span(offset + range.start, offset + range.end.max(range.start)),
            None => self.span,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn ids_are_positions_handed_out_by_the_pipeline() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/customer-identity.yaml");
        let p = super::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<_> = p.system_ids().collect();
        assert_eq!(ids.len(), p.systems.len());
        for (i, (id, system)) in p.systems_with_ids().enumerate() {
            assert_eq!(id, ids[i]);
            assert_eq!(id.index(), i);
            assert_eq!(p.system_id(&system.id), Some(id));
            assert!(std::ptr::eq(p.system(id), system));
            assert!(std::ptr::eq(&p[id], &p.systems[id]));
        }
        for (i, (id, flow)) in p.flows_with_ids().enumerate() {
            assert_eq!(id.index(), i);
            assert!(std::ptr::eq(p.flow(id), flow));
            assert!(std::ptr::eq(&p[id], &p.flows[id]));
            assert!(ids.contains(&flow.from) && ids.contains(&flow.to));
        }
        assert_eq!(p.system_id("no-such-system"), None);
    }
}
