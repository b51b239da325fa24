//! Rows of the Roles pane: every role an SA is mapped to (IRSA annotation or Pod Identity
//! association), every role whose trust names this cluster's OIDC provider, and every role the
//! analysis reported on, with the reverse mapping role → ServiceAccounts.

use super::{Index, arn_name, haystack};
use crate::rows::Row;
use irsa_core::analysis::checks::audit_trust::trusts_issuer;
use irsa_core::analysis::inventory::{InventoryIndex, issuer_host};
use irsa_core::analysis::permission::can_i;
use irsa_core::model::{FindingCode, RoleLookup, Severity, Subject, SubjectKind};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Whether the role's details are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleState {
    Found,
    /// The role list is known and this role is not in it.
    Missing,
    /// The role list could not be read.
    Unknown,
}

/// A short flag beside a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleFlag {
    /// Used by more than one ServiceAccount.
    Shared,
    /// The analysis reports a trusted subject that does not exist (AUD005, role in use).
    Dangling,
    /// The analysis reports a role trusting the cluster that no SA uses (AUD005, unused).
    Orphan,
    /// In another account than the cluster.
    CrossAccount,
    /// Its policies grant `*` on `*` unconditionally, and no boundary narrows it.
    Admin,
    /// Its policies grant `iam:PassRole` (not removed by a boundary): it can hand roles to
    /// services.
    PassRole,
}

impl RoleFlag {
    /// The text badge.
    pub fn label(self) -> &'static str {
        match self {
            RoleFlag::Shared => "SHARED",
            RoleFlag::Dangling => "DANGLING",
            RoleFlag::Orphan => "ORPHAN",
            RoleFlag::CrossAccount => "X-ACCT",
            RoleFlag::Admin => "ADMIN",
            RoleFlag::PassRole => "PASSROLE",
        }
    }
}

/// One IAM role.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleRow {
    pub key: String,
    pub arn: String,
    pub name: String,
    pub account: Option<String>,
    pub state: RoleState,
    /// `ns/name` of every SA mapped to the role.
    pub used_by: Vec<String>,
    pub flags: Vec<RoleFlag>,
    /// Attached policy names, then inline ones (prefixed `inline:`).
    pub policies: Vec<String>,
    pub worst: Option<FindingCode>,
    pub worst_severity: Option<Severity>,
    haystack: String,
}

pub(super) fn derive(ix: &Index) -> Vec<RoleRow> {
    let (inventory, report) = (ix.inventory, ix.report);
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for b in &report.bindings {
        let sa = &b.service_account;
        let label = format!("{}/{}", sa.namespace.as_deref().unwrap_or(""), sa.name);
        for arn in [&b.role_arn, &b.pod_identity_role_arn]
            .into_iter()
            .flatten()
        {
            let list = users.entry(arn.clone()).or_default();
            if !list.contains(&label) {
                list.push(label.clone());
            }
        }
    }
    for f in &report.findings {
        if f.subject.kind == SubjectKind::Role {
            users.entry(f.subject.name.clone()).or_default();
        }
    }
    // Roles whose trust names this cluster's OIDC provider, used or not (the analysis decides).
    let analysis_index = InventoryIndex::new(inventory);
    if let Some(host) = analysis_index.issuer().map(issuer_host) {
        for role in analysis_index.roles() {
            if trusts_issuer(&analysis_index, role, host) {
                users.entry(role.arn.clone()).or_default();
            }
        }
    }
    let cluster_account = report.account.as_deref().or(inventory.account());
    // Managed policies are shared by many roles: each document is parsed once per derive.
    let mut policies_parsed = can_i::PolicyCache::default();
    users
        .into_iter()
        .map(|(arn, used_by)| {
            let subject = Subject::role(&arn);
            let (state, info) = match inventory.role(&arn) {
                RoleLookup::Found(r) => (RoleState::Found, Some(r)),
                RoleLookup::Missing => (RoleState::Missing, None),
                RoleLookup::Unknown => (RoleState::Unknown, None),
            };
            let account = irsa_core::model::arn_account(&arn).map(str::to_owned);
            let mut flags = Vec::new();
            if used_by.len() > 1 {
                flags.push(RoleFlag::Shared);
            }
            let aud005 = ix.has(FindingCode::AUD005, &subject);
            if aud005 {
                flags.push(if used_by.is_empty() {
                    RoleFlag::Orphan
                } else {
                    RoleFlag::Dangling
                });
            }
            if let (Some(a), Some(c)) = (account.as_deref(), cluster_account)
                && a != c
            {
                flags.push(RoleFlag::CrossAccount);
            }
            // What the role can do, summarised here (off the UI thread, with the other rows).
            if let Some(role) = info {
                let summary = can_i::role_summary_cached(inventory, role, &mut policies_parsed);
                if summary.is_admin() {
                    flags.push(RoleFlag::Admin);
                }
                if summary.can_pass_roles() {
                    flags.push(RoleFlag::PassRole);
                }
            }
            let policies: Vec<String> = info
                .map(|r| {
                    r.attached_policies
                        .iter()
                        .map(|p| p.name.clone())
                        .chain(
                            r.inline_policies
                                .iter()
                                .map(|p| format!("inline:{}", p.name)),
                        )
                        .collect()
                })
                .unwrap_or_default();
            let worst = ix.worst_about(&subject);
            let name = info
                .map(|r| r.name.clone())
                .unwrap_or_else(|| arn_name(&arn).to_owned());
            let flag_text: Vec<&str> = flags.iter().map(|f| f.label()).collect();
            let hay = haystack(
                [arn.as_str(), name.as_str()]
                    .into_iter()
                    .chain(used_by.iter().map(String::as_str))
                    .chain(policies.iter().map(String::as_str))
                    .chain(flag_text)
                    .chain(worst.map(|w| w.1.as_str())),
            );
            RoleRow {
                key: arn.clone(),
                arn,
                name,
                account,
                state,
                used_by,
                flags,
                policies,
                worst: worst.map(|w| w.1),
                worst_severity: worst.map(|w| w.0),
                haystack: hay,
            }
        })
        .collect()
}

impl Row for RoleRow {
    const SORTS: &'static [&'static str] = &["worst first", "name", "most used"];

    fn key(&self) -> &str {
        &self.key
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn namespace(&self) -> Option<&str> {
        None
    }
    fn copy_value(&self) -> Option<&str> {
        Some(&self.arn)
    }
    fn compare(&self, other: &Self, sort: usize) -> Ordering {
        let by_name = || self.name.cmp(&other.name).then(self.arn.cmp(&other.arn));
        let missing = |r: &RoleRow| r.state == RoleState::Missing;
        match sort {
            0 => other
                .worst_severity
                .cmp(&self.worst_severity)
                .then(missing(other).cmp(&missing(self)))
                .then_with(by_name),
            2 => other
                .used_by
                .len()
                .cmp(&self.used_by.len())
                .then_with(by_name),
            _ => by_name(),
        }
    }
}
