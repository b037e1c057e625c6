//! The SQL dialects a system's DDL is written in (README, "`ripple import sql`" and
//! "Pipelines": a `source:`'s `dialect`).
//!
//! Its own small module because two others name it: `pipeline` reads a `source:`'s
//! `dialect` into it and `import` parses DDL by it, while `import` also reads pipelines
//! (`--update`), so the enum cannot live in either without a cycle. It is re-exported as
//! `import::Dialect`, where it has always been seen.

/// The SQL dialects `ripple import sql` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Oracle Database: `VARCHAR2(n [BYTE|CHAR])`, `NUMBER(p,s)`, `NVARCHAR2(n)`.
    Oracle,
    /// PostgreSQL: lengths in characters, `CREATE TYPE … AS ENUM`.
    Postgres,
    /// MySQL: lengths in characters, `CHARACTER SET`, `ENUM(…)`, `TINYINT(1)`.
    Mysql,
    /// SQL Server: `VARCHAR(n)` in bytes of a Latin1 code page, `NVARCHAR(n)` in UTF-16.
    Sqlserver,
}

impl Dialect {
    /// Every dialect, in the order the README lists them.
    pub const ALL: [Self; 4] = [Self::Oracle, Self::Postgres, Self::Mysql, Self::Sqlserver];

    /// The dialect's name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Oracle => "oracle",
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
            Self::Sqlserver => "sqlserver",
        }
    }

    /// The dialect named `name` (as [`Dialect::name`] spells it).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The dialect `text` is most likely written in, from words only one dialect uses
    /// (`VARCHAR2`, backquotes, `[dbo]`, a `GO` line …); PostgreSQL when nothing tells.
    #[must_use]
    pub fn guess(text: &str) -> Self {
        let upper = text.to_ascii_uppercase();
        let count = |words: &[&str]| words.iter().filter(|w| upper.contains(*w)).count();
        let go = upper.lines().any(|l| l.trim() == "GO");
        let scores = [
            (
                Self::Oracle,
                count(&["VARCHAR2", "NUMBER(", " BYTE)", " CHAR)", "SYSDATE"]),
            ),
            (
                Self::Mysql,
                count(&[
                    "`",
                    "ENGINE=",
                    "ENGINE =",
                    "AUTO_INCREMENT",
                    "CHARSET",
                    "TINYINT(",
                ]),
            ),
            (
                Self::Sqlserver,
                count(&[
                    "[DBO]",
                    "NVARCHAR(",
                    "IDENTITY(",
                    "UNIQUEIDENTIFIER",
                    "DATETIME2",
                ]) + usize::from(go),
            ),
        ];
        scores
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .max_by_key(|(_, n)| *n)
            .map_or(Self::Postgres, |(d, _)| d)
    }
}
