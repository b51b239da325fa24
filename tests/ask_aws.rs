//! `can-i --ask-aws`: AWS's own simulator (`iam:SimulatePrincipalPolicy`) asked beside our
//! evaluation. moto does not implement that call, so the fault proxy in front of moto answers
//! it with a recorded response in the documented shape of the IAM query API (and forwards
//! everything else — the credential check — to moto).

mod support;

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
    let out = support::binary::binary_against(endpoint, home)
        .args(["--demo", "can-i", action, "arn:aws:s3:::my-app-bucket/x"])
        .args(["--pod", "demo/s3-test", "--ask-aws", "--format", "json"])
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

/// The terminal UI's `A` in a `:can` answer, over the real wire: the state sends the request
/// at once (the simulator creates nothing, so there is no y/n and `--read-only` allows it),
/// the live source's request runner asks the simulator through the proxy, and the answer is
/// drawn beside ours.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_ui_a_asks_the_simulator_without_a_question_even_read_only() {
    use irsa_core::dataset::Dataset;
    use irsa_inspector::action::{Action, ActionKind, Pane};
    use irsa_inspector::messages::{Capabilities, DataOrigin, RequestKind, SourceEvent};
    use irsa_inspector::side_effect::SideEffect;
    use irsa_inspector::sources::aws::{AwsClients, AwsOptions, AwsSource};
    use irsa_inspector::sources::kube::{self, ConnectOptions, token};
    use irsa_inspector::state::State;
    use ratatui::{Terminal, backend::TestBackend};
    use support::apiserver::StandIn;

    let (_moto, proxy) = simulator(Fault::Answer(ALLOWED)).await;
    let config = support::moto::sdk_config(&proxy.endpoint, None).await;
    let aws = AwsSource::new(AwsClients::new(&config), AwsOptions::default());
    let server = StandIn::start(support::objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let connection = kube::connect(&ConnectOptions {
        kubeconfig: Some(server.write_kubeconfig(dir.path())),
        ..ConnectOptions::default()
    })
    .await
    .expect("connect");
    // The stand-in serves the cluster side only; the analysis needs the IAM side too, so the
    // state shows the demo lab (the same objects, with its roles); the request runner gets
    // the stand-in's client, which asking the simulator never touches.
    let mut inventory = irsa_core::snapshot::load_demo().expect("demo loads");
    inventory.context = Some(connection.context.clone());
    let now = jiff::Timestamp::now();
    let mut state = State::new(
        DataOrigin::Live(connection.context.clone()),
        now,
        true,
        160,
        60,
    );
    state.set_capabilities(Capabilities {
        live_actions: true,
        aws: true,
        read_only: true,
        contexts: false,
    });
    state.apply(SourceEvent::Loaded(Box::new(Dataset::analyse(
        inventory, now, now,
    ))));
    let screen = |state: &State| {
        let mut terminal = Terminal::new(TestBackend::new(160, 60)).unwrap();
        terminal
            .draw(|f| irsa_inspector::ui::draw(f, state))
            .unwrap();
        let buf = terminal.backend().buffer().clone();
        (0..60u16)
            .map(|y| {
                (0..160u16)
                    .map(|x| buf.cell((x, y)).map_or(" ", |c| c.symbol()))
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let type_text = |state: &mut State, text: &str| {
        for c in text.chars() {
            state.update(Action::Input(c));
        }
        state.update(Action::InputSubmit);
    };
    state.update(Action::ShowPane(Pane::Pods));
    state.update(Action::BeginFilter);
    type_text(&mut state, "demo/s3-test");
    state.update(Action::Open);

    for (action, ours_agrees) in [("s3:GetObject", true), ("s3:PutObject", false)] {
        state.update(Action::BeginCan);
        type_text(
            &mut state,
            &format!("{action} arn:aws:s3:::my-app-bucket/x"),
        );
        let before = screen(&state);
        assert!(before.contains("A  ask AWS's simulator about"), "{before}");
        let effects = state.update(Action::Live(ActionKind::AskAws));
        let request = match effects.as_slice() {
            [SideEffect::Request(r)] => r.clone(),
            other => panic!("expected the request at once, got {other:?}"),
        };
        let RequestKind::AskAws(asked) = &request.kind else {
            panic!("{request:?}");
        };
        assert_eq!(
            asked.role_arn,
            "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"
        );
        assert_eq!(asked.action, action);
        assert!(screen(&state).contains("running…"));
        let outcome = token::run_request(&connection.client, Some(&aws), &request.kind).await;
        state.apply(SourceEvent::ActionResult {
            id: request.id,
            outcome: Box::new(outcome),
        });
        let frame = screen(&state);
        assert!(
            frame.contains("AWS says") && frame.contains("ALLOW"),
            "{frame}"
        );
        assert!(frame.contains("irsa-lab-s3-read-policy"), "{frame}");
        assert_eq!(frame.contains("✓ agrees with ours"), ours_agrees, "{frame}");
        assert_eq!(
            frame.contains("≠ differs from ours"),
            !ours_agrees,
            "{frame}"
        );
        state.update(Action::Back);
    }
    assert_eq!(proxy.seen("iam:SimulatePrincipalPolicy").0, 2);
    // Nothing was created in the cluster: the stand-in saw no write.
    assert!(server.issued_tokens().is_empty());
}
