//! Which identity a container really gets: the AWS SDK default credential chain of IRSA.md §3,
//! walked step by step as the container would — (1) static keys in env, (2) web identity,
//! (3) container credentials, (4) IMDS → the node's instance role, (5) none — with a trace of
//! every step for the drill-down. No crate models the SDK chain against a Kubernetes pod spec,
//! hence this hand-written walk.
//!
//! Unknown stays unknown: when the node's instance or its metadata options are not loaded the
//! IMDS step says so and the verdict is [`CredentialSource::Unknown`], never "none".
//! When web identity is configured but would fail (the caller passes the trust outcome as a
//! [`WebIdentityOutlook`]), the verdict says where an SDK that falls back lands — the guide's
//! "works, but with the wrong permissions" when that is the node role.

mod env;
mod node;
#[cfg(test)]
mod tests;
mod verdict;

pub use env::*;
pub use node::{ImdsReach, InstanceState, NodeContext, NodeRole, imds_reach};
pub use verdict::*;

use super::findings::{CONTAINER_ROLE_ERR, NO_CREDENTIALS, WEB_IDENTITY_ERR};
use crate::model::{ContainerInfo, EnvFromInfo, PodInfo};

/// How much of the walk to keep. The drill-down and `explain` show every step; the bulk
/// analysis of a cluster needs only the outcome — recording the step texts of 100,000
/// containers was most of a rebuild's time and memory (BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Every step with its one-line reason.
    Steps,
    /// The outcome only (`steps` stays empty).
    Outcome,
}

/// What the walk checks at each step.
const STATIC_KEYS_CHECKED: &str = "AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY";
const WEB_IDENTITY_CHECKED: &str = "AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE";
const CONTAINER_CHECKED: &str = CONTAINER_FULL_URI;
const IMDS_CHECKED: &str = "instance metadata (169.254.169.254)";

/// The steps of one walk, recorded only under [`Detail::Steps`]; a step's reason is built
/// only then.
struct Trace {
    detail: Detail,
    steps: Vec<ChainStep>,
}

impl Trace {
    fn push(
        &mut self,
        provider: ChainProvider,
        checked: &str,
        result: StepResult,
        why: impl FnOnce() -> String,
    ) {
        if self.detail == Detail::Steps {
            self.steps.push(ChainStep {
                provider,
                checked: checked.to_owned(),
                result,
                detail: why(),
            });
        }
    }
}

/// Walks the SDK default chain for one container of `pod` on `node`, keeping every step.
pub fn resolve(
    pod: &PodInfo,
    container: &ContainerInfo,
    node: &NodeContext<'_>,
    inputs: &ChainInputs,
) -> CredentialVerdict {
    let imds = imds_reach(node, pod.host_network);
    resolve_with(container, node, inputs, &imds, Detail::Steps)
}

/// Walks the SDK default chain for one container, given the IMDS reachability of its pod
/// (`imds_reach(node, pod.host_network)`, the same for every container of the pod).
pub fn resolve_with(
    container: &ContainerInfo,
    node: &NodeContext<'_>,
    inputs: &ChainInputs,
    imds: &ImdsReach,
    detail: Detail,
) -> CredentialVerdict {
    let mut trace = Trace {
        detail,
        steps: if detail == Detail::Steps {
            Vec::with_capacity(4)
        } else {
            Vec::new()
        },
    };
    let mut chosen: Option<(CredentialSource, Option<Fallback>)> = None;

    // (1) static keys
    let has_id = has_env(container, ACCESS_KEY_ID);
    let has_secret = has_env(container, SECRET_ACCESS_KEY);
    if has_id && has_secret {
        trace.push(
            ChainProvider::StaticKeys,
            STATIC_KEYS_CHECKED,
            StepResult::Selected,
            || {
                let from = env_source(container, ACCESS_KEY_ID).unwrap_or_default();
                format!("both set in env ({ACCESS_KEY_ID} from {from}): long-lived IAM user keys")
            },
        );
        chosen = Some((CredentialSource::StaticKeys, None));
    } else if !container.env_from.is_empty() {
        trace.push(
            ChainProvider::StaticKeys,
            STATIC_KEYS_CHECKED,
            StepResult::Maybe,
            || {
                let from: Vec<String> = container
                    .env_from
                    .iter()
                    .map(|f| match f {
                        EnvFromInfo::Secret { name, .. } => format!("Secret {name}"),
                        EnvFromInfo::ConfigMap { name, .. } => format!("ConfigMap {name}"),
                    })
                    .collect();
                format!(
                    "not set directly; envFrom {} may define them (contents not read)",
                    from.join(", ")
                )
            },
        );
    } else if has_id || has_secret {
        let only = if has_id {
            ACCESS_KEY_ID
        } else {
            SECRET_ACCESS_KEY
        };
        trace.push(
            ChainProvider::StaticKeys,
            STATIC_KEYS_CHECKED,
            StepResult::Skipped,
            || format!("only {only} set: the SDK needs both"),
        );
    } else {
        trace.push(
            ChainProvider::StaticKeys,
            STATIC_KEYS_CHECKED,
            StepResult::Skipped,
            || "not set".to_owned(),
        );
    }

    // (2) web identity
    if chosen.is_some() {
        trace.push(
            ChainProvider::WebIdentity,
            WEB_IDENTITY_CHECKED,
            StepResult::NotReached,
            String::new,
        );
    } else {
        let role = has_env(container, ROLE_ARN);
        let file = has_env(container, WEB_IDENTITY_TOKEN_FILE);
        if role && file {
            let role_arn = literal_env(container, ROLE_ARN).map(|s| s.trim().to_owned());
            let (result, why, source, fallback) =
                web_identity(container, role_arn, inputs, imds, &node.node_role, detail);
            trace.push(
                ChainProvider::WebIdentity,
                WEB_IDENTITY_CHECKED,
                result,
                || why,
            );
            chosen = Some((source, fallback));
        } else if role || file {
            let only = if role {
                ROLE_ARN
            } else {
                WEB_IDENTITY_TOKEN_FILE
            };
            trace.push(
                ChainProvider::WebIdentity,
                WEB_IDENTITY_CHECKED,
                StepResult::Skipped,
                || format!("only {only} set: the SDK skips web identity"),
            );
        } else {
            trace.push(
                ChainProvider::WebIdentity,
                WEB_IDENTITY_CHECKED,
                StepResult::Skipped,
                || "not set (pod not mutated for IRSA)".to_owned(),
            );
        }
    }

    // (3) container credentials
    if chosen.is_some() {
        trace.push(
            ChainProvider::ContainerCredentials,
            CONTAINER_CHECKED,
            StepResult::NotReached,
            String::new,
        );
    } else if let Some(uri) = container
        .env_var(CONTAINER_FULL_URI)
        .or_else(|| container.env_var(CONTAINER_RELATIVE_URI))
    {
        let uri_text = uri.literal_value().unwrap_or("(not a literal)");
        let role_arn = inputs.pod_identity_role.clone();
        let token_file = literal_env(container, CONTAINER_TOKEN_FILE);
        let failure = if node.fargate {
            Some("Pod Identity agent does not run on Fargate".to_owned())
        } else if node.windows {
            Some("Pod Identity agent does not run on Windows nodes".to_owned())
        } else {
            token_file
                .filter(|f| !file_is_mounted(container, f))
                .map(|f| format!("{CONTAINER_TOKEN_FILE} {f} is not under any volume mount"))
                .or_else(|| not_the_agent(uri.literal_value(), token_file.is_some()))
                .or_else(|| inputs.pod_identity_agent.clone())
                .or_else(|| {
                    inputs
                        .pod_identity_broken
                        .as_ref()
                        .map(|(code, why)| format!("EKS refuses the association ({code}: {why})"))
                })
        };
        match failure {
            Some(reason) => {
                trace.push(
                    ChainProvider::ContainerCredentials,
                    CONTAINER_CHECKED,
                    StepResult::Fails,
                    || format!("{uri_text}: {reason}"),
                );
                let lands_on = imds_source(imds, &node.node_role);
                chosen = Some((
                    CredentialSource::ContainerCredentials { role_arn },
                    Some(Fallback {
                        reason,
                        aws_error: CONTAINER_ROLE_ERR.to_owned(),
                        lands_on,
                    }),
                ));
            }
            None => {
                trace.push(
                    ChainProvider::ContainerCredentials,
                    CONTAINER_CHECKED,
                    StepResult::Selected,
                    || {
                        let who = role_arn
                            .as_deref()
                            .unwrap_or("the association's role (association not loaded)");
                        format!("{uri_text} → {who}")
                    },
                );
                chosen = Some((CredentialSource::ContainerCredentials { role_arn }, None));
            }
        }
    } else {
        trace.push(
            ChainProvider::ContainerCredentials,
            CONTAINER_CHECKED,
            StepResult::Skipped,
            || "not set".to_owned(),
        );
    }

    // (4) IMDS
    let imds_line = || match imds {
        ImdsReach::Reachable(w) | ImdsReach::Unreachable(w) | ImdsReach::Unknown(w) => w.clone(),
    };
    let (source, fallback) = match chosen {
        Some((source, fallback)) => {
            let result = if fallback.is_some() {
                imds_result(imds)
            } else {
                StepResult::NotReached
            };
            let fell_back = fallback.is_some();
            trace.push(ChainProvider::Imds, IMDS_CHECKED, result, || {
                if fell_back {
                    format!("fallback: {}", imds_line())
                } else {
                    String::new()
                }
            });
            (source, fallback)
        }
        None => {
            let source = imds_source(imds, &node.node_role);
            trace.push(
                ChainProvider::Imds,
                IMDS_CHECKED,
                imds_result(imds),
                || match &source {
                    CredentialSource::InstanceRole { .. } => format!(
                        "{} → node role {}",
                        imds_line(),
                        node.node_role.name_or_unknown()
                    ),
                    CredentialSource::None if imds.is_reachable() => format!(
                        "{}, but the instance has no instance profile: no credentials",
                        imds_line()
                    ),
                    _ => imds_line(),
                },
            );
            (source, None)
        }
    };
    let landing_role = match (&fallback, &source) {
        (Some(f), _) => match &f.lands_on {
            CredentialSource::InstanceRole { role_arn } => role_arn.clone(),
            _ => None,
        },
        (None, CredentialSource::WebIdentity { role_arn })
        | (None, CredentialSource::ContainerCredentials { role_arn })
        | (None, CredentialSource::InstanceRole { role_arn }) => role_arn.clone(),
        _ => None,
    };
    CredentialVerdict {
        container: container.name.clone(),
        source,
        steps: trace.steps,
        landing_role,
        fallback: fallback.map(Box::new),
    }
}

fn imds_result(imds: &ImdsReach) -> StepResult {
    match imds {
        ImdsReach::Reachable(_) => StepResult::Selected,
        ImdsReach::Unreachable(_) => StepResult::Skipped,
        ImdsReach::Unknown(_) => StepResult::Unknown,
    }
}

/// What IMDS hands out: the instance role, nothing (unreachable, or an instance without an
/// instance profile), or unknown.
fn imds_source(imds: &ImdsReach, role: &NodeRole<'_>) -> CredentialSource {
    match imds {
        ImdsReach::Reachable(_) if *role == NodeRole::None => CredentialSource::None,
        ImdsReach::Reachable(_) => CredentialSource::InstanceRole {
            role_arn: role.arn().map(str::to_owned),
        },
        ImdsReach::Unreachable(_) => CredentialSource::None,
        ImdsReach::Unknown(why) => CredentialSource::Unknown {
            reason: why.clone(),
        },
    }
}

type WebIdentityStep = (StepResult, String, CredentialSource, Option<Fallback>);

fn web_identity(
    container: &ContainerInfo,
    role_arn: Option<String>,
    inputs: &ChainInputs,
    imds: &ImdsReach,
    node_role: &NodeRole<'_>,
    detail: Detail,
) -> WebIdentityStep {
    let steps = detail == Detail::Steps;
    let shown = role_arn.as_deref().unwrap_or("(role from a reference)");
    let token_file = literal_env(container, WEB_IDENTITY_TOKEN_FILE);
    let source = CredentialSource::WebIdentity {
        role_arn: role_arn.clone(),
    };
    let failure = match token_file {
        Some(f) if !file_is_mounted(container, f) => Some((
            format!("token file {f} is not under any volume mount"),
            WEB_IDENTITY_ERR.to_owned(),
        )),
        _ => match &inputs.web_identity {
            Some(WebIdentityOutlook::Fails {
                code,
                reason,
                aws_error,
            }) => Some((format!("{code}: {reason}"), aws_error.clone())),
            _ => None,
        },
    };
    if let Some((reason, aws_error)) = failure {
        let lands_on = imds_source(imds, node_role);
        let why = match &lands_on {
            _ if !steps => String::new(),
            CredentialSource::InstanceRole { .. } => format!(
                "{shown}: {reason}; an SDK that falls back lands on node role {} (works, but with the wrong permissions)",
                node_role.name_or_unknown()
            ),
            CredentialSource::None => {
                format!("{shown}: {reason}; no fallback (IMDS unreachable): {NO_CREDENTIALS}")
            }
            _ => format!("{shown}: {reason}; fallback unknown (IMDS reachability unknown)"),
        };
        let fallback = Fallback {
            reason,
            aws_error,
            lands_on,
        };
        return (StepResult::Fails, why, source, Some(fallback));
    }
    let why = match &inputs.web_identity {
        _ if !steps => String::new(),
        Some(WebIdentityOutlook::Works) => format!("{shown}: trust allows this ServiceAccount"),
        Some(WebIdentityOutlook::Unknown { reason }) => {
            format!("{shown}: trust not verified ({reason})")
        }
        _ => format!("{shown}: trust not evaluated"),
    };
    (StepResult::Selected, why, source, None)
}

/// POD017's reason: a Pod Identity container (it has the agent's token file) whose credentials
/// URI is not one of the agent's addresses.
fn not_the_agent(uri: Option<&str>, pod_identity_token: bool) -> Option<String> {
    let agent = ["http://169.254.170.23/", "http://[fd00:ec2::23]/"];
    let uri = uri?;
    (pod_identity_token && !agent.iter().any(|a| uri.trim().starts_with(a))).then(|| {
        "not the Pod Identity agent's address (169.254.170.23 / [fd00:ec2::23]) (POD017)".to_owned()
    })
}
