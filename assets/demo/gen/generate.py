#!/usr/bin/env python3
"""Generates the embedded demo lab (assets/demo/*.json and assets/demo/tokens/*.jwt).

The lab is the guide's `irsa-lab` cluster (eu-west-1, account 123456789012) plus namespace
`broken`, where every ServiceAccount is named after what is wrong with it, so that every
finding code of CHECKS-SPEC.md fires at least once on its own object. See ../README.md for the
table of code → object. Run from anywhere: `python3 assets/demo/gen/generate.py`.
Output is deterministic (ids derive from names), so a re-run without changes is a no-op.
"""

import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import (ACCOUNT, ACCOUNT_B, BOUNDARY_ARN, CLUSTER, ISSUER_HOST,  # noqa: E402
                    APP_BUCKET_KEY, PROVIDER_ARN, REGION, at, suffix, uid)
import aws  # noqa: E402
import iam  # noqa: E402
import k8s  # noqa: E402
from iam import allow, deny, doc  # noqa: E402
from k8s import container, env, env_field  # noqa: E402

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AWS_CLI = "amazon/aws-cli:2.22.4"


class Lab:
    """Everything the generator emits, collected as objects are declared."""

    def __init__(self):
        self.sas, self.pods, self.nodes = [], [], []
        self.roles, self.roles_b = [], []
        self.policies, self.policies_b = {}, {}
        self.associations = []
        self.tokens = {}  # file name → token text
        self.node_specs = {}

    def sa(self, ns, name, created, role=None, annotations=None, labels=None, applied=True):
        ann = dict(annotations or {})
        if role:
            ann["eks.amazonaws.com/role-arn"] = role
        manifest = None
        if applied:
            manifest = {"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": name, "namespace": ns,
                                     **({"annotations": ann} if ann else {})}}
        obj = k8s.service_account(ns, name, created, ann, labels, manifest)
        self.sas.append(obj)
        return obj

    def add_pod(self, p, token_at=None, audience="sts.amazonaws.com", expiration=86400):
        """Adds a pod; with `token_at`, also the token kubelet mounted at that time."""
        self.pods.append(p)
        if token_at:
            ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
            sa = p["spec"]["serviceAccountName"]
            sa_obj = next(s for s in self.sas
                          if s["metadata"]["namespace"] == ns and s["metadata"]["name"] == sa)
            node = p["spec"]["nodeName"]
            self.tokens[f"{ns}.{name}.jwt"] = aws.jwt(
                audience=audience, iat=token_at, expiration=expiration, namespace=ns, sa=sa,
                sa_uid=sa_obj["metadata"]["uid"], pod=name, pod_uid=p["metadata"]["uid"],
                node=node, node_uid=uid("node", node))
        return p

    def policy(self, name, document, created, *, aws_managed=False, account=ACCOUNT,
               description=None, path="/", version="v1"):
        p = iam.managed_policy(name, document, created=created, account=account,
                               aws_managed=aws_managed, description=description, path=path,
                               version=version, attachments=0)
        (self.policies if account == ACCOUNT else self.policies_b)[p["Arn"]] = p
        return p["Arn"]

    def role(self, name, trust, **kw):
        account = kw.get("account", ACCOUNT)
        r = iam.role(name, trust, **kw)
        (self.roles if account == ACCOUNT else self.roles_b).append(r)
        return r["Arn"]

    def finish_policy_counts(self):
        for roles, policies in ((self.roles, self.policies), (self.roles_b, self.policies_b)):
            for r in roles:
                for a in r["AttachedManagedPolicies"]:
                    policies[a["PolicyArn"]]["AttachmentCount"] += 1
                b = r.get("PermissionsBoundary")
                if b:
                    policies[b["PermissionsBoundaryArn"]]["PermissionsBoundaryUsageCount"] += 1


# ---------------------------------------------------------------------------------------------
# Nodes: three managed node groups with different IMDS settings, and one Fargate node.

NODE_SPECS = [
    # name suffix, instance, az, nodegroup, HttpTokens, hop limit, zone id, launch template
    dict(ip="192.168.12.34", instance_id="i-0a1b2c3d4e5f60718", az="eu-west-1a",
         nodegroup="ng-hardened", http_tokens="required", hop_limit=1, zone_id="euw1-az3",
         launch_template="lt-0a5f1c2e3d4b6a798", created=at("2026-03-16T08:24:51Z"),
         role="eksctl-irsa-lab-nodegroup-ng-hardened-NodeInstanceRole-Q4ZK7M2XW1PB",
         profile="eks-3ac8c7a4-1f6b-2b7e-5c4d-9d0e1f2a3b4c"),
    dict(ip="192.168.45.67", instance_id="i-0b2c3d4e5f6071829", az="eu-west-1b",
         nodegroup="ng-default", http_tokens="required", hop_limit=2, zone_id="euw1-az1",
         launch_template="lt-0b6a2d3f4e5c7b809", created=at("2026-03-16T08:25:37Z"),
         role="eksctl-irsa-lab-nodegroup-ng-default-NodeInstanceRole-8HJ3N5T2LQ0V",
         profile="eks-5ec8c7a4-2a7c-3c8f-6d5e-0e1f2a3b4c5d"),
    dict(ip="192.168.78.90", instance_id="i-0c3d4e5f607182930", az="eu-west-1c",
         nodegroup="ng-legacy", http_tokens="optional", hop_limit=1, zone_id="euw1-az2",
         launch_template="lt-0c7b3e4a5f6d8c910", created=at("2026-03-20T13:02:18Z"),
         role="eksctl-irsa-lab-nodegroup-ng-legacy-NodeInstanceRole-ZP6W9C1R4M7D",
         profile="eks-7ac8c7a4-3b8d-4d9a-7e6f-1f2a3b4c5d6e"),
]
FARGATE_IP = "192.168.101.23"


def build_nodes(lab):
    out = {}
    for spec in NODE_SPECS:
        name = f"ip-{spec['ip'].replace('.', '-')}.{REGION}.compute.internal"
        labels = {
            "alpha.eksctl.io/cluster-name": CLUSTER,
            "alpha.eksctl.io/nodegroup-name": spec["nodegroup"],
            "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": "t3.medium",
            "beta.kubernetes.io/os": "linux",
            "eks.amazonaws.com/capacityType": "ON_DEMAND",
            "eks.amazonaws.com/nodegroup": spec["nodegroup"],
            "eks.amazonaws.com/nodegroup-image": "ami-0c5a8b4f2e1d3c7a9",
            "eks.amazonaws.com/sourceLaunchTemplateId": spec["launch_template"],
            "eks.amazonaws.com/sourceLaunchTemplateVersion": "1",
            "failure-domain.beta.kubernetes.io/region": REGION,
            "failure-domain.beta.kubernetes.io/zone": spec["az"],
            "k8s.io/cloud-provider-aws": "9d8c1e6f0b2a4c3e5d7f9a1b3c5e7d90",
            "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": "t3.medium",
            "topology.k8s.aws/zone-id": spec["zone_id"],
            "topology.kubernetes.io/region": REGION, "topology.kubernetes.io/zone": spec["az"],
        }
        if spec["nodegroup"] != "ng-legacy":  # the Pod Identity agent's nodeSelector
            labels["irsa-lab/pod-identity-agent"] = "enabled"
        n = k8s.node(name, provider_id=f"aws:///{spec['az']}/{spec['instance_id']}",
                     created=spec["created"], labels=labels, internal_ip=spec["ip"])
        lab.nodes.append(n)
        lab.node_specs[spec["nodegroup"]] = spec
        out[spec["nodegroup"]] = n
    fname = f"fargate-ip-{FARGATE_IP.replace('.', '-')}.{REGION}.compute.internal"
    fargate = k8s.node(
        fname, provider_id=f"aws:///eu-west-1a/{fname}", created=at("2026-04-09T07:31:12Z"),
        internal_ip=FARGATE_IP, fargate=True,
        labels={"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "eks.amazonaws.com/compute-type": "fargate",
                "failure-domain.beta.kubernetes.io/region": REGION,
                "failure-domain.beta.kubernetes.io/zone": "eu-west-1a",
                "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": fname,
                "kubernetes.io/os": "linux", "topology.k8s.aws/zone-id": "euw1-az3",
                "topology.kubernetes.io/region": REGION,
                "topology.kubernetes.io/zone": "eu-west-1a"},
        taints=[{"effect": "NoSchedule", "key": "eks.amazonaws.com/compute-type",
                 "value": "fargate"}],
        annotations={"node.alpha.kubernetes.io/ttl": "0",
                     "volumes.kubernetes.io/controller-managed-attach-detach": "true"})
    lab.nodes.append(fargate)
    out["fargate"] = fargate
    return out


def node_roles(lab, nodes):
    worker = lab.policy("AmazonEKSWorkerNodePolicy", doc(
        allow(["ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeRouteTables",
               "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVolumes",
               "ec2:DescribeVolumesModifications", "ec2:DescribeVpcs", "eks:DescribeCluster",
               "eks-auth:AssumeRoleForPodIdentity"], "*", sid="WorkerNodePermissions")),
        at("2018-05-27T21:09:01Z"), aws_managed=True, version="v3")
    ecr = lab.policy("AmazonEC2ContainerRegistryReadOnly", doc(
        allow(["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
               "ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy",
               "ecr:DescribeRepositories", "ecr:ListImages", "ecr:DescribeImages",
               "ecr:BatchGetImage", "ecr:GetLifecyclePolicy", "ecr:GetLifecyclePolicyPreview",
               "ecr:ListTagsForResource", "ecr:DescribeImageScanFindings"], "*")),
        at("2015-12-21T17:06:48Z"), aws_managed=True, version="v3")
    trust = iam.service_trust("ec2.amazonaws.com")
    for ng, spec in lab.node_specs.items():
        inline = None
        if ng == "ng-legacy":
            # Why the node-role fallback "works": the legacy group's role can read reports.
            inline = {"legacy-reports-s3": doc(allow(
                ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                ["arn:aws:s3:::irsa-lab-legacy-reports", "arn:aws:s3:::irsa-lab-legacy-reports/*"]))}
        lab.role(spec["role"], trust, created=spec["created"] - dt.timedelta(minutes=3),
                 attached=[worker, ecr], inline=inline, instance_profiles=[spec["profile"]],
                 tags={"alpha.eksctl.io/cluster-name": CLUSTER,
                       "alpha.eksctl.io/nodegroup-name": ng,
                       "alpha.eksctl.io/nodegroup-type": "managed",
                       "alpha.eksctl.io/eksctl-version": "0.225.0"},
                 last_used=(at("2026-04-10T09:59:02Z"), REGION))
    fargate_policy = lab.policy("AmazonEKSFargatePodExecutionRolePolicy", doc(
        allow(["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
               "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], "*")),
        at("2019-12-03T18:12:43Z"), aws_managed=True, version="v1")
    lab.role("eks-irsa-lab-fargate-pod-execution-role", iam.service_trust(
        "eks-fargate-pods.amazonaws.com",
        {"ArnLike": {"aws:SourceArn": f"arn:aws:eks:{REGION}:{ACCOUNT}:fargateprofile/{CLUSTER}/*"}}),
        created=at("2026-04-08T15:40:11Z"), attached=[fargate_policy],
        tags={"alpha.eksctl.io/cluster-name": CLUSTER},
        last_used=(at("2026-04-09T07:31:05Z"), REGION))
    # Who captured the snapshot: a least-privilege role for running irsa-inspector.
    lab.role("irsa-inspector-readonly", {"Version": iam.V, "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]},
        created=at("2026-03-16T07:55:00Z"),
        inline={"irsa-inspector-read": doc(allow(
            ["iam:GetAccountAuthorizationDetails", "iam:ListOpenIDConnectProviders",
             "iam:GetOpenIDConnectProvider", "eks:DescribeCluster",
             "eks:ListPodIdentityAssociations", "eks:DescribePodIdentityAssociation",
             "ec2:DescribeInstances"], "*"))},
        tags={"managed-by": "terraform", "purpose": "irsa-inspector"},
        last_used=(at("2026-04-10T09:59:48Z"), REGION))


def eksctl_iamserviceaccount(lab, ns, sa, role_name, policy, *, role_created, sa_created,
                             last_used):
    """What `eksctl create iamserviceaccount` leaves behind (after the guide's hardening): a
    CloudFormation-made role with eksctl's trust and tags, and the annotated ServiceAccount."""
    role = lab.role(
        role_name, iam.eksctl_trust(ns, sa), created=at(role_created), attached=[policy],
        boundary=BOUNDARY_ARN,
        tags={**iam.eksctl_tags(ns, sa, f"eksctl-irsa-lab-addon-iamserviceaccount-{ns}-{sa}"),
              **iam.workload_tags(ns, sa, "eksctl")},
        last_used=(at(last_used), REGION))
    lab.sa(ns, sa, at(sa_created), role=role, labels={"app.kubernetes.io/managed-by": "eksctl"},
           applied=False)
    return role


# ---------------------------------------------------------------------------------------------
# The guide's lab, healthy.

def guide_lab(lab, nodes):
    n1, n2, n3 = nodes["ng-hardened"], nodes["ng-default"], nodes["ng-legacy"]
    boundary = lab.policy("irsa-lab-workload-boundary", doc(
        allow(["s3:*", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
               "sts:AssumeRole", "ec2:*", "elasticloadbalancing:*", "acm:DescribeCertificate",
               "acm:ListCertificates", "wafv2:*", "shield:*", "ssm:GetParameter",
               "pricing:GetProducts", "sqs:*", "eks:DescribeCluster", "iam:PassRole",
               "iam:*InstanceProfile*", "iam:CreateServiceLinkedRole", "dynamodb:*"], "*",
              sid="WorkloadServices"),
        deny(["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachRolePolicy",
              "iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary",
              "iam:PutRolePermissionsBoundary", "organizations:*", "account:*"], "*",
             sid="NoPrivilegeEscalation")),
        at("2026-03-16T07:50:12Z"),
        description="Caps every IRSA and Pod Identity role of irsa-lab")
    assert boundary == BOUNDARY_ARN

    # --- demo/s3-reader: the guide's hello-IRSA, healthy --------------------------------
    s3_read = lab.policy("irsa-lab-s3-read-policy", doc(allow(
        ["s3:GetObject", "s3:ListBucket"],
        ["arn:aws:s3:::my-app-bucket", "arn:aws:s3:::my-app-bucket/*"])),
        at("2026-04-10T09:08:44Z"))
    s3_role = lab.role(
        "eks-irsa-lab-demo-s3-reader-role", iam.irsa_trust("demo", "s3-reader"),
        created=at("2026-04-10T09:10:02Z"), attached=[s3_read],
        inline={"assume-accountb-data-reader": doc(allow(
            "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT_B}:role/accountb-data-reader"))},
        boundary=BOUNDARY_ARN, tags=iam.workload_tags("demo", "s3-reader", "aws-cli"),
        last_used=(at("2026-04-10T09:58:12Z"), REGION))
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        lab.sa(ns, "default", at("2026-03-16T08:19:58Z"), applied=False)
    for ns, created in (("demo", "2026-04-10T09:12:40Z"), ("demo2", "2026-04-10T09:40:03Z"),
                        ("external-secrets", "2026-04-10T09:31:10Z"),
                        ("karpenter", "2026-04-10T09:43:55Z"), ("tf-demo", "2026-04-10T09:50:31Z"),
                        ("orders", "2026-04-09T11:02:00Z"), ("reports", "2026-04-09T14:01:40Z"),
                        ("broken", "2026-04-08T16:00:00Z")):
        lab.sa(ns, "default", at(created), applied=False)
    lab.sa("demo", "s3-reader", at("2026-04-10T09:25:11Z"), role=s3_role)
    s3_test = k8s.pod(
        "demo", "s3-test", "s3-reader", n2,
        [container("awscli", AWS_CLI, command=["sleep", "3600"])],
        created=at("2026-04-10T09:30:15Z"),
        annotations={"kubectl.kubernetes.io/last-applied-configuration": k8s.last_applied(
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "s3-test", "namespace": "demo"},
             "spec": {"containers": [{"command": ["sleep", "3600"], "image": AWS_CLI,
                                      "name": "awscli"}],
                      "serviceAccountName": "s3-reader"}})},
        mutate=lambda m, s: k8s.irsa_mutate(s, s3_role))
    lab.add_pod(s3_test, token_at=at("2026-04-10T09:30:19Z"))  # the guide's exact iat
    # nginx-demo of the ALB section: default SA, no AWS use, on the hardened node.
    owner, h = k8s.owner_replicaset("demo", "nginx-demo")
    for i in range(2):
        lab.add_pod(k8s.pod(
            "demo", k8s.deployment_pod_name("nginx-demo", h, i), "default", n1,
            [container("nginx", "nginx:1.27", ports=[{"containerPort": 80, "protocol": "TCP"}])],
            created=at("2026-04-10T09:52:06Z"), owner=owner,
            labels=k8s.labels_for("nginx-demo", h)))

    # --- demo2/s3-reader: the guide's namespace-pinning negative test (IRSA003) ----------
    lab.sa("demo2", "s3-reader", at("2026-04-10T09:40:09Z"), role=s3_role, applied=False)
    negative = k8s.pod(
        "demo2", "s3-negative", "s3-reader", n1,
        [container("s3-negative", AWS_CLI, command=["sleep", "3600"])],
        created=at("2026-04-10T09:41:12Z"), labels={"run": "s3-negative"},
        mutate=lambda m, s: k8s.irsa_mutate(s, s3_role))
    lab.add_pod(negative, token_at=at("2026-04-10T09:41:16Z"))

    # --- kube-system/aws-load-balancer-controller (eksctl iamserviceaccount) -------------
    alb_policy = lab.policy("AWSLoadBalancerControllerIAMPolicy", alb_controller_policy(),
                            at("2026-04-10T09:16:20Z"))
    alb_role = eksctl_iamserviceaccount(
        lab, "kube-system", "aws-load-balancer-controller", "eks-irsa-lab-alb-controller-role",
        alb_policy, role_created="2026-04-10T09:17:48Z", sa_created="2026-04-10T09:18:30Z",
        last_used="2026-04-10T09:59:31Z")
    owner = ("ReplicaSet", "aws-load-balancer-controller-7499459764",
             uid("rs", "kube-system", "aws-load-balancer-controller-7499459764"))
    for pod_name, node in (("aws-load-balancer-controller-7499459764-mkttk", n1),
                           ("aws-load-balancer-controller-7499459764-s9dgx", n2)):
        p = k8s.pod(
            "kube-system", pod_name, "aws-load-balancer-controller", node,
            [container("aws-load-balancer-controller",
                       "public.ecr.aws/eks/aws-load-balancer-controller:v2.13.3",
                       args=["--cluster-name=irsa-lab", "--ingress-class=alb",
                             "--aws-region=eu-west-1", "--aws-vpc-id=vpc-0eff978855e0677a0"],
                       ports=[{"containerPort": 9443, "name": "webhook-server", "protocol": "TCP"},
                              {"containerPort": 8080, "name": "metrics-server", "protocol": "TCP"}],
                       security={"allowPrivilegeEscalation": False,
                                 "readOnlyRootFilesystem": True, "runAsNonRoot": True},
                       mounts=[{"mountPath": "/tmp/k8s-webhook-server/serving-certs",
                                "name": "cert", "readOnly": True}],
                       resources={"limits": {"cpu": "200m", "memory": "500Mi"},
                                  "requests": {"cpu": "100m", "memory": "200Mi"}})],
            created=at("2026-04-10T09:21:02Z"), owner=owner,
            labels={"app.kubernetes.io/instance": "aws-load-balancer-controller",
                    "app.kubernetes.io/name": "aws-load-balancer-controller",
                    "pod-template-hash": "7499459764"},
            volumes=[{"name": "cert", "secret": {"defaultMode": 420,
                                                 "secretName": "aws-load-balancer-tls"}}],
            pod_security={"fsGroup": 65534}, priority_class="system-cluster-critical",
            mutate=lambda m, s: k8s.irsa_mutate(s, alb_role))
        lab.add_pod(p, token_at=at("2026-04-10T09:21:06Z") if pod_name.endswith("mkttk") else None)

    # --- external-secrets/external-secrets ---------------------------------------------
    eso_policy = lab.policy("irsa-lab-eso-policy", doc(allow(
        ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/app/*")),
        at("2026-04-10T09:30:02Z"))
    eso_role = eksctl_iamserviceaccount(
        lab, "external-secrets", "external-secrets", "eks-irsa-lab-eso-role", eso_policy,
        role_created="2026-04-10T09:30:40Z", sa_created="2026-04-10T09:31:12Z",
        last_used="2026-04-10T09:35:51Z")
    eso_sec = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
               "readOnlyRootFilesystem": True, "runAsNonRoot": True, "runAsUser": 1000,
               "seccompProfile": {"type": "RuntimeDefault"}}
    helm_labels = lambda name, h: {"app.kubernetes.io/instance": "external-secrets",  # noqa: E731
                                   "app.kubernetes.io/name": name,
                                   "app.kubernetes.io/version": "v0.19.2",
                                   "pod-template-hash": h}
    for deploy, sa, args, identity in (
            ("external-secrets", "external-secrets",
             ["--concurrent=1", "--metrics-addr=:8080", "--loglevel=info",
              "--zap-time-encoding=epoch"], True),
            ("external-secrets-cert-controller", "external-secrets-cert-controller",
             ["certcontroller", "--crd-requeue-interval=5m", "--service-name=external-secrets-webhook",
              "--service-namespace=external-secrets", "--secret-name=external-secrets-webhook",
              "--secret-namespace=external-secrets", "--metrics-addr=:8080",
              "--healthz-addr=:8081", "--loglevel=info", "--zap-time-encoding=epoch"], False),
            ("external-secrets-webhook", "external-secrets-webhook",
             ["webhook", "--port=10250", "--dns-name=external-secrets-webhook.external-secrets.svc",
              "--cert-dir=/tmp/certs", "--check-interval=5m", "--metrics-addr=:8080",
              "--healthz-addr=:8081", "--loglevel=info", "--zap-time-encoding=epoch"], False)):
        if not identity:
            lab.sa("external-secrets", sa, at("2026-04-10T09:33:38Z"), applied=False,
                   labels={"app.kubernetes.io/instance": "external-secrets",
                           "app.kubernetes.io/managed-by": "Helm",
                           "app.kubernetes.io/name": sa})
        owner, h = k8s.owner_replicaset("external-secrets", deploy)
        lab.add_pod(k8s.pod(
            "external-secrets", k8s.deployment_pod_name(deploy, h), sa, n1,
            [container(deploy.replace("external-secrets-", "") if deploy != "external-secrets"
                       else "external-secrets",
                       "oci.external-secrets.io/external-secrets/external-secrets:v0.19.2",
                       args=args, security=eso_sec,
                       ports=[{"containerPort": 8080, "name": "metrics", "protocol": "TCP"}])],
            created=at("2026-04-10T09:33:40Z"), owner=owner, labels=helm_labels(deploy, h),
            pod_security={"fsGroup": 1000},
            mutate=(lambda m, s: k8s.irsa_mutate(s, eso_role)) if identity else None))

    # --- karpenter/karpenter -------------------------------------------------------------
    kp_policy = lab.policy("KarpenterControllerPolicy", karpenter_policy(),
                           at("2026-04-10T09:42:05Z"))
    kp_role = eksctl_iamserviceaccount(
        lab, "karpenter", "karpenter", "eks-irsa-lab-karpenter-role", kp_policy,
        role_created="2026-04-10T09:43:10Z", sa_created="2026-04-10T09:43:58Z",
        last_used="2026-04-10T09:59:55Z")
    owner, h = k8s.owner_replicaset("karpenter", "karpenter")
    for i, node in enumerate((n1, n2)):
        lab.add_pod(k8s.pod(
            "karpenter", k8s.deployment_pod_name("karpenter", h, i), "karpenter", node,
            [container("controller", "public.ecr.aws/karpenter/controller:1.6.2",
                       env=[env("KUBERNETES_MIN_VERSION", "1.19.0-0"),
                            env("KARPENTER_SERVICE", "karpenter"),
                            env("WEBHOOK_PORT", "8443"), env("WEBHOOK_METRICS_PORT", "8001"),
                            env("DISABLE_WEBHOOK", "false"), env("LOG_LEVEL", "info"),
                            env("METRICS_PORT", "8080"), env("HEALTH_PROBE_PORT", "8081"),
                            env_field("SYSTEM_NAMESPACE", "metadata.namespace"),
                            {"name": "MEMORY_LIMIT", "valueFrom": {"resourceFieldRef": {
                                "containerName": "controller", "divisor": "0",
                                "resource": "limits.memory"}}},
                            env("FEATURE_GATES", "ReservedCapacity=true,SpotToSpotConsolidation=false"),
                            env("BATCH_MAX_DURATION", "10s"), env("BATCH_IDLE_DURATION", "1s"),
                            env("CLUSTER_NAME", CLUSTER),
                            env("VM_MEMORY_OVERHEAD_PERCENT", "0.075"),
                            env("INTERRUPTION_QUEUE", CLUSTER), env("RESERVED_ENIS", "0")],
                       ports=[{"containerPort": 8080, "name": "http-metrics", "protocol": "TCP"},
                              {"containerPort": 8081, "name": "http", "protocol": "TCP"}],
                       security={"allowPrivilegeEscalation": False,
                                 "capabilities": {"drop": ["ALL"]},
                                 "readOnlyRootFilesystem": True, "runAsGroup": 65532,
                                 "runAsNonRoot": True, "runAsUser": 65532,
                                 "seccompProfile": {"type": "RuntimeDefault"}},
                       resources={"limits": {"cpu": "1", "memory": "1Gi"},
                                  "requests": {"cpu": "1", "memory": "1Gi"}})],
            created=at("2026-04-10T09:45:10Z"), owner=owner,
            labels={"app.kubernetes.io/instance": "karpenter",
                    "app.kubernetes.io/name": "karpenter", "pod-template-hash": h},
            pod_security={"fsGroup": 65532}, priority_class="system-cluster-critical",
            mutate=lambda m, s: k8s.irsa_mutate(s, kp_role)))

    # --- kube-system/aws-node: IRSA for the VPC CNI add-on, role made by eksctl ----------
    cni = lab.policy("AmazonEKS_CNI_Policy", doc(
        allow(["ec2:AssignIpv6Addresses", "ec2:AssignPrivateIpAddresses",
               "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface",
               "ec2:DeleteNetworkInterface", "ec2:DescribeInstances", "ec2:DescribeTags",
               "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes",
               "ec2:DescribeSubnets", "ec2:DetachNetworkInterface",
               "ec2:ModifyNetworkInterfaceAttribute", "ec2:UnassignPrivateIpAddresses"], "*",
              sid="AmazonEKSCNIPolicy"),
        allow("ec2:CreateTags", "arn:aws:ec2:*:*:network-interface/*",
              sid="AmazonEKSCNIPolicyENITag")),
        at("2019-05-27T16:39:05Z"), aws_managed=True, version="v7")
    cni_role = lab.role(
        "eksctl-irsa-lab-addon-vpc-cni-Role1-07fh0xtQf45i", iam.eksctl_trust("kube-system", "aws-node"),
        created=at("2026-03-16T08:19:31Z"), attached=[cni], boundary=BOUNDARY_ARN,
        tags={**iam.eksctl_tags("kube-system", "aws-node", "eksctl-irsa-lab-addon-vpc-cni"),
              **iam.workload_tags("kube-system", "aws-node", "eksctl")},
        last_used=(at("2026-04-10T09:57:40Z"), REGION))
    lab.sa("kube-system", "aws-node", at("2026-03-16T08:20:12Z"), role=cni_role, applied=False,
           labels={"app.kubernetes.io/instance": "aws-vpc-cni",
                   "app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/name": "aws-node",
                   "app.kubernetes.io/version": "v1.20.1", "helm.sh/chart": "aws-vpc-cni-1.20.1",
                   "k8s-app": "aws-node"})
    ecr = "602401143452.dkr.ecr.eu-west-1.amazonaws.com"
    ds = k8s.owner_daemonset("kube-system", "aws-node")
    for node in (n1, n2, n3):
        nname = node["metadata"]["name"]
        created = k8s.at(node["metadata"]["creationTimestamp"]) + dt.timedelta(seconds=31)
        lab.add_pod(k8s.pod(
            "kube-system", f"aws-node-{suffix('aws-node', nname)}", "aws-node", node,
            [container("aws-node", f"{ecr}/amazon-k8s-cni:v1.20.1-eksbuild.1",
                       env=[env("ADDITIONAL_ENI_TAGS", "{}"), env("ANNOTATE_POD_IP", "false"),
                            env("AWS_VPC_CNI_NODE_PORT_SUPPORT", "true"),
                            env("AWS_VPC_ENI_MTU", "9001"),
                            env("AWS_VPC_K8S_CNI_EXTERNALSNAT", "false"),
                            env("AWS_VPC_K8S_CNI_LOGLEVEL", "DEBUG"),
                            env("AWS_VPC_K8S_CNI_LOG_FILE", "/host/var/log/aws-routed-eni/ipamd.log"),
                            env("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "prng"),
                            env("AWS_VPC_K8S_CNI_VETHPREFIX", "eni"),
                            env("AWS_VPC_K8S_PLUGIN_LOG_FILE", "/var/log/aws-routed-eni/plugin.log"),
                            env("AWS_VPC_K8S_PLUGIN_LOG_LEVEL", "DEBUG"),
                            env("CLUSTER_NAME", CLUSTER), env("DISABLE_INTROSPECTION", "false"),
                            env("DISABLE_METRICS", "false"),
                            env("DISABLE_NETWORK_RESOURCE_PROVISIONING", "false"),
                            env("ENABLE_IPv4", "true"), env("ENABLE_IPv6", "false"),
                            env("ENABLE_POD_ENI", "false"), env("ENABLE_PREFIX_DELEGATION", "false"),
                            env("NETWORK_POLICY_ENFORCING_MODE", "standard"),
                            env("VPC_CNI_VERSION", "v1.20.1"), env("VPC_ID", "vpc-0eff978855e0677a0"),
                            env("WARM_ENI_TARGET", "1"), env("WARM_PREFIX_TARGET", "1"),
                            env_field("MY_NODE_NAME", "spec.nodeName"),
                            env_field("MY_POD_NAME", "metadata.name")],
                       ports=[{"containerPort": 61678, "hostPort": 61678, "name": "metrics",
                               "protocol": "TCP"}],
                       security={"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
                       resources={"requests": {"cpu": "25m"}},
                       mounts=[{"mountPath": "/host/opt/cni/bin", "name": "cni-bin-dir"},
                               {"mountPath": "/host/etc/cni/net.d", "name": "cni-net-dir"},
                               {"mountPath": "/host/var/log/aws-routed-eni", "name": "log-dir"},
                               {"mountPath": "/var/run/aws-node", "name": "run-dir"},
                               {"mountPath": "/run/xtables.lock", "name": "xtables-lock"}]),
             container("aws-eks-nodeagent", f"{ecr}/amazon/aws-network-policy-agent:v1.2.5-eksbuild.1",
                       args=["--enable-ipv6=false", "--enable-network-policy=false",
                             "--enable-cloudwatch-logs=false", "--enable-policy-event-logs=false",
                             "--log-file=/var/log/aws-routed-eni/network-policy-agent.log",
                             "--metrics-bind-addr=:8162", "--health-probe-bind-addr=:8163",
                             "--conntrack-cache-cleanup-period=300", "--log-level=debug"],
                       env=[env_field("MY_NODE_NAME", "spec.nodeName")],
                       security={"capabilities": {"add": ["NET_ADMIN"]}, "privileged": True},
                       resources={"requests": {"cpu": "25m"}},
                       mounts=[{"mountPath": "/sys/fs/bpf", "name": "bpf-pin-path"},
                               {"mountPath": "/var/log/aws-routed-eni", "name": "log-dir"},
                               {"mountPath": "/var/run/aws-node", "name": "run-dir"}])],
            init_containers=[container(
                "aws-vpc-cni-init", f"{ecr}/amazon-k8s-cni-init:v1.20.1-eksbuild.1",
                env=[env("DISABLE_TCP_EARLY_DEMUX", "false"), env("ENABLE_IPv6", "false")],
                security={"privileged": True}, resources={"requests": {"cpu": "25m"}},
                mounts=[{"mountPath": "/host/opt/cni/bin", "name": "cni-bin-dir"}])],
            volumes=[{"hostPath": {"path": "/sys/fs/bpf", "type": ""}, "name": "bpf-pin-path"},
                     {"hostPath": {"path": "/opt/cni/bin", "type": ""}, "name": "cni-bin-dir"},
                     {"hostPath": {"path": "/etc/cni/net.d", "type": ""}, "name": "cni-net-dir"},
                     {"hostPath": {"path": "/var/log/aws-routed-eni", "type": "DirectoryOrCreate"},
                      "name": "log-dir"},
                     {"hostPath": {"path": "/var/run/aws-node", "type": "DirectoryOrCreate"},
                      "name": "run-dir"},
                     {"hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"},
                      "name": "xtables-lock"}],
            created=created, owner=ds, host_network=True, priority_class="system-node-critical",
            labels={"app.kubernetes.io/instance": "aws-vpc-cni", "app.kubernetes.io/name": "aws-node",
                    "controller-revision-hash": "5d8b6c9f7d", "k8s-app": "aws-node",
                    "pod-template-generation": "1"},
            tolerations=[{"operator": "Exists"}],
            mutate=lambda m, s: k8s.irsa_mutate(s, cni_role)))

    # --- kube-system: coredns and a few controller SAs, no AWS identity ------------------
    for name in ("attachdetach-controller", "aws-cloud-provider", "coredns",
                 "eks-vpc-resource-controller", "kube-proxy", "replicaset-controller"):
        lab.sa("kube-system", name, at("2026-03-16T08:19:59Z"), applied=False)
    owner, h = k8s.owner_replicaset("kube-system", "coredns")
    for i in range(2):
        lab.add_pod(k8s.pod(
            "kube-system", k8s.deployment_pod_name("coredns", h, i), "coredns", n1,
            [container("coredns", f"{ecr}/eks/coredns:v1.12.1-eksbuild.2",
                       args=["-conf", "/etc/coredns/Corefile"],
                       ports=[{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                              {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                              {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                       security={"allowPrivilegeEscalation": False,
                                 "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                                 "readOnlyRootFilesystem": True},
                       resources={"limits": {"memory": "170Mi"},
                                  "requests": {"cpu": "100m", "memory": "70Mi"}},
                       mounts=[{"mountPath": "/etc/coredns", "name": "config-volume",
                                "readOnly": True}])],
            volumes=[{"configMap": {"defaultMode": 420, "items": [{"key": "Corefile",
                                                                   "path": "Corefile"}],
                                    "name": "coredns"}, "name": "config-volume"}],
            created=at("2026-03-16T08:26:44Z"), owner=owner,
            labels={"eks.amazonaws.com/component": "coredns", "k8s-app": "kube-dns",
                    "pod-template-hash": h},
            priority_class="system-cluster-critical"))

    # --- tf-demo/tf-s3-reader: the guide's Terraform module, verbatim ---------------------
    # The role may also decrypt with the bucket's KMS key — but that key's policy has no
    # "Enable IAM User Permissions" statement (resource-policies.json), so IAM policies count
    # for nothing there: `can-i kms:Decrypt <key> --pod tf-demo/tf-s3-test` is an implicit deny.
    tf_policy = lab.policy("irsa-lab-tf-demo-tf-s3-reader-s3-read", {
        "Statement": [{"Action": ["s3:GetObject", "s3:ListBucket"], "Effect": "Allow",
                       "Resource": ["arn:aws:s3:::my-app-bucket", "arn:aws:s3:::my-app-bucket/*"]},
                      {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": APP_BUCKET_KEY}],
        "Version": "2012-10-17"}, at("2026-04-10T09:50:27Z"),
        description="Allows the tf-s3-reader ServiceAccount to read my-app-bucket")
    # Terraform's jsonencode sorts keys, so IAM stores them sorted.
    tf_trust = {"Statement": [{
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{ISSUER_HOST}:aud": "sts.amazonaws.com",
                                       f"{ISSUER_HOST}:sub": "system:serviceaccount:tf-demo:tf-s3-reader"}},
        "Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN}}], "Version": "2012-10-17"}
    tf_role = lab.role(
        "eks-irsa-lab-tf-demo-tf-s3-reader-role", tf_trust, created=at("2026-04-10T09:50:29Z"),
        attached=[tf_policy],
        tags={"cluster": CLUSTER, "namespace": "tf-demo", "sa": "tf-s3-reader",
              "managed-by": "terraform"},
        last_used=(at("2026-04-10T09:56:02Z"), REGION))
    lab.sa("tf-demo", "tf-s3-reader", at("2026-04-10T09:50:32Z"), role=tf_role, applied=False)
    lab.add_pod(k8s.pod(
        "tf-demo", "tf-s3-test", "tf-s3-reader", n1,
        [container("tf-s3-test", AWS_CLI, command=["sleep", "3600"])],
        created=at("2026-04-10T09:55:30Z"), labels={"run": "tf-s3-test"},
        mutate=lambda m, s: k8s.irsa_mutate(s, tf_role)), token_at=at("2026-04-10T09:55:34Z"))

    # --- orders/orders-api: EKS Pod Identity, healthy ------------------------------------
    # Beside its table, the policy grants (1) a tenant prefix by ABAC on the Pod Identity
    # session tag `kubernetes-namespace` — `can-i s3:PutObject
    # arn:aws:s3:::irsa-lab-tenant-data/orders/x` is allowed, `…/payments/x` is not — and
    # (2) `sns:Publish`, which the workload boundary does not allow: a grant that never works.
    orders_policy = lab.policy("irsa-lab-orders-api-policy", doc(
        allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
              f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders", sid="OrdersTable"),
        allow(["s3:GetObject", "s3:PutObject"],
              "arn:aws:s3:::irsa-lab-tenant-data/${aws:PrincipalTag/kubernetes-namespace}/*",
              sid="OwnNamespacePrefix"),
        allow("sns:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:order-events",
              sid="OrderEvents")), at("2026-04-09T11:05:40Z"))
    orders_role = lab.role(
        "eks-irsa-lab-orders-orders-api-role", iam.pod_identity_trust(),
        created=at("2026-04-09T11:06:02Z"), attached=[orders_policy], boundary=BOUNDARY_ARN,
        tags=iam.workload_tags("orders", "orders-api"),
        last_used=(at("2026-04-10T09:59:12Z"), REGION))
    lab.associations.append(aws.association("orders", "orders-api", orders_role,
                                            at("2026-04-09T11:08:15Z"),
                                            tags=iam.workload_tags("orders", "orders-api")))
    lab.sa("orders", "orders-api", at("2026-04-09T11:10:00Z"))
    owner, h = k8s.owner_replicaset("orders", "orders-api")
    for i, (node, jitter) in enumerate(((n1, 82163), (n2, 84817))):
        p = k8s.pod(
            "orders", k8s.deployment_pod_name("orders-api", h, i), "orders-api", node,
            [container("orders-api", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/irsa-lab/orders-api:2026.04.2",
                       env=[env("TABLE_NAME", "orders")],
                       ports=[{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                       resources={"requests": {"cpu": "100m", "memory": "128Mi"}})],
            created=at("2026-04-09T11:20:44Z"), owner=owner,
            labels=k8s.labels_for("orders-api", h),
            mutate=lambda m, s, j=jitter: k8s.pod_identity_mutate(m, s, expiration=j))
        lab.add_pod(p, token_at=at("2026-04-10T05:38:51Z") if i == 0 else None,
                    audience="pods.eks.amazonaws.com", expiration=jitter)
    reports_lab(lab, n2)
    return s3_role


def reports_lab(lab, node):
    """reports/exporter: Pod Identity with session tags disabled and a session policy.

    The role may read and write all of `irsa-lab-reports`; the association's session policy
    (`aws eks create-pod-identity-association … --disable-session-tags --policy file://…`)
    narrows its sessions to reading `daily/`: `can-i s3:PutObject
    arn:aws:s3:::irsa-lab-reports/daily/x --pod reports/…` is an implicit deny by the session
    policy, whatever the role grants."""
    reports_policy = lab.policy("irsa-lab-reports-exporter-policy", doc(allow(
        ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
        ["arn:aws:s3:::irsa-lab-reports", "arn:aws:s3:::irsa-lab-reports/*"])),
        at("2026-04-09T14:02:10Z"))
    reports_role = lab.role(
        "eks-irsa-lab-reports-exporter-role", iam.pod_identity_trust(),
        created=at("2026-04-09T14:02:31Z"), attached=[reports_policy], boundary=BOUNDARY_ARN,
        tags=iam.workload_tags("reports", "exporter"),
        last_used=(at("2026-04-10T06:00:14Z"), REGION))
    session_policy = doc(allow("s3:GetObject", "arn:aws:s3:::irsa-lab-reports/daily/*",
                               sid="ReadDailyOnly"))
    lab.associations.append(aws.association(
        "reports", "exporter", reports_role, at("2026-04-09T14:03:02Z"),
        tags=iam.workload_tags("reports", "exporter"), disable_session_tags=True,
        policy=session_policy))
    lab.sa("reports", "exporter", at("2026-04-09T14:04:00Z"))
    owner, h = k8s.owner_replicaset("reports", "exporter")
    p = k8s.pod(
        "reports", k8s.deployment_pod_name("exporter", h, 0), "exporter", node,
        [container("exporter", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/irsa-lab/exporter:1.4.0",
                   env=[env("REPORTS_BUCKET", "irsa-lab-reports")],
                   resources={"requests": {"cpu": "50m", "memory": "64Mi"}})],
        created=at("2026-04-09T14:10:12Z"), owner=owner, labels=k8s.labels_for("exporter", h),
        mutate=lambda m, s: k8s.pod_identity_mutate(m, s, expiration=83507))
    lab.add_pod(p, token_at=at("2026-04-10T06:00:02Z"), audience="pods.eks.amazonaws.com",
                expiration=83507)


def alb_controller_policy():
    """A condensed AWSLoadBalancerControllerIAMPolicy: reads on *, writes scoped by ARN.

    Deliberately the policy as published before controller v2.9: it lacks
    `elasticloadbalancing:DescribeListenerAttributes`, which the running v2.13 image calls —
    the "missed permission" of a controller upgraded without its policy: `can-i
    elasticloadbalancing:DescribeListenerAttributes '*' --pod kube-system/…` is an implicit
    deny (no identity-based policy allows it)."""
    lb = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}"
    return doc(
        allow("iam:CreateServiceLinkedRole",
              f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
              {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}),
        allow(["ec2:DescribeAccountAttributes", "ec2:DescribeAddresses",
               "ec2:DescribeAvailabilityZones", "ec2:DescribeInternetGateways",
               "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets",
               "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
               "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage",
               "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc",
               "elasticloadbalancing:DescribeLoadBalancers",
               "elasticloadbalancing:DescribeLoadBalancerAttributes",
               "elasticloadbalancing:DescribeListeners",
               "elasticloadbalancing:DescribeListenerCertificates",
               "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
               "elasticloadbalancing:DescribeTargetGroups",
               "elasticloadbalancing:DescribeTargetGroupAttributes",
               "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
               "acm:ListCertificates", "acm:DescribeCertificate", "wafv2:GetWebACL",
               "wafv2:GetWebACLForResource", "shield:GetSubscriptionState"], "*"),
        allow(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
               "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:CreateTags"],
              [f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/*",
               f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-0eff978855e0677a0"]),
        allow(["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
               "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
               "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule",
               "elasticloadbalancing:ModifyLoadBalancerAttributes",
               "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
               "elasticloadbalancing:DeleteLoadBalancer",
               "elasticloadbalancing:ModifyTargetGroup",
               "elasticloadbalancing:ModifyTargetGroupAttributes",
               "elasticloadbalancing:DeleteTargetGroup",
               "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
               "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
              [f"{lb}:loadbalancer/app/k8s-*", f"{lb}:loadbalancer/net/k8s-*",
               f"{lb}:targetgroup/k8s-*", f"{lb}:listener/app/k8s-*",
               f"{lb}:listener/net/k8s-*", f"{lb}:listener-rule/app/k8s-*",
               f"{lb}:listener-rule/net/k8s-*"]))


def karpenter_policy():
    """A condensed KarpenterControllerPolicy: reads on *, writes scoped by ARN."""
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    return doc(
        allow(["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate",
               "ec2:CreateTags", "ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
              [f"{ec2}:instance/*", f"{ec2}:fleet/*", f"{ec2}:launch-template/*",
               f"{ec2}:spot-instances-request/*", f"{ec2}:volume/*",
               f"{ec2}:network-interface/*", f"{ec2}:security-group/*", f"{ec2}:subnet/*",
               f"arn:aws:ec2:{REGION}::image/*"],
              {"StringEquals": {"aws:RequestedRegion": REGION}}, sid="KarpenterEC2"),
        allow(["ec2:DescribeAvailabilityZones", "ec2:DescribeImages", "ec2:DescribeInstances",
               "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes",
               "ec2:DescribeLaunchTemplates", "ec2:DescribeSecurityGroups",
               "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets", "pricing:GetProducts",
               "iam:GetInstanceProfile"], "*", sid="KarpenterRead"),
        allow("ssm:GetParameter", f"arn:aws:ssm:{REGION}::parameter/aws/service/*",
              sid="KarpenterSSM"),
        allow(["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
              f"arn:aws:sqs:{REGION}:{ACCOUNT}:{CLUSTER}", sid="KarpenterInterruptionQueue"),
        allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/KarpenterNodeRole-{CLUSTER}",
              sid="KarpenterPassNodeRole"),
        allow(["iam:CreateInstanceProfile", "iam:TagInstanceProfile",
               "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
               "iam:DeleteInstanceProfile"], f"arn:aws:iam::{ACCOUNT}:instance-profile/*",
              sid="KarpenterInstanceProfiles"),
        allow("eks:DescribeCluster", f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
              sid="KarpenterCluster"))


if __name__ == "__main__":
    from broken import broken_lab, account_b  # noqa: E402
    from output import write_all  # noqa: E402
    from pod_identity import pod_identity_lab  # noqa: E402

    lab = Lab()
    nodes = build_nodes(lab)
    node_roles(lab, nodes)
    s3_role = guide_lab(lab, nodes)
    account_b(lab, s3_role)
    broken_lab(lab, nodes)
    pod_identity_lab(lab, nodes)
    lab.finish_policy_counts()
    write_all(lab, OUT)
