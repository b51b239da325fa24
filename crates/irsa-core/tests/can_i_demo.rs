//! `can_i` on the embedded demo lab, as the CLI and the UI call it: the caller's word that a
//! resource policy could not be read overrides what the loaded data holds.

use irsa_core::analysis::audit::audit;
use irsa_core::analysis::permission::can_i::{CanIDecision, CanIQuery, CanISubject, can_i};

const KEY: &str = "arn:aws:kms:eu-west-1:123456789012:key/5f0e2c41-9a7b-4d3e-8c21-7b6a0f9d2e18";

fn ask(
    resource: &str,
    action: &str,
    pod: (&str, &str),
    unknown: Option<&str>,
) -> irsa_core::analysis::permission::can_i::CanIAnswer {
    let inv = irsa_core::snapshot::load_demo().expect("demo loads");
    let now = inv.captured_at.expect("capture time");
    let report = audit(&inv, now);
    let query = CanIQuery {
        action: action.to_owned(),
        resource: resource.to_owned(),
        resource_policy_unknown: unknown.map(str::to_owned),
        ..CanIQuery::default()
    };
    let subject = CanISubject::Pod {
        namespace: pod.0.to_owned(),
        name: pod.1.to_owned(),
    };
    can_i(&inv, &report, &subject, &query).expect("answer")
}

#[test]
fn a_resource_policy_that_could_not_be_read_is_unknown_even_when_the_snapshot_has_one() {
    // From the snapshot: the key policy does not delegate to IAM → implicit deny.
    let loaded = ask(KEY, "kms:Decrypt", ("tf-demo", "tf-s3-test"), None);
    assert_eq!(
        loaded.decision,
        CanIDecision::ImplicitDeny,
        "{}",
        loaded.reason
    );
    // The live read failed: the key policy decides for KMS, so the answer is not a deny
    // grounded on the snapshot's copy; the reason is listed as unknown.
    let unread = ask(
        KEY,
        "kms:Decrypt",
        ("tf-demo", "tf-s3-test"),
        Some("kms:GetKeyPolicy denied"),
    );
    assert!(
        unread
            .unknowns
            .iter()
            .any(|u| u.why.contains("kms:GetKeyPolicy denied")),
        "{:?}",
        unread.unknowns
    );
    assert!(
        !unread.trace.iter().any(|p| p.name == KEY),
        "the snapshot's copy is not evaluated"
    );
    assert_eq!(unread.decision, CanIDecision::Unknown, "{}", unread.reason);
    assert!(
        unread.reason.contains("key policy is unknown"),
        "{}",
        unread.reason
    );
}
