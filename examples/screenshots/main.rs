//! Draws the real UI on the embedded demo lab — each pane and the two key drill-downs — into
//! SVG files (run by `scripts/screenshots.sh`, which turns them into the README's PNGs).
//!
//! `cargo run --example screenshots -- OUT_DIR`

mod svg;

use irsa_core::dataset::Dataset;
use irsa_core::snapshot;
use irsa_inspector::action::Action;
use irsa_inspector::action::Pane;
use irsa_inspector::messages::{DataOrigin, SourceEvent};
use irsa_inspector::state::State;
use irsa_inspector::ui;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::PathBuf;

const WIDTH: u16 = 160;
const HEIGHT: u16 = 45;

/// A screenshot: its file name and the actions that lead to it.
struct Shot {
    name: &'static str,
    pane: Pane,
    filter: Option<&'static str>,
    open: bool,
}

const SHOTS: &[Shot] = &[
    Shot {
        name: "1-service-accounts",
        pane: Pane::ServiceAccounts,
        filter: None,
        open: false,
    },
    Shot {
        name: "2-pods",
        pane: Pane::Pods,
        filter: None,
        open: false,
    },
    Shot {
        name: "3-roles",
        pane: Pane::Roles,
        filter: None,
        open: false,
    },
    Shot {
        name: "4-nodes",
        pane: Pane::Nodes,
        filter: None,
        open: false,
    },
    Shot {
        name: "5-findings",
        pane: Pane::Findings,
        filter: None,
        open: false,
    },
    Shot {
        name: "6-trust-view-demo2-s3-reader",
        pane: Pane::ServiceAccounts,
        filter: Some("demo2/s3-reader"),
        open: true,
    },
    Shot {
        name: "7-pod-identity-node-role-fallback",
        pane: Pane::Pods,
        filter: Some("node-role-fallback"),
        open: true,
    },
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "screenshots".to_owned()),
    );
    std::fs::create_dir_all(&out)?;
    let inventory = snapshot::load_demo()?;
    let now = inventory.captured_at.unwrap_or_else(Timestamp::now);
    let data = Dataset::analyse(inventory, now, now);
    for shot in SHOTS {
        let mut state = State::new(DataOrigin::Demo, now, true, WIDTH, HEIGHT);
        state.apply(SourceEvent::Loaded(Box::new(data.clone())));
        state.update(Action::ShowPane(shot.pane));
        if let Some(filter) = shot.filter {
            state.update(Action::BeginFilter);
            for c in filter.chars() {
                state.update(Action::Input(c));
            }
            state.update(Action::InputSubmit);
        }
        if shot.open {
            state.update(Action::Open);
        }
        let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT))?;
        terminal.draw(|f| ui::draw(f, &state))?;
        let path = out.join(format!("{}.svg", shot.name));
        std::fs::write(&path, svg::to_svg(terminal.backend().buffer()))?;
        println!("{}", path.display());
    }
    Ok(())
}
