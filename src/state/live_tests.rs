//! Test module: compiled only under `#[cfg(test)]` (declared so in its parent).
//! The opt-in live actions, `:ctx`, `:ns` narrowing and watch statuses in the state store.

use super::*;
use crate::action::Action;
use crate::action::ActionKind;
use crate::action::InputMode;
use crate::messages::Capabilities;
use crate::messages::RequestKind;
use crate::messages::WebIdentityAnswer;
use crate::messages::{ActionOutcome, DataOrigin, SourceEvent};
use crate::side_effect::SideEffect;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use irsa_core::analysis::token::decode;
use irsa_core::fixtures::{self, NOW};

const CAPS: Capabilities = Capabilities {
    live_actions: true,
    aws: true,
    read_only: false,
    contexts: true,
};

fn live(caps: Capabilities) -> State {
    let mut s = State::new(DataOrigin::Live("lab".into()), NOW, true, 160, 48);
    s.set_capabilities(caps);
    let mut data = fixtures::lab();
    data.inventory.context = Some("lab".into());
    s.apply(SourceEvent::Loaded(Box::new(data)));
    s
}

fn pod_drill(s: &mut State) {
    s.open_drill(DrillTarget::Pod {
        namespace: "demo2".into(),
        name: "s3-test".into(),
    });
}

fn drill_text(s: &State) -> String {
    s.drill()
        .map(|d| {
            d.lines
                .iter()
                .map(DrillLine::text)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn status(s: &State) -> String {
    s.status().map(|m| m.text.clone()).unwrap_or_default()
}

/// A token shaped like the API server's, with a signature that must never be shown.
fn token() -> irsa_core::analysis::token::DecodedToken {
    let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let raw = format!(
        "{}.{}.c2lnbmF0dXJlLW5ldmVyLXNob3du",
        part(serde_json::json!({"alg": "RS256", "kid": "k1"})),
        part(serde_json::json!({
            "iss": "https://oidc.example/id/X", "sub": "system:serviceaccount:demo2:s3-reader",
            "aud": ["sts.amazonaws.com"], "iat": NOW.as_second(), "exp": NOW.as_second() + 600,
            "kubernetes.io": {"namespace": "demo2", "serviceaccount": {"name": "s3-reader"},
                              "pod": {"name": "s3-test", "uid": "uid-1"}}
        }))
    );
    decode(&raw).expect("test token decodes")
}

#[test]
fn t_asks_first_naming_what_it_creates_and_n_creates_nothing() {
    let mut s = live(CAPS);
    pod_drill(&mut s);
    let effects = s.update(Action::Live(ActionKind::MintToken));
    assert!(
        effects.is_empty(),
        "nothing may be sent before y: {effects:?}"
    );
    assert_eq!(s.mode(), InputMode::Confirm);
    assert_eq!(
        status(&s),
        "create serviceaccounts/token for demo2/s3-reader? y/n"
    );
    let effects = s.update(Action::Input('n'));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(s.mode(), InputMode::Normal);
    assert!(status(&s).contains("cancelled"), "{}", status(&s));
    // Esc cancels too.
    s.update(Action::Live(ActionKind::MintToken));
    assert!(s.update(Action::InputCancel).is_empty());
    assert!(s.live().records.is_empty());
}

#[test]
fn y_sends_the_mint_shows_running_then_the_decoded_claims() {
    let mut s = live(CAPS);
    pod_drill(&mut s);
    s.update(Action::Live(ActionKind::MintToken));
    let effects = s.update(Action::Input('y'));
    let [SideEffect::Request(request)] = effects.as_slice() else {
        panic!("expected one request, got {effects:?}");
    };
    let RequestKind::MintToken(mint) = &request.kind else {
        panic!("expected a mint, got {request:?}");
    };
    assert_eq!(&*mint.service_account, "s3-reader");
    assert_eq!(mint.audience.as_deref(), Some("sts.amazonaws.com"));
    assert_eq!(
        mint.bound_pod.as_ref().map(|(p, _)| p.as_str()),
        Some("s3-test")
    );
    let text = drill_text(&s);
    assert!(
        text.contains("Minted token (TokenRequest, 10 min, bound to pod s3-test)"),
        "{text}"
    );
    assert!(text.contains("running…"), "{text}");
    s.apply(SourceEvent::ActionResult {
        id: request.id,
        outcome: Box::new(ActionOutcome::Token(token())),
    });
    let text = drill_text(&s);
    assert!(!text.contains("running…"), "{text}");
    assert!(
        text.contains("system:serviceaccount:demo2:s3-reader"),
        "{text}"
    );
    assert!(text.contains("s3-test (uid uid-1)"), "{text}");
    assert!(text.contains("10m 0s left"), "{text}");
    assert!(
        !text.contains("c2lnbmF0dXJl"),
        "the signature leaked: {text}"
    );
}

#[test]
fn a_403_names_the_missing_verb_and_resource_and_nothing_crashes() {
    let mut s = live(CAPS);
    pod_drill(&mut s);
    s.update(Action::Live(ActionKind::ReadMountedToken));
    assert!(
        status(&s).starts_with("create pods/exec on demo2/s3-test"),
        "{}",
        status(&s)
    );
    let effects = s.update(Action::Input('y'));
    let Some(SideEffect::Request(request)) = effects.first() else {
        panic!("{effects:?}");
    };
    let RequestKind::ReadMountedToken(read) = &request.kind else {
        panic!("{request:?}");
    };
    assert_eq!(
        read.path,
        "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
    );
    let denied =
        "cannot create pods/exec in namespace demo2: forbidden — mounted token unavailable";
    s.apply(SourceEvent::ActionResult {
        id: request.id,
        outcome: Box::new(ActionOutcome::Forbidden(denied.into())),
    });
    assert_eq!(status(&s), denied);
    assert!(drill_text(&s).contains(&format!("✗ {denied}")));
}

#[test]
fn read_only_disables_every_action_before_the_question() {
    let mut s = live(Capabilities {
        read_only: true,
        ..CAPS
    });
    pod_drill(&mut s);
    for kind in [
        ActionKind::MintToken,
        ActionKind::ReadMountedToken,
        ActionKind::TestWebIdentity,
    ] {
        let effects = s.update(Action::Live(kind));
        assert!(effects.is_empty(), "{kind:?}: {effects:?}");
        assert_eq!(s.mode(), InputMode::Normal);
        assert!(
            status(&s).ends_with("disabled by --read-only"),
            "{}",
            status(&s)
        );
        // A `y` that follows confirms nothing.
        assert!(!matches!(
            s.update(Action::Input('y')).first(),
            Some(SideEffect::Request(_))
        ));
    }
    assert!(drill_text(&s).contains("disabled by --read-only"));
    assert!(crate::ui::badge_text(&s).contains(&"read-only".to_owned()));
}

#[test]
fn demo_data_has_no_live_actions_and_no_contexts() {
    let mut s = State::new(DataOrigin::Demo, NOW, true, 160, 48);
    s.apply(SourceEvent::Loaded(Box::new(fixtures::lab())));
    pod_drill(&mut s);
    assert!(!drill_text(&s).contains("Live checks"));
    assert!(s.update(Action::Live(ActionKind::MintToken)).is_empty());
    assert!(
        status(&s).contains("not available for this source: demo"),
        "{}",
        status(&s)
    );
    s.update(Action::BeginCommand);
    for c in "ctx prod".chars() {
        s.update(Action::Input(c));
    }
    assert!(s.update(Action::InputSubmit).is_empty());
    assert_eq!(status(&s), "no kubeconfig contexts in demo mode");
}

#[test]
fn testing_for_real_needs_aws_then_shows_aws_answer_next_to_the_prediction() {
    let mut s = live(Capabilities { aws: false, ..CAPS });
    pod_drill(&mut s);
    assert!(
        s.update(Action::Live(ActionKind::TestWebIdentity))
            .is_empty()
    );
    assert!(status(&s).contains("needs --aws"), "{}", status(&s));

    let mut s = live(CAPS);
    pod_drill(&mut s);
    s.update(Action::Live(ActionKind::TestWebIdentity));
    assert!(status(&s).contains("sts:AssumeRoleWithWebIdentity on arn:aws:iam::"));
    let effects = s.update(Action::Input('y'));
    let Some(SideEffect::Request(request)) = effects.first() else {
        panic!("{effects:?}");
    };
    let message = "Not authorized to perform sts:AssumeRoleWithWebIdentity";
    s.apply(SourceEvent::ActionResult {
        id: request.id,
        outcome: Box::new(ActionOutcome::WebIdentity {
            token: token(),
            answer: WebIdentityAnswer::Rejected {
                code: "AccessDenied".into(),
                message: message.into(),
            },
        }),
    });
    let text = drill_text(&s);
    assert!(text.contains(&format!("AccessDenied: {message}")), "{text}");
    // demo2/s3-reader is the lab's broken binding: the analysis predicted the denial.
    assert!(text.contains("analysis predicted  DENY"), "{text}");
    assert!(text.contains("AWS agrees with the analysis"), "{text}");
}

#[test]
fn ctx_switches_and_a_late_dataset_of_the_old_context_is_dropped() {
    let mut s = live(CAPS);
    s.update(Action::BeginCommand);
    for c in "ctx other".chars() {
        s.update(Action::Input(c));
    }
    assert_eq!(
        s.update(Action::InputSubmit),
        vec![SideEffect::SwitchContext("other".into())]
    );
    s.apply(SourceEvent::ContextSwitched {
        context: "other".into(),
    });
    assert_eq!(s.origin(), &DataOrigin::Live("other".into()));
    assert!(s.dataset().is_none());
    let mut old = fixtures::lab();
    old.inventory.context = Some("lab".into());
    s.apply(SourceEvent::Loaded(Box::new(old)));
    assert!(s.dataset().is_none(), "the old context's data came back");
    let mut new = fixtures::empty();
    new.inventory.context = Some("other".into());
    s.apply(SourceEvent::Loaded(Box::new(new)));
    assert!(s.dataset().is_some());
}

#[test]
fn reconnecting_shows_in_the_header_until_the_watch_is_ready() {
    let mut s = live(CAPS);
    s.apply(SourceEvent::WatchStatus {
        resource: Watched::Pods,
        status: ResourceStatus::Reconnecting {
            reason: "connection refused".into(),
        },
    });
    let badges = crate::ui::badge_text(&s);
    assert!(
        badges
            .iter()
            .any(|b| b.starts_with("reconnecting (pods, since ")),
        "{badges:?}"
    );
    s.apply(SourceEvent::WatchStatus {
        resource: Watched::Pods,
        status: ResourceStatus::Ready { objects: 5 },
    });
    assert!(crate::ui::badge_text(&s).is_empty());
}

#[test]
fn ns_restarts_the_watches_namespaced_when_cluster_wide_lists_are_denied() {
    let mut s = live(CAPS);
    let ns = |s: &mut State, text: &str| {
        s.update(Action::BeginCommand);
        for c in text.chars() {
            s.update(Action::Input(c));
        }
        s.update(Action::InputSubmit)
    };
    // Allowed cluster-wide: :ns narrows the view only.
    assert!(ns(&mut s, "ns demo2").is_empty());
    s.apply(SourceEvent::WatchStatus {
        resource: Watched::Pods,
        status: ResourceStatus::Forbidden {
            verb: "list",
            namespace: None,
        },
    });
    assert_eq!(
        ns(&mut s, "ns demo"),
        vec![SideEffect::WatchNamespace(Some("demo".into()))]
    );
    assert_eq!(ns(&mut s, "ns all"), vec![SideEffect::WatchNamespace(None)]);
}

#[test]
fn a_asks_the_simulator_only_from_a_can_answer_and_only_with_aws() {
    // Outside a `:can` answer, A says where it works and sends nothing.
    let mut s = live(CAPS);
    pod_drill(&mut s);
    assert!(s.update(Action::Live(ActionKind::AskAws)).is_empty());
    assert!(status(&s).contains("ask one first"), "{}", status(&s));
    // In one, without --aws: the answer says so, nothing is sent.
    let mut s = live(Capabilities { aws: false, ..CAPS });
    pod_drill(&mut s);
    s.update(Action::BeginCan);
    for c in "s3:GetObject arn:aws:s3:::my-app-bucket/x".chars() {
        s.update(Action::Input(c));
    }
    s.update(Action::InputSubmit);
    assert!(
        drill_text(&s).contains("— needs --aws"),
        "{}",
        drill_text(&s)
    );
    assert!(s.update(Action::Live(ActionKind::AskAws)).is_empty());
    assert!(status(&s).contains("needs --aws"), "{}", status(&s));
    assert_eq!(s.mode, InputMode::Normal, "no y/n question");
}

#[test]
fn e_reads_cloudtrail_without_a_question_even_read_only_and_shows_the_evidence() {
    // Without --aws: said, nothing sent.
    let mut s = live(Capabilities { aws: false, ..CAPS });
    pod_drill(&mut s);
    assert!(drill_text(&s).contains("CloudTrail evidence of the last hour (needs --aws)"));
    assert!(s.update(Action::Live(ActionKind::CloudTrail)).is_empty());
    assert!(status(&s).contains("needs --aws"), "{}", status(&s));

    // With --aws, even under --read-only (it only reads): one request, no y/n.
    let mut s = live(Capabilities {
        read_only: true,
        ..CAPS
    });
    s.open_drill(DrillTarget::ServiceAccount {
        namespace: "demo2".into(),
        name: "s3-reader".into(),
    });
    let effects = s.update(Action::Live(ActionKind::CloudTrail));
    let [SideEffect::Request(request)] = effects.as_slice() else {
        panic!("expected one request, got {effects:?}");
    };
    assert_eq!(
        request.kind,
        RequestKind::CloudTrail {
            lookback_secs: 3600
        }
    );
    assert_eq!(s.mode(), InputMode::Normal, "no y/n question");
    let record: irsa_core::analysis::triage::cloudtrail::TrailRecord =
        serde_json::from_value(serde_json::json!({
            "eventTime": "2026-04-10T09:30:00Z", "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRoleWithWebIdentity", "errorCode": "AccessDenied",
            "userIdentity": {"type": "WebIdentityUser",
                             "userName": "system:serviceaccount:demo2:s3-reader"},
            "requestParameters": {"roleArn": "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"}
        }))
        .expect("record");
    s.apply(SourceEvent::ActionResult {
        id: request.id,
        outcome: Box::new(ActionOutcome::Trail(crate::messages::TrailOutcome {
            records: vec![record],
            calls: 3,
            capped: Vec::new(),
            unreadable: 0,
            problems: Vec::new(),
        })),
    });
    let text = drill_text(&s);
    assert!(text.contains("CloudTrail evidence, last 60 min"), "{text}");
    assert!(text.contains("failed AccessDenied ×1"), "{text}");
    // (the long line wraps in the drill-down)
    assert!(
        text.contains("1 AccessDenied in the last 60 min, 0 successful, same subject — confirmed"),
        "{text}"
    );
}

#[test]
fn after_e_c_asks_about_the_call_cloudtrail_saw_refused() {
    let mut s = live(CAPS);
    s.open_drill(DrillTarget::ServiceAccount {
        namespace: "demo2".into(),
        name: "s3-reader".into(),
    });
    // Before any evidence: an empty question.
    s.update(Action::BeginCan);
    assert_eq!(s.input, "can ");
    s.update(Action::InputCancel);
    let effects = s.update(Action::Live(ActionKind::CloudTrail));
    let [SideEffect::Request(request)] = effects.as_slice() else {
        panic!("expected one request, got {effects:?}");
    };
    let refused: irsa_core::analysis::triage::cloudtrail::TrailRecord =
        serde_json::from_value(serde_json::json!({
            "eventTime": "2026-04-10T09:40:00Z", "eventSource": "s3.amazonaws.com",
            "eventName": "CreateBucket", "errorCode": "AccessDenied",
            "resources": [{"ARN": "arn:aws:s3:::irsa-lab-new"}],
            "userIdentity": {"type": "AssumedRole",
                "arn": "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1",
                "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"}}}
        }))
        .expect("record");
    s.apply(SourceEvent::ActionResult {
        id: request.id,
        outcome: Box::new(ActionOutcome::Trail(crate::messages::TrailOutcome {
            records: vec![refused],
            calls: 3,
            capped: Vec::new(),
            unreadable: 0,
            problems: Vec::new(),
        })),
    });
    s.update(Action::BeginCan);
    assert_eq!(s.input, "can s3:CreateBucket arn:aws:s3:::irsa-lab-new");
}
