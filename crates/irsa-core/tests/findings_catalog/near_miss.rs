//! IRSA010–IRSA012 (near-misses): positive and negative cases.

use super::lab::*;
use irsa_core::model::{FindingCode as C, Severity, Subject};

const KEY: &str = "eks.amazonaws.com/role-arn";

/// The lab with its ServiceAccount's role-arn annotation moved to `key` (pod not mutated).
fn sa_key(key: &str) -> irsa_core::model::Inventory {
    let mut inv = healthy();
    let sa = &mut inv.service_accounts[0];
    sa.annotations.remove(KEY);
    sa.annotations.insert(key.into(), ROLE.into());
    inv.pods = vec![plain_pod("demo", "s3-reader-7d9f8c-abcde", "s3-reader")].into();
    inv
}

#[test]
fn irsa010_near_miss_keys_by_name_domain_and_case() {
    for key in [
        "eks.amazonaws.com/role_arn",
        "eks.amazonaws.com/rolearn",
        "eks.amazonaws.com/role-arm",
        "eks.amazon.com/role-arn",
        "EKS.amazonaws.com/Role-Arn",
    ] {
        let r = run(&sa_key(key));
        let f = fires(&r, C::IRSA010, &sa_subject("demo", "s3-reader"));
        assert_eq!(f.severity, Severity::High, "{key}");
        let e = evidence(f, "annotation key");
        assert_eq!(e.expected.as_deref(), Some(&*format!("annotation {KEY}")));
        assert_eq!(e.actual.as_deref(), Some(&*format!("annotation {key}")));
        assert!(
            f.fix.as_deref().unwrap().contains(&format!(
                "kubectl annotate serviceaccount s3-reader -n demo {KEY}="
            )),
            "{:?}",
            f.fix
        );
    }
    // The right key as a label is a near miss too.
    let mut inv = healthy();
    inv.service_accounts[0]
        .labels
        .insert(KEY.into(), "x".into());
    fires(&run(&inv), C::IRSA010, &sa_subject("demo", "s3-reader"));
    // Unrelated keys of other domains, and the exact key, are not.
    let mut inv = healthy();
    let sa = &mut inv.service_accounts[0];
    sa.annotations
        .insert("example.com/role-arn".into(), "x".into());
    sa.annotations
        .insert("iam.amazonaws.com/role".into(), "x".into());
    sa.annotations
        .insert("eks.amazonaws.com/owner".into(), "x".into());
    quiet(&run(&inv), C::IRSA010);
}

#[test]
fn irsa011_the_role_arn_on_the_pod_and_skip_containers_on_the_service_account() {
    let mut inv = sa_key("unrelated.example.com/x");
    inv.pods[0].annotations.insert(KEY.into(), ROLE.into());
    let r = run(&inv);
    let f = fires(
        &r,
        C::IRSA011,
        &Subject::pod("demo", "s3-reader-7d9f8c-abcde"),
    );
    assert_eq!(f.severity, Severity::High, "the ServiceAccount lacks it");
    assert!(f.fix.as_deref().unwrap().starts_with(
        "kubectl annotate serviceaccount s3-reader -n demo eks.amazonaws.com/role-arn="
    ));
    // Beside a ServiceAccount that has it, it is only medium.
    let mut inv = healthy();
    inv.pods[0].annotations.insert(KEY.into(), ROLE.into());
    let r = run(&inv);
    let f = fires(
        &r,
        C::IRSA011,
        &Subject::pod("demo", "s3-reader-7d9f8c-abcde"),
    );
    assert_eq!(f.severity, Severity::Medium);
    // skip-containers belongs on the pod.
    let mut inv = healthy();
    inv.service_accounts[0]
        .annotations
        .insert("eks.amazonaws.com/skip-containers".into(), "sidecar".into());
    fires(&run(&inv), C::IRSA011, &sa_subject("demo", "s3-reader"));
    quiet(&run(&healthy()), C::IRSA011);
}

#[test]
fn irsa012_values_the_webhook_cannot_read() {
    for (key, value) in [
        ("eks.amazonaws.com/token-expiration", "1h"),
        ("eks.amazonaws.com/token-expiration", "3600 "),
        ("eks.amazonaws.com/sts-regional-endpoints", "True "),
        ("eks.amazonaws.com/sts-regional-endpoints", "yes"),
        ("eks.amazonaws.com/audience", "\"sts.amazonaws.com\""),
    ] {
        let mut inv = healthy();
        inv.service_accounts[0]
            .annotations
            .insert(key.into(), value.into());
        let r = run(&inv);
        let f = fires(&r, C::IRSA012, &sa_subject("demo", "s3-reader"));
        assert_eq!(
            evidence(f, key).actual.as_deref(),
            Some(&*format!("{value:?}"))
        );
        // The fix names the value that was meant.
        let meant = match value {
            "1h" | "3600 " => "3600",
            "True " | "yes" => "true",
            _ => "sts.amazonaws.com",
        };
        assert!(
            f.fix
                .as_deref()
                .unwrap()
                .contains(&format!("{key}={meant} ;")),
            "{:?}",
            f.fix
        );
    }
    for (key, value) in [
        ("eks.amazonaws.com/token-expiration", "3600"),
        ("eks.amazonaws.com/sts-regional-endpoints", "True"),
        ("eks.amazonaws.com/sts-regional-endpoints", "0"),
        ("eks.amazonaws.com/audience", "sts.amazonaws.com"),
    ] {
        let mut inv = healthy();
        inv.service_accounts[0]
            .annotations
            .insert(key.into(), value.into());
        quiet(&run(&inv), C::IRSA012);
    }
}

#[test]
fn an_unmutated_pods_verdict_names_the_near_miss_key_of_its_service_account() {
    let mut inv = healthy();
    inv.service_accounts[0] =
        sa("demo", "s3-reader", None).with_annotation("eks.amazonaws.com/role_arn", ROLE);
    inv.pods[0] = plain_pod("demo", "s3-reader-7d9f8c-abcde", "s3-reader");
    let r = run(&inv);
    let pod = r
        .pods
        .iter()
        .find(|p| p.pod.name == "s3-reader-7d9f8c-abcde")
        .expect("pod");
    assert_eq!(
        pod.worst,
        Some(irsa_core::model::FindingCode::IRSA010),
        "{pod:?}"
    );
    // A mutated pod of a healthy SA names nothing.
    let r = run(&healthy());
    assert!(r.pods.iter().all(|p| p.worst.is_none()));
}

#[test]
fn irsa012_a_role_arn_of_another_partition_or_a_mistyped_account() {
    // Copied from a GovCloud cluster's manifest.
    let gov = "arn:aws-us-gov:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", Some(gov));
    let r = run(&inv);
    let f = fires(&r, C::IRSA012, &sa_subject("demo", "s3-reader"));
    assert_eq!(f.severity, Severity::High);
    assert!(f.title.contains("partition aws-us-gov"), "{}", f.title);
    assert_eq!(evidence(f, KEY).expected.as_deref(), Some(ROLE));

    // One digit off: no such role is known in 123456789013; 123456789012 has it.
    let typo = "arn:aws:iam::123456789013:role/eks-irsa-lab-demo-s3-reader-role";
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", Some(typo));
    let r = run(&inv);
    let f = fires(&r, C::IRSA012, &sa_subject("demo", "s3-reader"));
    assert!(
        f.fix.as_deref().is_some_and(|x| x.contains(ROLE)),
        "{:?}",
        f.fix
    );

    // A role of another account that is loaded (a real cross-account role): quiet.
    let other = "arn:aws:iam::210987654321:role/eks-irsa-lab-demo-s3-reader-role";
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", Some(other));
    let mut r = role(
        other,
        trust(&[&sub("demo", "s3-reader")]),
        "demo",
        "s3-reader",
    );
    r.name = "eks-irsa-lab-demo-s3-reader-role".into();
    inv.roles.as_mut().expect("roles").push(r);
    quiet(&run(&inv), C::IRSA012);
    quiet(&run(&healthy()), C::IRSA012);
}
