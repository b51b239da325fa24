//! Which roles to read and how: the fast path when allowed, else the per-role path.
//!
//! The per-role path lists every role once (`ListRoles`, which carries each trust policy, so
//! "does it exist" and "does it trust our issuer" are answered for all roles), then reads the
//! rest (`GetRole` for tags, boundary and last use; `ListAttachedRolePolicies` +
//! `GetPolicy`/`GetPolicyVersion`; `ListRolePolicies` + `GetRolePolicy`) only for the roles the
//! view needs: annotated on a ServiceAccount, named by a Pod Identity association, behind a
//! node's instance profile, or trusting the cluster's issuer. Each role and each managed policy
//! is read once per TTL (cache by ARN); all calls share the concurrency limit.

use super::enrichment::{EnrichRequest, Enrichment};
use super::iam::Listing;
use super::{AwsSource, CallError, FailureKind, IamPath, convert};
use irsa_core::model::aws_cli::{ManagedPolicyDetail, PolicyDetail};
use irsa_core::model::{RoleInfo, SourceKind, arn_account};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One role as the per-role path read it: `None` when IAM says it does not exist; `gaps` are
/// the status lines of the parts that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RoleFetch {
    pub role: Option<RoleInfo>,
    pub gaps: Vec<String>,
}

impl AwsSource {
    /// Fills `out.roles` (and its problems/notes).
    pub(super) async fn read_roles(
        &self,
        request: &EnrichRequest,
        issuer: Option<&str>,
        account: Option<&str>,
        out: &mut Enrichment,
    ) {
        if self.options.iam_path != IamPath::PerRole {
            match self.authorization_details().await {
                Ok(listing) => {
                    out.roles = Some(listing.roles.clone());
                    return;
                }
                Err(e) if self.options.iam_path == IamPath::FastOnly => {
                    out.problem(SourceKind::IamRoles, e.status("IAM roles unknown"));
                    return;
                }
                Err(e) => out.notes.push(e.status(
                    "reading roles one by one instead (iam:ListRoles, iam:GetRole, …; slower)",
                )),
            }
        }
        self.per_role(request, issuer, account, out).await;
    }

    async fn per_role(
        &self,
        request: &EnrichRequest,
        issuer: Option<&str>,
        account: Option<&str>,
        out: &mut Enrichment,
    ) {
        let listing = self.role_listing().await;
        let wanted = wanted_roles(request, issuer, listing.as_deref().ok(), out);
        // Other accounts' roles are read by `read_other_accounts`, with their credentials.
        let ours: Vec<&String> = wanted
            .iter()
            .filter(|arn| account.is_none() || arn_account(arn) == account)
            .collect();
        let fetched = futures::future::join_all(ours.iter().map(|arn| async move {
            let result = self.roles.get_or_fetch(arn, || self.fetch_role(arn)).await;
            (*arn, result)
        }))
        .await;

        let mut roles: BTreeMap<String, RoleInfo> = match &listing {
            Ok(l) => l.roles.iter().map(|r| (r.arn.clone(), r.clone())).collect(),
            Err(e) => {
                out.problem(
                    SourceKind::IamRoles,
                    e.status(
                        "only roles named by ServiceAccounts, associations and nodes were read; \
                         other roles trusting the cluster are not listed",
                    ),
                );
                BTreeMap::new()
            }
        };
        let mut gaps: BTreeMap<String, usize> = BTreeMap::new();
        for (arn, result) in fetched {
            match result {
                Ok(RoleFetch {
                    role: Some(mut role),
                    gaps: role_gaps,
                }) => {
                    if let Some(listed) = roles.get(&role.arn) {
                        role.instance_profiles.clone_from(&listed.instance_profiles);
                    }
                    roles.insert(role.arn.clone(), convert::canonical(role));
                    for g in role_gaps {
                        *gaps.entry(g).or_default() += 1;
                    }
                }
                Ok(RoleFetch { role: None, .. }) => {
                    roles.remove(arn.as_str());
                }
                Err(e) => {
                    // The listing's trust-only copy (if any) stays; the gap is reported.
                    out.problem(
                        SourceKind::IamRoles,
                        e.status(&format!("tags, policies and last use of {arn} unknown")),
                    );
                }
            }
        }
        for (gap, count) in gaps {
            let suffix = if count > 1 {
                format!(" ({count} roles)")
            } else {
                String::new()
            };
            out.problem(SourceKind::IamRoles, format!("{gap}{suffix}"));
        }
        out.roles = Some(roles.into_values().collect());
    }

    /// Reads one role and its policies (per-role path).
    pub(super) async fn fetch_role(&self, arn: &str) -> Result<RoleFetch, CallError> {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        let got = self
            .call("iam:GetRole", || {
                self.clients.iam.get_role().role_name(name).send()
            })
            .await;
        let role = match got {
            Ok(out) => match out.role() {
                Some(r) => r.clone(),
                None => {
                    return Ok(RoleFetch {
                        role: None,
                        gaps: Vec::new(),
                    });
                }
            },
            Err(e) if e.kind == FailureKind::NotFound => {
                return Ok(RoleFetch {
                    role: None,
                    gaps: Vec::new(),
                });
            }
            Err(e) => return Err(e),
        };
        let mut detail = convert::role(&role);
        let mut gaps = Vec::new();
        let (attached, inline) =
            tokio::join!(self.attached_policies(name), self.inline_policies(name));
        match attached {
            Ok(list) => detail.attached_managed_policies = list,
            Err(e) => gaps.push(e.status("attached managed policies unknown")),
        }
        match inline {
            Ok(list) => detail.role_policy_list = list,
            Err(e) => gaps.push(e),
        }
        // The attached managed policies and the permissions boundary (both managed policies:
        // their default version is what IAM evaluates).
        let boundary = detail
            .permissions_boundary
            .as_ref()
            .map(|b| b.permissions_boundary_arn.as_str());
        let policies = futures::future::join_all(
            detail
                .attached_managed_policies
                .iter()
                .map(|a| a.policy_arn.as_str())
                .chain(boundary)
                .map(|arn| self.managed_policy(arn)),
        )
        .await;
        let mut known: Vec<ManagedPolicyDetail> = Vec::new();
        for result in policies {
            match result {
                Ok(p) => known.push(p),
                Err(e) => gaps.push(e.status("permissions of attached managed policies unknown")),
            }
        }
        let by_arn: HashMap<&str, &ManagedPolicyDetail> =
            known.iter().map(|p| (p.arn.as_str(), p)).collect();
        let mut info = detail.to_role_info(&by_arn);
        info.max_session_duration = role.max_session_duration().map(i64::from);
        Ok(RoleFetch {
            role: Some(info),
            gaps,
        })
    }

    async fn attached_policies(
        &self,
        name: &str,
    ) -> Result<Vec<irsa_core::model::aws_cli::AttachedPolicy>, CallError> {
        let mut list = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .call("iam:ListAttachedRolePolicies", || {
                    self.clients
                        .iam
                        .list_attached_role_policies()
                        .role_name(name)
                        .set_marker(marker.clone())
                        .send()
                })
                .await?;
            list.extend(page.attached_policies().iter().map(convert::attached));
            marker = page
                .marker()
                .map(str::to_owned)
                .filter(|_| page.is_truncated());
            if marker.is_none() {
                return Ok(list);
            }
        }
    }

    /// Inline policies; the error is already a status line.
    async fn inline_policies(&self, name: &str) -> Result<Vec<PolicyDetail>, String> {
        let mut names = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let page = self
                .call("iam:ListRolePolicies", || {
                    self.clients
                        .iam
                        .list_role_policies()
                        .role_name(name)
                        .set_marker(marker.clone())
                        .send()
                })
                .await
                .map_err(|e| e.status("inline policies unknown"))?;
            names.extend(page.policy_names().iter().cloned());
            marker = page
                .marker()
                .map(str::to_owned)
                .filter(|_| page.is_truncated());
            if marker.is_none() {
                break;
            }
        }
        let docs = futures::future::join_all(names.iter().map(|policy| async move {
            self.call("iam:GetRolePolicy", || {
                self.clients
                    .iam
                    .get_role_policy()
                    .role_name(name)
                    .policy_name(policy)
                    .send()
            })
            .await
            .map(|out| PolicyDetail {
                policy_name: policy.clone(),
                policy_document: convert::document(out.policy_document()),
            })
        }))
        .await;
        docs.into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.status("inline policy documents unknown"))
    }

    /// A managed policy's default version, cached by policy ARN.
    async fn managed_policy(&self, arn: &str) -> Result<ManagedPolicyDetail, CallError> {
        self.policies
            .get_or_fetch(arn, || async {
                let got = self
                    .call("iam:GetPolicy", || {
                        self.clients.iam.get_policy().policy_arn(arn).send()
                    })
                    .await?;
                let policy = got.policy();
                let version_id = policy
                    .and_then(|p| p.default_version_id())
                    .unwrap_or("v1")
                    .to_owned();
                let version = self
                    .call("iam:GetPolicyVersion", || {
                        self.clients
                            .iam
                            .get_policy_version()
                            .policy_arn(arn)
                            .version_id(&version_id)
                            .send()
                    })
                    .await?;
                Ok(ManagedPolicyDetail {
                    policy_name: policy
                        .and_then(|p| p.policy_name())
                        .unwrap_or_default()
                        .to_owned(),
                    arn: arn.to_owned(),
                    policy_id: policy.and_then(|p| p.policy_id()).map(str::to_owned),
                    path: policy.and_then(|p| p.path()).map(str::to_owned),
                    default_version_id: Some(version_id),
                    attachment_count: None,
                    permissions_boundary_usage_count: None,
                    is_attachable: None,
                    description: None,
                    create_date: None,
                    update_date: None,
                    policy_version_list: version
                        .policy_version()
                        .map(convert::policy_version)
                        .into_iter()
                        .collect(),
                })
            })
            .await
    }
}

/// The roles the view needs: annotated, associated, node roles, and roles whose trust policy
/// names the cluster's OIDC provider.
fn wanted_roles(
    request: &EnrichRequest,
    issuer: Option<&str>,
    listing: Option<&Listing>,
    out: &mut Enrichment,
) -> BTreeSet<String> {
    let mut wanted: BTreeSet<String> = request.role_arns.clone();
    for a in out.pod_identity_associations.iter().flatten() {
        wanted.insert(a.role_arn.clone());
        wanted.extend(a.target_role_arn.clone());
    }
    let profiles: BTreeSet<&str> = out
        .instances
        .iter()
        .flatten()
        .filter_map(|i| i.instance_profile_arn.as_deref())
        .collect();
    match listing.map(|l| &l.profiles) {
        Some(Ok(map)) => {
            for p in &profiles {
                wanted.extend(map.get(*p).into_iter().flatten().cloned());
            }
        }
        Some(Err(e)) if !profiles.is_empty() => out.problem(
            SourceKind::IamRoles,
            e.status("which role each node's instance profile holds is unknown"),
        ),
        _ => {}
    }
    if let (Some(issuer), Some(listing)) = (issuer, listing) {
        let host = issuer.strip_prefix("https://").unwrap_or(issuer);
        let needle = format!("oidc-provider/{}", host.trim_end_matches('/'));
        for role in &listing.roles {
            let trusts = role
                .trust_policy
                .as_ref()
                .is_some_and(|t| t.to_string().contains(&needle));
            if trusts {
                wanted.insert(role.arn.clone());
            }
        }
    }
    wanted
}
