//! `irsa-inspector trust evaluate`. Exit code 0 when the request is allowed, 1 when denied
//! (explicitly or implicitly), 2 on bad input.

use super::input::read_text;
use crate::cli::{TextOrJson, TrustEvaluateArgs};
use anyhow::{Result, anyhow, bail};
use irsa_core::analysis::checks::arn::{check_aws_principal, check_federated_principal};
use irsa_core::analysis::policy;
use irsa_core::analysis::trust::{self, Decision, RequestContext, RequestPrincipal};
use irsa_core::report::trust_text;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize)]
struct Output<'a> {
    request: &'a RequestContext,
    #[serde(flatten)]
    verdict: &'a trust::TrustVerdict,
}

pub fn evaluate(args: &TrustEvaluateArgs) -> Result<ExitCode> {
    let label = if args.policy == "-" {
        "standard input"
    } else {
        args.policy.as_str()
    };
    let text = read_text(&args.policy)?;
    let doc = policy::parse_str(&text).map_err(|e| anyhow!("{label}: {e}"))?;
    let principal = match (&args.federated, &args.aws_principal, &args.service) {
        (Some(f), _, _) => {
            check_federated_principal(f).map_err(|e| anyhow!("--federated {f:?}: {e}"))?;
            RequestPrincipal::Federated(f.clone())
        }
        (_, Some(a), _) => {
            check_aws_principal(a).map_err(|e| anyhow!("--aws-principal {a:?}: {e}"))?;
            RequestPrincipal::Aws(a.clone())
        }
        (_, _, Some(s)) => RequestPrincipal::Service(s.clone()),
        _ => bail!(
            "give the requesting principal: --federated ARN, --aws-principal ARN or --service NAME"
        ),
    };
    let mut request = RequestContext::new(&args.action, principal);
    for kv in &args.keys {
        let Some((name, value)) = kv.split_once('=') else {
            bail!("--key {kv:?}: expected NAME=VALUE");
        };
        if name.trim().is_empty() {
            bail!("--key {kv:?}: the key name is empty");
        }
        request = request.with_key(name.trim(), value);
    }
    let verdict = trust::evaluate(&doc, &request);
    match args.format {
        TextOrJson::Json => {
            outln!(
                "{}",
                irsa_core::report::to_json_pretty(&Output {
                    request: &request,
                    verdict: &verdict
                })?
            )
        }
        TextOrJson::Text => {
            out!("{}", trust_text::request(&request));
            out!("{}", trust_text::verdict(&verdict));
        }
    }
    Ok(if verdict.decision == Decision::Allow {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
