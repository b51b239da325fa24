//! Snapshot tests of the terminal UI: every pane in the ready, empty, filtered and error
//! states, the drill-downs and the help overlay, at 80×24 and 160×48, drawn into ratatui's
//! `TestBackend` with a fixed clock. Plus cell-style checks where colour carries meaning.

use irsa_core::dataset::Dataset;
use irsa_core::fixtures;
use irsa_inspector::action::Action;
use irsa_inspector::action::Pane;
use irsa_inspector::messages::{DataOrigin, SourceEvent};
use irsa_inspector::state::State;
use irsa_inspector::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn state_with(data: Option<Dataset>, w: u16, h: u16, color: bool) -> State {
    let mut s = State::new(DataOrigin::Demo, fixtures::NOW, color, w, h);
    if let Some(d) = data {
        s.apply(SourceEvent::Loaded(Box::new(d)));
    }
    s
}

fn buffer(state: &State) -> Buffer {
    let (w, h) = state.size();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| ui::draw(f, state)).expect("draw");
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buf.cell((x, y)).map_or(" ", |c| c.symbol()))
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn screen(state: &State) -> String {
    text(&buffer(state))
}

fn type_text(s: &mut State, t: &str) {
    for c in t.chars() {
        s.update(Action::Input(c));
    }
}

fn pane_name(p: Pane) -> &'static str {
    match p {
        Pane::ServiceAccounts => "sa",
        Pane::Pods => "pods",
        Pane::Roles => "roles",
        Pane::Nodes => "nodes",
        Pane::Findings => "findings",
    }
}

/// A filter that keeps some rows of each pane.
fn filter_for(p: Pane) -> &'static str {
    match p {
        Pane::ServiceAccounts | Pane::Pods => "demo",
        Pane::Roles => "s3",
        Pane::Nodes => "ip-10",
        Pane::Findings => "~irsa",
    }
}

#[test]
fn panes_in_every_state_and_size() {
    for (w, h) in SIZES {
        for pane in Pane::ALL {
            let name = |state: &str| format!("{}_{state}_{w}x{h}", pane_name(pane));

            let mut ready = state_with(Some(fixtures::lab()), w, h, true);
            ready.update(Action::ShowPane(pane));
            insta::assert_snapshot!(name("ready"), screen(&ready));

            let mut empty = state_with(Some(fixtures::empty()), w, h, true);
            empty.update(Action::ShowPane(pane));
            insta::assert_snapshot!(name("empty"), screen(&empty));

            let mut filtered = state_with(Some(fixtures::lab()), w, h, true);
            filtered.update(Action::ShowPane(pane));
            filtered.update(Action::BeginFilter);
            type_text(&mut filtered, filter_for(pane));
            insta::assert_snapshot!(name("filtered"), screen(&filtered));

            let mut error = state_with(None, w, h, true);
            error.apply(SourceEvent::Failed {
                message: "snapshot folder ./snap has no serviceaccounts.json".into(),
            });
            error.update(Action::ShowPane(pane));
            insta::assert_snapshot!(name("error"), screen(&error));

            let mut unknown = state_with(Some(fixtures::lab_without_aws()), w, h, true);
            unknown.update(Action::ShowPane(pane));
            insta::assert_snapshot!(name("aws_unknown"), screen(&unknown));
        }
    }
}

#[test]
fn filtered_to_nothing_says_so() {
    let mut s = state_with(Some(fixtures::lab()), 80, 24, true);
    s.update(Action::BeginFilter);
    type_text(&mut s, "no-such-thing");
    let out = screen(&s);
    assert!(
        out.contains("No row matches the filter \"no-such-thing\""),
        "{out}"
    );
}

#[test]
fn loading_says_what_it_waits_for() {
    let s = state_with(None, 80, 24, true);
    let out = screen(&s);
    assert!(out.contains("Loading demo"), "{out}");
}

#[test]
fn drill_downs_in_both_sizes() {
    let opens: [(&str, Pane, &str); 5] = [
        ("trust_demo2", Pane::ServiceAccounts, "demo2/s3-reader"),
        ("pod_identity_demo", Pane::Pods, "demo/s3-test"),
        ("role_policies", Pane::Roles, "demo-s3-reader"),
        ("node", Pane::Nodes, "ip-10-0-2-20"),
        ("finding_cluster", Pane::Findings, "pod010"),
    ];
    for (w, h) in SIZES {
        for (name, pane, filter) in opens {
            let mut s = state_with(Some(fixtures::lab()), w, h, true);
            s.update(Action::ShowPane(pane));
            s.update(Action::BeginFilter);
            type_text(&mut s, filter);
            s.update(Action::InputSubmit);
            s.update(Action::Open);
            assert!(s.drill().is_some(), "{name}: no drill-down opened");
            insta::assert_snapshot!(format!("drill_{name}_{w}x{h}"), screen(&s));
        }
    }
}

#[test]
fn trust_view_of_demo2_shows_expected_and_actual_sub_on_screen() {
    let mut s = state_with(Some(fixtures::lab()), 160, 48, true);
    s.update(Action::BeginFilter);
    type_text(&mut s, "demo2");
    s.update(Action::InputSubmit);
    s.update(Action::Open);
    let out = screen(&s);
    assert!(
        out.contains("expected system:serviceaccount:demo:s3-reader"),
        "{out}"
    );
    assert!(
        out.contains("actual   system:serviceaccount:demo2:s3-reader"),
        "{out}"
    );
}

#[test]
fn help_overlay_lists_the_keys() {
    for (w, h) in SIZES {
        let mut s = state_with(Some(fixtures::lab()), w, h, true);
        s.update(Action::ToggleHelp);
        let out = screen(&s);
        for b in irsa_inspector::keymap::BINDINGS {
            assert!(
                out.contains(b.label),
                "{} missing from help at {w}x{h}",
                b.label
            );
        }
        insta::assert_snapshot!(format!("help_{w}x{h}"), out);
    }
}

#[test]
fn colours_carry_meaning_and_no_color_keeps_the_badges() {
    let find = |buf: &Buffer, word: &str| -> Option<(u16, u16)> {
        let t = text(buf);
        t.lines().enumerate().find_map(|(y, line)| {
            line.find(word).map(|byte| {
                let x = line[..byte].chars().count();
                (u16::try_from(x).unwrap_or(0), u16::try_from(y).unwrap_or(0))
            })
        })
    };
    let s = state_with(Some(fixtures::lab()), 80, 24, true);
    let buf = buffer(&s);
    let fail = find(&buf, "FAIL IRSA003").expect("FAIL badge on screen");
    assert_eq!(buf.cell(fail).map(|c| c.fg), Some(Color::Red));
    let ok = find(&buf, " OK ")
        .map(|(x, y)| (x + 1, y))
        .expect("OK badge on screen");
    assert_eq!(buf.cell(ok).map(|c| c.fg), Some(Color::Green));

    let plain = state_with(Some(fixtures::lab()), 80, 24, false);
    let buf = buffer(&plain);
    assert_eq!(text(&buf), screen(&s), "NO_COLOR shows the same text");
    let coloured = buf
        .content
        .iter()
        .any(|c| c.fg != Color::Reset || c.bg != Color::Reset);
    assert!(!coloured, "NO_COLOR draws no colour at all");
}

#[test]
fn a_failed_reload_stays_on_the_status_line_over_the_old_data() {
    let mut s = state_with(Some(fixtures::lab()), 80, 24, true);
    s.apply(SourceEvent::Failed {
        message: "iam:GetAccountAuthorizationDetails throttled".into(),
    });
    s.update(Action::Down);
    let out = screen(&s);
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("ERROR reload failed"), "{out}");
    assert!(
        out.contains("ServiceAccounts (8)"),
        "old data still shown:\n{out}"
    );
}

/// A token as the API server mints it for demo2/s3-reader, bound to the pod, with a
/// signature that must appear in no snapshot.
fn minted_token() -> irsa_core::analysis::token::DecodedToken {
    use base64::Engine as _;
    let part = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let now = fixtures::NOW.as_second();
    let raw = format!(
        "{}.{}.U0lHTkFUVVJFLU1VU1QtTk9ULUFQUEVBUg",
        part(serde_json::json!({"alg": "RS256", "kid": "lab-key"})),
        part(serde_json::json!({
            "iss": "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC",
            "sub": "system:serviceaccount:demo2:s3-reader", "aud": ["sts.amazonaws.com"],
            "iat": now - 60, "exp": now + 540,
            "kubernetes.io": {"namespace": "demo2",
                "serviceaccount": {"name": "s3-reader", "uid": "sa-uid-1"},
                "pod": {"name": "s3-test", "uid": "pod-uid-1"}}
        }))
    );
    irsa_core::analysis::token::decode(&raw).expect("decodes")
}

#[test]
fn live_action_answers_in_the_pod_drill_down() {
    use irsa_inspector::action::ActionKind;
    use irsa_inspector::messages::ActionOutcome;
    use irsa_inspector::messages::Capabilities;
    use irsa_inspector::messages::WebIdentityAnswer;
    use irsa_inspector::side_effect::SideEffect;
    let caps = Capabilities {
        live_actions: true,
        aws: true,
        read_only: false,
        contexts: true,
    };
    for (name, read_only) in [("live_actions", false), ("live_read_only", true)] {
        let mut s = State::new(DataOrigin::Live("lab".into()), fixtures::NOW, true, 160, 48);
        s.set_capabilities(Capabilities { read_only, ..caps });
        let mut data = fixtures::lab();
        data.inventory.context = Some("lab".into());
        s.apply(SourceEvent::Loaded(Box::new(data)));
        s.update(Action::ShowPane(Pane::Pods));
        s.update(Action::BeginFilter);
        type_text(&mut s, "demo2/s3-test");
        s.update(Action::InputSubmit);
        s.update(Action::Open);
        if !read_only {
            for (kind, outcome) in [
                (ActionKind::MintToken, ActionOutcome::Token(minted_token())),
                (
                    ActionKind::TestWebIdentity,
                    ActionOutcome::WebIdentity {
                        token: minted_token(),
                        answer: WebIdentityAnswer::Rejected {
                            code: "AccessDenied".into(),
                            message: "Not authorized to perform sts:AssumeRoleWithWebIdentity"
                                .into(),
                        },
                    },
                ),
            ] {
                s.update(Action::Live(kind));
                let Some(SideEffect::Request(r)) = s.update(Action::Input('y')).into_iter().next()
                else {
                    panic!("no request");
                };
                s.apply(SourceEvent::ActionResult {
                    id: r.id,
                    outcome: Box::new(outcome),
                });
            }
        } else {
            s.update(Action::Live(ActionKind::MintToken));
        }
        let out = screen(&s);
        assert!(!out.contains("U0lHTkFUVVJF"), "the signature leaked");
        insta::assert_snapshot!(format!("drill_pod_{name}_160x48"), out);
    }
}

/// The embedded demo lab, analysed as of its capture time: the UI on the real analysis.
fn demo_state(w: u16, h: u16) -> State {
    let inv = irsa_core::snapshot::load_demo().expect("demo loads");
    let now = inv.captured_at.expect("demo has a capture time");
    state_with(Some(Dataset::analyse(inv, now, now)), w, h, true)
}

fn open(s: &mut State, pane: Pane, filter: &str) {
    s.update(Action::ShowPane(pane));
    s.update(Action::BeginFilter);
    type_text(s, filter);
    s.update(Action::InputSubmit);
    s.update(Action::Open);
}

fn drill_text(s: &State) -> String {
    s.drill()
        .map(|d| {
            d.lines
                .iter()
                .map(|l| l.text())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn can_in_a_pod_view_shows_the_answer_and_back_returns_to_the_pod() {
    let mut s = demo_state(160, 48);
    open(&mut s, Pane::Pods, "s3-test");
    assert!(drill_text(&s).contains("Credential chain"), "pod view open");
    s.update(Action::BeginCan);
    type_text(&mut s, "s3:GetObject arn:aws:s3:::my-app-bucket/x");
    s.update(Action::InputSubmit);
    let text = drill_text(&s);
    assert!(text.contains("Decision  ALLOW"), "{text}");
    assert!(text.contains("▶ statement 1: Allow applies"), "{text}");
    assert!(
        text.contains("permissions boundary irsa-lab-workload-boundary"),
        "{text}"
    );
    // The demo's SCPs and bucket policy are part of the answer; the bucket policy's TLS
    // condition depends on a key only known when the call is made.
    assert!(
        text.contains("SCP at OU ou-a1b2-workloads protect-buckets"),
        "{text}"
    );
    assert!(
        text.contains("resource policy arn:aws:s3:::my-app-bucket"),
        "{text}"
    );
    assert!(text.contains("aws:SecureTransport"), "{text}");
    insta::assert_snapshot!("can_i_demo_s3_test_160x48", screen(&s));
    s.update(Action::Back);
    assert!(
        drill_text(&s).contains("Credential chain"),
        "back in the pod view"
    );
}

#[test]
fn can_in_a_service_account_view_of_demo2_says_it_never_gets_the_role() {
    let mut s = demo_state(160, 48);
    open(&mut s, Pane::ServiceAccounts, "demo2/s3-reader");
    s.update(Action::BeginCommand);
    type_text(&mut s, "can s3:GetObject arn:aws:s3:::my-app-bucket/x");
    s.update(Action::InputSubmit);
    let text = drill_text(&s);
    assert!(text.contains("Decision  NO CREDENTIALS"), "{text}");
    assert!(text.contains("never obtains"), "{text}");
    assert!(text.contains("IRSA003"), "{text}");
}

#[test]
fn can_without_a_pod_or_service_account_view_says_what_to_open() {
    let mut s = demo_state(120, 40);
    s.update(Action::BeginCommand);
    type_text(&mut s, "can s3:GetObject arn:aws:s3:::my-app-bucket/x");
    s.update(Action::InputSubmit);
    assert!(s.drill().is_none());
    assert!(
        screen(&s).contains(":can asks about a pod or ServiceAccount"),
        "{}",
        screen(&s)
    );
}

#[test]
fn the_node_role_fallback_pod_view_shows_what_the_node_role_allows() {
    let mut s = demo_state(160, 48);
    open(&mut s, Pane::Pods, "node-role-fallback");
    let text = drill_text(&s);
    assert!(
        text.contains("What the node role lets this pod do"),
        "{text}"
    );
    assert!(
        text.contains("s3:PutObject on arn:aws:s3:::irsa-lab-legacy-reports"),
        "{text}"
    );
    assert!(text.contains("WRITE"), "{text}");
}

#[test]
fn a_role_view_shows_its_effective_permissions_and_what_the_boundary_removes() {
    let mut s = demo_state(160, 48);
    open(&mut s, Pane::Roles, "broken-admin-access");
    let text = drill_text(&s);
    assert!(
        text.contains("Effective permissions — boundary irsa-lab-workload-boundary"),
        "{text}"
    );
    assert!(text.contains("* on * WILDCARD PASSROLE ASSUMEROLE WRITE  narrowed by the boundary  [AdministratorAccess]"), "{text}");
    insta::assert_snapshot!("role_effective_permissions_admin_160x48", screen(&s));
}

#[test]
fn a_pod_identity_service_account_view_shows_what_its_session_policy_leaves() {
    let mut s = demo_state(160, 48);
    open(&mut s, Pane::ServiceAccounts, "reports/exporter");
    let text = drill_text(&s);
    assert!(
        text.contains("What its sessions may do (role ∩ session policy) — boundary irsa-lab-workload-boundary, session policy of association"),
        "{text}"
    );
    let line = |action: &str| {
        text.lines()
            .find(|l| l.contains(action) && l.contains("by the session policy"))
            .unwrap_or_else(|| panic!("{action} in:\n{text}"))
            .to_owned()
    };
    assert!(line("s3:PutObject").contains("removed by the session policy"));
    assert!(line("s3:GetObject").contains("narrowed by the session policy"));
    insta::assert_snapshot!("service_account_session_policy_160x48", screen(&s));
}

#[test]
fn err_with_a_pasted_denial_opens_the_pods_can_answer_and_a_trust_error_the_service_account() {
    let mut s = demo_state(160, 48);
    s.update(Action::BeginCommand);
    type_text(&mut s, "err ");
    // Bracketed paste: one event, with the newline and tab a log copy carries.
    s.update(Action::Paste(
        "An error occurred (AccessDenied) when calling the PutObject operation:\n\tUser: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1 is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::my-app-bucket/x\" because no identity-based policy allows the s3:PutObject action".to_owned(),
    ));
    s.update(Action::InputSubmit);
    let drill = s.drill().expect("a view opened");
    assert_eq!(
        drill.title,
        "can s3:PutObject on arn:aws:s3:::my-app-bucket/x?"
    );
    let text = drill_text(&s);
    assert!(text.contains("demo/s3-test"), "{text}");
    assert!(text.contains("IMPLICIT DENY"), "{text}");
    let status = s.status().map(|m| m.text.clone()).unwrap_or_default();
    assert!(status.contains("1 of 2 candidates"), "{status}");

    let mut s = demo_state(160, 48);
    s.update(Action::BeginCommand);
    type_text(
        &mut s,
        "err An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
    );
    s.update(Action::InputSubmit);
    assert_eq!(
        s.drill().map(|d| d.title.clone()).as_deref(),
        Some("ServiceAccount demo2/s3-reader — trust")
    );

    let mut s = demo_state(160, 48);
    s.update(Action::BeginCommand);
    type_text(&mut s, "err hello world");
    s.update(Action::InputSubmit);
    assert!(s.drill().is_none());
    let status = s.status().map(|m| m.text.clone()).unwrap_or_default();
    assert!(status.starts_with("not recognised"), "{status}");
}

#[test]
fn the_roles_pane_flags_roles_that_can_pass_roles_or_do_everything() {
    let mut s = demo_state(160, 48);
    s.update(Action::ShowPane(Pane::Roles));
    s.update(Action::BeginFilter);
    type_text(&mut s, "broken-admin-access");
    s.update(Action::InputSubmit);
    let text = screen(&s);
    // AdministratorAccess under the workload boundary: narrowed, so not ADMIN, but iam:PassRole
    // stays within the boundary's iam:PassRole grant.
    let row = text
        .lines()
        .find(|l| l.contains("eks-irsa-lab-broken-admin-access-role"))
        .unwrap_or_else(|| panic!("role row on screen:\n{text}"));
    assert!(row.contains("PASSROLE"), "{row}");
    assert!(!row.contains("ADMIN"), "{row}");
    // A role without a boundary keeps AdministratorAccess whole.
    let mut data = irsa_core::snapshot::load_demo().expect("demo loads");
    for role in data.roles.iter_mut().flatten() {
        if role.name == "eks-irsa-lab-broken-admin-access-role" {
            role.permissions_boundary = None;
            role.permissions_boundary_document = None;
        }
    }
    let now = data.captured_at.expect("capture time");
    let mut s = state_with(Some(Dataset::analyse(data, now, now)), 160, 48, true);
    s.update(Action::ShowPane(Pane::Roles));
    s.update(Action::BeginFilter);
    type_text(&mut s, "broken-admin-access");
    s.update(Action::InputSubmit);
    let text = screen(&s);
    let row = text
        .lines()
        .find(|l| l.contains("eks-irsa-lab-broken-admin-access-role"))
        .unwrap_or_else(|| panic!("role row on screen:\n{text}"));
    assert!(row.contains("ADMIN PASSROLE"), "{row}");
}
