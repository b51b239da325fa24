//! `can-i --ask-aws`: AWS's own simulator (`iam:SimulatePrincipalPolicy`) asked beside our
//! evaluation. moto does not implement that call, so the fault proxy in front of moto answers
//! it with a recorded response in the documented shape of the IAM query API (and forwards
//! everything else — the credential check — to moto).

mod support;

use assert_cmd::Command;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::moto::moto;

/// The simulator's answer, as IAM's query API returns it (API reference example shape).
const ALLOWED: &str = r#"<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <EvalResourceName>arn:aws:s3:::my-app-bucket/x</EvalResourceName>
        <EvalActionName>s3:GetObject</EvalActionName>
        <EvalDecision>allowed</EvalDecision>
        <MatchedStatements>
          <member>
            <SourcePolicyId>irsa-lab-s3-read-policy</SourcePolicyId>
            <SourcePolicyType>IAM Policy</SourcePolicyType>
            <StartPosition><Line>1</Line><Column>38</Column></StartPosition>
            <EndPosition><Line>1</Line><Column>170</Column></EndPosition>
          </member>
        </MatchedStatements>
        <MissingContextValues/>
      </member>
    </EvaluationResults>
  </SimulatePrincipalPolicyResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</SimulatePrincipalPolicyResponse>"#;

fn can_i(endpoint: &str, home: &std::path::Path, action: &str) -> serde_json::Value {
    let out = Command::cargo_bin("irsa-inspector")
        .expect("binary")
        .args(["--demo", "can-i", action, "arn:aws:s3:::my-app-bucket/x"])
        .args(["--pod", "demo/s3-test", "--ask-aws", "--format", "json"])
        .env_clear()
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing-access-key")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// A proxy in front of moto that applies `fault` to `iam:SimulatePrincipalPolicy`.
async fn simulator(fault: Fault) -> (support::moto::MotoGuard, FaultProxy) {
    let moto = moto().await;
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![Rule {
            service: "iam",
            action: "SimulatePrincipalPolicy",
            fault,
        }],
    )
    .await;
    (moto, proxy)
}

/// `can-i ACTION` through the proxy, off the test's runtime (the binary blocks).
async fn ask(
    proxy: &FaultProxy,
    home: &std::path::Path,
    action: &'static str,
) -> serde_json::Value {
    let (endpoint, home) = (proxy.endpoint.clone(), home.to_owned());
    tokio::task::spawn_blocking(move || can_i(&endpoint, &home, action))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_simulators_answer_is_shown_beside_ours_and_compared() {
    let (_moto, proxy) = simulator(Fault::Answer(ALLOWED)).await;
    let home = tempfile::tempdir().unwrap();
    let v = ask(&proxy, home.path(), "s3:GetObject").await;
    assert_eq!(v["decision"], "allow", "{v}");
    assert_eq!(v["aws"]["aws"]["decision"], "allow", "{v}");
    assert_eq!(v["aws"]["agrees"], true);
    assert_eq!(v["aws"]["aws"]["matched"][0], "irsa-lab-s3-read-policy");
    assert_eq!(proxy.seen("iam:SimulatePrincipalPolicy").0, 1, "asked once");

    // The same recorded "allowed" against our implicit deny of s3:PutObject: a disagreement,
    // shown with the reasons they may differ.
    let v = ask(&proxy, home.path(), "s3:PutObject").await;
    assert_eq!(v["decision"], "implicit-deny");
    assert_eq!(v["aws"]["agrees"], false, "{v}");
    assert!(
        v["aws"]["note"]
            .as_str()
            .unwrap()
            .contains("resource policies")
    );
}

#[tokio::test]
async fn a_denied_simulator_is_one_line_and_our_answer_stands() {
    let (_moto, proxy) = simulator(Fault::Deny).await;
    let home = tempfile::tempdir().unwrap();
    let v = ask(&proxy, home.path(), "s3:GetObject").await;
    assert_eq!(v["decision"], "allow");
    assert!(v.get("aws").is_none(), "{v}");
    assert_eq!(v["aws_error"], "iam:SimulatePrincipalPolicy denied");
}
