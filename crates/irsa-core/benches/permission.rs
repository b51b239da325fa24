//! Permission benchmark (not a test; `cargo bench -p irsa-core --bench permission`): one
//! evaluation against a role with 20 policies (the issue's "≤ 1 ms" case), one `can_i` on the
//! demo lab (identity resolution + evaluation), and the effective-permissions summary of every
//! role of a generated 2,000-role account (what the Roles pane's flags cost per rebuild).
//! Prints mean and worst of repeated runs; hand-timed like `benches/ui.rs`.

use irsa_core::analysis::audit::audit;
use irsa_core::analysis::permission::can_i::{self, CanIQuery, CanISubject};
use irsa_core::analysis::permission::{
    self, NamedPolicy, PermissionRequest, PolicySet, ResourcePolicy, ScpLevel,
};
use irsa_core::analysis::policy;
use irsa_core::analysis::trust::RequestKey;
use irsa_core::model::{AttachedPolicy, Inventory, RoleInfo};
use irsa_core::snapshot;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn time(runs: u32, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    for _ in 0..runs {
        let start = Instant::now();
        f();
        let took = start.elapsed();
        total += took;
        worst = worst.max(took);
    }
    (total / runs, worst)
}

/// A policy of 5 statements: services, wildcards, resources with variables, conditions.
fn policy_json(i: usize) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Sid":"Read{i}","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::bucket-{i}","arn:aws:s3:::bucket-{i}/*"]}},
        {{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:eu-west-1:111122223333:table/t-{i}","Condition":{{"StringEquals":{{"aws:RequestedRegion":"eu-west-1"}}}}}},
        {{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:eu-west-1:111122223333:q-{i}-*"}},
        {{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/${{aws:PrincipalTag/team}}/*","Condition":{{"StringLike":{{"s3:prefix":["team-{i}/*"]}},"Bool":{{"aws:SecureTransport":"true"}}}}}},
        {{"Effect":"Deny","NotAction":["s3:*","sqs:*","dynamodb:*","kms:Decrypt"],"Resource":"*","Condition":{{"StringNotEquals":{{"aws:PrincipalTag/env":"prod-{i}"}}}}}}]}}"#
    )
}

fn named(name: &str, json: &str) -> NamedPolicy {
    NamedPolicy {
        name: name.to_owned(),
        document: policy::parse_str(json).expect("bench policy parses"),
    }
}

fn main() {
    // One evaluation, role with 20 policies (+ boundary, session policy, 3 SCP levels).
    let set = PolicySet {
        identity: (0..20).map(|i| named(&format!("p{i}"), &policy_json(i))).collect(),
        boundary: Some(named("boundary", &policy_json(99))),
        session: vec![named("session", &policy_json(98))],
        scps: Some(
            ["root", "ou-workloads", "account"]
                .iter()
                .map(|level| ScpLevel {
                    name: (*level).to_owned(),
                    policies: vec![named(level, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)],
                })
                .collect(),
        ),
        resource: ResourcePolicy::None,
    };
    let request = PermissionRequest {
        action: "s3:PutObject".to_owned(),
        resource: "arn:aws:s3:::shared/payments/team-7/x".to_owned(),
        principal: "arn:aws:sts::111122223333:assumed-role/app/eks-c-p-1".to_owned(),
        resource_account: None,
        keys: vec![
            RequestKey {
                name: "aws:PrincipalTag/team".to_owned(),
                values: vec!["payments".to_owned()],
            },
            RequestKey {
                name: "aws:PrincipalTag/env".to_owned(),
                values: vec!["prod-7".to_owned()],
            },
            RequestKey {
                name: "s3:prefix".to_owned(),
                values: vec!["team-7/x".to_owned()],
            },
            RequestKey {
                name: "aws:SecureTransport".to_owned(),
                values: vec!["true".to_owned()],
            },
        ],
        principal_tags_known: true,
    };
    let (mean, worst) = time(2_000, || {
        black_box(permission::evaluate(black_box(&request), black_box(&set)));
    });
    let decision = permission::evaluate(&request, &set).decision;
    println!(
        "evaluate, 20 policies × 5 statements (+boundary, session, 3 SCPs): mean {mean:?}, worst {worst:?} ({decision:?})"
    );

    // can_i on the demo lab: identity resolution (pod analysis) + policies + evaluation.
    let demo = snapshot::load_demo().expect("demo loads");
    let now = demo.captured_at.expect("capture time");
    let report = audit(&demo, now);
    let query = CanIQuery {
        action: "s3:GetObject".to_owned(),
        resource: "arn:aws:s3:::my-app-bucket/x".to_owned(),
        ..CanIQuery::default()
    };
    let subject = CanISubject::Pod {
        namespace: "demo".to_owned(),
        name: "s3-test".to_owned(),
    };
    let (mean, worst) = time(500, || {
        black_box(can_i::can_i(&demo, &report, &subject, &query).expect("answer"));
    });
    println!("can_i demo/s3-test on the demo lab: mean {mean:?}, worst {worst:?}");

    // Effective permissions of every role of a 2,000-role account (5 attached policies each).
    let docs: Vec<serde_json::Value> = (0..10)
        .map(|i| serde_json::from_str(&policy_json(i)).expect("json"))
        .collect();
    let roles: Vec<RoleInfo> = (0..2_000)
        .map(|i| {
            let mut r = RoleInfo::new(&format!("arn:aws:iam::111122223333:role/r-{i}"), None);
            r.attached_policies = (0..5)
                .map(|j| AttachedPolicy {
                    name: format!("p{}", (i + j) % 10),
                    arn: format!("arn:aws:iam::111122223333:policy/p{}", (i + j) % 10),
                    document: Some(docs[(i + j) % 10].clone()),
                })
                .collect();
            r.permissions_boundary = Some("arn:aws:iam::111122223333:policy/boundary".to_owned());
            r.permissions_boundary_document = Some(docs[9].clone());
            r
        })
        .collect();
    let inv = Inventory {
        roles: Some(roles),
        ..Inventory::default()
    };
    let (mean, worst) = time(5, || {
        for role in inv.roles.iter().flatten() {
            black_box(can_i::role_summary(&inv, role));
        }
    });
    println!(
        "effective permissions of 2,000 roles, each parsing its documents: mean {mean:?}, worst {worst:?}"
    );
    let (mean, worst) = time(5, || {
        let mut cache = can_i::PolicyCache::default();
        for role in inv.roles.iter().flatten() {
            black_box(can_i::role_summary_cached(&inv, role, &mut cache));
        }
    });
    println!(
        "effective permissions of 2,000 roles, documents parsed once (as the Roles pane derives them): mean {mean:?}, worst {worst:?}"
    );
}
