//! The LDAP rules of README "`ripple import ldap`".

use serde_json::{Value, json};

use super::*;

fn import(text: &str, class: &str) -> Result<Value, Error> {
    import_ldap_files(&[SourceFile::new("test.schema", text)], class)
}

const SCHEMA: &str = "
# a comment
attributetype ( 1.1 NAME 'name' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{64} )
attributetype ( 1.2 NAME ( 'cn' 'commonName' ) SUP name )
attributetype ( 1.3 NAME 'login'
    SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{8}
    SINGLE-VALUE )
attributetype ( 1.4 NAME 'age' SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 2.1 NAME 'base' SUP top ABSTRACT MUST cn MAY age )
objectclass ( 2.2 NAME 'account' SUP base STRUCTURAL MUST login MAY ( cn $ other ) )
";

#[test]
fn must_may_sup_and_values() {
    let v = import(SCHEMA, "Account").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["title"], "account");
    assert_eq!(v["required"], json!(["cn", "login"]));
    assert_eq!(
        v["properties"]["cn"]["items"],
        json!({"type": "string", "minLength": 1, "maxLength": 64}),
        "inherits name's syntax, multi-valued"
    );
    assert_eq!(v["properties"]["cn"]["type"], "array");
    assert_eq!(
        v["properties"]["login"],
        json!({"type": "string", "x-charset": "ascii", "maxLength": 8, "x-source": "( 1.3 NAME 'login' SYNTAX 1.3.6.1.4.1.1466.115.121.1.26{8} SINGLE-VALUE )"})
    );
    assert_eq!(v["properties"]["age"]["type"], "integer");
    assert_eq!(
        v["properties"]["other"]["x-source"],
        "other: not defined in the files read"
    );
    assert_eq!(v["additionalProperties"], false);
}

#[test]
fn olc_ldif_values_are_read() {
    let ldif = "dn: cn={4}bank,cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: {4}bank\nolcAttributeTypes: {0}( 1.3 NAME 'login' SYNTAX 1.3.6.1.4.1.1466.11\n 5.121.1.15{12} SINGLE-VALUE )\nolcObjectClasses: {0}( 2.2 NAME 'acct' SUP top MUST login )\n";
    let v = import(ldif, "acct").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v["properties"]["login"]["maxLength"], 12,
        "folded line joined"
    );
    assert_eq!(v["required"], json!(["login"]));
}

#[test]
fn active_directory_entries() {
    let ldif = "dn: CN=SAM-Account-Name,CN=Schema\nobjectClass: attributeSchema\nattributeSyntax: 2.5.5.12\noMSyntax: 64\nisSingleValued: TRUE\nrangeUpper: 20\nlDAPDisplayName: sAMAccountName\n\ndn: CN=X\nobjectClass: attributeSchema\nattributeSyntax: 2.5.5.12\nisSingleValued: FALSE\nlDAPDisplayName: proxyAddresses\n\ndn: CN=User,CN=Schema\nobjectClass: classSchema\nsubClassOf: top\nsystemMustContain: sAMAccountName\nmayContain: proxyAddresses\nlDAPDisplayName: user\n";
    let v = import(ldif, "user").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["properties"]["sAMAccountName"]["maxLength"], 20);
    assert_eq!(v["properties"]["sAMAccountName"]["type"], "string");
    assert_eq!(v["properties"]["proxyAddresses"]["type"], "array");
    assert_eq!(v["required"], json!(["sAMAccountName"]));
}

#[test]
fn errors_are_located() {
    let err = import("attributetype ( 1.1 NAME 'x\n", "x").err();
    let at = err
        .and_then(|e| e.location)
        .map(|l| (l.span.line, l.span.column));
    assert_eq!(at, Some((1, 26)));
    let err = import(
        "\n\nobjectclass ( 2.1 NAME 'a' SUP missing MUST cn )\n",
        "a",
    )
    .err();
    let Some(err) = err else { panic!("no error") };
    assert_eq!(err.location.map(|l| l.span.line), Some(3));
    assert!(err.message.contains("`missing`"), "{}", err.message);
    let err = import(SCHEMA, "acount").err().and_then(|e| e.help);
    assert_eq!(err.as_deref(), Some("did you mean `account`?"));
}
