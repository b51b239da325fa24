//! `iam:SimulatePrincipalPolicy` (read-only: it evaluates, it changes nothing): AWS's own
//! answer for one action on one resource by a role, for `can-i --ask-aws`.

use super::{AwsSource, CallError, FailureKind};
use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum};
use irsa_core::analysis::permission::ask_aws::AwsSimulation;
use irsa_core::analysis::trust::RequestKey;

impl AwsSource {
    /// Asks the simulator whether `role_arn` may do `action` on `resource` with `keys`.
    pub async fn simulate_principal_policy(
        &self,
        role_arn: &str,
        action: &str,
        resource: &str,
        keys: &[RequestKey],
    ) -> Result<AwsSimulation, CallError> {
        const ACTION: &str = "iam:SimulatePrincipalPolicy";
        let entries: Vec<ContextEntry> = keys
            .iter()
            .map(|k| {
                let kind = if k.values.len() > 1 {
                    ContextKeyTypeEnum::StringList
                } else {
                    ContextKeyTypeEnum::String
                };
                k.values
                    .iter()
                    .fold(ContextEntry::builder().context_key_name(&k.name), |b, v| {
                        b.context_key_values(v)
                    })
                    .context_key_type(kind)
                    .build()
            })
            .collect();
        let out = self
            .call(ACTION, || {
                self.clients
                    .iam
                    .simulate_principal_policy()
                    .policy_source_arn(role_arn)
                    .action_names(action)
                    .resource_arns(resource)
                    .set_context_entries((!entries.is_empty()).then_some(entries))
                    .send()
            })
            .await?;
        let unreadable = |why: &str| CallError {
            action: ACTION,
            kind: FailureKind::Other(why.to_owned()),
        };
        let result = out
            .evaluation_results()
            .first()
            .ok_or_else(|| unreadable("the answer holds no evaluation result"))?;
        let decision = AwsSimulation::decision_from(result.eval_decision().as_str())
            .ok_or_else(|| unreadable("unknown EvalDecision in the answer"))?;
        Ok(AwsSimulation {
            decision,
            matched: result
                .matched_statements()
                .iter()
                .filter_map(|s| s.source_policy_id().map(str::to_owned))
                .collect(),
            missing_context: result.missing_context_values().to_vec(),
        })
    }
}
