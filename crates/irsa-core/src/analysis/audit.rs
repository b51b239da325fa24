//! The whole analysis of an inventory: ServiceAccount → role → verdict bindings, per-pod
//! identities, and every finding.
//!
//! Verdicts: a binding (or pod) is `Fail` when a high/critical IRSA or POD finding is on the
//! ServiceAccount or its pods (a pod also inherits its SA's IRSA findings: it would get the
//! same AccessDenied), `Warn` for any other finding of low severity or worse (including
//! findings on the role it uses and node findings on its pods), `Unknown` when an input was
//! unknown, else `Ok` (identity configured) or `None`. Info findings never change a verdict
//! but still count for `worst`.

use super::checks::{self, CheckRun, PodOutcome};
use super::credentials::{self, ChainInputs, CredentialSource, Detail, WebIdentityOutlook};
use super::findings;
use super::inventory::InventoryIndex;
use super::webhook::MutationMode;
use crate::analysis::hash::HashMap;
use crate::model::interned;
use crate::model::{
    Finding, FindingCode, Inventory, Pool, Severity, SourceProblem, Subject, SubjectKind,
};

use super::checks::binding::BindingAnalysis;
use super::verdict::{Mechanism, Verdict};
use jiff::Timestamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One ServiceAccount's mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub service_account: Subject,
    pub mechanism: Mechanism,
    /// The `eks.amazonaws.com/role-arn` annotation, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The role of a matching Pod Identity association.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_identity_role_arn: Option<String>,
    pub verdict: Verdict,
    /// The worst finding about this SA (or its role / pods), for the badge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<FindingCode>,
    pub pods: usize,
}

/// The identity a pod's containers really get, summarised for the Pods pane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodIdentity {
    pub pod: Subject,
    /// ServiceAccount and node are the pod's own (shared by the projection), the identity
    /// line is shared by the run (see [`crate::model::interned`]).
    #[serde(with = "interned")]
    pub service_account: Arc<str>,
    #[serde(
        default,
        with = "interned::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub node: Option<Arc<str>>,
    /// One line: `IRSA eks-…-role`, `Pod Identity …`, `NODE ROLE FALLBACK …`, `static keys`, `none`.
    #[serde(with = "interned")]
    pub identity: Arc<str>,
    /// The pod carries the webhook's injection (IRSA or Pod Identity).
    pub mutated: bool,
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<FindingCode>,
    /// The identity of the pod's first container as data (`identity` is the line for people).
    #[serde(default)]
    pub identity_detail: IdentityDetail,
}

/// What credentials a container's SDK chain selects, as data: the kind, the role when it is
/// one, and the chain's provider that supplies them. Derived from the container's credential
/// source, which also makes its label in the `identity` line. A report keeps one per pod (a
/// 50,000-pod cluster holds 50,000): two one-byte enums and a role ARN shared, like the
/// identity line, by every pod with the same role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityDetail {
    pub kind: IdentityKind,
    /// The IRSA role (`AWS_ROLE_ARN`), the Pod Identity association's role (its target role
    /// when it has one), or the node's instance role; absent when none or not known.
    #[serde(
        default,
        with = "interned::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub role_arn: Option<Arc<str>>,
    /// The SDK chain's provider that selects them; absent for `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<IdentitySource>,
}

/// The kind of identity a container gets: the one `can-i` answers with.
pub use super::permission::can_i::IdentityKind;

/// The SDK chain's provider a container's credentials come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentitySource {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    Env,
    WebIdentity,
    ContainerCredentials,
    Imds,
}

impl IdentityDetail {
    /// The detail of a container's credential source.
    pub fn of(source: &CredentialSource) -> Self {
        let role = |arn: &Option<String>| arn.as_deref().map(Arc::from);
        let (kind, role_arn, source) = match source {
            CredentialSource::StaticKeys => {
                (IdentityKind::StaticKeys, None, Some(IdentitySource::Env))
            }
            CredentialSource::WebIdentity { role_arn } => (
                IdentityKind::Irsa,
                role(role_arn),
                Some(IdentitySource::WebIdentity),
            ),
            CredentialSource::ContainerCredentials { role_arn } => (
                IdentityKind::PodIdentity,
                role(role_arn),
                Some(IdentitySource::ContainerCredentials),
            ),
            CredentialSource::InstanceRole { role_arn } => (
                IdentityKind::NodeRole,
                role(role_arn),
                Some(IdentitySource::Imds),
            ),
            CredentialSource::Unknown { .. } => {
                (IdentityKind::Unknown, None, Some(IdentitySource::Imds))
            }
            CredentialSource::None => (IdentityKind::None, None, None),
        };
        IdentityDetail {
            kind,
            role_arn,
            source,
        }
    }

    /// The detail of `pa`'s first container: its chain walked again for its outcome only (the
    /// whole-cluster run keeps no chains), with the Pod Identity role of its ServiceAccount.
    fn first_container(pa: &PodOutcome<'_>, binding: Option<&BindingAnalysis>) -> Self {
        let Some(container) = pa.pod.all_containers().next() else {
            return Self::of(&CredentialSource::None);
        };
        let inputs = ChainInputs {
            pod_identity_role: binding
                .and_then(|b| b.pod_identity.as_ref())
                .map(|p| p.effective_role_arn().to_owned()),
            ..ChainInputs::default()
        };
        let imds = credentials::imds_reach(&pa.node, pa.pod.host_network);
        let verdict =
            credentials::resolve_with(container, &pa.node, &inputs, &imds, Detail::Outcome);
        Self::of(&verdict.source)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub generated_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    pub bindings: Vec<Binding>,
    pub pods: Vec<PodIdentity>,
    /// Worst first, then by code and subject.
    pub findings: Vec<Finding>,
    /// What could not be checked, and why.
    pub unknowns: Vec<SourceProblem>,
}

type SubjectIndex<'a> = HashMap<SubjectKind, HashMap<&'a str, HashMap<&'a str, Vec<&'a Finding>>>>;

/// Runs every check over the inventory at `now`.
pub fn audit(inventory: &Inventory, now: Timestamp) -> AuditReport {
    let index = InventoryIndex::new(inventory);
    let run = checks::run(&index, now);
    assemble(&index, run, now)
}

/// Builds the report from a finished check run (its findings move into the report).
pub fn assemble(index: &InventoryIndex<'_>, run: CheckRun<'_>, now: Timestamp) -> AuditReport {
    let inventory = index.inventory;
    // Findings by subject (kind → namespace, "" when none → name), keyed by borrowed
    // strings so lookups allocate nothing.
    let mut by_subject: SubjectIndex<'_> = HashMap::default();
    for f in &run.findings {
        let s = &f.subject;
        by_subject
            .entry(s.kind)
            .or_default()
            .entry(s.namespace.as_deref().unwrap_or_default())
            .or_default()
            .entry(s.name.as_str())
            .or_default()
            .push(f);
    }
    let about = |kind: SubjectKind, ns: Option<&str>, name: &str| -> &[&Finding] {
        by_subject
            .get(&kind)
            .and_then(|m| m.get(ns.unwrap_or_default()))
            .and_then(|m| m.get(name))
            .map_or(&[], Vec::as_slice)
    };
    let mut pods_by_sa: HashMap<(&str, &str), Vec<&PodOutcome<'_>>> = HashMap::default();
    for pa in &run.pods {
        pods_by_sa
            .entry((&*pa.pod.namespace, &*pa.pod.service_account))
            .or_default()
            .push(pa);
    }
    let bindings = run
        .bindings
        .iter()
        .map(|b| {
            let ns = b.service_account.namespace.as_deref().unwrap_or_default();
            let pods = pods_by_sa
                .get(&(ns, b.service_account.name.as_str()))
                .map_or(&[][..], Vec::as_slice);
            let role_arn = b.irsa.as_ref().map(|i| i.role_arn.clone());
            let pi_role = b.pod_identity.as_ref().map(|p| p.role_arn.clone());
            // Findings on the SA and its pods can fail the binding; findings on its roles
            // (hardening) only warn.
            let direct = about(
                SubjectKind::ServiceAccount,
                Some(ns),
                &b.service_account.name,
            )
            .iter()
            .copied()
            .chain(pods.iter().flat_map(|pa| {
                about(SubjectKind::Pod, Some(&pa.pod.namespace), &pa.pod.name)
                    .iter()
                    .copied()
            }));
            let on_roles = role_arn
                .iter()
                .chain(pi_role.iter())
                .flat_map(|arn| about(SubjectKind::Role, None, arn.trim()).iter().copied());
            let configured = b.mechanism != Mechanism::None;
            let unknown = !b.unknowns.is_empty()
                || b.irsa
                    .as_ref()
                    .is_some_and(|i| matches!(i.outlook, WebIdentityOutlook::Unknown { .. }));
            let (verdict, worst) = verdict(direct, on_roles, unknown && configured, configured);
            Binding {
                service_account: b.service_account.clone(),
                mechanism: b.mechanism,
                role_arn,
                pod_identity_role_arn: pi_role,
                verdict,
                worst,
                pods: pods.len(),
            }
        })
        .collect();
    let binding_of: HashMap<(&str, &str), &BindingAnalysis> = run
        .bindings
        .iter()
        .map(|b| {
            (
                (
                    b.service_account.namespace.as_deref().unwrap_or_default(),
                    b.service_account.name.as_str(),
                ),
                b,
            )
        })
        .collect();
    let mut pods: Vec<PodIdentity> = run
        .pods
        .par_iter()
        .map(|pa| {
            let pod_subject = Subject::pod(&pa.pod.namespace, &pa.pod.name);
            let binding = binding_of.get(&(&*pa.pod.namespace, &*pa.pod.service_account));
            let current = binding.and_then(|b| b.irsa.as_ref());
            // The pod meets its SA's IRSA findings only when it runs with the SA's role.
            let runs_current = pa.mode == MutationMode::Irsa
                && current.is_some_and(|i| {
                    pa.injected_role.as_deref().map(str::trim) == Some(i.role_arn.trim())
                });
            // …and its Pod Identity chain's findings when it is mutated for Pod Identity.
            let runs_pod_identity = pa.mode == MutationMode::PodIdentity
                && binding.is_some_and(|b| b.pod_identity.is_some());
            // …and a near-miss key of its SA is why an unmutated pod was left alone.
            let unmutated = pa.mode == MutationMode::None;
            let inherited = about(
                SubjectKind::ServiceAccount,
                Some(&pa.pod.namespace),
                &pa.pod.service_account,
            )
            .iter()
            .copied()
            .filter(move |f| {
                (runs_current && is_irsa(f.code))
                    || (runs_pod_identity && is_pod_identity(f.code))
                    || (unmutated && is_near_miss(f.code))
            });
            let own = about(SubjectKind::Pod, Some(&pa.pod.namespace), &pa.pod.name)
                .iter()
                .copied();
            let unknown = pa.unknown
                || (runs_current
                    && current
                        .is_some_and(|i| matches!(i.outlook, WebIdentityOutlook::Unknown { .. })));
            let identity = pa.identity.clone();
            let configured = &*identity != "none";
            let (verdict, worst) = verdict(
                own.chain(inherited),
                std::iter::empty(),
                unknown,
                configured,
            );
            PodIdentity {
                pod: pod_subject,
                service_account: Arc::clone(&pa.pod.service_account),
                node: pa.pod.node_name.clone(),
                identity,
                mutated: pa.is_mutated(),
                verdict,
                worst,
                identity_detail: IdentityDetail::first_container(pa, binding.copied()),
            }
        })
        .collect();
    // One copy of each role ARN for all the pods that run as it.
    let mut roles = Pool::<str>::default();
    for pod in &mut pods {
        if let Some(arn) = &mut pod.identity_detail.role_arn {
            *arn = roles.text(arn);
        }
    }
    let mut unknowns = inventory.problems.clone();
    unknowns.extend(run.unknowns);
    AuditReport {
        generated_at: now,
        cluster: index.cluster_name().map(str::to_owned),
        account: index.account().map(str::to_owned),
        issuer: index.issuer().map(str::to_owned),
        bindings,
        pods,
        findings: run.findings,
        unknowns,
    }
}

fn is_irsa(code: FindingCode) -> bool {
    code.as_str().starts_with("IRSA")
}

/// Keys the webhook ignores: the reason a pod was not mutated.
fn is_near_miss(code: FindingCode) -> bool {
    matches!(code, FindingCode::IRSA010 | FindingCode::IRSA011)
}

/// The ServiceAccount findings of a Pod Identity association's chain (and its sessions).
fn is_pod_identity(code: FindingCode) -> bool {
    matches!(
        code,
        FindingCode::AUD013
            | FindingCode::IRSA006
            | FindingCode::POD011
            | FindingCode::POD012
            | FindingCode::POD013
            | FindingCode::POD014
    )
}

fn fails(f: &Finding) -> bool {
    (is_irsa(f.code) || f.code.as_str().starts_with("POD")) && f.severity >= Severity::High
}

/// Verdict and worst code from the findings that can fail the row (`direct`) and those that
/// can only warn (`indirect`).
fn verdict<'f>(
    direct: impl Iterator<Item = &'f Finding>,
    indirect: impl Iterator<Item = &'f Finding>,
    unknown: bool,
    configured: bool,
) -> (Verdict, Option<FindingCode>) {
    let direct: Vec<&Finding> = direct.collect();
    let indirect: Vec<&Finding> = indirect.collect();
    let worst = findings::worst(direct.iter().chain(indirect.iter()).copied()).map(|f| f.code);
    let verdict = if direct.iter().any(|f| fails(f)) {
        Verdict::Fail
    } else if direct
        .iter()
        .chain(indirect.iter())
        .any(|f| f.severity >= Severity::Low)
    {
        Verdict::Warn
    } else if unknown {
        Verdict::Unknown
    } else if configured {
        Verdict::Ok
    } else {
        Verdict::None
    };
    (verdict, worst)
}
