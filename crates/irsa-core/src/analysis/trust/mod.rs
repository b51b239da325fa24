//! IAM evaluation of a role's trust policy for one request (`sts:AssumeRoleWithWebIdentity`,
//! `sts:AssumeRole`, `sts:TagSession`), with a per-statement, per-condition trace.
//!
//! Decision (IAM policy evaluation logic; IRSA.md §4): any applicable Deny → deny; else any
//! applicable Allow → allow; else implicit deny. A statement applies when its principal, its
//! action and every one of its conditions match (AND across operators and keys). Every
//! statement is traced in full, even after the decision is known, so the drill-down can show
//! each near miss. `Resource` is not evaluated: a trust policy's resource is the role itself.
//!
//! Not modelled: policy variables (`${aws:username}`) are compared literally.

mod action;
pub(crate) mod condition;
mod oidc;
mod operand;
pub(crate) mod principal;

pub(crate) use action::match_action as statement_action;
pub use oidc::{provider_arn, web_identity_request};
pub(crate) use principal::aws_names as aws_principal_names;

use super::policy::{Effect, PolicyDocument, Statement};
use serde::{Deserialize, Serialize};

/// The outcome of evaluating a trust policy for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Allow,
    Deny,
    ImplicitDeny,
}

/// Who asks: the principal STS evaluates the trust policy against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestPrincipal {
    /// An OIDC/SAML provider ARN (web identity).
    Federated(String),
    /// An IAM principal ARN (role, user, assumed-role session) or account.
    Aws(String),
    /// A service principal, e.g. `pods.eks.amazonaws.com`.
    Service(String),
}

/// The request context: action, principal and condition keys. Key names match
/// case-insensitively (the first spelling given is kept for display); a key given several
/// times is multi-valued; an omitted key is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContext {
    pub action: String,
    pub principal: RequestPrincipal,
    pub keys: Vec<RequestKey>,
}

/// One condition key of a request and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestKey {
    /// As first given (display only; matching ignores case).
    pub name: String,
    pub values: Vec<String>,
}

impl RequestKey {
    /// Adds one value of `name` to `keys`: to the key of that name (matched case-insensitively,
    /// so a repeated key is multi-valued), else as a new key.
    pub fn add(keys: &mut Vec<RequestKey>, name: &str, value: &str) {
        match keys.iter_mut().find(|k| k.name.eq_ignore_ascii_case(name)) {
            Some(k) => k.values.push(value.to_owned()),
            None => keys.push(RequestKey {
                name: name.to_owned(),
                values: vec![value.to_owned()],
            }),
        }
    }
}

impl RequestContext {
    /// A request for `action` by `principal`, with no condition keys yet.
    pub fn new(action: &str, principal: RequestPrincipal) -> Self {
        Self {
            action: action.to_owned(),
            principal,
            keys: Vec::new(),
        }
    }

    /// Adds one value to a key (a second call with the same name makes it multi-valued).
    pub fn with_key(mut self, name: &str, value: &str) -> Self {
        RequestKey::add(&mut self.keys, name, value);
        self
    }

    /// The values of a key, matched case-insensitively; `None` when absent.
    pub fn key(&self, name: &str) -> Option<&[String]> {
        self.keys
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(name))
            .map(|k| k.values.as_slice())
    }
}

/// The decision, the statement that made it, and the trace of every statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustVerdict {
    pub decision: Decision,
    /// Index into `statements` of the statement that decided (the first applicable Deny,
    /// else the first applicable Allow); `None` for an implicit deny.
    pub deciding_statement: Option<usize>,
    pub statements: Vec<StatementTrace>,
}

/// How one statement fared: principal, action and each condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementTrace {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: MatchTrace,
    pub action: MatchTrace,
    pub conditions: Vec<ConditionTrace>,
    /// Principal, action and every condition matched.
    pub applies: bool,
}

/// Whether the principal (or action) block matched, with a one-line reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchTrace {
    pub matched: bool,
    /// One line, e.g. `Federated arn:…/id/4656… = request principal`.
    pub detail: String,
}

/// One condition (operator × key) with the values compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionTrace {
    /// The operator as written.
    pub operator: String,
    /// The key as written.
    pub key: String,
    pub expected: Vec<String>,
    /// The request's values; `None` when the key is absent.
    pub actual: Option<Vec<String>>,
    pub passed: bool,
    /// Why, when not obvious (`key absent: IfExists is true`, `key from another issuer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Evaluates the document for the request, IAM-exactly (IRSA.md §4).
pub fn evaluate(policy: &PolicyDocument, request: &RequestContext) -> TrustVerdict {
    let statements: Vec<StatementTrace> = policy
        .statements
        .iter()
        .enumerate()
        .map(|(index, statement)| trace_statement(index, statement, request))
        .collect();
    let first = |effect: Effect| {
        statements
            .iter()
            .find(|t| t.applies && t.effect == effect)
            .map(|t| t.index)
    };
    let (decision, deciding_statement) = match (first(Effect::Deny), first(Effect::Allow)) {
        (Some(deny), _) => (Decision::Deny, Some(deny)),
        (None, Some(allow)) => (Decision::Allow, Some(allow)),
        (None, None) => (Decision::ImplicitDeny, None),
    };
    TrustVerdict {
        decision,
        deciding_statement,
        statements,
    }
}

fn trace_statement(
    index: usize,
    statement: &Statement,
    request: &RequestContext,
) -> StatementTrace {
    let principal = principal::match_principal(&statement.principal, &request.principal);
    let action = action::match_action(&statement.action, &request.action);
    let conditions: Vec<ConditionTrace> = statement
        .conditions
        .iter()
        .map(|c| condition::evaluate(c, request))
        .collect();
    let applies = principal.matched && action.matched && conditions.iter().all(|c| c.passed);
    StatementTrace {
        index,
        sid: statement.sid.clone(),
        effect: statement.effect,
        principal,
        action,
        conditions,
        applies,
    }
}
