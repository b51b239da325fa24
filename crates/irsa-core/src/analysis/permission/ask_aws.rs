//! What AWS's own simulator (`iam:SimulatePrincipalPolicy`, read-only) answered for the same
//! request, beside ours, and whether the two agree.
//!
//! They can differ for reasons that are not errors: the simulator evaluates the role's
//! identity policies and boundary (and the SCPs of its account) but not a session policy or
//! session tags it was not given, and it evaluates resource policies only when they are
//! passed. The comparison says so instead of declaring a winner.

use super::PermissionDecision;
use super::can_i::CanIDecision;
use serde::{Deserialize, Serialize};

/// The simulator's answer for one action and resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsSimulation {
    pub decision: PermissionDecision,
    /// `SourcePolicyId`s of the matched statements.
    pub matched: Vec<String>,
    /// Context keys the simulator says it needed and did not get.
    pub missing_context: Vec<String>,
}

impl AwsSimulation {
    /// The simulator's `EvalDecision` (`allowed`, `explicitDeny`, `implicitDeny`).
    pub fn decision_from(eval: &str) -> Option<PermissionDecision> {
        match eval {
            "allowed" => Some(PermissionDecision::Allow),
            "explicitDeny" => Some(PermissionDecision::ExplicitDeny),
            "implicitDeny" => Some(PermissionDecision::ImplicitDeny),
            _ => None,
        }
    }
}

/// Our answer against AWS's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsComparison {
    pub aws: AwsSimulation,
    pub agrees: bool,
    /// Why they may differ, when they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Compares our decision with the simulator's; `session_policy` says whether ours applied a
/// session policy the simulator does not see.
pub fn compare(ours: CanIDecision, aws: AwsSimulation, session_policy: bool) -> AwsComparison {
    let agrees = CanIDecision::from(aws.decision) == ours;
    if ours == CanIDecision::Unknown {
        return AwsComparison {
            aws,
            agrees,
            note: Some(
                "ours is unknown (see its unknowns): AWS's answer is the only one here".to_owned(),
            ),
        };
    }
    let note = (!agrees).then(|| {
        let mut why = Vec::new();
        if session_policy {
            why.push("ours applies the Pod Identity association's session policy, which the simulator is not given");
        }
        if !aws.missing_context.is_empty() {
            why.push("the simulator lacked context keys (listed)");
        }
        why.push("the simulator sees resource policies only when they are passed, and SCPs of its own account only");
        why.join("; ")
    });
    AwsComparison { aws, agrees, note }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(eval: &str) -> AwsSimulation {
        AwsSimulation {
            decision: AwsSimulation::decision_from(eval).unwrap(),
            matched: Vec::new(),
            missing_context: Vec::new(),
        }
    }

    #[test]
    fn the_simulators_words_map_to_our_decisions_and_disagreement_is_explained() {
        assert!(compare(CanIDecision::Allow, sim("allowed"), false).agrees);
        assert!(compare(CanIDecision::ExplicitDeny, sim("explicitDeny"), false).agrees);
        let c = compare(CanIDecision::ImplicitDeny, sim("allowed"), true);
        assert!(!c.agrees);
        assert!(c.note.unwrap().contains("session policy"));
        assert_eq!(AwsSimulation::decision_from("maybe"), None);
        let c = compare(CanIDecision::Unknown, sim("allowed"), false);
        assert!(!c.agrees);
        assert!(
            c.note.unwrap().contains("ours is unknown"),
            "no list of false reasons"
        );
    }
}
