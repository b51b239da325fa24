//! `explain error` on the demo lab: a corpus of real-shaped AWS error texts — each form a pod
//! meets, old and new wording, with and without the "because…" tail, wrapped in SDK log
//! prefixes and JSON log lines — each traced to the subject it is about. Text that is not an
//! AWS error gets "not recognised", never a guess.

use irsa_core::analysis::audit::{AuditReport, audit};
use irsa_core::analysis::permission::can_i::CanIDecision;
use irsa_core::analysis::triage::error_text::AwsErrorText;
use irsa_core::analysis::triage::{Triage, explain};
use irsa_core::model::Inventory;
use std::sync::LazyLock;

static DEMO: LazyLock<(Inventory, AuditReport)> = LazyLock::new(|| {
    let inv = irsa_core::snapshot::load_demo().expect("demo loads");
    let now = inv.captured_at.expect("capture time");
    let report = audit(&inv, now);
    (inv, report)
});

fn triage(text: &str) -> Triage {
    explain(&DEMO.0, &DEMO.1, text)
}

const READER: &str = "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1712743200";
const NODE: &str = "arn:aws:sts::123456789012:assumed-role/eksctl-irsa-lab-nodegroup-ng-legacy-NodeInstanceRole-ZP6W9C1R4M7D/i-0c3d4e5f607182930";
const ORDERS: &str = "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-orders-orders-api-role/eks-irsa-lab-orders-api-kdtw2hb9v5-nthzc-7c1b2e4f";
const REPORTS: &str = "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-reports-exporter-role/eks-irsa-lab-exporter-wg6c27v47b-ldxc7-5d0e6a2b";
const ALB: &str =
    "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-alb-controller-role/1712740000000000000";
const ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";

/// (text, the error kind, the first subject as `kind ns/name` prefix).
fn corpus() -> Vec<(String, &'static str, &'static str)> {
    let denied = |principal: &str, tail: &str| {
        format!(
            "An error occurred (AccessDenied) when calling the PutObject operation: User: {principal} is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::my-app-bucket/x\"{tail}"
        )
    };
    vec![
        // The guide's s3:PutObject denial, new wording.
        (denied(READER, " because no identity-based policy allows the s3:PutObject action"), "not-authorized", "pod demo/s3-test"),
        // Old wording: no "because…" tail, unquoted resource.
        (format!("An error occurred (AccessDenied) when calling the PutObject operation: User: {READER} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::my-app-bucket/x"), "not-authorized", "pod demo/s3-test"),
        // Wrapped in a JSON log line (escaped quotes).
        (format!("{{\"level\":\"error\",\"ts\":1712743210.5,\"msg\":\"upload failed\",\"error\":\"operation error S3: PutObject, https response error StatusCode: 403, RequestID: 1B2C3D4E5F6A7B8C, HostID: abc=, api error AccessDenied: User: {READER} is not authorized to perform: s3:PutObject on resource: \\\"arn:aws:s3:::my-app-bucket/x\\\" because no identity-based policy allows the s3:PutObject action\"}}"), "not-authorized", "pod demo/s3-test"),
        // Go SDK v2 prefix.
        (format!("operation error S3: GetObject, https response error StatusCode: 403, RequestID: X, api error AccessDenied: User: {READER} is not authorized to perform: s3:DeleteObject on resource: \"arn:aws:s3:::my-app-bucket/x\" because no identity-based policy allows the s3:DeleteObject action"), "not-authorized", "pod demo/s3-test"),
        // Java SDK v2 message.
        (format!("software.amazon.awssdk.services.s3.model.S3Exception: User: {READER} is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::my-app-bucket/x\" because no identity-based policy allows the s3:PutObject action (Service: S3, Status Code: 403, Request ID: ABC)"), "not-authorized", "pod demo/s3-test"),
        // An SCP explicit deny.
        (format!("An error occurred (AccessDenied) when calling the DeleteBucket operation: User: {READER} is not authorized to perform: s3:DeleteBucket on resource: \"arn:aws:s3:::my-app-bucket\" with an explicit deny in a service control policy"), "not-authorized", "pod demo/s3-test"),
        // The node role a fallback pod gets (session = instance id).
        (format!("An error occurred (AccessDenied) when calling the GetObject operation: User: {NODE} is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::my-app-bucket/x\" because no identity-based policy allows the s3:GetObject action"), "not-authorized", "pod broken/node-role-fallback-"),
        // DynamoDB, old form (no quotes, no because).
        (format!("An error occurred (AccessDeniedException) when calling the DeleteItem operation: User: {ORDERS} is not authorized to perform: dynamodb:DeleteItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders"), "not-authorized", "pod orders/orders-api-kdtw2hb9v5-nthzc"),
        // The Pod Identity session name names the pod.
        (format!("User: {ORDERS} is not authorized to perform: sns:Publish on resource: arn:aws:sns:eu-west-1:123456789012:order-events because no permissions boundary allows the sns:Publish action"), "not-authorized", "pod orders/orders-api-kdtw2hb9v5-nthzc"),
        // A session policy (Pod Identity association).
        (format!("User: {REPORTS} is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::irsa-lab-reports/daily/x.csv\" because no session policy allows the s3:PutObject action"), "not-authorized", "pod reports/exporter-"),
        // KMS.
        ("An error occurred (AccessDeniedException) when calling the Decrypt operation: User: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-tf-demo-tf-s3-reader-role/botocore-session-1 is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:123456789012:key/5f0e2c41-9a7b-4d3e-8c21-7b6a0f9d2e18 because no resource-based policy allows the kms:Decrypt action".to_owned(), "not-authorized", "pod tf-demo/tf-s3-test"),
        // EC2's UnauthorizedOperation with an encoded message.
        (format!("An error occurred (UnauthorizedOperation) when calling the DescribeListenerAttributes operation: You are not authorized to perform this operation. User: {ALB} is not authorized to perform: elasticloadbalancing:DescribeListenerAttributes because no identity-based policy allows the elasticloadbalancing:DescribeListenerAttributes action. Encoded authorization failure message: 4sq-AbCdEf"), "not-authorized", "pod kube-system/aws-load-balancer-controller-"),
        // The controller's own log line (klog prefix, Go SDK).
        (format!("E0410 09:58:02.123456       1 reconciler.go:213] \"Reconciler error\" err=\"operation error Elastic Load Balancing v2: DescribeListenerAttributes, https response error StatusCode: 403, api error AccessDenied: User: {ALB} is not authorized to perform: elasticloadbalancing:DescribeListenerAttributes because no identity-based policy allows the elasticloadbalancing:DescribeListenerAttributes action\""), "not-authorized", "pod kube-system/aws-load-balancer-controller-"),
        // STS AssumeRole into the other account.
        (format!("An error occurred (AccessDenied) when calling the AssumeRole operation: User: {READER} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/accountb-data-reader"), "not-authorized", "pod demo/s3-test"),
        // Secrets Manager and SQS (lower-case action).
        ("An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/s is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action".to_owned(), "not-authorized", "pod demo/s3-test"),
        ("An error occurred (AccessDenied) when calling the SendMessage operation: User: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/s is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:eu-west-1:123456789012:jobs".to_owned(), "not-authorized", "pod demo/s3-test"),
        // The guide's trust error: with and without the SDK's prefix.
        ("An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity".to_owned(), "web-identity-denied", "service-account demo2/s3-reader"),
        ("WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity\n\tstatus code: 403, request id: 4a1b2c3d".to_owned(), "web-identity-denied", "service-account demo2/s3-reader"),
        ("botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity".to_owned(), "web-identity-denied", "service-account demo2/s3-reader"),
        // Naming the role narrows it.
        ("Error: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity (role arn:aws:iam::123456789012:role/eks-irsa-lab-broken-explicit-deny-role)".to_owned(), "web-identity-denied", "service-account broken/explicit-deny"),
        (format!("An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for {ISSUER}"), "no-oidc-provider", "service-account broken/cross-account-no-oidc-provider"),
        (format!("InvalidIdentityToken: No OpenIDConnect provider found in your account for {ISSUER}\n\tstatus code: 400, request id: 5e6f"), "no-oidc-provider", "service-account broken/cross-account-no-oidc-provider"),
        ("An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience".to_owned(), "incorrect-audience", "service-account broken/custom-audience-not-in-provider"),
        ("InvalidIdentityToken: Incorrect token audience\n\tstatus code: 400".to_owned(), "incorrect-audience", "service-account broken/custom-audience-not-in-provider"),
        ("An error occurred (ExpiredTokenException) when calling the AssumeRoleWithWebIdentity operation: Token expired: current date/time 1712742000 must be before the expiration date/time 1712741237".to_owned(), "token-expired", "pod broken/stale-token-"),
        ("An error occurred (ValidationError) when calling the AssumeRoleWithWebIdentity operation: Request ARN is invalid".to_owned(), "invalid-role-arn", "service-account broken/malformed-role-arn"),
        ("An error occurred (ValidationError) when calling the AssumeRoleWithWebIdentity operation: Request ARN is invalid (arn:aws:iam:123456789012:role/eks-irsa-lab-broken-malformed-role-arn-role)".to_owned(), "invalid-role-arn", "service-account broken/malformed-role-arn"),
        ("WebIdentityErr: failed to retrieve credentials\ncaused by: open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: permission denied".to_owned(), "web-identity-err", "pod broken/non-root-no-fsgroup-"),
        ("Unable to locate credentials. You can configure credentials by running \"aws configure\".".to_owned(), "no-credentials", "pod broken/annotated-after-pod-"),
        ("NoCredentialProviders: no valid providers in chain. Deprecated.\n\tFor verbose messaging see aws.Config.CredentialsChainVerboseErrors".to_owned(), "no-credentials", "pod broken/annotated-after-pod-"),
        ("CredentialsProviderError: Could not load credentials from any providers".to_owned(), "no-credentials", "pod broken/annotated-after-pod-"),
        ("failed to refresh cached credentials, failed to load credentials, operation error ec2imds: GetToken ... Get \"http://169.254.170.23/v1/credentials\": dial tcp 169.254.170.23:80: connect: connection refused".to_owned(), "pod-identity-agent", "pod broken/pod-identity-on-fargate-"),
        // The AWS SDK for Java v2 refusing the agent's IPv6 address (terrakube-io/terrakube#3285):
        // the demo's Java pod whose chart hard-codes it on this IPv4 cluster.
        ("software.amazon.awssdk.core.exception.SdkClientException: Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...) : [ContainerCredentialsProvider(): The full URI (http://[fd00:ec2::23]/v1/credentials) contained within environment variable AWS_CONTAINER_CREDENTIALS_FULL_URI has an invalid host. Host should resolve to a loopback address or have the full URI be HTTPS.]".to_owned(), "pod-identity-agent", "pod broken/pi-endpoint-ipv6-"),
        // aws/eks-pod-identity-agent#139's wording (Go SDK v2): EKS Auth refused the role.
        ("operation error S3: ListBuckets, get identity: get credentials: failed to refresh cached credentials, failed to load credentials, Unauthorized Exception! EKS does not have permissions to assume the associated role., fault: client".to_owned(), "pod-identity-agent", "service-account broken/pod-identity-no-tagsession"),
    ]
}

fn kind_name(e: &AwsErrorText) -> String {
    serde_json::to_value(e).expect("serialises")["kind"]
        .as_str()
        .expect("kind")
        .to_owned()
}

#[test]
fn every_error_of_the_corpus_is_traced_to_its_subject() {
    let corpus = corpus();
    assert!(corpus.len() >= 30, "{} texts", corpus.len());
    for (text, kind, subject) in &corpus {
        let t = triage(text);
        let d = t
            .diagnoses
            .first()
            .unwrap_or_else(|| panic!("not recognised: {text}"));
        assert_eq!(&kind_name(&d.error), kind, "{text}");
        let first = d
            .subjects
            .first()
            .unwrap_or_else(|| panic!("no subject for {text}: {d:?}"));
        let named = format!(
            "{} {}/{}",
            first.subject.kind.as_str(),
            first.subject.namespace.as_deref().unwrap_or_default(),
            first.subject.name
        );
        assert!(
            named.starts_with(subject),
            "{named} is not {subject} for {text}"
        );
        assert!(first.confirmed, "{named} for {text}");
    }
}

#[test]
fn the_s3_put_denial_leads_to_the_pod_and_the_policy_that_lacks_the_action() {
    let t = triage(&corpus()[0].0);
    let d = &t.diagnoses[0];
    let eval = d.evaluation.as_ref().expect("evaluated");
    assert_eq!(eval.decision, CanIDecision::ImplicitDeny);
    assert!(
        d.agreement.as_deref().unwrap().starts_with("agrees"),
        "{:?}",
        d.agreement
    );
    assert!(
        d.fix
            .as_deref()
            .unwrap()
            .contains("put-role-policy --role-name eks-irsa-lab-demo-s3-reader-role")
    );
    // demo2's pod is configured for the role but never obtains it: listed, not confirmed.
    let negative = d
        .subjects
        .iter()
        .find(|s| s.subject.name == "s3-negative")
        .expect("demo2/s3-negative listed");
    assert!(!negative.confirmed);
    assert!(negative.why.contains("never obtains"), "{}", negative.why);
}

#[test]
fn the_guides_trust_error_names_expected_and_actual_subject() {
    let t = triage(&corpus()[16].0);
    let top = &t.diagnoses[0].subjects[0];
    assert!(
        top.why.contains("system:serviceaccount:demo:s3-reader"),
        "{}",
        top.why
    );
    assert!(
        top.why.contains("system:serviceaccount:demo2:s3-reader"),
        "{}",
        top.why
    );
    assert!(
        t.diagnoses[0]
            .fix
            .as_deref()
            .unwrap()
            .contains("update-assume-role-policy")
    );
}

#[test]
fn the_scp_deny_agrees_with_the_guardrail_and_the_boundary_gap_with_the_boundary() {
    let scp = triage(&corpus()[5].0);
    let d = &scp.diagnoses[0];
    assert_eq!(
        d.evaluation.as_ref().unwrap().decision,
        CanIDecision::ExplicitDeny
    );
    assert!(
        d.agreement.as_deref().unwrap().starts_with("agrees"),
        "{:?}",
        d.agreement
    );
    let boundary = triage(&corpus()[8].0);
    let d = &boundary.diagnoses[0];
    assert!(
        d.agreement
            .as_deref()
            .unwrap()
            .contains("permissions boundary"),
        "{:?}",
        d.agreement
    );
}

#[test]
fn an_issuer_of_another_cluster_is_called_out() {
    let t = triage(
        "InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.us-east-1.amazonaws.com/id/AAAA",
    );
    assert!(
        t.diagnoses[0]
            .notes
            .iter()
            .any(|n| n.contains("is not this cluster's")),
        "{t:?}"
    );
}

#[test]
fn text_that_is_no_aws_error_is_not_recognised_and_nothing_is_guessed() {
    for text in [
        "",
        "hello world",
        "panic: runtime error: index out of range [3] with length 3",
        "User: someone is not authorized",
        "\u{202E}\u{0}\u{1b}[31m",
    ] {
        let t = triage(text);
        assert!(t.diagnoses.is_empty(), "{text:?}: {t:?}");
        assert!(t.not_recognised.as_deref().unwrap().contains("looked for"));
    }
    // A bare "Access Denied" is recognised as such, with nothing to attribute.
    let t = triage("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
    assert_eq!(kind_name(&t.diagnoses[0].error), "bare-access-denied");
    assert!(t.diagnoses[0].subjects.is_empty());
}

#[test]
fn a_role_no_pod_runs_as_is_said_plainly() {
    let t = triage(
        "User: arn:aws:sts::123456789012:assumed-role/some-other-role/s is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\"",
    );
    let d = &t.diagnoses[0];
    assert!(d.subjects.is_empty());
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("no pod in the loaded data runs as some-other-role"))
    );
}

#[test]
fn an_sdk_refusing_the_agents_address_is_told_apart_by_address() {
    // Java v2 and the IPv6 address: the env variable that unlocks it, and the pod whose URI it is.
    let t = triage(
        "ContainerCredentialsProvider(): The full URI (http://[fd00:ec2::23]/v1/credentials) contained within environment variable AWS_CONTAINER_CREDENTIALS_FULL_URI has an invalid host. Host should resolve to a loopback address or have the full URI be HTTPS.",
    );
    let d = &t.diagnoses[0];
    assert!(
        d.summary.contains("refused the agent's address"),
        "{}",
        d.summary
    );
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6")),
        "{:?}",
        d.notes
    );
    assert!(
        d.fix
            .as_deref()
            .is_some_and(|f| f.contains("pi-endpoint-ipv6")),
        "{:?}",
        d.fix
    );
    // JS v3 before Pod Identity support and the IPv4 address: upgrade, with the minimum versions.
    let t = triage(
        "CredentialsProviderError: 169.254.170.23 is not a valid container metadata service hostname",
    );
    let d = &t.diagnoses[0];
    assert!(
        d.summary.contains("refused the agent's address"),
        "{}",
        d.summary
    );
    assert!(
        d.notes.iter().any(|n| n.contains("JS v3 3.458.0")),
        "{:?}",
        d.notes
    );
    // A connection refused at the agent is not an SDK refusal.
    let t = triage(
        "Get \"http://169.254.170.23/v1/credentials\": dial tcp 169.254.170.23:80: connect: connection refused",
    );
    assert!(
        !t.diagnoses[0]
            .summary
            .contains("refused the agent's address")
    );
}
