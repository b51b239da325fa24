//! The IAM collections, which may span accounts: the cluster account's file
//! (`iam-authorization-details.json`, `iam-oidc-providers.json`) plus files of further accounts
//! (`…-<anything>.json`) merged into it. Without the cluster account's file the collection stays
//! unknown, because the analysis reads "not listed" as "does not exist".
//!
//! Each file is parsed once into its typed output and consumed while it is projected: roles
//! are moved out of it, not copied, and duplicates across files are dropped by position, so a
//! big account's roles are not held twice.

use super::files::{self, SnapshotFiles, is_snapshot_file};
use super::{SnapshotError, missing, parse, problem};
use crate::model::aws_cli::{AccountAuthorizationDetails, OpenIdConnectProviders};
use crate::model::{Inventory, OidcProvider, RoleInfo, SourceKind, arn_account};
use serde::de::DeserializeOwned;
use std::collections::HashSet;

/// Roles of every IAM authorization-details file; `None` when the cluster account's is absent,
/// truncated, or of another account.
pub(super) fn roles(
    files: &SnapshotFiles,
    inv: &mut Inventory,
) -> Result<Option<Vec<RoleInfo>>, SnapshotError> {
    let source = SourceKind::IamRoles;
    let Some(docs) = family::<AccountAuthorizationDetails>(files, inv, source, files::IAM_DETAILS)?
    else {
        return Ok(None);
    };
    if let Some((name, _)) = docs.iter().find(|(_, d)| d.is_truncated == Some(true)) {
        let message = format!(
            "{name} is one page of several (IsTruncated) — IAM roles unknown; capture it \
             without --no-paginate/--max-items"
        );
        problem(inv, source, message);
        return Ok(None);
    }
    if let (Some(account), Some((_, primary))) = (inv.account(), docs.first()) {
        let accounts: HashSet<&str> = primary
            .role_detail_list
            .iter()
            .filter_map(|r| arn_account(&r.arn))
            .collect();
        if !accounts.is_empty() && !accounts.contains(account) {
            let message = format!(
                "{} holds no role of the cluster's account {account} — IAM roles unknown",
                files::IAM_DETAILS
            );
            problem(inv, source, message);
            return Ok(None);
        }
    }
    // Each file's output is consumed as its roles are projected (moved, not copied).
    let roles = docs.into_iter().flat_map(|(_, d)| d.into_roles()).collect();
    Ok(Some(first_of_each(roles, |r| &r.arn)))
}

/// Providers of every OIDC providers file; `None` when the cluster account's is absent.
pub(super) fn providers(
    files: &SnapshotFiles,
    inv: &mut Inventory,
) -> Result<Option<Vec<OidcProvider>>, SnapshotError> {
    let source = SourceKind::OidcProviders;
    let Some(docs) = family::<OpenIdConnectProviders>(files, inv, source, files::OIDC_PROVIDERS)?
    else {
        return Ok(None);
    };
    let providers = docs.iter().flat_map(|(_, d)| d.providers()).collect();
    Ok(Some(first_of_each(providers, |p| &p.arn)))
}

/// The first of each ARN, in order (a role or provider listed by two files is the same one),
/// without copying the ARNs.
fn first_of_each<T>(mut items: Vec<T>, arn: impl Fn(&T) -> &str) -> Vec<T> {
    let keep: Vec<bool> = {
        let mut seen = HashSet::new();
        items.iter().map(|item| seen.insert(arn(item))).collect()
    };
    let mut keep = keep.into_iter();
    items.retain(|_| keep.next().unwrap_or(true));
    items
}

/// The primary file of a family and its extra-account files, parsed, primary first; `None`
/// (with problems) when the primary is absent.
fn family<'a, T: DeserializeOwned>(
    files: &'a SnapshotFiles,
    inv: &mut Inventory,
    source: SourceKind,
    primary: &'a str,
) -> Result<Option<Vec<(&'a str, T)>>, SnapshotError> {
    let extras: Vec<&str> = files
        .names()
        .filter(|n| *n != primary && is_snapshot_file(n) && extra_of(n, primary))
        .collect();
    let Some(first) = parse::<T>(files, primary)? else {
        let what = match source {
            SourceKind::IamRoles => "IAM roles unknown",
            _ => "IAM OIDC providers unknown",
        };
        missing(inv, source, primary, what);
        if !extras.is_empty() {
            let message = format!(
                "{} ignored without the cluster account's {primary}",
                extras.join(", ")
            );
            problem(inv, source, message);
        }
        return Ok(None);
    };
    let mut docs = vec![(primary, first)];
    for name in extras {
        if let Some(doc) = parse::<T>(files, name)? {
            docs.push((name, doc));
        }
    }
    Ok(Some(docs))
}

/// True when `name` is an extra-account file of the family of `primary`
/// (`iam-oidc-providers-210987654321.json` for `iam-oidc-providers.json`).
fn extra_of(name: &str, primary: &str) -> bool {
    files::MULTI_ACCOUNT
        .iter()
        .any(|(p, prefix)| *p == primary && name.starts_with(prefix))
}
