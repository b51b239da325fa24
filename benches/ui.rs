//! UI benchmark (not a test; run with `cargo bench --bench ui`): time to derive every pane's
//! rows from a dataset, and to draw one frame, for the embedded demo and for a generated cluster
//! of 5,000 ServiceAccounts and 50,000 pods. Drawing must stay under 10 ms there, because
//! only the visible rows of a table are rendered.

use irsa_core::dataset::Dataset;
use irsa_core::fixtures;
use irsa_inspector::action::Action;
use irsa_inspector::action::Pane;
use irsa_inspector::messages::{DataOrigin, Prepared, SourceEvent};
use irsa_inspector::state::State;
use irsa_inspector::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

/// Mean and worst of `runs` calls of `f`.
fn time(runs: u32, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    for _ in 0..runs {
        let start = Instant::now();
        f();
        let took = start.elapsed();
        total += took;
        worst = worst.max(took);
    }
    (total / runs, worst)
}

fn bench(label: &str, data: &Dataset) {
    let (w, h) = (160, 48);
    // Copies made up front, so the timing is the derivation, not the cloning.
    let mut copies: Vec<Dataset> = (0..5).map(|_| data.clone()).collect();
    let mut keep = Vec::new();
    let (derive_mean, derive_worst) = time(5, || {
        let mut s = State::new(DataOrigin::Demo, fixtures::NOW, true, w, h);
        if let Some(copy) = copies.pop() {
            s.apply(SourceEvent::Loaded(Box::new(copy)));
        }
        keep.push(s);
    });
    drop(keep);
    let mut state = State::new(DataOrigin::Demo, fixtures::NOW, true, w, h);
    state.apply(SourceEvent::Loaded(Box::new(data.clone())));
    let mut terminal = match Terminal::new(TestBackend::new(w, h)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot create the test backend: {e}");
            return;
        }
    };
    println!(
        "{label}: {} SAs, {} pods, {} findings",
        data.report.bindings.len(),
        data.report.pods.len(),
        data.report.findings.len()
    );
    println!(
        "  derive rows (all panes)      mean {derive_mean:>10.2?}  worst {derive_worst:>10.2?}  (all on the UI thread)"
    );
    let mut prepared: Vec<Prepared> = (0..5).map(|_| Prepared::new(data.clone())).collect();
    let mut keep = Vec::new(); // dropped after timing: freeing 50,000 pods is not applying them
    let (apply_mean, apply_worst) = time(5, || {
        let mut s = State::new(DataOrigin::Demo, fixtures::NOW, true, w, h);
        if let Some(p) = prepared.pop() {
            s.apply(SourceEvent::Prepared(Box::new(p)));
        }
        keep.push(s);
    });
    drop(keep);
    println!(
        "  apply prepared rows          mean {apply_mean:>10.2?}  worst {apply_worst:>10.2?}  (UI thread; derived on the loader's)"
    );
    for pane in Pane::ALL {
        state.update(Action::ShowPane(pane));
        state.update(Action::PageDown);
        let (mean, worst) = time(50, || {
            let _ = terminal.draw(|f| ui::draw(f, &state));
        });
        let verdict = if worst < Duration::from_millis(10) {
            "ok"
        } else {
            "OVER 10 ms"
        };
        println!(
            "  draw frame {:<17} mean {mean:>10.2?}  worst {worst:>10.2?}  {verdict}",
            pane.title()
        );
    }
    // Copies made up front, so the timing is the typing, not the cloning of the state.
    let mut states: Vec<State> = (0..5)
        .map(|_| {
            let mut s = state.clone();
            s.update(Action::ShowPane(Pane::Pods));
            s.update(Action::BeginFilter);
            s
        })
        .collect();
    let query = "team-07";
    let (filter_mean, filter_worst) = time(5, || {
        if let Some(mut s) = states.pop() {
            for c in query.chars() {
                s.update(Action::Input(c));
            }
        }
    });
    let per_key = filter_mean / query.len() as u32;
    println!(
        "  filter pods, {} keystrokes    mean {filter_mean:>10.2?}  worst {filter_worst:>10.2?}  ({per_key:.2?} per keystroke)",
        query.len()
    );
}

fn main() {
    match irsa_core::snapshot::load_demo() {
        Ok(inv) => {
            let now = inv.captured_at.unwrap_or(fixtures::NOW);
            let start = Instant::now();
            let data = Dataset::analyse(inv, now, now);
            println!("demo lab: load + audit {:.2?}", start.elapsed());
            bench("demo lab", &data);
        }
        Err(e) => eprintln!("demo lab not loadable: {e}"),
    }
    bench("generated", &fixtures::generated(5_000, 10));
}
