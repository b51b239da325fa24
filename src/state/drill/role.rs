//! The role policies view: trust document, attached and inline policy documents, boundary,
//! tags, last use, and the ServiceAccounts mapped to it.

use super::{DrillLine, DrillSpan, findings_about, findings_section};
use crate::tone::Tone;
use irsa_core::analysis::permission::can_i;
use irsa_core::analysis::policy;
use irsa_core::dataset::Dataset;
use irsa_core::model::{RawPolicyDocument, RoleLookup, Subject};
use jiff::Timestamp;

pub(super) fn build(
    data: &Dataset,
    arn: &str,
    now: Timestamp,
) -> (String, Vec<DrillLine>, Option<String>) {
    let title = format!("Role {}", crate::rows::arn_name(arn));
    let mut lines = vec![DrillLine::heading("Role"), DrillLine::field("ARN", arn)];
    let users: Vec<String> = data
        .report
        .bindings
        .iter()
        .filter(|b| {
            b.role_arn.as_deref() == Some(arn) || b.pod_identity_role_arn.as_deref() == Some(arn)
        })
        .map(|b| {
            format!(
                "{}/{}",
                b.service_account.namespace.as_deref().unwrap_or(""),
                b.service_account.name
            )
        })
        .collect();
    lines.push(DrillLine::field(
        "used by",
        if users.is_empty() {
            "no ServiceAccount".to_owned()
        } else {
            users.join(", ")
        },
    ));
    match data.inventory.role(arn) {
        RoleLookup::Found(role) => {
            lines.push(DrillLine::field(
                "boundary",
                role.permissions_boundary
                    .clone()
                    .unwrap_or_else(|| "none".to_owned()),
            ));
            let tags = role
                .tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>();
            lines.push(DrillLine::field(
                "tags",
                if tags.is_empty() {
                    "none".to_owned()
                } else {
                    tags.join(", ")
                },
            ));
            let last_used = role.last_used.as_ref().and_then(|u| u.date).map_or_else(
                || "never (or not reported)".to_owned(),
                |d| {
                    format!(
                        "{d} ({} days ago)",
                        (now.as_second() - d.as_second()).max(0) / 86400
                    )
                },
            );
            lines.push(DrillLine::field("last used", last_used));
            super::permissions::effective_lines(
                &mut lines,
                "Effective permissions",
                &can_i::role_summary(&data.inventory, role),
            );
            if let Some(doc) = &role.trust_policy {
                document(&mut lines, "Trust policy", doc);
            } else {
                lines.push(DrillLine::toned(
                    Tone::Unknown,
                    "  UNKNOWN trust policy not readable",
                ));
            }
            for p in &role.attached_policies {
                match &p.document {
                    Some(doc) => {
                        document(&mut lines, &format!("Attached {} ({})", p.name, p.arn), doc)
                    }
                    None => {
                        lines.push(DrillLine::blank());
                        lines.push(DrillLine::heading(format!(
                            "Attached {} ({})",
                            p.name, p.arn
                        )));
                        lines.push(DrillLine::toned(
                            Tone::Unknown,
                            "  UNKNOWN document not readable",
                        ));
                    }
                }
            }
            for p in &role.inline_policies {
                document(&mut lines, &format!("Inline {}", p.name), &p.document);
            }
        }
        RoleLookup::Missing => lines.push(DrillLine::toned(
            Tone::Bad,
            "  FAIL no such role in the account (IRSA006: every assume fails)",
        )),
        RoleLookup::Unknown => lines.push(DrillLine::toned(
            Tone::Unknown,
            "  UNKNOWN IAM roles could not be read: policies unknown",
        )),
    }
    findings_section(&mut lines, findings_about(data, &Subject::role(arn)));
    (title, lines, Some(arn.to_owned()))
}

fn document(lines: &mut Vec<DrillLine>, heading: &str, raw: &RawPolicyDocument) {
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading(heading.to_owned()));
    let pretty = policy::decode(raw)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::to_string_pretty(&v).map_err(|e| e.to_string()));
    match pretty {
        Ok(text) => lines.extend(
            text.lines()
                .map(|l| DrillLine::toned(Tone::Code, format!("  {l}"))),
        ),
        Err(e) => lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Bad, "  FAIL unreadable: "),
            DrillSpan::new(Tone::Plain, e),
        ])),
    }
}
