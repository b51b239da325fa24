//! The report as a whole: the healthy lab, verdicts, identity lines, sorting, unknowns, the
//! reusable per-SA chain, and a cluster of production size.

use super::lab::*;
use irsa_core::analysis::checks::binding::{LinkKind, LinkStatus, evaluate_binding};
use irsa_core::analysis::inventory::InventoryIndex;
use irsa_core::analysis::verdict::{Mechanism, Verdict};
use irsa_core::model::{EnvVarInfo, FindingCode as C, SourceKind, SourceProblem, Subject};

#[test]
fn the_healthy_lab_has_no_findings_and_reads_ok() {
    let r = run(&healthy());
    assert!(r.findings.is_empty(), "{:#?}", summary(&r));
    assert!(r.unknowns.is_empty(), "{:?}", r.unknowns);
    let b = &r.bindings[0];
    assert_eq!(
        (b.mechanism, b.verdict, b.pods),
        (Mechanism::Irsa, Verdict::Ok, 1)
    );
    let p = &r.pods[0];
    assert_eq!(&*p.identity, "IRSA eks-irsa-lab-demo-s3-reader-role");
    assert!(p.mutated);
    assert_eq!(p.verdict, Verdict::Ok);
    assert_eq!(r.cluster.as_deref(), Some(CLUSTER));
    assert_eq!(r.issuer.as_deref(), Some(ISSUER));
}

#[test]
fn verdicts_fail_on_broken_identity_and_only_warn_on_hardening() {
    let mut inv = healthy();
    inv.service_accounts
        .push(sa("demo2", "s3-reader", Some(ROLE)));
    inv.pods
        .push(irsa_pod("demo2", "s3-reader-x", "s3-reader", ROLE));
    inv.service_accounts.push(sa("tools", "idle", None));
    role_mut(&mut inv, ROLE).permissions_boundary = None;
    let r = run(&inv);
    let binding = |ns: &str| {
        r.bindings
            .iter()
            .find(|b| b.service_account.namespace.as_deref() == Some(ns))
            .expect("binding")
    };
    assert_eq!(
        (binding("demo2").verdict, binding("demo2").worst),
        (Verdict::Fail, Some(C::IRSA003))
    );
    assert_eq!(
        binding("demo").verdict,
        Verdict::Warn,
        "role hardening (AUD006, AUD004) only warns"
    );
    assert_eq!(binding("tools").verdict, Verdict::None);
    let pod = r
        .pods
        .iter()
        .find(|p| p.pod.namespace.as_deref() == Some("demo2"))
        .expect("pod");
    assert_eq!(
        (pod.verdict, pod.worst),
        (Verdict::Fail, Some(C::IRSA003)),
        "the pod meets its SA's AccessDenied"
    );
}

#[test]
fn unknown_sources_make_unknown_verdicts_and_are_listed() {
    let mut inv = healthy();
    inv.roles = None;
    inv.problems.push(SourceProblem {
        source: SourceKind::IamRoles,
        message: "iam:GetAccountAuthorizationDetails denied".into(),
    });
    let r = run(&inv);
    assert_eq!(r.bindings[0].verdict, Verdict::Unknown);
    assert_eq!(r.pods[0].verdict, Verdict::Unknown);
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.message == "iam:GetAccountAuthorizationDetails denied")
    );
    assert!(
        r.unknowns
            .iter()
            .any(|u| u.source == SourceKind::IamRoles && u.message.contains("demo/s3-reader")),
        "{:?}",
        r.unknowns
    );
    assert!(
        r.findings
            .iter()
            .all(|f| !f.code.as_str().starts_with("IRSA")),
        "{:#?}",
        summary(&r)
    );
}

#[test]
fn findings_are_sorted_worst_first_then_code_then_subject() {
    let mut inv = healthy();
    inv.instances = Some(vec![instance("i-0closed", "optional", 2)]);
    inv.service_accounts
        .push(sa("demo2", "s3-reader", Some(ROLE)));
    inv.pods
        .push(plain_pod("demo2", "s3-reader-x", "s3-reader"));
    inv.pods[0].containers[0]
        .env
        .retain(|e| e.name != "AWS_STS_REGIONAL_ENDPOINTS");
    let r = run(&inv);
    assert!(r.findings.len() >= 5, "{:#?}", summary(&r));
    for pair in r.findings.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            (b.severity, a.code, &a.subject) <= (a.severity, b.code, &b.subject),
            "{} {} before {} {}",
            a.code,
            a.subject,
            b.code,
            b.subject
        );
    }
}

#[test]
fn identity_lines_name_what_each_pod_really_gets() {
    let pi_role = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-uploader-role";
    let mut inv = healthy();
    inv.instances = Some(vec![instance("i-0closed", "required", 2)]);
    inv.service_accounts.push(sa("demo", "uploader", None));
    inv.pod_identity_associations = Some(vec![association("demo", "uploader", pi_role)]);
    inv.roles.get_or_insert_with(Vec::new).push(role(
        pi_role,
        pod_identity_trust(),
        "demo",
        "uploader",
    ));
    let mut pi_pod = plain_pod("demo", "uploader-1", "uploader");
    pi_pod.containers[0].env.push(EnvVarInfo::literal(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://169.254.170.23/v1/credentials",
    ));
    inv.pods.push(pi_pod);
    let mut keys = plain_pod("legacy", "app-1", "default");
    keys.containers[0].env.push(EnvVarInfo::literal(
        "AWS_ACCESS_KEY_ID",
        "AKIAIOSFODNN7EXAMPLE",
    ));
    keys.containers[0]
        .env
        .push(EnvVarInfo::literal("AWS_SECRET_ACCESS_KEY", "x"));
    inv.pods.push(keys);
    inv.pods.push(plain_pod("legacy", "app-2", "default"));
    let r = run(&inv);
    let line = |name: &str| {
        r.pods
            .iter()
            .find(|p| p.pod.name == name)
            .map(|p| p.identity.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        line("uploader-1"),
        "Pod Identity eks-irsa-lab-demo-uploader-role"
    );
    assert_eq!(line("app-1"), "static keys");
    assert_eq!(line("app-2"), "NODE ROLE FALLBACK eks-irsa-lab-node-role");
    assert_eq!(
        line("s3-reader-7d9f8c-abcde"),
        "IRSA eks-irsa-lab-demo-s3-reader-role"
    );
}

#[test]
fn evaluate_binding_marks_the_first_broken_link() {
    let mut inv = healthy();
    inv.service_accounts
        .push(sa("demo2", "s3-reader", Some(ROLE)));
    let index = InventoryIndex::new(&inv);
    let healthy_sa = inv.service_account("demo", "s3-reader").expect("sa");
    let ok = evaluate_binding(&index, healthy_sa);
    let irsa = ok.irsa.expect("irsa analysis");
    assert_eq!(irsa.first_broken, None);
    assert!(
        irsa.links.iter().all(|l| l.status == LinkStatus::Ok),
        "{:?}",
        irsa.links
    );

    let demo2 = inv.service_account("demo2", "s3-reader").expect("sa");
    let broken = evaluate_binding(&index, demo2).irsa.expect("irsa analysis");
    let first = broken
        .first_broken
        .and_then(|i| broken.links.get(i))
        .expect("a broken link");
    assert_eq!(
        (first.kind, first.code),
        (LinkKind::TrustAllows, Some(C::IRSA003))
    );
    assert_eq!(broken.subject, "system:serviceaccount:demo2:s3-reader");
    assert_eq!(broken.provider_arn.as_deref(), Some(PROVIDER));

    let mut no_provider = healthy();
    no_provider.oidc_providers = Some(vec![]);
    let index = InventoryIndex::new(&no_provider);
    let sa = no_provider
        .service_account("demo", "s3-reader")
        .expect("sa");
    let chain = evaluate_binding(&index, sa).irsa.expect("irsa analysis");
    let first = chain
        .first_broken
        .and_then(|i| chain.links.get(i))
        .expect("a broken link");
    assert_eq!(first.kind, LinkKind::OidcProviderRegistered);
}

/// 5,000 ServiceAccounts and 50,000 pods on 500 nodes: every SA, pod and node analysed, and
/// the one fault planted in the middle found. (Speed is measured by running this test in
/// release mode, not asserted.)
#[test]
fn a_production_sized_cluster_is_analysed_whole() {
    let mut inv = healthy();
    inv.service_accounts.clear();
    inv.pods.clear();
    inv.nodes.clear();
    let mut instances = Vec::new();
    let mut roles = vec![node_role()];
    for n in 0..500 {
        let id = format!("i-{n:06}");
        inv.nodes.push(ec2_node(&format!("node-{n}"), &id));
        instances.push(instance(&id, "required", 1));
    }
    for i in 0..5_000 {
        let ns = format!("team-{}", i / 50);
        let name = format!("app-{i}");
        let arn = format!("arn:aws:iam::123456789012:role/eks-irsa-lab-{ns}-{name}-role");
        roles.push(role(&arn, trust(&[&sub(&ns, &name)]), &ns, &name));
        inv.service_accounts.push(sa(&ns, &name, Some(&arn)));
        for k in 0..10 {
            let mut p = irsa_pod(&ns, &format!("{name}-{k}"), &name, &arn);
            p.node_name = Some(format!("node-{}", (i * 10 + k) % 500).into());
            inv.pods.push(p);
        }
    }
    inv.pods[25_000].containers[0]
        .env
        .retain(|e| e.name != "AWS_STS_REGIONAL_ENDPOINTS");
    inv.roles = Some(roles);
    inv.instances = Some(instances);
    let r = run(&inv);
    assert_eq!((r.bindings.len(), r.pods.len()), (5_000, 50_000));
    assert_eq!(summary(&r).len(), 1, "{:#?}", summary(&r));
    fires(&r, C::POD010, &Subject::pod("team-50", "app-2500-0"));
}

#[test]
fn pod_analysis_walks_the_chain_of_the_role_the_pod_really_carries() {
    use irsa_core::analysis::checks::pod_analysis;
    use irsa_core::analysis::credentials::{CredentialSource, StepResult};

    let inv = healthy();
    let index = InventoryIndex::new(&inv);
    let (binding, pa) = pod_analysis(&index, &inv.pods[0]);
    assert!(binding.is_some_and(|b| b.irsa.is_some()));
    let v = &pa.containers[0];
    assert_eq!(v.landing_role.as_deref(), Some(ROLE));
    assert_eq!(v.steps.len(), 4, "{:?}", v.steps);

    // The SA now names a new role; the pod still carries the old one, which was deleted.
    let new_role = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-v2-role";
    let mut stale = healthy();
    stale.service_accounts[0] = sa("demo", "s3-reader", Some(new_role));
    if let Some(roles) = stale.roles.as_mut() {
        for r in roles.iter_mut().filter(|r| r.arn == ROLE) {
            r.arn = new_role.into();
            r.name = "eks-irsa-lab-demo-s3-reader-v2-role".into();
        }
    }
    let index = InventoryIndex::new(&stale);
    let (_, pa) = pod_analysis(&index, &stale.pods[0]);
    let v = &pa.containers[0];
    let web = v
        .steps
        .iter()
        .find(|s| s.result == StepResult::Fails)
        .expect("web identity fails");
    assert!(web.detail.contains("IRSA006"), "{}", web.detail);
    assert_eq!(
        v.fallback.as_ref().map(|f| &f.lands_on),
        Some(&CredentialSource::None)
    );
}
