//! The ServiceAccount trust view: the mapping, the IRSA chain of IRSA.md §1 as a checklist
//! (each link's state read from the analysis's findings and unknowns), and the findings.

use super::{Line, Span, Tone, findings_about, findings_section, unknowns_section};
use crate::analysis::audit::Binding;
use crate::event::Dataset;
use crate::model::{Finding, FindingCode, SourceKind, Subject};
use crate::state::rows::service_account::mechanism_label;

/// One link of the chain and the finding codes that break it.
struct Link {
    label: &'static str,
    breaks: &'static [FindingCode],
    /// The source whose absence makes the link unknown.
    needs: SourceKind,
}

/// The chain, in the order STS walks it (IRSA.md §1).
const CHAIN: &[Link] = &[
    Link {
        label: "role-arn annotation well-formed",
        breaks: &[FindingCode::IRSA007],
        needs: SourceKind::Kubernetes,
    },
    Link {
        label: "OIDC provider registered for the issuer",
        breaks: &[FindingCode::IRSA001],
        needs: SourceKind::OidcProviders,
    },
    Link {
        label: "token audience accepted by the provider",
        breaks: &[FindingCode::IRSA002],
        needs: SourceKind::OidcProviders,
    },
    Link {
        label: "trust policy allows this ServiceAccount",
        breaks: &[
            FindingCode::IRSA003,
            FindingCode::IRSA004,
            FindingCode::IRSA005,
            FindingCode::IRSA008,
            FindingCode::IRSA009,
        ],
        needs: SourceKind::IamRoles,
    },
    Link {
        label: "role exists",
        breaks: &[FindingCode::IRSA006],
        needs: SourceKind::IamRoles,
    },
];

pub(super) fn build(
    data: &Dataset,
    namespace: &str,
    name: &str,
) -> (String, Vec<Line>, Option<String>) {
    let subject = Subject::service_account(namespace, name);
    let title = format!("ServiceAccount {namespace}/{name} — trust");
    let Some(binding) = data
        .report
        .bindings
        .iter()
        .find(|b| b.service_account == subject)
    else {
        return (
            title,
            vec![Line::toned(
                Tone::Unknown,
                "This ServiceAccount is no longer in the data.",
            )],
            None,
        );
    };
    let findings: Vec<&Finding> = findings_about(data, &subject).collect();
    let mut lines = summary(binding);
    let chain_fix = chain(&mut lines, data, binding, &findings);
    super::trust_view::trust_section(&mut lines, data, binding);
    findings_section(&mut lines, findings.iter().copied());
    unknowns_section(&mut lines, data);
    let copy = chain_fix
        .or_else(|| findings.iter().find_map(|f| f.fix.clone()))
        .or_else(|| binding.role_arn.clone());
    (title, lines, copy)
}

fn summary(b: &Binding) -> Vec<Line> {
    let mut lines = vec![Line::heading("Mapping")];
    lines.push(Line::field("mechanism", mechanism_label(b.mechanism)));
    if let Some(arn) = &b.role_arn {
        lines.push(Line::field("IRSA role", arn.clone()));
    }
    if let Some(arn) = &b.pod_identity_role_arn {
        lines.push(Line::field("Pod Identity role", arn.clone()));
    }
    lines.push(Line::field("pods", b.pods.to_string()));
    lines
}

/// Writes the checklist; returns the fix of the first broken link.
fn chain(
    lines: &mut Vec<Line>,
    data: &Dataset,
    b: &Binding,
    findings: &[&Finding],
) -> Option<String> {
    lines.push(Line::blank());
    lines.push(Line::heading("IRSA chain"));
    if b.role_arn.is_none() {
        lines.push(Line::toned(
            Tone::Dim,
            "  no eks.amazonaws.com/role-arn annotation: IRSA is not configured for this ServiceAccount",
        ));
        return None;
    }
    let mut first_break: Option<&Finding> = None;
    for link in CHAIN {
        let broken = findings.iter().find(|f| link.breaks.contains(&f.code));
        let unknown = data.report.unknowns.iter().any(|u| u.source == link.needs);
        let (mark, tone) = match (broken, unknown) {
            (Some(_), _) => ("✗ FAIL", Tone::Bad),
            (None, true) => ("? UNKNOWN", Tone::Unknown),
            (None, false) => ("✓ OK", Tone::Good),
        };
        let mut spans = vec![
            Span::new(tone, format!("  {mark:<10}")),
            Span::new(Tone::Plain, link.label),
        ];
        if let Some(f) = broken {
            if first_break.is_none() {
                spans.push(Span::new(Tone::Accent, "  ← first break"));
                first_break = Some(f);
            }
            spans.push(Span::new(Tone::Dim, format!("  {}", f.code)));
        }
        lines.push(Line::new(spans));
    }
    let f = first_break?;
    if let Some(err) = &f.aws_error {
        lines.push(Line::new(vec![
            Span::new(Tone::Dim, "  a pod sees: "),
            Span::new(Tone::Bad, err.clone()),
        ]));
    }
    if let Some(fix) = &f.fix {
        lines.push(Line::new(vec![
            Span::new(Tone::Dim, "  fix (y copies): "),
            Span::new(Tone::Code, fix.clone()),
        ]));
    }
    f.fix.clone()
}
