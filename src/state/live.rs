//! The opt-in live actions of the pod and ServiceAccount drill-downs — the only things the tool
//! ever creates: a token (TokenRequest), an exec that reads the mounted token (`pods/exec`
//! `cat`), and "test it for real" (a minted token presented to `sts:AssumeRoleWithWebIdentity`).
//!
//! Each goes key → a y/n question naming what will be created → on `y` an
//! [`SideEffect::Request`] and a "running…" line → the source's [`ActionOutcome`] shown in the
//! drill-down. `--read-only` (or a source that cannot act: demo, snapshot) stops them before
//! the question; nothing is sent.

use super::{DrillTarget, State, StatusMessage};
use crate::action::ActionKind;
use crate::action::InputMode;
use crate::messages::ActionOutcome;
use crate::messages::Capabilities;
use crate::messages::{MIN_EXPIRATION_SECONDS, MintRequest, ReadRequest};
use crate::messages::{RequestKind, SimulateRequest, SourceRequest};
use crate::side_effect::SideEffect;
use crate::tone::Tone;
use irsa_core::analysis::inventory::InventoryIndex;
use irsa_core::dataset::Dataset;
use irsa_core::model::{EnvValue, PodInfo, ProjectedSource, VolumeSourceInfo};

/// The audience IRSA tokens carry when nothing else says.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";
/// The session name "test it for real" gives STS.
pub const SESSION_NAME: &str = "irsa-inspector-test";
/// Where the kubelet mounts the default ServiceAccount token.
const DEFAULT_TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/// An action the user started, and its answer once it came.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRecord {
    pub id: u64,
    pub target: DrillTarget,
    pub kind: ActionKind,
    pub request: RequestKind,
    /// `None` while running.
    pub outcome: Option<ActionOutcome>,
}

/// A question waiting for y/n.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub target: DrillTarget,
    pub kind: ActionKind,
    pub request: RequestKind,
    /// `create serviceaccounts/token for ns/sa? y/n`
    pub question: String,
}

/// The live actions' part of the state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveActions {
    pub caps: Capabilities,
    next_id: u64,
    pub pending: Option<Pending>,
    /// The latest run of each action per target.
    pub records: Vec<ActionRecord>,
}

impl LiveActions {
    /// The records of one drill-down target, in the order the actions were started.
    pub fn of<'a>(
        &'a self,
        target: &'a DrillTarget,
    ) -> impl DoubleEndedIterator<Item = &'a ActionRecord> {
        self.records.iter().filter(move |r| &r.target == target)
    }
}

fn say(state: &mut State, tone: Tone, text: impl Into<String>) {
    state.status = Some(StatusMessage {
        tone,
        text: text.into(),
    });
}

/// A key asked for `kind` on the open drill-down: ask y/n, or say why it cannot run.
pub(super) fn begin(state: &mut State, kind: ActionKind) -> Vec<SideEffect> {
    if kind == ActionKind::AskAws {
        return ask_aws(state);
    }
    if kind == ActionKind::CloudTrail {
        return cloudtrail(state);
    }
    begin_confirmed(state, kind);
    Vec::new()
}

/// `E` in a pod or ServiceAccount view: CloudTrail is only read, so no y/n and `--read-only`
/// allows it; it needs `--aws`.
fn cloudtrail(state: &mut State) -> Vec<SideEffect> {
    let kind = ActionKind::CloudTrail;
    let Some(target) = state.drill.as_ref().map(|d| d.target.clone()).filter(|t| {
        matches!(
            t,
            DrillTarget::Pod { .. } | DrillTarget::ServiceAccount { .. }
        )
    }) else {
        say(
            state,
            Tone::Dim,
            "E reads CloudTrail's evidence about a pod or ServiceAccount: open one first",
        );
        return Vec::new();
    };
    if !state.live.caps.aws {
        say(
            state,
            Tone::Dim,
            format!("{}: needs --aws (AWS credentials)", kind.label()),
        );
        return Vec::new();
    }
    send(
        state,
        Pending {
            target,
            kind,
            request: RequestKind::CloudTrail {
                lookback_secs: TRAIL_LOOKBACK_SECS,
            },
            question: String::new(),
        },
    )
}

/// `ACTION RESOURCE` of the latest call CloudTrail recorded as refused for the open pod or
/// ServiceAccount view (by the `E` answers), for `c` to ask about.
pub(super) fn refused_question(state: &State) -> Option<String> {
    let target = state.drill.as_ref().map(|d| &d.target)?;
    let data = state.dataset.as_deref()?;
    let subject = match target {
        DrillTarget::Pod { namespace, name } => irsa_core::model::Subject::pod(namespace, name),
        DrillTarget::ServiceAccount { namespace, name } => {
            irsa_core::model::Subject::service_account(namespace, name)
        }
        _ => return None,
    };
    state.live.of(target).rev().find_map(|record| {
        let Some(ActionOutcome::Trail(read)) = &record.outcome else {
            return None;
        };
        let evidence =
            irsa_core::analysis::triage::cloudtrail::attribute(&data.inventory, &read.records);
        let e = evidence.of(&subject)?;
        let (action, denied) = e.denied.iter().max_by_key(|(_, d)| d.last)?;
        Some(format!(
            "{action} {}",
            denied.resource.as_deref().unwrap_or("*")
        ))
    })
}

/// `E` reads the last hour.
pub const TRAIL_LOOKBACK_SECS: i64 = 3600;

/// `A` in a `:can` view: AWS's simulator is read-only, so no y/n and `--read-only` allows it;
/// it needs `--aws` and a role the pod runs as.
fn ask_aws(state: &mut State) -> Vec<SideEffect> {
    let kind = ActionKind::AskAws;
    let Some(target) = state
        .drill
        .as_ref()
        .map(|d| d.target.clone())
        .filter(|t| matches!(t, DrillTarget::CanI { .. }))
    else {
        say(
            state,
            Tone::Dim,
            "A asks AWS's simulator about a :can answer: ask one first (c in a pod or \
             ServiceAccount view)",
        );
        return Vec::new();
    };
    if !state.live.caps.aws {
        say(
            state,
            Tone::Dim,
            format!("{}: needs --aws (AWS credentials)", kind.label()),
        );
        return Vec::new();
    }
    let built = match state.dataset.as_deref() {
        Some(data) => build_request(data, &target, kind),
        None => Err("no data yet".to_owned()),
    };
    match built {
        Ok(request) => send(
            state,
            Pending {
                target,
                kind,
                request,
                question: String::new(),
            },
        ),
        Err(why) => {
            say(state, Tone::Dim, format!("{}: {why}", kind.label()));
            Vec::new()
        }
    }
}

fn begin_confirmed(state: &mut State, kind: ActionKind) {
    let Some(target) = state.drill.as_ref().map(|d| d.target.clone()) else {
        return say(
            state,
            Tone::Dim,
            "open a pod or ServiceAccount (Enter) first: t, x and a act on its drill-down",
        );
    };
    let caps = state.live.caps;
    if caps.read_only {
        return say(
            state,
            Tone::Warn,
            format!("{}: disabled by --read-only", kind.label()),
        );
    }
    if !caps.live_actions {
        return say(
            state,
            Tone::Dim,
            format!(
                "{}: not available for this source: {}",
                kind.label(),
                state.origin
            ),
        );
    }
    if kind == ActionKind::TestWebIdentity && !caps.aws {
        return say(
            state,
            Tone::Dim,
            format!("{}: needs --aws (AWS credentials)", kind.label()),
        );
    }
    let built = match state.dataset.as_deref() {
        Some(data) => build_request(data, &target, kind),
        None => Err("no data yet".to_owned()),
    };
    match built {
        Ok(request) => {
            let question = format!("{}? y/n", request.creates());
            say(state, Tone::Warn, question.clone());
            state.live.pending = Some(Pending {
                target,
                kind,
                request,
                question,
            });
            state.mode = InputMode::Confirm;
        }
        Err(why) => say(state, Tone::Dim, format!("{}: {why}", kind.label())),
    }
}

/// The answer to the pending question: `y` sends the request, anything else cancels.
pub(super) fn answer(state: &mut State, yes: bool) -> Vec<SideEffect> {
    state.mode = InputMode::Normal;
    let Some(pending) = state.live.pending.take() else {
        return Vec::new();
    };
    if !yes {
        say(state, Tone::Dim, "cancelled: nothing was created");
        return Vec::new();
    }
    send(state, pending)
}

/// Records the action as running and hands it to the source.
fn send(state: &mut State, pending: Pending) -> Vec<SideEffect> {
    state.live.next_id += 1;
    let id = state.live.next_id;
    state
        .live
        .records
        .retain(|r| !(r.target == pending.target && r.kind == pending.kind));
    state.live.records.push(ActionRecord {
        id,
        target: pending.target.clone(),
        kind: pending.kind,
        request: pending.request.clone(),
        outcome: None,
    });
    say(
        state,
        Tone::Dim,
        format!("running… {}", pending.kind.label()),
    );
    state.rebuild_drill_of(&pending.target);
    vec![SideEffect::Request(SourceRequest {
        id,
        kind: pending.request,
    })]
}

/// The source answered request `id`.
pub(super) fn result(state: &mut State, id: u64, outcome: ActionOutcome) {
    let Some(record) = state.live.records.iter_mut().find(|r| r.id == id) else {
        return;
    };
    let (kind, target) = (record.kind, record.target.clone());
    let message = match &outcome {
        ActionOutcome::Forbidden(m) => Some((Tone::Bad, m.clone())),
        ActionOutcome::Failed(m) => Some((Tone::Bad, format!("{}: {m}", kind.label()))),
        ActionOutcome::Unavailable(m) => Some((Tone::Dim, format!("{}: {m}", kind.label()))),
        ActionOutcome::Token(_)
        | ActionOutcome::WebIdentity { .. }
        | ActionOutcome::AwsSimulation(_)
        | ActionOutcome::Trail(_) => Some((
            Tone::Good,
            format!("{}: done, shown in the drill-down", kind.label()),
        )),
    };
    record.outcome = Some(outcome);
    if let Some((tone, text)) = message {
        // Error text may quote the cluster or AWS: no control characters reach the terminal.
        say(state, tone, irsa_core::report::clean(&text));
    }
    state.rebuild_drill_of(&target);
}

/// The request `kind` makes for `target`, from what the data says of it.
pub fn build_request(
    data: &Dataset,
    target: &DrillTarget,
    kind: ActionKind,
) -> Result<RequestKind, String> {
    let index = InventoryIndex::new(&data.inventory);
    match target {
        DrillTarget::Pod { namespace, name } => {
            let pod = data
                .inventory
                .pod(namespace, name)
                .ok_or("the pod is no longer in the data")?;
            let irsa = index
                .service_account(namespace, &pod.service_account)
                .and_then(|sa| {
                    irsa_core::analysis::checks::binding::evaluate_binding(&index, sa).irsa
                });
            let token_file = web_identity_file(pod);
            let audience = token_file
                .as_ref()
                .and_then(|(_, path)| volume_audience(pod, path))
                .or_else(|| irsa.as_ref().map(|i| i.audience.clone()))
                .unwrap_or_else(|| STS_AUDIENCE.to_owned());
            let mint = MintRequest {
                namespace: namespace.clone(),
                service_account: pod.service_account.to_string(),
                audience: Some(audience),
                expiration_seconds: MIN_EXPIRATION_SECONDS,
                bound_pod: Some((name.clone(), pod.uid.clone())),
            };
            match kind {
                ActionKind::MintToken => Ok(RequestKind::MintToken(mint)),
                ActionKind::ReadMountedToken => {
                    let (container, path) = token_file
                        .or_else(|| {
                            pod.containers
                                .first()
                                .map(|c| (c.name.clone(), DEFAULT_TOKEN_PATH.to_owned()))
                        })
                        .ok_or("the pod has no container")?;
                    Ok(RequestKind::ReadMountedToken(ReadRequest {
                        namespace: namespace.clone(),
                        pod: name.clone(),
                        container: Some(container),
                        path,
                    }))
                }
                ActionKind::AskAws => Err(not_a_can_view()),
                ActionKind::CloudTrail => Ok(RequestKind::CloudTrail {
                    lookback_secs: TRAIL_LOOKBACK_SECS,
                }),
                ActionKind::TestWebIdentity => {
                    let role_arn = env_literal(pod, "AWS_ROLE_ARN")
                        .map(|(_, v)| v)
                        .or_else(|| irsa.map(|i| i.role_arn))
                        .ok_or(
                            "no role to test: the pod has no AWS_ROLE_ARN and its ServiceAccount \
                             no eks.amazonaws.com/role-arn annotation",
                        )?;
                    Ok(RequestKind::TestWebIdentity {
                        mint,
                        role_arn,
                        session_name: SESSION_NAME.to_owned(),
                    })
                }
            }
        }
        DrillTarget::ServiceAccount { namespace, name } => {
            let sa = index
                .service_account(namespace, name)
                .ok_or("the ServiceAccount is no longer in the data")?;
            let irsa = irsa_core::analysis::checks::binding::evaluate_binding(&index, sa).irsa;
            let mint = MintRequest {
                namespace: namespace.clone(),
                service_account: name.clone(),
                audience: Some(
                    irsa.as_ref()
                        .map_or_else(|| STS_AUDIENCE.to_owned(), |i| i.audience.clone()),
                ),
                expiration_seconds: MIN_EXPIRATION_SECONDS,
                bound_pod: None,
            };
            match kind {
                ActionKind::MintToken => Ok(RequestKind::MintToken(mint)),
                ActionKind::ReadMountedToken => {
                    Err("reading a mounted token needs a pod: open one in the Pods pane".to_owned())
                }
                ActionKind::AskAws => Err(not_a_can_view()),
                ActionKind::CloudTrail => Ok(RequestKind::CloudTrail {
                    lookback_secs: TRAIL_LOOKBACK_SECS,
                }),
                ActionKind::TestWebIdentity => {
                    let role_arn = irsa.map(|i| i.role_arn).ok_or(
                        "no role to test: no eks.amazonaws.com/role-arn annotation".to_owned(),
                    )?;
                    Ok(RequestKind::TestWebIdentity {
                        mint,
                        role_arn,
                        session_name: SESSION_NAME.to_owned(),
                    })
                }
            }
        }
        DrillTarget::CanI { .. } if kind == ActionKind::AskAws => {
            let answer = super::drill::can_i_answer(data, target)?;
            let role_arn = answer.identity.role_arn.ok_or(
                "not asked: the pod runs as no role AWS could simulate (our answer stands alone)",
            )?;
            Ok(RequestKind::AskAws(SimulateRequest {
                role_arn,
                action: answer.action,
                resource: answer.resource,
                keys: super::drill::request_keys(target),
            }))
        }
        _ => Err("only pods and ServiceAccounts have live actions".to_owned()),
    }
}

fn not_a_can_view() -> String {
    "ask a question first: c (:can ACTION RESOURCE), then A in its answer".to_owned()
}

/// The first container's literal value of env `name`: (container, value).
fn env_literal(pod: &PodInfo, name: &str) -> Option<(String, String)> {
    pod.all_containers().find_map(|c| {
        c.env_var(name).and_then(|e| match &e.value {
            EnvValue::Literal(v) => Some((c.name.clone(), v.clone())),
            _ => None,
        })
    })
}

/// The container and file of the pod's web-identity (IRSA) or Pod Identity token.
fn web_identity_file(pod: &PodInfo) -> Option<(String, String)> {
    env_literal(pod, "AWS_WEB_IDENTITY_TOKEN_FILE")
        .or_else(|| env_literal(pod, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
}

/// The audience of the projected token volume that serves `file`.
fn volume_audience(pod: &PodInfo, file: &str) -> Option<String> {
    pod.all_containers()
        .flat_map(|c| c.volume_mounts.iter())
        .find_map(|m| {
            let rest = file.strip_prefix(m.mount_path.trim_end_matches('/'))?;
            let rest = rest.strip_prefix('/')?;
            let VolumeSourceInfo::Projected { sources } = &pod.volume(&m.name)?.source else {
                return None;
            };
            sources.iter().find_map(|s| match s {
                ProjectedSource::ServiceAccountToken { audience, path, .. } if path == rest => {
                    audience.clone()
                }
                _ => None,
            })
        })
}
