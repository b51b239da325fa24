//! Every check of CHECKS-SPEC.md, one file per family, run over an [`InventoryIndex`]:
//!
//! - [`binding`] + [`irsa`] + [`pod_identity`]: per ServiceAccount (IRSA001–009, AUD013, POD005);
//! - [`pod`] + [`pod_token`]: per pod (POD001–004, POD006–010), over [`PodAnalysis`];
//! - [`node`]: IMDS (NODE001–003);
//! - [`audit_trust`], [`audit_role`], [`audit_grants`]: the roles the cluster uses or that
//!   trust it (AUD001–012).
//!
//! [`run`] computes each ServiceAccount's binding once, each pod's credential chain once, and
//! hands the results to the families, so the whole run is linear in the inventory. A pod's
//! per-pod checks run while its analysis exists; the run then keeps only its [`PodOutcome`]
//! (the chains of 50,000 pods take ~40 MB, their outcomes a few): the drill-down re-derives
//! one pod's full analysis with [`pod_analysis`].

pub mod arn;
pub mod assume_targets;
pub mod audit_grants;
pub mod audit_role;
pub mod audit_trust;
pub mod binding;
pub mod fix;
pub mod injection;
pub mod irsa;
mod irsa_chain;
pub mod irsa_trust;
pub mod node;
pub mod pod;
pub mod pod_identity;
pub mod pod_token;
mod policy_match;

use crate::analysis::credentials::{
    self, ChainInputs, CredentialSource, CredentialVerdict, Detail, ImdsReach, NodeContext,
    WebIdentityOutlook,
};
use crate::analysis::findings::sort_findings;
use crate::analysis::hash::HashMap;
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::webhook::MutationMode;
use crate::model::interned::Interner;
use crate::model::{Finding, PodInfo, RoleInfo, ServiceAccountInfo, SourceKind, SourceProblem};
use binding::BindingAnalysis;
use injection::Injection;
use jiff::Timestamp;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, PoisonError};

/// One pod, analysed: where it runs, what the webhook left in it, and each container's chain.
#[derive(Debug, Clone)]
pub struct PodAnalysis<'a> {
    pub pod: &'a PodInfo,
    /// Shared by every pod of the node in a whole-cluster run.
    pub node: Arc<NodeContext<'a>>,
    /// Whether the instance metadata service answers this pod (the same for all its
    /// containers).
    pub imds: ImdsReach,
    pub injection: Injection,
    /// Main containers, then init containers.
    pub containers: Vec<CredentialVerdict>,
}

/// What the whole-cluster run keeps of one pod once its own checks ran: the outcome of its
/// containers' chains, not the chains.
#[derive(Debug, Clone, PartialEq)]
pub struct PodOutcome<'a> {
    pub pod: &'a PodInfo,
    /// Shared by every pod of the node.
    pub node: Arc<NodeContext<'a>>,
    /// What the webhook injected (IRSA, Pod Identity, nothing).
    pub mode: MutationMode,
    /// The role ARN the webhook injected (IRSA).
    pub injected_role: Option<String>,
    /// One line: each distinct container identity, in container order (see
    /// [`identity_line`]). Shared by every pod with the same line in a whole-cluster run.
    pub identity: Arc<str>,
    /// Some container's credential source is unknown (IMDS reachability unknown).
    pub unknown: bool,
    /// The containers whose chain lands on the node's instance role, when any do.
    pub fallback: Option<Box<NodeFallback<'a>>>,
}

/// Containers of one pod that silently get the node role through IMDS.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFallback<'a> {
    /// Their names, in container order.
    pub containers: Vec<&'a str>,
    /// What IMDS answers the pod.
    pub imds: ImdsReach,
}

impl<'a> PodOutcome<'a> {
    /// The outcome of one analysed pod.
    pub fn of(analysis: PodAnalysis<'a>) -> Self {
        let PodAnalysis {
            pod,
            node,
            imds,
            injection,
            containers,
        } = analysis;
        let on_imds: Vec<&'a str> = pod
            .all_containers()
            .zip(&containers)
            .filter(|(_, v)| v.lands_on_imds())
            .map(|(c, _)| c.name.as_str())
            .collect();
        PodOutcome {
            pod,
            node,
            mode: injection.mode,
            injected_role: injection.role_arn,
            identity: Arc::from(identity_line(&containers)),
            unknown: containers
                .iter()
                .any(|c| matches!(c.source, CredentialSource::Unknown { .. })),
            fallback: (!on_imds.is_empty()).then(|| {
                Box::new(NodeFallback {
                    containers: on_imds,
                    imds,
                })
            }),
        }
    }

    /// The webhook mutated the pod (IRSA or Pod Identity).
    pub fn is_mutated(&self) -> bool {
        self.mode != MutationMode::None
    }
}

/// A pod's identity in one line: each distinct container label (`IRSA …`, `Pod Identity …`,
/// `NODE ROLE FALLBACK …`, `static keys`, …) joined by ` / `; `none` when it has none.
pub fn identity_line(containers: &[CredentialVerdict]) -> String {
    let mut labels: Vec<String> = Vec::new();
    for c in containers {
        let l = c.label();
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    if labels.is_empty() {
        "none".to_owned()
    } else {
        labels.join(" / ")
    }
}

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

/// Web-identity outlooks of role ARNs found in pods, per (namespace, ServiceAccount, role):
/// the SA's current role reuses its binding; another (stale) role is evaluated once.
#[derive(Debug, Default)]
pub struct OutlookCache(HashMap<(String, String, String), WebIdentityOutlook>);

impl OutlookCache {
    /// The outlook of `arn` when it is the ServiceAccount's current IRSA role (its binding
    /// has it already; nothing to cache).
    pub fn current(binding: Option<&BindingAnalysis>, arn: &str) -> Option<WebIdentityOutlook> {
        binding
            .and_then(|b| b.irsa.as_ref())
            .filter(|i| i.role_arn.trim() == arn)
            .map(|i| i.outlook.clone())
    }

    /// The outlook of `arn` for `pod`'s ServiceAccount.
    pub fn get(
        &mut self,
        index: &InventoryIndex<'_>,
        pod: &PodInfo,
        binding: Option<&BindingAnalysis>,
        arn: &str,
    ) -> WebIdentityOutlook {
        if let Some(outlook) = Self::current(binding, arn) {
            return outlook;
        }
        let key = (
            pod.namespace.to_string(),
            pod.service_account.to_string(),
            arn.to_owned(),
        );
        self.0
            .entry(key)
            .or_insert_with(|| {
                let sa = index
                    .service_account(&pod.namespace, &pod.service_account)
                    .cloned()
                    .unwrap_or_else(|| {
                        ServiceAccountInfo::new(&pod.namespace, &pod.service_account)
                    });
                let audience = binding::audience_of(index, &sa);
                binding::analyze_irsa(index, &sa, arn, &audience).0.outlook
            })
            .clone()
    }
}

/// One pod on its own, for drill-downs: evaluates its ServiceAccount's binding (when the SA
/// exists) and analyses the pod against it.
pub fn pod_analysis<'a>(
    index: &InventoryIndex<'a>,
    pod: &'a PodInfo,
) -> (Option<BindingAnalysis>, PodAnalysis<'a>) {
    let binding = index
        .service_account(&pod.namespace, &pod.service_account)
        .map(|sa| binding::evaluate_binding(index, sa));
    let mut cache = OutlookCache::default();
    let analysis = analyze_pod(index, pod, binding.as_ref(), Detail::Steps, &mut |arn| {
        cache.get(index, pod, binding.as_ref(), arn)
    });
    (binding, analysis)
}

/// Analyses one pod given its ServiceAccount's binding; `outlook_for` answers the web-identity
/// outlook of a role ARN found in a container's env; `detail` says whether each container's
/// chain keeps its steps (drill-downs) or only its outcome (the whole-cluster run).
pub fn analyze_pod<'a>(
    index: &InventoryIndex<'a>,
    pod: &'a PodInfo,
    binding: Option<&BindingAnalysis>,
    detail: Detail,
    outlook_for: &mut dyn FnMut(&str) -> WebIdentityOutlook,
) -> PodAnalysis<'a> {
    let place = Placement::of(index, pod.node_name.as_deref());
    analyze_pod_on(index, pod, binding, &place, detail, outlook_for)
}

/// Where pods run: a node's context and what IMDS answers its pods (with and without
/// hostNetwork). A whole-cluster run builds one per node and shares it between the node's
/// pods, instead of one copy per pod.
struct Placement<'a> {
    node: Arc<NodeContext<'a>>,
    imds: ImdsReach,
    imds_host_network: ImdsReach,
}

impl<'a> Placement<'a> {
    fn of(index: &InventoryIndex<'a>, node_name: Option<&str>) -> Self {
        let node = index.node_context(node_name);
        Placement {
            imds: credentials::imds_reach(&node, false),
            imds_host_network: credentials::imds_reach(&node, true),
            node: Arc::new(node),
        }
    }
}

fn analyze_pod_on<'a>(
    index: &InventoryIndex<'a>,
    pod: &'a PodInfo,
    binding: Option<&BindingAnalysis>,
    place: &Placement<'a>,
    detail: Detail,
    outlook_for: &mut dyn FnMut(&str) -> WebIdentityOutlook,
) -> PodAnalysis<'a> {
    let node = Arc::clone(&place.node);
    let imds = if pod.host_network {
        &place.imds_host_network
    } else {
        &place.imds
    };
    let injection = injection::observe(pod, &index.settings);
    let pod_identity_role = binding
        .and_then(|b| b.pod_identity.as_ref())
        .map(|p| p.role_arn.clone());
    let containers = pod
        .all_containers()
        .map(|c| {
            let web_identity = credentials::literal_env(c, credentials::ROLE_ARN)
                .map(|arn| outlook_for(arn.trim()));
            let inputs = ChainInputs {
                web_identity,
                pod_identity_role: pod_identity_role.clone(),
            };
            credentials::resolve_with(c, &node, &inputs, imds, detail)
        })
        .collect();
    PodAnalysis {
        pod,
        node,
        imds: imds.clone(),
        injection,
        containers,
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
            (PodOutcome::of(pa), (pod_findings, pod_unknowns))
        })
        .unzip();
    let mut identities = Interner::default();
    for outcome in &mut pods {
        outcome.identity = identities.get(&outcome.identity);
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
