//! Test module: compiled only under `#[cfg(test)]` (declared so in its parent).
//! Behaviour of the state store: actions and source events in, state and effects out.

use super::*;
use crate::action::Action;
use crate::action::InputMode;
use crate::action::Pane;
use crate::messages::{DataOrigin, SourceEvent};
use crate::side_effect::SideEffect;
use crate::tone::Tone;
use irsa_core::fixtures::{self, NOW};

fn ready() -> State {
    let mut s = State::new(DataOrigin::Demo, NOW, true, 80, 24);
    s.apply(SourceEvent::Loaded(Box::new(fixtures::lab())));
    s
}

fn selected_sa(s: &State) -> Option<String> {
    s.tables()
        .service_accounts
        .selected()
        .map(|r| r.key.clone())
}

fn sa_keys(s: &State) -> Vec<String> {
    s.tables()
        .service_accounts
        .window(100)
        .map(|(_, r)| r.key.clone())
        .collect()
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        s.update(Action::Input(c));
    }
}

#[test]
fn loading_then_ready_derives_rows_worst_first() {
    let mut s = State::new(DataOrigin::Demo, NOW, true, 80, 24);
    assert_eq!(s.load(), &LoadState::Loading);
    s.apply(SourceEvent::Loaded(Box::new(fixtures::lab())));
    assert_eq!(s.load(), &LoadState::Ready);
    let keys = sa_keys(&s);
    assert_eq!(keys.first().map(String::as_str), Some("demo2/s3-reader"));
    assert_eq!(keys.len(), 8);
    assert_eq!(selected_sa(&s).as_deref(), Some("demo2/s3-reader"));
}

#[test]
fn a_failed_first_load_is_shown_and_a_failed_reload_keeps_the_data() {
    let mut s = State::new(DataOrigin::Snapshot("x".into()), NOW, true, 80, 24);
    s.apply(SourceEvent::Failed {
        message: "no such folder".into(),
    });
    assert_eq!(s.load(), &LoadState::Failed("no such folder".into()));
    let mut s = ready();
    s.apply(SourceEvent::Failed {
        message: "timeout".into(),
    });
    assert_eq!(s.load(), &LoadState::Ready);
    s.update(Action::Down);
    assert_eq!(
        s.reload_error(),
        Some("timeout"),
        "stays visible after a key"
    );
    s.apply(SourceEvent::Loaded(Box::new(fixtures::lab())));
    assert_eq!(s.reload_error(), None, "cleared by fresh data");
}

#[test]
fn selection_survives_new_data() {
    let mut s = ready();
    s.update(Action::Down);
    s.update(Action::Down);
    let before = selected_sa(&s);
    let mut data = fixtures::lab();
    data.report.bindings.reverse();
    s.apply(SourceEvent::Loaded(Box::new(data)));
    assert_eq!(selected_sa(&s), before);
}

#[test]
fn filter_is_live_and_escape_clears_it() {
    let mut s = ready();
    s.update(Action::BeginFilter);
    assert_eq!(s.mode(), InputMode::Filter);
    type_text(&mut s, "kube");
    assert_eq!(sa_keys(&s).len(), 2, "live while typing");
    s.update(Action::InputSubmit);
    assert_eq!(s.mode(), InputMode::Normal);
    assert_eq!(sa_keys(&s).len(), 2, "kept after Enter");
    s.update(Action::Back);
    assert_eq!(sa_keys(&s).len(), 8, "Esc clears");
}

#[test]
fn fuzzy_filter_with_a_tilde() {
    let mut s = ready();
    s.update(Action::BeginFilter);
    type_text(&mut s, "~albctrl");
    assert_eq!(sa_keys(&s), ["kube-system/aws-load-balancer-controller"]);
    s.update(Action::InputCancel);
    assert_eq!(sa_keys(&s).len(), 8);
}

#[test]
fn filters_are_per_pane() {
    let mut s = ready();
    s.update(Action::BeginFilter);
    type_text(&mut s, "demo2");
    s.update(Action::InputSubmit);
    s.update(Action::ShowPane(Pane::Pods));
    assert!(s.filter().is_empty());
    assert_eq!(s.tables().pods.len(), 5);
}

#[test]
fn command_bar_switches_panes_sets_namespace_and_quits() {
    let mut s = ready();
    s.update(Action::BeginCommand);
    type_text(&mut s, "pods");
    s.update(Action::InputSubmit);
    assert_eq!(s.pane(), Pane::Pods);
    s.update(Action::BeginCommand);
    type_text(&mut s, "ns demo2");
    s.update(Action::InputSubmit);
    assert_eq!(s.namespace(), Some("demo2"));
    assert_eq!(s.tables().pods.len(), 1);
    assert_eq!(s.tables().nodes.len(), 3, "cluster-scoped rows stay");
    s.update(Action::BeginCommand);
    type_text(&mut s, "bogus");
    s.update(Action::InputSubmit);
    assert_eq!(s.status().map(|m| m.tone), Some(Tone::Bad));
    s.update(Action::BeginCommand);
    type_text(&mut s, "q");
    assert_eq!(s.update(Action::InputSubmit), vec![SideEffect::Quit]);
}

#[test]
fn q_quits_but_typing_q_in_the_filter_does_not() {
    let mut s = ready();
    assert_eq!(s.update(Action::Quit), vec![SideEffect::Quit]);
    s.update(Action::BeginFilter);
    assert!(s.update(Action::Input('q')).is_empty());
}

#[test]
fn sort_cycles_and_keeps_the_selection() {
    let mut s = ready();
    s.update(Action::Bottom);
    let before = selected_sa(&s);
    assert_eq!(s.tables().service_accounts.sort_label(), "worst first");
    s.update(Action::CycleSort);
    assert_eq!(s.tables().service_accounts.sort_label(), "name");
    assert_eq!(selected_sa(&s), before);
    assert_eq!(sa_keys(&s).first().map(String::as_str), Some("data/reader"));
}

#[test]
fn enter_opens_the_trust_view_and_escape_returns_to_the_same_row() {
    let mut s = ready();
    s.update(Action::Down);
    let row = selected_sa(&s);
    s.update(Action::Open);
    let drill = s.drill().expect("drill open");
    assert!(matches!(drill.target, DrillTarget::ServiceAccount { .. }));
    s.update(Action::Down);
    s.update(Action::Back);
    assert!(s.drill().is_none());
    assert_eq!(selected_sa(&s), row);
}

#[test]
fn trust_view_shows_expected_and_actual_sub_for_demo2() {
    let mut s = ready();
    s.update(Action::Open);
    let text: Vec<String> = s
        .drill()
        .map(|d| d.lines.iter().map(DrillLine::text).collect())
        .unwrap_or_default();
    let all = text.join("\n");
    assert!(
        all.contains("system:serviceaccount:demo:s3-reader"),
        "{all}"
    );
    assert!(
        all.contains("system:serviceaccount:demo2:s3-reader"),
        "{all}"
    );
    assert!(all.contains("first break"), "{all}");
    assert!(all.contains("DENY"), "{all}");
}

#[test]
fn y_copies_the_role_arn_or_the_fix_and_says_so() {
    let mut s = ready();
    s.update(Action::ShowPane(Pane::Roles));
    let effects = s.update(Action::Copy);
    let Some(SideEffect::Copy(text)) = effects.first() else {
        panic!("expected a copy effect, got {effects:?}");
    };
    assert!(text.starts_with("arn:aws:iam::"));
    assert!(s.status().is_some_and(|m| m.text.contains(text.as_str())));
    s.update(Action::ShowPane(Pane::ServiceAccounts));
    s.update(Action::Open);
    let effects = s.update(Action::Copy);
    assert!(
        matches!(effects.first(), Some(SideEffect::Copy(t)) if t.starts_with("aws iam update-assume-role-policy"))
    );
}

#[test]
fn nothing_to_copy_is_said_not_silently_ignored() {
    let mut s = ready();
    s.update(Action::ShowPane(Pane::Pods));
    s.update(Action::BeginFilter);
    type_text(&mut s, "demo/s3-test");
    s.update(Action::InputSubmit);
    assert_eq!(s.tables().pods.len(), 1);
    assert!(s.update(Action::Copy).is_empty());
    assert!(
        s.status()
            .is_some_and(|m| m.text.contains("nothing to copy"))
    );
    s.update(Action::Back);
    s.update(Action::Top);
    let effects = s.update(Action::Copy);
    assert!(
        matches!(effects.first(), Some(SideEffect::Copy(_))),
        "the failing pod has a fix"
    );
}

#[test]
fn enter_on_a_finding_jumps_to_its_subject() {
    let mut s = ready();
    s.update(Action::ShowPane(Pane::Findings));
    s.update(Action::Open);
    assert_eq!(s.pane(), Pane::ServiceAccounts);
    assert_eq!(selected_sa(&s).as_deref(), Some("demo2/s3-reader"));
}

#[test]
fn enter_on_a_cluster_finding_opens_its_detail() {
    let mut s = ready();
    s.update(Action::ShowPane(Pane::Findings));
    s.update(Action::Bottom);
    s.update(Action::Open);
    assert_eq!(s.pane(), Pane::Findings);
    assert!(matches!(
        s.drill().map(|d| &d.target),
        Some(DrillTarget::Finding { .. })
    ));
}

#[test]
fn enter_on_a_node_finding_jumps_to_the_node_under_any_namespace() {
    let mut s = ready();
    s.update(Action::BeginCommand);
    type_text(&mut s, "ns demo");
    s.update(Action::InputSubmit);
    s.update(Action::ShowPane(Pane::Findings));
    s.update(Action::Top);
    s.update(Action::Open);
    assert_eq!(s.pane(), Pane::Nodes);
    assert_eq!(
        s.tables().nodes.selected().map(|r| r.name.as_str()),
        Some("ip-10-0-2-20.eu-west-1.compute.internal")
    );
}

#[test]
fn paging_moves_by_a_screen_and_g_jumps_to_the_ends() {
    let mut s = State::new(DataOrigin::Demo, NOW, true, 80, 24);
    s.apply(SourceEvent::Loaded(Box::new(fixtures::generated(100, 0))));
    let page = s.page_height();
    s.update(Action::PageDown);
    assert_eq!(s.tables().service_accounts.cursor(), page);
    s.update(Action::Bottom);
    assert_eq!(s.tables().service_accounts.cursor(), 99);
    s.update(Action::Top);
    assert_eq!(s.tables().service_accounts.cursor(), 0);
    s.update(Action::Resize {
        width: 80,
        height: 10,
    });
    assert!(s.page_height() < page);
}

#[test]
fn help_opens_and_closes_and_swallows_other_keys() {
    let mut s = ready();
    s.update(Action::ToggleHelp);
    assert!(s.help());
    s.update(Action::Down);
    assert_eq!(s.tables().service_accounts.cursor(), 0);
    s.update(Action::Back);
    assert!(!s.help());
}

#[test]
fn every_pane_opens_a_drill_down() {
    for pane in Pane::ALL {
        let mut s = ready();
        s.update(Action::ShowPane(pane));
        s.update(Action::Open);
        assert!(s.drill().is_some() || s.pane() != pane, "{pane:?}");
    }
}

#[test]
fn an_open_drill_down_is_rebuilt_when_data_changes() {
    let mut s = ready();
    s.update(Action::Open);
    let mut data = fixtures::lab();
    for sa in data.inventory.service_accounts.iter_mut() {
        if &*sa.namespace == "demo2" {
            sa.annotations.clear();
        }
    }
    s.apply(SourceEvent::Loaded(Box::new(data)));
    let all: String = s
        .drill()
        .map(|d| {
            d.lines
                .iter()
                .map(DrillLine::text)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    assert!(!all.contains("first break"), "{all}");
    assert!(all.contains("IRSA is not configured"), "{all}");
}

#[test]
fn prepared_rows_are_used_as_derived_off_the_ui_thread() {
    let mut inline = State::new(DataOrigin::Demo, NOW, true, 80, 24);
    inline.apply(SourceEvent::Loaded(Box::new(fixtures::lab())));
    let mut prepared = State::new(DataOrigin::Demo, NOW, true, 80, 24);
    prepared.apply(SourceEvent::Prepared(Box::new(
        crate::messages::Prepared::new(fixtures::lab()),
    )));
    assert_eq!(sa_keys(&prepared), sa_keys(&inline));
    assert_eq!(
        prepared.tables().findings.len(),
        inline.tables().findings.len()
    );
    assert_eq!(prepared.load(), &LoadState::Ready);
}

#[test]
fn drill_down_lines_are_rewrapped_to_the_terminal_width_on_resize() {
    let mut s = State::new(DataOrigin::Demo, NOW, true, 160, 48);
    s.apply(SourceEvent::Loaded(Box::new(fixtures::lab())));
    s.update(Action::Open);
    let wide = s.drill().map_or(0, |d| d.lines.len());
    s.update(Action::Resize {
        width: 80,
        height: 24,
    });
    let drill = s.drill().expect("still open after resize");
    assert!(drill.lines.len() > wide, "narrow wraps into more rows");
    assert!(drill.lines.iter().all(|l| l.text().chars().count() <= 78));
}

#[test]
fn backspace_past_the_start_leaves_the_input_bars() {
    let mut s = ready();
    s.update(Action::BeginFilter);
    type_text(&mut s, "ab");
    s.update(Action::InputBackspace);
    s.update(Action::InputBackspace);
    assert_eq!(s.mode(), InputMode::Filter, "still typing after erasing");
    s.update(Action::InputBackspace);
    assert_eq!(s.mode(), InputMode::Normal);
    s.update(Action::BeginCommand);
    s.update(Action::InputBackspace);
    assert_eq!(s.mode(), InputMode::Normal);
}
