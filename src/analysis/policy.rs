//! IAM policy documents: decode (URL-encoding, JSON text or decoded object) and parse every
//! legal shape into a typed document. A malformed document is a typed [`PolicyError`] naming
//! where it is wrong, never a panic. (Contract written by the skeleton; bodies by the policy work.)

use serde::{Deserialize, Serialize};
use thiserror::Error;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionOperator {
    /// As written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub raw: String,
    pub set: Option<SetQualifier>,
    pub base: BaseOperator,
    pub if_exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

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

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    #[error("placeholder")]
    Placeholder,
}

/// Parses a document in any form the IAM API, the AWS CLI or a user may hand over.
pub fn parse(raw: &serde_json::Value) -> Result<PolicyDocument, PolicyError> {
    let _ = raw;
    todo!("policy work")
}

/// Parses document text: JSON, or URL-encoded JSON as the IAM API returns it.
pub fn parse_str(text: &str) -> Result<PolicyDocument, PolicyError> {
    let _ = text;
    todo!("policy work")
}
