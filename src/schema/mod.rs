//! System schemas (placeholder).
