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

    /// The message in `line`, if it holds one.
    pub(super) fn parse(&self, line: &str) -> Option<LdapLine> {
        if let Some(c) = self.client.captures(line) {
            let rc = c.get(1).or_else(|| c.get(2))?.as_str();
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

    /// For a line following an [`LdapLine::Opener`]: whether it continues the message, and
    /// the attribute it names.
    pub(super) fn continuation(&self, line: &str) -> Option<Option<String>> {
        if let Some(c) = self.info.captures(line) {
            return Some(self.attribute_in(c.get(1)?.as_str()));
        }
        if !line.starts_with(char::is_whitespace) {
            return None;
        }
        let c = self.ad_attribute.captures(line)?;
        Some(Some(c.get(1)?.as_str().to_owned()))
    }

    /// The attribute a server's diagnostic text names, without options (`;binary`).
    fn attribute_in(&self, text: &str) -> Option<String> {
        let c = self.attribute.captures(text.trim())?;
        let name = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?.as_str();
        Some(name.split(';').next().unwrap_or(name).to_owned())
    }
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
