"""EKS Pod Identity as it is in 2026: the agent DaemonSet, an EKS Auto Mode node (agent built in),
an association with a cross-account target role that works, and the ways the 2025/2026 features
break (POD011-POD018, POD017's IPv6 case).

Everything here is appended after the broken lab, so earlier names and ids stay stable."""

import datetime as dt

import aws
import iam
import k8s
from broken import NS, Broken
from common import ACCOUNT, ACCOUNT_B, BOUNDARY_ARN, REGION, at, role_arn, suffix
from iam import allow, doc
from k8s import container, env

# An EKS Auto Mode node: named by its instance id, labelled compute-type=auto, no
# eks-pod-identity-agent pod (the capability is built in), IMDSv2 with hop limit 1.
AUTO_NODE = dict(
    ip="192.168.140.12", instance_id="i-0d4e5f6071829304b", az="eu-west-1b",
    nodegroup="auto-general-purpose", http_tokens="required", hop_limit=1, zone_id="euw1-az1",
    launch_template="lt-0d8c4f5b6a7e9d021", created=at("2026-04-09T13:40:07Z"),
    role="AmazonEKSAutoNodeRole", profile="eks-eu-west-1-irsa-lab-3f9c1d7a2b",
    instance_type="c6a.large",
    instance_tags=[{"Key": k, "Value": v} for k, v in [
        ("eks:eks-cluster-name", "irsa-lab"), ("eks:kubernetes-node-pool-name", "general-purpose"),
        ("eks:kubernetes-node-class-name", "default"),
        ("karpenter.sh/nodepool", "general-purpose"),
        ("kubernetes.io/cluster/irsa-lab", "owned"), ("Name", "general-purpose-2x4kq")]])

AGENT_IMAGE = "602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/eks-pod-identity-agent:v0.1.36"


def agent_pods(lab, nodes):
    """The eks-pod-identity-agent add-on's DaemonSet pods (hostNetwork, port 80 on
    169.254.170.23 and [fd00:ec2::23]). The add-on was installed with a nodeSelector the legacy
    node group lacks, so ng-legacy has none: POD015 for Pod Identity pods placed there."""
    lab.sa("kube-system", "eks-pod-identity-agent", at("2026-04-08T15:20:00Z"), applied=False,
           labels={"app.kubernetes.io/instance": "eks-pod-identity-agent",
                   "app.kubernetes.io/name": "eks-pod-identity-agent"})
    ds = k8s.owner_daemonset("kube-system", "eks-pod-identity-agent")
    for key in ("ng-hardened", "ng-default"):
        node = nodes[key]
        nname = node["metadata"]["name"]
        created = at("2026-04-08T15:21:00Z")
        lab.add_pod(k8s.pod(
            "kube-system", f"eks-pod-identity-agent-{suffix('pi-agent', nname)}",
            "eks-pod-identity-agent", node,
            [container("eks-pod-identity-agent", AGENT_IMAGE,
                       command=["/go-runner", "/eks-pod-identity-agent", "server"],
                       args=["--port", "80", "--cluster-name", "irsa-lab",
                             "--probe-port", "2703"],
                       env=[env("AWS_REGION", REGION)],
                       ports=[{"containerPort": 80, "name": "proxy", "protocol": "TCP"},
                              {"containerPort": 2703, "name": "probes-port", "protocol": "TCP"}])],
            created=created, owner=ds, host_network=True,
            labels={"app.kubernetes.io/instance": "eks-pod-identity-agent",
                    "app.kubernetes.io/name": "eks-pod-identity-agent"},
            priority_class="system-node-critical", tolerations=[{"operator": "Exists"}],
            node_selector={"irsa-lab/pod-identity-agent": "enabled"}))


def credentials_uri(uri, extra_env=None):
    """An `after_mutation` that overrides the injected AWS_CONTAINER_CREDENTIALS_FULL_URI in
    every container (a chart's own value wins over the webhook's), adding `extra_env`."""
    def apply(meta, spec):
        for c in spec["containers"]:
            for e in c["env"]:
                if e["name"] == "AWS_CONTAINER_CREDENTIALS_FULL_URI":
                    e["value"] = uri
            c["env"].extend(extra_env or [])
    return apply


def target_trust(source_role, external_id, tag_session=True):
    """The trust a target role needs (EKS docs, "Access AWS resources using EKS Pod Identity
    target IAM roles"): the association's role may AssumeRole with the association's external
    id, and TagSession for the transitive session tags."""
    st = [{"Sid": "PodIdentityAssociationRole", "Effect": "Allow",
           "Principal": {"AWS": source_role}, "Action": "sts:AssumeRole",
           "Condition": {"StringEquals": {"sts:ExternalId": external_id}}}]
    if tag_session:
        st.append({"Sid": "PodIdentitySessionTags", "Effect": "Allow",
                   "Principal": {"AWS": source_role}, "Action": "sts:TagSession"})
    return {"Version": iam.V, "Statement": st}


def ledger_sync(lab, nodes, boundary):
    """orders/ledger-sync: a working cross-account association — EKS assumes the orders
    account's role, then account B's ledger role, whose trust names that role and the
    association's external id."""
    ns, sa = "orders", "ledger-sync"
    source = role_arn(f"eks-irsa-lab-{ns}-{sa}-role")
    target = f"arn:aws:iam::{ACCOUNT_B}:role/accountb-ledger-writer"
    ledger = lab.policy("accountb-ledger-write-policy", doc(allow(
        ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT_B}:table/ledger")),
        at("2026-04-09T12:00:00Z"), account=ACCOUNT_B)
    lab.role("accountb-ledger-writer", target_trust(source, aws.external_id(ns, sa)),
             account=ACCOUNT_B, created=at("2026-04-09T12:01:00Z"), attached=[ledger],
             boundary=f"arn:aws:iam::{ACCOUNT_B}:policy/accountb-workload-boundary",
             tags={"managed-by": "terraform", "app": "ledger"},
             last_used=(at("2026-04-10T09:57:02Z"), REGION))
    lab.role(f"eks-irsa-lab-{ns}-{sa}-role", iam.pod_identity_trust(),
             created=at("2026-04-09T12:02:00Z"),
             inline={"assume-ledger-writer": doc(allow(["sts:AssumeRole", "sts:TagSession"],
                                                       target))},
             boundary=boundary, tags=iam.workload_tags(ns, sa),
             last_used=(at("2026-04-10T09:57:01Z"), REGION))
    lab.associations.append(aws.association(ns, sa, source, at("2026-04-09T12:03:00Z"),
                                            tags=iam.workload_tags(ns, sa), target_role=target))
    lab.sa(ns, sa, at("2026-04-09T12:04:00Z"))
    owner, h = k8s.owner_replicaset(ns, sa)
    p = k8s.pod(
        ns, k8s.deployment_pod_name(sa, h, 0), sa, nodes["ng-default"],
        [container(sa, f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/irsa-lab/ledger-sync:0.9.3",
                   env=[env("LEDGER_TABLE", f"arn:aws:dynamodb:{REGION}:{ACCOUNT_B}:table/ledger")])],
        created=at("2026-04-09T12:10:00Z"), owner=owner, labels=k8s.labels_for(sa, h),
        mutate=lambda m, s: k8s.pod_identity_mutate(m, s, expiration=84211))
    lab.add_pod(p)


def broken_2026(lab, nodes, boundary):
    b = Broken(lab, nodes)
    b.i = 40  # after the broken lab's workloads: distinct creation times

    def chained(sa, *, target_trust_doc, source_boundary, tags=True, inline=True):
        target_name = f"accountb-{sa}"
        target = f"arn:aws:iam::{ACCOUNT_B}:role/{target_name}"
        lab.role(target_name, target_trust_doc, account=ACCOUNT_B,
                 created=at("2026-04-09T12:30:00Z") + dt.timedelta(minutes=b.i),
                 boundary=f"arn:aws:iam::{ACCOUNT_B}:policy/accountb-workload-boundary",
                 tags={"managed-by": "terraform", "app": sa})
        role = b.role(sa, iam.pod_identity_trust(), used=False, attached=[],
                      boundary=source_boundary,
                      inline={"assume-target": doc(allow(
                          ["sts:AssumeRole", "sts:TagSession"] if tags else "sts:AssumeRole",
                          target))} if inline else None)
        b.workload(sa, mutate="pi", crash=True)
        b.association(sa, role, target_role=target, disable_session_tags=not tags)
        return role

    # POD012: the target's trust still carries the external id of the association it was
    # copied from (orders/ledger-sync's), so EKS's second AssumeRole is refused.
    sa = "pi-target-external-id"
    source = role_arn(f"eks-irsa-lab-{NS}-{sa}-role")
    chained(sa, target_trust_doc=target_trust(source, aws.external_id("orders", "ledger-sync")),
            source_boundary=boundary)

    # POD011: the role may assume the target and tag the session — but its permissions
    # boundary (the workload boundary) allows sts:AssumeRole, not sts:TagSession.
    sa = "pi-target-boundary"
    source = role_arn(f"eks-irsa-lab-{NS}-{sa}-role")
    chained(sa, target_trust_doc=target_trust(source, aws.external_id(NS, sa)),
            source_boundary=BOUNDARY_ARN)

    # POD013: session tags disabled, yet the role's policy scopes S3 by
    # ${aws:PrincipalTag/kubernetes-namespace}: the prefix never matches.
    sa = "pi-tags-disabled-abac"
    abac = lab.policy("irsa-lab-tenant-prefix-policy", doc(allow(
        ["s3:GetObject", "s3:PutObject"],
        "arn:aws:s3:::irsa-lab-tenant-data/${aws:PrincipalTag/kubernetes-namespace}/*")),
        at("2026-04-09T12:40:00Z"))
    role = b.role(sa, iam.pod_identity_trust(), used=False, attached=[abac])
    b.workload(sa, mutate="pi")
    b.association(sa, role, disable_session_tags=True)

    # POD014: a session policy for SQS on a role that only grants S3: nothing is left.
    sa = "pi-session-policy-empty"
    role = b.role(sa, iam.pod_identity_trust(), used=False)
    b.workload(sa, mutate="pi", crash=True)
    b.association(sa, role, disable_session_tags=True,
                  policy=doc(allow("sqs:SendMessage",
                                   f"arn:aws:sqs:{REGION}:{ACCOUNT}:irsa-lab-jobs")))

    # POD015: a Pod Identity pod on ng-legacy, where the agent DaemonSet does not run.
    sa = "pi-agent-missing"
    role = b.role(sa, iam.pod_identity_trust(), used=False)
    b.workload(sa, mutate="pi", crash=True, node="ng-legacy")
    b.association(sa, role)

    # POD016: a hostNetwork pod (a node-level log shipper) on Pod Identity.
    sa = "pi-host-network"
    role = b.role(sa, iam.pod_identity_trust(), used=False)
    b.workload(sa, mutate="pi", crash=True, pod_kw={"host_network": True})
    b.association(sa, role)

    # POD017: a Helm chart written for ECS sets AWS_CONTAINER_CREDENTIALS_FULL_URI to the ECS
    # agent's 169.254.170.2, overriding what the webhook injected.
    sa = "pi-endpoint-ecs"
    role = b.role(sa, iam.pod_identity_trust(), used=False)
    b.workload(sa, mutate="pi", crash=True,
               after_mutation=credentials_uri("http://169.254.170.2/v1/credentials"))
    b.association(sa, role)


def transitive_tags(lab, nodes):
    """POD018 (info): a Pod Identity role that chains on to account B's data reader with
    sts:TagSession, so the six transitive session tags travel with it."""
    b = Broken(lab, nodes)
    b.i = 60
    sa = "pi-chains-with-tags"
    reader = f"arn:aws:iam::{ACCOUNT_B}:role/accountb-data-reader"
    role = b.role(sa, iam.pod_identity_trust(), used=False, attached=[],
                  inline={"chain-to-data-lake": doc(allow(["sts:AssumeRole", "sts:TagSession"],
                                                          reader))})
    b.workload(sa, mutate="pi")
    b.association(sa, role)


def auto_mode(lab, nodes):
    """An EKS Auto Mode node and a Pod Identity workload on it that works: no agent DaemonSet
    pod there, and none needed (no POD015). The node role is Auto Mode's minimal one."""
    spec = AUTO_NODE
    name = spec["instance_id"]
    node = k8s.node(
        name, provider_id=f"aws:///{spec['az']}/{spec['instance_id']}", created=spec["created"],
        internal_ip=spec["ip"], instance_type=spec["instance_type"],
        labels={"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                "eks.amazonaws.com/compute-type": "auto",
                "eks.amazonaws.com/instance-category": "c",
                "eks.amazonaws.com/instance-generation": "6",
                "eks.amazonaws.com/nodeclass": "default",
                "karpenter.sh/capacity-type": "on-demand",
                "karpenter.sh/initialized": "true", "karpenter.sh/nodepool": "general-purpose",
                "karpenter.sh/registered": "true",
                "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node.kubernetes.io/instance-type": spec["instance_type"],
                "topology.k8s.aws/zone-id": spec["zone_id"],
                "topology.kubernetes.io/region": REGION,
                "topology.kubernetes.io/zone": spec["az"]})
    lab.nodes.append(node)
    lab.node_specs[spec["nodegroup"]] = spec
    nodes["auto"] = node
    minimal = lab.policy("AmazonEKSWorkerNodeMinimalPolicy", doc(
        allow("eks-auth:AssumeRoleForPodIdentity", "*", sid="WorkerNodePermissions")),
        at("2024-11-21T19:45:30Z"), aws_managed=True, version="v1")
    pull = lab.policy("AmazonEC2ContainerRegistryPullOnly", doc(
        allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
               "ecr:GetAuthorizationToken"], "*")),
        at("2024-10-02T17:08:27Z"), aws_managed=True, version="v1")
    lab.role(spec["role"], iam.service_trust("ec2.amazonaws.com"),
             created=at("2026-04-09T13:30:00Z"), attached=[minimal, pull],
             instance_profiles=[spec["profile"]],
             tags={"managed-by": "terraform", "eks-auto-mode": "node-role"},
             last_used=(at("2026-04-10T09:58:40Z"), REGION))

    b = Broken(lab, nodes)
    b.i = 70
    sa = "pi-auto-mode"
    role = b.role(sa, iam.pod_identity_trust(), used=True)
    b.workload(sa, mutate="pi", node="auto")
    b.association(sa, role)


def ipv6_endpoint(lab, nodes):
    """POD017 on an IPv4 cluster: a Java service's chart, written on the company's IPv6 cluster,
    hard-codes the agent's IPv6 URI (what EKS injects there) and, for the Java SDK v2 that
    refuses that host otherwise, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6. This cluster is
    IPv4: the pod has no IPv6 route, the SDK's connection to [fd00:ec2::23] fails."""
    b = Broken(lab, nodes)
    b.i = 72
    sa = "pi-endpoint-ipv6"
    role = b.role(sa, iam.pod_identity_trust(), used=False)
    ipv6_uri = credentials_uri("http://[fd00:ec2::23]/v1/credentials",
                               [env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")])
    b.workload(sa, mutate="pi", crash=True, after_mutation=ipv6_uri,
               containers=[container("app", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/irsa-lab/"
                                     "invoice-export:3.2.0-corretto21",
                                     command=["java", "-jar", "/app/invoice-export.jar"])])
    b.association(sa, role)


def pod_identity_lab(lab, nodes):
    boundary = lab.policy("irsa-lab-pod-identity-chain-boundary", doc(allow(
        ["sts:AssumeRole", "sts:TagSession", "s3:*", "dynamodb:*", "sqs:*"], "*",
        sid="ChainedWorkloads")), at("2026-04-09T11:58:00Z"))
    agent_pods(lab, nodes)
    ledger_sync(lab, nodes, boundary)
    broken_2026(lab, nodes, boundary)
    transitive_tags(lab, nodes)
    auto_mode(lab, nodes)
    ipv6_endpoint(lab, nodes)
