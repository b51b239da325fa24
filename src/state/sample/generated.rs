//! A generated cluster of any size, for the benchmark.

use super::{
    ACCOUNT, ISSUER, NOW, ROLE_ANNOTATION, binding, finding, irsa_pod, pod_identity, role_arn,
};
use crate::messages::Dataset;
use irsa_core::analysis::audit::AuditReport;
use irsa_core::analysis::verdict::{Mechanism, Verdict};
use irsa_core::model::{FindingCode, Inventory, NodeInfo, ServiceAccountInfo, Severity, Subject};

/// A generated cluster of `service_accounts` SAs with `pods_per_sa` pods each, spread over
/// 50 namespaces and 200 nodes, with a finding on every 10th SA — for the benchmark.
pub fn generated(service_accounts: usize, pods_per_sa: usize) -> Dataset {
    let mut inv = Inventory {
        captured_at: Some(NOW),
        kubernetes_issuer: Some(ISSUER.to_owned()),
        roles: Some(Vec::new()),
        instances: Some(Vec::new()),
        ..Inventory::default()
    };
    let mut report = AuditReport {
        generated_at: NOW,
        cluster: Some("generated".to_owned()),
        account: Some(ACCOUNT.to_owned()),
        issuer: Some(ISSUER.to_owned()),
        bindings: Vec::new(),
        pods: Vec::new(),
        findings: Vec::new(),
        unknowns: Vec::new(),
    };
    let nodes = 200;
    for n in 0..nodes {
        let name = format!("ip-10-1-{}-{}.internal", n / 250, n % 250);
        inv.nodes.push(NodeInfo::new(
            &name,
            Some(&format!("aws:///eu-west-1a/i-{n:017x}")),
        ));
    }
    for i in 0..service_accounts {
        let ns = format!("team-{:02}", i % 50);
        let name = format!("svc-{i:05}");
        let role = role_arn(&format!("eks-generated-{ns}-{name}-role"));
        inv.service_accounts
            .push(ServiceAccountInfo::new(&ns, &name).with_annotation(ROLE_ANNOTATION, &role));
        let broken = i % 10 == 0;
        let verdict = if broken { Verdict::Fail } else { Verdict::Ok };
        let worst = broken.then_some(FindingCode::IRSA003);
        report
            .bindings
            .push(binding(&ns, &name, None, verdict, worst, pods_per_sa));
        if let Some(b) = report.bindings.last_mut() {
            b.mechanism = Mechanism::Irsa;
            b.role_arn = Some(role.clone());
        }
        if broken {
            report.findings.push(finding(
                FindingCode::IRSA003,
                Severity::High,
                Subject::service_account(&ns, &name),
                "trust does not admit this ServiceAccount",
            ));
        }
        for p in 0..pods_per_sa {
            let pod_name = format!("{name}-{p:03}");
            let node = format!(
                "ip-10-1-{}-{}.internal",
                (i * pods_per_sa + p) % nodes / 250,
                (i * pods_per_sa + p) % nodes % 250
            );
            inv.pods.push(irsa_pod(&ns, &pod_name, &name, &role, &node));
            report.pods.push(pod_identity(
                (&ns, &pod_name, &name, &node),
                "IRSA role",
                true,
                (verdict, worst),
            ));
        }
    }
    Dataset {
        inventory: inv,
        report,
        loaded_at: NOW,
    }
}
