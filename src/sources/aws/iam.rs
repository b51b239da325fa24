//! IAM listings: the OIDC providers, the fast path (`GetAccountAuthorizationDetails`: every
//! role with its trust, inline and attached policies, and every managed policy's versions, in
//! a few paginated calls) and the least-privilege listing (`ListRoles` for every role's trust
//! policy, `ListInstanceProfiles` for node roles) that the per-role path completes.

use super::eks::ReadList;
use super::{AwsSource, CallError, convert};
use aws_sdk_iam::types::EntityType;
use irsa_core::model::aws_cli::AccountAuthorizationDetails;
use irsa_core::model::{OidcProvider, RoleInfo};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Items per page asked of IAM list calls (its maximum).
const PAGE: i32 = 1000;

/// Every role of the caller's account as one listing gives it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Listing {
    /// Sorted by ARN. From the fast path: complete. From `ListRoles`: trust policy, path, id,
    /// creation and session duration only (the per-role path adds the rest where needed).
    pub roles: Vec<RoleInfo>,
    /// Instance profile ARN → ARNs of its roles (`ListInstanceProfiles`); `Err` when denied.
    pub profiles: Result<BTreeMap<String, Vec<String>>, CallError>,
}

impl AwsSource {
    /// Every OIDC provider of the account, with audiences and thumbprints.
    pub(super) async fn oidc_providers(&self) -> ReadList<OidcProvider> {
        let list = self
            .call("iam:ListOpenIDConnectProviders", || {
                self.clients.iam.list_open_id_connect_providers().send()
            })
            .await;
        let list = match list {
            Ok(l) => l,
            Err(e) => {
                return (
                    None,
                    vec![e.status("whether the cluster's OIDC provider exists is unknown")],
                );
            }
        };
        let arns: Vec<String> = list
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|p| p.arn().map(str::to_owned))
            .collect();
        let got = futures::future::join_all(arns.iter().map(|arn| async move {
            self.call("iam:GetOpenIDConnectProvider", || {
                self.clients
                    .iam
                    .get_open_id_connect_provider()
                    .open_id_connect_provider_arn(arn)
                    .send()
            })
            .await
            .map(|out| OidcProvider::from(&convert::oidc_provider(arn, &out)))
        }))
        .await;
        let mut providers = Vec::new();
        for (arn, result) in arns.iter().zip(got) {
            match result {
                Ok(p) => providers.push(p),
                Err(e) => {
                    return (
                        None,
                        vec![e.status(&format!("audiences (ClientIDList) of {arn} unknown"))],
                    );
                }
            }
        }
        (Some(providers), Vec::new())
    }

    /// The fast path, cached: `GetAccountAuthorizationDetails` for roles and managed policies.
    pub(super) async fn authorization_details(&self) -> Result<Arc<Listing>, CallError> {
        self.listings
            .get_or_fetch("GetAccountAuthorizationDetails", || async {
                let mut details = AccountAuthorizationDetails::default();
                let mut marker: Option<String> = None;
                loop {
                    let page = self
                        .call("iam:GetAccountAuthorizationDetails", || {
                            self.clients
                                .iam
                                .get_account_authorization_details()
                                .filter(EntityType::Role)
                                .filter(EntityType::LocalManagedPolicy)
                                .filter(EntityType::AwsManagedPolicy)
                                .max_items(PAGE)
                                .set_marker(marker.clone())
                                .send()
                        })
                        .await?;
                    details
                        .role_detail_list
                        .extend(page.role_detail_list().iter().map(convert::role_detail));
                    details
                        .policies
                        .extend(page.policies().iter().map(convert::managed_policy));
                    marker = page
                        .marker()
                        .map(str::to_owned)
                        .filter(|_| page.is_truncated());
                    if marker.is_none() {
                        break;
                    }
                }
                let mut roles: Vec<RoleInfo> = details
                    .roles()
                    .into_iter()
                    .map(convert::canonical)
                    .collect();
                roles.sort_by(|a, b| a.arn.cmp(&b.arn));
                Ok(Arc::new(Listing {
                    roles,
                    profiles: Ok(BTreeMap::new()),
                }))
            })
            .await
    }

    /// The least-privilege listing, cached: `ListRoles` + `ListInstanceProfiles`.
    pub(super) async fn role_listing(&self) -> Result<Arc<Listing>, CallError> {
        self.listings
            .get_or_fetch("ListRoles", || async {
                let (roles, profiles) = tokio::join!(self.list_roles(), self.list_profiles());
                let mut roles = roles?;
                if let Ok(profiles) = &profiles {
                    for (profile, role_arns) in profiles {
                        for role in roles.iter_mut().filter(|r| role_arns.contains(&r.arn)) {
                            role.instance_profiles.push(profile.clone());
                        }
                    }
                }
                let roles = roles.into_iter().map(convert::canonical).collect();
                Ok(Arc::new(Listing { roles, profiles }))
            })
            .await
    }

    async fn list_roles(&self) -> Result<Vec<RoleInfo>, CallError> {
        let mut roles = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .call("iam:ListRoles", || {
                    self.clients
                        .iam
                        .list_roles()
                        .max_items(PAGE)
                        .set_marker(marker.clone())
                        .send()
                })
                .await?;
            for r in page.roles() {
                let mut role = convert::role(r).to_role_info(&Default::default());
                role.max_session_duration = r.max_session_duration().map(i64::from);
                // ListRoles reports neither tags nor last use: unknown, not empty.
                role.last_used = None;
                roles.push(role);
            }
            marker = page
                .marker()
                .map(str::to_owned)
                .filter(|_| page.is_truncated());
            if marker.is_none() {
                break;
            }
        }
        roles.sort_by(|a, b| a.arn.cmp(&b.arn));
        Ok(roles)
    }

    async fn list_profiles(&self) -> Result<BTreeMap<String, Vec<String>>, CallError> {
        let mut profiles = BTreeMap::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .call("iam:ListInstanceProfiles", || {
                    self.clients
                        .iam
                        .list_instance_profiles()
                        .max_items(PAGE)
                        .set_marker(marker.clone())
                        .send()
                })
                .await?;
            for p in page.instance_profiles() {
                let roles = p.roles().iter().map(|r| r.arn().to_owned()).collect();
                profiles.insert(p.arn().to_owned(), roles);
            }
            marker = page
                .marker()
                .map(str::to_owned)
                .filter(|_| page.is_truncated());
            if marker.is_none() {
                return Ok(profiles);
            }
        }
    }
}
