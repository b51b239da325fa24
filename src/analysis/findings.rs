//! (placeholder: filled by the checks work)
