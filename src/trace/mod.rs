//! `ripple trace` (README, "`ripple trace`"): from a field, or from a downstream error log, back to the
//! upstream source.

pub mod field;
pub mod log;

pub use field::{FieldTrace, trace_field};
pub use log::{LogSummary, TracedEvent, trace_log};
