//! # ripple
//!
//! See how a change ripples through your backend systems before you make it.
//!
//! The library holds everything but argument parsing: loading pipelines ([`pipeline`]),
//! mapping expressions ([`expr`]) and what each function does ([`func`]), system schemas ([`schema`]), the system graph
//! ([`graph`]), propagation of a change ([`propagate`]), validation against every
//! downstream system ([`validate`]), reading the entry record as it is now ([`fetch`]),
//! asking the systems themselves ([`live`]), sending a
//! change with a durable record of it ([`submit`], [`journal`]), reading downstream error
//! logs ([`logscan`], [`trace`]) and output formats ([`report`]). Each command's policy — what it may do and which
//! verdict (exit code) it ends with — is in [`request`]. The data flows one way
//! through those modules, in that order.

pub mod error;
pub mod expr;
pub mod func;
pub mod json_spans;
pub mod schema;
pub mod span;

pub use error::{Error, ErrorKind, Errors};
pub use span::{Location, SourceFile, Span};
pub mod batch;
pub mod change;
pub mod check;
pub mod constraints;
pub mod dialect;
pub mod diff;
pub mod domain;
pub mod fetch;
pub mod graph;
pub mod http;
pub mod import;
pub mod journal;
pub mod lineage;
pub mod live;
pub mod logscan;
pub mod pipeline;
pub mod plan;
pub mod pointer;
pub mod propagate;
pub mod reparse;
pub mod report;
pub mod request;
pub mod submit;
pub mod suggest;
pub mod text;
pub mod trace;
pub mod validate;
