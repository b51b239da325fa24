"""Writes the lab as the snapshot files a user would capture (see ../README.md)."""

import glob
import os
import uuid

import aws
import permissions
from broken import providers
from common import (ACCOUNT, ACCOUNT_B, CAPTURED_AT, _NS, at, k8s_time, upper_id, write_json)


def _key(obj):
    m = obj["metadata"]
    return (m.get("namespace", ""), m["name"])


def _webhook_configuration(name, webhook, client_config, reinvocation):
    return {
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"creationTimestamp": "2026-03-16T08:24:10Z", "generation": 1,
                     "name": name, "resourceVersion": "311",
                     "uid": str(uuid.uuid5(_NS, "mwc/" + name))},
        "webhooks": [{
            "admissionReviewVersions": ["v1beta1"], "clientConfig": client_config,
            "failurePolicy": "Ignore", "matchPolicy": "Equivalent", "name": webhook,
            "namespaceSelector": {}, "objectSelector": {}, "reinvocationPolicy": reinvocation,
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"],
                       "resources": ["pods"], "scope": "*"}],
            "sideEffects": "None", "timeoutSeconds": 10}]}


def write_all(lab, out):
    write_json(os.path.join(out, "snapshot.json"), {
        "capturedAt": k8s_time(CAPTURED_AT),
        "context": "alice@irsa-lab.eu-west-1.eksctl.io"})

    # kubectl prints the requested resource types in order, each sorted by namespace/name.
    items = (sorted(lab.sas, key=_key) + sorted(lab.pods, key=_key)
             + sorted(lab.nodes, key=_key))
    write_json(os.path.join(out, "kubernetes.json"), {
        "apiVersion": "v1", "items": items, "kind": "List",
        "metadata": {"resourceVersion": ""}}, sort_keys=True)

    # kubectl get mutatingwebhookconfigurations -o json: what EKS registers for the
    # pod-identity-webhook (a redacted copy of a real cluster's; the caBundle is the cluster CA,
    # shortened here), next to another EKS-managed webhook.
    write_json(os.path.join(out, "mutating-webhook-configurations.json"), {
        "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
        "items": [_webhook_configuration(
            "pod-identity-webhook", "iam-for-pods.amazonaws.com",
            {"url": "https://127.0.0.1:23443/mutate", "caBundle": "LS0tLS1CRUdJTg=="},
            reinvocation="IfNeeded"),
            _webhook_configuration(
            "vpc-resource-mutating-webhook", "mpod.vpc.k8s.aws",
            {"service": {"name": "vpc-resource-controller-webhook", "namespace": "kube-system",
                         "path": "/mutate-v1-pod", "port": 443}, "caBundle": "LS0tLS1CRUdJTg=="},
            reinvocation="Never")]}, sort_keys=True)
    # kubectl get configmap -n kube-system --field-selector metadata.name=pod-identity-webhook
    # -o json: EKS clusters have none.
    write_json(os.path.join(out, "pod-identity-webhook-configmap.json"), {
        "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": []},
        sort_keys=True)

    from iam import details
    write_json(os.path.join(out, "iam-authorization-details.json"),
               details(lab.roles, list(lab.policies.values())))
    write_json(os.path.join(out, f"iam-authorization-details-{ACCOUNT_B}.json"),
               details(lab.roles_b, list(lab.policies_b.values())))

    a, b = providers()
    write_json(os.path.join(out, "iam-oidc-providers.json"), {"OpenIDConnectProviders": a})
    write_json(os.path.join(out, f"iam-oidc-providers-{ACCOUNT_B}.json"),
               {"OpenIDConnectProviders": b})

    write_json(os.path.join(out, "eks-cluster.json"),
               aws.eks_cluster(at("2026-03-16T08:14:51.512Z")))
    write_json(os.path.join(out, "eks-pod-identity-associations.json"),
               {"associations": lab.associations})

    reservations = []
    for ng, spec in lab.node_specs.items():
        profile = f"arn:aws:iam::{ACCOUNT}:instance-profile/{spec['profile']}"
        inst = aws.instance(spec, profile, spec["created"] - aws.dt.timedelta(seconds=58))
        reservations.append(aws.reservation(inst, ng))
    write_json(os.path.join(out, "ec2-instances.json"), {"Reservations": reservations})

    caller_role = f"arn:aws:iam::{ACCOUNT}:role/irsa-inspector-readonly"
    write_json(os.path.join(out, "sts-caller-identity.json"), {
        "UserId": upper_id("AROA", caller_role) + ":alice",
        "Account": ACCOUNT,
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/irsa-inspector-readonly/alice"})

    tokens = os.path.join(out, "tokens")
    os.makedirs(tokens, exist_ok=True)
    for old in glob.glob(os.path.join(tokens, "*.jwt")):
        os.remove(old)
    for name, text in sorted(lab.tokens.items()):
        # `kubectl exec … cat …/token > file` keeps the file as kubelet wrote it: no newline.
        with open(os.path.join(tokens, name), "w", encoding="ascii") as f:
            f.write(text)

    permissions.write(out)

    print(f"{len(lab.sas)} ServiceAccounts, {len(lab.pods)} pods, {len(lab.nodes)} nodes, "
          f"{len(lab.roles)}+{len(lab.roles_b)} roles, {len(a)}+{len(b)} OIDC providers, "
          f"{len(lab.associations)} Pod Identity associations, {len(reservations)} instances, "
          f"{len(lab.tokens)} tokens")
