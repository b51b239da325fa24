//! POD006 (token readable by a non-root container), POD008 (token-expiration clamped),
//! POD009 (observed token expired / past refresh) and POD010 (regional STS off).
//! Subject: the pod.

use super::binding::{BindingAnalysis, role_annotation};
use super::injection::{IRSA_VOLUME, POD_IDENTITY_VOLUME};
use super::{PodAnalysis, Unknowns, fix};
use crate::analysis::credentials::{ROLE_ARN, WEB_IDENTITY_TOKEN_FILE};
use crate::analysis::findings::{ErrorVars, finding};
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::webhook::MutationMode;
use crate::model::{
    ContainerInfo, Evidence, Finding, FindingCode, PodInfo, ProjectedSource, SourceKind, Subject,
    VolumeSourceInfo,
};
use jiff::Timestamp;

/// The webhook's lower bound for token lifetimes.
pub const MIN_TOKEN_EXPIRATION: i64 = 600;

/// The pod's findings of this family.
pub fn check(
    index: &InventoryIndex<'_>,
    pa: &PodAnalysis<'_>,
    binding: Option<&BindingAnalysis>,
    now: Timestamp,
    unknowns: &mut Unknowns,
) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(non_root_without_fs_group(pa));
    out.extend(clamped_expiration(index, pa, binding));
    out.extend(observed_tokens(index, pa, now, unknowns));
    out.extend(regional_sts(index, pa));
    out
}

fn token_volumes(pod: &PodInfo) -> Vec<&str> {
    pod.volumes
        .iter()
        .filter(|v| v.name == IRSA_VOLUME || v.name == POD_IDENTITY_VOLUME)
        .filter(|v| is_sa_token_volume(&v.source))
        .map(|v| v.name.as_str())
        .collect()
}

/// A projected volume with a ServiceAccount token source.
fn is_sa_token_volume(source: &VolumeSourceInfo) -> bool {
    match source {
        VolumeSourceInfo::Projected { sources } => sources
            .iter()
            .any(|s| matches!(s, ProjectedSource::ServiceAccountToken { .. })),
        _ => false,
    }
}

/// (runAsUser, runAsNonRoot) in force for a container (container settings override the pod's).
fn effective_user(pod: &PodInfo, c: &ContainerInfo) -> (Option<i64>, Option<bool>) {
    (
        c.security.run_as_user.or(pod.security.run_as_user),
        c.security.run_as_non_root.or(pod.security.run_as_non_root),
    )
}

fn non_root_without_fs_group(pa: &PodAnalysis<'_>) -> Option<Finding> {
    let pod = pa.pod;
    let volumes = token_volumes(pod);
    if volumes.is_empty() || pod.security.fs_group.is_some() {
        return None;
    }
    let mounting: Vec<&ContainerInfo> = pod
        .all_containers()
        .filter(|c| {
            c.volume_mounts
                .iter()
                .any(|m| volumes.contains(&m.name.as_str()))
        })
        .collect();
    let candidates: Vec<&ContainerInfo> = if mounting.is_empty() {
        pod.all_containers().collect()
    } else {
        mounting
    };
    let non_root: Vec<(&ContainerInfo, String)> = candidates
        .into_iter()
        .filter_map(|c| match effective_user(pod, c) {
            (Some(u), _) if u != 0 => Some((c, format!("runAsUser {u}"))),
            (None, Some(true)) => Some((c, "runAsNonRoot true".to_owned())),
            _ => None,
        })
        .collect();
    let (first, _) = non_root.first()?;
    let title = format!(
        "container {} of pod {}/{} runs as non-root without pod fsGroup and may not read the token in volume {}",
        first.name,
        pod.namespace,
        pod.name,
        volumes.join(", ")
    );
    let mut b = finding(
        FindingCode::POD006,
        Subject::pod(&pod.namespace, &pod.name),
        title,
    )
    .evidence(Evidence::compare(
        "pod securityContext.fsGroup",
        "set (e.g. 65534)",
        "unset",
    ))
    .catalog_error(&ErrorVars::default());
    for (c, how) in &non_root {
        b = b.evidence(Evidence::observed(
            format!("container {}", c.name),
            how.clone(),
        ));
    }
    let fix = match fix::rollout_target(pod) {
        Some(target) => format!(
            "kubectl patch {target} -n {} --type merge -p '{{\"spec\":{{\"template\":{{\"spec\":{{\"securityContext\":{{\"fsGroup\":65534}}}}}}}}}}'",
            pod.namespace
        ),
        None => format!(
            "recreate pod {} with spec.securityContext.fsGroup: 65534",
            pod.name
        ),
    };
    Some(b.fix(fix).build())
}

fn clamped_expiration(
    index: &InventoryIndex<'_>,
    pa: &PodAnalysis<'_>,
    binding: Option<&BindingAnalysis>,
) -> Option<Finding> {
    let pod = pa.pod;
    let key = &index.keys.token_expiration;
    let sa = index.service_account(&pod.namespace, &pod.service_account);
    let has_identity = pa.injection.is_mutated()
        || sa
            .and_then(|s| role_annotation(index, s))
            .is_some_and(|a| !a.trim().is_empty())
        || binding.is_some_and(|b| b.pod_identity.is_some());
    if !has_identity {
        return None;
    }
    let (origin, raw) = match pod.annotations.get(key) {
        Some(v) => ("pod", v),
        None => ("ServiceAccount", sa?.annotations.get(key)?),
    };
    let value: i64 = raw.trim().parse().ok()?;
    if value >= MIN_TOKEN_EXPIRATION {
        return None;
    }
    let title = format!(
        "{origin} annotation {key}={value} on pod {}/{} is below {MIN_TOKEN_EXPIRATION} s and is clamped to {MIN_TOKEN_EXPIRATION}",
        pod.namespace, pod.name
    );
    let mut b = finding(
        FindingCode::POD008,
        Subject::pod(&pod.namespace, &pod.name),
        title,
    )
    .evidence(Evidence::compare(
        format!("{origin} annotation {key}"),
        format!("≥ {MIN_TOKEN_EXPIRATION}"),
        value.to_string(),
    ))
    .related(Subject::service_account(
        &pod.namespace,
        &pod.service_account,
    ));
    let projected = pod.volumes.iter().find_map(|v| match &v.source {
        VolumeSourceInfo::Projected { sources } if v.name == IRSA_VOLUME => {
            sources.iter().find_map(|s| match s {
                ProjectedSource::ServiceAccountToken {
                    expiration_seconds, ..
                } => *expiration_seconds,
                _ => None,
            })
        }
        _ => None,
    });
    if let Some(secs) = projected {
        b = b.evidence(Evidence::observed(
            "projected token expirationSeconds in the pod",
            secs.to_string(),
        ));
    }
    let fix = if origin == "pod" {
        format!(
            "set {key} to {MIN_TOKEN_EXPIRATION} or more in the pod template of {}",
            fix::template_owner(pod)
        )
    } else {
        format!(
            "kubectl annotate serviceaccount {} -n {} {key}=86400 --overwrite",
            pod.service_account, pod.namespace
        )
    };
    Some(b.fix(fix).build())
}

fn observed_tokens(
    index: &InventoryIndex<'_>,
    pa: &PodAnalysis<'_>,
    now: Timestamp,
    unknowns: &mut Unknowns,
) -> Vec<Finding> {
    let pod = pa.pod;
    let label = format!("{}/{}", pod.namespace, pod.name);
    let mut out = Vec::new();
    for token in index.tokens_of(&pod.namespace, &pod.name) {
        let decoded = match &token.decoded {
            Ok(d) => d,
            Err(e) => {
                unknowns.add(
                    SourceKind::Tokens,
                    format!("token not decodable: {e}"),
                    format!("{label} ({})", token.origin),
                );
                continue;
            }
        };
        let Some(life) = decoded.lifetime(now) else {
            unknowns.add(
                SourceKind::Tokens,
                "token without iat/exp",
                format!("{label} ({})", token.origin),
            );
            continue;
        };
        if !life.expired && !life.past_refresh {
            continue;
        }
        let state = if life.expired {
            format!("expired at {}", life.expires_at)
        } else {
            format!(
                "past its refresh point {} (expires {})",
                life.refresh_at, life.expires_at
            )
        };
        let fix = format!(
            "the kubelet should have rotated the file; if the token came from the pod, check the node's kubelet and the app re-reading {WEB_IDENTITY_TOKEN_FILE}, or {}",
            fix::recreate_pod(pod)
        );
        let mut b = finding(
            FindingCode::POD009,
            Subject::pod(&pod.namespace, &pod.name),
            format!("token of pod {label} ({}) is {state}", token.origin),
        )
        .evidence(Evidence::compare(
            "token exp",
            format!("after {now}"),
            life.expires_at.to_string(),
        ))
        .evidence(Evidence::compare(
            "kubelet refresh (80 % of TTL)",
            format!("after {now}"),
            life.refresh_at.to_string(),
        ))
        .evidence(Evidence::observed(
            "remaining seconds",
            life.remaining_seconds.to_string(),
        ))
        .fix(fix);
        if life.expired {
            b = b.catalog_error(&ErrorVars::default());
        }
        out.push(b.build());
    }
    out
}

fn regional_sts(index: &InventoryIndex<'_>, pa: &PodAnalysis<'_>) -> Option<Finding> {
    let pod = pa.pod;
    if pa.injection.mode != MutationMode::Irsa {
        return None;
    }
    let lacking: Vec<(&str, String)> = pod
        .all_containers()
        .filter(|c| c.env_var(ROLE_ARN).is_some())
        .filter_map(|c| match c.env_var("AWS_STS_REGIONAL_ENDPOINTS") {
            Some(e) if e.literal_value() == Some("regional") => None,
            Some(e) => Some((
                c.name.as_str(),
                e.literal_value().unwrap_or("(not a literal)").to_owned(),
            )),
            None => Some((c.name.as_str(), "(unset)".to_owned())),
        })
        .collect();
    if lacking.is_empty() {
        return None;
    }
    let key = index.annotation_key("sts-regional-endpoints");
    let mut b = finding(
        FindingCode::POD010,
        Subject::pod(&pod.namespace, &pod.name),
        format!(
            "IRSA pod {}/{} does not set AWS_STS_REGIONAL_ENDPOINTS=regional (container {})",
            pod.namespace,
            pod.name,
            lacking
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .related(Subject::service_account(
        &pod.namespace,
        &pod.service_account,
    ));
    for (name, actual) in &lacking {
        b = b.evidence(Evidence::compare(
            format!("container {name} AWS_STS_REGIONAL_ENDPOINTS"),
            "regional",
            actual.clone(),
        ));
    }
    Some(
        b.fix(format!(
            "kubectl annotate serviceaccount {} -n {} {key}=true --overwrite && {}",
            pod.service_account,
            pod.namespace,
            fix::recreate_pod(pod)
        ))
        .build(),
    )
}
