//! Mapping expressions (placeholder).
