//! Transfer functions: what each mapping function can produce from descriptions of its
//! arguments, kept sound (the result covers every value the function can return). Each
//! function's rule lives in its own file under [`crate::func`] (README, "How it
//! reasons"); this is the entry point the checker calls.

#[allow(clippy::wildcard_imports)]
use super::*;

/// What `func` can produce from arguments described by `args` (literal arguments as
/// values in `lits`).
#[must_use]
pub fn apply(func: Func, args: &[Abs], lits: &[Option<Value>]) -> Abs {
    func.forward(args, lits)
}
