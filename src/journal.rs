//! The journal: every submitted change, written before it is sent (README, "`--submit`").
//!
//! An embedded SQLite database (`.ripple/journal.db` by default) in WAL mode with
//! `synchronous=FULL`, so an entry that [`Journal::insert`] returned is on disk before a byte
//! goes to the network: a crash between sending and the acknowledgement leaves the entry
//! `pending`, and `ripple journal resume` sends it again with the same idempotency key.
//!
//! Two tables: `changes` (one row per change, keyed by its idempotency key) and
//! `change_values` (every value the change derives in every system it reaches), so
//! `trace --log` can find the change that set value V in field F of system S
//! ([`Journal::find_by_value`]). The bearer token is never written: no column holds a
//! header, and error texts are built by ripple, not copied from requests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::text::now_rfc3339;

/// Where the journal lives unless `--journal` says otherwise.
pub const DEFAULT_PATH: &str = ".ripple/journal.db";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS changes (
    id           TEXT PRIMARY KEY,
    pipeline     TEXT NOT NULL,
    entry        TEXT NOT NULL,
    key          TEXT,
    requested_by TEXT,
    record       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'acknowledged', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    http_status  INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    change       TEXT,
    current      TEXT
);
CREATE INDEX IF NOT EXISTS changes_by_key ON changes (entry, key);
CREATE INDEX IF NOT EXISTS changes_by_status ON changes (status);
CREATE TABLE IF NOT EXISTS change_values (
    change_id TEXT NOT NULL REFERENCES changes (id) ON DELETE CASCADE,
    system    TEXT NOT NULL,
    pointer   TEXT NOT NULL,
    value     TEXT NOT NULL,
    text      TEXT NOT NULL,
    PRIMARY KEY (change_id, system, pointer, text)
);
CREATE INDEX IF NOT EXISTS change_values_lookup ON change_values (system, pointer, text);
PRAGMA user_version = 2;
";

/// Where a journalled change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Written, not (yet) acknowledged: a crash, or retries ran out.
    Pending,
    /// The entry system answered 2xx.
    Acknowledged,
    /// The entry system refused it (a 4xx other than 429); not retried.
    Failed,
}

impl EntryStatus {
    /// The status as stored and printed.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Acknowledged => "acknowledged",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "acknowledged" => Self::Acknowledged,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// A journalled change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The idempotency key.
    pub id: String,
    /// The pipeline file (absolute), to find the endpoint again on `resume`.
    pub pipeline: String,
    /// The entry system's id.
    pub entry: String,
    /// The record's key in the entry system.
    pub key: Option<String>,
    /// Who asked for the change.
    pub requested_by: Option<String>,
    /// The entry record sent (the change merged into the current record, when that was
    /// known).
    pub record: Value,
    /// The change as requested (its `record`), when journalled by a version that kept it.
    pub change: Option<Value>,
    /// The entry record as it was before the change, when known.
    pub current: Option<Value>,
    /// Where it stands.
    pub status: EntryStatus,
    /// Requests made so far.
    pub attempts: u32,
    /// Why the last attempt did not succeed.
    pub last_error: Option<String>,
    /// The last HTTP status received.
    pub http_status: Option<u16>,
    /// When it was written (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// A value the change derives in one system: what `trace --log` looks up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldValue {
    /// The system's id.
    pub system: String,
    /// JSON Pointer into that system's record.
    pub pointer: String,
    /// The value.
    pub value: Value,
}

/// A change about to be journalled.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    /// The idempotency key.
    pub id: &'a str,
    /// The pipeline file (absolute).
    pub pipeline: &'a str,
    /// The entry system's id.
    pub entry: &'a str,
    /// The record's key.
    pub key: Option<&'a str>,
    /// Who asked.
    pub requested_by: Option<&'a str>,
    /// The entry record sent.
    pub record: &'a Value,
    /// The change as requested.
    pub change: &'a Value,
    /// The record before the change, when known.
    pub current: Option<&'a Value>,
    /// Every derived value, in every system reached.
    pub values: &'a [FieldValue],
}

/// What [`Journal::insert`] did.
#[derive(Debug, Clone)]
pub enum Inserted {
    /// A new pending entry is on disk.
    New(Entry),
    /// An entry with that id was already there (unchanged).
    Existing(Entry),
}

/// An open journal database.
#[derive(Debug)]
pub struct Journal {
    conn: Connection,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating it and its folder when missing) the journal at `path`.
    ///
    /// # Errors
    /// When the folder or database cannot be created, or the file is not a journal.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::new(
                    ErrorKind::Journal,
                    format!("cannot create {}: {e}", parent.display()),
                )
            })?;
        }
        let conn = Connection::open(path).map_err(|e| db_error(path, &e))?;
        let journal = Self {
            conn,
            path: path.to_path_buf(),
        };
        journal.prepare()?;
        Ok(journal)
    }

    /// Opens the journal at `path`, which must exist (for listing and resuming).
    ///
    /// # Errors
    /// When there is no journal at `path`, or as [`Journal::open`].
    pub fn open_existing(path: &Path) -> Result<Self, Error> {
        if !path.exists() {
            return Err(Error::new(
                ErrorKind::Journal,
                format!("there is no journal at {}", path.display()),
            )
            .help("`ripple validate … --submit` creates it; `--journal PATH` names another"));
        }
        Self::open(path)
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn prepare(&self) -> Result<(), Error> {
        let err = |e: rusqlite::Error| db_error(&self.path, &e);
        self.conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(err)?;
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(mode, "the journal could not switch to WAL mode");
        }
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        // Version 1 journals lack the change and the current record: add the columns.
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        if version == 1 {
            self.conn
                .execute_batch(
                    "ALTER TABLE changes ADD COLUMN change TEXT;
                     ALTER TABLE changes ADD COLUMN current TEXT;",
                )
                .map_err(err)?;
        }
        self.conn.execute_batch(SCHEMA).map_err(err)
    }

    /// Writes a new pending change and its derived values in one transaction, durable when
    /// this returns; an existing entry with the same id is returned untouched.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub fn insert(&mut self, new: &NewEntry<'_>) -> Result<Inserted, Error> {
        if let Some(existing) = self.get(new.id)? {
            return Ok(Inserted::Existing(existing));
        }
        let path = self.path.clone();
        let err = |e: rusqlite::Error| db_error(&path, &e);
        let now = now_rfc3339();
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT INTO changes (id, pipeline, entry, key, requested_by, record, status,
                                  attempts, created_at, updated_at, change, current)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?7, ?8, ?9)",
            params![
                new.id,
                new.pipeline,
                new.entry,
                new.key,
                new.requested_by,
                new.record.to_string(),
                now,
                new.change.to_string(),
                new.current.map(Value::to_string)
            ],
        )
        .map_err(err)?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT OR IGNORE INTO change_values (change_id, system, pointer, value, text)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(err)?;
            for v in new.values {
                stmt.execute(params![
                    new.id,
                    v.system,
                    v.pointer,
                    v.value.to_string(),
                    value_text(&v.value)
                ])
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        let entry = self.get(new.id)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Journal,
                format!("{}: the entry just written is missing", path.display()),
            )
        })?;
        Ok(Inserted::New(entry))
    }

    /// Records one attempt at sending `id`: its outcome, HTTP status and error.
    ///
    /// # Errors
    /// When the database cannot be written.
    pub fn record_attempt(
        &self,
        id: &str,
        status: EntryStatus,
        http_status: Option<u16>,
        last_error: Option<&str>,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                "UPDATE changes SET status = ?2, attempts = attempts + 1, http_status = ?3,
                        last_error = ?4, updated_at = ?5
                 WHERE id = ?1",
                params![id, status.as_str(), http_status, last_error, now_rfc3339()],
            )
            .map(|_| ())
            .map_err(|e| db_error(&self.path, &e))
    }

    /// The entry with idempotency key `id`.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn get(&self, id: &str) -> Result<Option<Entry>, Error> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM changes WHERE id = ?1"),
                [id],
                entry_from_row,
            )
            .optional()
            .map_err(|e| db_error(&self.path, &e))
    }

    /// Every entry, oldest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn list(&self) -> Result<Vec<Entry>, Error> {
        self.query(
            &format!("SELECT {COLUMNS} FROM changes ORDER BY created_at, rowid"),
            [],
        )
    }

    /// The entries still pending, oldest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn pending(&self) -> Result<Vec<Entry>, Error> {
        self.query(
            &format!(
                "SELECT {COLUMNS} FROM changes WHERE status = 'pending' ORDER BY created_at, rowid"
            ),
            [],
        )
    }

    /// The entries for record `key` of entry system `entry`, newest first.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn find_by_key(&self, entry: &str, key: &str) -> Result<Vec<Entry>, Error> {
        self.query(
            &format!(
                "SELECT {COLUMNS} FROM changes WHERE entry = ?1 AND key = ?2
                 ORDER BY created_at DESC, rowid DESC"
            ),
            [entry, key],
        )
    }

    /// The newest change that derived `value` for field `pointer` of `system`. `value` is the
    /// text as a log shows it: a string without quotes, anything else as JSON.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn find_by_value(
        &self,
        system: &str,
        pointer: &str,
        value: &str,
    ) -> Result<Option<Entry>, Error> {
        let columns = COLUMNS
            .split(", ")
            .map(|c| format!("c.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.query(
            &format!(
                "SELECT {columns} FROM changes c JOIN change_values v ON v.change_id = c.id
                 WHERE v.system = ?1 AND v.pointer = ?2 AND v.text = ?3
                 ORDER BY c.created_at DESC, c.rowid DESC LIMIT 1"
            ),
            [system, pointer, value],
        )
        .map(|mut found| found.pop())
    }

    /// The values change `id` derived, by system and field.
    ///
    /// # Errors
    /// When the database cannot be read.
    pub fn values(&self, id: &str) -> Result<Vec<FieldValue>, Error> {
        let err = |e: rusqlite::Error| db_error(&self.path, &e);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT system, pointer, value FROM change_values WHERE change_id = ?1
                 ORDER BY rowid",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([id], |r| {
                let value: String = r.get(2)?;
                Ok(FieldValue {
                    system: r.get(0)?,
                    pointer: r.get(1)?,
                    value: serde_json::from_str(&value).unwrap_or(Value::String(value)),
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn query<P: rusqlite::Params>(&self, sql: &str, params: P) -> Result<Vec<Entry>, Error> {
        let err = |e: rusqlite::Error| db_error(&self.path, &e);
        let mut stmt = self.conn.prepare(sql).map_err(err)?;
        let rows = stmt.query_map(params, entry_from_row).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }
}

const COLUMNS: &str = "id, pipeline, entry, key, requested_by, record, status, attempts, last_error, http_status, created_at, updated_at, change, current";

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let record: String = r.get(5)?;
    let status: String = r.get(6)?;
    Ok(Entry {
        id: r.get(0)?,
        pipeline: r.get(1)?,
        entry: r.get(2)?,
        key: r.get(3)?,
        requested_by: r.get(4)?,
        record: serde_json::from_str(&record).unwrap_or(Value::String(record)),
        status: EntryStatus::parse(&status),
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        http_status: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        change: json_column(r.get(12)?),
        current: json_column(r.get(13)?),
    })
}

fn json_column(text: Option<String>) -> Option<Value> {
    text.map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

fn db_error(path: &Path, err: &rusqlite::Error) -> Error {
    Error::new(
        ErrorKind::Journal,
        format!("journal {}: {err}", path.display()),
    )
    .in_file(path)
}

/// A value as a log line would show it.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub use crate::pointer::leaves;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_are_found_by_value_and_key() -> Result<(), Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::new(ErrorKind::Io, e.to_string()))?;
        let path = dir.path().join("nested/journal.db");
        let mut journal = Journal::open(&path)?;
        let record = serde_json::json!({"username": "matti", "address": {"street": "Katu 1"}});
        let values = [
            FieldValue {
                system: "web".into(),
                pointer: "/username".into(),
                value: "matti".into(),
            },
            FieldValue {
                system: "pay".into(),
                pointer: "/cost".into(),
                value: 12000.into(),
            },
        ];
        let new = NewEntry {
            id: "chg-1",
            pipeline: "/p/x.yaml",
            entry: "web",
            key: Some("c-1"),
            requested_by: Some("anna"),
            record: &record,
            change: &record,
            current: None,
            values: &values,
        };
        let Inserted::New(entry) = journal.insert(&new)? else {
            panic!("expected a new entry");
        };
        assert_eq!(entry.status, EntryStatus::Pending);
        assert_eq!(entry.record, record);
        assert_eq!(entry.change.as_ref(), Some(&record));
        assert_eq!(entry.current, None);
        assert!(matches!(journal.insert(&new)?, Inserted::Existing(_)));
        journal.record_attempt("chg-1", EntryStatus::Pending, Some(503), Some("HTTP 503"))?;
        journal.record_attempt("chg-1", EntryStatus::Acknowledged, Some(200), None)?;
        let got = journal
            .get("chg-1")?
            .map(|e| (e.status, e.attempts, e.http_status));
        assert_eq!(got, Some((EntryStatus::Acknowledged, 2, Some(200))));
        let by_value = journal.find_by_value("pay", "/cost", "12000")?;
        assert_eq!(by_value.map(|e| e.id).as_deref(), Some("chg-1"));
        assert!(journal.find_by_value("pay", "/cost", "1")?.is_none());
        assert_eq!(journal.find_by_key("web", "c-1")?.len(), 1);
        assert_eq!(journal.values("chg-1")?, values);
        assert!(journal.pending()?.is_empty());
        Ok(())
    }

    #[test]
    fn leaves_have_pointers() {
        let v = serde_json::json!({"a": {"b/c": 1, "d": [true]}, "e": "x"});
        let got: Vec<String> = leaves(&v).into_iter().map(|(p, _)| p).collect();
        assert_eq!(got, ["/a/b~1c", "/a/d/0", "/e"]);
    }
}
