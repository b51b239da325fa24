//! The `:` command bar's language.

use crate::action::Pane;

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Show(Pane),
    /// `:ns NAME`; `None` for `:ns`, `:ns all` or `:ns -`.
    Namespace(Option<String>),
    Quit,
    Help,
    /// `:ctx NAME` switches the live source to a kubeconfig context; `:ctx` lists them.
    Context(Option<String>),
}

/// Parses what was typed after `:`; the error is a one-line message for the status bar.
pub fn parse(text: &str) -> Result<Command, String> {
    let mut words = text.split_whitespace();
    let Some(first) = words.next() else {
        return Err(
            "empty command (try :sa, :pods, :roles, :nodes, :findings, :ns NAME, :ctx NAME, :q)"
                .to_owned(),
        );
    };
    let rest: Vec<&str> = words.collect();
    if let Some(pane) = Pane::from_command(first) {
        return if rest.is_empty() {
            Ok(Command::Show(pane))
        } else {
            Err(format!(":{first} takes no argument"))
        };
    }
    match (first.to_ascii_lowercase().as_str(), rest.as_slice()) {
        ("ns" | "namespace", []) | ("ns" | "namespace", ["all" | "-" | "*"]) => {
            Ok(Command::Namespace(None))
        }
        ("ns" | "namespace", [name]) => Ok(Command::Namespace(Some((*name).to_owned()))),
        ("ns" | "namespace", _) => Err(":ns takes one namespace name (or all)".to_owned()),
        ("ctx" | "context", []) => Ok(Command::Context(None)),
        ("ctx" | "context", [name]) => Ok(Command::Context(Some((*name).to_owned()))),
        ("ctx" | "context", _) => Err(":ctx takes one context name".to_owned()),
        ("q" | "quit" | "q!", []) => Ok(Command::Quit),
        ("help" | "h", []) => Ok(Command::Help),
        _ => Err(format!(
            "unknown command :{text} (try :sa, :pods, :roles, :nodes, :findings, :ns NAME, :ctx NAME, :q)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse_as_documented() {
        let cases = [
            ("sa", Ok(Command::Show(Pane::ServiceAccounts))),
            ("pods", Ok(Command::Show(Pane::Pods))),
            (" roles ", Ok(Command::Show(Pane::Roles))),
            ("nodes", Ok(Command::Show(Pane::Nodes))),
            ("findings", Ok(Command::Show(Pane::Findings))),
            ("ns demo2", Ok(Command::Namespace(Some("demo2".to_owned())))),
            ("ns all", Ok(Command::Namespace(None))),
            ("ns", Ok(Command::Namespace(None))),
            ("q", Ok(Command::Quit)),
            ("ctx", Ok(Command::Context(None))),
            ("ctx prod", Ok(Command::Context(Some("prod".to_owned())))),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), expected, "{text:?}");
        }
        for bad in ["", "frobnicate", "ns a b", "sa extra", "ctx a b"] {
            assert!(parse(bad).is_err(), "{bad:?} should be an error");
        }
    }
}
