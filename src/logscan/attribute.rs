//! Which system a recognised message belongs to, and which of its fields and values.
//!
//! Several systems may use the same preset (two Oracle databases). The message goes to the
//! system that knows its column best: a `TABLE.COLUMN` key in the preset's `columns`, then a
//! `COLUMN` key, then a schema property of that name, case-insensitively (for PostgreSQL's
//! 22001, which names no column, the only field of the type's length); among equals, the
//! first declared. The rule is deterministic so the same log always gives the same report.

use super::fields::{Columns, SystemFields, TIER_NONE, TIER_SCHEMA, Tier, resolve_column};
use super::preset::{Hit, Preset};
use crate::pipeline::SystemId;

/// A preset as one system uses it.
#[derive(Debug)]
pub(super) struct Use {
    /// The system that declares it.
    pub system: SystemId,
    /// The preset.
    pub preset: Preset,
    /// Its `columns` map.
    pub columns: Columns,
}

/// Where a message belongs.
#[derive(Debug, PartialEq)]
pub(super) struct Attribution {
    /// The system.
    pub system: SystemId,
    /// The field, as a JSON Pointer, when it is certain.
    pub field: Option<String>,
    /// The rejected value, when it is certain.
    pub value: Option<String>,
}

/// The system among the users of `preset` that `hit` belongs to; `None` when no system
/// uses the preset.
pub(super) fn attribute(
    uses: &[Use],
    fields: &[SystemFields],
    preset: Preset,
    hit: &Hit,
) -> Option<Attribution> {
    let mut best: Option<(Tier, Attribution)> = None;
    for u in uses.iter().filter(|u| u.preset == preset) {
        let (tier, field, value) = candidate(u, &fields[u.system.index()], hit);
        if best.as_ref().is_none_or(|(t, _)| tier > *t) {
            let system = u.system;
            best = Some((
                tier,
                Attribution {
                    system,
                    field,
                    value,
                },
            ));
        }
    }
    best.map(|(_, a)| a)
}

/// The system among the users of `preset` that a message naming `column` (of `table`)
/// belongs to, and the field: what [`attribute`] decides for a hit that names its column
/// (not PostgreSQL's 22001), without the value. It depends on nothing else, so the scanner
/// decides it once per column (README, "Benchmarks": a dense log repeats a few columns
/// hundreds of thousands of times).
pub(super) fn attribute_column(
    uses: &[Use],
    fields: &[SystemFields],
    preset: Preset,
    table: Option<&str>,
    column: &str,
) -> Option<(SystemId, Option<String>)> {
    let mut best: Option<(Tier, SystemId, Option<String>)> = None;
    for u in uses.iter().filter(|u| u.preset == preset) {
        let (tier, field) = resolve_column(&u.columns, &fields[u.system.index()], table, column);
        if best.as_ref().is_none_or(|(t, _, _)| tier > *t) {
            best = Some((tier, u.system, field));
        }
    }
    best.map(|(_, system, field)| (system, field))
}

/// The field and value `hit` names in `u`'s system, and how sure the field is.
///
/// PostgreSQL's 22001 names neither: the value is the statement's literal that the type's
/// length rejects, and the field must be both that literal's INSERT column (when known)
/// and the system's only field of that length (when there is one); when they disagree the
/// field is left out.
fn candidate(u: &Use, fields: &SystemFields, hit: &Hit) -> (Tier, Option<String>, Option<String>) {
    let resolve =
        |table: Option<&str>, column: &str| resolve_column(&u.columns, fields, table, column);
    if !hit.by_limit {
        let (tier, field) = hit
            .column
            .as_deref()
            .map_or((TIER_NONE, None), |c| resolve(hit.table.as_deref(), c));
        return (tier, field, hit.value.clone());
    }
    let table = hit
        .table
        .clone()
        .or_else(|| hit.statement.as_ref().and_then(|s| s.table()));
    let (value, column) = match (&hit.statement, hit.limit) {
        (Some(statement), Some(limit)) => statement.rejected(limit, |column| {
            let field = resolve(table.as_deref(), column).1?;
            fields.limits_of(&field).map(<[u64]>::to_vec)
        }),
        _ => (None, None),
    };
    let by_column = column.map(|c| resolve(table.as_deref(), &c));
    let by_limit = hit.limit.and_then(|n| fields.with_limit(n));
    let (tier, field) = match (by_column, by_limit) {
        (Some((tier, Some(a))), Some(b)) if a == b => (tier.max(TIER_SCHEMA), Some(a)),
        (Some((_, Some(_))), Some(_)) => (TIER_NONE, None),
        (Some((tier, Some(a))), None) => (tier, Some(a)),
        (_, Some(b)) => (TIER_SCHEMA, Some(b.to_owned())),
        _ => (TIER_NONE, None),
    };
    (tier, field, value)
}
