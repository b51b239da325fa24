//! The five tables. Each pane file says which columns it shows at which width and how a row
//! becomes cells; [`render`] does the rest the same way for all: title with count, sort,
//! filter and namespace; a `›` marker beside the selected row (visible without colour); only
//! the rows in the window; and, when there is nothing to show, a sentence saying why.

mod findings;
mod nodes;
mod pods;
mod roles;
mod service_accounts;

use super::theme::Theme;
use crate::action::Pane;
use crate::rows::Row as StateRow;
use crate::state::{LoadState, State, Table, layout};
use crate::tone::Tone;
use irsa_core::model::SourceKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table as TableWidget, Wrap};

/// Widths at or above this get the wide column set.
const WIDE: u16 = 120;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let t = state.tables();
    let wide = area.width >= WIDE;
    match state.pane() {
        Pane::ServiceAccounts => {
            service_accounts::draw(frame, area, state, &t.service_accounts, theme, wide)
        }
        Pane::Pods => pods::draw(frame, area, state, &t.pods, theme, wide),
        Pane::Roles => roles::draw(frame, area, state, &t.roles, theme, wide),
        Pane::Nodes => nodes::draw(frame, area, state, &t.nodes, theme, wide),
        Pane::Findings => findings::draw(frame, area, state, &t.findings, theme, wide),
    }
}

/// One pane's column set.
pub(super) struct Columns {
    pub headers: &'static [&'static str],
    pub widths: Vec<Constraint>,
}

/// Renders a table pane: the visible window only, or the reason it is empty.
pub(super) fn render<R: StateRow>(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    table: &Table<R>,
    theme: &Theme,
    columns: Columns,
    cells: impl Fn(&R) -> Vec<Cell<'static>>,
) {
    let block = Block::bordered()
        .title(title(state, table, theme))
        .title_bottom(position(table));
    if table.is_empty() {
        let (tone, text) = empty_reason(state, table.rows().is_empty());
        let reason = Paragraph::new(Line::styled(text, theme.tone(tone)))
            .wrap(Wrap { trim: true })
            .block(block);
        frame.render_widget(reason, area);
        return;
    }
    let height = layout::table_rows(state.size().1);
    let cursor = table.cursor();
    let rows = table.window(height).map(|(pos, r)| {
        let selected = pos == cursor;
        let marker = if selected { "›" } else { " " };
        let row = Row::new(std::iter::once(Cell::from(marker)).chain(cells(r)));
        if selected {
            row.style(theme.selected())
        } else {
            row
        }
    });
    let header = Row::new(
        std::iter::once("")
            .chain(columns.headers.iter().copied())
            .map(Cell::from),
    )
    .style(theme.header());
    let widths = std::iter::once(Constraint::Length(1)).chain(columns.widths);
    let widget = TableWidget::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(block);
    frame.render_widget(widget, area);
}

fn title<'a, R: StateRow>(state: &State, table: &Table<R>, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(
        format!(" {} ({}) ", state.pane().title(), table.len()),
        theme.header(),
    )];
    spans.push(Span::styled(
        format!("sort: {} ", table.sort_label()),
        theme.tone(Tone::Dim),
    ));
    if !table.filter().is_empty() {
        spans.push(Span::styled(
            format!("filter: {} ", table.filter().text()),
            theme.tone(Tone::Accent),
        ));
    }
    if let Some(ns) = state.namespace() {
        spans.push(Span::styled(format!("ns: {ns} "), theme.tone(Tone::Accent)));
    }
    Line::from(spans)
}

fn position<'a, R: StateRow>(table: &Table<R>) -> Line<'a> {
    if table.is_empty() {
        Line::default()
    } else {
        Line::from(format!(" {}/{} ", table.cursor() + 1, table.len())).right_aligned()
    }
}

/// Why a pane shows no rows: loading, a failed load, a filter or namespace hiding them, an
/// unknown source, or an inventory that truly has none.
fn empty_reason(state: &State, no_rows_at_all: bool) -> (Tone, String) {
    match state.load() {
        LoadState::Loading => return (Tone::Dim, format!("Loading {}…", state.origin())),
        LoadState::Failed(message) => {
            return (
                Tone::Bad,
                format!("ERROR could not load {}: {message}", state.origin()),
            );
        }
        LoadState::Ready => {}
    }
    if !no_rows_at_all {
        let filter = state.filter();
        return match (filter.is_empty(), state.namespace()) {
            (false, _) => (
                Tone::Dim,
                format!(
                    "No row matches the filter \"{}\" (Esc clears it).",
                    filter.text()
                ),
            ),
            (true, Some(ns)) => (
                Tone::Dim,
                format!("Nothing here in namespace {ns} (:ns all shows every namespace)."),
            ),
            (true, None) => (Tone::Dim, "No rows.".to_owned()),
        };
    }
    let Some(data) = state.dataset() else {
        return (Tone::Dim, "No data.".to_owned());
    };
    let problem = |source: SourceKind| {
        data.inventory
            .problems_for(source)
            .map(|p| p.message.clone())
            .chain(
                data.report
                    .unknowns
                    .iter()
                    .filter(|u| u.source == source)
                    .map(|u| u.message.clone()),
            )
            .next()
    };
    match state.pane() {
        Pane::ServiceAccounts => match problem(SourceKind::Kubernetes) {
            Some(m) => (
                Tone::Unknown,
                format!("UNKNOWN ServiceAccounts could not be read: {m}"),
            ),
            None => (
                Tone::Dim,
                "No ServiceAccounts in this cluster's data.".to_owned(),
            ),
        },
        Pane::Pods => match problem(SourceKind::Kubernetes) {
            Some(m) => (
                Tone::Unknown,
                format!("UNKNOWN pods could not be read: {m}"),
            ),
            None => (Tone::Dim, "No pods in this cluster's data.".to_owned()),
        },
        Pane::Roles if data.inventory.roles.is_none() && data.report.bindings.is_empty() => (
            Tone::Unknown,
            format!(
                "UNKNOWN IAM roles could not be read: {}",
                problem(SourceKind::IamRoles)
                    .unwrap_or_else(|| "no IAM data in this source".to_owned())
            ),
        ),
        Pane::Roles => (
            Tone::Dim,
            "No role is mapped to a ServiceAccount or trusts this cluster.".to_owned(),
        ),
        Pane::Nodes => (Tone::Dim, "No nodes in this cluster's data.".to_owned()),
        Pane::Findings if data.report.unknowns.is_empty() => {
            (Tone::Good, "OK no findings: every check passed.".to_owned())
        }
        Pane::Findings => (
            Tone::Unknown,
            format!(
                "No findings, but {} source(s) could not be read, so some checks did not run (see the status line).",
                data.report.unknowns.len()
            ),
        ),
    }
}

/// A cell with text and a tone.
pub(super) fn toned(text: impl Into<String>, tone: Tone, theme: &Theme) -> Cell<'static> {
    Cell::from(Span::styled(text.into(), theme.tone(tone)))
}
