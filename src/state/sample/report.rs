//! The audit report of the lab sample, written out by hand (what the analysis would say).

use super::{ACCOUNT, ISSUER, NOW, binding, finding, pod_identity, role_arn};
use irsa_core::analysis::audit::AuditReport;
use irsa_core::analysis::verdict::{Mechanism, Verdict};
use irsa_core::model::{Evidence, FindingCode, Severity, SourceKind, SourceProblem, Subject};

pub(super) fn lab_report() -> AuditReport {
    let demo2 = Subject::service_account("demo2", "s3-reader");
    let mut irsa003 = finding(
        FindingCode::IRSA003,
        Severity::High,
        demo2.clone(),
        "trust of eks-irsa-lab-demo-s3-reader-role does not admit system:serviceaccount:demo2:s3-reader",
    );
    irsa003.evidence.push(Evidence::compare(
        "trust condition oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub",
        "system:serviceaccount:demo:s3-reader",
        "system:serviceaccount:demo2:s3-reader",
    ));
    irsa003.aws_error = Some("An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity".to_owned());
    irsa003.fix = Some("aws iam update-assume-role-policy --role-name eks-irsa-lab-demo-s3-reader-role --policy-document file://trust.json".to_owned());
    irsa003.related.push(Subject::pod("demo2", "s3-test"));
    let mut node002 = finding(
        FindingCode::NODE002,
        Severity::High,
        Subject::pod("legacy", "batch-28391"),
        "legacy/batch-28391 silently gets the node role eks-irsa-lab-node-role through IMDS",
    );
    node002.fix = Some(
        "kubectl annotate serviceaccount -n legacy batch eks.amazonaws.com/role-arn=<role-arn>"
            .to_owned(),
    );
    let mut node001 = finding(
        FindingCode::NODE001,
        Severity::High,
        Subject::node("ip-10-0-2-20.eu-west-1.compute.internal"),
        "pods can reach IMDS on i-0a1b2c3d4e5f60002 (HttpTokens optional, hop limit 2)",
    );
    node001
        .evidence
        .push(Evidence::compare("IMDS HttpPutResponseHopLimit", "1", "2"));
    node001.fix = Some("aws ec2 modify-instance-metadata-options --instance-id i-0a1b2c3d4e5f60002 --http-tokens required --http-put-response-hop-limit 1".to_owned());
    let findings = vec![
        irsa003,
        node001,
        node002,
        finding(
            FindingCode::AUD005,
            Severity::High,
            Subject::role(&role_arn("old-ci-deployer")),
            "old-ci-deployer trusts system:serviceaccount:ci:deployer, which does not exist",
        ),
        finding(
            FindingCode::AUD004,
            Severity::Medium,
            Subject::role(&role_arn("eks-irsa-lab-demo-s3-reader-role")),
            "eks-irsa-lab-demo-s3-reader-role is shared by 2 ServiceAccounts",
        ),
        finding(
            FindingCode::AUD006,
            Severity::Low,
            Subject::role(&role_arn("tf-s3-reader")),
            "tf-s3-reader has no permissions boundary",
        ),
        finding(
            FindingCode::POD010,
            Severity::Info,
            Subject::cluster("irsa-lab"),
            "STS regional endpoints are on for every pod",
        ),
    ];
    let lbc = "eks-irsa-lab-aws-lbc-role";
    let mut payments = binding("payments", "api", None, Verdict::Ok, None, 1);
    payments.mechanism = Mechanism::PodIdentity;
    payments.pod_identity_role_arn = Some(role_arn("payments-api-pod-identity"));
    let mut cross = binding("data", "reader", None, Verdict::Unknown, None, 0);
    cross.mechanism = Mechanism::Irsa;
    cross.role_arn = Some("arn:aws:iam::999988887777:role/accountb-data-reader".to_owned());
    let n1 = "ip-10-0-1-10.eu-west-1.compute.internal";
    let n2 = "ip-10-0-2-20.eu-west-1.compute.internal";
    AuditReport {
        generated_at: NOW,
        cluster: Some("irsa-lab".to_owned()),
        account: Some(ACCOUNT.to_owned()),
        issuer: Some(ISSUER.to_owned()),
        bindings: vec![
            binding(
                "demo",
                "s3-reader",
                Some("eks-irsa-lab-demo-s3-reader-role"),
                Verdict::Ok,
                Some(FindingCode::AUD004),
                1,
            ),
            binding(
                "demo2",
                "s3-reader",
                Some("eks-irsa-lab-demo-s3-reader-role"),
                Verdict::Fail,
                Some(FindingCode::IRSA003),
                1,
            ),
            binding(
                "kube-system",
                "aws-load-balancer-controller",
                Some(lbc),
                Verdict::Ok,
                None,
                1,
            ),
            binding(
                "kube-system",
                "aws-node",
                Some("eksctl-irsa-lab-addon-vpc-cni-Role1"),
                Verdict::Ok,
                None,
                0,
            ),
            binding(
                "legacy",
                "batch",
                None,
                Verdict::Warn,
                Some(FindingCode::NODE002),
                1,
            ),
            payments,
            binding(
                "tf-demo",
                "tf-s3-reader",
                Some("tf-s3-reader"),
                Verdict::Warn,
                Some(FindingCode::AUD006),
                0,
            ),
            cross,
        ],
        pods: vec![
            pod_identity(
                ("demo", "s3-test", "s3-reader", n1),
                "IRSA eks-irsa-lab-demo-s3-reader-role",
                true,
                (Verdict::Ok, None),
            ),
            pod_identity(
                ("demo2", "s3-test", "s3-reader", n2),
                "IRSA eks-irsa-lab-demo-s3-reader-role (fails: IRSA003)",
                true,
                (Verdict::Fail, Some(FindingCode::IRSA003)),
            ),
            pod_identity(
                (
                    "kube-system",
                    "aws-load-balancer-controller-7d9f",
                    "aws-load-balancer-controller",
                    n1,
                ),
                "IRSA eks-irsa-lab-aws-lbc-role",
                true,
                (Verdict::Ok, None),
            ),
            pod_identity(
                ("legacy", "batch-28391", "batch", n2),
                "NODE ROLE FALLBACK eks-irsa-lab-node-role",
                false,
                (Verdict::Fail, Some(FindingCode::NODE002)),
            ),
            pod_identity(
                (
                    "payments",
                    "api-5c7b",
                    "api",
                    "fargate-ip-10-0-3-30.eu-west-1.compute.internal",
                ),
                "Pod Identity payments-api-pod-identity",
                true,
                (Verdict::Ok, None),
            ),
        ],
        findings,
        unknowns: vec![SourceProblem {
            source: SourceKind::Tokens,
            message: "tokens read for 1 of 5 pods (the snapshot holds no others)".to_owned(),
        }],
    }
}
