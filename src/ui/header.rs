//! The two header lines: who and what we look at (cluster, context, account, caller), then the
//! pane tabs with row counts and the data source with its freshness.

use super::{short_age, theme::Theme};
use crate::action::Pane;
use crate::messages::AwsStatus;
use crate::messages::DataOrigin;
use crate::messages::ResourceStatus;
use crate::state::{LoadState, State};
use crate::tone::Tone;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let [top, tabs] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    frame.render_widget(Paragraph::new(identity_line(state, theme)), top);
    let source = source_text(state);
    let badges = badges(state);
    let width = source.chars().count()
        + 1
        + badges
            .iter()
            .map(|(_, b)| b.chars().count() + 3)
            .sum::<usize>();
    let source_width = u16::try_from(width).unwrap_or(u16::MAX);
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(source_width)]).areas(tabs);
    frame.render_widget(Paragraph::new(tab_line(state, theme)), left);
    let mut spans: Vec<Span> = Vec::new();
    for (tone, badge) in badges {
        spans.push(Span::styled(badge, theme.tone(tone)));
        spans.push(Span::styled(" · ", theme.tone(Tone::Dim)));
    }
    spans.push(Span::styled(source, theme.tone(Tone::Dim)));
    frame.render_widget(Paragraph::new(Line::from(spans)).right_aligned(), right);
}

/// `waiting for pods (since 03:12:45 UTC)` while a resource is being listed,
/// `reconnecting (pods, since 03:12:45 UTC)` while a watch reconnects, `AWS loading…` until
/// the first AWS read answers, `AWS stale (since 03:12:45 UTC)` while AWS rejects the
/// credentials, `read-only` under `--read-only`.
pub(super) fn badges(state: &State) -> Vec<(Tone, String)> {
    let mut out = Vec::new();
    let reconnecting: Vec<(&str, jiff::Timestamp)> = state
        .watch()
        .iter()
        .filter(|(_, (s, _))| matches!(s, ResourceStatus::Reconnecting { .. }))
        .map(|(w, (_, since))| (w.as_str(), *since))
        .collect();
    let waiting: Vec<(&str, jiff::Timestamp)> = state
        .watch()
        .iter()
        .filter(|(_, (s, _))| matches!(s, ResourceStatus::Syncing))
        .map(|(w, (_, since))| (w.as_str(), *since))
        .collect();
    if let Some(since) = waiting.iter().map(|(_, t)| *t).min() {
        let names: Vec<&str> = waiting.iter().map(|(n, _)| *n).collect();
        out.push((
            Tone::Dim,
            format!(
                "waiting for {} (since {} UTC)",
                names.join(", "),
                since.strftime("%H:%M:%S")
            ),
        ));
    }
    if let Some(since) = reconnecting.iter().map(|(_, t)| *t).min() {
        let names: Vec<&str> = reconnecting.iter().map(|(n, _)| *n).collect();
        out.push((
            Tone::Warn,
            format!(
                "reconnecting ({}, since {} UTC)",
                names.join(", "),
                since.strftime("%H:%M:%S")
            ),
        ));
    }
    match state.aws() {
        Some(AwsStatus::Loading) => out.push((Tone::Dim, "AWS loading…".to_owned())),
        Some(AwsStatus::Stale { since, .. }) => out.push((
            Tone::Warn,
            format!("AWS stale (since {} UTC)", since.strftime("%H:%M:%S")),
        )),
        Some(AwsStatus::Fresh) | None => {}
    }
    if state.live().caps.read_only {
        out.push((Tone::Good, "read-only".to_owned()));
    }
    out
}

fn identity_line<'a>(state: &'a State, theme: &Theme) -> Line<'a> {
    let dim = theme.tone(Tone::Dim);
    let mut spans = vec![Span::styled("irsa-inspector", theme.header())];
    let Some(data) = state.dataset() else {
        return Line::from(spans);
    };
    let inv = &data.inventory;
    let report = &data.report;
    let mut field = |label: &'static str, value: String| {
        spans.push(Span::styled(format!("  {label} "), dim));
        spans.push(Span::raw(value));
    };
    let unknown = || "unknown".to_owned();
    field(
        "cluster",
        report
            .cluster
            .clone()
            .or_else(|| inv.cluster.as_ref().map(|c| c.name.clone()))
            .unwrap_or_else(unknown),
    );
    field(
        "account",
        report
            .account
            .clone()
            .or_else(|| inv.account().map(str::to_owned))
            .unwrap_or_else(unknown),
    );
    field(
        "caller",
        inv.caller
            .as_ref()
            .map(|c| short_caller(&c.arn))
            .unwrap_or_else(unknown),
    );
    if let Some(ctx) = &inv.context {
        field("context", ctx.clone());
    }
    Line::from(spans)
}

/// `assumed-role/sre-oncall/alice` from a full STS ARN: the part that says who.
fn short_caller(arn: &str) -> String {
    arn.splitn(6, ':').nth(5).unwrap_or(arn).to_owned()
}

fn tab_line<'a>(state: &'a State, theme: &Theme) -> Line<'a> {
    let t = state.tables();
    let spans = Pane::ALL.iter().flat_map(|&pane| {
        let count = t.pane(pane).len();
        let label = format!(" {} {} {count} ", pane.number(), short_title(pane));
        let style = if pane == state.pane() {
            theme.active_tab()
        } else {
            theme.tone(Tone::Plain)
        };
        [Span::styled(label, style), Span::raw(" ")]
    });
    Line::from(spans.collect::<Vec<_>>())
}

fn short_title(pane: Pane) -> &'static str {
    match pane {
        Pane::ServiceAccounts => "SA",
        other => other.title(),
    }
}

/// `demo`, `snapshot DIR · captured 3h ago`, `live CTX · updated 5s ago`, `loading…`.
pub(super) fn source_text(state: &State) -> String {
    let now = state.now().as_second();
    match (state.load(), state.dataset()) {
        (LoadState::Loading, _) => format!("{} · loading…", state.origin()),
        (LoadState::Failed(_), None) => format!("{} · FAILED", state.origin()),
        (_, Some(data)) => match state.origin() {
            DataOrigin::Demo => "source: demo lab".to_owned(),
            DataOrigin::Snapshot(_) => match data.inventory.captured_at {
                Some(at) => format!(
                    "{} · captured {} ago",
                    state.origin(),
                    short_age(now - at.as_second())
                ),
                None => format!("{} · capture time unknown", state.origin()),
            },
            DataOrigin::Live(_) => format!(
                "{} · updated {} ago",
                state.origin(),
                short_age(now - data.loaded_at.as_second())
            ),
        },
        (_, None) => state.origin().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::messages::AwsStatus;
    use crate::messages::{DataOrigin, SourceEvent};
    use crate::messages::{ResourceStatus, Watched};
    use crate::state::State;
    use irsa_core::fixtures::{NOW, lab};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// The screen's lines as text.
    fn screen(state: &State) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(160, 30)).unwrap();
        terminal.draw(|f| crate::ui::draw(f, state)).unwrap();
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect()
    }

    fn live() -> State {
        State::new(DataOrigin::Live("lab".into()), NOW, false, 160, 30)
    }

    #[test]
    fn a_first_frame_without_data_says_what_it_waits_for_and_since_when() {
        let mut s = live();
        for w in [Watched::Pods, Watched::Nodes] {
            s.apply(SourceEvent::WatchStatus {
                resource: w,
                status: ResourceStatus::Syncing,
            });
        }
        s.apply(SourceEvent::AwsStatus(AwsStatus::Loading));
        let lines = screen(&s);
        let expected = format!(
            "waiting for pods, nodes (since {} UTC)",
            NOW.strftime("%H:%M:%S")
        );
        assert!(lines[1].contains(&expected), "{lines:#?}");
        assert!(lines[1].contains("AWS loading…"), "{lines:#?}");
    }

    #[test]
    fn aws_loading_then_stale_then_fresh() {
        let mut s = live();
        let mut data = lab();
        data.inventory.context = Some("lab".into());
        s.apply(SourceEvent::Loaded(Box::new(data)));
        s.apply(SourceEvent::AwsStatus(AwsStatus::Loading));
        let lines = screen(&s);
        assert!(lines[1].contains("AWS loading…"), "{lines:#?}");
        assert!(
            lines[29].contains("AWS side loading"),
            "the status line says the AWS columns are coming: {lines:#?}"
        );

        let since = NOW + jiff::SignedDuration::from_secs(90);
        let read_at = NOW + jiff::SignedDuration::from_secs(30);
        s.apply(SourceEvent::AwsStatus(AwsStatus::Stale {
            since,
            read_at: Some(read_at),
            reason: "the AWS credentials have expired (ExpiredToken) — run aws sso login".into(),
        }));
        let lines = screen(&s);
        assert!(
            lines[1].contains(&format!(
                "AWS stale (since {} UTC)",
                since.strftime("%H:%M:%S")
            )),
            "{lines:#?}"
        );
        assert!(
            lines[29].starts_with(&format!(
                "STALE the AWS credentials have expired (ExpiredToken) — run aws sso login — AWS \
                 columns as read at {} UTC",
                read_at.strftime("%H:%M:%S")
            )),
            "{lines:#?}"
        );

        s.apply(SourceEvent::AwsStatus(AwsStatus::Fresh));
        let lines = screen(&s);
        assert!(!lines[1].contains("AWS"), "{lines:#?}");
        assert!(!lines[29].contains("STALE"), "{lines:#?}");
    }
}
