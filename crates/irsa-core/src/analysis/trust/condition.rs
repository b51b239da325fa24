//! One condition (operator × key × values) against the request, as IAM evaluates it.
//!
//! Rules (IAM condition-operator and multi-value references; IRSA.md §4):
//! - OR across the policy values of the key; a negated operator (`StringNotEquals`, …) holds
//!   for a request value only when that value matches *none* of the policy values.
//! - Absent key: `…IfExists` → true; `ForAllValues:` → true; `ForAnyValue:` → false; negated
//!   operators → true; positive operators → false. `Null: "true"` holds only when the key is
//!   absent, `Null: "false"` only when it is present (set qualifiers do not change `Null`).
//!   A key with an empty value list is treated as absent (the "empty data set" of the docs).
//! - Multi-valued request keys: `ForAnyValue:` → at least one request value satisfies the
//!   operator; `ForAllValues:` → every request value does. Unqualified operators on a
//!   multi-valued key: a positive operator holds when any request value matches any policy
//!   value; a negated one holds only when no request value matches any policy value. (IAM
//!   documents unqualified operators for single-valued keys only; this is the reading in
//!   which a negated operator stays the exact complement of its positive form.)
//! - A policy or request value that does not parse for its operator (a non-number under
//!   `NumericEquals`) makes the condition false, with a note; never a panic.

use super::operand::{self, Operand};
use super::{ConditionTrace, RequestContext, oidc};
use crate::analysis::policy::{BaseOperator, Condition, SetQualifier};

/// Evaluates one condition and records how.
pub(crate) fn evaluate(condition: &Condition, request: &RequestContext) -> ConditionTrace {
    let actual = request.key(&condition.key).filter(|v| !v.is_empty());
    let (passed, note) = match actual {
        None => {
            let (passed, note) = absent(condition);
            let note = oidc::key_note(&condition.key, request).unwrap_or(note);
            (passed, Some(note))
        }
        Some(values) => present(condition, values),
    };
    ConditionTrace {
        operator: condition.operator.raw.clone(),
        key: condition.key.clone(),
        expected: condition.values.clone(),
        actual: actual.map(<[String]>::to_vec),
        passed,
        note,
    }
}

fn absent(condition: &Condition) -> (bool, String) {
    let op = &condition.operator;
    if op.base == BaseOperator::Null {
        return match null_wants_absent(&condition.values) {
            Ok(true) => (true, "key absent: Null \"true\" holds".to_owned()),
            Ok(false) => (false, "key absent: Null \"false\" requires it".to_owned()),
            Err(note) => (false, note),
        };
    }
    if op.if_exists {
        return (
            true,
            "key absent: …IfExists makes the condition true".to_owned(),
        );
    }
    match op.set {
        Some(SetQualifier::ForAllValues) => (
            true,
            "key absent: ForAllValues over an empty set is true".to_owned(),
        ),
        Some(SetQualifier::ForAnyValue) => (
            false,
            "key absent: ForAnyValue over an empty set is false".to_owned(),
        ),
        None if op.base.is_negated() => (
            true,
            "key absent: a negated operator is true when the key is missing".to_owned(),
        ),
        None => (false, "key absent from the request".to_owned()),
    }
}

/// For `Null`: OR across its values; `Ok(true)` when some value is "true" (wants absent).
/// With both "true" and "false" listed, either state passes; this returns the answer for
/// "absent", and [`null_present`] for "present".
fn null_wants_absent(values: &[String]) -> Result<bool, String> {
    Ok(null_flags(values)?.contains(&true))
}

fn null_flags(values: &[String]) -> Result<Vec<bool>, String> {
    values
        .iter()
        .map(|v| match operand::parse(BaseOperator::Null, v) {
            Some(Operand::Flag(b)) => Ok(b),
            _ => Err(format!("Null takes \"true\" or \"false\", not {v:?}")),
        })
        .collect()
}

fn present(condition: &Condition, actual: &[String]) -> (bool, Option<String>) {
    let op = &condition.operator;
    if op.base == BaseOperator::Null {
        return match null_flags(&condition.values) {
            Ok(flags) if flags.contains(&false) => (true, None),
            Ok(_) => (
                false,
                Some("key present: Null \"true\" requires it to be absent".to_owned()),
            ),
            Err(note) => (false, Some(note)),
        };
    }
    let base = op.base;
    let expected = match parse_all(base, &condition.values, "policy") {
        Ok(values) => values,
        Err(note) => return (false, Some(note)),
    };
    let requested = match parse_all(base, actual, "request") {
        Ok(values) => values,
        Err(note) => return (false, Some(note)),
    };
    let positive = base.positive();
    let satisfies = |a: &Operand| {
        let any_match = expected.iter().any(|e| operand::matches(positive, a, e));
        any_match != base.is_negated()
    };
    let passed = match op.set {
        Some(SetQualifier::ForAnyValue) => requested.iter().any(satisfies),
        Some(SetQualifier::ForAllValues) => requested.iter().all(satisfies),
        None if base.is_negated() => requested.iter().all(satisfies),
        None => requested.iter().any(satisfies),
    };
    let note = if passed {
        None
    } else {
        literal_wildcard_note(base, &condition.values)
    }
    .or_else(|| {
        (op.set.is_none() && actual.len() > 1).then(|| {
            if base.is_negated() {
                "multi-valued key without ForAnyValue/ForAllValues: true only when no request value matches".to_owned()
            } else {
                "multi-valued key without ForAnyValue/ForAllValues: true when any request value matches".to_owned()
            }
        })
    });
    (passed, note)
}

fn parse_all(op: BaseOperator, values: &[String], side: &str) -> Result<Vec<Operand>, String> {
    values
        .iter()
        .map(|v| {
            operand::parse(op, v).ok_or_else(|| {
                format!(
                    "{side} value {v:?} is not {} for {}: condition is false",
                    operand::kind(op),
                    op.name()
                )
            })
        })
        .collect()
}

/// `StringEquals` with `*` or `?` in a value: the usual reason an IRSA `:sub` pattern fails.
fn literal_wildcard_note(op: BaseOperator, values: &[String]) -> Option<String> {
    let literal = matches!(
        op.positive(),
        BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase
    );
    (literal && values.iter().any(|v| v.contains(['*', '?']))).then(|| {
        format!(
            "{} compares literally: '*' and '?' are not wildcards here (StringLike is)",
            op.name()
        )
    })
}
