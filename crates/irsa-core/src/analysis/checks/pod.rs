//! POD001–POD004 and POD007: the pod against its ServiceAccount and the webhook (subject: the
//! pod). Token and security-context checks are in [`super::pod_token`].

use super::PodAnalysis;
use super::arn::parse_role_arn;
use super::binding::{BindingAnalysis, role_annotation};
use super::fix;
use crate::analysis::credentials::{
    self, ACCESS_KEY_ID, CredentialSource, CredentialVerdict, SECRET_ACCESS_KEY,
};
use crate::analysis::findings::{self, ErrorVars, finding};
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::webhook::{self, Admission, MutationMode};
use crate::model::PodInfo;
use crate::model::{Evidence, Finding, FindingCode, Subject};

/// The error a container sees once its chain ends: the node role's denial when it lands on
/// IMDS, "no credentials" when nothing answers, `None` when the outcome is unknown.
pub fn landing_error(
    index: &InventoryIndex<'_>,
    pa: &PodAnalysis<'_>,
    verdict: &CredentialVerdict,
) -> Option<String> {
    let source = verdict
        .fallback
        .as_ref()
        .map_or(&verdict.source, |f| &f.lands_on);
    match source {
        CredentialSource::InstanceRole { .. } => {
            let vars = ErrorVars {
                account: index.account(),
                node_role: Some(pa.node.node_role.name_or_unknown()),
                instance_id: pa.node.instance_id(),
                ..ErrorVars::default()
            };
            Some(findings::render_error(findings::NODE_ROLE_DENIED, &vars))
        }
        CredentialSource::None => Some(findings::NO_CREDENTIALS.to_owned()),
        _ => None,
    }
}

/// POD001's reason and fix, from what the webhook's registration says about the pod.
fn not_mutated_because(gate: &Admission<'_>, pod: &PodInfo) -> (String, String) {
    let recreate = fix::recreate_pod(pod);
    let usual = "created before the annotation, or the webhook was down or raced";
    match gate {
        Admission::NotRegistered => (
            "no MutatingWebhookConfiguration registers the pod-identity-webhook, so nothing \
             mutates pods"
                .to_owned(),
            format!(
                "restore the MutatingWebhookConfiguration pod-identity-webhook (on EKS: webhook \
                 iam-for-pods.amazonaws.com, url https://127.0.0.1:23443/mutate, rules CREATE \
                 pods, failurePolicy Ignore; check with kubectl get mutatingwebhookconfiguration \
                 pod-identity-webhook -o yaml), then {recreate}"
            ),
        ),
        Admission::Excluded(w, why) => (
            format!("webhook {} does not see this pod: {why}", w.name),
            format!(
                "change the pod's or namespace's labels, or the selector of \
                 MutatingWebhookConfiguration {}, so the webhook sees the pod; then {recreate}",
                w.configuration
            ),
        ),
        Admission::MaybeExcluded(w, why) => (
            format!("webhook {} may not see this pod: {why}", w.name),
            format!(
                "if the namespace's labels do not match, change them or the selector of \
                 MutatingWebhookConfiguration {}; then {recreate}",
                w.configuration
            ),
        ),
        Admission::Sees(w) if !w.ignores_failures() => (
            format!(
                "the webhook sees this pod and its failurePolicy {} refuses pods when it is \
                 down, so the pod was most likely created before the annotation (or the \
                 registration)",
                w.failure_policy
            ),
            recreate,
        ),
        Admission::Sees(_) => (
            format!("{usual} (failurePolicy Ignore admits the pod unmutated)"),
            recreate,
        ),
        Admission::Unknown(_) => (format!("{usual} (webhook registration unknown)"), recreate),
    }
}

/// The pod's findings of this family.
pub fn check(
    index: &InventoryIndex<'_>,
    pa: &PodAnalysis<'_>,
    binding: Option<&BindingAnalysis>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let pod = pa.pod;
    let subject = || Subject::pod(&pod.namespace, &pod.name);
    let sa_subject = || Subject::service_account(&pod.namespace, &pod.service_account);
    let sa = index.service_account(&pod.namespace, &pod.service_account);
    // The role the webhook would inject: the SA's annotation, else the webhook ConfigMap's
    // mapping for it (`--watch-config-map`).
    let annotation = sa
        .and_then(|s| role_annotation(index, s))
        .map(str::trim)
        .or_else(|| {
            sa.and_then(|s| webhook::config_map_role(&index.settings, s))
                .map(|m| m.role_arn.trim())
        });
    let valid_role = annotation.filter(|a| parse_role_arn(a).is_ok());
    let association = binding.and_then(|b| b.pod_identity.as_ref());

    // POD001: identity configured, pod not mutated at all.
    if (valid_role.is_some() || association.is_some()) && !pa.injection.is_mutated() {
        let (what, expected) = match (association, valid_role) {
            (Some(a), _) => (
                format!("Pod Identity role {}", a.role_arn),
                "AWS_CONTAINER_CREDENTIALS_FULL_URI + volume eks-pod-identity-token",
            ),
            (None, Some(r)) => (
                format!("IRSA role {r}"),
                "AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE + volume aws-iam-token",
            ),
            (None, None) => (String::new(), ""),
        };
        let gate = webhook::admission(&index.inventory.webhook_registration, pod);
        let (why, fix) = not_mutated_because(&gate, pod);
        let title = format!(
            "pod {}/{} was not mutated: ServiceAccount {} has {what} but the pod has no injection — {why}",
            pod.namespace, pod.name, pod.service_account
        );
        let mut b = finding(FindingCode::POD001, subject(), title)
            .evidence(Evidence::compare(
                "webhook injection in the pod",
                expected,
                "none",
            ))
            .evidence(Evidence::observed("webhook registration", gate.describe()))
            .related(sa_subject())
            .fix(fix);
        if let (Some(p), Some(s)) = (pod.created, sa.and_then(|s| s.created)) {
            b = b.evidence(Evidence::observed(
                "pod created / ServiceAccount created",
                format!("{p} / {s}"),
            ));
        }
        if let Some(arn) = valid_role {
            b = b.related(Subject::role(arn));
        }
        let first_error = pa
            .containers
            .first()
            .and_then(|v| landing_error(index, pa, v));
        b = match first_error {
            Some(e) => b.aws_error(e),
            None => b.catalog_error(&ErrorVars::default()),
        };
        out.push(b.build());
    }

    // POD002: the pod's AWS_ROLE_ARN is not the SA's current role.
    if let Some(pod_role) = pa.injection.role_arn.as_deref().map(str::trim)
        && annotation != Some(pod_role)
    {
        // Moved to Pod Identity after the pod started: the pod keeps its IRSA env until
        // recreated, and the association's role only reaches new pods.
        let moved = association.filter(|_| annotation.is_none());
        let now_says = moved.map(|a| {
            format!(
                "(no role-arn annotation; Pod Identity association {} → {})",
                a.association_id,
                a.effective_role_arn()
            )
        });
        let current = now_says
            .as_deref()
            .or(annotation)
            .unwrap_or("(no role-arn annotation)");
        out.push(
            finding(
                FindingCode::POD002,
                subject(),
                match moved {
                    Some(a) => format!(
                        "pod {}/{} still runs as IRSA role {pod_role}; ServiceAccount {} moved to Pod Identity ({}) after the pod started",
                        pod.namespace,
                        pod.name,
                        pod.service_account,
                        a.effective_role_arn()
                    ),
                    None => format!(
                        "pod {}/{} still runs as {pod_role}; ServiceAccount {} now says {current}",
                        pod.namespace, pod.name, pod.service_account
                    ),
                },
            )
            .evidence(Evidence::compare(
                format!(
                    "AWS_ROLE_ARN vs annotation {}",
                    index.annotation_key("role-arn")
                ),
                current,
                pod_role,
            ))
            .related(sa_subject())
            .related(Subject::role(pod_role))
            .fix(fix::recreate_pod(pod))
            .build(),
        );
    }

    // POD003: mutated, but some containers lack the env or mount.
    if pa.injection.is_mutated() && !pa.injection.gaps.is_empty() {
        let skip_key = index.annotation_key("skip-containers");
        let names: Vec<&str> = pa
            .injection
            .gaps
            .iter()
            .map(|g| g.container.as_str())
            .collect();
        let why = if pa.injection.gaps.iter().all(|g| g.skipped) {
            format!("listed in {skip_key}")
        } else {
            "added after the webhook ran?".to_owned()
        };
        let mode = if pa.injection.mode == MutationMode::PodIdentity {
            "Pod Identity"
        } else {
            "IRSA"
        };
        let mut b = finding(
            FindingCode::POD003,
            subject(),
            format!(
                "container {} of pod {}/{} lacks the {mode} injection ({why})",
                names.join(", "),
                pod.namespace,
                pod.name
            ),
        )
        .related(sa_subject());
        for g in &pa.injection.gaps {
            let note = if g.skipped {
                format!(" (listed in {skip_key})")
            } else {
                String::new()
            };
            b = b.evidence(Evidence::new(
                format!("container {}", g.container),
                Some(format!("{mode} env and token mount")),
                Some(format!("missing {}{note}", g.missing.join(", "))),
            ));
        }
        let gap_error = pa
            .containers
            .iter()
            .find(|v| names.contains(&v.container.as_str()))
            .and_then(|v| landing_error(index, pa, v));
        b = match gap_error {
            Some(e) => b.aws_error(e),
            None => b.catalog_error(&ErrorVars::default()),
        };
        let fix = if pa.injection.gaps.iter().any(|g| g.skipped) {
            format!(
                "remove the containers from the pod annotation {skip_key} if they need AWS, then {}",
                fix::recreate_pod(pod)
            )
        } else {
            fix::recreate_pod(pod)
        };
        out.push(b.fix(fix).build());
    }

    // POD004: static keys.
    let keyed: Vec<&crate::model::ContainerInfo> = pod
        .all_containers()
        .filter(|c| {
            credentials::has_env(c, ACCESS_KEY_ID) && credentials::has_env(c, SECRET_ACCESS_KEY)
        })
        .collect();
    if !keyed.is_empty() {
        let names: Vec<&str> = keyed.iter().map(|c| c.name.as_str()).collect();
        let mut b = finding(
            FindingCode::POD004,
            subject(),
            format!(
                "pod {}/{} container {} carries static AWS access keys",
                pod.namespace,
                pod.name,
                names.join(", ")
            ),
        )
        .related(sa_subject());
        for c in &keyed {
            for var in [ACCESS_KEY_ID, SECRET_ACCESS_KEY] {
                let from = credentials::env_source(c, var).unwrap_or_default();
                b = b.evidence(Evidence::observed(
                    format!("container {} {var}", c.name),
                    from,
                ));
            }
        }
        let target = fix::template_owner(pod);
        let containers = names.join(",");
        let fix = format!(
            "kubectl set env {target} -n {} -c {containers} {ACCESS_KEY_ID}- {SECRET_ACCESS_KEY}-  (then deactivate the keys and give the ServiceAccount an IRSA role)",
            pod.namespace
        );
        out.push(b.fix(fix).build());
    }

    // POD007: Pod Identity where the agent cannot run.
    let pi_applies = association.is_some() || pa.injection.mode == MutationMode::PodIdentity;
    let windows_selector = ["kubernetes.io/os", "beta.kubernetes.io/os"]
        .iter()
        .any(|k| {
            pod.node_selector
                .get(*k)
                .is_some_and(|v| v.eq_ignore_ascii_case("windows"))
        });
    if pi_applies && (pa.node.fargate || pa.node.windows || windows_selector) {
        let place = if pa.node.fargate {
            "Fargate"
        } else {
            "Windows"
        };
        let node_name = pa.node.node_name.as_deref().unwrap_or("(unscheduled)");
        let title = format!(
            "pod {}/{} uses Pod Identity on {place} node {node_name}, where the Pod Identity agent does not run",
            pod.namespace, pod.name
        );
        let mut b = finding(FindingCode::POD007, subject(), title)
            .evidence(Evidence::compare(
                "node type",
                "EC2 Linux node running eks-pod-identity-agent",
                format!("{place} ({node_name})"),
            ))
            .related(sa_subject())
            .catalog_error(&ErrorVars::default())
            .fix(format!(
                "use IRSA for this workload: {}",
                fix::annotate_role(
                    &pod.namespace,
                    &pod.service_account,
                    &index.annotation_key("role-arn"),
                    "<role-arn>"
                )
            ));
        if let Some(a) = association {
            b = b.related(Subject::role(&a.role_arn));
        }
        out.push(b.build());
    }
    out
}
