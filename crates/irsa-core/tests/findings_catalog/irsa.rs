//! IRSA001–IRSA009: positive and negative cases.

use super::lab::*;
use irsa_core::model::{FindingCode as C, Inventory, OidcProvider, RoleInfo};
use serde_json::json;

#[test]
fn irsa001_no_provider_for_the_issuer() {
    let mut inv = healthy();
    inv.oidc_providers = Some(vec![OidcProvider {
        arn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHERCLUSTER".into(),
        url: "oidc.eks.eu-west-1.amazonaws.com/id/OTHERCLUSTER".into(),
        client_ids: vec!["sts.amazonaws.com".into()],
        thumbprints: vec![],
        tags: Default::default(),
    }]);
    let r = run(&inv);
    let f = fires(&r, C::IRSA001, &sa_subject("demo", "s3-reader"));
    let e = evidence(f, "IAM OIDC providers in account 123456789012");
    assert_eq!(e.expected.as_deref(), Some(HOST));
    assert_eq!(
        e.actual.as_deref(),
        Some("oidc.eks.eu-west-1.amazonaws.com/id/OTHERCLUSTER")
    );
    assert!(f.aws_error.as_deref().is_some_and(|a| a.ends_with(&format!(
        "No OpenIDConnect provider found in your account for {ISSUER}"
    ))));
    assert_eq!(
        f.fix.as_deref(),
        Some("eksctl utils associate-iam-oidc-provider --cluster irsa-lab --approve")
    );

    quiet(&run(&healthy()), C::IRSA001);
    // A role in another account whose providers are loaded: the provider is created there.
    let other = "arn:aws:iam::210987654321:role/eks-irsa-lab-demo-s3-reader-role";
    let mut cross = healthy();
    cross.service_accounts[0] = sa("demo", "s3-reader", Some(other));
    cross.oidc_providers.get_or_insert_with(Vec::new).push(OidcProvider {
        arn: "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHERCLUSTER".into(),
        url: "oidc.eks.eu-west-1.amazonaws.com/id/OTHERCLUSTER".into(),
        client_ids: vec!["sts.amazonaws.com".into()],
        thumbprints: vec![],
        tags: Default::default(),
    });
    let r = run(&cross);
    let f = fires(&r, C::IRSA001, &sa_subject("demo", "s3-reader"));
    let want = format!(
        "in account 210987654321: aws iam create-open-id-connect-provider --url {ISSUER} --client-id-list sts.amazonaws.com"
    );
    assert_eq!(f.fix.as_deref(), Some(want.as_str()));
    // Providers unknown: no claim, an unknown instead.
    let mut unknown = healthy();
    unknown.oidc_providers = None;
    let r = run(&unknown);
    quiet(&r, C::IRSA001);
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.message.contains("OIDC providers not loaded")),
        "{:?}",
        r.unknowns
    );
}

#[test]
fn irsa002_audience_not_in_client_id_list() {
    let mut inv = healthy();
    if let Some(p) = inv.oidc_providers.as_mut().and_then(|p| p.first_mut()) {
        p.client_ids = vec!["sts.amazonaws.com.cn".into()];
    }
    let r = run(&inv);
    let f = fires(&r, C::IRSA002, &sa_subject("demo", "s3-reader"));
    let e = evidence(f, "ClientIDList");
    assert_eq!(
        (e.expected.as_deref(), e.actual.as_deref()),
        (Some("sts.amazonaws.com"), Some("sts.amazonaws.com.cn"))
    );
    assert!(
        f.aws_error
            .as_deref()
            .is_some_and(|a| a.ends_with("Incorrect token audience"))
    );

    let mut ok = inv.clone();
    if let Some(p) = ok.oidc_providers.as_mut().and_then(|p| p.first_mut()) {
        p.client_ids.push("sts.amazonaws.com".into());
    }
    quiet(&run(&ok), C::IRSA002);
}

#[test]
fn irsa003_the_guides_demo2_negative_test() {
    let mut inv = healthy();
    inv.service_accounts
        .push(sa("demo2", "s3-reader", Some(ROLE)));
    let r = run(&inv);
    let f = fires(&r, C::IRSA003, &sa_subject("demo2", "s3-reader"));
    let e = evidence(f, ":sub");
    assert_eq!(
        e.expected.as_deref(),
        Some("system:serviceaccount:demo:s3-reader")
    );
    assert_eq!(
        e.actual.as_deref(),
        Some("system:serviceaccount:demo2:s3-reader")
    );
    let near = evidence(f, "nearest miss");
    assert!(near.item.contains("edit distance 1"), "{near:?}");
    assert!(
        f.aws_error
            .as_deref()
            .is_some_and(|a| a.contains("Not authorized to perform sts:AssumeRoleWithWebIdentity"))
    );
    let fix = f.fix.as_deref().unwrap_or_default();
    assert!(
        fix.contains(
            "aws iam update-assume-role-policy --role-name eks-irsa-lab-demo-s3-reader-role"
        ),
        "{fix}"
    );
    assert!(
        fix.contains("system:serviceaccount:demo2:s3-reader"),
        "{fix}"
    );
    // The SA the trust names is fine.
    assert!(
        of(&r, C::IRSA003)
            .iter()
            .all(|f| f.subject != sa_subject("demo", "s3-reader"))
    );
}

#[test]
fn irsa004_trust_copied_from_another_cluster() {
    let other = "oidc.eks.eu-west-1.amazonaws.com/id/0000STALECOPY";
    let other_arn = format!("arn:aws:iam::123456789012:oidc-provider/{other}");
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).trust_policy = Some(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": other_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {format!("{other}:sub"): "system:serviceaccount:demo:s3-reader"}}}]}));
    let r = run(&inv);
    let f = fires(&r, C::IRSA004, &sa_subject("demo", "s3-reader"));
    let e = evidence(f, "Principal.Federated");
    assert_eq!(
        (e.expected.as_deref(), e.actual.as_deref()),
        (Some(PROVIDER), Some(other_arn.as_str()))
    );
    quiet(&r, C::IRSA003);
    quiet(&run(&healthy()), C::IRSA004);
}

#[test]
fn irsa005_trust_audience_differs_from_the_token_audience() {
    let mut inv = healthy();
    inv.service_accounts[0] =
        sa("demo", "s3-reader", Some(ROLE)).with_annotation("eks.amazonaws.com/audience", "vault");
    if let Some(p) = inv.oidc_providers.as_mut().and_then(|p| p.first_mut()) {
        p.client_ids.push("vault".into());
    }
    let r = run(&inv);
    let f = fires(&r, C::IRSA005, &sa_subject("demo", "s3-reader"));
    let e = evidence(f, ":aud");
    assert_eq!(
        (e.expected.as_deref(), e.actual.as_deref()),
        (Some("sts.amazonaws.com"), Some("vault"))
    );
    quiet(&r, C::IRSA002);
    quiet(&r, C::IRSA003);
    quiet(&run(&healthy()), C::IRSA005);
}

#[test]
fn irsa006_annotated_role_missing_with_nearest_name() {
    let mut inv = healthy();
    inv.service_accounts[0] = sa(
        "demo",
        "s3-reader",
        Some("arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reder-role"),
    );
    let r = run(&inv);
    let f = fires(&r, C::IRSA006, &sa_subject("demo", "s3-reader"));
    let near = evidence(f, "nearest existing role");
    assert_eq!(
        near.actual.as_deref(),
        Some("eks-irsa-lab-demo-s3-reader-role")
    );
    // A name unlike any existing role gets no "did you mean".
    let mut far = healthy();
    far.service_accounts[0] = sa(
        "demo",
        "s3-reader",
        Some("arn:aws:iam::123456789012:role/totally-different"),
    );
    let r = run(&far);
    let f = fires(&r, C::IRSA006, &sa_subject("demo", "s3-reader"));
    assert!(
        f.evidence.iter().all(|e| !e.item.contains("nearest")),
        "{:?}",
        f.evidence
    );

    // Another account's role is unknown, never "missing".
    let mut cross = healthy();
    cross.service_accounts[0] = sa(
        "demo",
        "s3-reader",
        Some("arn:aws:iam::210987654321:role/elsewhere"),
    );
    let r = run(&cross);
    quiet(&r, C::IRSA006);
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.message.contains("account 210987654321")),
        "{:?}",
        r.unknowns
    );
}

#[test]
fn irsa007_malformed_role_arn() {
    let mut inv = healthy();
    inv.service_accounts[0] = sa(
        "demo",
        "s3-reader",
        Some("arn:aws:iam::123456789012:user/s3-reader"),
    );
    let r = run(&inv);
    let f = fires(&r, C::IRSA007, &sa_subject("demo", "s3-reader"));
    assert!(
        evidence(f, "problem")
            .actual
            .as_deref()
            .is_some_and(|p| p.contains("\"user\""))
    );
    assert!(
        f.aws_error.as_deref().is_some_and(
            |a| a.contains("(ValidationError)") && a.ends_with("Request ARN is invalid")
        )
    );
    quiet(&r, C::IRSA006);

    // A missing `::` is repaired in the fix.
    let mut colon = healthy();
    colon.service_accounts[0] = sa(
        "demo",
        "s3-reader",
        Some("arn:aws:iam:123456789012:role/eks-irsa-lab-demo-s3-reader-role"),
    );
    let r = run(&colon);
    let f = fires(&r, C::IRSA007, &sa_subject("demo", "s3-reader"));
    let want = format!(
        "kubectl annotate serviceaccount s3-reader -n demo eks.amazonaws.com/role-arn={ROLE} --overwrite"
    );
    assert_eq!(f.fix.as_deref(), Some(want.as_str()));

    let mut with_path = healthy();
    let arn = "arn:aws:iam::123456789012:role/team/eks-irsa-lab-demo-s3-reader-role";
    with_path.service_accounts[0] = sa("demo", "s3-reader", Some(arn));
    with_path
        .roles
        .get_or_insert_with(Vec::new)
        .push(RoleInfo::new(
            arn,
            Some(trust(&["system:serviceaccount:demo:s3-reader"])),
        ));
    quiet(&run(&with_path), C::IRSA007);
}

#[test]
fn irsa008_explicit_deny() {
    let deny = |who: &str| {
        let mut t = trust(&[&sub("demo", "s3-reader")]);
        if let Some(list) = t["Statement"].as_array_mut() {
            list.push(
                json!({"Sid": "NoDemo", "Effect": "Deny", "Principal": {"Federated": PROVIDER},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {format!("{HOST}:sub"): who}}}),
            );
        }
        t
    };
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).trust_policy = Some(deny("system:serviceaccount:demo:s3-reader"));
    let r = run(&inv);
    let f = fires(&r, C::IRSA008, &sa_subject("demo", "s3-reader"));
    assert!(
        evidence(f, "deciding statement")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains("NoDemo"))
    );

    let mut other = healthy();
    role_mut(&mut other, ROLE).trust_policy = Some(deny("system:serviceaccount:demo:intruder"));
    quiet(&run(&other), C::IRSA008);
}

#[test]
fn irsa009_no_statement_allows_web_identity() {
    let mut inv = healthy();
    role_mut(&mut inv, ROLE).trust_policy = Some(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
    let r = run(&inv);
    let f = fires(&r, C::IRSA009, &sa_subject("demo", "s3-reader"));
    assert!(
        evidence(f, "Allow statement")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains("statement 1"))
    );

    // An unparsable trust is IRSA009 too, with the parse error.
    let mut broken = healthy();
    role_mut(&mut broken, ROLE).trust_policy = Some(json!("{\"Statement\": ["));
    let r = run(&broken);
    let f = fires(&r, C::IRSA009, &sa_subject("demo", "s3-reader"));
    evidence(f, "parse error");

    quiet(&run(&healthy()), C::IRSA009);
}

#[test]
fn url_encoded_trust_documents_are_read_like_the_iam_api_returns_them() {
    let mut inv: Inventory = healthy();
    let text = serde_json::to_string(&trust(&[&sub("demo", "s3-reader")])).unwrap_or_default();
    let encoded: String = percent_encode(&text);
    role_mut(&mut inv, ROLE).trust_policy = Some(json!(encoded));
    let r = run(&inv);
    assert!(r.findings.is_empty(), "{:#?}", summary(&r));
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
