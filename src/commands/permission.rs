//! `irsa-inspector policy simulate` and `irsa-inspector can-i`: wiring only (read the files or
//! the inventory, call `irsa_core::analysis::permission`, print through
//! `irsa_core::report::permission_text` or JSON). Exit 0 allowed, 1 not allowed, 2 bad input.

use super::input::{namespace_name, read_text};
use crate::cli::{CanIArgs, PolicySimulateArgs, TextOrJson};
use anyhow::{Result, anyhow, bail};
use irsa_core::analysis::audit::audit;
use irsa_core::analysis::permission::ask_aws as aws_compare;
use irsa_core::analysis::permission::can_i::{
    self as core_can_i, CanIDecision, CanIQuery, CanISubject,
};
use irsa_core::analysis::permission::{
    self, NamedPolicy, PermissionDecision, PermissionRequest, PolicySet, ResourcePolicy, ScpLevel,
};
use irsa_core::analysis::policy;
use irsa_core::analysis::trust::RequestKey;
use irsa_core::model::Inventory;
use irsa_core::report::permission_text;
use irsa_inspector::sources::aws;
use jiff::Timestamp;
use serde::Serialize;
use std::process::ExitCode;

/// A policy file, parsed; the error names the flag and the file.
fn policy_file(flag: &str, path: &str) -> Result<NamedPolicy> {
    let text = read_text(path)?;
    let document = policy::parse_str(&text).map_err(|e| anyhow!("{flag} {path}: {e}"))?;
    let name = std::path::Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_owned(), |s| s.to_string_lossy().into_owned());
    Ok(NamedPolicy { name, document })
}

/// `--key NAME=VALUE` flags; a repeated name is multi-valued.
fn keys(flags: &[String]) -> Result<Vec<RequestKey>> {
    let mut out: Vec<RequestKey> = Vec::new();
    for kv in flags {
        let Some((name, value)) = kv.split_once('=') else {
            bail!("--key {kv:?}: expected NAME=VALUE");
        };
        let name = name.trim();
        if name.is_empty() {
            bail!("--key {kv:?}: the key name is empty");
        }
        RequestKey::add(&mut out, name, value);
    }
    Ok(out)
}

fn check_action(action: &str) -> Result<()> {
    match action.split_once(':') {
        Some((service, name)) if !service.is_empty() && !name.is_empty() => Ok(()),
        _ if action == "*" => Ok(()),
        _ => bail!("action {action:?}: expected SERVICE:ACTION, e.g. s3:GetObject"),
    }
}

fn check_arn(flag: &str, arn: &str) -> Result<()> {
    if arn == "*" || (arn.starts_with("arn:") && arn.splitn(6, ':').count() == 6) {
        Ok(())
    } else {
        bail!("{flag} {arn:?}: expected an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)")
    }
}

#[derive(Serialize)]
struct SimulateOutput<'a> {
    request: &'a PermissionRequest,
    #[serde(flatten)]
    verdict: &'a permission::PermissionVerdict,
}

pub fn simulate(args: &PolicySimulateArgs) -> Result<ExitCode> {
    check_action(&args.action)?;
    check_arn("--resource", &args.resource)?;
    check_arn("--principal", &args.principal)?;
    if args.principal == "*" {
        bail!("--principal: give the caller's ARN, not *");
    }
    let policies = PolicySet {
        identity: args
            .identity_policies
            .iter()
            .map(|p| policy_file("--identity-policy", p))
            .collect::<Result<_>>()?,
        boundary: args
            .boundary
            .as_deref()
            .map(|p| policy_file("--boundary", p))
            .transpose()?,
        session: args
            .session_policies
            .iter()
            .map(|p| policy_file("--session-policy", p))
            .collect::<Result<_>>()?,
        scps: if args.scps.is_empty() {
            None
        } else {
            Some(
                args.scps
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let policy = policy_file("--scp", p)?;
                        Ok(ScpLevel {
                            name: format!("level {} ({})", i + 1, policy.name),
                            policies: vec![policy],
                        })
                    })
                    .collect::<Result<_>>()?,
            )
        },
        resource: match &args.resource_policy {
            Some(p) => ResourcePolicy::Loaded {
                policy: policy_file("--resource-policy", p)?,
            },
            None => ResourcePolicy::None,
        },
    };
    if let Some(account) = &args.resource_account
        && !(account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()))
    {
        bail!("--resource-account {account:?}: expected a 12-digit account id");
    }
    let request = PermissionRequest {
        action: args.action.clone(),
        resource: args.resource.clone(),
        principal: args.principal.clone(),
        resource_account: args.resource_account.clone(),
        keys: keys(&args.keys)?,
        principal_tags_known: false,
    };
    let verdict = permission::evaluate(&request, &policies);
    match args.format {
        TextOrJson::Json => outln!(
            "{}",
            irsa_core::report::to_json_pretty(&SimulateOutput {
                request: &request,
                verdict: &verdict,
            })?
        ),
        TextOrJson::Text => out!("{}", permission_text::simulation(&request, &verdict)),
    }
    Ok(if verdict.decision == PermissionDecision::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--aws`: reads the policy of the question's resource live and puts it in `inv` (replacing a
/// snapshot's copy); says where the evaluated policy came from. A failed read leaves the
/// policy unknown — unless a snapshot has a copy, which is then used and named as such.
fn read_resource_policy(
    inv: &mut Inventory,
    query: &mut CanIQuery,
    options: aws::AwsOptions,
) -> String {
    let resource = query.resource.clone();
    let has_copy = inv
        .resource_policies
        .iter()
        .flatten()
        .any(|p| p.governs(&resource));
    let mut install = |policy: Option<irsa_core::model::ResourcePolicyInfo>| {
        let list = inv.resource_policies.get_or_insert_with(Vec::new);
        list.retain(|p| !p.governs(&resource));
        list.extend(policy);
    };
    match aws::blocking::resource_policy(options, &resource) {
        Ok(aws::ResourceRead::Policy(policy)) => {
            let source = format!("read live: {}", policy.arn);
            install(Some(policy));
            source
        }
        Ok(aws::ResourceRead::NoPolicy) => {
            install(None);
            "read live: the resource has no policy".to_owned()
        }
        Ok(aws::ResourceRead::NotRead(why)) if has_copy => {
            format!("from the snapshot ({why})")
        }
        Ok(aws::ResourceRead::NotRead(why)) => why,
        Err(e) if has_copy => format!("live read failed ({e}): the snapshot's copy is used"),
        Err(e) => {
            query.resource_policy_unknown = Some(format!("the live read failed: {e}"));
            format!("live read failed: {e}")
        }
    }
}

/// `--ask-aws`: the simulator's answer for the role the pod runs as, beside ours.
fn ask_aws(answer: &mut core_can_i::CanIAnswer, query: &CanIQuery, options: aws::AwsOptions) {
    let Some(role) = answer.identity.role_arn.clone() else {
        answer.aws_error = Some("not asked: the pod runs as no role AWS could simulate".to_owned());
        return;
    };
    match aws::blocking::simulate(options, &role, &query.action, &query.resource, &query.keys) {
        Ok(simulation) => {
            answer.aws = Some(aws_compare::compare(
                answer.decision,
                simulation,
                answer.session_policy_applied,
            ))
        }
        Err(e) => answer.aws_error = Some(e),
    }
}

/// `can-i`; with `live_resource` (`--aws`) the S3 bucket or KMS key policy the question
/// names is read live first.
pub fn can_i(
    mut inv: Inventory,
    now: Timestamp,
    args: &CanIArgs,
    aws_options: aws::AwsOptions,
    live_resource: Option<aws::AwsOptions>,
) -> Result<ExitCode> {
    check_action(&args.action)?;
    check_arn("RESOURCE", &args.resource)?;
    let subject = match (&args.pod, &args.sa) {
        (Some(pod), _) => {
            let (namespace, name) = namespace_name(pod, "--pod")?;
            CanISubject::Pod { namespace, name }
        }
        (None, Some(sa)) => {
            let (namespace, name) = namespace_name(sa, "--sa")?;
            CanISubject::ServiceAccount { namespace, name }
        }
        (None, None) => bail!("give --pod NAMESPACE/NAME or --sa NAMESPACE/NAME"),
    };
    let mut query = CanIQuery {
        action: args.action.clone(),
        resource: args.resource.clone(),
        keys: keys(&args.keys)?,
        resource_account: args.resource_account.clone(),
        resource_policy_unknown: None,
        container: args.container.clone(),
    };
    let source = match live_resource {
        Some(options) if core_can_i::takes_resource_policy(&args.resource) => {
            Some(read_resource_policy(&mut inv, &mut query, options))
        }
        _ => None,
    };
    let report = audit(&inv, now);
    let mut answer = core_can_i::can_i(&inv, &report, &subject, &query)?;
    answer.resource_policy_source = source;
    if args.ask_aws {
        ask_aws(&mut answer, &query, aws_options);
    }
    match args.format {
        TextOrJson::Json => outln!("{}", irsa_core::report::to_json_pretty(&answer)?),
        TextOrJson::Text => out!("{}", permission_text::can_i(&answer)),
    }
    Ok(if answer.decision == CanIDecision::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
