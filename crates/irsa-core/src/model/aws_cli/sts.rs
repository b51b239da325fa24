//! STS: `aws sts get-caller-identity`.

use crate::model::CallerIdentity;
use serde::{Deserialize, Serialize};

/// The output of `aws sts get-caller-identity --output json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCallerIdentityOutput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub account: String,
    pub arn: String,
}

impl From<&GetCallerIdentityOutput> for CallerIdentity {
    fn from(c: &GetCallerIdentityOutput) -> Self {
        CallerIdentity {
            account: c.account.clone(),
            arn: c.arn.clone(),
            user_id: c.user_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_identity_projects_all_three_fields() {
        let out: GetCallerIdentityOutput = serde_json::from_str(
            r#"{"UserId": "AROAEXAMPLE:alice", "Account": "123456789012",
                "Arn": "arn:aws:sts::123456789012:assumed-role/PlatformAdmin/alice"}"#,
        )
        .unwrap();
        let c = CallerIdentity::from(&out);
        assert_eq!(c.account, "123456789012");
        assert_eq!(c.user_id.as_deref(), Some("AROAEXAMPLE:alice"));
        assert!(c.arn.ends_with("/alice"));
    }
}
