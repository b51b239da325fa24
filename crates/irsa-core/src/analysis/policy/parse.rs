//! From a JSON tree to a typed [`PolicyDocument`], following the IAM policy grammar: element
//! names are case-sensitive, blocks may appear in any order, no key may repeat, `Effect` is
//! exactly `Allow` or `Deny`, single values and arrays are interchangeable.
//!
//! Hand-written because the available IAM-policy crates either do not keep duplicate keys,
//! do not report which statement is wrong, or drop shapes (numbers and booleans as condition
//! values) that IAM accepts.

use super::error::{Location, PolicyError};
use super::node::{Node, quote};
use super::operator::OperatorError;
use super::{
    ActionSpec, Condition, ConditionOperator, Effect, PolicyDocument, PrincipalSpec, Principals,
    Statement,
};

/// Parses the document tree; `size` is the already-computed white-space-free size.
pub(super) fn document(root: &Node, size: usize) -> Result<PolicyDocument, PolicyError> {
    let Node::Object(entries) = root else {
        return Err(PolicyError::NotAnObject {
            found: root.describe(),
        });
    };
    no_duplicates(entries, &Location::Document, "the document")?;
    let (mut version, mut id, mut statement) = (None, None, None);
    for (key, value) in entries {
        match key.as_str() {
            "Version" => version = Some(parse_version(value)?),
            "Id" => id = Some(string(value, &Location::Document, "Id")?),
            "Statement" => statement = Some(value),
            other => {
                return Err(PolicyError::UnknownElement {
                    at: Location::Document,
                    element: quote(other),
                });
            }
        }
    }
    let statements = match statement {
        None => return Err(PolicyError::MissingStatement),
        Some(one @ Node::Object(_)) => vec![parse_statement(0, one)?],
        Some(Node::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| parse_statement(index, item))
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(PolicyError::StatementType {
                found: other.describe(),
            });
        }
    };
    Ok(PolicyDocument {
        version,
        id,
        statements,
        size_without_whitespace: size,
    })
}

fn parse_version(value: &Node) -> Result<String, PolicyError> {
    match value {
        Node::String(v) if v == "2012-10-17" || v == "2008-10-17" => Ok(v.clone()),
        other => Err(PolicyError::BadVersion {
            found: other.describe(),
        }),
    }
}

fn parse_statement(index: usize, node: &Node) -> Result<Statement, PolicyError> {
    let Node::Object(entries) = node else {
        return Err(PolicyError::StatementNotObject {
            at: Location::Statement { index, sid: None },
            found: node.describe(),
        });
    };
    // The Sid first, so that every later error can name it.
    let sid = entries.iter().find_map(|(k, v)| match (k.as_str(), v) {
        ("Sid", Node::String(s)) => Some(s.clone()),
        _ => None,
    });
    let at = Location::Statement { index, sid };
    no_duplicates(entries, &at, "the statement")?;
    let get = |name: &str| entries.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    for (key, value) in entries {
        match key.as_str() {
            "Sid" => {
                string(value, &at, "Sid")?;
            }
            "Effect" | "Principal" | "NotPrincipal" | "Action" | "NotAction" | "Resource"
            | "NotResource" | "Condition" => {}
            other => {
                return Err(PolicyError::UnknownElement {
                    at: at.clone(),
                    element: quote(other),
                });
            }
        }
    }
    let effect = match get("Effect") {
        None => return Err(PolicyError::MissingEffect { at }),
        Some(Node::String(e)) if e == "Allow" => Effect::Allow,
        Some(Node::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::BadEffect {
                at,
                found: other.describe(),
            });
        }
    };
    let principal = match exclusive(&at, get("Principal"), get("NotPrincipal"), "Principal")? {
        None => PrincipalSpec::None,
        Some((false, v)) => PrincipalSpec::Principal(principals(v, &at, "Principal")?),
        Some((true, v)) => PrincipalSpec::NotPrincipal(principals(v, &at, "NotPrincipal")?),
    };
    // No Action and no NotAction: an empty positive list, which matches no action.
    let action = list_spec(&at, get("Action"), get("NotAction"), "Action")?
        .unwrap_or(ActionSpec::Only(Vec::new()));
    let resource = list_spec(&at, get("Resource"), get("NotResource"), "Resource")?;
    let conditions = match get("Condition") {
        None => Vec::new(),
        Some(block) => conditions(block, &at)?,
    };
    Ok(Statement {
        sid: at_sid(&at),
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

fn at_sid(at: &Location) -> Option<String> {
    match at {
        Location::Statement { sid, .. } => sid.clone(),
        Location::Document => None,
    }
}

/// `X` or `NotX` (never both): `Some((negated, value))`.
fn exclusive<'a>(
    at: &Location,
    positive: Option<&'a Node>,
    negative: Option<&'a Node>,
    name: &'static str,
) -> Result<Option<(bool, &'a Node)>, PolicyError> {
    match (positive, negative) {
        (Some(_), Some(_)) => Err(PolicyError::Conflicting {
            at: at.clone(),
            first: name,
            second: not_name(name),
        }),
        (Some(v), None) => Ok(Some((false, v))),
        (None, Some(v)) => Ok(Some((true, v))),
        (None, None) => Ok(None),
    }
}

fn not_name(name: &'static str) -> &'static str {
    match name {
        "Principal" => "NotPrincipal",
        "Action" => "NotAction",
        _ => "NotResource",
    }
}

fn list_spec(
    at: &Location,
    positive: Option<&Node>,
    negative: Option<&Node>,
    name: &'static str,
) -> Result<Option<ActionSpec>, PolicyError> {
    Ok(match exclusive(at, positive, negative, name)? {
        None => None,
        Some((false, v)) => Some(ActionSpec::Only(strings(v, at, name)?)),
        Some((true, v)) => Some(ActionSpec::Not(strings(v, at, not_name(name))?)),
    })
}

fn principals(
    node: &Node,
    at: &Location,
    element: &'static str,
) -> Result<Principals, PolicyError> {
    let bad = |reason: String| PolicyError::BadPrincipal {
        at: at.clone(),
        element,
        reason,
    };
    let entries = match node {
        Node::String(s) if s == "*" => {
            return Ok(Principals {
                any: true,
                ..Principals::default()
            });
        }
        Node::Object(entries) => entries,
        other => {
            return Err(bad(format!(
                "must be \"*\" or an object such as {{\"Federated\": …}}, found {}",
                other.describe()
            )));
        }
    };
    no_duplicates(entries, at, element)?;
    if entries.is_empty() {
        return Err(bad("names no principal".to_owned()));
    }
    let mut out = Principals::default();
    for (kind, value) in entries {
        let target = match kind.as_str() {
            "AWS" => &mut out.aws,
            "Federated" => &mut out.federated,
            "Service" => &mut out.service,
            "CanonicalUser" => &mut out.canonical_user,
            other => {
                return Err(bad(format!(
                    "has unknown principal type {} (expected AWS, Federated, Service or CanonicalUser)",
                    quote(other)
                )));
            }
        };
        *target = strings(value, at, &format!("{element}.{kind}"))?;
    }
    Ok(out)
}

/// A string or an array of strings.
fn strings(node: &Node, at: &Location, element: &str) -> Result<Vec<String>, PolicyError> {
    let bad = |found: &Node| PolicyError::BadValue {
        at: at.clone(),
        element: element.to_owned(),
        expected: "a string or an array of strings",
        found: found.describe(),
    };
    match node {
        Node::String(s) => Ok(vec![s.clone()]),
        Node::Array(items) => items
            .iter()
            .map(|item| match item {
                Node::String(s) => Ok(s.clone()),
                other => Err(bad(other)),
            })
            .collect(),
        other => Err(bad(other)),
    }
}

fn string(node: &Node, at: &Location, element: &str) -> Result<String, PolicyError> {
    match node {
        Node::String(s) => Ok(s.clone()),
        other => Err(PolicyError::BadValue {
            at: at.clone(),
            element: element.to_owned(),
            expected: "a string",
            found: other.describe(),
        }),
    }
}

fn conditions(block: &Node, at: &Location) -> Result<Vec<Condition>, PolicyError> {
    let bad = |reason: String| PolicyError::BadCondition {
        at: at.clone(),
        reason,
    };
    let Node::Object(operators) = block else {
        return Err(bad(format!(
            "\"Condition\" must be an object {{operator: {{key: value}}}}, found {}",
            block.describe()
        )));
    };
    no_duplicates(operators, at, "\"Condition\"")?;
    let mut out = Vec::new();
    for (raw, keys) in operators {
        let operator = ConditionOperator::parse(raw).map_err(|e| match e {
            OperatorError::Unknown => PolicyError::UnknownOperator {
                at: at.clone(),
                operator: quote(raw),
            },
            OperatorError::IfExistsOnNull => bad(format!(
                "condition operator {}: Null takes no IfExists",
                quote(raw)
            )),
        })?;
        let Node::Object(keys) = keys else {
            return Err(bad(format!(
                "condition operator {} must map keys to values, found {}",
                quote(raw),
                keys.describe()
            )));
        };
        no_duplicates(keys, at, &format!("condition operator {}", quote(raw)))?;
        for (key, value) in keys {
            let values = condition_values(value).map_err(|found| {
                bad(format!(
                    "condition {} {}: values must be strings, numbers or booleans (or an array of them), found {found}",
                    quote(raw),
                    quote(key)
                ))
            })?;
            out.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values,
            });
        }
    }
    Ok(out)
}

/// A condition value or array of them, stringified; `Err(description)` otherwise.
fn condition_values(node: &Node) -> Result<Vec<String>, String> {
    let scalar = |n: &Node| match n {
        Node::String(s) => Ok(s.clone()),
        Node::Bool(b) => Ok(b.to_string()),
        Node::Number(x) => Ok(x.to_string()),
        other => Err(other.describe()),
    };
    match node {
        Node::Array(items) if items.is_empty() => Err("an empty array".to_owned()),
        Node::Array(items) => items.iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}

fn no_duplicates(
    entries: &[(String, Node)],
    at: &Location,
    within: &str,
) -> Result<(), PolicyError> {
    for (i, (key, _)) in entries.iter().enumerate() {
        if entries.iter().take(i).any(|(earlier, _)| earlier == key) {
            return Err(PolicyError::DuplicateKey {
                at: at.clone(),
                within: within.to_owned(),
                key: quote(key),
            });
        }
    }
    Ok(())
}
