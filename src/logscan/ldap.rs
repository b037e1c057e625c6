//! LDAP rejections. The OpenLDAP clients print `ldap_modify: Constraint violation (19)` and,
//! on the next line, `additional info: uid: value #0 invalid per syntax`; slapd logs
//! `RESULT … err=19 text=…`; Java and Go clients say `[LDAP: error code 19 - …]` and
//! `LDAP Result Code 19 "Constraint Violation": …`. Active Directory adds its own codes:
//! `00000523: SysErr: DSID-…, problem 22 (Invalid argument)` is Windows error 1315
//! (ERROR_INVALID_ACCOUNT_NAME), a bad `sAMAccountName`; `problem 1005 (CONSTRAINT_ATT_TYPE),
//! data 0, Att 90001 (sAMAccountName)` names the attribute.

use regex::Regex;

use super::preset::{Hit, message, regex};
use crate::error::Error;

/// What one line holds.
#[derive(Debug, PartialEq)]
pub(super) enum LdapLine {
    /// A client's summary line; the attribute may follow on `additional info:`.
    Opener(Hit),
    /// A complete message.
    Complete(Hit),
}

/// The compiled LDAP expressions.
#[derive(Debug)]
pub(super) struct Ldap {
    client: Regex,
    single: Regex,
    ad_account: Regex,
    ad_attribute: Regex,
    ad_opener: Regex,
    info: Regex,
    attribute: Regex,
}

impl Ldap {
    pub(super) fn new() -> Result<Self, Error> {
        Ok(Self {
            client: regex(
                r"\bldap_\w+: (?:Constraint violation \((19)\)|Invalid syntax \((21)\))",
            )?,
            single: regex(
                r#"(?:\berr=(19|21) text=|\[LDAP: error code (19|21|80) - |LDAP Result Code (19|21) "[^"]*": )(.*)"#,
            )?,
            ad_account: regex(
                r"\b00000523: SysErr: DSID-[0-9A-Fa-f]+, problem 22 \(Invalid argument\)",
            )?,
            ad_attribute: regex(
                r"problem 1005 \(CONSTRAINT_ATT_TYPE\), data [0-9a-fA-F]+, Att [0-9a-fA-F]+ \(([^)]+)\)",
            )?,
            ad_opener: regex(r"\bAtrErr: DSID-[0-9A-Fa-f]+, #\d+:\s*$")?,
            info: regex(r"^\s+(?:additional info|matched DN):\s?(.*)$")?,
            attribute: regex(
                r"^([A-Za-z][\w.;-]*): value #\d+ invalid per syntax|attribute '([^']+)'|(?:add|modify) breaks constraint on ([A-Za-z][\w.;-]*)",
            )?,
        })
    }

    /// The message in `line`, if it holds one. The OpenLDAP clients' summary line is read
    /// by hand ([`client_by_hand`]; the expression decides the lines it is unsure of).
    pub(super) fn parse(&self, line: &str) -> Option<LdapLine> {
        if let Some(rc) = client_by_hand(line).unwrap_or_else(|| self.client_by_expression(line)) {
            return Some(LdapLine::Opener(Hit {
                code: format!("LDAP {rc}"),
                message: message(line),
                ..Hit::default()
            }));
        }
        let single = self.single.captures(line);
        let rc = single
            .as_ref()
            .and_then(|c| c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3)))
            .map(|m| m.as_str());
        if let Some(rc @ ("19" | "21")) = rc
            && self.ad_opener.is_match(line)
        {
            return Some(LdapLine::Opener(Hit {
                code: format!("LDAP {rc}"),
                message: message(line),
                ..Hit::default()
            }));
        }
        let (column, default_rc) = if self.ad_account.is_match(line) {
            (Some("sAMAccountName".to_owned()), "80")
        } else if let Some(c) = self.ad_attribute.captures(line) {
            (Some(c.get(1)?.as_str().to_owned()), "19")
        } else {
            let text = single.as_ref()?.get(4)?.as_str();
            if rc == Some("80") {
                return None; // LDAP_OTHER without an AD code ripple knows
            }
            (self.attribute_in(text), "19")
        };
        let rc = rc.unwrap_or(default_rc);
        Some(LdapLine::Complete(Hit {
            code: format!("LDAP {rc}"),
            column,
            message: message(line),
            ..Hit::default()
        }))
    }

    /// The result code of the first client summary in `line`, by the expression.
    fn client_by_expression<'a>(&self, line: &'a str) -> Option<&'a str> {
        let c = self.client.captures(line)?;
        Some(c.get(1).or_else(|| c.get(2))?.as_str())
    }

    /// For a line following an [`LdapLine::Opener`]: whether it continues the message, and
    /// the attribute it names. `additional info:` and the attribute in it are read by hand
    /// ([`info_by_hand`], [`attribute_by_hand`]; the expressions decide the lines they are
    /// unsure of).
    pub(super) fn continuation(&self, line: &str) -> Option<Option<String>> {
        if let Some(text) = info_by_hand(line).unwrap_or_else(|| self.info_by_expression(line)) {
            return Some(self.attribute_in(text));
        }
        if !line.starts_with(char::is_whitespace) {
            return None;
        }
        let c = self.ad_attribute.captures(line)?;
        Some(Some(c.get(1)?.as_str().to_owned()))
    }

    /// The text of an `additional info:` or `matched DN:` line, by the expression.
    fn info_by_expression<'a>(&self, line: &'a str) -> Option<&'a str> {
        Some(self.info.captures(line)?.get(1)?.as_str())
    }

    /// The attribute a server's diagnostic text names, without options (`;binary`).
    fn attribute_in(&self, text: &str) -> Option<String> {
        let text = text.trim();
        let name = attribute_by_hand(text).unwrap_or_else(|| self.attribute_by_expression(text))?;
        Some(name.split(';').next().unwrap_or(name).to_owned())
    }

    /// The attribute the expression finds in (trimmed) diagnostic text, with its options.
    fn attribute_by_expression<'a>(&self, text: &'a str) -> Option<&'a str> {
        let c = self.attribute.captures(text)?;
        Some(c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?.as_str())
    }
}

/// Whether `b` is a word character in ASCII (`\w` there).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The result code of the first `ldap_OP: Constraint violation (19)` or `ldap_OP: Invalid
/// syntax (21)` in `line`, without the expression `\bldap_\w+: (?:…)`: `Some` with its
/// answer, `None` when only the expression can tell (a non-ASCII character next to the
/// operation's name, where Unicode's `\b` and `\w` decide).
fn client_by_hand(line: &str) -> Option<Option<&'static str>> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static LDAP: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("ldap_"));
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|b| LDAP.find(b)) {
        let at = from + found;
        from = at + 1;
        match at.checked_sub(1).and_then(|i| bytes.get(i)) {
            Some(b) if !b.is_ascii() => return None,
            Some(b) if is_word(*b) => continue,
            _ => {}
        }
        let name = at + "ldap_".len();
        let n = bytes
            .get(name..)?
            .iter()
            .take_while(|b| is_word(**b))
            .count();
        let rest = bytes.get(name + n..)?;
        if rest.first().is_some_and(|b| !b.is_ascii()) {
            return None;
        }
        if n == 0 {
            continue;
        }
        if rest.starts_with(b": Constraint violation (19)") {
            return Some(Some("19"));
        }
        if rest.starts_with(b": Invalid syntax (21)") {
            return Some(Some("21"));
        }
    }
    Some(None)
}

/// The text of an indented `additional info:` or `matched DN:` line, without the
/// expression `^\s+(?:additional info|matched DN):\s?(.*)$`: `Some` with its answer,
/// `None` when only the expression can tell (a non-ASCII character where Unicode's `\s`
/// may take it, or a line break).
fn info_by_hand(line: &str) -> Option<Option<&str>> {
    /// The ASCII characters `\s` takes, but the line break.
    fn space(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\x0B' | b'\x0C' | b'\r')
    }
    let bytes = line.as_bytes();
    if memchr::memchr(b'\n', bytes).is_some() {
        return None;
    }
    let indent = bytes.iter().take_while(|b| space(**b)).count();
    let rest = bytes.get(indent..)?;
    if rest.first().is_some_and(|b| !b.is_ascii()) {
        return None;
    }
    let Some(after) = [&b"additional info:"[..], b"matched DN:"]
        .into_iter()
        .find(|head| rest.starts_with(head))
        .map(|head| indent + head.len())
    else {
        return Some(None);
    };
    if indent == 0 {
        return Some(None);
    }
    let text = match bytes.get(after) {
        Some(b) if space(*b) => after + 1,
        Some(b) if !b.is_ascii() => return None,
        _ => after,
    };
    Some(Some(line.get(text..)?))
}

/// The attribute (with its options) that trimmed diagnostic text names, without the
/// expression `^([A-Za-z][\w.;-]*): value #\d+ invalid per syntax|attribute '([^']+)'|
/// (?:add|modify) breaks constraint on ([A-Za-z][\w.;-]*)`: `Some` with its answer, `None`
/// when only the expression can tell (a non-ASCII character where Unicode's `\w` or `\d`
/// may take it, or a line break).
fn attribute_by_hand(text: &str) -> Option<Option<&str>> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    static QUOTED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("attribute '"));
    static BREAKS: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(" breaks constraint on "));
    /// The end of the name `[A-Za-z][\w.;-]*` at `at`: `Some(None)` when there is none.
    fn name_end(bytes: &[u8], at: usize) -> Option<Option<usize>> {
        if !bytes.get(at).is_some_and(u8::is_ascii_alphabetic) {
            return Some(None);
        }
        let n = bytes
            .get(at..)?
            .iter()
            .take_while(|b| is_word(**b) || matches!(b, b'.' | b';' | b'-'))
            .count();
        match bytes.get(at + n) {
            Some(b) if !b.is_ascii() => None,
            _ => Some(Some(at + n)),
        }
    }
    let bytes = text.as_bytes();
    if memchr::memchr(b'\n', bytes).is_some() {
        return None;
    }
    // the first alternative, at the text's start, is the leftmost a match can be
    if let Some(end) = name_end(bytes, 0)?
        && let Some(rest) = bytes.get(end..).and_then(|r| r.strip_prefix(b": value #"))
    {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        match rest.get(n..) {
            Some([b, ..]) if !b.is_ascii() => return None,
            Some(r) if n > 0 && r.starts_with(b" invalid per syntax") => {
                return Some(text.get(..end));
            }
            _ => {}
        }
    }
    // otherwise the leftmost of the other two
    let mut quoted = None;
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|b| QUOTED.find(b)) {
        let start = from + found;
        from = start + 1;
        let name = start + "attribute '".len();
        if let Some(n) = bytes.get(name..).and_then(|r| memchr::memchr(b'\'', r))
            && n > 0
        {
            quoted = Some((start, text.get(name..name + n)?));
            break;
        }
    }
    let mut breaks = None;
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|b| BREAKS.find(b)) {
        let at = from + found;
        from = at + 1;
        let before = bytes.get(..at)?;
        let Some(start) = [&b"add"[..], b"modify"]
            .into_iter()
            .find(|op| before.ends_with(op))
            .map(|op| at - op.len())
        else {
            continue;
        };
        let name = at + " breaks constraint on ".len();
        if let Some(end) = name_end(bytes, name)? {
            breaks = Some((start, text.get(name..end)?));
            break;
        }
    }
    Some(match (quoted, breaks) {
        (Some((q, a)), Some((b, _))) if q < b => Some(a),
        (_, Some((_, a))) | (Some((_, a)), None) => Some(a),
        (None, None) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l() -> Ldap {
        Ldap::new().unwrap_or_else(|e| panic!("{e}"))
    }

    fn complete(line: &str) -> Hit {
        match l().parse(line) {
            Some(LdapLine::Complete(h)) => h,
            other => panic!("{line}: {other:?}"),
        }
    }

    /// Checks the hand readers against the expressions on `line` (and `parse` and
    /// `continuation` against the expressions alone); returns whether all were sure.
    fn agrees(l: &Ldap, line: &str) -> bool {
        let client = l.client_by_expression(line);
        let parsed = l.parse(line);
        if let Some(rc) = client {
            let Some(LdapLine::Opener(h)) = &parsed else {
                panic!("{line:?}: {parsed:?}")
            };
            assert_eq!(h.code, format!("LDAP {rc}"), "{line:?}");
        } else {
            assert!(!matches!(parsed, Some(LdapLine::Opener(_))) || l.ad_opener.is_match(line));
        }
        let info = l.info_by_expression(line);
        let attribute = |text: &str| {
            l.attribute_by_expression(text.trim())
                .map(|n| n.split(';').next().unwrap_or(n).to_owned())
        };
        if let Some(text) = info {
            assert_eq!(l.continuation(line), Some(attribute(text)), "{line:?}");
        }
        assert_eq!(l.attribute_in(line), attribute(line), "{line:?}");
        let hand = (
            client_by_hand(line),
            info_by_hand(line),
            attribute_by_hand(line.trim()),
        );
        if let Some(c) = hand.0 {
            assert_eq!(c, client, "{line:?}");
        }
        if let Some(i) = hand.1 {
            assert_eq!(i, info, "{line:?}");
        }
        if let Some(a) = hand.2 {
            assert_eq!(a, l.attribute_by_expression(line.trim()), "{line:?}");
        }
        hand.0.is_some() && hand.1.is_some() && hand.2.is_some()
    }

    #[test]
    fn the_hand_readers_agree_with_the_expressions() {
        let l = l();
        for line in [
            "ldap_modify: Constraint violation (19)",
            "ldap_add: Invalid syntax (21)",
            "\tadditional info: modify breaks constraint on uid",
            "\tadditional info: uid: value #0 invalid per syntax",
            "\tadditional info: attribute 'mail' cannot have multiple values",
            "    additional info: add breaks constraint on uidNumber",
            "\tmatched DN: ou=people,dc=example,dc=com",
            "usercertificate;binary: value #0 invalid per syntax",
            "Nov 20 02:00:51 ldap1 slapd[812]: conn=5 op=2 SRCH base=\"ou=people\"",
        ] {
            assert!(agrees(&l, line), "not read by hand: {line}");
        }
        for line in [
            "",
            "ldap_modify: Constraint violation (19",
            "ldap_: Constraint violation (19)",
            "xldap_modify: Constraint violation (19)",
            "_ldap_modify: Constraint violation (19)",
            "öldap_modify: Constraint violation (19)",
            "ldap_modifyö: Constraint violation (19)",
            "ldap_mod ify: Constraint violation (19)",
            "ldap_ldap_add: Invalid syntax (21)",
            "xldap_a: Invalid syntax (21) ldap_b: Constraint violation (19)",
            "ldap_a: Insufficient access (50) ldap_b: Invalid syntax (21)",
            "additional info: uid: value #0 invalid per syntax",
            "\u{a0}additional info: uid: value #0 invalid per syntax",
            "\t\u{a0}additional info: x",
            "\tadditional info:\u{a0}x",
            "\tadditional info:  two spaces",
            "\tadditional info:",
            "\tadditional info:\tmodify breaks constraint on cn",
            "\tadditional info: a\nb",
            "\tmatched DN:",
            "\tmatched dn: x",
            "uid: value #x invalid per syntax",
            "uid: value # invalid per syntax",
            "uid: value #1٢ invalid per syntax",
            "1uid: value #0 invalid per syntax",
            "uidö: value #0 invalid per syntax",
            "u.i;d-x_1: value #0 invalid per syntax",
            "attribute '' then attribute 'cn'",
            "attribute 'mail",
            "attribute 'ma\nil'",
            "modify breaks constraint on",
            "modify breaks constraint on 1uid, add breaks constraint on cn",
            "readd breaks constraint on cn",
            "modify breaks constraint on cnö",
            "modify breaks constraint on cn;binary",
            "attribute 'a' modify breaks constraint on b",
            "modify breaks constraint on b attribute 'a'",
            "uid: value #0 invalid per syntax, attribute 'a'",
            "x uid: value #0 invalid per syntax",
        ] {
            agrees(&l, line);
        }
        let tokens = [
            "ldap_modify: Constraint violation (19)",
            "ldap_",
            "add",
            ": Invalid syntax (21)",
            "\t",
            " ",
            "additional info:",
            "matched DN:",
            "uid",
            ": value #",
            "0",
            " invalid per syntax",
            "attribute '",
            "'",
            "modify",
            " breaks constraint on ",
            ";binary",
            "x",
            "_",
            "1",
            "ö",
            "٢",
            "\u{a0}",
            "\n",
        ];
        let (mut found, mut unsure) = (0, 0);
        for line in crate::logscan::preset::variations(&tokens, 30_000, 8) {
            if !agrees(&l, &line) {
                unsure += 1;
            }
            found += usize::from(
                l.client_by_expression(&line).is_some()
                    || l.info_by_expression(&line).is_some()
                    || l.attribute_by_expression(line.trim()).is_some(),
            );
        }
        assert!(
            found > 2_000 && unsure < 20_000,
            "{found} found, {unsure} unsure"
        );
    }

    #[test]
    fn client_opener_and_additional_info() {
        let l = l();
        let Some(LdapLine::Opener(h)) = l.parse("ldap_modify: Constraint violation (19)") else {
            panic!()
        };
        assert_eq!(h.code, "LDAP 19");
        let Some(LdapLine::Opener(h)) = l.parse("ldap_add: Invalid syntax (21)") else {
            panic!()
        };
        assert_eq!(h.code, "LDAP 21");
        assert_eq!(
            l.continuation("\tadditional info: uid: value #0 invalid per syntax"),
            Some(Some("uid".into()))
        );
        assert_eq!(
            l.continuation("\tadditional info: attribute 'mail' cannot have multiple values"),
            Some(Some("mail".into()))
        );
        assert_eq!(
            l.continuation("    additional info: modify breaks constraint on cn"),
            Some(Some("cn".into()))
        );
        assert_eq!(
            l.continuation("\tmatched DN: ou=people,dc=example,dc=com"),
            Some(None)
        );
        assert_eq!(
            l.continuation("additional info: uid: value #0 invalid per syntax"),
            None,
            "not indented"
        );
    }

    #[test]
    fn single_line_forms() {
        let h = complete(
            "Nov 20 02:00:16 ldap1 slapd[812]: conn=1004 op=4 RESULT tag=103 err=21 text=usercertificate;binary: value #0 invalid per syntax",
        );
        assert_eq!(
            (h.code.as_str(), h.column.as_deref()),
            ("LDAP 21", Some("usercertificate"))
        );
        let h = complete(
            "javax.naming.directory.InvalidAttributeValueException: [LDAP: error code 19 - modify breaks constraint on uid]",
        );
        assert_eq!(
            (h.code.as_str(), h.column.as_deref()),
            ("LDAP 19", Some("uid"))
        );
        let h = complete(
            r#"sync: LDAP Result Code 19 "Constraint Violation": add breaks constraint on uidNumber"#,
        );
        assert_eq!(h.column.as_deref(), Some("uidNumber"));
    }

    #[test]
    fn active_directory() {
        let h = complete(
            "[LDAP: error code 80 - 00000523: SysErr: DSID-031A1202, problem 22 (Invalid argument), data 0]",
        );
        assert_eq!(
            (h.code.as_str(), h.column.as_deref()),
            ("LDAP 80", Some("sAMAccountName"))
        );
        let h = complete("00000523: SysErr: DSID-031A1202, problem 22 (Invalid argument), data 0");
        assert_eq!(h.code, "LDAP 80");
        let h = complete(
            "0: 00002081: DSID-031513A5, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 3 (cn)",
        );
        assert_eq!(
            (h.code.as_str(), h.column.as_deref()),
            ("LDAP 19", Some("cn"))
        );
    }

    #[test]
    fn active_directory_attribute_errors_span_two_lines() {
        let l = l();
        let Some(LdapLine::Opener(h)) =
            l.parse("[LDAP: error code 19 - 00002081: AtrErr: DSID-031513A5, #1:")
        else {
            panic!()
        };
        assert_eq!(h.code, "LDAP 19");
        assert_eq!(
            l.continuation(
                "\t0: 00002081: DSID-031513A5, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 3 (cn)"
            ),
            Some(Some("cn".into()))
        );
    }

    #[test]
    fn look_alikes_do_not_match() {
        for line in [
            "ldap_bind: Invalid credentials (49)",
            "ldap_modify: Insufficient access (50)",
            "[LDAP: error code 49 - 80090308: LdapErr: DSID-0C09030B, comment: AcceptSecurityContext error, data 52e, v893]",
            "[LDAP: error code 80 - 000020E6: SvcErr: DSID-03152D2C, problem 5012 (DIR_ERROR), data 0]",
            "conn=1004 op=4 RESULT tag=103 err=0 text=",
            "Constraint violation (19)",
        ] {
            assert_eq!(l().parse(line), None, "{line}");
        }
    }
}
