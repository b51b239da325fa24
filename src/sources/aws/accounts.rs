//! Roles in other accounts: a ServiceAccount annotated with another account's role
//! (cross-account IRSA), a Pod Identity association's target role, and the roles that the
//! cluster's roles may `sts:AssumeRole` into (AUD009). IAM answers only for the caller's own
//! account, so these are read with the credentials of a profile of that account, given as
//! `--account-profile ACCOUNT=PROFILE` — the AWS CLI way (`aws --profile`), nothing guessed.
//! Without one, the view says which account and which permission it lacks.

use super::enrichment::{EnrichRequest, Enrichment};
use super::{AwsClients, AwsOptions, AwsSource, config};
use irsa_core::analysis::checks::assume_targets::assume_role_targets;
use irsa_core::model::{RoleInfo, SourceKind, arn_account};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The IAM actions a profile of another account needs for its roles to be read.
pub const OTHER_ACCOUNT_ACTIONS: &str = "iam:GetRole, iam:ListAttachedRolePolicies, \
     iam:ListRolePolicies, iam:GetRolePolicy, iam:GetPolicy, iam:GetPolicyVersion, \
     iam:ListOpenIDConnectProviders, iam:GetOpenIDConnectProvider";

/// How another account can be read.
pub enum AccountReader {
    /// A source over that account's credentials (checked with `sts:GetCallerIdentity`).
    Ready(Arc<AwsSource>),
    /// The profile given for it cannot be used; the line says why.
    Unusable(String),
}

/// Connects a reader per `--account-profile`: the profile's configuration resolved as the AWS
/// CLI does (same region as the main one), checked to be in the account it was given for.
pub async fn connect_readers(
    main: &AwsOptions,
    region: Option<String>,
) -> BTreeMap<String, AccountReader> {
    let mut readers = BTreeMap::new();
    for (account, profile) in &main.account_profiles {
        let options = AwsOptions {
            profile: Some(profile.clone()),
            region: region.clone().or_else(|| main.region.clone()),
            account_profiles: BTreeMap::new(),
            ..main.clone()
        };
        let reader = match config::load(&options, None).await {
            Err(e) => AccountReader::Unusable(format!("profile {profile}: {e}")),
            Ok(sdk) => {
                let source = AwsSource::new(AwsClients::new(&sdk), options);
                match source.caller_identity().await {
                    Ok(caller) if &caller.account == account => {
                        AccountReader::Ready(Arc::new(source))
                    }
                    Ok(caller) => AccountReader::Unusable(format!(
                        "profile {profile} is account {}, not {account}",
                        caller.account
                    )),
                    Err(e) => AccountReader::Unusable(format!(
                        "profile {profile}: {}",
                        e.status("its credentials cannot be checked")
                    )),
                }
            }
        };
        readers.insert(account.clone(), reader);
    }
    readers
}

impl AwsSource {
    /// Adds a reader for `account` (tests build it over an emulator's clients).
    pub fn with_account(mut self, account: impl Into<String>, reader: AwsSource) -> Self {
        self.others
            .insert(account.into(), AccountReader::Ready(Arc::new(reader)));
        self
    }

    /// Reads the other accounts' roles the view names (and those accounts' OIDC providers,
    /// for IRSA001) into `out`, or says per account what is missing. `account` is the
    /// caller's; nothing is read when it is unknown (which roles are "other" is then unknown).
    pub(super) async fn read_other_accounts(
        &self,
        request: &EnrichRequest,
        account: Option<&str>,
        out: &mut Enrichment,
    ) {
        let Some(ours) = account else { return };
        let mut by_account: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // Roles a ServiceAccount or an association names: only their assume-role targets are
        // followed, so the fast path (every role of the account) and the per-role path (the
        // named ones) read the same other-account roles.
        let used: BTreeSet<&str> = request
            .role_arns
            .iter()
            .map(String::as_str)
            .chain(
                out.pod_identity_associations
                    .iter()
                    .flatten()
                    .map(|a| a.role_arn.as_str()),
            )
            .collect();
        let named = request
            .role_arns
            .iter()
            .cloned()
            .chain(
                out.pod_identity_associations
                    .iter()
                    .flatten()
                    .flat_map(|a| {
                        std::iter::once(a.role_arn.clone()).chain(a.target_role_arn.clone())
                    }),
            )
            .chain(
                out.roles
                    .iter()
                    .flatten()
                    .filter(|r| r.account() == Some(ours) && used.contains(r.arn.as_str()))
                    .flat_map(assume_role_targets),
            );
        for arn in named {
            if let Some(other) = arn_account(&arn).filter(|a| *a != ours && is_account_id(a)) {
                by_account.entry(other.to_owned()).or_default().insert(arn);
            }
        }
        for (other, arns) in by_account {
            let first = arns.iter().next().cloned().unwrap_or_default();
            let more = match arns.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            match self.others.get(&other) {
                None => out.problem(
                    SourceKind::OtherAccounts,
                    format!(
                        "{first}{more} in account {other} not read: these credentials are for \
                         account {ours} — add --account-profile {other}=PROFILE (a profile of \
                         that account allowed {OTHER_ACCOUNT_ACTIONS})"
                    ),
                ),
                Some(AccountReader::Unusable(why)) => out.problem(
                    SourceKind::OtherAccounts,
                    format!("account {other}: {why} — {first}{more} not read"),
                ),
                Some(AccountReader::Ready(reader)) => {
                    reader.read_roles_for(&other, &arns, out).await;
                }
            }
        }
    }

    /// As the reader of `account`: its named roles (per-role calls, cached) and its OIDC
    /// providers, added to `out`.
    async fn read_roles_for(&self, account: &str, arns: &BTreeSet<String>, out: &mut Enrichment) {
        let fetched = futures::future::join_all(arns.iter().map(|arn| async move {
            let result = self.roles.get_or_fetch(arn, || self.fetch_role(arn)).await;
            (arn, result)
        }))
        .await;
        let mut read: Vec<RoleInfo> = Vec::new();
        for (arn, result) in fetched {
            match result {
                Ok(fetch) => {
                    for gap in fetch.gaps {
                        out.problem(SourceKind::OtherAccounts, format!("{arn}: {gap}"));
                    }
                    match fetch.role {
                        Some(role) => read.push(super::convert::canonical(role)),
                        None => out.problem(
                            SourceKind::OtherAccounts,
                            format!("{arn} does not exist in account {account} (iam:GetRole)"),
                        ),
                    }
                }
                Err(e) => out.problem(
                    SourceKind::OtherAccounts,
                    e.status(&format!("{arn} in account {account} unknown")),
                ),
            }
        }
        // Only next to a known role list of the caller's account: alone, the other account's
        // roles would make every role of the caller's account look missing.
        if let Some(roles) = out.roles.as_mut() {
            roles.extend(read);
        }
        let providers = super::cached(&self.providers, "providers", || self.oidc_providers()).await;
        for message in providers.1 {
            out.problem(
                SourceKind::OtherAccounts,
                format!("account {account}: {message}"),
            );
        }
        if let (Some(all), Some(theirs)) = (out.oidc_providers.as_mut(), providers.0) {
            all.extend(theirs);
        }
    }
}

/// Twelve digits: an account id (not `aws`, not a pattern).
fn is_account_id(account: &str) -> bool {
    account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
}
