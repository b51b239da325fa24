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
    /// `:err TEXT`: what a pasted AWS error is about (the text as typed or pasted, whole).
    Error(String),
    /// `:can ACTION RESOURCE [KEY=VALUE]…`: can the open pod or ServiceAccount do it?
    Can {
        action: String,
        resource: String,
        keys: Vec<(String, String)>,
    },
}

/// Parses what was typed after `:`; the error is a one-line message for the status bar.
pub fn parse(text: &str) -> Result<Command, String> {
    // `:err` keeps the rest of the line as it is: an error text has spaces and quotes.
    let trimmed = text.trim_start();
    for word in ["err", "error"] {
        if let Some(rest) = trimmed.strip_prefix(word)
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            let rest = rest.trim();
            return if rest.is_empty() {
                Err(":err TEXT — paste the AWS error line after it".to_owned())
            } else {
                Ok(Command::Error(rest.to_owned()))
            };
        }
    }
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
        ("can" | "can-i", [action, resource, keys @ ..]) => {
            if !action.contains(':') && *action != "*" {
                return Err(format!(
                    ":can {action:?}: the action is SERVICE:ACTION, e.g. s3:GetObject"
                ));
            }
            let keys = keys
                .iter()
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
                    _ => Err(format!(":can: {kv:?} is not KEY=VALUE")),
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok(Command::Can {
                action: (*action).to_owned(),
                resource: (*resource).to_owned(),
                keys,
            })
        }
        ("can" | "can-i", _) => Err(
            ":can ACTION RESOURCE [KEY=VALUE]… (e.g. :can s3:GetObject arn:aws:s3:::bucket/key)"
                .to_owned(),
        ),
        ("q" | "quit" | "q!", []) => Ok(Command::Quit),
        ("help" | "h", []) => Ok(Command::Help),
        _ => Err(format!(
            "unknown command :{text} (try :sa, :pods, :roles, :nodes, :findings, :ns NAME, :ctx NAME, :err TEXT, :q)"
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
            (
                "err  User: arn:x is not  authorized ",
                Ok(Command::Error("User: arn:x is not  authorized".to_owned())),
            ),
            (
                "can s3:GetObject arn:aws:s3:::b/k aws:SourceIp=10.0.0.1",
                Ok(Command::Can {
                    action: "s3:GetObject".to_owned(),
                    resource: "arn:aws:s3:::b/k".to_owned(),
                    keys: vec![("aws:SourceIp".to_owned(), "10.0.0.1".to_owned())],
                }),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), expected, "{text:?}");
        }
        for bad in [
            "",
            "frobnicate",
            "ns a b",
            "sa extra",
            "ctx a b",
            "can s3:Get",
            "can GetObject arn:aws:s3:::b",
            "can s3:Get arn x",
            "err",
            "err   ",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be an error");
        }
    }
}
