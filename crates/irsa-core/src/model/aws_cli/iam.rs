//! IAM: `aws iam get-account-authorization-details` and the OIDC providers file
//! (`list-open-id-connect-providers` + `get-open-id-connect-provider` per provider).

use super::{cli_time, tag_map};
use crate::model::{self, OidcProvider, RawPolicyDocument, RoleInfo};
use jiff::Timestamp;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The output of `aws iam get-account-authorization-details --output json` (the CLI merges
/// all pages). Users and groups are not needed and are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountAuthorizationDetails {
    #[serde(default)]
    pub role_detail_list: Vec<RoleDetail>,
    /// Managed policies (customer managed, and AWS managed ones attached to something).
    #[serde(default)]
    pub policies: Vec<ManagedPolicyDetail>,
    /// True when the output is one page of several (`--no-paginate`): then roles are missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// `RoleDetail`: one role with its trust policy, policies, boundary, tags and last use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    pub arn: String,
    pub role_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    /// Decoded JSON object (CLI) or URL-encoded text (API/SDK).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role_policy_document: Option<RawPolicyDocument>,
    #[serde(default)]
    pub instance_profile_list: Vec<InstanceProfile>,
    /// Inline policies.
    #[serde(default)]
    pub role_policy_list: Vec<PolicyDetail>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<AttachedPermissionsBoundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// `{}` when the role was never used (within IAM's tracking window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_last_used: Option<RoleLastUsed>,
}

/// An instance profile that contains a role (node roles are reached through these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profile_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profile_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    /// The roles in the profile: skipped when read, only counted. Each is a full `Role`
    /// (trust policy included) that the projection never reads — the role itself is in
    /// `RoleDetailList`, and the profile is linked to it by this entry's place — so keeping
    /// them cost a copy of every node role per instance profile. Never written back.
    #[serde(default, skip_serializing)]
    pub roles: Vec<IgnoredAny>,
}

/// `PolicyDetail`: an inline policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDetail {
    pub policy_name: String,
    pub policy_document: RawPolicyDocument,
}

/// `AttachedPolicy`: a managed policy attached to a role (name and ARN only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
}

/// `AttachedPermissionsBoundary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPermissionsBoundary {
    pub permissions_boundary_arn: String,
    /// `Policy` (the only type IAM has).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_type: Option<String>,
}

/// A tag as IAM and EC2 print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// `RoleLastUsed`: both fields absent when the role was never used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub last_used_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// `ManagedPolicyDetail`: a managed policy with all its versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicyDetail {
    pub policy_name: String,
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_usage_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_attachable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub update_date: Option<Timestamp>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

/// `PolicyVersion`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<RawPolicyDocument>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default)]
    pub is_default_version: bool,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
}

impl ManagedPolicyDetail {
    /// The operative document: the version named by `DefaultVersionId`, else the one flagged
    /// `IsDefaultVersion`.
    pub fn default_document(&self) -> Option<&RawPolicyDocument> {
        let by_id = self.default_version_id.as_deref().and_then(|id| {
            self.policy_version_list
                .iter()
                .find(|v| v.version_id.as_deref() == Some(id))
        });
        by_id
            .or_else(|| {
                self.policy_version_list
                    .iter()
                    .find(|v| v.is_default_version)
            })
            .and_then(|v| v.document.as_ref())
    }
}

impl AccountAuthorizationDetails {
    /// Every role as a [`RoleInfo`], attached managed policies resolved to their default
    /// version's document from `Policies` (`None` when the policy is not in the output).
    pub fn roles(&self) -> Vec<RoleInfo> {
        let policies: HashMap<&str, &ManagedPolicyDetail> =
            self.policies.iter().map(|p| (p.arn.as_str(), p)).collect();
        self.role_detail_list
            .iter()
            .map(|r| r.to_role_info(&policies))
            .collect()
    }

    /// [`AccountAuthorizationDetails::roles`], consuming the output: each role's own texts
    /// and documents are moved, not copied (managed policy documents are still copied into
    /// every role that attaches them).
    pub fn into_roles(self) -> Vec<RoleInfo> {
        let policies: HashMap<&str, &ManagedPolicyDetail> =
            self.policies.iter().map(|p| (p.arn.as_str(), p)).collect();
        self.role_detail_list
            .into_iter()
            .map(|r| r.into_role_info(&policies))
            .collect()
    }
}

impl RoleDetail {
    /// Projects the role; `policies` maps managed policy ARNs to their details.
    pub fn to_role_info(&self, policies: &HashMap<&str, &ManagedPolicyDetail>) -> RoleInfo {
        self.clone().into_role_info(policies)
    }

    /// [`RoleDetail::to_role_info`], moving the role's own texts and documents.
    pub fn into_role_info(self, policies: &HashMap<&str, &ManagedPolicyDetail>) -> RoleInfo {
        let default_document = |arn: &str| {
            policies
                .get(arn)
                .and_then(|p| p.default_document())
                .cloned()
        };
        let mut role = RoleInfo::new(&self.arn, self.assume_role_policy_document);
        role.name = self.role_name;
        role.role_id = self.role_id;
        if let Some(path) = self.path {
            role.path = path;
        }
        role.attached_policies = self
            .attached_managed_policies
            .into_iter()
            .map(|a| model::AttachedPolicy {
                document: default_document(&a.policy_arn),
                name: a.policy_name,
                arn: a.policy_arn,
            })
            .collect();
        role.inline_policies = self
            .role_policy_list
            .into_iter()
            .map(|p| model::InlinePolicy {
                name: p.policy_name,
                document: p.policy_document,
            })
            .collect();
        role.permissions_boundary_document = self
            .permissions_boundary
            .as_ref()
            .and_then(|b| default_document(&b.permissions_boundary_arn));
        role.permissions_boundary = self
            .permissions_boundary
            .map(|b| b.permissions_boundary_arn);
        role.tags = self.tags.into_iter().map(|t| (t.key, t.value)).collect();
        // Present-but-empty means "never used"; absent means "not reported".
        role.last_used = self.role_last_used.map(|u| model::RoleLastUsed {
            date: u.last_used_date,
            region: u.region,
        });
        role.created = self.create_date;
        role.instance_profiles = self
            .instance_profile_list
            .into_iter()
            .map(|p| p.arn)
            .collect();
        role
    }
}

/// The snapshot file `iam-oidc-providers.json`: `{"OpenIDConnectProviders": [ … ]}`, one entry
/// per provider of `list-open-id-connect-providers`, each the output of
/// `get-open-id-connect-provider` plus its `Arn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenIdConnectProviders {
    #[serde(rename = "OpenIDConnectProviders")]
    pub providers: Vec<OpenIdConnectProvider>,
}

/// One provider: `Arn` plus the fields of `get-open-id-connect-provider`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdConnectProvider {
    pub arn: String,
    /// Host and path without `https://` (as IAM stores it); derived from the ARN when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(rename = "ClientIDList", default)]
    pub client_id_list: Vec<String>,
    #[serde(default)]
    pub thumbprint_list: Vec<String>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub create_date: Option<Timestamp>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl OpenIdConnectProviders {
    /// Every provider as an [`OidcProvider`].
    pub fn providers(&self) -> Vec<OidcProvider> {
        self.providers.iter().map(OidcProvider::from).collect()
    }
}

impl From<&OpenIdConnectProvider> for OidcProvider {
    fn from(p: &OpenIdConnectProvider) -> Self {
        let url = p
            .url
            .as_deref()
            .or_else(|| p.arn.split_once(":oidc-provider/").map(|(_, url)| url))
            .unwrap_or_default();
        let url = url
            .strip_prefix("https://")
            .unwrap_or(url)
            .trim_end_matches('/');
        OidcProvider {
            arn: p.arn.clone(),
            url: url.to_owned(),
            client_ids: p.client_id_list.clone(),
            thumbprints: p.thumbprint_list.clone(),
            tags: tag_map(&p.tags),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn details() -> AccountAuthorizationDetails {
        serde_json::from_value(json!({
            "UserDetailList": [],
            "RoleDetailList": [{
                "Path": "/",
                "RoleName": "app-role",
                "RoleId": "AROAEXAMPLE",
                "Arn": "arn:aws:iam::123456789012:role/app-role",
                "CreateDate": "2026-04-01T10:00:00+00:00",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
                "InstanceProfileList": [],
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Statement": []}}],
                "AttachedManagedPolicies": [
                    {"PolicyName": "p", "PolicyArn": "arn:aws:iam::123456789012:policy/p"},
                    {"PolicyName": "gone", "PolicyArn": "arn:aws:iam::123456789012:policy/gone"}
                ],
                "PermissionsBoundary": {
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/boundary"
                },
                "Tags": [{"Key": "app", "Value": "x"}],
                "RoleLastUsed": {},
                "SomeFieldFromTheFuture": true
            }],
            "Policies": [{
                "PolicyName": "p",
                "Arn": "arn:aws:iam::123456789012:policy/p",
                "DefaultVersionId": "v2",
                "PolicyVersionList": [
                    {"Document": {"Version": "2012-10-17", "Statement": [{"Sid": "new"}]},
                     "VersionId": "v2", "IsDefaultVersion": true},
                    {"Document": {"Version": "2012-10-17", "Statement": [{"Sid": "old"}]},
                     "VersionId": "v1", "IsDefaultVersion": false}
                ]
            }]
        }))
        .unwrap()
    }

    #[test]
    fn attached_policies_resolve_to_the_default_version_document() {
        let roles = details().roles();
        let role = &roles[0];
        assert_eq!(role.name, "app-role");
        assert_eq!(
            role.attached_policies[0].document,
            Some(json!({"Version": "2012-10-17", "Statement": [{"Sid": "new"}]}))
        );
        assert_eq!(
            role.attached_policies[1].document, None,
            "a policy missing from Policies stays unknown"
        );
        assert_eq!(
            role.permissions_boundary.as_deref(),
            Some("arn:aws:iam::123456789012:policy/boundary")
        );
        assert_eq!(role.tags.get("app").map(String::as_str), Some("x"));
        assert_eq!(role.inline_policies[0].name, "inline");
    }

    #[test]
    fn an_empty_role_last_used_means_never_used_and_absent_means_unknown() {
        let mut d = details();
        let never = &d.roles()[0];
        assert_eq!(
            never.last_used,
            Some(model::RoleLastUsed {
                date: None,
                region: None
            })
        );
        d.role_detail_list[0].role_last_used = None;
        assert_eq!(d.roles()[0].last_used, None);
    }

    #[test]
    fn instance_profiles_keep_their_arn_and_skip_the_roles_inside() {
        let mut d = details();
        let profile: InstanceProfile = serde_json::from_value(json!({
            "Arn": "arn:aws:iam::123456789012:instance-profile/node",
            "InstanceProfileName": "node",
            "Roles": [{"RoleName": "node-role", "Arn": "arn:aws:iam::123456789012:role/node-role",
                       "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow"}]}}]
        }))
        .unwrap();
        assert_eq!(profile.roles.len(), 1);
        let written = serde_json::to_value(&profile).unwrap();
        assert_eq!(written.get("Roles"), None, "{written}");
        d.role_detail_list[0].instance_profile_list.push(profile);
        let roles = d.clone().into_roles();
        assert_eq!(
            roles[0].instance_profiles,
            ["arn:aws:iam::123456789012:instance-profile/node"]
        );
        // Moving the output's parts gives what copying them gave.
        assert_eq!(roles, d.roles());
    }

    #[test]
    fn provider_url_is_stored_without_scheme_and_derived_from_the_arn_when_missing() {
        let file: OpenIdConnectProviders = serde_json::from_value(json!({
            "OpenIDConnectProviders": [
                {"Arn": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/id/A",
                 "Url": "https://oidc.example.com/id/A", "ClientIDList": ["sts.amazonaws.com"]},
                {"Arn": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/id/B"}
            ]
        }))
        .unwrap();
        let providers = file.providers();
        assert_eq!(providers[0].url, "oidc.example.com/id/A");
        assert_eq!(providers[0].client_ids, ["sts.amazonaws.com"]);
        assert_eq!(providers[1].url, "oidc.example.com/id/B");
    }
}
