//! The opt-in live actions end to end over the real wire protocol: the state asks (y/n), the
//! confirmed request runs the way the live source runs it (`token::run_request` against the
//! stand-in API server: TokenRequest, pods/exec over a websocket), the answer goes back into
//! the state as a `SourceEvent`, and the drill-down drawn into a `TestBackend` shows decoded
//! claims — while the token the server handed out (and its signature) appears in no frame, no
//! event's or state's `Debug`.

mod support;

use irsa_core::dataset::Dataset;
use irsa_inspector::action::Action;
use irsa_inspector::action::{ActionKind, Pane};
use irsa_inspector::messages::Capabilities;
use irsa_inspector::messages::{ActionOutcome, DataOrigin, SourceEvent};
use irsa_inspector::messages::{RequestKind, SourceRequest};
use irsa_inspector::side_effect::SideEffect;
use irsa_inspector::sources::kube::{self, ConnectOptions, token};
use irsa_inspector::sources::{LoaderSource, Source};
use irsa_inspector::state::State;
use irsa_inspector::ui;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::{Kind, StandIn, Verb};
use support::objects;

const CAPS: Capabilities = Capabilities {
    live_actions: true,
    aws: false,
    read_only: false,
    contexts: true,
};

fn screen(state: &State) -> String {
    let (w, h) = state.size();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("backend");
    terminal.draw(|f| ui::draw(f, state)).expect("draw");
    let buf = terminal.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf.cell((x, y)).map_or(" ", |c| c.symbol()))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The stand-in with the demo lab, a client on it, and a state showing its data with the
/// pod `demo2/s3-negative`'s drill-down open.
async fn open_pod(server: &StandIn) -> (kube::Connection, State) {
    let dir = tempfile::tempdir().expect("tempdir");
    let connection = kube::connect(&ConnectOptions {
        kubeconfig: Some(server.write_kubeconfig(dir.path())),
        ..ConnectOptions::default()
    })
    .await
    .expect("connect");
    let inventory = kube::load_once(connection.clone(), Duration::from_secs(20))
        .await
        .expect("list the stand-in");
    let now = Timestamp::now();
    let mut state = State::new(
        DataOrigin::Live(connection.context.clone()),
        now,
        true,
        160,
        60,
    );
    state.set_capabilities(CAPS);
    state.apply(SourceEvent::Loaded(Box::new(Dataset::analyse(
        inventory, now, now,
    ))));
    state.update(Action::ShowPane(Pane::Pods));
    state.update(Action::BeginFilter);
    for c in "demo2/s3-negative".chars() {
        state.update(Action::Input(c));
    }
    state.update(Action::InputSubmit);
    state.update(Action::Open);
    let title = state.drill().map(|d| d.title.clone()).unwrap_or_default();
    assert_eq!(title, "Pod demo2/s3-negative — identity");
    (connection, state)
}

/// Presses the action's key and `y`; returns the request the state sent.
fn confirm(state: &mut State, kind: ActionKind) -> SourceRequest {
    assert!(
        state.update(Action::Live(kind)).is_empty(),
        "asked before sending"
    );
    let effects = state.update(Action::Input('y'));
    match effects.as_slice() {
        [SideEffect::Request(r)] => r.clone(),
        other => panic!("expected one request, got {other:?}"),
    }
}

/// Runs `request` as the live source does and feeds the answer back; returns the event's and
/// the state's Debug text and the screen.
async fn answer(
    connection: &kube::Connection,
    state: &mut State,
    request: SourceRequest,
) -> (String, String) {
    let outcome = token::run_request(&connection.client, None, &request.kind).await;
    let event = SourceEvent::ActionResult {
        id: request.id,
        outcome: Box::new(outcome),
    };
    let debug = format!("{event:?}");
    state.apply(event);
    (debug, screen(state))
}

fn assert_no_token(server: &StandIn, texts: &[&str]) {
    let issued = server.issued_tokens();
    assert!(!issued.is_empty(), "the server handed out no token");
    for token in issued {
        let token = token.trim();
        let signature = token.rsplit('.').next().unwrap_or_default();
        assert!(signature.len() > 8, "a signature part: {signature}");
        for text in texts {
            assert!(!text.contains(token), "the raw token leaked");
            assert!(!text.contains(signature), "the token's signature leaked");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minted_token_shows_its_claims_in_the_drill_down_and_never_the_token() {
    let server = StandIn::start(objects::demo_lab()).await;
    let (connection, mut state) = open_pod(&server).await;
    let request = confirm(&mut state, ActionKind::MintToken);
    let RequestKind::MintToken(mint) = &request.kind else {
        panic!("{request:?}");
    };
    assert_eq!(mint.audience.as_deref(), Some("sts.amazonaws.com"));
    assert!(screen(&state).contains("running…"));
    let (debug, frame) = answer(&connection, &mut state, request).await;
    assert!(
        frame.contains("Minted token (TokenRequest, 10 min, bound to pod s3-negative)"),
        "{frame}"
    );
    assert!(
        frame.contains("system:serviceaccount:demo2:s3-reader"),
        "{frame}"
    );
    assert!(frame.contains("kubernetes.io/pod"), "{frame}");
    assert!(
        frame.contains("9m") || frame.contains("10m"),
        "time left: {frame}"
    );
    assert_eq!(server.requests(Kind::ServiceAccount, Verb::CreateToken), 1);
    assert_no_token(&server, &[&debug, &frame, &format!("{state:?}")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mounted_token_is_read_through_exec_and_shown_decoded_only() {
    let server = StandIn::start(objects::demo_lab()).await;
    let (connection, mut state) = open_pod(&server).await;
    let request = confirm(&mut state, ActionKind::ReadMountedToken);
    let (debug, frame) = answer(&connection, &mut state, request).await;
    assert!(
        frame.contains(
            "Mounted token read via pods/exec from container s3-negative path \
             /var/run/secrets/eks.amazonaws.com/serviceaccount/token"
        ),
        "{frame}"
    );
    assert!(frame.contains("sts.amazonaws.com"), "{frame}");
    assert_eq!(server.requests(Kind::Pod, Verb::Exec), 1);
    assert_no_token(&server, &[&debug, &frame, &format!("{state:?}")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_on_serviceaccounts_token_is_named_in_the_status_line() {
    let server = StandIn::start(objects::demo_lab()).await;
    server.forbid(Kind::ServiceAccount, Verb::CreateToken);
    let (connection, mut state) = open_pod(&server).await;
    let request = confirm(&mut state, ActionKind::MintToken);
    let (_, frame) = answer(&connection, &mut state, request).await;
    let status_line = frame.lines().last().unwrap_or_default().to_owned();
    assert!(
        status_line.contains("cannot create serviceaccounts/token in namespace demo2: forbidden"),
        "{status_line}"
    );
    assert!(server.issued_tokens().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_nothing_and_the_server_sees_no_write() {
    let server = StandIn::start(objects::demo_lab()).await;
    let (_connection, mut state) = open_pod(&server).await;
    state.set_capabilities(Capabilities {
        read_only: true,
        ..CAPS
    });
    for kind in [
        ActionKind::MintToken,
        ActionKind::ReadMountedToken,
        ActionKind::TestWebIdentity,
    ] {
        assert!(state.update(Action::Live(kind)).is_empty());
        assert!(state.update(Action::Input('y')).is_empty());
    }
    let frame = screen(&state);
    assert!(frame.contains("read-only"), "header badge: {frame}");
    assert!(frame.contains("disabled by --read-only"), "{frame}");
    assert_eq!(server.writes(), 0, "{:?}", server.methods());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_and_snapshot_sources_answer_that_they_cannot_act() {
    let loader: irsa_inspector::sources::Loader = Arc::new(|| Err("unused".to_owned()));
    let source = LoaderSource {
        loader,
        read_only: false,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    source.request(
        SourceRequest {
            id: 7,
            kind: RequestKind::ReadMountedToken(irsa_inspector::messages::ReadRequest {
                namespace: "demo".into(),
                pod: "p".into(),
                container: None,
                path: "/t".into(),
            }),
        },
        &tx,
    );
    match rx.recv().await {
        Some(SourceEvent::ActionResult { id: 7, outcome }) => match *outcome {
            ActionOutcome::Unavailable(why) => {
                assert!(why.contains("not available for this source"), "{why}");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

/// "Test it for real" with moto standing in for STS (moto accepts any token, so this is the
/// success path): the token is minted by the stand-in API server for the pod's ServiceAccount,
/// presented to AssumeRoleWithWebIdentity for the pod's AWS_ROLE_ARN, and the drill-down shows
/// AWS's answer — the AssumedRoleUser — next to the analysis's prediction; neither the token nor
/// any credential reaches the screen or the event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn testing_for_real_shows_aws_answer_next_to_the_prediction() {
    use irsa_inspector::sources::aws::{AwsClients, AwsOptions, AwsSource};
    let moto = support::moto::moto().await;
    let config = support::moto::sdk_config(&moto.endpoint, None).await;
    support::seed::seed_demo_lab(&config).await;
    let aws = AwsSource::new(AwsClients::new(&config), AwsOptions::default());
    let server = StandIn::start(objects::demo_lab()).await;
    let (connection, mut state) = open_pod(&server).await;
    state.set_capabilities(Capabilities { aws: true, ..CAPS });
    let request = confirm(&mut state, ActionKind::TestWebIdentity);
    let RequestKind::TestWebIdentity { role_arn, mint, .. } = &request.kind else {
        panic!("{request:?}");
    };
    assert!(
        role_arn.starts_with("arn:aws:iam::123456789012:role/"),
        "{role_arn}"
    );
    assert_eq!(mint.audience.as_deref(), Some("sts.amazonaws.com"));
    let outcome = token::run_request(&connection.client, Some(&aws), &request.kind).await;
    let event = SourceEvent::ActionResult {
        id: request.id,
        outcome: Box::new(outcome),
    };
    let debug = format!("{event:?}");
    state.apply(event);
    let frame = screen(&state);
    assert!(
        frame.contains("AWS answer to AssumeRoleWithWebIdentity"),
        "{frame}"
    );
    assert!(
        frame.contains("success: AssumedRoleUser arn:aws:sts::123456789012:assumed-role/"),
        "{frame}"
    );
    assert!(
        frame.contains("(credentials disc"),
        "wrapped at 160 columns: {frame}"
    );
    assert!(frame.contains("analysis predicted"), "{frame}");
    for text in [&debug, &frame] {
        assert!(!text.contains("SessionToken") && !text.contains("SecretAccessKey"));
    }
    assert_no_token(&server, &[&debug, &frame, &format!("{state:?}")]);
}
