//! Near-misses: what makes an identity silently vanish. The webhook reads a handful of
//! annotation keys, exactly; anything else is ignored without a word, and the pod falls
//! through to the next credential source (often the node role). This check compares every
//! annotation and label key of ServiceAccounts and pods with the keys the webhook reads — by
//! domain and by edit distance, not by a list of known typos — and flags
//!
//! - IRSA010: a key that is almost one the webhook reads (`eks.amazonaws.com/role_arn`,
//!   `eks.amazon.com/role-arn`, `EKS.amazonaws.com/Role-Arn`, a label instead of an annotation);
//! - IRSA011: a key the webhook reads, on the wrong object (the role ARN on the pod, where the
//!   webhook never looks; `skip-containers` on the ServiceAccount);
//! - IRSA012: a value the webhook cannot read and silently replaces with its default
//!   (`token-expiration: "1h"`, `sts-regional-endpoints: "True "`).

use crate::analysis::findings::finding;
use crate::analysis::inventory::{InventoryIndex, RoleStatus};
use crate::analysis::webhook::plan::go_parse_bool;
use crate::model::{
    Evidence, Finding, FindingCode, PodInfo, ServiceAccountInfo, Severity, Subject,
};
use std::collections::BTreeMap;

/// Keys the webhook reads on a ServiceAccount (after its prefix).
const SA_KEYS: [&str; 4] = [
    "role-arn",
    "audience",
    "sts-regional-endpoints",
    "token-expiration",
];
/// Keys the webhook reads on a pod.
const POD_KEYS: [&str; 1] = ["skip-containers"];

/// Lower case without `-`, `_`, `.` and spaces: `Role_ARN` and `role-arn` are the same word.
fn folded(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when `haystack` contains `needle` (ASCII, any case), without allocating.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The webhook key `key` is a near miss of, if any (never `key` itself). Only keys of the
/// prefix's domain or an `amazon…` domain are compared (a cheap test first: this runs for
/// every annotation of every pod).
fn meant(prefix: &str, key: &str, known: &[&str]) -> Option<String> {
    let (domain, name) = key.rsplit_once('/').unwrap_or(("", key));
    if key.len() > 128
        || !(domain.eq_ignore_ascii_case(prefix) || contains_ignore_case(domain, "amazon"))
    {
        return None;
    }
    for k in known {
        let exact = format!("{prefix}/{k}");
        if key == exact {
            return None;
        }
        let same_name = folded(name) == folded(k)
            || (name.len() > 4 && strsim::levenshtein(&name.to_ascii_lowercase(), k) <= 2);
        let same_domain = domain.eq_ignore_ascii_case(prefix)
            || strsim::levenshtein(&domain.to_ascii_lowercase(), prefix) <= 4;
        if same_name && same_domain {
            return Some(exact);
        }
    }
    None
}

/// True when some key of `maps` is in the prefix's domain or an `amazon…` one: only then can
/// there be a near miss. Checked first, without allocating — this runs for every pod.
fn any_domain_key<'m>(
    prefix: &str,
    maps: impl IntoIterator<Item = &'m BTreeMap<String, String>>,
) -> bool {
    maps.into_iter().flat_map(|m| m.keys()).any(|k| {
        k.rsplit_once('/').is_some_and(|(d, _)| {
            d.eq_ignore_ascii_case(prefix) || contains_ignore_case(d, "amazon")
        })
    })
}

fn subject_ref(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind} {namespace}/{name}")
}

fn key_severity(meant: &str) -> Severity {
    if meant.ends_with("/role-arn") || meant.ends_with("/audience") {
        Severity::High
    } else {
        Severity::Medium
    }
}

/// Near-miss keys among `annotations` and `labels` of one object.
fn near_keys(
    index: &InventoryIndex<'_>,
    subject: &Subject,
    what: &str,
    annotations: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
    known: &[&str],
    fix_object: &str,
) -> Vec<Finding> {
    let prefix = &index.settings.annotation_prefix;
    let mut out = Vec::new();
    for (kind, map) in [("annotation", annotations), ("label", labels)] {
        for (key, value) in map {
            let exact_as_label =
                kind == "label" && known.iter().any(|k| key == &format!("{prefix}/{k}"));
            let Some(meant) =
                meant(prefix, key, known).or_else(|| exact_as_label.then(|| key.clone()))
            else {
                continue;
            };
            out.push(
                finding(
                    FindingCode::IRSA010,
                    subject.clone(),
                    format!(
                        "{kind} {key} on {what} is not read by the webhook — {meant} (an annotation) is"
                    ),
                )
                .severity(key_severity(&meant))
                .evidence(Evidence::new(
                    format!("{kind} key"),
                    Some(format!("annotation {meant}")),
                    Some(format!("{kind} {key}")),
                ))
                .fix(format!(
                    "kubectl annotate {fix_object} {meant}={value:?} && kubectl {} {fix_object} {key}- ; then recreate its pods",
                    if kind == "label" { "label" } else { "annotate" }
                ))
                .build(),
            );
        }
    }
    out
}

/// IRSA010–IRSA012 for one ServiceAccount.
pub fn service_account(index: &InventoryIndex<'_>, sa: &ServiceAccountInfo) -> Vec<Finding> {
    if !any_domain_key(
        &index.settings.annotation_prefix,
        [&sa.annotations, &sa.labels],
    ) {
        return Vec::new();
    }
    let subject = Subject::service_account(&sa.namespace, &sa.name);
    let what = subject_ref("ServiceAccount", &sa.namespace, &sa.name);
    let fix_object = format!("serviceaccount {} -n {}", sa.name, sa.namespace);
    let mut out = near_keys(
        index,
        &subject,
        &what,
        &sa.annotations,
        &sa.labels,
        &SA_KEYS,
        &fix_object,
    );
    // Its pods show it too: it is why they were not mutated.
    for f in &mut out {
        f.related.extend(
            index
                .pods_of(&sa.namespace, &sa.name)
                .iter()
                .map(|p| Subject::pod(&p.namespace, &p.name)),
        );
    }
    let prefix = &index.settings.annotation_prefix;
    // A pod-only key on the ServiceAccount.
    for k in POD_KEYS {
        let key = format!("{prefix}/{k}");
        if sa.annotations.contains_key(&key) {
            out.push(
                finding(
                    FindingCode::IRSA011,
                    subject.clone(),
                    format!("{key} on {what} is read from pods only"),
                )
                .severity(Severity::Medium)
                .evidence(Evidence::new(
                    "annotated object",
                    Some("the pod (its template)".to_owned()),
                    Some("the ServiceAccount".to_owned()),
                ))
                .fix(format!(
                    "move it to the pod template: kubectl patch the Deployment's spec.template.metadata.annotations, then kubectl annotate {fix_object} {key}-"
                ))
                .build(),
            );
        }
    }
    // Values the webhook cannot read.
    let value = |k: &str| sa.annotations.get(&format!("{prefix}/{k}"));
    if let Some(v) = value("token-expiration")
        && v.parse::<i64>().is_err()
    {
        out.push(unreadable(
            &subject,
            &what,
            &format!("{prefix}/token-expiration"),
            v,
            "a whole number of seconds, e.g. \"3600\"",
            &format!(
                "it keeps its default token lifetime ({} s)",
                index.settings.default_token_expiration
            ),
            &fix_object,
        ));
    }
    if let Some(v) = value("sts-regional-endpoints")
        && go_parse_bool(v).is_none()
    {
        out.push(unreadable(
            &subject,
            &what,
            &format!("{prefix}/sts-regional-endpoints"),
            v,
            "\"true\" or \"false\"",
            &format!(
                "it keeps its default ({})",
                if index.settings.sts_regional_endpoints {
                    "regional endpoints"
                } else {
                    "the global endpoint"
                }
            ),
            &fix_object,
        ));
    }
    if let Some(v) = value("audience")
        && (v.trim() != v || v.starts_with(['"', '\'']))
    {
        let mut f = unreadable(
            &subject,
            &what,
            &format!("{prefix}/audience"),
            v,
            "the audience alone, without quotes or white space",
            "tokens carry it as written, and the provider's client IDs do not match it",
            &fix_object,
        );
        f.severity = Severity::High;
        out.push(f);
    }
    if let Some(v) = value("role-arn") {
        out.extend(role_arn_elsewhere(
            index,
            &subject,
            &what,
            &format!("{prefix}/role-arn"),
            v.trim(),
            &fix_object,
        ));
    }
    out
}

/// The partition of the cluster: its ARN's, else its region's.
fn cluster_partition<'i>(index: &'i InventoryIndex<'_>) -> Option<&'i str> {
    let cluster = index.inventory.cluster.as_ref()?;
    if let Some(p) = cluster.arn.as_deref().and_then(|a| a.split(':').nth(1)) {
        return Some(p);
    }
    let region = cluster.region.as_deref()?;
    Some(if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    })
}

/// IRSA012 for a role ARN that points somewhere other than meant: another partition than the
/// cluster's, or another account where no such role is known while the cluster's account has
/// one of that name (a mistyped or copied account id).
fn role_arn_elsewhere(
    index: &InventoryIndex<'_>,
    subject: &Subject,
    what: &str,
    key: &str,
    arn: &str,
    fix_object: &str,
) -> Option<Finding> {
    // A malformed ARN is IRSA007's.
    let role = super::arn::parse_role_arn(arn).ok()?;
    let (partition, account, name) = (role.partition, role.account, role.name);
    let resource = format!("role{}{name}", role.path);
    let ours = index.account();
    let cluster_partition = cluster_partition(index);
    let (meant, why) = if let Some(cp) = cluster_partition.filter(|cp| *cp != partition) {
        (
            format!("arn:{cp}:iam::{account}:{resource}"),
            format!("partition {partition}, but the cluster is in partition {cp}: STS refuses it"),
        )
    } else {
        let ours = ours.filter(|o| *o != account)?;
        if matches!(index.role_status(arn), RoleStatus::Known(_)) {
            return None;
        }
        let same_name = index.role_names_in(ours).find(|r| r.name == name)?;
        (
            same_name.arn.clone(),
            format!(
                "account {account}, where no role {name} is known; the cluster's account {ours} has one"
            ),
        )
    };
    Some(
        finding(
            FindingCode::IRSA012,
            subject.clone(),
            format!("{key} on {what} names {arn}: {why}"),
        )
        .severity(Severity::High)
        .evidence(Evidence::new(
            key,
            Some(meant.clone()),
            Some(arn.to_owned()),
        ))
        .related(Subject::role(&meant))
        .fix(format!(
            "kubectl annotate --overwrite {fix_object} {key}={meant} ; then recreate its pods"
        ))
        .build(),
    )
}

fn unreadable(
    subject: &Subject,
    what: &str,
    key: &str,
    value: &str,
    expected: &str,
    consequence: &str,
    fix_object: &str,
) -> Finding {
    finding(
        FindingCode::IRSA012,
        subject.clone(),
        format!("{key} {value:?} on {what} cannot be read by the webhook: {consequence}"),
    )
    .evidence(Evidence::new(
        key,
        Some(expected.to_owned()),
        Some(format!("{value:?}")),
    ))
    .fix(format!(
        "kubectl annotate --overwrite {fix_object} {key}={} ; then recreate its pods",
        meant_value(key, value).unwrap_or_else(|| format!("<{expected}>"))
    ))
    .build()
}

/// What the value most likely meant, when that is clear: `"1h"` → `3600`, `"True "` → `true`,
/// a quoted audience unquoted.
fn meant_value(key: &str, value: &str) -> Option<String> {
    let v = value.trim().trim_matches(['"', '\'']).trim();
    if key.ends_with("/token-expiration") {
        let (digits, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
        let n: i64 = digits.parse().ok()?;
        let factor = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            _ => return None,
        };
        return n.checked_mul(factor).map(|s| s.to_string());
    }
    if key.ends_with("/sts-regional-endpoints") {
        return match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" | "t" => Some("true".to_owned()),
            "false" | "no" | "n" | "off" | "0" | "f" => Some("false".to_owned()),
            _ => None,
        };
    }
    (!v.is_empty()).then(|| v.to_owned())
}

/// IRSA010 and IRSA011 for one pod: near-miss keys, and ServiceAccount keys on the pod.
pub fn pod(index: &InventoryIndex<'_>, pod: &PodInfo) -> Vec<Finding> {
    if !any_domain_key(
        &index.settings.annotation_prefix,
        [&*pod.annotations, &*pod.labels],
    ) {
        return Vec::new();
    }
    let subject = Subject::pod(&pod.namespace, &pod.name);
    let what = subject_ref("pod", &pod.namespace, &pod.name);
    let fix_object = format!("pod {} -n {}", pod.name, pod.namespace);
    let prefix = &index.settings.annotation_prefix;
    let mut out = near_keys(
        index,
        &subject,
        &what,
        &pod.annotations,
        &pod.labels,
        &POD_KEYS,
        &fix_object,
    );
    let sa = index.service_account(&pod.namespace, &pod.service_account);
    for k in SA_KEYS {
        let key = format!("{prefix}/{k}");
        // The exact key, or a near miss of it: either way the webhook never looks at pods.
        let found = pod
            .annotations
            .iter()
            .find(|(a, _)| **a == key || meant(prefix, a, &[k]).is_some());
        let Some((found_key, value)) = found else {
            continue;
        };
        let sa_has_it = sa.is_some_and(|s| s.annotations.contains_key(&key));
        let severity = if k == "role-arn" && !sa_has_it {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut f = finding(
            FindingCode::IRSA011,
            subject.clone(),
            format!(
                "{found_key} is annotated on {what}, but the webhook reads it from its ServiceAccount {} only",
                pod.service_account
            ),
        )
        .severity(severity)
        .evidence(Evidence::new(
            "annotated object",
            Some(format!("ServiceAccount {}/{}", pod.namespace, pod.service_account)),
            Some(format!("the pod ({found_key}={value})")),
        ))
        .fix(format!(
            "kubectl annotate serviceaccount {} -n {} {key}={value:?} ; then recreate the pod (kubectl rollout restart on its Deployment)",
            pod.service_account, pod.namespace
        ));
        if k == "role-arn" && !sa_has_it {
            f = f.related(Subject::service_account(
                &pod.namespace,
                &pod.service_account,
            ));
        }
        out.push(f.build());
    }
    out
}
