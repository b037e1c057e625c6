//! An LDAP object class as a JSON Schema (README, "`ripple import ldap`").
//!
//! Reads RFC 4512 `attributetype`/`objectclass` definitions, as OpenLDAP schema files
//! write them or as LDIF values (`olcAttributeTypes:`, `attributeTypes:`,
//! `olcObjectClasses:`, `objectClasses:`), and Active Directory schema LDIF
//! (`attributeSchema` and `classSchema` entries). A class's attributes are its own and
//! its superclasses' (`SUP`, `subClassOf`, AD auxiliary classes): `MUST` ones are
//! `required`, single-valued ones hold one value, multi-valued ones an array.

mod rfc4512;
mod syntax;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::error::{Error, ErrorKind};
use crate::span::SourceFile;

use super::{located, object_schema};

/// The object class `class` of the LDAP schema file at `path`.
///
/// # Errors
/// As [`import_ldap_files`].
pub fn import_ldap(path: &Path, class: &str) -> Result<Value, Error> {
    import_ldap_paths(&[path.to_path_buf()], class)
}

/// The object class `class` defined across the LDAP schema files `paths` (pass
/// `core.schema` too when the class's superclasses are defined there).
///
/// # Errors
/// As [`import_ldap_files`].
pub fn import_ldap_paths(paths: &[PathBuf], class: &str) -> Result<Value, Error> {
    let files = paths
        .iter()
        .map(|p| super::read_source(p))
        .collect::<Result<Vec<_>, _>>()?;
    import_ldap_files(&files, class)
}

/// [`import_ldap_paths`] on files already read.
///
/// # Errors
/// A definition that does not parse (located), no class `class`, or a superclass that
/// none of the files defines (located at the class).
pub fn import_ldap_files(files: &[Arc<SourceFile>], class: &str) -> Result<Value, Error> {
    let mut schema = Schema::default();
    for file in files {
        schema.read(file)?;
    }
    schema.class_schema(class, files)
}

/// What an attribute's values are.
#[derive(Debug, Clone)]
enum Syntax {
    /// An RFC 4517 syntax OID with its optional `{n}` upper bound.
    Rfc { oid: String, bound: Option<u64> },
    /// Active Directory's `attributeSyntax`, `oMSyntax` and range.
    Ad {
        syntax: String,
        om: Option<u32>,
        lower: Option<i64>,
        upper: Option<i64>,
    },
}

#[derive(Debug, Clone)]
struct Attribute {
    name: String,
    sup: Option<String>,
    syntax: Option<Syntax>,
    single: bool,
    /// How the definition said it, for `x-source`.
    source: String,
}

#[derive(Debug, Clone)]
struct Class {
    name: String,
    sups: Vec<String>,
    must: Vec<String>,
    may: Vec<String>,
    /// Where the class is defined: (file index, byte offset).
    at: (usize, usize),
}

#[derive(Debug, Default)]
struct Schema {
    /// By lower-case name (every `NAME` of a definition).
    attributes: HashMap<String, Attribute>,
    classes: HashMap<String, Class>,
    files: usize,
}

/// One logical line: continuation lines joined, with the file offset of every byte.
struct Line {
    text: String,
    origin: Vec<usize>,
}

impl Line {
    fn offset(&self, i: usize) -> usize {
        self.origin
            .get(i)
            .or(self.origin.last())
            .copied()
            .unwrap_or(0)
    }
}

/// The file's logical lines, grouped in entries (blank lines separate them). In LDIF a
/// continuation line's first space is dropped (RFC 2849 folding); in schema files it is
/// kept as a separator.
fn entries(file: &SourceFile) -> Vec<Vec<Line>> {
    let ldif = file
        .text
        .lines()
        .any(|l| l.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("dn:")));
    let mut out: Vec<Vec<Line>> = vec![Vec::new()];
    let mut offset = 0;
    for raw in file.text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            if out.last().is_some_and(|e| !e.is_empty()) {
                out.push(Vec::new());
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let entry = out.last_mut();
        let Some(entry) = entry else { continue };
        let continued = line.starts_with([' ', '\t']);
        match entry.last_mut() {
            Some(last) if continued => {
                let skip = if ldif { 1 } else { 0 };
                if !ldif {
                    last.text.push(' ');
                    last.origin.push(start);
                }
                let rest = &line[skip..];
                let rest_start = start + skip;
                last.text.push_str(rest);
                last.origin.extend((0..rest.len()).map(|i| rest_start + i));
            }
            _ => entry.push(Line {
                text: line.to_owned(),
                origin: (0..line.len()).map(|i| start + i).collect(),
            }),
        }
    }
    out
}

impl Schema {
    fn read(&mut self, file: &Arc<SourceFile>) -> Result<(), Error> {
        let index = self.files;
        self.files += 1;
        for entry in entries(file) {
            let mut ad: Vec<(String, String)> = Vec::new();
            for line in &entry {
                self.line(file, index, line, &mut ad)?;
            }
            if !ad.is_empty() {
                let at = entry.first().map_or(0, |l| l.offset(0));
                self.ad_entry(&ad, (index, at));
            }
        }
        Ok(())
    }

    /// One logical line: a definition, or an LDIF attribute kept for AD entries.
    fn line(
        &mut self,
        file: &Arc<SourceFile>,
        index: usize,
        line: &Line,
        ad: &mut Vec<(String, String)>,
    ) -> Result<(), Error> {
        let text = line.text.as_str();
        let (key, value_at, ldif) = match text.find(':') {
            Some(colon) if !text[..colon].contains(char::is_whitespace) => {
                let key = text[..colon].to_ascii_lowercase();
                let rest = &text[colon + 1..];
                let skipped = rest.len() - rest.trim_start().len();
                (key, colon + 1 + skipped, true)
            }
            _ => {
                let word_end = text.find(char::is_whitespace).unwrap_or(text.len());
                (text[..word_end].to_ascii_lowercase(), word_end, false)
            }
        };
        let kind = match (key.as_str(), ldif) {
            ("attributetype", false) | ("attributetypes" | "olcattributetypes", true) => Some(true),
            ("objectclass", false) | ("objectclasses" | "olcobjectclasses", true) => Some(false),
            _ => None,
        };
        // `attr:: base64` values are not definitions ripple reads.
        let kind = kind.filter(|_| !text[value_at..].starts_with(':'));
        let Some(attribute) = kind else {
            if ldif {
                ad.push((key, text[value_at..].trim().to_owned()));
            }
            return Ok(());
        };
        let body = &text[value_at..];
        // `olcAttributeTypes: {3}( … )`: the ordering prefix.
        let skip = match body.strip_prefix('{') {
            Some(rest) => rest.find('}').map_or(0, |i| i + 2),
            None => 0,
        };
        let start = value_at + skip;
        let description = rfc4512::parse(&text[start..]).map_err(|(at, message)| {
            let offset = line.offset(start + at);
            located(file, ErrorKind::Syntax, offset, offset + 1, message)
        })?;
        let source = text[start..]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if attribute {
            self.add_attribute(&description, source);
        } else {
            let at = (index, line.offset(0));
            self.add_class(&description, at);
        }
        Ok(())
    }

    fn add_attribute(&mut self, d: &rfc4512::Description, source: String) {
        let syntax = d.first("SYNTAX").map(|s| {
            let (oid, bound) = match s.split_once('{') {
                Some((oid, rest)) => (oid, rest.trim_end_matches('}').parse().ok()),
                None => (s, None),
            };
            Syntax::Rfc {
                oid: oid.to_owned(),
                bound,
            }
        });
        let names = d.all("NAME");
        let Some(name) = names.first() else { return };
        let attribute = Attribute {
            name: name.clone(),
            sup: d.first("SUP").map(str::to_owned),
            syntax,
            single: d.has("SINGLE-VALUE"),
            source,
        };
        for n in &names {
            self.attributes
                .insert(n.to_ascii_lowercase(), attribute.clone());
        }
    }

    fn add_class(&mut self, d: &rfc4512::Description, at: (usize, usize)) {
        let names = d.all("NAME");
        let Some(name) = names.first() else { return };
        let class = Class {
            name: name.clone(),
            sups: d.all("SUP"),
            must: d.all("MUST"),
            may: d.all("MAY"),
            at,
        };
        for n in &names {
            self.classes.insert(n.to_ascii_lowercase(), class.clone());
        }
    }

    /// An Active Directory `attributeSchema` or `classSchema` entry.
    fn ad_entry(&mut self, entry: &[(String, String)], at: (usize, usize)) {
        let all = |key: &str| -> Vec<String> {
            entry
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let one = |key: &str| all(key).into_iter().next();
        let classes = all("objectclass");
        let Some(name) = one("ldapdisplayname") else {
            return;
        };
        let is = |c: &str| classes.iter().any(|x| x.eq_ignore_ascii_case(c));
        if is("attributeSchema") {
            let syntax = one("attributesyntax").unwrap_or_default();
            let number = |key: &str| one(key).and_then(|v| v.parse::<i64>().ok());
            let om = one("omsyntax").and_then(|v| v.parse().ok());
            let single = one("issinglevalued").is_some_and(|v| v.eq_ignore_ascii_case("TRUE"));
            let mut source = format!("{name} attributeSyntax {syntax}");
            for key in ["rangeLower", "rangeUpper"] {
                if let Some(v) = one(&key.to_ascii_lowercase()) {
                    source.push_str(&format!(" {key} {v}"));
                }
            }
            let attribute = Attribute {
                name: name.clone(),
                sup: None,
                syntax: Some(Syntax::Ad {
                    syntax,
                    om,
                    lower: number("rangelower"),
                    upper: number("rangeupper"),
                }),
                single,
                source,
            };
            self.attributes.insert(name.to_ascii_lowercase(), attribute);
        } else if is("classSchema") {
            let mut sups = all("subclassof");
            sups.extend(all("auxiliaryclass"));
            sups.extend(all("systemauxiliaryclass"));
            let mut must = all("mustcontain");
            must.extend(all("systemmustcontain"));
            let mut may = all("maycontain");
            may.extend(all("systemmaycontain"));
            let class = Class {
                name: name.clone(),
                sups,
                must,
                may,
                at,
            };
            self.classes.insert(name.to_ascii_lowercase(), class);
        }
    }

    /// The JSON Schema of `class`.
    fn class_schema(&self, class: &str, files: &[Arc<SourceFile>]) -> Result<Value, Error> {
        let Some(found) = self.classes.get(&class.to_ascii_lowercase()) else {
            let mut names: Vec<&str> = self.classes.values().map(|c| c.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            let in_files = files
                .iter()
                .map(|f| f.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::new(
                ErrorKind::Usage,
                format!("no object class `{class}` in {in_files}"),
            )
            .help(crate::suggest::help(
                class,
                names.iter().copied(),
                "object classes",
            )));
        };
        let mut must = Vec::new();
        let mut may = Vec::new();
        self.collect(found, files, &mut HashSet::new(), &mut must, &mut may)?;
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (name, is_must) in must
            .iter()
            .map(|n| (n, true))
            .chain(may.iter().map(|n| (n, false)))
        {
            let (key, schema) = self.property(name);
            if properties.contains_key(&key) {
                continue;
            }
            if is_must {
                required.push(key.clone());
            }
            properties.insert(key, schema);
        }
        let source = format!("objectclass {}", found.name);
        Ok(object_schema(
            &found.name,
            Some(source),
            properties,
            required,
        ))
    }

    /// The attributes of `class` and its superclasses, superclasses first.
    fn collect(
        &self,
        class: &Class,
        files: &[Arc<SourceFile>],
        seen: &mut HashSet<String>,
        must: &mut Vec<String>,
        may: &mut Vec<String>,
    ) -> Result<(), Error> {
        if !seen.insert(class.name.to_ascii_lowercase()) {
            return Ok(());
        }
        for sup in &class.sups {
            match self.classes.get(&sup.to_ascii_lowercase()) {
                Some(parent) => self.collect(parent, files, seen, must, may)?,
                // `top` holds only `objectClass`, which a record does not carry.
                None if sup.eq_ignore_ascii_case("top") => {}
                None => {
                    let (file, at) = class.at;
                    let Some(file) = files.get(file) else {
                        continue;
                    };
                    return Err(located(
                        file,
                        ErrorKind::Usage,
                        at,
                        at + 1,
                        format!(
                            "`{}` inherits from `{sup}`, which none of the files defines",
                            class.name
                        ),
                    )
                    .help(format!(
                        "pass the schema file that defines `{sup}` too (e.g. core.schema)"
                    )));
                }
            }
        }
        let known = |list: &Vec<String>, n: &String| list.iter().any(|x| x.eq_ignore_ascii_case(n));
        for n in &class.must {
            if !known(must, n) {
                must.push(n.clone());
            }
        }
        for n in &class.may {
            if !known(must, n) && !known(may, n) {
                may.push(n.clone());
            }
        }
        may.retain(|n| !must.iter().any(|m| m.eq_ignore_ascii_case(n)));
        Ok(())
    }

    /// The property of attribute `name`: its schema, an array of it when multi-valued.
    fn property(&self, name: &str) -> (String, Value) {
        let Some(attribute) = self.attributes.get(&name.to_ascii_lowercase()) else {
            return (
                name.to_owned(),
                json!({"x-source": format!("{name}: not defined in the files read")}),
            );
        };
        let mut schema = self
            .syntax_of(attribute)
            .map(|s| syntax::schema(&s))
            .unwrap_or_default();
        if !attribute.single {
            schema = Map::from_iter([
                ("type".to_owned(), json!("array")),
                ("items".to_owned(), Value::Object(schema)),
            ]);
        }
        schema.insert("x-source".into(), json!(attribute.source));
        (attribute.name.clone(), Value::Object(schema))
    }

    /// The attribute's syntax, inherited through `SUP` when it has none.
    fn syntax_of(&self, attribute: &Attribute) -> Option<Syntax> {
        let mut current = attribute;
        for _ in 0..32 {
            if let Some(s) = &current.syntax {
                return Some(s.clone());
            }
            current = self
                .attributes
                .get(&current.sup.as_ref()?.to_ascii_lowercase())?;
        }
        None
    }
}

#[cfg(test)]
mod tests;
