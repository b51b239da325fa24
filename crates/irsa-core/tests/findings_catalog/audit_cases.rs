//! AUD001–AUD013: positive and negative cases.

use super::lab::*;
use irsa_core::model::{
    AttachedPolicy, FindingCode as C, InlinePolicy, RoleInfo, RoleLastUsed, Severity, Subject,
};
use serde_json::json;

fn role_subject() -> Subject {
    Subject::role(ROLE)
}

fn with_trust(condition: serde_json::Value) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]})
}

#[test]
fn aud001_wildcard_sub() {
    let mut inv = healthy();
    inv.service_accounts.push(sa("demo", "other", None));
    role_mut(&mut inv, ROLE).trust_policy = Some(with_trust(json!({
        "StringLike": {format!("{HOST}:sub"): "system:serviceaccount:demo:*"},
        "StringEquals": {format!("{HOST}:aud"): "sts.amazonaws.com"}})));
    let r = run(&inv);
    let f = fires(&r, C::AUD001, &role_subject());
    assert!(
        f.evidence
            .iter()
            .any(|e| e.actual.as_deref() == Some("system:serviceaccount:demo:*"))
    );
    let admitted = evidence(f, "it admits").actual.clone().unwrap_or_default();
    assert!(
        admitted.contains("demo:other") && admitted.contains("demo:s3-reader"),
        "{admitted}"
    );

    let mut exact_like = healthy();
    role_mut(&mut exact_like, ROLE).trust_policy = Some(with_trust(json!({
        "StringLike": {format!("{HOST}:sub"): "system:serviceaccount:demo:s3-reader"},
        "StringEquals": {format!("{HOST}:aud"): "sts.amazonaws.com"}})));
    quiet(&run(&exact_like), C::AUD001);
}

#[test]
fn aud002_no_sub_condition_is_critical() {
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).trust_policy = Some(with_trust(
        json!({"StringEquals": {format!("{HOST}:aud"): "sts.amazonaws.com"}}),
    ));
    let r = run(&inv);
    let f = fires(&r, C::AUD002, &role_subject());
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(
        r.findings.first().map(|f| f.code),
        Some(C::AUD002),
        "critical sorts first"
    );
    quiet(&r, C::AUD003);
    quiet(&run(&healthy()), C::AUD002);
}

#[test]
fn aud003_no_aud_condition() {
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).trust_policy = Some(with_trust(
        json!({"StringEquals": {format!("{HOST}:sub"): "system:serviceaccount:demo:s3-reader"}}),
    ));
    let r = run(&inv);
    let f = fires(&r, C::AUD003, &role_subject());
    assert!(
        evidence(f, ":aud")
            .expected
            .as_deref()
            .is_some_and(|e| e.contains("sts.amazonaws.com"))
    );
    quiet(&r, C::AUD002);
    quiet(&run(&healthy()), C::AUD003);
}

#[test]
fn aud004_one_role_several_service_accounts() {
    let mut inv = healthy();
    inv.service_accounts
        .push(sa("batch", "s3-reader", Some(ROLE)));
    let r = run(&inv);
    let f = fires(&r, C::AUD004, &role_subject());
    assert!(
        evidence(f, "ServiceAccounts using")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains("batch/s3-reader") && a.contains("demo/s3-reader"))
    );
    quiet(&run(&healthy()), C::AUD004);
}

#[test]
fn aud005_dangling_subject_and_orphan_role() {
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).trust_policy = Some(trust(&[
        "system:serviceaccount:demo:s3-reader",
        "system:serviceaccount:legacy:uploader",
    ]));
    let r = run(&inv);
    let f = fires(&r, C::AUD005, &role_subject());
    let e = evidence(f, "trusted ServiceAccount exists");
    assert_eq!(
        (e.expected.as_deref(), e.actual.as_deref()),
        (
            Some("system:serviceaccount:legacy:uploader"),
            Some("not found")
        )
    );

    let orphan = "arn:aws:iam::123456789012:role/eks-irsa-lab-old-job-role";
    let mut o = healthy();
    o.service_accounts.push(sa("old", "job", None));
    o.roles.get_or_insert_with(Vec::new).push(role(
        orphan,
        trust(&["system:serviceaccount:old:job"]),
        "old",
        "job",
    ));
    let r = run(&o);
    assert!(
        fires(&r, C::AUD005, &Subject::role(orphan))
            .title
            .contains("orphan")
    );

    quiet(&run(&healthy()), C::AUD005);
}

#[test]
fn aud006_no_permissions_boundary() {
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).permissions_boundary = None;
    let r = run(&inv);
    let f = fires(&r, C::AUD006, &role_subject());
    assert!(f.fix.as_deref().is_some_and(|x| x.starts_with(
        "aws iam put-role-permissions-boundary --role-name eks-irsa-lab-demo-s3-reader-role"
    )));
    quiet(&run(&healthy()), C::AUD006);
    // The node role is not an IRSA role: never reported.
    assert!(
        of(&r, C::AUD006)
            .iter()
            .all(|f| f.subject != Subject::role(NODE_ROLE))
    );
}

#[test]
fn aud007_missing_tags() {
    let mut inv = healthy();
    let r = role_mut(&mut inv, ROLE);
    r.tags.remove("app");
    r.tags.remove("managed-by");
    let r = run(&inv);
    let f = fires(&r, C::AUD007, &role_subject());
    assert!(
        evidence(f, "tags")
            .actual
            .as_deref()
            .is_some_and(|a| a.starts_with("missing app, managed-by"))
    );
    assert!(
        f.fix
            .as_deref()
            .is_some_and(|x| x.contains("Key=app,Value=s3-reader"))
    );
    quiet(&run(&healthy()), C::AUD007);
}

#[test]
fn aud008_naming_convention() {
    let arn = "arn:aws:iam::123456789012:role/s3-reader";
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", Some(arn));
    inv.pods[0] = irsa_pod("demo", "s3-reader-7d9f8c-abcde", "s3-reader", arn);
    inv.roles.get_or_insert_with(Vec::new).push(role(
        arn,
        trust(&["system:serviceaccount:demo:s3-reader"]),
        "demo",
        "s3-reader",
    ));
    let r = run(&inv);
    let f = fires(&r, C::AUD008, &sa_subject("demo", "s3-reader"));
    let e = evidence(f, "role name");
    assert_eq!(
        (e.expected.as_deref(), e.actual.as_deref()),
        (Some("eks-irsa-lab-demo-s3-reader-role"), Some("s3-reader"))
    );
    quiet(&run(&healthy()), C::AUD008);
}

fn assume_into(target: &str) -> InlinePolicy {
    InlinePolicy {
        name: "cross-account".into(),
        document: json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": target}]}),
    }
}

fn account_b_role(external_id: bool) -> RoleInfo {
    let mut stmt =
        json!({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"});
    if external_id {
        stmt["Condition"] =
            json!({"StringEquals": {"sts:ExternalId": "irsa-lab-accountb-shared-id"}});
    }
    RoleInfo::new(
        "arn:aws:iam::210987654321:role/accountb-data-reader",
        Some(json!({"Version": "2012-10-17", "Statement": [stmt]})),
    )
}

#[test]
fn aud009_cross_account_assume_without_external_id() {
    let target = "arn:aws:iam::210987654321:role/accountb-data-reader";
    let mut inv = healthy();
    role_mut(&mut inv, ROLE)
        .inline_policies
        .push(assume_into(target));
    inv.roles
        .get_or_insert_with(Vec::new)
        .push(account_b_role(false));
    let r = run(&inv);
    let f = fires(&r, C::AUD009, &role_subject());
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.evidence
            .iter()
            .any(|e| e.actual.as_deref() == Some(target))
    );

    // Target not loaded: still reported, but as unverifiable (medium).
    let mut unknown = healthy();
    role_mut(&mut unknown, ROLE)
        .inline_policies
        .push(assume_into(target));
    let r = run(&unknown);
    let f = fires(&r, C::AUD009, &role_subject());
    assert_eq!(f.severity, Severity::Medium);
    assert!(f.title.contains("cannot be verified"), "{}", f.title);

    // The guide's accountb-data-reader requires an External ID: fine.
    let mut guarded = healthy();
    role_mut(&mut guarded, ROLE)
        .inline_policies
        .push(assume_into(target));
    guarded
        .roles
        .get_or_insert_with(Vec::new)
        .push(account_b_role(true));
    quiet(&run(&guarded), C::AUD009);
}

#[test]
fn aud010_over_broad_grants() {
    let mut inv = healthy();
    role_mut(&mut inv, ROLE)
        .attached_policies
        .push(AttachedPolicy {
            name: "AdministratorAccess".into(),
            arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            document: None,
        });
    let r = run(&inv);
    let f = fires(&r, C::AUD010, &role_subject());
    assert!(
        evidence(f, "attached policy")
            .actual
            .as_deref()
            .is_some_and(|a| a.ends_with("policy/AdministratorAccess"))
    );

    let mut star = healthy();
    role_mut(&mut star, ROLE).inline_policies.push(InlinePolicy {
        name: "oops".into(),
        document: json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}),
    });
    let r = run(&star);
    let f = fires(&r, C::AUD010, &role_subject());
    assert!(
        evidence(f, "oops statement 1")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains("s3:PutObject"))
    );

    let mut reads = healthy();
    role_mut(&mut reads, ROLE).inline_policies.push(InlinePolicy {
        name: "describe".into(),
        document: json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}),
    });
    quiet(&run(&reads), C::AUD010);
}

#[test]
fn aud011_unused_for_ninety_days() {
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).last_used = Some(RoleLastUsed {
        date: Some("2026-07-01T00:00:00Z".parse().expect("ts")),
        region: None,
    });
    let r = run(&inv);
    let f = fires(&r, C::AUD011, &role_subject());
    assert!(
        evidence(f, "RoleLastUsed")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains("123 days")),
        "{:?}",
        f.evidence
    );

    let mut never = healthy();
    let role = role_mut(&mut never, ROLE);
    role.last_used = Some(RoleLastUsed {
        date: None,
        region: None,
    });
    role.created = Some("2026-01-01T00:00:00Z".parse().expect("ts"));
    assert!(
        fires(&run(&never), C::AUD011, &role_subject())
            .title
            .contains("never used")
    );

    quiet(&run(&healthy()), C::AUD011);
}

#[test]
fn aud012_trust_near_the_size_quota() {
    let subs: Vec<String> = (0..40)
        .map(|i| format!("system:serviceaccount:team-{i:02}:s3-reader"))
        .collect();
    let mut all: Vec<&str> = subs.iter().map(String::as_str).collect();
    all.push("system:serviceaccount:demo:s3-reader");
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).trust_policy = Some(trust(&all));
    let r = run(&inv);
    let f = fires(&r, C::AUD012, &role_subject());
    let size: usize = evidence(f, "size")
        .actual
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    assert!(size >= 1843, "{size}");
    quiet(&run(&healthy()), C::AUD012);
}

#[test]
fn aud013_pod_identity_trust_lacks_tag_session() {
    let pi = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-uploader-role";
    let mut inv = healthy();
    inv.service_accounts.push(sa("demo", "uploader", None));
    inv.pod_identity_associations = Some(vec![association("demo", "uploader", pi)]);
    inv.roles.get_or_insert_with(Vec::new).push(role(pi, json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}), "demo", "uploader"));
    let r = run(&inv);
    let f = fires(&r, C::AUD013, &sa_subject("demo", "uploader"));
    assert_eq!(
        evidence(f, "sts:TagSession").actual.as_deref(),
        Some("not allowed")
    );
    assert_eq!(
        evidence(f, "sts:AssumeRole").actual.as_deref(),
        Some("allowed")
    );

    let mut ok = inv.clone();
    role_mut(&mut ok, pi).trust_policy = Some(pod_identity_trust());
    quiet(&run(&ok), C::AUD013);
}
