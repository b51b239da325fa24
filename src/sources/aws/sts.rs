//! STS: who runs the tool (`GetCallerIdentity`), and the opt-in "test it for real"
//! (`AssumeRoleWithWebIdentity` with a token already minted for a ServiceAccount).
//!
//! The credentials `AssumeRoleWithWebIdentity` returns are never kept: the SDK output is
//! dropped inside [`AwsSource::test_web_identity`] after the identity fields are read, and
//! [`WebIdentityAnswer`] has no field that could hold a key, a session token or the web
//! identity token.

use super::{AwsSource, CallError, FailureKind};
use crate::messages::WebIdentityAnswer;
use aws_sdk_sts::error::ProvideErrorMetadata;
use irsa_core::model::CallerIdentity;

impl AwsSource {
    /// `sts:GetCallerIdentity`, cached like every answer.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, CallError> {
        self.caller
            .get_or_fetch("caller", || async {
                let out = self
                    .call("sts:GetCallerIdentity", || {
                        self.clients.sts.get_caller_identity().send()
                    })
                    .await?;
                Ok(CallerIdentity {
                    account: out.account().unwrap_or_default().to_owned(),
                    arn: out.arn().unwrap_or_default().to_owned(),
                    user_id: out.user_id().map(str::to_owned),
                })
            })
            .await
    }

    /// Calls `AssumeRoleWithWebIdentity` for `role_arn` with `token` (a projected
    /// ServiceAccount token) and returns AWS's verdict. Opt-in only: it creates a real session
    /// (its credentials are dropped at once, never shown or logged). Never cached.
    pub async fn test_web_identity(
        &self,
        role_arn: &str,
        token: &str,
        session_name: &str,
    ) -> WebIdentityAnswer {
        self.calls.count("sts:AssumeRoleWithWebIdentity");
        let result = self
            .clients
            .sts
            .assume_role_with_web_identity()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .web_identity_token(token)
            .send()
            .await;
        match result {
            Ok(out) => WebIdentityAnswer::Accepted {
                assumed_role_arn: out.assumed_role_user().map(|u| u.arn().to_owned()),
                subject: out.subject_from_web_identity_token().map(str::to_owned),
                provider: out.provider().map(str::to_owned),
                audience: out.audience().map(str::to_owned),
            },
            // `out` (and its credentials) is dropped at the end of the arm above.
            Err(err) => match err.as_service_error() {
                Some(service) => WebIdentityAnswer::Rejected {
                    code: service.code().unwrap_or("unknown").to_owned(),
                    message: service.message().unwrap_or_default().to_owned(),
                },
                None => {
                    let e = CallError::from_sdk("sts:AssumeRoleWithWebIdentity", &err);
                    WebIdentityAnswer::Failed(match e.kind {
                        FailureKind::Other(why)
                        | FailureKind::Unreachable(why)
                        | FailureKind::Credentials(why) => why,
                        _ => e.to_string(),
                    })
                }
            },
        }
    }
}
