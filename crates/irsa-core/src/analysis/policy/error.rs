//! Why a policy document was rejected, and where. Every message is one line and starts with
//! the place: `policy document: …` or `statement 2 (Sid "AllowCI"): …`. Statement numbers in
//! messages count from 1, as a person reads the document; the `index` of [`Location::Statement`] is
//! the 0-based position (the same numbering as `trust::StatementTrace::index`).

use std::fmt;
use thiserror::Error;

/// Where in the document a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The document as a whole (top-level elements, encoding).
    Document,
    /// One statement: its 0-based position and its `Sid` when it has one.
    Statement { index: usize, sid: Option<String> },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Document => f.write_str("policy document"),
            Location::Statement { index, sid: None } => write!(f, "statement {}", index + 1),
            Location::Statement {
                index,
                sid: Some(sid),
            } => write!(
                f,
                "statement {} (Sid {})",
                index + 1,
                super::node::quote(sid)
            ),
        }
    }
}

/// A malformed policy document. `Display` is one line naming the place.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    /// Neither the text nor its URL-decoding is JSON.
    #[error("policy document is not valid JSON{}: {reason}", if *.url_decoded { " (also after URL-decoding)" } else { "" })]
    NotJson { reason: String, url_decoded: bool },
    /// The JSON is not an object.
    #[error("policy document must be a JSON object, found {found}")]
    NotAnObject { found: String },
    /// No `Statement` element.
    #[error("policy document has no \"Statement\"")]
    MissingStatement,
    /// `Statement` is neither an object nor an array.
    #[error(
        "policy document: \"Statement\" must be an object or an array of objects, found {found}"
    )]
    StatementType { found: String },
    /// An entry of the `Statement` array is not an object.
    #[error("{at}: must be a JSON object, found {found}")]
    StatementNotObject { at: Location, found: String },
    /// `Version` is not one of the two policy-language versions.
    #[error("policy document: \"Version\" must be \"2012-10-17\" or \"2008-10-17\", found {found}")]
    BadVersion { found: String },
    /// The same key twice in one JSON object.
    #[error("{at}: duplicate key {key} in {within}")]
    DuplicateKey {
        at: Location,
        within: String,
        key: String,
    },
    /// An element IAM does not know (names are case-sensitive: `effect` is not `Effect`).
    #[error("{at}: unknown element {element}")]
    UnknownElement { at: Location, element: String },
    /// A statement without `Effect`.
    #[error("{at}: missing \"Effect\"")]
    MissingEffect { at: Location },
    /// `Effect` other than exactly `Allow` or `Deny`.
    #[error("{at}: \"Effect\" must be \"Allow\" or \"Deny\", found {found}")]
    BadEffect { at: Location, found: String },
    /// Two mutually exclusive elements (`Action` and `NotAction`, …) in one statement.
    #[error("{at}: both \"{first}\" and \"{second}\" are given; use one")]
    Conflicting {
        at: Location,
        first: &'static str,
        second: &'static str,
    },
    /// A `Principal`/`NotPrincipal` of a wrong shape.
    #[error("{at}: \"{element}\" {reason}")]
    BadPrincipal {
        at: Location,
        element: &'static str,
        reason: String,
    },
    /// An element whose value has the wrong JSON type.
    #[error("{at}: \"{element}\" must be {expected}, found {found}")]
    BadValue {
        at: Location,
        element: String,
        expected: &'static str,
        found: String,
    },
    /// A `Condition` block of a wrong shape.
    #[error("{at}: {reason}")]
    BadCondition { at: Location, reason: String },
    /// A condition operator IAM does not know (operator names are case-sensitive).
    #[error("{at}: unknown condition operator {operator}")]
    UnknownOperator { at: Location, operator: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_location_counts_from_one_and_names_the_sid() {
        let at = Location::Statement {
            index: 1,
            sid: Some("AllowCI".to_owned()),
        };
        let err = PolicyError::UnknownOperator {
            at,
            operator: "\"StringEqualz\"".to_owned(),
        };
        assert_eq!(
            err.to_string(),
            "statement 2 (Sid \"AllowCI\"): unknown condition operator \"StringEqualz\""
        );
    }
}
