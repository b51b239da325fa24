//! Does a statement's `Action` / `NotAction` cover the requested action? Case-insensitive,
//! with `*` and `?` wildcards (IAM: "The prefix and the action name are case insensitive").
//! A statement with neither element (an empty list) never applies.

use super::MatchTrace;
use crate::analysis::policy::ActionSpec;
use wildmatch::WildMatch;

/// Matches the statement's action block against the requested action.
pub(crate) fn match_action(spec: &ActionSpec, action: &str) -> MatchTrace {
    let covering = |patterns: &[String]| {
        patterns
            .iter()
            .find(|p| WildMatch::new_case_insensitive(p).matches(action))
            .cloned()
    };
    match spec {
        ActionSpec::Only(patterns) if patterns.is_empty() => MatchTrace {
            matched: false,
            detail: "statement has no Action or NotAction: it never applies".to_owned(),
        },
        ActionSpec::Only(patterns) => match covering(patterns) {
            Some(p) => MatchTrace {
                matched: true,
                detail: format!("Action {p:?} covers {action:?}"),
            },
            None => MatchTrace {
                matched: false,
                detail: format!("{action:?} is not in Action {patterns:?}"),
            },
        },
        ActionSpec::Not(patterns) => match covering(patterns) {
            Some(p) => MatchTrace {
                matched: false,
                detail: format!("{action:?} is excluded by NotAction {p:?}"),
            },
            None => MatchTrace {
                matched: true,
                detail: format!("{action:?} is not in NotAction {patterns:?}"),
            },
        },
    }
}
