//! The permission evaluator against the documented evaluation logic, case by case, and its
//! invariants as properties.

use super::*;
use crate::analysis::policy::parse_str;
use proptest::prelude::*;
use std::collections::BTreeMap;

const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/botocore-session-1";
const ROLE: &str = "arn:aws:iam::111122223333:role/app";
const BUCKET_OBJ: &str = "arn:aws:s3:::my-app-bucket/x";

fn doc(json: &str) -> PolicyDocument {
    parse_str(json).unwrap()
}

fn named(name: &str, json: &str) -> NamedPolicy {
    NamedPolicy {
        name: name.to_owned(),
        document: doc(json),
    }
}

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn deny(action: &str, resource: &str) -> String {
    allow(action, resource).replace("Allow", "Deny")
}

fn request(action: &str, resource: &str) -> PermissionRequest {
    PermissionRequest {
        action: action.to_owned(),
        resource: resource.to_owned(),
        principal: SESSION.to_owned(),
        resource_account: None,
        keys: Vec::new(),
        principal_tags_known: true,
    }
}

fn set(identity: &[&str]) -> PolicySet {
    PolicySet {
        identity: identity
            .iter()
            .enumerate()
            .map(|(i, j)| named(&format!("p{i}"), j))
            .collect(),
        boundary: None,
        session: Vec::new(),
        scps: Some(Vec::new()),
        resource: ResourcePolicy::None,
    }
}

fn resource_policy(principal: &str, effect: &str) -> ResourcePolicy {
    ResourcePolicy::Loaded {
        policy: named(
            "bucket-policy",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{{"AWS":"{principal}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::my-app-bucket/*"}}]}}"#
            ),
        ),
    }
}

fn decide(r: &PermissionRequest, p: &PolicySet) -> PermissionDecision {
    evaluate(r, p).decision
}

#[test]
fn an_identity_allow_allows_and_names_its_statement() {
    let v = evaluate(
        &request("s3:GetObject", BUCKET_OBJ),
        &set(&[&allow("s3:GetObject", "arn:aws:s3:::my-app-bucket/*")]),
    );
    assert_eq!(v.decision, PermissionDecision::Allow);
    assert_eq!(v.deciding[0].policy, "p0");
    assert_eq!(v.deciding[0].kind, PolicyKind::Identity);
    assert!(
        v.reason.contains("identity policy \"p0\" statement 1"),
        "{}",
        v.reason
    );
    assert!(v.unknowns.is_empty(), "{:?}", v.unknowns);
}

#[test]
fn nothing_allows_is_an_implicit_deny() {
    let v = evaluate(
        &request("s3:PutObject", BUCKET_OBJ),
        &set(&[&allow("s3:GetObject", "arn:aws:s3:::my-app-bucket/*")]),
    );
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    assert!(v.deciding.is_empty());
    assert!(!v.policies[0].statements[0].action.matched);
}

#[test]
fn an_explicit_deny_anywhere_wins() {
    let r = request("s3:GetObject", BUCKET_OBJ);
    let mut p = set(&[
        &allow("s3:*", "*"),
        &deny("s3:Get*", "arn:aws:s3:::my-app-bucket/*"),
    ]);
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::ExplicitDeny);
    assert_eq!(v.deciding[0].policy, "p1");
    p.identity.truncate(1);
    p.resource = resource_policy("*", "Deny");
    assert_eq!(decide(&r, &p), PermissionDecision::ExplicitDeny);
    p.resource = ResourcePolicy::None;
    p.scps = Some(vec![ScpLevel {
        name: "root".to_owned(),
        policies: vec![
            named("FullAWSAccess", &allow("*", "*")),
            named("no-s3", &deny("s3:*", "*")),
        ],
    }]);
    assert_eq!(decide(&r, &p), PermissionDecision::ExplicitDeny);
}

#[test]
fn actions_ignore_case_and_resources_do_not() {
    let p = set(&[&allow("S3:getobject", "arn:aws:s3:::my-app-bucket/*")]);
    assert_eq!(
        decide(&request("s3:GetObject", BUCKET_OBJ), &p),
        PermissionDecision::Allow
    );
    assert_eq!(
        decide(&request("s3:GetObject", "arn:aws:s3:::My-App-Bucket/x"), &p),
        PermissionDecision::ImplicitDeny
    );
    let q = set(&[&allow("s3:GetObjec?", "arn:aws:s3:::my-app-bucket/?")]);
    assert_eq!(
        decide(&request("s3:GetObject", BUCKET_OBJ), &q),
        PermissionDecision::Allow
    );
}

#[test]
fn not_action_and_not_resource_invert_the_match() {
    let p = set(&[
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::secret/*"}]}"#,
    ]);
    assert_eq!(
        decide(&request("s3:GetObject", BUCKET_OBJ), &p),
        PermissionDecision::Allow
    );
    assert_eq!(
        decide(&request("iam:PassRole", ROLE), &p),
        PermissionDecision::ImplicitDeny
    );
    assert_eq!(
        decide(&request("s3:GetObject", "arn:aws:s3:::secret/k"), &p),
        PermissionDecision::ImplicitDeny
    );
}

#[test]
fn a_permissions_boundary_removes_what_it_does_not_allow() {
    let r = request("s3:PutObject", BUCKET_OBJ);
    let mut p = set(&[&allow("s3:*", "*")]);
    p.boundary = Some(named("read-only-boundary", &allow("s3:Get*", "*")));
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    assert!(
        v.reason
            .contains("permissions boundary \"read-only-boundary\""),
        "{}",
        v.reason
    );
    let ok = evaluate(&request("s3:GetObject", BUCKET_OBJ), &p);
    assert_eq!(ok.decision, PermissionDecision::Allow);
    assert!(
        ok.deciding
            .iter()
            .any(|d| d.kind == PolicyKind::PermissionsBoundary)
    );
}

#[test]
fn a_session_policy_narrows_the_role() {
    let mut p = set(&[&allow("s3:*", "*")]);
    p.session = vec![named(
        "association-policy",
        &allow("s3:GetObject", "arn:aws:s3:::my-app-bucket/*"),
    )];
    assert_eq!(
        decide(&request("s3:GetObject", BUCKET_OBJ), &p),
        PermissionDecision::Allow
    );
    let v = evaluate(&request("s3:DeleteObject", BUCKET_OBJ), &p);
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    assert!(v.reason.contains("session policy"), "{}", v.reason);
}

#[test]
fn every_scp_level_must_allow_and_missing_scps_are_an_unknown() {
    let r = request("s3:GetObject", BUCKET_OBJ);
    let mut p = set(&[&allow("s3:*", "*")]);
    p.scps = Some(vec![
        ScpLevel {
            name: "root".to_owned(),
            policies: vec![named("FullAWSAccess", &allow("*", "*"))],
        },
        ScpLevel {
            name: "ou-workloads".to_owned(),
            policies: vec![named("ec2-only", &allow("ec2:*", "*"))],
        },
    ]);
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    assert!(v.reason.contains("ou-workloads"), "{}", v.reason);
    p.scps = None;
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::Allow);
    assert!(v.unknowns.iter().any(|u| u.what == "SCPs not considered"));
}

#[test]
fn same_account_resource_policies_grant_by_whom_they_name() {
    let r = request("s3:GetObject", BUCKET_OBJ);
    let mut p = set(&[]);
    p.boundary = Some(named("boundary", &allow("ec2:*", "*")));
    // Naming the session itself: granted, the boundary does not limit it.
    p.resource = resource_policy(SESSION, "Allow");
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::Allow, "{}", v.reason);
    assert!(v.reason.contains("naming the caller itself"));
    // Naming the role: granted, but limited by the boundary.
    p.resource = resource_policy(ROLE, "Allow");
    assert_eq!(decide(&r, &p), PermissionDecision::ImplicitDeny);
    p.boundary = None;
    assert_eq!(decide(&r, &p), PermissionDecision::Allow);
    // Naming the account only delegates: the identity side must allow.
    p.resource = resource_policy("arn:aws:iam::111122223333:root", "Allow");
    assert_eq!(decide(&r, &p), PermissionDecision::ImplicitDeny);
}

#[test]
fn across_accounts_both_sides_must_allow() {
    let mut r = request("s3:GetObject", BUCKET_OBJ);
    r.resource_account = Some("444455556666".to_owned());
    let mut p = set(&[&allow("s3:GetObject", "*")]);
    let v = evaluate(&r, &p);
    assert!(v.cross_account);
    assert_eq!(
        v.decision,
        PermissionDecision::ImplicitDeny,
        "no resource policy: {}",
        v.reason
    );
    assert!(v.reason.contains("has no resource policy"), "{}", v.reason);
    p.resource = ResourcePolicy::NotLoaded {
        reason: "s3:GetBucketPolicy denied".to_owned(),
    };
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    assert!(
        v.unknowns
            .iter()
            .any(|u| u.why.contains("s3:GetBucketPolicy denied"))
    );
    p.resource = resource_policy("arn:aws:iam::111122223333:root", "Allow");
    assert_eq!(decide(&r, &p), PermissionDecision::Allow);
    p.identity.clear();
    assert_eq!(decide(&r, &p), PermissionDecision::ImplicitDeny);
}

#[test]
fn a_kms_key_policy_without_iam_delegation_ignores_identity_policies() {
    let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd";
    let r = request("kms:Decrypt", key);
    let mut p = set(&[&allow("kms:Decrypt", "*")]);
    let key_policy = |principal: &str| ResourcePolicy::Loaded {
        policy: named(
            "key-policy",
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"kms:*","Resource":"*"}}]}}"#
            ),
        ),
    };
    p.resource = key_policy("arn:aws:iam::111122223333:role/admin");
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    assert!(v.reason.contains("delegates to IAM"), "{}", v.reason);
    p.resource = key_policy("arn:aws:iam::111122223333:root");
    assert_eq!(decide(&r, &p), PermissionDecision::Allow);
    p.identity.clear();
    p.resource = key_policy(ROLE);
    assert_eq!(decide(&r, &p), PermissionDecision::Allow);
}

#[test]
fn principal_tag_variables_scope_a_pod_identity_role_to_its_namespace() {
    let abac = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/${aws:PrincipalTag/kubernetes-namespace}/*"}]}"#;
    let p = set(&[abac]);
    let mut r = request("s3:GetObject", "arn:aws:s3:::shared/team-a/report");
    r.keys.push(RequestKey {
        name: "aws:PrincipalTag/kubernetes-namespace".to_owned(),
        values: vec!["team-a".to_owned()],
    });
    assert_eq!(decide(&r, &p), PermissionDecision::Allow);
    r.resource = "arn:aws:s3:::shared/team-b/report".to_owned();
    assert_eq!(decide(&r, &p), PermissionDecision::ImplicitDeny);
    // Without the tag (session tags disabled) the variable is unresolved: nothing matches.
    r.keys.clear();
    r.resource = "arn:aws:s3:::shared/${aws:PrincipalTag/kubernetes-namespace}/report".to_owned();
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    assert!(
        v.policies[0].statements[0]
            .resource
            .detail
            .contains("unresolved")
    );
    // In a 2008-10-17 document the same text is literal.
    let old = set(&[&abac.replace("2012-10-17", "2008-10-17")]);
    assert_eq!(decide(&r, &old), PermissionDecision::Allow);
}

#[test]
fn derived_principal_keys_feed_conditions() {
    let p = set(&[
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"},"StringEquals":{"aws:PrincipalAccount":"111122223333","aws:PrincipalType":"AssumedRole"}}}]}"#,
    ]);
    assert_eq!(
        decide(&request("s3:GetObject", BUCKET_OBJ), &p),
        PermissionDecision::Allow
    );
}

#[test]
fn a_key_known_only_at_request_time_is_listed_as_unknown() {
    let p = set(&[
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}"#,
    ]);
    let mut r = request("s3:GetObject", BUCKET_OBJ);
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::ImplicitDeny);
    let keys: Vec<&str> = v.unknowns.iter().map(|u| u.what.as_str()).collect();
    assert!(keys.iter().any(|k| k.contains("aws:SourceIp")), "{keys:?}");
    assert!(
        keys.iter().any(|k| k.contains("aws:SecureTransport")),
        "{keys:?}"
    );
    r.keys.push(RequestKey {
        name: "aws:SourceIp".to_owned(),
        values: vec!["10.1.2.3".to_owned()],
    });
    r.keys.push(RequestKey {
        name: "aws:SecureTransport".to_owned(),
        values: vec!["true".to_owned()],
    });
    let v = evaluate(&r, &p);
    assert_eq!(v.decision, PermissionDecision::Allow);
    assert!(v.unknowns.is_empty(), "{:?}", v.unknowns);
}

#[test]
fn pod_sessions_have_the_documented_shapes_and_tags() {
    let irsa = SessionPrincipal::irsa(ROLE, Some("my-session"), None);
    assert_eq!(
        irsa.session_arn,
        "arn:aws:sts::111122223333:assumed-role/app/my-session"
    );
    assert!(!irsa.tags_known);
    let tags = BTreeMap::from([
        ("team".to_owned(), "payments".to_owned()),
        ("kubernetes-namespace".to_owned(), "spoofed".to_owned()),
    ]);
    let s = session::PodIdentitySession {
        role_arn: "arn:aws:iam::111122223333:role/path/pi-role",
        cluster_name: "irsa-lab",
        cluster_arn: Some("arn:aws:eks:eu-west-1:111122223333:cluster/irsa-lab"),
        namespace: "demo",
        service_account: "app",
        pod_name: "app-7d9",
        pod_uid: Some("0b1c"),
        session_tags_disabled: false,
        role_tags: Some(&tags),
    };
    let pi = SessionPrincipal::pod_identity(&s);
    assert!(
        pi.session_arn
            .starts_with("arn:aws:sts::111122223333:assumed-role/pi-role/eks-irsa-lab-app-7d9-")
    );
    let get = |k: &str| {
        pi.keys
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        get("aws:PrincipalTag/kubernetes-namespace"),
        Some("demo"),
        "session tag wins"
    );
    assert_eq!(get("aws:PrincipalTag/team"), Some("payments"));
    assert_eq!(get("aws:PrincipalTag/kubernetes-pod-uid"), Some("0b1c"));
    let off = SessionPrincipal::pod_identity(&session::PodIdentitySession {
        session_tags_disabled: true,
        ..s
    });
    let off_get = |k: &str| {
        off.keys
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(off_get("aws:PrincipalTag/kubernetes-pod-name"), None);
    assert_eq!(
        off_get("aws:PrincipalTag/kubernetes-namespace"),
        Some("spoofed"),
        "only the role's own tag"
    );
    assert_eq!(role_arn_of_session(SESSION).as_deref(), Some(ROLE));
}

// ----- properties -----

fn arb_statement() -> impl Strategy<Value = String> {
    let actions = prop::sample::select(vec![
        "s3:GetObject",
        "s3:*",
        "s3:Get*",
        "*",
        "ec2:*",
        "kms:Decrypt",
    ]);
    let resources = prop::sample::select(vec![
        "*",
        "arn:aws:s3:::my-app-bucket/*",
        "arn:aws:s3:::other/*",
        "arn:aws:s3:::my-app-bucket/${aws:PrincipalTag/team}",
    ]);
    let effects = prop::sample::select(vec!["Allow", "Deny"]);
    let not = prop::bool::ANY;
    (effects, actions, resources, not).prop_map(|(e, a, r, not)| {
        let a_key = if not { "NotAction" } else { "Action" };
        format!(r#"{{"Effect":"{e}","{a_key}":"{a}","Resource":"{r}"}}"#)
    })
}

fn arb_policy() -> impl Strategy<Value = String> {
    prop::collection::vec(arb_statement(), 1..4).prop_map(|s| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            s.join(",")
        )
    })
}

fn arb_set() -> impl Strategy<Value = PolicySet> {
    (
        prop::collection::vec(arb_policy(), 0..3),
        prop::option::of(arb_policy()),
        prop::option::of(arb_policy()),
    )
        .prop_map(|(identity, boundary, session)| PolicySet {
            identity: identity
                .iter()
                .enumerate()
                .map(|(i, j)| named(&format!("p{i}"), j))
                .collect(),
            boundary: boundary.map(|b| named("boundary", &b)),
            session: session.map(|s| named("session", &s)).into_iter().collect(),
            scps: None,
            resource: ResourcePolicy::None,
        })
}

fn arb_request() -> impl Strategy<Value = PermissionRequest> {
    let actions = prop::sample::select(vec![
        "s3:GetObject",
        "s3:PutObject",
        "kms:Decrypt",
        "ec2:RunInstances",
    ]);
    let resources = prop::sample::select(vec![BUCKET_OBJ, "arn:aws:s3:::other/y", "*"]);
    (actions, resources).prop_map(|(a, r)| request(a, r))
}

proptest! {
    #[test]
    fn adding_a_deny_never_turns_a_deny_into_an_allow(r in arb_request(), p in arb_set(), extra in arb_statement()) {
        let before = decide(&r, &p);
        let mut q = p.clone();
        let deny_doc = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, extra.replace("\"Allow\"", "\"Deny\""));
        q.identity.push(named("added-deny", &deny_doc));
        let after = decide(&r, &q);
        if before != PermissionDecision::Allow {
            prop_assert_ne!(after, PermissionDecision::Allow);
        }
    }

    #[test]
    fn a_boundary_never_widens(r in arb_request(), p in arb_set(), b in arb_policy()) {
        let mut without = p.clone();
        without.boundary = None;
        let mut with = p;
        with.boundary = Some(named("boundary", &b));
        if decide(&r, &with) == PermissionDecision::Allow {
            prop_assert_eq!(decide(&r, &without), PermissionDecision::Allow);
        }
    }

    #[test]
    fn an_unresolvable_variable_never_matches(action in "[a-z0-9]{1,8}:[A-Za-z]{1,12}", tail in "[a-z/]{0,10}") {
        let p = set(&[&allow("*", &format!("arn:aws:s3:::b/${{aws:PrincipalTag/nope}}{tail}*"))]);
        let mut r = request(&action, &format!("arn:aws:s3:::b/${{aws:PrincipalTag/nope}}{tail}"));
        r.keys.clear();
        prop_assert_eq!(decide(&r, &p), PermissionDecision::ImplicitDeny);
    }
}
