//! The ServiceAccount trust view, read from the analysis's `evaluate_binding`: the mapping,
//! the IRSA chain of IRSA.md §1 as a checklist with the first broken link marked (and the AWS
//! error a pod would see, and the fix), the trust evaluation statement by statement, the trust
//! document, the Pod Identity association, and the findings.

use super::{DrillLine, DrillSpan, findings_about, findings_section, trust_view};
use crate::rows::service_account::mechanism_label;
use crate::tone::Tone;
use irsa_core::analysis::checks::binding::{
    BindingAnalysis, ChainLink, IrsaAnalysis, LinkStatus, evaluate_binding,
};
use irsa_core::analysis::credentials::WebIdentityOutlook;
use irsa_core::analysis::inventory::InventoryIndex;
use irsa_core::dataset::Dataset;
use irsa_core::model::{Finding, Subject};

pub(super) fn build(
    data: &Dataset,
    namespace: &str,
    name: &str,
) -> (String, Vec<DrillLine>, Option<String>) {
    let title = format!("ServiceAccount {namespace}/{name} — trust");
    let index = InventoryIndex::new(&data.inventory);
    let Some(sa) = index.service_account(namespace, name) else {
        return (
            title,
            vec![DrillLine::toned(
                Tone::Unknown,
                "This ServiceAccount is no longer in the data.",
            )],
            None,
        );
    };
    let analysis = evaluate_binding(&index, sa);
    let subject = Subject::service_account(namespace, name);
    let findings: Vec<&Finding> = findings_about(data, &subject).collect();
    let mut lines = vec![DrillLine::heading("Mapping")];
    lines.push(DrillLine::field(
        "mechanism",
        mechanism_label(analysis.mechanism),
    ));
    let mut copy = None;
    match &analysis.irsa {
        Some(irsa) => {
            copy = chain(&mut lines, irsa, &findings);
            trust_view::trust_section(&mut lines, data, irsa);
        }
        None => {
            lines.push(DrillLine::blank());
            lines.push(DrillLine::heading("IRSA chain"));
            lines.push(DrillLine::toned(
                Tone::Dim,
                "  no eks.amazonaws.com/role-arn annotation: IRSA is not configured",
            ));
        }
    }
    pod_identity(&mut lines, &analysis, &findings);
    session_permissions(&mut lines, data, &index, namespace, name);
    findings_section(&mut lines, findings.iter().copied());
    unknowns(&mut lines, &analysis);
    let copy = copy
        .or_else(|| findings.iter().find_map(|f| f.fix.clone()))
        .or_else(|| analysis.irsa.as_ref().map(|i| i.role_arn.clone()));
    (title, lines, copy)
}

/// Writes the chain checklist; returns the fix of the finding that breaks the first link.
fn chain(lines: &mut Vec<DrillLine>, irsa: &IrsaAnalysis, findings: &[&Finding]) -> Option<String> {
    lines.push(DrillLine::field("role", irsa.role_arn.clone()));
    if let Some(provider) = &irsa.provider_arn {
        lines.push(DrillLine::field("OIDC provider", provider.clone()));
    }
    lines.push(DrillLine::field("token sub", irsa.subject.clone()));
    lines.push(DrillLine::field("token aud", irsa.audience.clone()));
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("IRSA chain"));
    for (i, link) in irsa.links.iter().enumerate() {
        lines.push(link_line(link, irsa.first_broken == Some(i)));
    }
    let WebIdentityOutlook::Fails {
        code, aws_error, ..
    } = &irsa.outlook
    else {
        return None;
    };
    lines.push(DrillLine::new(vec![
        DrillSpan::new(Tone::Dim, "  a pod sees: "),
        DrillSpan::new(Tone::Bad, aws_error.clone()),
    ]));
    let fix = findings
        .iter()
        .find(|f| f.code == *code)
        .and_then(|f| f.fix.clone());
    if let Some(fix) = &fix {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "  fix (y copies): "),
            DrillSpan::new(Tone::Code, fix.clone()),
        ]));
    }
    fix
}

fn pod_identity(lines: &mut Vec<DrillLine>, analysis: &BindingAnalysis, findings: &[&Finding]) {
    let Some(pi) = &analysis.pod_identity else {
        return;
    };
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("EKS Pod Identity"));
    lines.push(DrillLine::field("association", pi.association_id.clone()));
    lines.push(DrillLine::field("role", pi.role_arn.clone()));
    if let Some(target) = &pi.target_role_arn {
        lines.push(DrillLine::field("target role", target.clone()));
    }
    if let Some(id) = &pi.external_id {
        lines.push(DrillLine::field("external id", id.clone()));
    }
    lines.push(DrillLine::field(
        "session tags",
        if pi.session_tags { "on" } else { "disabled" },
    ));
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Pod Identity chain"));
    for (i, link) in pi.links.iter().enumerate() {
        lines.push(link_line(link, pi.first_broken == Some(i)));
    }
    if let Some(error) = &pi.aws_error {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "  a pod sees: "),
            DrillSpan::new(Tone::Bad, error.clone()),
        ]));
        if let Some(fix) = pi
            .broken_by()
            .and_then(|code| findings.iter().find(|f| f.code == code))
            .and_then(|f| f.fix.clone())
        {
            lines.push(DrillLine::new(vec![
                DrillSpan::new(Tone::Dim, "  fix: "),
                DrillSpan::new(Tone::Code, fix),
            ]));
        }
    }
    if let Some(why) = &pi.unknown {
        lines.push(DrillLine::toned(Tone::Unknown, format!("  UNKNOWN {why}")));
    }
}

/// One link of a chain, as a checklist row.
fn link_line(link: &ChainLink, first_break: bool) -> DrillLine {
    let (mark, tone) = match link.status {
        LinkStatus::Ok => ("✓ OK", Tone::Good),
        LinkStatus::Broken => ("✗ FAIL", Tone::Bad),
        LinkStatus::Unknown => ("? UNKNOWN", Tone::Unknown),
        LinkStatus::Skipped => ("- SKIPPED", Tone::Dim),
    };
    let mut spans = vec![
        DrillSpan::new(tone, format!("  {mark:<10}")),
        DrillSpan::new(Tone::Plain, format!("{:<26}", link.kind.label())),
    ];
    if first_break {
        spans.push(DrillSpan::new(Tone::Accent, "← first break "));
    }
    if let Some(code) = link.code {
        spans.push(DrillSpan::new(tone, format!("{code} ")));
    }
    spans.push(DrillSpan::new(Tone::Dim, link.detail.clone()));
    DrillLine::new(spans)
}

/// For an association with a session policy: what its sessions may really do (the role's
/// effective permissions, with what the session policy narrows or removes marked).
fn session_permissions(
    lines: &mut Vec<DrillLine>,
    data: &Dataset,
    index: &InventoryIndex<'_>,
    namespace: &str,
    name: &str,
) {
    for association in index.associations_of(namespace, name) {
        let Some(role) = index.role(&association.role_arn) else {
            continue;
        };
        if let Some(summary) = irsa_core::analysis::permission::can_i::association_summary(
            &data.inventory,
            role,
            association,
        ) {
            super::permissions::effective_lines(
                lines,
                "What its sessions may do (role ∩ session policy)",
                &summary,
            );
        }
    }
}

fn unknowns(lines: &mut Vec<DrillLine>, analysis: &BindingAnalysis) {
    if analysis.unknowns.is_empty() {
        return;
    }
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Not checked"));
    for (source, why) in &analysis.unknowns {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Unknown, format!("  UNKNOWN {source} ")),
            DrillSpan::new(Tone::Plain, why.clone()),
        ]));
    }
}
