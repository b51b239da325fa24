//! The pod identity view: what identity the analysis says the pod gets, its token (decoded
//! claims and lifetime, or the projected volume's settings when no token was read), the
//! webhook's prediction against the live spec, the identity env of each container, and the
//! node's IMDS settings.

use super::{Line, Span, Tone, findings_about, findings_section};
use crate::analysis::webhook::{self, PodIdentityConfig};
use crate::event::Dataset;
use crate::model::{
    EnvFromInfo, EnvValue, PodInfo, ProjectedSource, Subject, VolumeSourceInfo, WebhookSettings,
};
use jiff::Timestamp;

/// Env vars that steer the AWS SDK's credential chain, shown per container.
const IDENTITY_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_REGION",
];

pub(super) fn build(
    data: &Dataset,
    namespace: &str,
    name: &str,
    now: Timestamp,
) -> (String, Vec<Line>, Option<String>) {
    let subject = Subject::pod(namespace, name);
    let title = format!("Pod {namespace}/{name} — identity");
    let summary = data.report.pods.iter().find(|p| p.pod == subject);
    let Some(pod) = data.inventory.pod(namespace, name) else {
        return (
            title,
            vec![Line::toned(
                Tone::Unknown,
                "This pod is no longer in the data.",
            )],
            None,
        );
    };
    let mut lines = vec![Line::heading("Identity")];
    if let Some(s) = summary {
        let tone = if s.identity.starts_with("NODE ROLE") {
            Tone::Bad
        } else {
            Tone::Plain
        };
        lines.push(Line::new(vec![
            Span::new(Tone::Dim, format!("  {:<18}", "gets")),
            Span::new(tone, s.identity.clone()),
        ]));
        lines.push(Line::field(
            "mutated by webhook",
            if s.mutated { "yes" } else { "no" },
        ));
    }
    lines.push(Line::field("ServiceAccount", pod.service_account.clone()));
    lines.push(Line::field(
        "node",
        pod.node_name
            .clone()
            .unwrap_or_else(|| "(not scheduled)".to_owned()),
    ));
    token_section(&mut lines, data, pod, now);
    webhook_section(&mut lines, data, pod);
    env_section(&mut lines, pod);
    node_section(&mut lines, data, pod);
    let findings: Vec<_> = findings_about(data, &subject).collect();
    let copy = findings.iter().find_map(|f| f.fix.clone());
    findings_section(&mut lines, findings.into_iter());
    (title, lines, copy)
}

fn token_section(lines: &mut Vec<Line>, data: &Dataset, pod: &PodInfo, now: Timestamp) {
    lines.push(Line::blank());
    lines.push(Line::heading("Token"));
    let observed = data
        .inventory
        .tokens
        .iter()
        .find(|t| t.namespace == pod.namespace && t.pod == pod.name);
    match observed.map(|t| (&t.origin, &t.decoded)) {
        Some((origin, Ok(token))) => {
            lines.push(Line::field("read from", origin.clone()));
            let c = &token.claims;
            lines.push(Line::field("iss", c.iss.clone().unwrap_or_default()));
            lines.push(Line::field("sub", c.sub.clone().unwrap_or_default()));
            lines.push(Line::field("aud", c.aud.join(", ")));
            match token.lifetime(now) {
                Some(l) => {
                    lines.push(Line::field("issued", l.issued_at.to_string()));
                    lines.push(Line::field("expires", l.expires_at.to_string()));
                    let (tone, left) = if l.expired {
                        (
                            Tone::Bad,
                            format!("EXPIRED {} ago", duration(-l.remaining_seconds)),
                        )
                    } else if l.past_refresh {
                        (
                            Tone::Warn,
                            format!(
                                "{} left, past its refresh point",
                                duration(l.remaining_seconds)
                            ),
                        )
                    } else {
                        (
                            Tone::Good,
                            format!("{} left", duration(l.remaining_seconds)),
                        )
                    };
                    lines.push(Line::new(vec![
                        Span::new(Tone::Dim, format!("  {:<18}", "time left")),
                        Span::new(tone, left),
                    ]));
                }
                None => lines.push(Line::field("lifetime", "unknown (no iat/exp claim)")),
            }
        }
        Some((origin, Err(e))) => lines.push(Line::toned(
            Tone::Bad,
            format!("  token from {origin} could not be decoded: {e}"),
        )),
        None => {
            lines.push(Line::toned(
                Tone::Dim,
                "  no token read; the projected volumes request:",
            ));
            let mut any = false;
            for v in &pod.volumes {
                if let VolumeSourceInfo::Projected { sources } = &v.source {
                    for s in sources {
                        if let ProjectedSource::ServiceAccountToken {
                            audience,
                            expiration_seconds,
                            path,
                        } = s
                        {
                            any = true;
                            lines.push(Line::plain(format!(
                                "    {}: audience {}, lifetime {}, file {path}",
                                v.name,
                                audience.as_deref().unwrap_or("(API server default)"),
                                expiration_seconds
                                    .map_or_else(|| "default".to_owned(), |s| format!("{s} s")),
                            )));
                        }
                    }
                }
            }
            if !any {
                lines.push(Line::toned(
                    Tone::Dim,
                    "    no projected ServiceAccount token volume",
                ));
            }
        }
    }
}

fn webhook_section(lines: &mut Vec<Line>, data: &Dataset, pod: &PodInfo) {
    lines.push(Line::blank());
    lines.push(Line::heading("Webhook prediction vs live spec"));
    let Some(sa) = data
        .inventory
        .service_account(&pod.namespace, &pod.service_account)
    else {
        lines.push(Line::toned(
            Tone::Unknown,
            "  UNKNOWN the pod's ServiceAccount is not in the data",
        ));
        return;
    };
    let settings = data.inventory.webhook.clone().unwrap_or_else(|| {
        WebhookSettings::eks(
            data.inventory
                .cluster
                .as_ref()
                .and_then(|c| c.region.as_deref()),
        )
    });
    let has_association = data.report.bindings.iter().any(|b| {
        b.service_account == Subject::service_account(&sa.namespace, &sa.name)
            && b.pod_identity_role_arn.is_some()
    });
    let config = has_association.then(PodIdentityConfig::eks);
    let deviations = webhook::diff(sa, pod, &settings, config.as_ref());
    if deviations.is_empty() {
        lines.push(Line::toned(
            Tone::Good,
            "  ✓ the live pod matches what the webhook would inject today",
        ));
    }
    for d in deviations {
        let place = d
            .container
            .as_deref()
            .map_or_else(|| "pod".to_owned(), |c| format!("container {c}"));
        lines.push(Line::new(vec![
            Span::new(Tone::Bad, "  ✗ "),
            Span::new(Tone::Plain, format!("{place}: {}", d.item)),
        ]));
        lines.push(Line::new(vec![Span::new(
            Tone::Good,
            format!(
                "      + webhook: {}",
                d.expected.as_deref().unwrap_or("(nothing)")
            ),
        )]));
        lines.push(Line::new(vec![Span::new(
            Tone::Bad,
            format!(
                "      - live:    {}",
                d.actual.as_deref().unwrap_or("(absent)")
            ),
        )]));
    }
}

fn env_section(lines: &mut Vec<Line>, pod: &PodInfo) {
    lines.push(Line::blank());
    lines.push(Line::heading("Identity env per container"));
    for c in pod.all_containers() {
        lines.push(Line::plain(
            format!("  {} ({:?})", c.name, c.kind).to_lowercase(),
        ));
        let mut any = false;
        for name in IDENTITY_ENV {
            if let Some(var) = c.env_var(name) {
                any = true;
                let value = match &var.value {
                    EnvValue::Literal(v) => v.clone(),
                    EnvValue::Redacted { len } => format!("(literal, {len} chars, hidden)"),
                    EnvValue::SecretKeyRef { name, key } => format!("from Secret {name}/{key}"),
                    EnvValue::ConfigMapKeyRef { name, key } => {
                        format!("from ConfigMap {name}/{key}")
                    }
                    EnvValue::FieldRef { field_path } => format!("from field {field_path}"),
                    EnvValue::ResourceFieldRef { resource } => format!("from resource {resource}"),
                    EnvValue::Other => "(from another source)".to_owned(),
                };
                lines.push(Line::plain(format!("    {name}={value}")));
            }
        }
        for from in &c.env_from {
            any = true;
            let text = match from {
                EnvFromInfo::Secret { name, .. } => {
                    format!("    envFrom Secret {name} (may hold AWS keys)")
                }
                EnvFromInfo::ConfigMap { name, .. } => format!("    envFrom ConfigMap {name}"),
            };
            lines.push(Line::toned(Tone::Dim, text));
        }
        if !any {
            lines.push(Line::toned(
                Tone::Dim,
                "    no AWS identity env: the SDK falls through to IMDS",
            ));
        }
    }
}

fn node_section(lines: &mut Vec<Line>, data: &Dataset, pod: &PodInfo) {
    let Some(node) = pod.node_name.as_deref() else {
        return;
    };
    lines.push(Line::blank());
    lines.push(Line::heading(format!("Node {node}")));
    if pod.host_network {
        lines.push(Line::toned(
            Tone::Warn,
            "  hostNetwork: the pod reaches IMDS whatever the hop limit",
        ));
    }
    super::node::imds_lines(lines, data, node);
}

/// `2h 5m`, `3d 4h`, `45s`.
pub(super) fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}
