//! The DDL rules of README "`ripple import sql`", one test each.

use serde_json::{Value, json};

use super::*;

fn import(dialect: Dialect, text: &str) -> Result<IndexMap<String, Value>, Error> {
    let file = SourceFile::new("test.sql", text);
    import_sql_files(&[file], &SqlOptions::new(dialect))
}

fn table(dialect: Dialect, text: &str) -> Value {
    match import(dialect, text) {
        Ok(mut tables) => tables
            .shift_remove_index(0)
            .map(|(_, v)| v)
            .unwrap_or_default(),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn oracle_columns_and_nullability() {
    let t = table(
        Dialect::Oracle,
        "CREATE TABLE EMPLOYEES (LOGIN VARCHAR2(12 BYTE) NOT NULL, NAME VARCHAR2(30 CHAR), N NVARCHAR2(5));",
    );
    assert_eq!(
        t["properties"]["login"],
        json!({"type": "string", "x-maxBytes": 12, "x-source": "EMPLOYEES.LOGIN VARCHAR2(12 BYTE)"})
    );
    assert_eq!(t["properties"]["name"]["type"], json!(["string", "null"]));
    assert_eq!(t["properties"]["name"]["maxLength"], 30);
    assert_eq!(t["properties"]["n"]["x-maxBytes"], 10);
    assert_eq!(t["required"], json!(["login"]));
    assert_eq!(t["additionalProperties"], false);
    assert_eq!(t["$schema"], crate::import::DRAFT_2020_12);
}

#[test]
fn length_semantics_char_counts_characters() {
    let file = SourceFile::new(
        "t.sql",
        "CREATE TABLE t (a VARCHAR2(4), b VARCHAR2(4 BYTE));",
    );
    let options = SqlOptions {
        length_semantics: LengthSemantics::Char,
        ..SqlOptions::new(Dialect::Oracle)
    };
    let t = import_sql_files(&[file], &options).unwrap_or_default();
    assert_eq!(t["t"]["properties"]["a"]["maxLength"], 4);
    assert_eq!(t["t"]["properties"]["b"]["x-maxBytes"], 4);
}

#[test]
fn oracle_alter_with_parentheses_adds_and_modifies() {
    let t = table(
        Dialect::Oracle,
        "CREATE TABLE t (a VARCHAR2(4) NOT NULL);\nALTER TABLE t ADD (b NUMBER(3), c DATE);\nALTER TABLE t MODIFY (a VARCHAR2(8));\n/\n",
    );
    assert_eq!(t["properties"]["a"]["x-maxBytes"], 8);
    assert_eq!(t["required"], json!(["a"]), "MODIFY keeps NOT NULL");
    assert_eq!(t["properties"]["b"]["maximum"], 999);
    assert_eq!(t["properties"]["c"]["format"], "date-time");
}

#[test]
fn postgres_enums_checks_and_folding() {
    let t = table(
        Dialect::Postgres,
        r#"CREATE TYPE s.mood AS ENUM ('sad', 'ok');
           -- a comment; with a semicolon
           CREATE TABLE s."Person" (
             "Nick" varchar(10) NOT NULL CHECK (char_length("Nick") >= 2),
             Mood s.mood,
             code char(2) CHECK (code IN ('FI', 'SE')),
             id uuid PRIMARY KEY,
             n integer NOT NULL DEFAULT 0
           );"#,
    );
    assert_eq!(t["title"], "s.Person");
    assert_eq!(
        t["properties"]["Nick"],
        json!({"type": "string", "maxLength": 10, "minLength": 2, "x-source": "Person.Nick VARCHAR(10)"})
    );
    assert_eq!(t["properties"]["mood"]["enum"], json!(["sad", "ok", null]));
    assert_eq!(t["properties"]["code"]["enum"], json!(["FI", "SE", null]));
    assert_eq!(t["properties"]["id"]["format"], "uuid");
    assert_eq!(
        t["required"],
        json!(["Nick", "id"]),
        "a column with a default is not required"
    );
    assert_eq!(t["properties"]["n"]["type"], "integer");
}

#[test]
fn postgres_alter_column() {
    let t = table(
        Dialect::Postgres,
        "CREATE TABLE t (a text, b int);\nALTER TABLE t ALTER COLUMN a TYPE varchar(5), ALTER COLUMN a SET NOT NULL;\nALTER TABLE t DROP COLUMN b;\nALTER TABLE t ADD CONSTRAINT c CHECK (char_length(a) > 1);",
    );
    assert_eq!(
        t["properties"]["a"],
        json!({"type": "string", "maxLength": 5, "minLength": 2, "x-source": "t.a VARCHAR(5)"})
    );
    assert!(t["properties"].get("b").is_none());
    assert_eq!(t["required"], json!(["a"]));
}

#[test]
fn mysql_charsets_enums_and_booleans() {
    let t = table(
        Dialect::Mysql,
        "CREATE TABLE `u` (`a` VARCHAR(5) NOT NULL, b VARCHAR(5) CHARSET latin1, c ENUM('x','y') NOT NULL, d TINYINT(1), e VARCHAR(3) CHARACTER SET utf8mb4, f CHAR(2) COLLATE ascii_bin) DEFAULT CHARSET=utf8;",
    );
    assert_eq!(t["properties"]["a"]["x-charset"], "utf8mb3");
    assert_eq!(t["properties"]["a"]["maxLength"], 5);
    assert_eq!(t["properties"]["b"]["x-charset"], "latin1");
    assert_eq!(t["properties"]["c"]["enum"], json!(["x", "y"]));
    assert_eq!(t["properties"]["d"]["type"], json!(["boolean", "null"]));
    assert!(t["properties"]["e"].get("x-charset").is_none());
    assert_eq!(t["properties"]["f"]["x-charset"], "ascii");
    let t = table(
        Dialect::Mysql,
        "CREATE TABLE t (a VARCHAR(2)) COLLATE=latin1_swedish_ci;",
    );
    assert_eq!(t["properties"]["a"]["x-charset"], "latin1");
}

#[test]
fn mysql_modify_and_change() {
    let t = table(
        Dialect::Mysql,
        "CREATE TABLE t (a VARCHAR(5) NOT NULL, b INT);\nALTER TABLE t MODIFY COLUMN a VARCHAR(9);\nALTER TABLE t CHANGE b c BIGINT NOT NULL;",
    );
    assert_eq!(t["properties"]["a"]["maxLength"], 9);
    assert_eq!(
        t["properties"]["a"]["type"],
        json!(["string", "null"]),
        "MODIFY redefines"
    );
    assert_eq!(t["properties"]["c"]["type"], "integer");
    assert_eq!(t["required"], json!(["c"]));
}

#[test]
fn sqlserver_bytes_utf16_and_go() {
    let t = table(
        Dialect::Sqlserver,
        "CREATE TABLE [dbo].[T] ([A] VARCHAR(26) NOT NULL, [B] NVARCHAR(10), C NVARCHAR(MAX), D VARCHAR(4) COLLATE Latin1_General_100_CI_AS_SC_UTF8)\nGO\nALTER TABLE dbo.T ADD E BIT NULL\nGO\n",
    );
    assert_eq!(t["properties"]["A"]["x-maxBytes"], 26);
    assert_eq!(t["properties"]["A"]["x-charset"], "latin1");
    assert_eq!(t["properties"]["B"]["x-maxBytes"], 20);
    assert_eq!(t["properties"]["B"]["x-encoding"], "utf-16");
    assert_eq!(t["properties"]["c"]["type"], json!(["string", "null"]));
    assert!(t["properties"]["c"].get("x-maxBytes").is_none());
    assert!(t["properties"]["d"].get("x-charset").is_none());
    assert_eq!(t["properties"]["e"]["type"], json!(["boolean", "null"]));
    assert_eq!(t["title"], "dbo.T");
}

#[test]
fn several_tables_and_one_picked() {
    let text = "CREATE TABLE a (x INT); CREATE INDEX i ON a (x); CREATE TABLE s.b (y INT);";
    let all = import(Dialect::Postgres, text).unwrap_or_default();
    assert_eq!(all.keys().collect::<Vec<_>>(), ["a", "b"]);
    let file = SourceFile::new("t.sql", text);
    let options = SqlOptions {
        table: Some("S.B".into()),
        ..SqlOptions::new(Dialect::Postgres)
    };
    let one = import_sql_files(std::slice::from_ref(&file), &options).unwrap_or_default();
    assert_eq!(one.keys().collect::<Vec<_>>(), ["b"]);
    let options = SqlOptions {
        table: Some("c".into()),
        ..SqlOptions::new(Dialect::Postgres)
    };
    let err = import_sql_files(&[file], &options).err().map(|e| e.message);
    assert_eq!(err.as_deref(), Some("no table `c` in t.sql"));
}

#[test]
fn parse_errors_are_located() {
    let err = import(
        Dialect::Postgres,
        "CREATE INDEX whatever garbage;\n\nCREATE TABLE t (\n  a varchar(5),\n  b varchar(,\n);",
    )
    .err();
    let Some(err) = err else { panic!("no error") };
    let at = err.location.as_ref().map(|l| (l.span.line, l.span.column));
    assert_eq!(at, Some((5, 13)), "{err}");
    assert_eq!(err.kind, ErrorKind::Syntax);
    assert!(
        err.message.starts_with("invalid SQL: expected"),
        "{}",
        err.message
    );
}

#[test]
fn unterminated_strings_are_located() {
    let err = import(
        Dialect::Oracle,
        "CREATE TABLE t (a CHAR(1) CHECK (a IN ('x)));",
    )
    .err();
    let at = err
        .and_then(|e| e.location)
        .map(|l| (l.span.line, l.span.column));
    assert_eq!(at, Some((1, 40)));
}

#[test]
fn no_table_is_an_error() {
    let err = import(Dialect::Mysql, "-- nothing\nSELECT 1;")
        .err()
        .map(|e| e.message);
    assert_eq!(
        err.as_deref(),
        Some("no CREATE TABLE statement in test.sql")
    );
}

#[test]
fn duplicate_names_in_different_schemas_are_an_error() {
    let err = import(
        Dialect::Postgres,
        "CREATE TABLE a.t (x int);\nCREATE TABLE b.t (x int);",
    )
    .err();
    let at = err.and_then(|e| e.location).map(|l| l.span.line);
    assert_eq!(at, Some(2));
}

#[test]
fn dialects_are_guessed_from_their_own_words() {
    assert_eq!(
        Dialect::guess("create table t (a varchar2(3 byte));"),
        Dialect::Oracle
    );
    assert_eq!(
        Dialect::guess("CREATE TABLE `t` (a INT) ENGINE=InnoDB;"),
        Dialect::Mysql
    );
    assert_eq!(
        Dialect::guess("CREATE TABLE [dbo].[t] (a INT)\nGO\n"),
        Dialect::Sqlserver
    );
    assert_eq!(
        Dialect::guess("CREATE TABLE t (a text);"),
        Dialect::Postgres
    );
}

#[test]
fn dumps_with_storage_clauses_and_owners_parse() {
    let oracle = r#"  CREATE TABLE "HR"."EMPLOYEES"
   (	"EMPLOYEE_ID" NUMBER(6,0),
	"DATE" DATE,
	"Mixed" VARCHAR2(25 BYTE) CONSTRAINT "EMP_EMAIL_NN" NOT NULL ENABLE,
	 CONSTRAINT "EMP_SALARY_MIN" CHECK (EMPLOYEE_ID > 0) ENABLE,
	 CONSTRAINT "EMP_EMP_ID_PK" PRIMARY KEY ("EMPLOYEE_ID")
  USING INDEX PCTFREE 10 INITRANS 2 TABLESPACE "USERS"  ENABLE
   ) SEGMENT CREATION IMMEDIATE PCTFREE 10
 NOCOMPRESS LOGGING TABLESPACE "USERS" ;
"#;
    let t = table(Dialect::Oracle, oracle);
    assert_eq!(t["title"], "HR.EMPLOYEES");
    let keys: Vec<&String> = t["properties"]
        .as_object()
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["employee_id", "date", "Mixed"]);
    assert_eq!(t["properties"]["employee_id"]["exclusiveMinimum"], 0);
    assert_eq!(t["required"], json!(["employee_id", "Mixed"]));

    let pg = "SET statement_timeout = 0;\nCREATE TABLE public.t (id integer NOT NULL, name character varying(40) NOT NULL);\nALTER TABLE public.t OWNER TO app;\nALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.t_id_seq\n    START WITH 1\n    CACHE 1\n);\nALTER TABLE ONLY public.t ALTER COLUMN name SET STATISTICS 100;\n";
    let t = table(Dialect::Postgres, pg);
    assert_eq!(
        t["required"],
        json!(["name"]),
        "the identity column is filled by the database"
    );

    let ms = "SET ANSI_NULLS ON\nGO\nCREATE TABLE [dbo].[T](\n\t[A] [int] IDENTITY(1,1) NOT NULL,\n\t[B] [varchar](26) NOT NULL,\n CONSTRAINT [PK_T] PRIMARY KEY CLUSTERED \n(\n\t[A] ASC\n)WITH (PAD_INDEX = OFF) ON [PRIMARY]\n) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]\nGO\nALTER TABLE [dbo].[T] ADD  DEFAULT ('x') FOR [B]\nGO\n";
    let t = table(Dialect::Sqlserver, ms);
    assert_eq!(t["properties"]["B"]["x-maxBytes"], 26);
    assert_eq!(t["properties"]["B"]["x-source"], "T.B varchar(26)");
    assert_eq!(t["properties"]["A"]["type"], "integer");
}

#[test]
fn oracle_modify_keeps_what_it_does_not_restate() {
    let t = table(
        Dialect::Oracle,
        "CREATE TABLE t (a VARCHAR2(4), b NUMBER(3) NOT NULL, c DATE);\nALTER TABLE t MODIFY (a NOT NULL, b VARCHAR2(9));\nALTER TABLE t MODIFY c NULL;\nALTER TABLE t MODIFY a DEFAULT 'x';\n",
    );
    assert_eq!(
        t["properties"]["a"],
        json!({"type": "string", "x-maxBytes": 4, "x-source": "t.a VARCHAR2(4)"})
    );
    assert_eq!(t["properties"]["b"]["x-maxBytes"], 9);
    assert_eq!(t["properties"]["c"]["type"], json!(["string", "null"]));
    assert_eq!(
        t["required"],
        json!(["b"]),
        "a has a default now; b stays NOT NULL"
    );
}

#[test]
fn columns_named_like_clauses_are_kept() {
    let t = table(
        Dialect::Oracle,
        "CREATE TABLE t (validate NUMBER(1), enable VARCHAR2(3) ENABLE);",
    );
    let keys: Vec<&String> = t["properties"]
        .as_object()
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["validate", "enable"]);
}

#[test]
fn comments_become_descriptions() {
    let t = table(
        Dialect::Postgres,
        "CREATE TABLE s.t (a text);\nCOMMENT ON TABLE s.t IS 'People';\nCOMMENT ON COLUMN s.t.a IS 'The name';\nCOMMENT ON COLUMN other.x IS 'elsewhere';",
    );
    assert_eq!(t["description"], "People");
    assert_eq!(t["properties"]["a"]["description"], "The name");
    let t = table(
        Dialect::Mysql,
        "CREATE TABLE t (a INT COMMENT 'Age in years');",
    );
    assert_eq!(t["properties"]["a"]["description"], "Age in years");
}
