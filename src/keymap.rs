//! Every key binding, in one table: the key translation and the `?` help overlay both read it,
//! so the help can never list a key that does nothing (or miss one that does something).

use crate::action::{Action, ActionKind, InputMode, Pane};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One key: a code, with or without Ctrl.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// A normal-mode binding: its keys, how the help names them, and what they do.
#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: &'static [Key],
    /// The keys as the help overlay prints them.
    pub label: &'static str,
    pub help: &'static str,
    pub action: Action,
}

/// Normal-mode bindings, in the order the help lists them.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[k('1')],
        label: "1",
        help: "ServiceAccounts pane",
        action: Action::ShowPane(Pane::ServiceAccounts),
    },
    Binding {
        keys: &[k('2')],
        label: "2",
        help: "Pods pane",
        action: Action::ShowPane(Pane::Pods),
    },
    Binding {
        keys: &[k('3')],
        label: "3",
        help: "Roles pane",
        action: Action::ShowPane(Pane::Roles),
    },
    Binding {
        keys: &[k('4')],
        label: "4",
        help: "Nodes pane",
        action: Action::ShowPane(Pane::Nodes),
    },
    Binding {
        keys: &[k('5')],
        label: "5",
        help: "Findings pane",
        action: Action::ShowPane(Pane::Findings),
    },
    Binding {
        keys: &[code(KeyCode::Tab)],
        label: "Tab",
        help: "next pane",
        action: Action::NextPane,
    },
    Binding {
        keys: &[code(KeyCode::BackTab)],
        label: "Shift-Tab",
        help: "previous pane",
        action: Action::PrevPane,
    },
    Binding {
        keys: &[k('j'), code(KeyCode::Down)],
        label: "j ↓",
        help: "down",
        action: Action::Down,
    },
    Binding {
        keys: &[k('k'), code(KeyCode::Up)],
        label: "k ↑",
        help: "up",
        action: Action::Up,
    },
    Binding {
        keys: &[code(KeyCode::PageDown), ctrl('d'), ctrl('f')],
        label: "PgDn ^d ^f",
        help: "page down",
        action: Action::PageDown,
    },
    Binding {
        keys: &[code(KeyCode::PageUp), ctrl('u'), ctrl('b')],
        label: "PgUp ^u ^b",
        help: "page up",
        action: Action::PageUp,
    },
    Binding {
        keys: &[k('g'), code(KeyCode::Home)],
        label: "g Home",
        help: "first row",
        action: Action::Top,
    },
    Binding {
        keys: &[k('G'), code(KeyCode::End)],
        label: "G End",
        help: "last row",
        action: Action::Bottom,
    },
    Binding {
        keys: &[code(KeyCode::Enter), k('l'), code(KeyCode::Right)],
        label: "Enter l →",
        help: "open / go to subject",
        action: Action::Open,
    },
    Binding {
        keys: &[
            code(KeyCode::Esc),
            code(KeyCode::Backspace),
            k('h'),
            code(KeyCode::Left),
        ],
        label: "Esc Bksp h ←",
        help: "back / clear filter",
        action: Action::Back,
    },
    Binding {
        keys: &[k('/')],
        label: "/",
        help: "filter (~x: fuzzy)",
        action: Action::BeginFilter,
    },
    Binding {
        keys: &[k(':')],
        label: ":",
        help: "cmd :pods :ns X :ctx X",
        action: Action::BeginCommand,
    },
    Binding {
        keys: &[k('c')],
        label: "c",
        help: "can it? :can ACTION ARN",
        action: Action::BeginCan,
    },
    Binding {
        keys: &[k('s')],
        label: "s",
        help: "cycle sort order",
        action: Action::CycleSort,
    },
    Binding {
        keys: &[k('y')],
        label: "y",
        help: "copy ARN / fix command",
        action: Action::Copy,
    },
    Binding {
        keys: &[k('r')],
        label: "r",
        help: "reload the data source",
        action: Action::Refresh,
    },
    Binding {
        keys: &[k('t')],
        label: "t",
        help: "mint token (pod/SA, y/n)",
        action: Action::Live(ActionKind::MintToken),
    },
    Binding {
        keys: &[k('x')],
        label: "x",
        help: "exec-read pod token, y/n",
        action: Action::Live(ActionKind::ReadMountedToken),
    },
    Binding {
        keys: &[k('a')],
        label: "a",
        help: "test STS for real (y/n)",
        action: Action::Live(ActionKind::TestWebIdentity),
    },
    Binding {
        keys: &[k('A')],
        label: "A",
        help: "AWS simulator (:can)",
        action: Action::Live(ActionKind::AskAws),
    },
    Binding {
        keys: &[k('E')],
        label: "E",
        help: "CloudTrail evidence",
        action: Action::Live(ActionKind::CloudTrail),
    },
    Binding {
        keys: &[k('?')],
        label: "?",
        help: "this help",
        action: Action::ToggleHelp,
    },
    Binding {
        keys: &[k('q'), ctrl('c')],
        label: "q ^c",
        help: "quit",
        action: Action::Quit,
    },
];

fn matches(key: &Key, event: &KeyEvent) -> bool {
    // Shift is ignored: terminals report Shift+g as 'G', some with SHIFT set, some without.
    let has_ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    key.code == event.code && key.ctrl == has_ctrl
}

/// The action a key asks for in an input mode.
pub fn action_for(event: &KeyEvent, mode: InputMode) -> Option<Action> {
    let ctrl_c =
        event.modifiers.contains(KeyModifiers::CONTROL) && matches!(event.code, KeyCode::Char('c'));
    if ctrl_c {
        return Some(Action::Quit);
    }
    match mode {
        InputMode::Normal => BINDINGS
            .iter()
            .find(|b| b.keys.iter().any(|key| matches(key, event)))
            .map(|b| b.action.clone()),
        // Only `y` confirms; every other key (n, Esc, Enter) cancels.
        InputMode::Confirm => match event.code {
            KeyCode::Char(c) => Some(Action::Input(c)),
            KeyCode::Esc => Some(Action::InputCancel),
            KeyCode::Enter => Some(Action::InputSubmit),
            KeyCode::Backspace => Some(Action::InputBackspace),
            _ => None,
        },
        InputMode::Filter | InputMode::Command => match event.code {
            KeyCode::Esc => Some(Action::InputCancel),
            KeyCode::Enter => Some(Action::InputSubmit),
            KeyCode::Backspace => Some(Action::InputBackspace),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Char(c) if !event.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::Input(c))
            }
            _ => None,
        },
    }
}

/// The action a terminal event asks for in the current input mode, if any.
pub fn to_action(event: &Event, mode: InputMode) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => action_for(key, mode),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn normal_mode_keys_map_to_their_actions() {
        let none = KeyModifiers::NONE;
        let cases = [
            (key(KeyCode::Char('j'), none), Some(Action::Down)),
            (key(KeyCode::Down, none), Some(Action::Down)),
            (
                key(KeyCode::Char('G'), KeyModifiers::SHIFT),
                Some(Action::Bottom),
            ),
            (
                key(KeyCode::Char('3'), none),
                Some(Action::ShowPane(Pane::Roles)),
            ),
            (
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Some(Action::Quit),
            ),
            (
                key(KeyCode::Char('d'), KeyModifiers::CONTROL),
                Some(Action::PageDown),
            ),
            (key(KeyCode::Char('z'), none), None),
            (
                key(KeyCode::Char('t'), none),
                Some(Action::Live(ActionKind::MintToken)),
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(action_for(&event, InputMode::Normal), expected, "{event:?}");
        }
    }

    #[test]
    fn typing_in_the_filter_bar_types_instead_of_running_commands() {
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(action_for(&q, InputMode::Filter), Some(Action::Input('q')));
        let esc = key(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(
            action_for(&esc, InputMode::Command),
            Some(Action::InputCancel)
        );
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_c, InputMode::Filter), Some(Action::Quit));
    }

    /// How a key is written in a help label.
    fn written(key: &Key) -> String {
        let base = match key.code {
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Down => "↓".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            other => format!("{other:?}"),
        };
        if key.ctrl { format!("^{base}") } else { base }
    }

    #[test]
    fn every_bound_key_is_named_in_its_help_label() {
        for b in BINDINGS {
            for key in b.keys {
                let name = written(key);
                assert!(
                    b.label.split(' ').any(|part| part == name),
                    "{name} missing from help label {:?}",
                    b.label
                );
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice() {
        let all: Vec<&Key> = BINDINGS.iter().flat_map(|b| b.keys.iter()).collect();
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a:?} bound twice");
        }
    }
}
