//! POD001–POD010: positive and negative cases.

use super::lab::*;
use irsa_core::analysis::token::{DecodedToken, JwtHeader, TokenClaims};
use irsa_core::model::{EnvValue, EnvVarInfo, FindingCode as C, ObservedToken, RoleInfo, Subject};

const POD: &str = "s3-reader-7d9f8c-abcde";

fn pod_subject() -> Subject {
    Subject::pod("demo", POD)
}

#[test]
fn pod001_annotated_sa_but_pod_not_mutated() {
    let mut inv = healthy();
    inv.pods[0] = plain_pod("demo", POD, "s3-reader");
    let r = run(&inv);
    let f = fires(&r, C::POD001, &pod_subject());
    assert_eq!(
        evidence(f, "webhook injection").actual.as_deref(),
        Some("none")
    );
    assert_eq!(
        f.fix.as_deref(),
        Some("kubectl rollout restart deployment/s3-reader -n demo")
    );
    // IMDS is closed on n1: the pod ends with no credentials at all.
    assert!(
        f.aws_error
            .as_deref()
            .is_some_and(|e| e.contains("Unable to locate credentials")),
        "{:?}",
        f.aws_error
    );
    quiet(&run(&healthy()), C::POD001);
    // No identity configured: nothing to inject, no POD001.
    let mut none = healthy();
    none.service_accounts[0] = sa("demo", "s3-reader", None);
    none.pods[0] = plain_pod("demo", POD, "s3-reader");
    quiet(&run(&none), C::POD001);
}

#[test]
fn pod002_pod_runs_as_the_previous_role() {
    let new_role = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-v2-role";
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", Some(new_role));
    inv.roles.get_or_insert_with(Vec::new).push(RoleInfo::new(
        new_role,
        Some(trust(&["system:serviceaccount:demo:s3-reader"])),
    ));
    let r = run(&inv);
    let f = fires(&r, C::POD002, &pod_subject());
    let e = evidence(f, "AWS_ROLE_ARN");
    assert_eq!(
        (e.expected.as_deref(), e.actual.as_deref()),
        (Some(new_role), Some(ROLE))
    );

    // The SA lost its annotation: still POD002.
    let mut lost = healthy();
    lost.service_accounts[0] = sa("demo", "s3-reader", None);
    let f = run(&lost);
    let f = fires(&f, C::POD002, &pod_subject());
    assert_eq!(
        evidence(f, "AWS_ROLE_ARN").expected.as_deref(),
        Some("(no role-arn annotation)")
    );
    quiet(&run(&healthy()), C::POD002);
}

#[test]
fn pod003_sidecar_added_after_mutation_and_skipped_container() {
    let mut inv = healthy();
    inv.pods[0].containers.push(sidecar("log-shipper"));
    let r = run(&inv);
    let f = fires(&r, C::POD003, &pod_subject());
    let e = evidence(f, "container log-shipper");
    assert!(
        e.actual
            .as_deref()
            .is_some_and(|a| a.contains("AWS_ROLE_ARN") && a.contains("mount")),
        "{e:?}"
    );

    let mut skipped = healthy();
    skipped.pods[0].containers.push(sidecar("istio-proxy"));
    skipped.pods[0].annotations.insert(
        "eks.amazonaws.com/skip-containers".into(),
        "istio-proxy".into(),
    );
    let r = run(&skipped);
    let f = fires(&r, C::POD003, &pod_subject());
    assert!(
        evidence(f, "container istio-proxy")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains("skip-containers"))
    );

    let mut injected = healthy();
    let mut c = sidecar("log-shipper");
    inject(&mut c, ROLE);
    injected.pods[0].containers.push(c);
    quiet(&run(&injected), C::POD003);
}

#[test]
fn pod004_static_keys_never_shown() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let mut inv = healthy();
    let c = &mut inv.pods[0].containers[0];
    c.env.push(EnvVarInfo::literal(
        "AWS_ACCESS_KEY_ID",
        "AKIAIOSFODNN7EXAMPLE",
    ));
    c.env
        .push(EnvVarInfo::literal("AWS_SECRET_ACCESS_KEY", secret));
    let r = run(&inv);
    let f = fires(&r, C::POD004, &pod_subject());
    assert!(
        evidence(f, "AWS_SECRET_ACCESS_KEY")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains("redacted"))
    );
    let json = serde_json::to_string(&r).unwrap_or_default();
    assert!(
        !json.contains(secret) && !json.contains("AKIAIOSFODNN7EXAMPLE"),
        "a key leaked into the report"
    );
    assert!(
        f.fix
            .as_deref()
            .is_some_and(|x| x.contains("AWS_ACCESS_KEY_ID- AWS_SECRET_ACCESS_KEY-"))
    );

    let mut from_secret = healthy();
    from_secret.pods[0].containers[0].env.extend([
        EnvVarInfo {
            name: "AWS_ACCESS_KEY_ID".into(),
            value: EnvValue::SecretKeyRef {
                name: "aws".into(),
                key: "id".into(),
            },
        },
        EnvVarInfo {
            name: "AWS_SECRET_ACCESS_KEY".into(),
            value: EnvValue::SecretKeyRef {
                name: "aws".into(),
                key: "secret".into(),
            },
        },
    ]);
    let r = run(&from_secret);
    assert_eq!(
        evidence(
            fires(&r, C::POD004, &pod_subject()),
            "AWS_SECRET_ACCESS_KEY"
        )
        .actual
        .as_deref(),
        Some("Secret aws key secret")
    );

    let mut half = healthy();
    half.pods[0].containers[0].env.push(EnvVarInfo::literal(
        "AWS_ACCESS_KEY_ID",
        "AKIAIOSFODNN7EXAMPLE",
    ));
    quiet(&run(&half), C::POD004);
}

#[test]
fn pod005_irsa_and_pod_identity_on_one_sa() {
    let pi_role = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-pi-role";
    let mut inv = healthy();
    inv.pod_identity_associations = Some(vec![association("demo", "s3-reader", pi_role)]);
    inv.roles
        .get_or_insert_with(Vec::new)
        .push(RoleInfo::new(pi_role, Some(pod_identity_trust())));
    let r = run(&inv);
    let f = fires(&r, C::POD005, &sa_subject("demo", "s3-reader"));
    assert_eq!(
        evidence(f, "Pod Identity association").actual.as_deref(),
        Some(pi_role)
    );

    let mut only_pi = inv.clone();
    only_pi.service_accounts[0] = sa("demo", "s3-reader", None);
    quiet(&run(&only_pi), C::POD005);
}

#[test]
fn pod006_non_root_container_without_fs_group() {
    let mut inv = healthy();
    inv.pods[0].security.fs_group = None;
    inv.pods[0].containers[0].security.run_as_user = Some(1000);
    let r = run(&inv);
    let f = fires(&r, C::POD006, &pod_subject());
    assert_eq!(evidence(f, "fsGroup").actual.as_deref(), Some("unset"));
    assert_eq!(
        evidence(f, "container app").actual.as_deref(),
        Some("runAsUser 1000")
    );
    assert!(
        f.fix
            .as_deref()
            .is_some_and(|x| x.starts_with("kubectl patch deployment/s3-reader -n demo"))
    );

    let mut root = inv.clone();
    root.pods[0].containers[0].security.run_as_user = Some(0);
    root.pods[0].security.run_as_non_root = Some(true);
    quiet(&run(&root), C::POD006);
    quiet(&run(&healthy()), C::POD006);
}

#[test]
fn pod007_pod_identity_on_fargate() {
    let pi_role = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", None);
    inv.pod_identity_associations = Some(vec![association("demo", "s3-reader", pi_role)]);
    role_mut(&mut inv, ROLE).trust_policy = Some(pod_identity_trust());
    inv.nodes.push(fargate_node("fargate-ip-10-0-1-2"));
    let mut p = plain_pod("demo", POD, "s3-reader");
    p.node_name = Some("fargate-ip-10-0-1-2".into());
    inv.pods[0] = p;
    let r = run(&inv);
    let f = fires(&r, C::POD007, &pod_subject());
    assert!(
        evidence(f, "node type")
            .actual
            .as_deref()
            .is_some_and(|a| a.starts_with("Fargate"))
    );

    let mut ec2 = inv.clone();
    ec2.pods[0].node_name = Some("n1".into());
    quiet(&run(&ec2), C::POD007);
}

#[test]
fn pod008_token_expiration_below_600_is_clamped() {
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", Some(ROLE))
        .with_annotation("eks.amazonaws.com/token-expiration", "300");
    let r = run(&inv);
    let f = fires(&r, C::POD008, &pod_subject());
    let e = evidence(f, "token-expiration");
    assert_eq!(
        (e.expected.as_deref(), e.actual.as_deref()),
        (Some("≥ 600"), Some("300"))
    );

    let mut ok = healthy();
    ok.service_accounts[0] = sa("demo", "s3-reader", Some(ROLE))
        .with_annotation("eks.amazonaws.com/token-expiration", "600");
    quiet(&run(&ok), C::POD008);
}

fn observed(iat: i64, exp: i64) -> ObservedToken {
    ObservedToken {
        namespace: "demo".into(),
        pod: POD.into(),
        origin: "test".into(),
        decoded: Ok(DecodedToken {
            header: JwtHeader {
                alg: Some("RS256".into()),
                kid: None,
                typ: None,
            },
            claims: TokenClaims {
                iss: Some(ISSUER.into()),
                sub: Some("system:serviceaccount:demo:s3-reader".into()),
                aud: vec!["sts.amazonaws.com".into()],
                exp: Some(exp),
                iat: Some(iat),
                nbf: None,
                kubernetes: None,
            },
        }),
    }
}

#[test]
fn pod009_observed_token_expired_or_past_refresh() {
    let now = now().as_second();
    let mut inv = healthy();
    inv.tokens.push(observed(now - 90_000, now - 3_600));
    let r = run(&inv);
    let f = fires(&r, C::POD009, &pod_subject());
    assert!(f.title.contains("expired"), "{}", f.title);
    assert!(
        f.aws_error
            .as_deref()
            .is_some_and(|e| e.contains("ExpiredTokenException"))
    );

    let mut stale = healthy();
    stale.tokens.push(observed(now - 80_000, now + 6_400)); // 92 % of 86400 elapsed
    let r = run(&stale);
    assert!(
        fires(&r, C::POD009, &pod_subject())
            .title
            .contains("refresh")
    );

    let mut fresh = healthy();
    fresh.tokens.push(observed(now - 3_600, now + 82_800));
    quiet(&run(&fresh), C::POD009);
}

#[test]
fn pod010_regional_sts_not_set() {
    let mut inv = healthy();
    inv.pods[0].containers[0]
        .env
        .retain(|e| e.name != "AWS_STS_REGIONAL_ENDPOINTS");
    let r = run(&inv);
    let f = fires(&r, C::POD010, &pod_subject());
    assert_eq!(
        evidence(f, "AWS_STS_REGIONAL_ENDPOINTS").actual.as_deref(),
        Some("(unset)")
    );
    quiet(&run(&healthy()), C::POD010);
}
