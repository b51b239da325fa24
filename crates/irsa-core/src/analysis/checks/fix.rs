//! Fix commands shared by the checks: concrete `kubectl`, `aws` and `eksctl` lines with the
//! values of the finding filled in.

use crate::model::PodInfo;
use serde_json::json;

/// `kubectl annotate serviceaccount … --overwrite`.
pub fn annotate_role(namespace: &str, name: &str, key: &str, value: &str) -> String {
    format!("kubectl annotate serviceaccount {name} -n {namespace} {key}={value} --overwrite")
}

/// The recommended IRSA trust document: one statement, the provider, `:sub` pinned with
/// StringEquals and `:aud` set.
pub fn irsa_trust_document(
    provider_arn: &str,
    issuer_host: &str,
    subs: &[String],
    audience: &str,
) -> serde_json::Value {
    let sub = match subs {
        [one] => json!(one),
        many => json!(many),
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{issuer_host}:sub"): sub,
                format!("{issuer_host}:aud"): audience,
            }}
        }]
    })
}

/// `aws iam update-assume-role-policy …` followed by the trust.json it expects.
pub fn update_trust(
    role_name: &str,
    provider_arn: &str,
    issuer_host: &str,
    subs: &[String],
    audience: &str,
) -> String {
    let doc = irsa_trust_document(provider_arn, issuer_host, subs, audience);
    format!(
        "aws iam update-assume-role-policy --role-name {role_name} --policy-document file://trust.json  # trust.json: {doc}"
    )
}

/// What recreates a pod: `deployment/x`, `statefulset/x`, `daemonset/x`, or `None` (bare pod,
/// Job, unknown owner).
pub fn rollout_target(pod: &PodInfo) -> Option<String> {
    let (kind, name) = pod.owner.as_deref()?.split_once('/')?;
    match kind {
        "ReplicaSet" => {
            let hash = pod.labels.get("pod-template-hash");
            let deployment = match hash {
                Some(h) => name.strip_suffix(&format!("-{h}")),
                None => name.rsplit_once('-').map(|(d, _)| d),
            }?;
            Some(format!("deployment/{deployment}"))
        }
        "StatefulSet" => Some(format!("statefulset/{name}")),
        "DaemonSet" => Some(format!("daemonset/{name}")),
        _ => None,
    }
}

/// `kubectl rollout restart <target> -n <ns>`, or `kubectl delete pod` (recreate it) when the
/// owner cannot be restarted.
pub fn recreate_pod(pod: &PodInfo) -> String {
    match rollout_target(pod) {
        Some(target) => format!("kubectl rollout restart {target} -n {}", pod.namespace),
        None => format!(
            "kubectl delete pod {} -n {} (then recreate it{})",
            pod.name,
            pod.namespace,
            pod.owner
                .as_deref()
                .map_or_else(String::new, |o| format!(" via its owner {o}"))
        ),
    }
}

/// The object to patch for a pod-template change: the rollout target, else the pod.
pub fn template_owner(pod: &PodInfo) -> String {
    rollout_target(pod).unwrap_or_else(|| format!("pod/{}", pod.name))
}

/// `aws ec2 modify-instance-metadata-options` closing IMDS to pods.
pub fn close_imds(instance_id: &str) -> String {
    format!(
        "aws ec2 modify-instance-metadata-options --instance-id {instance_id} --http-put-response-hop-limit 1 --http-tokens required"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollout_target_strips_the_template_hash() {
        let mut p = PodInfo::new("demo", "s3-reader-7d9f8c-abcde", "s3-reader");
        p.owner = Some("ReplicaSet/s3-reader-7d9f8c".into());
        p.labels.insert("pod-template-hash".into(), "7d9f8c".into());
        assert_eq!(rollout_target(&p).as_deref(), Some("deployment/s3-reader"));
        assert_eq!(
            recreate_pod(&p),
            "kubectl rollout restart deployment/s3-reader -n demo"
        );
        p.labels.clear();
        assert_eq!(rollout_target(&p).as_deref(), Some("deployment/s3-reader"));
        p.owner = Some("Job/backup".into());
        assert!(recreate_pod(&p).starts_with("kubectl delete pod s3-reader-7d9f8c-abcde -n demo"));
        p.owner = None;
        assert_eq!(template_owner(&p), "pod/s3-reader-7d9f8c-abcde");
    }

    #[test]
    fn trust_document_pins_sub_and_aud() {
        let doc = irsa_trust_document(
            "arn:aws:iam::1:oidc-provider/h/id/X",
            "h/id/X",
            &["system:serviceaccount:a:b".into()],
            "sts.amazonaws.com",
        );
        let cond = &doc["Statement"][0]["Condition"]["StringEquals"];
        assert_eq!(cond["h/id/X:sub"], "system:serviceaccount:a:b");
        assert_eq!(cond["h/id/X:aud"], "sts.amazonaws.com");
    }
}
