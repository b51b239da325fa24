//! IAM policy documents: decode (URL-encoding, JSON text or decoded object) and parse every
//! legal shape into a typed document. A malformed document is a typed [`PolicyError`] naming
//! where it is wrong, never a panic.
//!
//! Accepted input forms ([`parse`], [`decode`]):
//! - a JSON object, as the AWS CLI prints documents;
//! - a JSON string holding JSON text (also one level of double encoding);
//! - a JSON string holding URL-encoded JSON text, as the IAM API returns it
//!   (`%7B%22Version%22…`). URL-decoding is tried only when the text does not already parse as
//!   JSON, and `+` stays a `+` (IAM percent-encodes spaces as `%20`).
//!
//! Faithful to IAM: element and operator names are case-sensitive (IAM answers
//! `Invalid Condition type : stringEquals`), unknown elements and repeated keys are errors,
//! `IfExists` is refused on `Null`.

mod error;
mod node;
mod operator;
mod parse;

pub use error::{Location, PolicyError};
pub use operator::ALL_BASE_OPERATORS;

use node::Node;
use serde::{Deserialize, Serialize};

/// A parsed policy document (trust or permissions policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub statements: Vec<Statement>,
    /// Characters of the decoded JSON text not counting white space (what IAM's
    /// 2048-character trust-policy quota counts).
    pub size_without_whitespace: usize,
}

/// A statement's `Effect`: exactly `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement. A statement written without `Action` and `NotAction` has
/// `action: ActionSpec::Only(vec![])`, which matches no action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: PrincipalSpec,
    pub action: ActionSpec,
    /// `Resource` / `NotResource`; `None` when absent (trust policies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ActionSpec>,
    pub conditions: Vec<Condition>,
}

/// `Principal`, `NotPrincipal`, or neither (identity policies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalSpec {
    None,
    Principal(Principals),
    NotPrincipal(Principals),
}

/// The principals one block names. `any` is the bare `"*"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principals {
    pub any: bool,
    pub aws: Vec<String>,
    pub federated: Vec<String>,
    pub service: Vec<String>,
    pub canonical_user: Vec<String>,
}

/// `Action` / `NotAction` (also used for `Resource` / `NotResource`): a positive or negated
/// list of patterns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionSpec {
    Only(Vec<String>),
    Not(Vec<String>),
}

/// One key under one operator of a `Condition` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub operator: ConditionOperator,
    /// The key as written in the document (key names compare case-insensitively).
    pub key: String,
    /// The values, stringified (`true`, `3600`) when the document used bools or numbers.
    pub values: Vec<String>,
}

/// A condition operator as parsed from its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionOperator {
    /// As written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub raw: String,
    pub set: Option<SetQualifier>,
    pub base: BaseOperator,
    pub if_exists: bool,
}

/// The `ForAnyValue:` / `ForAllValues:` prefix of an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// A condition operator without qualifier and `IfExists` suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

impl Principals {
    /// True when the block names everyone: the bare `"*"` or `{"AWS": "*"}`, which the IAM
    /// Principal reference documents as equivalent.
    pub fn is_everyone(&self) -> bool {
        self.any || self.aws.iter().any(|p| p == "*")
    }
}

/// Parses a document in any form the IAM API, the AWS CLI or a user may hand over.
pub fn parse(raw: &serde_json::Value) -> Result<PolicyDocument, PolicyError> {
    match raw {
        serde_json::Value::String(text) => parse_str(text),
        other => {
            let size = serde_json::to_string(other)
                .map(|text| size_without_whitespace(&text))
                .unwrap_or_default();
            parse::document(&Node::from_value(other), size)
        }
    }
}

/// Parses document text: JSON, or URL-encoded JSON as the IAM API returns it.
pub fn parse_str(text: &str) -> Result<PolicyDocument, PolicyError> {
    let (node, decoded) = decode_text(text, 0)?;
    parse::document(&node, size_without_whitespace(&decoded))
}

/// The decoded JSON of a document in any accepted form, for pretty display. A JSON object or
/// other non-string value is returned as it is; a string is URL-decoded when needed and parsed.
pub fn decode(raw: &serde_json::Value) -> Result<serde_json::Value, PolicyError> {
    match raw {
        serde_json::Value::String(text) => {
            let (_, decoded) = decode_text(text, 0)?;
            serde_json::from_str(&decoded).map_err(|e| PolicyError::NotJson {
                reason: e.to_string(),
                url_decoded: false,
            })
        }
        other => Ok(other.clone()),
    }
}

/// Characters of `text` that are not white space: what IAM counts against its policy-size
/// quotas ("Policy size calculations do not include white space characters").
pub fn size_without_whitespace(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Parses `text` as JSON, else as URL-encoded JSON. A JSON string whose content is itself a
/// document (double encoding) is unwrapped once. Returns the tree and the JSON text it came from.
fn decode_text(text: &str, depth: u8) -> Result<(Node, String), PolicyError> {
    let (node, json) = match serde_json::from_str::<Node>(text) {
        Ok(node) => (node, text.to_owned()),
        Err(plain_error) => {
            let decoded = percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .map_err(|_| PolicyError::NotJson {
                    reason: "URL-decoded text is not UTF-8".to_owned(),
                    url_decoded: true,
                })?;
            if decoded == text {
                return Err(PolicyError::NotJson {
                    reason: plain_error.to_string(),
                    url_decoded: false,
                });
            }
            let node =
                serde_json::from_str::<Node>(&decoded).map_err(|e| PolicyError::NotJson {
                    reason: e.to_string(),
                    url_decoded: true,
                })?;
            (node, decoded.into_owned())
        }
    };
    match node {
        Node::String(inner) if depth == 0 => decode_text(&inner, depth + 1),
        node => Ok((node, json)),
    }
}

#[cfg(test)]
#[rustfmt::skip] // tables of cases read best one per line
mod tests;
