//! Permission evaluator: policy documents (identity, boundary, resource), ARNs and condition
//! keys (policy variables included) drawn from the input, then evaluated.
//!
//! The input is split on `\n---\n`: the first part is an identity policy, the second (when
//! present) a permissions boundary, the third a resource policy; the remaining bytes choose the
//! action, resource, principal and keys from the documents' own patterns (so statements are
//! reached, not just parsed), mutated now and then.
//!
//! Invariants checked besides "no panic":
//! - the decision agrees with the deciding statements (an explicit deny names an applicable
//!   Deny; an allow names an applicable Allow; an implicit deny names nothing);
//! - adding a policy that denies everything makes any decision an explicit deny;
//! - a boundary never widens: allowed with the boundary ⇒ allowed without it;
//! - the verdict renders to text.
#![no_main]

use arbitrary::Unstructured;
use irsa_core::analysis::permission::{
    self, NamedPolicy, PermissionDecision, PermissionRequest, PolicySet, ResourcePolicy,
};
use irsa_core::analysis::policy::{self, ActionSpec, Effect, PolicyDocument};
use irsa_core::analysis::trust::RequestKey;
use irsa_core::report::permission_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split("\n---\n");
    let Some(Ok(identity)) = parts.next().map(policy::parse_str) else {
        return;
    };
    let boundary = parts.next().and_then(|t| policy::parse_str(t).ok());
    let resource = parts.next().and_then(|t| policy::parse_str(t).ok());
    let mut u = Unstructured::new(data);
    let request = request_for(&[Some(&identity), boundary.as_ref(), resource.as_ref()], &mut u);
    let named = |name: &str, document: PolicyDocument| NamedPolicy {
        name: name.to_owned(),
        document,
    };
    let set = PolicySet {
        identity: vec![named("identity", identity)],
        boundary: boundary.map(|b| named("boundary", b)),
        session: Vec::new(),
        scps: None,
        resource: match resource {
            Some(r) => ResourcePolicy::Loaded {
                policy: named("resource", r),
            },
            None => ResourcePolicy::None,
        },
    };
    check(&request, &set);
});

fn check(request: &PermissionRequest, set: &PolicySet) {
    let v = permission::evaluate(request, set);
    let applies = |d: &permission::Deciding, effect: Effect| {
        v.policies.iter().any(|p| {
            p.name == d.policy
                && p.kind == d.kind
                && p.statements
                    .get(d.statement)
                    .is_some_and(|s| s.applies && s.effect == effect)
        })
    };
    match v.decision {
        PermissionDecision::ExplicitDeny => {
            assert!(v.deciding.len() == 1 && applies(&v.deciding[0], Effect::Deny))
        }
        PermissionDecision::Allow => {
            assert!(!v.deciding.is_empty() && v.deciding.iter().all(|d| applies(d, Effect::Allow)))
        }
        PermissionDecision::ImplicitDeny => assert!(v.deciding.is_empty()),
    }
    let _ = permission_text::simulation(request, &v);

    let mut denied = set.clone();
    let deny_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
    if let Ok(document) = policy::parse_str(deny_all) {
        denied.identity.push(NamedPolicy {
            name: "deny-all".to_owned(),
            document,
        });
        assert_eq!(
            permission::evaluate(request, &denied).decision,
            PermissionDecision::ExplicitDeny
        );
    }
    if set.boundary.is_some() && v.decision == PermissionDecision::Allow {
        let mut without = set.clone();
        without.boundary = None;
        assert_eq!(
            permission::evaluate(request, &without).decision,
            PermissionDecision::Allow
        );
    }
}

/// A request built from the documents' own actions, resources and condition keys.
fn request_for(docs: &[Option<&PolicyDocument>], u: &mut Unstructured<'_>) -> PermissionRequest {
    let mut actions = Vec::new();
    let mut resources = Vec::new();
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for doc in docs.iter().flatten() {
        for s in &doc.statements {
            let (ActionSpec::Only(a) | ActionSpec::Not(a)) = &s.action;
            actions.extend(a.iter().cloned());
            if let Some(ActionSpec::Only(r) | ActionSpec::Not(r)) = &s.resource {
                resources.extend(r.iter().cloned());
            }
            for c in &s.conditions {
                keys.push((c.key.clone(), c.values.clone()));
            }
        }
    }
    let mut pick = |list: &[String], fallback: &str| -> String {
        let chosen = u
            .choose(list)
            .map(String::clone)
            .unwrap_or_else(|_| fallback.to_owned());
        // Sometimes a concrete value instead of the pattern itself.
        if u.arbitrary::<bool>().unwrap_or(false) {
            chosen.replace('*', "x").replace('?', "y")
        } else {
            chosen
        }
    };
    let action = pick(&actions, "s3:GetObject");
    let resource = pick(&resources, "arn:aws:s3:::bucket/key");
    let mut request_keys = Vec::new();
    for (name, values) in keys {
        if u.arbitrary::<bool>().unwrap_or(false) {
            continue;
        }
        let values = if u.arbitrary::<bool>().unwrap_or(false) {
            values
        } else {
            vec![u.arbitrary::<String>().unwrap_or_default()]
        };
        request_keys.push(RequestKey { name, values });
    }
    if u.arbitrary::<bool>().unwrap_or(false) {
        request_keys.push(RequestKey {
            name: "aws:PrincipalTag/team".to_owned(),
            values: vec![u.arbitrary::<String>().unwrap_or_default()],
        });
    }
    let principal = match u.int_in_range(0..=2u8).unwrap_or(0) {
        0 => "arn:aws:sts::111122223333:assumed-role/app/session".to_owned(),
        1 => "arn:aws:iam::111122223333:user/alice".to_owned(),
        _ => "arn:aws:iam::111122223333:role/app".to_owned(),
    };
    PermissionRequest {
        action,
        resource,
        principal,
        resource_account: u
            .arbitrary::<bool>()
            .unwrap_or(false)
            .then(|| "444455556666".to_owned()),
        keys: request_keys,
        principal_tags_known: u.arbitrary::<bool>().unwrap_or(false),
    }
}
