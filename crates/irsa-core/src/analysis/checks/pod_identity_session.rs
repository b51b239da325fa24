//! What the association does to its sessions (subject: the ServiceAccount): session tags
//! disabled while a policy still reads them (POD013 — `disableSessionTags` removes the six
//! `aws:PrincipalTag/eks-…`/`kubernetes-…` values, so ABAC conditions and `${…}` resources
//! that name them never match), and a session policy that leaves none of the role's grants
//! (POD014 — every call of the pods is denied although the role allows it). Both look at the
//! role whose session the pods get: the target role when the association has one. Also the
//! session-tag budget (POD018, info): with tags on, the six tags are transitive, so a role
//! whose policies let its sessions chain with `sts:TagSession` hands them on, and they count
//! against the packed size limit of that next `AssumeRole` (`PackedPolicyTooLarge` when the
//! application's own tags push it over).

use crate::analysis::checks::policy_match::{action_matches, resources, spec_allows};
use crate::analysis::findings::finding;
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::permission::can_i::association_summary;
use crate::analysis::permission::effective::BoundaryEffect;
use crate::analysis::permission::session::POD_IDENTITY_SESSION_TAGS;
use crate::analysis::policy::{ActionSpec, Effect, PolicyDocument, parse};
use crate::model::{
    Evidence, Finding, FindingCode, PodIdentityAssociation, RawPolicyDocument, RoleInfo,
    ServiceAccountInfo, Subject,
};

/// The Pod Identity session tags a document reads (`aws:PrincipalTag/<tag>` in a condition
/// key, or `${aws:PrincipalTag/<tag>}` in a resource or condition value), lower-cased.
fn session_tags_read(doc: &PolicyDocument) -> Vec<&'static str> {
    let mut texts: Vec<&str> = Vec::new();
    for s in &doc.statements {
        for c in &s.conditions {
            texts.push(&c.key);
            texts.extend(c.values.iter().map(String::as_str));
        }
        if let Some(ActionSpec::Only(r) | ActionSpec::Not(r)) = &s.resource {
            texts.extend(r.iter().map(String::as_str));
        }
    }
    POD_IDENTITY_SESSION_TAGS
        .iter()
        .copied()
        .filter(|tag| {
            let needle = format!("aws:principaltag/{tag}");
            texts
                .iter()
                .any(|t| t.to_ascii_lowercase().contains(&needle))
        })
        .collect()
}

/// (policy name, tags it reads) for every readable policy of `role` and the resource policies.
fn readers(index: &InventoryIndex<'_>, role: &RoleInfo) -> Vec<(String, Vec<&'static str>)> {
    let mut docs: Vec<(String, &RawPolicyDocument)> = Vec::new();
    for p in &role.attached_policies {
        if let Some(d) = &p.document {
            docs.push((format!("managed policy {}", p.name), d));
        }
    }
    for p in &role.inline_policies {
        docs.push((format!("inline policy {}", p.name), &p.document));
    }
    if let (Some(name), Some(d)) = (
        &role.permissions_boundary,
        &role.permissions_boundary_document,
    ) {
        docs.push((format!("permissions boundary {name}"), d));
    }
    for p in index.inventory.resource_policies.iter().flatten() {
        docs.push((format!("resource policy of {}", p.arn), &p.policy));
    }
    docs.into_iter()
        .filter_map(|(name, raw)| {
            let tags = session_tags_read(&parse(raw).ok()?);
            (!tags.is_empty()).then_some((name, tags))
        })
        .collect()
}

/// POD013 and POD014 for one association; `role` is the role whose sessions pods get.
pub fn check(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role: &RoleInfo,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let subject = || Subject::service_account(&sa.namespace, &sa.name);
    if assoc.disable_session_tags == Some(true) {
        for (policy, tags) in readers(index, role) {
            // A role tag of the same key still supplies the value.
            let missing: Vec<&str> = tags
                .into_iter()
                .filter(|t| !role.tags.keys().any(|k| k.eq_ignore_ascii_case(t)))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let keys: Vec<String> = missing
                .iter()
                .map(|t| format!("aws:PrincipalTag/{t}"))
                .collect();
            out.push(
                finding(
                    FindingCode::POD013,
                    subject(),
                    format!(
                        "association {} disables session tags, but {policy} reads {}: it never matches for {}/{}",
                        assoc.association_id,
                        keys.join(", "),
                        sa.namespace,
                        sa.name
                    ),
                )
                .evidence(Evidence::observed("disableSessionTags", "true"))
                .evidence(Evidence::compare(
                    format!("{} in the session", keys.join(", ")),
                    "present (session tags enabled)",
                    "absent",
                ))
                .related(Subject::role(&role.arn))
                .fix(format!(
                    "aws eks update-pod-identity-association --cluster-name {} --association-id {} --no-disable-session-tags   (or rewrite {policy} without the session tags)",
                    assoc.cluster_name, assoc.association_id
                ))
                .build(),
            );
        }
    }
    if assoc.disable_session_tags != Some(true)
        && let Some(targets) = tag_session_targets(role)
    {
        out.push(transitive_tags(index, sa, assoc, role, &targets));
    }
    if let Some(summary) = association_summary(index.inventory, role, assoc) {
        let grants: Vec<_> = summary.services.iter().flat_map(|s| &s.grants).collect();
        let kept = grants
            .iter()
            .filter(|g| {
                g.session != BoundaryEffect::Removes && g.boundary != BoundaryEffect::Removes
            })
            .count();
        if !grants.is_empty() && kept == 0 && summary.unknowns.is_empty() {
            let shown: Vec<&str> = grants.iter().take(4).map(|g| g.action.as_str()).collect();
            out.push(
                finding(
                    FindingCode::POD014,
                    subject(),
                    format!(
                        "the session policy of association {} leaves none of role {}'s {} grants: every AWS call of {}/{} is denied",
                        assoc.association_id,
                        role.name,
                        grants.len(),
                        sa.namespace,
                        sa.name
                    ),
                )
                .evidence(Evidence::compare(
                    format!("grants of {} kept by the session policy", role.name),
                    format!("some of {}", shown.join(", ")),
                    "none",
                ))
                .related(Subject::role(&role.arn))
                .fix(format!(
                    "aws eks update-pod-identity-association --cluster-name {} --association-id {} --policy file://session-policy.json   # allow what the pods call, within the role's grants",
                    assoc.cluster_name, assoc.association_id
                ))
                .build(),
            );
        }
    }
    out
}

/// The resources `role`'s own policies let its sessions `sts:TagSession` on (besides itself),
/// when any.
fn tag_session_targets(role: &RoleInfo) -> Option<Vec<String>> {
    let docs = role
        .attached_policies
        .iter()
        .filter_map(|p| p.document.as_ref())
        .chain(role.inline_policies.iter().map(|p| &p.document));
    let mut out: Vec<String> = Vec::new();
    for doc in docs.filter_map(|d| parse(d).ok()) {
        for s in doc.statements.iter().filter(|s| s.effect == Effect::Allow) {
            // Explicit about STS: `sts:TagSession` or `sts:*`, not a bare `*` (admin roles are
            // AUD010's business).
            let names_sts = matches!(&s.action, ActionSpec::Only(list)
                if list.iter().any(|a| a != "*" && action_matches(a, "sts:TagSession")));
            if names_sts && spec_allows(&s.action, "sts:TagSession") {
                out.extend(
                    resources(s)
                        .into_iter()
                        .filter(|r| *r != role.arn)
                        .map(str::to_owned),
                );
            }
        }
    }
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// POD018: what the six tags weigh, and where they travel.
fn transitive_tags(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role: &RoleInfo,
    targets: &[String],
) -> Finding {
    let cluster_arn = index
        .inventory
        .cluster
        .as_ref()
        .and_then(|c| c.arn.clone())
        .unwrap_or_else(|| {
            format!(
                "arn:aws:eks:<region>:<account>:cluster/{}",
                assoc.cluster_name
            )
        });
    let longest_pod = index
        .pods_of(&sa.namespace, &sa.name)
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(63);
    // key + value of each tag; the pod uid is a 36-character UUID.
    let values = [
        cluster_arn.len(),
        assoc.cluster_name.len(),
        sa.namespace.len(),
        sa.name.len(),
        longest_pod,
        36,
    ];
    let chars: usize = POD_IDENTITY_SESSION_TAGS
        .iter()
        .zip(values)
        .map(|(k, v)| k.len() + v)
        .sum();
    let shown: Vec<&str> = targets.iter().take(3).map(String::as_str).collect();
    finding(
        FindingCode::POD018,
        Subject::service_account(&sa.namespace, &sa.name),
        format!(
            "sessions of {} (association {}) carry Pod Identity's six transitive session tags (about {chars} characters) into the roles they may chain to with sts:TagSession",
            role.name, assoc.association_id
        ),
    )
    .evidence(Evidence::observed(
        "transitive session tags",
        POD_IDENTITY_SESSION_TAGS.join(", "),
    ))
    .evidence(Evidence::observed(
        format!("sts:TagSession allowed by {}'s policies on", role.name),
        shown.join(", "),
    ))
    .related(Subject::role(&role.arn))
    .fix(format!(
        "if the application adds its own session tags when it chains and meets PackedPolicyTooLarge, pass fewer; if no policy reads the Pod Identity tags: aws eks update-pod-identity-association --cluster-name {} --association-id {} --disable-session-tags",
        assoc.cluster_name, assoc.association_id
    ))
    .build()
}
