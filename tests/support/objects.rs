//! Real-shaped Kubernetes objects for the stand-in server: the demo lab's (the JSON
//! `kubectl get serviceaccounts,pods,nodes -A -o json` printed for it), small builders, and a
//! generator of large clusters whose pods are real-sized (managedFields, status, probes,
//! resources — what a kube-apiserver really sends).

use serde_json::{Value, json};

/// The demo lab's objects (`assets/demo/kubernetes.json`).
pub fn demo_lab() -> Vec<Value> {
    let text = include_str!("../../assets/demo/kubernetes.json");
    let mut list: Value = serde_json::from_str(text).expect("demo kubernetes.json");
    match list["items"].take() {
        Value::Array(items) => items,
        _ => panic!("demo kubernetes.json has no items"),
    }
}

/// A ServiceAccount with annotations.
pub fn service_account(namespace: &str, name: &str, annotations: &[(&str, &str)]) -> Value {
    let annotations: serde_json::Map<String, Value> = annotations
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
        .collect();
    json!({"apiVersion": "v1", "kind": "ServiceAccount",
           "metadata": {"name": name, "namespace": namespace, "annotations": annotations}})
}

/// A running pod of `service_account` on `node` with one container.
pub fn pod(namespace: &str, name: &str, service_account: &str, node: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
           "spec": {"serviceAccountName": service_account, "nodeName": node,
                    "containers": [{"name": "app", "image": "public.ecr.aws/aws-cli/aws-cli:2.17.0"}]},
           "status": {"phase": "Running"}})
}

/// A node of an EC2 instance.
pub fn node(name: &str, instance: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Node",
           "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
           "spec": {"providerID": format!("aws:///eu-west-1a/{instance}")}})
}

/// A large cluster: `sas` ServiceAccounts (every tenth annotated for IRSA) over `sas / 10`
/// namespaces, `pods` pods spread over them and over `nodes` nodes. Each pod is the size of a
/// Deployment's pod on EKS (≈ 7 KB of JSON: managedFields, status with conditions and
/// container statuses, probes, resources, the webhook's env and projected token volume).
pub fn large_cluster(sas: usize, pods: usize, nodes: usize) -> impl Iterator<Item = Value> {
    let namespaces = (sas / 10).max(1);
    let sa_iter = (0..sas).map(move |i| large_sa(i, namespaces));
    let node_iter = (0..nodes).map(large_node);
    let pod_iter = (0..pods).map(move |i| large_pod(i, sas.max(1), namespaces, nodes.max(1)));
    sa_iter.chain(node_iter).chain(pod_iter)
}

fn large_sa(i: usize, namespaces: usize) -> Value {
    let ns = format!("team-{:03}", i % namespaces);
    let name = format!("app-{i:05}");
    let mut sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": name, "namespace": ns, "uid": format!("sa-uid-{i:05}"),
            "creationTimestamp": "2026-03-01T10:00:00Z",
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "Helm"},
            "annotations": {"meta.helm.sh/release-name": name, "meta.helm.sh/release-namespace": ns},
            "managedFields": [{"manager": "helm", "operation": "Update", "apiVersion": "v1",
                "time": "2026-03-01T10:00:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:annotations": {".": {},
                    "f:meta.helm.sh/release-name": {}, "f:meta.helm.sh/release-namespace": {}},
                    "f:labels": {".": {}, "f:app.kubernetes.io/managed-by": {},
                    "f:app.kubernetes.io/name": {}}}}}]}});
    if i.is_multiple_of(10) {
        sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] =
            json!(format!("arn:aws:iam::123456789012:role/app-{i:05}"));
    }
    sa
}

fn large_node(i: usize) -> Value {
    let images: Vec<Value> = (0..20)
        .map(|j| json!({"names": [format!("registry.example/image-{j}@sha256:{j:064x}")], "sizeBytes": 123_456_789}))
        .collect();
    let name = format!("ip-10-0-{}-{}.eu-west-1.compute.internal", i / 250, i % 250);
    json!({"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "uid": format!("node-uid-{i}"),
            "creationTimestamp": "2026-03-01T09:00:00Z",
            "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": "m6i.2xlarge",
                "topology.kubernetes.io/zone": "eu-west-1a",
                "eks.amazonaws.com/nodegroup": "ng-default"}},
        "spec": {"providerID": format!("aws:///eu-west-1a/i-{i:017x}")},
        "status": {"capacity": {"cpu": "8", "memory": "32386572Ki", "pods": "58"},
            "nodeInfo": {"kubeletVersion": "v1.33.5-eks-1", "containerRuntimeVersion": "containerd://1.7.27"},
            "images": images}})
}

fn large_pod(i: usize, sas: usize, namespaces: usize, nodes: usize) -> Value {
    let sa = i % sas;
    let ns = format!("team-{:03}", sa % namespaces);
    let sa_name = format!("app-{sa:05}");
    let name = format!("{sa_name}-7d9f8c6b5-{i:05}");
    let node = format!(
        "ip-10-0-{}-{}.eu-west-1.compute.internal",
        (i % nodes) / 250,
        (i % nodes) % 250
    );
    let irsa = sa.is_multiple_of(10);
    let mut env = vec![
        json!({"name": "LOG_LEVEL", "value": "info"}),
        json!({"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}),
        json!({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}),
    ];
    let mut volumes = vec![
        json!({"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420,
        "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}),
    ];
    let mut mounts = vec![json!({"name": "kube-api-access-x7k2p", "readOnly": true,
        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})];
    if irsa {
        env.extend([
            json!({"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"}),
            json!({"name": "AWS_DEFAULT_REGION", "value": "eu-west-1"}),
            json!({"name": "AWS_REGION", "value": "eu-west-1"}),
            json!({"name": "AWS_ROLE_ARN", "value": format!("arn:aws:iam::123456789012:role/{sa_name}")}),
            json!({"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}),
        ]);
        volumes.push(json!({"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}}));
        mounts.push(json!({"name": "aws-iam-token", "readOnly": true,
            "mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount"}));
    }
    let probe = json!({"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
        "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3});
    let condition = |t: &str| {
        json!({"type": t, "status": "True", "lastProbeTime": null,
        "lastTransitionTime": "2026-04-10T09:01:00Z"})
    };
    let statuses: Vec<Value> = ["app", "log-router"].into_iter().map(|c| json!({"name": c, "ready": true,
        "restartCount": 0, "started": true, "image": "registry.example/app:1.4", "imageID":
        format!("registry.example/app@sha256:{:064x}", i), "containerID": format!("containerd://{:064x}", i),
        "state": {"running": {"startedAt": "2026-04-10T09:00:05Z"}}, "lastState": {},
        "volumeMounts": [{"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
            "readOnly": true, "recursiveReadOnly": "Disabled"}]})).collect();
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "uid": format!("pod-uid-{i:05}"),
            "generateName": format!("{sa_name}-7d9f8c6b5-"),
            "creationTimestamp": "2026-04-10T09:00:00Z",
            "labels": {"app.kubernetes.io/name": sa_name, "app.kubernetes.io/instance": sa_name,
                "pod-template-hash": "7d9f8c6b5", "team": ns},
            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-04-01T08:00:00Z",
                "prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "name": format!("{sa_name}-7d9f8c6b5"), "uid": format!("rs-uid-{sa:05}"),
                "controller": true, "blockOwnerDeletion": true}],
            "managedFields": [
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                 "time": "2026-04-10T09:00:00Z", "fieldsType": "FieldsV1",
                 "fieldsV1": {"f:metadata": {"f:generateName": {}, "f:labels": {".": {},
                    "f:app.kubernetes.io/instance": {}, "f:app.kubernetes.io/name": {}, "f:pod-template-hash": {}, "f:team": {}},
                    "f:ownerReferences": {".": {}, "k:{\"uid\":\"rs\"}": {}}},
                  "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:env": {".": {},
                    "k:{\"name\":\"LOG_LEVEL\"}": {".": {}, "f:name": {}, "f:value": {}},
                    "k:{\"name\":\"POD_NAME\"}": {".": {}, "f:name": {}, "f:valueFrom": {}}},
                    "f:image": {}, "f:imagePullPolicy": {}, "f:livenessProbe": {}, "f:name": {},
                    "f:ports": {}, "f:readinessProbe": {}, "f:resources": {}, "f:securityContext": {},
                    "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}, "f:volumeMounts": {}},
                    "k:{\"name\":\"log-router\"}": {".": {}, "f:image": {}, "f:name": {}, "f:resources": {}}},
                    "f:dnsPolicy": {}, "f:enableServiceLinks": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                    "f:securityContext": {}, "f:serviceAccount": {}, "f:serviceAccountName": {},
                    "f:terminationGracePeriodSeconds": {}, "f:tolerations": {}, "f:volumes": {}}}},
                {"manager": "kubelet", "operation": "Update", "apiVersion": "v1",
                 "time": "2026-04-10T09:01:00Z", "fieldsType": "FieldsV1", "subresource": "status",
                 "fieldsV1": {"f:status": {"f:conditions": {
                    "k:{\"type\":\"ContainersReady\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}},
                    "k:{\"type\":\"Initialized\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}},
                    "k:{\"type\":\"PodReadyToStartContainers\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}},
                    "k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {}, "f:status": {}, "f:type": {}}},
                    "f:containerStatuses": {}, "f:hostIP": {}, "f:hostIPs": {}, "f:phase": {}, "f:podIP": {},
                    "f:podIPs": {".": {}, "k:{\"ip\":\"10.0.0.1\"}": {".": {}, "f:ip": {}}}, "f:startTime": {}}}}]},
        "spec": {"serviceAccountName": sa_name, "serviceAccount": sa_name, "nodeName": node,
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler", "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0, "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "fsGroup": 1000},
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
            "containers": [
                {"name": "app", "image": format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/{sa_name}:1.4.{}", i % 7),
                 "imagePullPolicy": "IfNotPresent", "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"},
                    {"containerPort": 9090, "name": "metrics", "protocol": "TCP"}],
                 "env": env, "volumeMounts": mounts.clone(),
                 "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
                 "livenessProbe": probe.clone(), "readinessProbe": probe,
                 "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true},
                 "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"},
                {"name": "log-router", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                 "imagePullPolicy": "IfNotPresent", "volumeMounts": mounts,
                 "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "50m", "memory": "64Mi"}},
                 "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
            "volumes": volumes},
        "status": {"phase": "Running", "qosClass": "Burstable", "hostIP": "10.0.1.23", "podIP": "10.0.2.45",
            "hostIPs": [{"ip": "10.0.1.23"}], "podIPs": [{"ip": "10.0.2.45"}], "startTime": "2026-04-10T09:00:01Z",
            "conditions": [condition("PodReadyToStartContainers"), condition("Initialized"), condition("Ready"),
                condition("ContainersReady"), condition("PodScheduled")],
            "containerStatuses": statuses}})
}

/// The demo lab's MutatingWebhookConfigurations (`assets/demo/mutating-webhook-configurations.json`:
/// EKS's `pod-identity-webhook` / `iam-for-pods.amazonaws.com` and one unrelated webhook).
pub fn demo_webhook_configurations() -> Vec<Value> {
    let text = include_str!("../../assets/demo/mutating-webhook-configurations.json");
    let mut list: Value = serde_json::from_str(text).expect("demo mutating webhooks");
    match list["items"].take() {
        Value::Array(items) => items,
        _ => panic!("demo mutating-webhook-configurations.json has no items"),
    }
}

/// EKS's pod-identity-webhook registration with the given selectors (`{}` matches everything).
pub fn eks_webhook_configuration(namespace_selector: Value, object_selector: Value) -> Value {
    json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "pod-identity-webhook"},
        "webhooks": [{"admissionReviewVersions": ["v1beta1"],
            "clientConfig": {"url": "https://127.0.0.1:23443/mutate", "caBundle": "LS0tLS1CRUdJTg=="},
            "failurePolicy": "Ignore", "matchPolicy": "Equivalent",
            "name": "iam-for-pods.amazonaws.com",
            "namespaceSelector": namespace_selector, "objectSelector": object_selector,
            "reinvocationPolicy": "IfNeeded",
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                       "resources": ["pods"], "scope": "*"}],
            "sideEffects": "None", "timeoutSeconds": 10}]})
}

/// The webhook's ConfigMap in kube-system with `config` mapping `namespace/sa` keys to roles.
pub fn webhook_config_map(mappings: &[(&str, &str)]) -> Value {
    let config: serde_json::Map<String, Value> = mappings
        .iter()
        .map(|(key, role)| {
            (
                (*key).to_owned(),
                json!({"RoleARN": role, "Audience": "sts.amazonaws.com"}),
            )
        })
        .collect();
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "pod-identity-webhook", "namespace": "kube-system"},
           "data": {"config": Value::Object(config).to_string()}})
}
