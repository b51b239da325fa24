//! CloudTrail evidence beside the analysis (`--cloudtrail`): the records
//! `cloudtrail:LookupEvents` returns (or `aws cloudtrail lookup-events` printed into a
//! snapshot's `cloudtrail-events.json`), attributed to the cluster's ServiceAccounts and pods:
//!
//! - `AssumeRoleWithWebIdentity` (sts): the token's subject is the web-identity user name
//!   (`system:serviceaccount:<ns>:<sa>`), the role asked for is `requestParameters.roleArn`;
//! - `AssumeRoleForPodIdentity` (eks-auth): a success names the ServiceAccount in
//!   `responseElements.subject` and the role in `assumedRoleUser`; a failure is counted for the
//!   cluster (the request carries only the hidden token);
//! - access errors (`AccessDenied`, `AccessDeniedException`, `UnauthorizedOperation`, …) made by
//!   a session of a role the cluster uses: the ServiceAccounts of that role, and the pod a Pod
//!   Identity session name names (`eks-<cluster>-<pod>-<random>`).
//!
//! Then each subject's evidence is set against the analysis's prediction ([`compare`]):
//! "predicted: trust denies demo2/s3-reader — CloudTrail: 14 AccessDenied in the last hour,
//! same subject". Pure: the records and the window come in, nothing is read here.

use crate::analysis::checks::binding::{BindingAnalysis, evaluate_binding};
use crate::analysis::credentials::WebIdentityOutlook;
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::permission::role_arn_of_session;
use crate::model::{Inventory, Subject};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Pages (of 50 events) each LookupEvents lookup reads at most; a capped lookup is reported.
pub const LOOKUP_PAGE_CAP: usize = 40;

/// The error codes CloudTrail records for a refused call.
const DENIED: [&str; 5] = [
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
    "UnauthorizedException",
];

/// One CloudTrail record: the fields this reads (the rest is ignored).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailRecord {
    #[serde(default)]
    pub event_time: Option<Timestamp>,
    #[serde(default)]
    pub event_source: String,
    #[serde(default)]
    pub event_name: String,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default)]
    pub user_identity: Option<UserIdentity>,
    #[serde(default)]
    pub request_parameters: Option<serde_json::Value>,
    #[serde(default)]
    pub response_elements: Option<serde_json::Value>,
    #[serde(default)]
    pub resources: Option<Vec<TrailResource>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub arn: Option<String>,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub session_context: Option<SessionContext>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    #[serde(default)]
    pub session_issuer: Option<SessionIssuer>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer {
    #[serde(default)]
    pub arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TrailResource {
    #[serde(
        default,
        rename = "ResourceName",
        alias = "resourceName",
        alias = "ARN"
    )]
    pub name: Option<String>,
}

/// `{"Events": [{"CloudTrailEvent": "<json text>", …}]}` as `aws cloudtrail lookup-events`
/// prints it; each record's text parsed, those that do not parse counted.
pub fn parse_lookup_output(text: &str) -> Result<(Vec<TrailRecord>, usize), String> {
    #[derive(Deserialize)]
    struct Output {
        #[serde(rename = "Events", default)]
        events: Vec<Event>,
    }
    #[derive(Deserialize)]
    struct Event {
        #[serde(rename = "CloudTrailEvent", default)]
        record: Option<String>,
    }
    let out: Output = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut records = Vec::new();
    let mut unreadable = 0;
    for e in out.events {
        match e.record.as_deref().map(serde_json::from_str::<TrailRecord>) {
            Some(Ok(r)) => records.push(r),
            _ => unreadable += 1,
        }
    }
    Ok((records, unreadable))
}

/// What CloudTrail says about one ServiceAccount or pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectEvidence {
    pub subject: Option<Subject>,
    /// Successful credential exchanges (web identity or Pod Identity).
    pub successes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<Timestamp>,
    /// Failed exchanges by error code: (count, last time, one message).
    pub failures: BTreeMap<String, Failure>,
    /// Roles the exchanges asked for (the "pod needs a restart" tell when not the configured
    /// one).
    pub roles_requested: BTreeMap<String, u32>,
    /// Refused calls by `service:Action`.
    pub denied: BTreeMap<String, Denied>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denied {
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    /// The resource the record names, when it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

/// Everything attributed, per subject, plus what could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailEvidence {
    /// Keyed by the subject's `kind namespace/name`.
    pub subjects: BTreeMap<String, SubjectEvidence>,
    /// Records about the cluster's identities that name no ServiceAccount or pod (a failed
    /// `AssumeRoleForPodIdentity` carries only the hidden token).
    pub unattributed: BTreeMap<String, u32>,
    /// Records read in all.
    pub records: usize,
}

impl TrailEvidence {
    pub fn of(&self, subject: &Subject) -> Option<&SubjectEvidence> {
        self.subjects.get(&key(subject))
    }
}

fn key(subject: &Subject) -> String {
    format!(
        "{} {}/{}",
        subject.kind.as_str(),
        subject.namespace.as_deref().unwrap_or_default(),
        subject.name
    )
}

fn entry(e: &mut TrailEvidence, subject: Subject) -> &mut SubjectEvidence {
    e.subjects
        .entry(key(&subject))
        .or_insert_with(|| SubjectEvidence {
            subject: Some(subject),
            ..SubjectEvidence::default()
        })
}

/// Attributes every record to the cluster's subjects.
pub fn attribute(inv: &Inventory, records: &[TrailRecord]) -> TrailEvidence {
    let index = InventoryIndex::new(inv);
    let cluster = inv.cluster.as_ref().map(|c| c.name.as_str());
    let mut out = TrailEvidence {
        records: records.len(),
        ..TrailEvidence::default()
    };
    for r in records {
        let ok = r.error_code.is_none();
        match (r.event_source.as_str(), r.event_name.as_str()) {
            ("sts.amazonaws.com", "AssumeRoleWithWebIdentity") => {
                let user = r
                    .user_identity
                    .as_ref()
                    .and_then(|u| u.user_name.as_deref())
                    .or_else(|| {
                        str_at(r.response_elements.as_ref(), "/subjectFromWebIdentityToken")
                    });
                let Some((ns, sa)) = user.and_then(service_account_of) else {
                    *out.unattributed.entry(r.event_name.clone()).or_default() += 1;
                    continue;
                };
                if index.service_account(ns, sa).is_none() {
                    *out.unattributed.entry(r.event_name.clone()).or_default() += 1;
                    continue;
                }
                let role = str_at(r.request_parameters.as_ref(), "/roleArn").map(str::to_owned);
                exchange(&mut out, Subject::service_account(ns, sa), r, ok, role);
            }
            ("eks-auth.amazonaws.com", "AssumeRoleForPodIdentity") => {
                let ns = str_at(r.response_elements.as_ref(), "/subject/namespace");
                let sa = str_at(r.response_elements.as_ref(), "/subject/serviceAccount");
                let role = str_at(r.response_elements.as_ref(), "/assumedRoleUser/arn")
                    .and_then(role_arn_of_session);
                match (ns, sa) {
                    (Some(ns), Some(sa)) => {
                        exchange(&mut out, Subject::service_account(ns, sa), r, ok, role);
                    }
                    _ => {
                        let what = match &r.error_code {
                            Some(code) => format!("AssumeRoleForPodIdentity {code}"),
                            None => "AssumeRoleForPodIdentity".to_owned(),
                        };
                        *out.unattributed.entry(what).or_default() += 1;
                    }
                }
            }
            _ if r.error_code.as_deref().is_some_and(|c| DENIED.contains(&c)) => {
                denied(&mut out, &index, cluster, r);
            }
            _ => {}
        }
    }
    out
}

/// `system:serviceaccount:<ns>:<sa>` → (ns, sa).
fn service_account_of(sub: &str) -> Option<(&str, &str)> {
    let rest = sub.strip_prefix("system:serviceaccount:")?;
    rest.split_once(':')
}

fn str_at<'v>(v: Option<&'v serde_json::Value>, pointer: &str) -> Option<&'v str> {
    v?.pointer(pointer)?.as_str()
}

fn exchange(
    out: &mut TrailEvidence,
    subject: Subject,
    r: &TrailRecord,
    ok: bool,
    role: Option<String>,
) {
    let e = entry(out, subject);
    if let Some(role) = role {
        *e.roles_requested.entry(role).or_default() += 1;
    }
    if ok {
        e.successes += 1;
        e.last_success = e.last_success.max(r.event_time);
    } else {
        let code = r.error_code.clone().unwrap_or_default();
        let f = e.failures.entry(code).or_default();
        f.count += 1;
        f.last = f.last.max(r.event_time);
        if f.message.is_none() {
            f.message = r
                .error_message
                .as_deref()
                .map(|m| m.chars().take(300).collect());
        }
    }
}

/// A refused call by a session of one of the cluster's roles.
fn denied(
    out: &mut TrailEvidence,
    index: &InventoryIndex<'_>,
    cluster: Option<&str>,
    r: &TrailRecord,
) {
    let Some(user) = &r.user_identity else { return };
    let role = user
        .session_context
        .as_ref()
        .and_then(|c| c.session_issuer.as_ref())
        .and_then(|i| i.arn.clone())
        .or_else(|| user.arn.as_deref().and_then(role_arn_of_session));
    let Some(role) = role else { return };
    let service = r
        .event_source
        .strip_suffix(".amazonaws.com")
        .unwrap_or(&r.event_source);
    let action = format!("{service}:{}", r.event_name);
    let resource = r.resources.iter().flatten().find_map(|x| x.name.clone());
    let mut subjects: Vec<Subject> = Vec::new();
    // The pod a Pod Identity session name names.
    let session = user.arn.as_deref().and_then(|a| a.rsplit('/').next());
    if let (Some(session), Some(cluster)) = (session, cluster)
        && let Some(rest) = session.strip_prefix(&format!("eks-{cluster}-"))
    {
        subjects.extend(
            index
                .inventory
                .pods
                .iter()
                .filter(|p| rest.starts_with(p.name.as_str()))
                .map(|p| Subject::pod(&p.namespace, &p.name)),
        );
    }
    if subjects.is_empty() {
        subjects.extend(
            index
                .inventory
                .service_accounts
                .iter()
                .filter(|sa| {
                    index
                        .associations_of(&sa.namespace, &sa.name)
                        .iter()
                        .any(|a| a.role_arn == role || a.target_role_arn.as_deref() == Some(&role))
                        || sa
                            .annotations
                            .get(&index.keys.role_arn)
                            .is_some_and(|a| a.trim() == role)
                })
                .map(|sa| Subject::service_account(&sa.namespace, &sa.name)),
        );
    }
    if subjects.is_empty() {
        return;
    }
    for s in subjects {
        let e = entry(out, s);
        let d = e.denied.entry(action.clone()).or_default();
        d.count += 1;
        d.last = d.last.max(r.event_time);
        if d.resource.is_none() {
            d.resource = resource.clone();
        }
    }
}

/// Does the evidence confirm the analysis's prediction for a ServiceAccount?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Agreement {
    /// Predicted to fail, and CloudTrail records failures.
    Confirms,
    /// Predicted to fail, yet CloudTrail records only successes (or the reverse).
    Contradicts,
    /// Nothing to compare (no exchange recorded, or no prediction).
    NoEvidence,
}

/// One line setting the prediction against the evidence, and the agreement.
pub fn compare(
    inv: &Inventory,
    subject: &Subject,
    evidence: Option<&SubjectEvidence>,
    window: &str,
) -> (Agreement, String) {
    let index = InventoryIndex::new(inv);
    let binding = subject
        .namespace
        .as_deref()
        .and_then(|ns| index.service_account(ns, &subject.name))
        .map(|sa| evaluate_binding(&index, sa));
    let predicted = binding.as_ref().map(prediction);
    let failures: u32 = evidence
        .map(|e| e.failures.values().map(|f| f.count).sum())
        .unwrap_or(0);
    let successes = evidence.map_or(0, |e| e.successes);
    let codes: Vec<String> = evidence
        .map(|e| {
            e.failures
                .iter()
                .map(|(code, f)| format!("{} {code}", f.count))
                .collect()
        })
        .unwrap_or_default();
    let seen = if failures + successes == 0 {
        format!("CloudTrail: no credential exchange in the last {window}")
    } else if failures == 0 {
        format!("CloudTrail: {successes} successful exchanges in the last {window}")
    } else {
        format!(
            "CloudTrail: {} in the last {window}, {successes} successful, same subject",
            codes.join(", ")
        )
    };
    let (agreement, said) = match predicted {
        None | Some(Prediction::Unknown) => {
            (Agreement::NoEvidence, "predicted: unknown".to_owned())
        }
        Some(Prediction::Fails(why)) if failures > 0 && successes == 0 => {
            (Agreement::Confirms, format!("predicted: {why}"))
        }
        Some(Prediction::Fails(why)) if successes > 0 => {
            (Agreement::Contradicts, format!("predicted: {why}"))
        }
        Some(Prediction::Works) if failures > 0 && successes == 0 => {
            (Agreement::Contradicts, "predicted: works".to_owned())
        }
        Some(Prediction::Works) if successes > 0 => {
            (Agreement::Confirms, "predicted: works".to_owned())
        }
        Some(Prediction::Fails(why)) => (Agreement::NoEvidence, format!("predicted: {why}")),
        Some(Prediction::Works) => (Agreement::NoEvidence, "predicted: works".to_owned()),
    };
    let verdict = match agreement {
        Agreement::Confirms => " — confirmed",
        Agreement::Contradicts => " — CONTRADICTED: the data the analysis read may be stale",
        Agreement::NoEvidence => "",
    };
    (agreement, format!("{said} — {seen}{verdict}"))
}

enum Prediction {
    Works,
    Fails(String),
    Unknown,
}

fn prediction(b: &BindingAnalysis) -> Prediction {
    if let Some(pi) = &b.pod_identity {
        return match pi.first_broken.and_then(|i| pi.links.get(i)) {
            Some(link) => Prediction::Fails(format!("{} — {}", link.kind.label(), link.detail)),
            None if pi.unknown.is_some() => Prediction::Unknown,
            None => Prediction::Works,
        };
    }
    match b.irsa.as_ref().map(|i| &i.outlook) {
        Some(WebIdentityOutlook::Works) => Prediction::Works,
        Some(WebIdentityOutlook::Fails { reason, .. }) => Prediction::Fails(reason.clone()),
        _ => Prediction::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(v: serde_json::Value) -> TrailRecord {
        serde_json::from_value(v).expect("record")
    }

    fn web_identity(sub: &str, role: &str, error: Option<&str>) -> TrailRecord {
        let mut v = json!({
            "eventTime": "2026-04-10T09:30:00Z", "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRoleWithWebIdentity",
            "userIdentity": {"type": "WebIdentityUser", "userName": sub},
            "requestParameters": {"roleArn": role}
        });
        if let Some(code) = error {
            v["errorCode"] = json!(code);
        }
        record(v)
    }

    #[test]
    fn exchanges_and_refusals_are_attributed_to_their_subjects() {
        let inv = crate::snapshot::load_demo().expect("demo");
        let role = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";
        let records = vec![
            web_identity(
                "system:serviceaccount:demo2:s3-reader",
                role,
                Some("AccessDenied"),
            ),
            web_identity(
                "system:serviceaccount:demo2:s3-reader",
                role,
                Some("AccessDenied"),
            ),
            web_identity("system:serviceaccount:demo:s3-reader", role, None),
            web_identity("system:serviceaccount:nowhere:ghost", role, None),
            record(json!({
                "eventTime": "2026-04-10T09:31:00Z", "eventSource": "eks-auth.amazonaws.com",
                "eventName": "AssumeRoleForPodIdentity", "errorCode": "AccessDeniedException"
            })),
            record(json!({
                "eventTime": "2026-04-10T09:32:00Z", "eventSource": "s3.amazonaws.com",
                "eventName": "CreateBucket", "errorCode": "AccessDenied",
                "userIdentity": {"type": "AssumedRole",
                    "arn": "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1",
                    "sessionContext": {"sessionIssuer": {"arn": role}}}
            })),
        ];
        let e = attribute(&inv, &records);
        let demo2 = e
            .of(&Subject::service_account("demo2", "s3-reader"))
            .expect("demo2 evidence");
        assert_eq!(demo2.failures["AccessDenied"].count, 2);
        assert_eq!(demo2.successes, 0);
        let demo = e
            .of(&Subject::service_account("demo", "s3-reader"))
            .expect("demo evidence");
        assert_eq!(demo.successes, 1);
        // The refused call is charged to every ServiceAccount annotated with the role.
        assert_eq!(demo.denied["s3:CreateBucket"].count, 1);
        assert_eq!(e.unattributed["AssumeRoleWithWebIdentity"], 1);
        assert_eq!(
            e.unattributed["AssumeRoleForPodIdentity AccessDeniedException"],
            1
        );

        let (agreement, line) = compare(
            &inv,
            &Subject::service_account("demo2", "s3-reader"),
            Some(demo2),
            "1h",
        );
        assert_eq!(agreement, Agreement::Confirms, "{line}");
        assert!(line.contains("2 AccessDenied in the last 1h"), "{line}");
        // Successes where failure is predicted contradict it.
        let (agreement, _) = compare(
            &inv,
            &Subject::service_account("demo2", "s3-reader"),
            Some(demo),
            "1h",
        );
        assert_eq!(agreement, Agreement::Contradicts);
    }

    #[test]
    fn the_cli_output_is_read_and_unreadable_records_counted() {
        let text = json!({"Events": [
            {"EventId": "1", "CloudTrailEvent": json!({"eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity"}).to_string()},
            {"EventId": "2", "CloudTrailEvent": "{not json"},
            {"EventId": "3"}
        ]})
        .to_string();
        let (records, unreadable) = parse_lookup_output(&text).expect("parses");
        assert_eq!(records.len(), 1);
        assert_eq!(unreadable, 2);
        assert!(parse_lookup_output("42").is_err());
    }
}
