//! Effective constraints: what an entry field must satisfy so that no system downstream
//! rejects what is derived from it (README, "Concepts" and "`ripple constraints`").
//!
//! A downstream limit is pulled back through each mapping to the fields it reads, hop by
//! hop, until it reaches an entry system. Each function has a pull-back rule that keeps the
//! result *sufficient*: a value that satisfies the pulled-back constraint always satisfies
//! the original one after the mapping. Where the exact condition cannot be written as JSON
//! Schema (a sum of two fields' lengths, `trim` emptying a string, `number` parsing), the
//! rule says so in a note instead of guessing, and the emitted schema leaves it out.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

pub use crate::domain::Constraint;
use crate::domain::{self, Chars};
use crate::expr::{Expr, ExprKind, FieldPath, Func};
use crate::pipeline::{Pipeline, SystemId};

mod chains;
mod chars;
mod effective;
mod nontext;
mod sums;
#[cfg(test)]
mod tests;

use crate::func::pullback::*;
use chains::*;
use chars::*;
use sums::*;

pub use crate::func::pull_back;
pub use chains::{Chain, Hop, chains, pull_chain};
pub use effective::{Effective, FieldConstraint, effective, emit_schema, record_fragment};
pub use sums::SumConstraint;
pub(crate) use sums::{binding, chain_sums};
