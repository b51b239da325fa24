//! `State::update`: one user action in, state changed, effects out.

use super::command::{self, Command};
use super::{DrillTarget, Filter, State, StatusMessage, layout, live};
use crate::action::Action;
use crate::action::{InputMode, Pane};
use crate::messages::DataOrigin;
use crate::messages::{ResourceStatus, Watched};
use crate::side_effect::SideEffect;
use crate::tone::Tone;
use irsa_core::model::SubjectKind;

pub(super) fn update(state: &mut State, action: Action) -> Vec<SideEffect> {
    match action {
        Action::Tick(now) => {
            state.now = now;
            return Vec::new();
        }
        Action::Resize { width, height } => {
            state.width = width;
            state.height = height;
            let h = state.page_height();
            for pane in Pane::ALL {
                state.tables.pane_mut(pane).fit(h);
            }
            if let Some(target) = state.drill.as_ref().map(|d| d.target.clone()) {
                state.open_drill(target);
            }
            return Vec::new();
        }
        Action::Quit => return vec![SideEffect::Quit],
        _ => {}
    }
    if state.help {
        if matches!(action, Action::ToggleHelp | Action::Back) {
            state.help = false;
        }
        return Vec::new();
    }
    match state.mode {
        InputMode::Filter => filter_input(state, action),
        InputMode::Command => command_input(state, action),
        InputMode::Confirm => confirm_input(state, action),
        InputMode::Normal => normal(state, action),
    }
}

/// The y/n question of a live action: only `y` creates; `n`, Esc, Enter or any other key
/// cancels.
fn confirm_input(state: &mut State, action: Action) -> Vec<SideEffect> {
    match action {
        Action::Input('y' | 'Y') => live::answer(state, true),
        Action::Input(_) | Action::InputCancel | Action::InputSubmit | Action::InputBackspace => {
            live::answer(state, false)
        }
        _ => Vec::new(),
    }
}

fn filter_input(state: &mut State, action: Action) -> Vec<SideEffect> {
    match action {
        Action::Input(c) => {
            state.input.push(c);
            apply_filter(state);
        }
        Action::Paste(text) => {
            paste_into(&mut state.input, &text);
            apply_filter(state);
        }
        // Backspace on an empty filter leaves the filter bar, as in the command bar.
        Action::InputBackspace if state.input.is_empty() => state.mode = InputMode::Normal,
        Action::InputBackspace => {
            state.input.pop();
            apply_filter(state);
        }
        Action::InputSubmit => state.mode = InputMode::Normal,
        Action::InputCancel => {
            state.input.clear();
            apply_filter(state);
            state.mode = InputMode::Normal;
        }
        Action::Up | Action::Down => return normal(state, action),
        _ => {}
    }
    Vec::new()
}

fn apply_filter(state: &mut State) {
    let filter = Filter::parse(&state.input);
    let (pane, ns, h) = (state.pane, state.namespace.clone(), state.page_height());
    state
        .tables
        .pane_mut(pane)
        .set_filter(filter, ns.as_deref(), h);
}

/// Pasted text for an input bar: one line (newlines and control characters become spaces),
/// at most [`MAX_PASTE`] bytes.
fn paste_into(input: &mut String, text: &str) {
    for c in text.chars() {
        if input.len() + c.len_utf8() > MAX_PASTE {
            break;
        }
        input.push(if c.is_control() { ' ' } else { c });
    }
}

/// An error line is far shorter; a whole log pasted by mistake stops here.
const MAX_PASTE: usize = 64 * 1024;

fn command_input(state: &mut State, action: Action) -> Vec<SideEffect> {
    match action {
        Action::Input(c) => state.input.push(c),
        Action::Paste(text) => paste_into(&mut state.input, &text),
        Action::InputBackspace if state.input.pop().is_none() => state.mode = InputMode::Normal,
        Action::InputCancel => {
            state.input.clear();
            state.mode = InputMode::Normal;
        }
        Action::InputSubmit => {
            let text = std::mem::take(&mut state.input);
            state.mode = InputMode::Normal;
            return run_command(state, &text);
        }
        _ => {}
    }
    Vec::new()
}

fn run_command(state: &mut State, text: &str) -> Vec<SideEffect> {
    match command::parse(text) {
        Ok(Command::Quit) => return vec![SideEffect::Quit],
        Ok(Command::Help) => state.help = true,
        Ok(Command::Show(pane)) => show_pane(state, pane),
        Ok(Command::Namespace(ns)) => {
            let effects = narrow_watches(state, ns.as_deref());
            set_namespace(state, ns);
            return effects;
        }
        Ok(Command::Context(name)) => return context(state, name),
        Ok(Command::Error(text)) => triage(state, &text),
        Ok(Command::Can {
            action,
            resource,
            keys,
        }) => {
            let from = state
                .drill
                .as_ref()
                .and_then(|d| d.target.can_i_subject())
                .cloned();
            match from {
                Some(from) => state.open_drill(DrillTarget::CanI {
                    action,
                    resource,
                    keys,
                    from: Box::new(from),
                }),
                None => {
                    state.status = Some(message_bad(
                        ":can asks about a pod or ServiceAccount: open one (Enter), then :can ACTION RESOURCE"
                            .to_owned(),
                    ))
                }
            }
        }
        Err(message) => state.status = Some(message_bad(message)),
    }
    Vec::new()
}

/// `:ctx NAME` / `:ctx`: asks the live source; other sources have no contexts.
fn context(state: &mut State, name: Option<String>) -> Vec<SideEffect> {
    if !state.live.caps.contexts {
        let mode = match &state.origin {
            DataOrigin::Demo => "demo mode".to_owned(),
            DataOrigin::Snapshot(_) => "snapshot mode".to_owned(),
            DataOrigin::Live(ctx) => format!("context {ctx} (no kubeconfig file)"),
        };
        state.status = Some(StatusMessage {
            tone: Tone::Dim,
            text: format!("no kubeconfig contexts in {mode}"),
        });
        return Vec::new();
    }
    match name {
        Some(name) => {
            state.status = Some(StatusMessage {
                tone: Tone::Dim,
                text: format!("connecting to context {name}…"),
            });
            vec![SideEffect::SwitchContext(name)]
        }
        None => vec![SideEffect::ListContexts],
    }
}

/// `:ns NAME` while RBAC denies listing pods or ServiceAccounts cluster-wide: the watches are
/// restarted in that namespace (and cluster-wide again on `:ns all` once they were narrowed).
fn narrow_watches(state: &mut State, ns: Option<&str>) -> Vec<SideEffect> {
    if !state.live.caps.live_actions {
        return Vec::new();
    }
    let denied_cluster_wide = state.watch.iter().any(|(w, (s, _))| {
        matches!(w, Watched::Pods | Watched::ServiceAccounts)
            && matches!(
                s,
                ResourceStatus::Forbidden {
                    namespace: None,
                    ..
                }
            )
    });
    let restart = match (&state.watch_namespace, ns) {
        (None, Some(_)) => denied_cluster_wide,
        (Some(current), ns) => ns != Some(current.as_str()),
        (None, None) => false,
    };
    if !restart {
        return Vec::new();
    }
    state.watch_namespace = ns.map(str::to_owned);
    state.status = Some(StatusMessage {
        tone: Tone::Dim,
        text: match ns {
            Some(ns) => format!("watching namespace {ns} only (listing cluster-wide is forbidden)"),
            None => "watching all namespaces again".to_owned(),
        },
    });
    vec![SideEffect::WatchNamespace(ns.map(str::to_owned))]
}

fn message_bad(text: String) -> StatusMessage {
    StatusMessage {
        tone: Tone::Bad,
        text,
    }
}

fn show_pane(state: &mut State, pane: Pane) {
    state.pane = pane;
    state.drill = None;
}

fn set_namespace(state: &mut State, ns: Option<String>) {
    state.namespace = ns;
    let h = state.page_height();
    let ns = state.namespace.clone();
    for pane in Pane::ALL {
        state.tables.pane_mut(pane).refresh(ns.as_deref(), h);
    }
}

fn normal(state: &mut State, action: Action) -> Vec<SideEffect> {
    state.status = None;
    if let (Action::Copy, Some(drill)) = (&action, &state.drill) {
        let value = drill.copy.clone();
        return copy(state, value);
    }
    if state.drill.is_some() && drill_action(state, &action) {
        return Vec::new();
    }
    let h = state.page_height();
    let pane = state.pane;
    let page = isize::try_from(h).unwrap_or(isize::MAX);
    match action {
        Action::ShowPane(p) => show_pane(state, p),
        Action::NextPane => show_pane(state, pane.next()),
        Action::PrevPane => show_pane(state, pane.prev()),
        Action::Down => state.tables.pane_mut(pane).move_by(1, h),
        Action::Up => state.tables.pane_mut(pane).move_by(-1, h),
        Action::PageDown => state.tables.pane_mut(pane).move_by(page, h),
        Action::PageUp => state.tables.pane_mut(pane).move_by(-page, h),
        Action::Top => state.tables.pane_mut(pane).top(h),
        Action::Bottom => state.tables.pane_mut(pane).bottom(h),
        Action::Open => open(state),
        Action::Back if !state.filter().is_empty() => {
            state.input.clear();
            apply_filter(state);
        }
        Action::BeginFilter => {
            state.mode = InputMode::Filter;
            state.input = state.filter().text().to_owned();
        }
        Action::BeginCommand => {
            state.mode = InputMode::Command;
            state.input.clear();
        }
        Action::BeginCan => {
            state.mode = InputMode::Command;
            // After `E`, the question CloudTrail raises is already typed: the latest refused
            // call of this view's subject.
            state.input = match live::refused_question(state) {
                Some(question) => format!("can {question}"),
                None => "can ".to_owned(),
            };
        }
        Action::CycleSort => {
            let ns = state.namespace.clone();
            state.tables.pane_mut(pane).cycle_sort(ns.as_deref(), h);
        }
        Action::ToggleHelp => state.help = true,
        Action::Copy => {
            let value = state.tables.pane(pane).copy_value();
            return copy(state, value);
        }
        Action::Refresh => return vec![SideEffect::Refresh],
        Action::Live(kind) => return live::begin(state, kind),
        _ => {}
    }
    Vec::new()
}

/// Handles an action inside an open drill-down; false when the table should handle it.
fn drill_action(state: &mut State, action: &Action) -> bool {
    let rows = layout::drill_rows(state.height);
    // Back from a `:can` answer goes to the view it was asked in.
    if let (Action::Back, Some(DrillTarget::CanI { from, .. })) =
        (action, state.drill.as_ref().map(|d| &d.target))
    {
        let from = (**from).clone();
        state.open_drill(from);
        return true;
    }
    let Some(drill) = state.drill.as_mut() else {
        return false;
    };
    let last = drill.lines.len().saturating_sub(rows);
    match action {
        Action::Back => state.drill = None,
        Action::Down => drill.scroll = (drill.scroll + 1).min(last),
        Action::Up => drill.scroll = drill.scroll.saturating_sub(1),
        Action::PageDown => drill.scroll = (drill.scroll + rows).min(last),
        Action::PageUp => drill.scroll = drill.scroll.saturating_sub(rows),
        Action::Top => drill.scroll = 0,
        Action::Bottom => drill.scroll = last,
        Action::Open => {}
        _ => return false,
    }
    true
}

fn copy(state: &mut State, value: Option<String>) -> Vec<SideEffect> {
    match value {
        Some(text) => {
            state.status = Some(StatusMessage {
                tone: Tone::Good,
                text: format!("copied: {text}"),
            });
            vec![SideEffect::Copy(text)]
        }
        None => {
            state.status = Some(StatusMessage {
                tone: Tone::Dim,
                text: "nothing to copy on this row".to_owned(),
            });
            Vec::new()
        }
    }
}

fn open(state: &mut State) {
    let target = match state.pane {
        Pane::ServiceAccounts => {
            state
                .tables
                .service_accounts
                .selected()
                .map(|r| DrillTarget::ServiceAccount {
                    namespace: r.namespace.clone(),
                    name: r.name.clone(),
                })
        }
        Pane::Pods => state.tables.pods.selected().map(|r| {
            let (namespace, name) = r.namespace_name();
            DrillTarget::Pod {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            }
        }),
        Pane::Roles => state
            .tables
            .roles
            .selected()
            .map(|r| DrillTarget::Role { arn: r.arn.clone() }),
        Pane::Nodes => state.tables.nodes.selected().map(|r| DrillTarget::Node {
            name: r.name.clone(),
        }),
        Pane::Findings => {
            let Some(row) = state.tables.findings.selected() else {
                return;
            };
            let (subject, key) = (row.subject.clone(), row.key.clone());
            if jump_to(state, &subject) {
                return;
            }
            Some(DrillTarget::Finding { key })
        }
    };
    if let Some(target) = target {
        state.open_drill(target);
    }
}

/// Jumps from a finding to its subject's pane and row; false when no pane lists the subject.
fn jump_to(state: &mut State, subject: &irsa_core::model::Subject) -> bool {
    let key = match &subject.namespace {
        Some(ns) => format!("{ns}/{}", subject.name),
        None => subject.name.clone(),
    };
    let pane = match subject.kind {
        SubjectKind::ServiceAccount => Pane::ServiceAccounts,
        SubjectKind::Pod => Pane::Pods,
        SubjectKind::Role => Pane::Roles,
        SubjectKind::Node => Pane::Nodes,
        SubjectKind::OidcProvider | SubjectKind::Cluster => return false,
    };
    let h = state.page_height();
    let mut ns = state.namespace.clone();
    let mut found = state
        .tables
        .pane_mut(pane)
        .select_key(&key, ns.as_deref(), h);
    if !found && ns.is_some() {
        set_namespace(state, None);
        ns = None;
        found = state
            .tables
            .pane_mut(pane)
            .select_key(&key, ns.as_deref(), h);
    }
    if found {
        show_pane(state, pane);
    }
    found
}

/// `:err TEXT`: finds what a pasted AWS error is about and opens that view — the `:can` answer
/// of the pod for an authorization error (its deciding statement marked), else the drill-down
/// of the subject whose finding predicts the error. The status line says how many candidates
/// there were; `irsa-inspector explain error` lists them all.
fn triage(state: &mut State, text: &str) {
    use irsa_core::analysis::triage::{self, error_text::AwsErrorText};
    let Some(data) = state.dataset.as_deref() else {
        state.status = Some(message_bad("no data yet".to_owned()));
        return;
    };
    let result = triage::explain(&data.inventory, &data.report, text);
    let Some(d) = result.diagnoses.first() else {
        state.status = Some(message_bad(
            "not recognised as an AWS error (looked for \"is not authorized to perform\", \
             AssumeRoleWithWebIdentity, InvalidIdentityToken, … — see explain error)"
                .to_owned(),
        ));
        return;
    };
    let target = match (&d.error, &d.evaluation) {
        (
            AwsErrorText::NotAuthorized {
                action, resource, ..
            },
            Some(answer),
        ) => answer
            .identity
            .pod
            .split_once('/')
            .map(|(ns, name)| DrillTarget::CanI {
                action: action.clone(),
                resource: resource.clone().unwrap_or_else(|| "*".to_owned()),
                keys: Vec::new(),
                from: Box::new(DrillTarget::Pod {
                    namespace: ns.to_owned(),
                    name: name.to_owned(),
                }),
            }),
        _ => d.subjects.first().and_then(|s| {
            let namespace = s.subject.namespace.clone().unwrap_or_default();
            let name = s.subject.name.clone();
            match s.subject.kind {
                SubjectKind::Pod => Some(DrillTarget::Pod { namespace, name }),
                SubjectKind::ServiceAccount => {
                    Some(DrillTarget::ServiceAccount { namespace, name })
                }
                SubjectKind::Node => Some(DrillTarget::Node { name }),
                SubjectKind::Role => Some(DrillTarget::Role { arn: name }),
                _ => None,
            }
        }),
    };
    let summary = irsa_core::report::clean(&d.summary);
    match target {
        Some(target) => {
            let count = d.subjects.len();
            state.status = Some(StatusMessage {
                tone: Tone::Dim,
                text: format!(
                    "{summary} — {} of {count} candidate{} shown (explain error lists all)",
                    if count == 0 { 0 } else { 1 },
                    if count == 1 { "" } else { "s" }
                ),
            });
            state.open_drill(target);
        }
        None => {
            let note = d
                .notes
                .first()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            state.status = Some(message_bad(format!("{summary} — no subject found{note}")));
        }
    }
}
