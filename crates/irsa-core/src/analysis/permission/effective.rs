//! What a role can do, summarised for people: its identity policies' `Allow` grants per
//! service (action patterns, resources, conditions), the risky ones marked — wildcards,
//! `iam:PassRole`, `sts:AssumeRole`, write actions — its explicit denies, and what its
//! permissions boundary removes or narrows.
//!
//! A summary, not an evaluation: a grant is a statement's pattern as written. Whether the
//! boundary keeps a pattern is decided by matching patterns against patterns (a boundary
//! `s3:*` keeps `s3:GetObject` and `s3:Get*`; a boundary `s3:Get*` narrows a grant `s3:*`;
//! no boundary pattern overlapping a grant removes it). The exact answer for one request is
//! [`super::evaluate`].

use super::{NamedPolicy, Unknown};
use crate::analysis::hash::HashMap;
use crate::analysis::policy::{ActionSpec, Effect, PolicyDocument};
use serde::{Deserialize, Serialize};
use wildmatch::WildMatch;

/// The summary of one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectivePermissions {
    /// Per service (`s3`, `iam`, `*` for grants that span services), in name order.
    pub services: Vec<ServiceGrants>,
    /// Explicit denies of the identity policies, one line each.
    pub denies: Vec<String>,
    /// The boundary's name, when the role has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    /// The session policy applied on top (a Pod Identity association's), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_policy: Option<String>,
    pub unknowns: Vec<Unknown>,
}

impl EffectivePermissions {
    /// The grants neither the boundary nor the session policy removes.
    fn kept(&self) -> impl Iterator<Item = &Grant> {
        self.services.iter().flat_map(|s| &s.grants).filter(|g| {
            g.boundary != BoundaryEffect::Removes && g.session != BoundaryEffect::Removes
        })
    }

    /// `*` on `*` granted unconditionally and left whole by the boundary: the role can do
    /// anything.
    pub fn is_admin(&self) -> bool {
        self.kept().any(|g| {
            g.action == "*"
                && g.resources.iter().any(|r| r == "*")
                && !g.conditional
                && g.boundary == BoundaryEffect::Keeps
                && g.session == BoundaryEffect::Keeps
        })
    }

    /// Some grant the boundary leaves covers `iam:PassRole`.
    pub fn can_pass_roles(&self) -> bool {
        self.kept().any(|g| g.flags.contains(&GrantFlag::PassRole))
    }
}

/// The grants of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceGrants {
    pub service: String,
    pub grants: Vec<Grant>,
}

/// One action pattern an `Allow` statement grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The pattern as written (`s3:Get*`), or `NotAction […]`.
    pub action: String,
    /// The statement's resources (`*` = everything); `NotResource […]` when negated.
    pub resources: Vec<String>,
    /// The statement has conditions: the grant holds only when they do.
    pub conditional: bool,
    pub policy: String,
    pub flags: Vec<GrantFlag>,
    pub boundary: BoundaryEffect,
    /// What the session policy does to it (`keeps` without one).
    #[serde(default, skip_serializing_if = "BoundaryEffect::is_keeps")]
    pub session: BoundaryEffect,
}

/// Why a grant deserves a second look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GrantFlag {
    /// The action or the resource is a wildcard.
    Wildcard,
    /// Covers `iam:PassRole` (hand a role to a service: privilege escalation).
    PassRole,
    /// Covers `sts:AssumeRole` (become another role).
    AssumeRole,
    /// Covers actions that change things.
    Write,
}

/// What the permissions boundary (or a session policy: both only limit) does to a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundaryEffect {
    /// No boundary, or it allows all of the pattern.
    #[default]
    Keeps,
    /// It allows part of the pattern.
    Narrows,
    /// It allows none of it (or denies it).
    Removes,
}

impl BoundaryEffect {
    fn is_keeps(&self) -> bool {
        *self == BoundaryEffect::Keeps
    }
}

/// Marks what a session policy (a Pod Identity association's) leaves of each grant: like a
/// boundary, it only limits.
pub fn with_session_policy(
    mut summary: EffectivePermissions,
    session: &NamedPolicy,
) -> EffectivePermissions {
    for grant in summary
        .services
        .iter_mut()
        .flat_map(|s| s.grants.iter_mut())
    {
        grant.session = if grant.action.starts_with("NotAction ") {
            BoundaryEffect::Narrows
        } else {
            boundary_effect(&grant.action, &session.document)
        };
    }
    summary.session_policy = Some(session.name.clone());
    summary
}

/// Verbs of actions that change something (the prefix of the action name).
const WRITE_VERBS: [&str; 34] = [
    "Put",
    "Create",
    "Delete",
    "Update",
    "Attach",
    "Detach",
    "Modify",
    "Set",
    "Add",
    "Remove",
    "Tag",
    "Untag",
    "Run",
    "Start",
    "Stop",
    "Terminate",
    "Write",
    "Upload",
    "Invoke",
    "Send",
    "Publish",
    "Replace",
    "Restore",
    "Reboot",
    "Associate",
    "Disassociate",
    "Register",
    "Deregister",
    "Enable",
    "Disable",
    "Import",
    "Reset",
    "Revoke",
    "Authorize",
];

/// Summarises `identity` policies under an optional `boundary`.
pub fn summarise(identity: &[NamedPolicy], boundary: Option<&NamedPolicy>) -> EffectivePermissions {
    summarise_with(identity, boundary, &mut Memo::default())
}

/// What [`summarise_with`] remembers between roles: the flags of each action pattern and the
/// boundary's effect on it (an account's roles repeat the same patterns and boundary).
#[derive(Debug, Default)]
pub struct Memo {
    flags: HashMap<(String, bool, bool), Vec<GrantFlag>>,
    boundary: HashMap<(String, String), BoundaryEffect>,
}

/// [`summarise`] for many roles, sharing `memo`.
pub fn summarise_with(
    identity: &[NamedPolicy],
    boundary: Option<&NamedPolicy>,
    memo: &mut Memo,
) -> EffectivePermissions {
    let mut services: Vec<ServiceGrants> = Vec::new();
    let mut denies = Vec::new();
    for policy in identity {
        for s in &policy.document.statements {
            let resources = match &s.resource {
                Some(ActionSpec::Only(r)) => r.clone(),
                Some(ActionSpec::Not(r)) => vec![format!("NotResource {r:?}")],
                None => Vec::new(),
            };
            let patterns: Vec<String> = match &s.action {
                ActionSpec::Only(a) => a.clone(),
                ActionSpec::Not(a) => vec![format!("NotAction {a:?}")],
            };
            if s.effect == Effect::Deny {
                denies.push(format!(
                    "{}: Deny {} on {}",
                    policy.name,
                    patterns.join(", "),
                    resources.join(", ")
                ));
                continue;
            }
            let negated = matches!(s.action, ActionSpec::Not(_));
            for action in patterns {
                let service = if negated {
                    "*".to_owned()
                } else {
                    action
                        .split_once(':')
                        .map_or("*", |(svc, _)| svc)
                        .to_ascii_lowercase()
                };
                let grant = Grant {
                    flags: memo
                        .flags
                        .entry((action.clone(), negated, resources.iter().any(|r| r == "*")))
                        .or_insert_with(|| flags(&action, &resources, negated))
                        .clone(),
                    boundary: boundary.map_or(BoundaryEffect::Keeps, |b| {
                        if negated {
                            BoundaryEffect::Narrows
                        } else {
                            *memo
                                .boundary
                                .entry((b.name.clone(), action.clone()))
                                .or_insert_with(|| boundary_effect(&action, &b.document))
                        }
                    }),
                    action,
                    resources: resources.clone(),
                    conditional: !s.conditions.is_empty(),
                    policy: policy.name.clone(),
                    session: BoundaryEffect::Keeps,
                };
                match services.iter_mut().find(|g| g.service == service) {
                    Some(g) => g.grants.push(grant),
                    None => services.push(ServiceGrants {
                        service,
                        grants: vec![grant],
                    }),
                }
            }
        }
    }
    services.sort_by(|a, b| a.service.cmp(&b.service));
    EffectivePermissions {
        services,
        denies,
        boundary: boundary.map(|b| b.name.clone()),
        session_policy: None,
        unknowns: Vec::new(),
    }
}

fn flags(action: &str, resources: &[String], negated: bool) -> Vec<GrantFlag> {
    let mut out = Vec::new();
    let covers = |target: &str| negated || WildMatch::new_case_insensitive(action).matches(target);
    if negated || action.contains(['*', '?']) || resources.iter().any(|r| r == "*") {
        out.push(GrantFlag::Wildcard);
    }
    if covers("iam:PassRole") {
        out.push(GrantFlag::PassRole);
    }
    if covers("sts:AssumeRole") {
        out.push(GrantFlag::AssumeRole);
    }
    let name = action.split_once(':').map_or(action, |(_, name)| name);
    // A pattern writes when its literal head could start a write verb (`s3:Put*`, `s3:*`),
    // a name when it starts with one.
    let head = name.split(['*', '?']).next().unwrap_or_default();
    let wildcard = name.len() != head.len();
    let writes = negated
        || WRITE_VERBS.iter().any(|verb| {
            let starts = |text: &str, prefix: &str| {
                text.get(..prefix.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
            };
            starts(name, verb) || (wildcard && starts(verb, head))
        });
    if writes {
        out.push(GrantFlag::Write);
    }
    out
}

/// What `boundary` does to the grant pattern `action` (patterns matched against patterns).
fn boundary_effect(action: &str, boundary: &PolicyDocument) -> BoundaryEffect {
    let mut keeps = false;
    let mut overlaps = false;
    for s in &boundary.statements {
        let ActionSpec::Only(patterns) = &s.action else {
            // NotAction in a boundary: keeps whatever it does not name.
            if s.effect == Effect::Allow {
                overlaps = true;
            }
            continue;
        };
        let unconditional = s.conditions.is_empty()
            && matches!(&s.resource, Some(ActionSpec::Only(r)) if r.iter().any(|r| r == "*"));
        for p in patterns {
            let covers = WildMatch::new_case_insensitive(p).matches(action);
            let covered_by = WildMatch::new_case_insensitive(action).matches(p);
            match s.effect {
                Effect::Deny if covers && unconditional => return BoundaryEffect::Removes,
                Effect::Deny if covers || covered_by => overlaps = true,
                Effect::Allow if covers && unconditional => keeps = true,
                Effect::Allow if covers || covered_by => overlaps = true,
                _ => {}
            }
        }
    }
    match (keeps, overlaps) {
        (true, false) => BoundaryEffect::Keeps,
        (true, true) | (false, true) => BoundaryEffect::Narrows,
        (false, false) => BoundaryEffect::Removes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::policy::parse_str;

    fn named(name: &str, json: &str) -> NamedPolicy {
        NamedPolicy {
            name: name.to_owned(),
            document: parse_str(json).unwrap(),
        }
    }

    #[test]
    fn a_session_policy_only_limits_and_takes_admin_away() {
        let role = NamedPolicy {
            name: "role".to_owned(),
            document: parse_str(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*","s3:GetObject","s3:PutObject"],"Resource":"*"}]}"#,
            )
            .unwrap(),
        };
        let session = NamedPolicy {
            name: "session".to_owned(),
            document: parse_str(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/daily/*"}]}"#,
            )
            .unwrap(),
        };
        let before = summarise(std::slice::from_ref(&role), None);
        assert!(before.is_admin());
        let after = with_session_policy(before.clone(), &session);
        assert!(!after.is_admin(), "a session policy narrows an admin role");
        let effect = |action: &str| {
            after
                .services
                .iter()
                .flat_map(|s| &s.grants)
                .find(|g| g.action == action)
                .map(|g| g.session)
        };
        assert_eq!(effect("s3:PutObject"), Some(BoundaryEffect::Removes));
        assert_eq!(effect("s3:GetObject"), Some(BoundaryEffect::Narrows));
        assert_eq!(effect("*"), Some(BoundaryEffect::Narrows));
        // It never adds: every grant is still the role's own.
        assert_eq!(
            before
                .services
                .iter()
                .map(|s| s.grants.len())
                .sum::<usize>(),
            after.services.iter().map(|s| s.grants.len()).sum::<usize>()
        );
        assert_eq!(after.session_policy.as_deref(), Some("session"));
    }

    #[test]
    fn grants_are_grouped_by_service_and_risky_ones_flagged() {
        let p = named(
            "app",
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},
                {"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
                {"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::1:role/x","Condition":{"StringEquals":{"sts:ExternalId":"e"}}},
                {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#,
        );
        let e = summarise(&[p], None);
        let names: Vec<&str> = e.services.iter().map(|s| s.service.as_str()).collect();
        assert_eq!(names, ["iam", "s3", "sts"]);
        let s3 = &e.services[1].grants;
        assert_eq!(s3[0].flags, []);
        assert_eq!(s3[1].flags, [GrantFlag::Write]);
        assert!(e.services[0].grants[0].flags.contains(&GrantFlag::PassRole));
        assert!(e.services[0].grants[0].flags.contains(&GrantFlag::Wildcard));
        assert!(e.services[2].grants[0].conditional);
        assert!(
            e.services[2].grants[0]
                .flags
                .contains(&GrantFlag::AssumeRole)
        );
        assert_eq!(e.denies, ["app: Deny s3:DeleteBucket on *"]);
    }

    #[test]
    fn a_boundary_keeps_narrows_or_removes_each_grant() {
        let p = named(
            "admin",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3:GetObject","kms:Decrypt","iam:CreateUser"],"Resource":"*"}]}"#,
        );
        let b = named(
            "boundary",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","iam:*"],"Resource":"*"},{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}"#,
        );
        let e = summarise(&[p], Some(&b));
        let effect = |action: &str| {
            e.services
                .iter()
                .flat_map(|s| &s.grants)
                .find(|g| g.action == action)
                .map(|g| g.boundary)
        };
        assert_eq!(effect("s3:*"), Some(BoundaryEffect::Narrows));
        assert_eq!(effect("s3:GetObject"), Some(BoundaryEffect::Keeps));
        assert_eq!(effect("kms:Decrypt"), Some(BoundaryEffect::Removes));
        assert_eq!(effect("iam:CreateUser"), Some(BoundaryEffect::Removes));
        assert_eq!(e.boundary.as_deref(), Some("boundary"));
    }

    #[test]
    fn admin_access_is_every_flag() {
        let p = named(
            "AdministratorAccess",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        );
        let e = summarise(&[p], None);
        assert_eq!(e.services[0].service, "*");
        assert_eq!(
            e.services[0].grants[0].flags,
            [
                GrantFlag::Wildcard,
                GrantFlag::PassRole,
                GrantFlag::AssumeRole,
                GrantFlag::Write
            ]
        );
    }
}
