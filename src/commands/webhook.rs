//! `irsa-inspector webhook predict`: the RFC 6902 patch the pod-identity-webhook would apply.

use super::input::{parse_yaml, read_file};
use crate::cli::{TextOrJson, WebhookPredictArgs};
use anyhow::{Result, bail};
use irsa_core::analysis::webhook::{self, PodIdentityConfig};
use irsa_core::model::{PodInfo, ServiceAccountInfo, WebhookSettings};
use irsa_core::report::clean;
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use serde_json::json;
use std::process::ExitCode;

/// `region`: the global `--region`, here the webhook's --aws-default-region.
pub fn predict(args: &WebhookPredictArgs, region: Option<&str>) -> Result<ExitCode> {
    let sa_label = args.service_account.display().to_string();
    let pod_label = args.pod.display().to_string();
    let sa: ServiceAccount = parse_yaml(&sa_label, &read_file(&args.service_account)?)?;
    let pod_text = read_file(&args.pod)?;
    let pod: Pod = parse_yaml(&pod_label, &pod_text)?;
    let pod_raw: serde_json::Value = parse_yaml(&pod_label, &pod_text)?;
    if sa.metadata.name.as_deref().unwrap_or("").is_empty() {
        bail!("{sa_label}: not a ServiceAccount (metadata.name missing)");
    }
    if pod.spec.is_none() {
        bail!("{pod_label}: not a Pod (spec missing)");
    }
    if args.default_expiration <= 0 {
        bail!(
            "--default-expiration {}: must be a positive number of seconds",
            args.default_expiration
        );
    }
    let settings = WebhookSettings {
        region: region.map(str::to_owned),
        sts_regional_endpoints: args.sts_regional,
        default_token_expiration: args.default_expiration,
        annotation_prefix: args.annotation_prefix.clone(),
        ..WebhookSettings::default()
    };
    let sa = ServiceAccountInfo::from(&sa);
    let pod_info = PodInfo::from(&pod);
    let pi = args
        .pod_identity
        .then(|| PodIdentityConfig::eks_for(Some(args.ipv6)));
    let registration = args
        .mutating_webhooks
        .as_ref()
        .map(|path| {
            let label = path.display().to_string();
            let value: serde_json::Value = parse_yaml(&label, &read_file(path)?)?;
            irsa_core::snapshot::webhook_registration(&value.to_string())
                .map_err(|e| anyhow::anyhow!("{label}: {e}"))
        })
        .transpose()?;
    let (mutation, gate) = match &registration {
        Some(r) => {
            let (m, gate) = webhook::predict_registered(r, &sa, &pod_info, &settings, pi.as_ref());
            (m, Some(gate))
        }
        None => (
            webhook::predict(&sa, &pod_info, &settings, pi.as_ref()),
            None,
        ),
    };
    let registration_line = gate.as_ref().map(webhook::Admission::describe);
    let patch = webhook::to_json_patch(&mutation, &pod_raw);
    let deviations = if args.diff {
        webhook::diff(&sa, &pod_info, &settings, pi.as_ref())
    } else {
        Vec::new()
    };
    match args.format {
        TextOrJson::Json => {
            let mut out = json!({ "mode": mutation.mode, "patch": patch });
            if let Some(line) = &registration_line {
                out["registration"] = json!(line);
            }
            if args.diff {
                out["diff"] = serde_json::to_value(&deviations)?;
            }
            outln!("{}", irsa_core::report::to_json_pretty(&out)?);
        }
        TextOrJson::Text => {
            outln!(
                "mode: {}",
                serde_json::to_value(mutation.mode)?.as_str().unwrap_or("?")
            );
            if let Some(line) = &registration_line {
                outln!("registration: {}", clean(line));
                if gate.as_ref().is_some_and(webhook::Admission::never_mutated) {
                    outln!(
                        "note: the API server would not call the webhook: the pod would not be mutated at all"
                    );
                }
            }
            if mutation.expiration_jittered {
                outln!(
                    "note: the real webhook picks a token lifetime in [79200, 86400] s; the patch shows 79200"
                );
            }
            if let Some(from) = mutation.clamped_from {
                outln!(
                    "note: token-expiration {from} s is below the 600 s minimum and is clamped to 600"
                );
            }
            outln!("{}", irsa_core::report::to_json_pretty(&patch)?);
            if args.diff {
                if deviations.is_empty() {
                    outln!("diff: the pod carries exactly what the webhook would inject");
                }
                for d in &deviations {
                    let where_ = d
                        .container
                        .as_deref()
                        .map(|c| format!("container {}: ", clean(c)))
                        .unwrap_or_default();
                    outln!(
                        "diff: {where_}{}  expected: {}  actual: {}",
                        clean(&d.item),
                        clean(d.expected.as_deref().unwrap_or("(nothing)")),
                        clean(d.actual.as_deref().unwrap_or("(missing)"))
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
