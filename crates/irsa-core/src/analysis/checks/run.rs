//! The whole-cluster run: every ServiceAccount's binding once, every pod's chain once (on
//! every core), then the check families over the results ([`run`] → [`CheckRun`]).

use super::pod_analysis::{OutlookCache, Placement, PodOutcome, analyze_pod, analyze_pod_on};
use super::{
    audit_grants, audit_role, audit_trust, binding, near_miss, node, pod, pod_identity_pod,
    pod_token,
};
use crate::analysis::credentials::Detail;
use crate::analysis::findings::sort_findings;
use crate::analysis::hash::HashMap;
use crate::analysis::inventory::InventoryIndex;
use crate::model::Pool;
use crate::model::{Finding, PodInfo, RoleInfo, SourceKind, SourceProblem};
use binding::BindingAnalysis;
use jiff::Timestamp;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

/// The result of running every check.
#[derive(Debug, Clone)]
pub struct CheckRun<'a> {
    /// One per ServiceAccount of the inventory, in inventory order.
    pub bindings: Vec<BindingAnalysis>,
    /// One per pod of the inventory, in inventory order.
    pub pods: Vec<PodOutcome<'a>>,
    /// Worst first, then code, then subject.
    pub findings: Vec<Finding>,
    /// What the checks could not decide (grouped; inventory problems not included).
    pub unknowns: Vec<SourceProblem>,
}

/// Collects "could not decide" reasons and groups them by (source, reason) with the objects.
#[derive(Debug, Default)]
pub struct Unknowns(BTreeMap<(SourceKind, String), BTreeSet<String>>);

impl Unknowns {
    /// Records that `what` (an object label) could not be decided for `reason`.
    pub fn add(&mut self, source: SourceKind, reason: impl Into<String>, what: impl Into<String>) {
        self.0
            .entry((source, reason.into()))
            .or_default()
            .insert(what.into());
    }

    /// Adds everything another collection recorded.
    pub fn merge(&mut self, other: Unknowns) {
        for (key, objects) in other.0 {
            self.0.entry(key).or_default().extend(objects);
        }
    }

    /// One problem per (source, reason), naming up to five objects.
    pub fn into_problems(self) -> Vec<SourceProblem> {
        self.0
            .into_iter()
            .map(|((source, reason), objects)| {
                let n = objects.len();
                let shown: Vec<String> = objects.into_iter().take(5).collect();
                let more = if n > shown.len() {
                    format!(", … {} more", n - shown.len())
                } else {
                    String::new()
                };
                SourceProblem {
                    source,
                    message: format!("{reason} ({n}: {}{more})", shown.join(", ")),
                }
            })
            .collect()
    }
}

/// The roles the audit checks look at: used by a ServiceAccount (IRSA or Pod Identity) or
/// trusting this cluster's OIDC provider. Sorted by ARN.
pub fn roles_in_scope<'a>(
    index: &InventoryIndex<'a>,
    bindings: &[BindingAnalysis],
) -> Vec<&'a RoleInfo> {
    let host = index.issuer().map(crate::analysis::inventory::issuer_host);
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for b in bindings {
        if let Some(i) = &b.irsa {
            used.insert(i.role_arn.trim());
        }
        if let Some(p) = &b.pod_identity {
            used.insert(&p.role_arn);
        }
    }
    let mut roles: Vec<&RoleInfo> = index
        .roles()
        .filter(|r| {
            used.contains(r.arn.as_str())
                || host.is_some_and(|h| audit_trust::trusts_issuer(index, r, h))
        })
        .collect();
    roles.sort_by(|a, b| a.arn.cmp(&b.arn));
    roles
}

/// Runs every check at `now`.
pub fn run<'a>(index: &InventoryIndex<'a>, now: Timestamp) -> CheckRun<'a> {
    let inventory = index.inventory;
    let mut unknowns = Unknowns::default();
    let mut findings = Vec::new();
    let bindings: Vec<BindingAnalysis> = inventory
        .service_accounts
        .iter()
        .map(|sa| binding::evaluate_binding(index, sa))
        .collect();
    let mut by_sa: HashMap<(&str, &str), &BindingAnalysis> =
        HashMap::with_capacity_and_hasher(bindings.len(), Default::default());
    for (sa, b) in inventory.service_accounts.iter().zip(&bindings) {
        by_sa.insert((sa.namespace.as_str(), sa.name.as_str()), b);
        for (source, reason) in &b.unknowns {
            unknowns.add(
                *source,
                reason.clone(),
                format!("{}/{}", sa.namespace, sa.name),
            );
        }
        findings.extend(b.findings.iter().cloned());
        findings.extend(near_miss::service_account(index, sa));
    }
    // Pods are independent given their bindings: analyse them on every core (rayon keeps the
    // order). Outlooks of stale role ARNs are shared through one lock; the common case (the
    // SA's current role) never takes it.
    let outlooks = Mutex::new(OutlookCache::default());
    let mut places: HashMap<&str, Placement<'a>> = HashMap::default();
    for name in inventory.pods.iter().filter_map(|p| p.node_name.as_deref()) {
        if !places.contains_key(name) {
            places.insert(name, Placement::of(index, Some(name)));
        }
    }
    // Each pod's own checks run beside its analysis, which is then reduced to its outcome.
    let (mut pods, checked): (Vec<PodOutcome<'a>>, Vec<(Vec<Finding>, Unknowns)>) = inventory
        .pods
        .as_shared()
        .par_iter()
        .map(|pod| {
            let pod: &'a PodInfo = pod;
            let binding = by_sa
                .get(&(&*pod.namespace, &*pod.service_account))
                .copied();
            let mut outlook_for = |arn: &str| {
                OutlookCache::current(binding, arn).unwrap_or_else(|| {
                    outlooks
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get(index, pod, binding, arn)
                })
            };
            let pa = match pod.node_name.as_deref().and_then(|n| places.get(n)) {
                Some(place) => analyze_pod_on(
                    index,
                    pod,
                    binding,
                    place,
                    Detail::Outcome,
                    &mut outlook_for,
                ),
                None => analyze_pod(index, pod, binding, Detail::Outcome, &mut outlook_for),
            };
            let mut pod_unknowns = Unknowns::default();
            let mut pod_findings = pod::check(index, &pa, binding);
            pod_findings.extend(pod_token::check(
                index,
                &pa,
                binding,
                now,
                &mut pod_unknowns,
            ));
            pod_findings.extend(node::host_network(&pa));
            pod_findings.extend(near_miss::pod(index, pod));
            pod_findings.extend(pod_identity_pod::check(index, &pa));
            (PodOutcome::of(pa), (pod_findings, pod_unknowns))
        })
        .unzip();
    let mut identities = Pool::<str>::default();
    for outcome in &mut pods {
        outcome.identity = identities.text(&outcome.identity);
    }
    for (pod_findings, pod_unknowns) in checked {
        findings.extend(pod_findings);
        unknowns.merge(pod_unknowns);
    }
    findings.extend(node::check(index, &pods, &mut unknowns));
    let roles = roles_in_scope(index, &bindings);
    findings.extend(audit_trust::check(index, &roles, &mut unknowns));
    findings.extend(audit_role::check(
        index,
        &roles,
        &bindings,
        now,
        &mut unknowns,
    ));
    findings.extend(audit_grants::check(index, &roles, &mut unknowns));
    sort_findings(&mut findings);
    CheckRun {
        bindings,
        pods,
        findings,
        unknowns: unknowns.into_problems(),
    }
}
