//! Whether the API server sends a pod's CREATE to the pod-identity-webhook at all, from the
//! webhook's registration (model [`WebhookRegistration`]: its MutatingWebhookConfiguration).
//!
//! Kubernetes calls a mutating webhook for a request when one of its rules matches (here
//! `CREATE` of `pods`), its `namespaceSelector` matches the namespace's labels and its
//! `objectSelector` matches the object's labels. The namespace's labels are not read by this
//! tool; the API server sets `kubernetes.io/metadata.name=<namespace>` on every namespace
//! (Kubernetes ≥ 1.21), so a namespace selector on that key is decided, one on any other key is
//! reported as possibly excluding the pod. The object selector is evaluated on the live pod's
//! labels (the labels at CREATE, unless someone relabelled the pod since).

use crate::model::{
    LabelSelector, PodInfo, RegisteredWebhook, WEBHOOK_CONFIGURATION, WebhookRegistration,
};
use std::collections::BTreeMap;

/// The label the API server puts on every namespace.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// What the registration says about one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission<'a> {
    /// The registration could not be read: why.
    Unknown(&'a str),
    /// No MutatingWebhookConfiguration registers the pod-identity-webhook: nothing mutates pods.
    NotRegistered,
    /// The webhook is called for this pod's CREATE.
    Sees(&'a RegisteredWebhook),
    /// Registered, but this pod's CREATE is not sent to it: the webhook and why (names the
    /// selector or the rules).
    Excluded(&'a RegisteredWebhook, String),
    /// Registered with a namespace selector on labels this tool cannot see: the webhook and
    /// the selector.
    MaybeExcluded(&'a RegisteredWebhook, String),
}

impl Admission<'_> {
    /// True when a CREATE of this pod now is certainly not mutated.
    pub fn never_mutated(&self) -> bool {
        matches!(self, Admission::NotRegistered | Admission::Excluded(..))
    }

    /// One line for the explain and drill-down text: how the webhook is registered and
    /// whether it sees this pod.
    pub fn describe(&self) -> String {
        match self {
            Admission::Unknown(reason) => format!("registration unknown ({reason})"),
            Admission::NotRegistered => "no MutatingWebhookConfiguration registers the \
                 pod-identity-webhook — nothing mutates pods"
                .to_owned(),
            Admission::Sees(w) => format!("{} — sees this pod", registered(w)),
            Admission::Excluded(w, why) => {
                format!("{} — does not see this pod: {why}", registered(w))
            }
            Admission::MaybeExcluded(w, why) => {
                format!("{} — may not see this pod: {why}", registered(w))
            }
        }
    }
}

/// `webhook iam-for-pods.amazonaws.com (failurePolicy Ignore, reinvocation IfNeeded)`; the
/// MutatingWebhookConfiguration is named when it is not the usual `pod-identity-webhook`.
pub fn registered(w: &RegisteredWebhook) -> String {
    let configuration = if w.configuration == WEBHOOK_CONFIGURATION {
        String::new()
    } else {
        format!("MutatingWebhookConfiguration {}, ", w.configuration)
    };
    let reinvocation = w
        .reinvocation_policy
        .as_deref()
        .map(|r| format!(", reinvocation {r}"))
        .unwrap_or_default();
    format!(
        "webhook {} ({configuration}failurePolicy {}{reinvocation})",
        w.name, w.failure_policy
    )
}

/// What `registration` means for `pod`. With several pod-identity entries, the first that sees
/// the pod wins; else the first exclusion is reported.
pub fn admission<'a>(registration: &'a WebhookRegistration, pod: &PodInfo) -> Admission<'a> {
    let webhooks = match registration {
        WebhookRegistration::Unknown { reason } => return Admission::Unknown(reason),
        WebhookRegistration::Absent => return Admission::NotRegistered,
        WebhookRegistration::Present { webhooks } => webhooks,
    };
    let verdicts: Vec<Admission<'a>> = webhooks.iter().map(|w| one(w, pod)).collect();
    let pick = |want: fn(&Admission<'_>) -> bool| verdicts.iter().find(|v| want(v)).cloned();
    pick(|v| matches!(v, Admission::Sees(_)))
        .or_else(|| pick(|v| matches!(v, Admission::MaybeExcluded(..))))
        .or_else(|| pick(|v| matches!(v, Admission::Excluded(..))))
        .unwrap_or(Admission::NotRegistered)
}

fn one<'a>(w: &'a RegisteredWebhook, pod: &PodInfo) -> Admission<'a> {
    if !w.covers_pod_create() {
        return Admission::Excluded(
            w,
            format!(
                "its rules cover operations [{}] of resources [{}], not CREATE of pods",
                w.operations.join(","),
                w.resources.join(",")
            ),
        );
    }
    if let Some(sel) = w.object_selector.as_ref().filter(|s| !s.is_empty()) {
        match matches(sel, &pod.labels, |_| true) {
            Match::Yes => {}
            Match::No(clause) => {
                return Admission::Excluded(
                    w,
                    format!("its objectSelector {sel} excludes the pod's labels ({clause})"),
                );
            }
            Match::Unknown(_) => {}
        }
    }
    if let Some(sel) = w.namespace_selector.as_ref().filter(|s| !s.is_empty()) {
        let labels = BTreeMap::from([(NAMESPACE_NAME_LABEL.to_owned(), pod.namespace.to_string())]);
        match matches(sel, &labels, |k| k == NAMESPACE_NAME_LABEL) {
            Match::Yes => {}
            Match::No(clause) => {
                return Admission::Excluded(
                    w,
                    format!(
                        "its namespaceSelector {sel} excludes namespace {} ({clause})",
                        pod.namespace
                    ),
                );
            }
            Match::Unknown(key) => {
                return Admission::MaybeExcluded(
                    w,
                    format!(
                        "its namespaceSelector {sel} depends on namespace label {key}, not read \
                         (kubectl get namespace {} --show-labels)",
                        pod.namespace
                    ),
                );
            }
        }
    }
    Admission::Sees(w)
}

/// The result of matching a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Match {
    Yes,
    /// The first clause that fails, in selector syntax.
    No(String),
    /// A clause on a key whose value is not known.
    Unknown(String),
}

/// Kubernetes label-selector semantics: every clause must hold. `known(key)` says whether the
/// absence of a key in `labels` is a fact (pod labels) or not (namespace labels not read).
fn matches(
    sel: &LabelSelector,
    labels: &BTreeMap<String, String>,
    known: impl Fn(&str) -> bool,
) -> Match {
    let mut unknown = None;
    for (k, v) in &sel.match_labels {
        match labels.get(k) {
            Some(actual) if actual == v => {}
            Some(_) => return Match::No(format!("{k}={v}")),
            None if known(k) => return Match::No(format!("{k}={v}")),
            None => unknown = unknown.or_else(|| Some(k.clone())),
        }
    }
    for e in &sel.match_expressions {
        let value = labels.get(&e.key);
        if value.is_none() && !known(&e.key) {
            unknown = unknown.or_else(|| Some(e.key.clone()));
            continue;
        }
        let holds = match e.operator.as_str() {
            "In" => value.is_some_and(|v| e.values.contains(v)),
            "NotIn" => !value.is_some_and(|v| e.values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            // An operator the API server would have rejected: cannot tell.
            _ => {
                unknown = unknown.or_else(|| Some(e.key.clone()));
                continue;
            }
        };
        if !holds {
            return Match::No(e.to_string());
        }
    }
    unknown.map_or(Match::Yes, Match::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SelectorRequirement;

    fn eks(
        namespace_selector: Option<LabelSelector>,
        object: Option<LabelSelector>,
    ) -> RegisteredWebhook {
        RegisteredWebhook {
            configuration: "pod-identity-webhook".into(),
            name: "iam-for-pods.amazonaws.com".into(),
            failure_policy: "Ignore".into(),
            namespace_selector,
            object_selector: object,
            operations: vec!["CREATE".into()],
            resources: vec!["pods".into()],
            reinvocation_policy: Some("IfNeeded".into()),
        }
    }

    fn present(w: RegisteredWebhook) -> WebhookRegistration {
        WebhookRegistration::Present { webhooks: vec![w] }
    }

    fn pod(ns: &str, labels: &[(&str, &str)]) -> PodInfo {
        let mut p = PodInfo::new(ns, "p", "sa");
        p.labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>()
            .into();
        p
    }

    fn expr(key: &str, operator: &str, values: &[&str]) -> LabelSelector {
        LabelSelector {
            match_labels: BTreeMap::new(),
            match_expressions: vec![SelectorRequirement {
                key: key.into(),
                operator: operator.into(),
                values: values.iter().map(|v| (*v).to_owned()).collect(),
            }],
        }
    }

    #[test]
    fn the_eks_default_sees_every_pod_and_absence_sees_none() {
        let reg = present(eks(
            Some(LabelSelector::default()),
            Some(LabelSelector::default()),
        ));
        let a = admission(&reg, &pod("demo", &[]));
        assert!(matches!(a, Admission::Sees(_)), "{a:?}");
        assert!(
            a.describe().contains("failurePolicy Ignore"),
            "{}",
            a.describe()
        );
        let a = admission(&WebhookRegistration::Absent, &pod("demo", &[]));
        assert!(a.never_mutated());
        assert!(a.describe().contains("nothing mutates pods"));
        let unknown = WebhookRegistration::default();
        assert!(matches!(
            admission(&unknown, &pod("demo", &[])),
            Admission::Unknown(_)
        ));
    }

    #[test]
    fn an_object_selector_excludes_a_labelled_pod_and_names_itself() {
        let skip = expr(
            "eks.amazonaws.com/skip-pod-identity-webhook",
            "DoesNotExist",
            &[],
        );
        let reg = present(eks(None, Some(skip)));
        assert!(matches!(
            admission(&reg, &pod("demo", &[])),
            Admission::Sees(_)
        ));
        let a = admission(
            &reg,
            &pod(
                "demo",
                &[("eks.amazonaws.com/skip-pod-identity-webhook", "true")],
            ),
        );
        assert!(a.never_mutated(), "{a:?}");
        assert!(
            a.describe()
                .contains("objectSelector !eks.amazonaws.com/skip-pod-identity-webhook"),
            "{}",
            a.describe()
        );
    }

    #[test]
    fn a_namespace_selector_on_the_name_label_is_decided_on_other_labels_not() {
        let not_batch = expr(NAMESPACE_NAME_LABEL, "NotIn", &["batch", "kube-system"]);
        let reg = present(eks(Some(not_batch), None));
        assert!(matches!(
            admission(&reg, &pod("demo", &[])),
            Admission::Sees(_)
        ));
        let a = admission(&reg, &pod("batch", &[]));
        assert!(a.never_mutated());
        assert!(
            a.describe().contains("excludes namespace batch"),
            "{}",
            a.describe()
        );

        let team = LabelSelector {
            match_labels: BTreeMap::from([("team".to_owned(), "a".to_owned())]),
            match_expressions: Vec::new(),
        };
        let reg = present(eks(Some(team), None));
        let a = admission(&reg, &pod("demo", &[]));
        assert!(matches!(a, Admission::MaybeExcluded(..)), "{a:?}");
        assert!(!a.never_mutated());
        assert!(a.describe().contains("team=a"), "{}", a.describe());
    }

    #[test]
    fn rules_without_pod_create_exclude_every_pod() {
        let mut w = eks(None, None);
        w.operations = vec!["UPDATE".into()];
        let reg = present(w);
        let a = admission(&reg, &pod("demo", &[]));
        assert!(a.never_mutated());
        assert!(
            a.describe().contains("not CREATE of pods"),
            "{}",
            a.describe()
        );
    }
}
