//! One statement of a permissions policy against the request: action, resource, principal
//! (resource-based policies only) and every condition, with policy variables replaced.

use super::variables::{Substituted, glob_matches, substitute};
use super::{PermissionStatementTrace, Unknown};
use crate::analysis::policy::{ActionSpec, Condition, PrincipalSpec, Statement};
use crate::analysis::trust::{ConditionTrace, MatchTrace, RequestContext};
use crate::analysis::trust::{condition, principal, statement_action};

/// The version under which IAM replaces policy variables.
const VARIABLES_VERSION: &str = "2012-10-17";

/// Traces `statement` (index `index` of a document with `version`) for the request.
/// `with_principal`: the statement's `Principal` must name the caller (resource-based policies).
pub(super) fn trace(
    index: usize,
    statement: &Statement,
    version: Option<&str>,
    request: &RequestContext,
    resource: &str,
    with_principal: bool,
) -> PermissionStatementTrace {
    let variables = version == Some(VARIABLES_VERSION);
    let action = statement_action(&statement.action, &request.action);
    let resource_trace = match_resource(statement.resource.as_ref(), resource, variables, request);
    let principal = with_principal.then(|| match &statement.principal {
        PrincipalSpec::None => MatchTrace {
            matched: false,
            detail: "a resource-based policy statement without Principal names no one".to_owned(),
        },
        spec => principal::match_principal(spec, &request.principal),
    });
    let conditions: Vec<ConditionTrace> = statement
        .conditions
        .iter()
        .map(|c| evaluate_condition(c, variables, request))
        .collect();
    let applies = action.matched
        && resource_trace.matched
        && principal.as_ref().is_none_or(|p| p.matched)
        && conditions.iter().all(|c| c.passed);
    PermissionStatementTrace {
        index,
        sid: statement.sid.clone(),
        effect: statement.effect,
        action,
        resource: resource_trace,
        principal,
        conditions,
        applies,
    }
}

/// `Resource` / `NotResource` against the requested ARN: case-sensitive, `*` and `?`, policy
/// variables replaced; a pattern whose variable cannot be resolved matches nothing.
fn match_resource(
    spec: Option<&ActionSpec>,
    resource: &str,
    variables: bool,
    request: &RequestContext,
) -> MatchTrace {
    let Some(spec) = spec else {
        return MatchTrace {
            matched: false,
            detail: "statement has no Resource or NotResource: it never applies".to_owned(),
        };
    };
    let (patterns, negated) = match spec {
        ActionSpec::Only(p) => (p, false),
        ActionSpec::Not(p) => (p, true),
    };
    let mut unresolved = Vec::new();
    let covering = patterns
        .iter()
        .find(|p| match substitute(p, variables, request) {
            Substituted::Pattern(tokens) => glob_matches(&tokens, resource, false),
            Substituted::Unresolved { variable } => {
                unresolved.push(format!("{p:?} ({variable} unresolved: matches nothing)"));
                false
            }
        });
    let element = if negated { "NotResource" } else { "Resource" };
    let note = if unresolved.is_empty() {
        String::new()
    } else {
        format!("; {}", unresolved.join(", "))
    };
    match (covering, negated) {
        (Some(p), false) => MatchTrace {
            matched: true,
            detail: format!("Resource {p:?} covers {resource:?}"),
        },
        (None, false) => MatchTrace {
            matched: false,
            detail: format!("{resource:?} is not in {element} {patterns:?}{note}"),
        },
        (Some(p), true) => MatchTrace {
            matched: false,
            detail: format!("{resource:?} is excluded by NotResource {p:?}"),
        },
        (None, true) => MatchTrace {
            matched: true,
            detail: format!("{resource:?} is not in NotResource {patterns:?}{note}"),
        },
    }
}

/// One condition with its values' variables replaced; values whose variable cannot be
/// resolved are dropped (they match nothing), and a condition left without values fails.
fn evaluate_condition(c: &Condition, variables: bool, request: &RequestContext) -> ConditionTrace {
    let mut unresolved = Vec::new();
    let values: Vec<String> = c
        .values
        .iter()
        .filter_map(|v| match substitute(v, variables, request) {
            Substituted::Unresolved { variable } => {
                unresolved.push(variable);
                None
            }
            resolved => resolved.text(),
        })
        .collect();
    if !unresolved.is_empty() && values.is_empty() {
        return ConditionTrace {
            operator: c.operator.raw.clone(),
            key: c.key.clone(),
            expected: c.values.clone(),
            actual: request.key(&c.key).map(<[String]>::to_vec),
            passed: false,
            note: Some(format!(
                "policy variable {} cannot be resolved: the condition matches nothing",
                unresolved.join(", ")
            )),
        };
    }
    let substituted = Condition {
        operator: c.operator.clone(),
        key: c.key.clone(),
        values,
    };
    let mut trace = condition::evaluate(&substituted, request);
    if !unresolved.is_empty() {
        let note = format!("values with {} dropped (unresolved)", unresolved.join(", "));
        trace.note = Some(match trace.note {
            Some(n) => format!("{n}; {note}"),
            None => note,
        });
    }
    trace
}

/// Conditions of an applicable-looking statement whose key is absent and only known when the
/// call is made (`aws:SourceIp`, `s3:prefix`, …): the outcome assumed the key is absent.
pub(super) fn request_time_unknowns(
    policy: &str,
    trace: &PermissionStatementTrace,
    request: &RequestContext,
    known: impl Fn(&str) -> bool,
) -> Vec<Unknown> {
    if !(trace.action.matched && trace.resource.matched) {
        return Vec::new();
    }
    trace
        .conditions
        .iter()
        .filter(|c| c.actual.is_none() && request.key(&c.key).is_none() && !known(&c.key))
        .map(|c| Unknown {
            what: format!(
                "{policy} statement {}: condition {} on {} assumed the key absent",
                trace.index + 1,
                c.operator,
                c.key
            ),
            why: format!(
                "{} is only known when the call is made; pass it with --key {}=VALUE",
                c.key, c.key
            ),
        })
        .collect()
}
