//! Rendering of audits and explanations: table, JSON, markdown.
