//! LDAP object classes as JSON Schemas.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind};

/// The object class `class` of the LDAP schema at `path`.
///
/// # Errors
/// Not yet.
pub fn import_ldap(path: &Path, class: &str) -> Result<Value, Error> {
    Err(Error::new(
        ErrorKind::Usage,
        format!("{} {class}", path.display()),
    ))
}
