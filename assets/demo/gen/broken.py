"""Namespace `broken`: one ServiceAccount per finding code, named after what is wrong, plus the
data-lake account B of the guide's cross-account section.

Every role here follows the guide's hardening checklist (exact :sub, :aud, boundary, the four
tags, `eks-<cluster>-<ns>-<sa>-role` name, used recently) except for the one thing its
ServiceAccount is named after, so each object triggers its own code and no other."""

import datetime as dt

import aws
import iam
import k8s
from common import (ACCOUNT, ACCOUNT_B, BOUNDARY_ARN, BOUNDARY_ARN_B, ISSUER_HOST, PROVIDER_ARN,
                    REGION, at, role_arn)
from iam import allow, deny, doc
from k8s import container, env, env_secret

AWS_CLI = "amazon/aws-cli:2.22.4"
CHECK_CMD = ["sh", "-c", "aws sts get-caller-identity && exec sleep infinity"]
NS = "broken"

OLD_CLUSTER_ID = "0B1D5D6E5A3C0F8A9E2B7C4D6F1A3E5B"  # irsa-lab before it was recreated
OTHER_CLUSTERS = [  # (name, issuer id) of the account's other clusters (multi-cluster roles)
    ("irsa-lab-blue", "7F2A9C4E1B3D5F6A8C0E2B4D6F8A1C3E"),
    ("irsa-lab-green", "1C8E5A7B3D9F2E4A6C8B0D1F3E5A7C9B"),
    ("irsa-lab-canary", "5B3D7F9A1C2E4B6D8F0A3C5E7B9D1F2A"),
]
DATALAKE_CLUSTER_ID = "9C3B7A41E2D05F68A1B4C7D2E9F03A56"  # account B's own cluster


def host(cluster_id, region=REGION):
    return f"oidc.eks.{region}.amazonaws.com/id/{cluster_id}"


class Broken:
    def __init__(self, lab, nodes):
        self.lab, self.nodes = lab, nodes
        self.i = 0
        self.app_policy = lab.policy("irsa-lab-broken-app-policy", doc(allow(
            ["s3:GetObject", "s3:ListBucket"],
            ["arn:aws:s3:::irsa-lab-broken-lab", "arn:aws:s3:::irsa-lab-broken-lab/*"])),
            at("2026-04-08T15:40:02Z"))

    def role(self, sa, trust=None, *, name=None, account=ACCOUNT, boundary="default",
             tags=None, attached=None, used=True, created=None, last_used=None, **kw):
        """A role that is healthy in every respect the caller does not override."""
        name = name or f"eks-irsa-lab-{NS}-{sa}-role"
        return self.lab.role(
            name, trust if trust is not None else iam.irsa_trust(NS, sa),
            account=account, created=created or at("2026-04-08T15:52:00Z") + dt.timedelta(minutes=self.i),
            attached=[self.app_policy] if attached is None else attached,
            boundary=(BOUNDARY_ARN if account == ACCOUNT else BOUNDARY_ARN_B)
            if boundary == "default" else boundary,
            tags=iam.workload_tags(NS, sa) if tags is None else tags,
            last_used=last_used or ((at("2026-04-10T09:51:00Z")
                                     + dt.timedelta(seconds=37 * self.i), REGION)
                                    if used else None), **kw)

    def workload(self, sa, *, role=None, sa_annotations=None, applied_annotations=None,
                 mutate="irsa", crash=False, node="ng-hardened", containers=None,
                 pod=True, token_at=None, pod_kw=None, after_mutation=None, audience=None,
                 expiration=86400, regional=True):
        """The ServiceAccount and one Deployment pod using it."""
        self.i += 1
        ann = dict(sa_annotations or {})
        if role:
            ann["eks.amazonaws.com/role-arn"] = role
        sa_created = at("2026-04-08T16:05:00Z") + dt.timedelta(minutes=2 * self.i)
        applied = {"apiVersion": "v1", "kind": "ServiceAccount",
                   "metadata": {"name": sa, "namespace": NS}}
        manifest_ann = ann if applied_annotations is None else applied_annotations
        if manifest_ann:
            applied["metadata"]["annotations"] = manifest_ann
        self.lab.sas.append(k8s.service_account(NS, sa, sa_created, ann, None, applied))
        if not pod:
            return None
        owner, h = k8s.owner_replicaset(NS, sa)
        name = k8s.deployment_pod_name(sa, h)
        conts = containers or [container("app", AWS_CLI, command=CHECK_CMD)]

        def apply(meta, spec):
            if mutate == "irsa":
                k8s.irsa_mutate(spec, role, audience=audience or "sts.amazonaws.com",
                                expiration=expiration, regional=regional)
            elif mutate == "pi":
                k8s.pod_identity_mutate(meta, spec, expiration=81437 + 97 * self.i)
            elif callable(mutate):
                mutate(meta, spec)
            if after_mutation:
                after_mutation(meta, spec)

        kw = dict(pod_kw or {})
        labels = k8s.labels_for(sa, h, extra=kw.pop("extra_labels", None))
        created = at("2026-04-09T07:10:00Z") + dt.timedelta(minutes=self.i, seconds=13)
        p = k8s.pod(NS, name, sa, self.nodes[node], conts, created=created,
                    owner=owner, labels=labels, crash_loop=crash, mutate=apply, **kw)
        if token_at == "at-start":  # the first token kubelet mounted, never refreshed since
            token_at = created + dt.timedelta(seconds=4)
        self.lab.add_pod(p, token_at=token_at,
                         audience=audience or "sts.amazonaws.com", expiration=expiration)
        return p

    def association(self, sa, role, **kw):
        self.lab.associations.append(aws.association(
            NS, sa, role, at("2026-04-08T16:30:00Z") + dt.timedelta(minutes=self.i),
            tags=iam.workload_tags(NS, sa), **kw))


def broken_lab(lab, nodes):
    b = Broken(lab, nodes)

    # IRSA001: the role lives in account B, which has no OIDC provider for this cluster.
    sa = "cross-account-no-oidc-provider"
    b.workload(sa, crash=True, role=b.role(
        sa, iam.irsa_trust(NS, sa, account=ACCOUNT_B), account=ACCOUNT_B,
        attached=[f"arn:aws:iam::{ACCOUNT_B}:policy/accountb-s3-read-policy"], used=False))

    # IRSA002: custom audience, trusted by the role but not in the provider's ClientIDList.
    sa = "custom-audience-not-in-provider"
    b.workload(sa, crash=True, audience="irsa-lab-internal",
               sa_annotations={"eks.amazonaws.com/audience": "irsa-lab-internal"},
               role=b.role(sa, iam.irsa_trust(NS, sa, aud="irsa-lab-internal"), used=False))

    # IRSA004: trust copied from the cluster's previous incarnation (another issuer id).
    sa = "stale-oidc-provider"
    b.workload(sa, crash=True, role=b.role(
        sa, iam.irsa_trust(NS, sa, issuer_host=host(OLD_CLUSTER_ID)),
        created=at("2025-11-03T10:12:40Z"), last_used=(at("2026-03-12T18:20:55Z"), REGION)))

    # IRSA005: :aud condition with a typo.
    sa = "aud-condition-typo"
    b.workload(sa, crash=True, role=b.role(sa, iam.irsa_trust(NS, sa, aud="sts.amazon.com"),
                                           used=False))

    # IRSA006: the annotated role does not exist (never created, or deleted).
    sa = "role-does-not-exist"
    b.workload(sa, crash=True, role=role_arn(f"eks-irsa-lab-{NS}-{sa}-role"))

    # IRSA007: malformed role ARN (a colon lost: `iam:<account>` instead of `iam::<account>`).
    sa = "malformed-role-arn"
    b.workload(sa, crash=True, role=f"arn:aws:iam:{ACCOUNT}:role/eks-irsa-lab-{NS}-{sa}-role")

    # IRSA008: an explicit Deny (a quarantine statement) applies to this SA.
    sa = "explicit-deny"
    b.workload(sa, crash=True, role=b.role(sa, iam.irsa_trust(NS, sa, extra=[{
        "Sid": "QuarantineIncident4711", "Effect": "Deny",
        "Principal": {"Federated": PROVIDER_ARN},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{ISSUER_HOST}:sub": f"system:serviceaccount:{NS}:{sa}"}}}]),
        used=False))

    # IRSA009: the trust allows sts:AssumeRole, not sts:AssumeRoleWithWebIdentity.
    sa = "wrong-trust-action"
    b.workload(sa, crash=True, role=b.role(sa, iam.irsa_trust(NS, sa, action="sts:AssumeRole"),
                                           used=False))

    # POD001: SA annotated (kubectl annotate) after the pod was created: pod not mutated.
    sa = "annotated-after-pod"
    b.workload(sa, crash=True, mutate=None, applied_annotations={},
               role=b.role(sa, used=False))

    # POD002: the SA now names a new role; the pod still runs with the old (deleted) one.
    sa = "role-changed-after-pod"
    new_role = b.role(sa, used=False)
    b.workload(sa, crash=True, role=new_role, mutate=lambda m, s: k8s.irsa_mutate(
        s, role_arn(f"eks-irsa-lab-{NS}-{sa}-v1-role")))

    # POD003: a sidecar injected by another webhook after the pod-identity-webhook ran.
    sa = "sidecar-added-later"
    b.workload(sa, role=b.role(sa), after_mutation=lambda m, s: s["containers"].append(
        k8s.container("log-forwarder", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5",
                      env=[env("AWS_REGION", REGION)],
                      mounts=[s["containers"][0]["volumeMounts"][0]])))

    # POD004: static access keys in env (literal in the app, from a Secret in the init container).
    sa = "static-keys"
    b.workload(sa, mutate=None, containers=[k8s.container(
        "app", AWS_CLI, command=CHECK_CMD,
        env=[env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
             env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
             env("AWS_DEFAULT_REGION", REGION)])],
        pod_kw={"init_containers": [k8s.container(
            "migrate", AWS_CLI, command=["aws", "s3", "ls", "s3://irsa-lab-broken-lab/"],
            env=[env_secret("AWS_ACCESS_KEY_ID", "legacy-aws-credentials", "access-key-id"),
                 env_secret("AWS_SECRET_ACCESS_KEY", "legacy-aws-credentials",
                            "secret-access-key")])]})

    # POD005: both an IRSA annotation and a Pod Identity association (Pod Identity wins).
    sa = "irsa-and-pod-identity"
    both = iam.irsa_trust(NS, sa)
    both["Statement"].append(iam.pod_identity_trust()["Statement"][0])
    role = b.role(sa, both)
    b.workload(sa, role=role, mutate="pi")
    b.association(sa, role)

    # POD006: non-root container, no pod fsGroup: the token file may be unreadable.
    sa = "non-root-no-fsgroup"
    b.workload(sa, role=b.role(sa), containers=[k8s.container(
        "app", AWS_CLI, command=CHECK_CMD,
        security={"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 10001})])

    # POD007: Pod Identity for a pod on Fargate (no Pod Identity Agent there).
    sa = "pod-identity-on-fargate"
    role = b.role(sa, iam.pod_identity_trust(), used=False)
    b.workload(sa, mutate="pi", crash=True, node="fargate", pod_kw={
        "extra_labels": {"compute": "fargate", "eks.amazonaws.com/fargate-profile": "fp-broken"},
        "annotations": {"CapacityProvisioned": "0.25vCPU 0.5GB",
                        "Logging": "LoggingDisabled: LOGGING_CONFIGMAP_NOT_FOUND"},
        "scheduler": "fargate-scheduler"})
    b.association(sa, role)

    # POD008: token-expiration below the 600 s minimum (the webhook clamps it to 600).
    sa = "short-token-expiration"
    b.workload(sa, role=b.role(sa), expiration=600,
               sa_annotations={"eks.amazonaws.com/token-expiration": "300"})

    # POD009: the mounted token is the one from the pod's start, 26 h ago: kubelet did not
    # refresh it at 80 % of its lifetime and it has expired.
    sa = "stale-token"
    b.workload(sa, role=b.role(sa), token_at="at-start")

    # POD010: regional STS endpoints disabled by the SA annotation.
    sa = "no-regional-sts"
    b.workload(sa, role=b.role(sa), regional=False,
               sa_annotations={"eks.amazonaws.com/sts-regional-endpoints": "false"})

    # NODE002: no identity at all, on the IMDSv1 node: lands on the node role.
    b.workload("node-role-fallback", mutate=None, node="ng-legacy", containers=[
        k8s.container("app", AWS_CLI, command=["sh", "-c",
                      "aws s3 ls s3://irsa-lab-legacy-reports/ && exec sleep infinity"])])

    # NODE003: hostNetwork pod (with IRSA, so only the hostNetwork path is at issue).
    sa = "host-network-agent"
    b.workload(sa, role=b.role(sa), pod_kw={"host_network": True}, containers=[k8s.container(
        "agent", AWS_CLI, command=CHECK_CMD,
        ports=[{"containerPort": 9100, "hostPort": 9100, "name": "metrics", "protocol": "TCP"}])])

    # AUD001: wildcard :sub (any SA of namespace broken).
    sa = "wildcard-sub"
    b.workload(sa, role=b.role(sa, iam.irsa_trust(
        NS, sa, sub_op="StringLike", subs=f"system:serviceaccount:{NS}:*")))

    # AUD002: no :sub condition at all.
    sa = "no-sub-condition"
    b.workload(sa, role=b.role(sa, iam.irsa_trust(NS, sa, with_sub=False)))

    # AUD003: no :aud condition.
    sa = "no-aud-condition"
    b.workload(sa, role=b.role(sa, iam.irsa_trust(NS, sa, with_aud=False)))

    # AUD004: one role for two ServiceAccounts (trust admits both).
    shared = b.role("shared-role-a", iam.irsa_trust(NS, "shared-role-a", subs=[
        f"system:serviceaccount:{NS}:shared-role-a", f"system:serviceaccount:{NS}:shared-role-b"]),
        tags=iam.workload_tags(NS, "shared-role"))
    b.workload("shared-role-a", role=shared)
    b.workload("shared-role-b", role=shared)

    # AUD005: the trust also admits payments/payments-api, which does not exist (dangling) …
    sa = "dangling-subject"
    b.workload(sa, role=b.role(sa, iam.irsa_trust(NS, sa, subs=[
        f"system:serviceaccount:{NS}:{sa}", "system:serviceaccount:payments:payments-api"])))
    # … and a role trusting this cluster that no ServiceAccount uses (orphan).
    lab.role("eks-irsa-lab-reporting-exporter-role", iam.irsa_trust("reporting", "exporter"),
             created=at("2026-03-18T10:02:11Z"), attached=[b.app_policy], boundary=BOUNDARY_ARN,
             tags=iam.workload_tags("reporting", "exporter"),
             last_used=(at("2026-03-29T17:45:09Z"), REGION))

    # AUD006: no permissions boundary.
    sa = "no-permissions-boundary"
    b.workload(sa, role=b.role(sa, boundary=None))

    # AUD007: none of the tags cluster/namespace/app/managed-by.
    sa = "missing-role-tags"
    b.workload(sa, role=b.role(sa, tags={"owner": "alice", "cost-center": "platform"}))

    # AUD009: may sts:AssumeRole into account B, whose role has no sts:ExternalId condition.
    sa = "cross-account-no-external-id"
    b.workload(sa, role=b.role(sa, inline={"assume-accountb-legacy-exporter": doc(allow(
        "sts:AssumeRole", f"arn:aws:iam::{ACCOUNT_B}:role/accountb-legacy-exporter"))}))

    # AUD010: AdministratorAccess attached (the boundary caps it, the finding stays).
    admin = lab.policy("AdministratorAccess", doc(allow("*", "*")),
                       at("2015-02-06T18:39:46Z"), aws_managed=True)
    sa = "admin-access"
    b.workload(sa, role=b.role(sa, attached=[b.app_policy, admin]))

    # AUD011: last used 200 days before the capture; its Deployment is scaled to zero.
    sa = "unused-200-days"
    b.workload(sa, pod=False, role=b.role(sa, created=at("2025-06-11T09:30:00Z"),
                                          last_used=(at("2025-09-22T08:41:17Z"), REGION)))

    # AUD012: a multi-cluster trust policy near IAM's 2048-character limit.
    sa = "trust-near-size-limit"
    trust = iam.irsa_trust(NS, sa, sid="IrsaLab")
    for cluster, cid in OTHER_CLUSTERS:
        trust["Statement"].append(iam.irsa_trust(
            NS, sa, issuer_host=host(cid), sid="".join(w.capitalize() for w in cluster.split("-"))
        )["Statement"][0])
    size = len(__import__("json").dumps(trust, separators=(",", ":")))
    assert 1843 <= size < 2048, f"AUD012 trust is {size} characters"
    b.workload(sa, role=b.role(sa, trust))

    # AUD013: Pod Identity role whose trust lacks sts:TagSession.
    sa = "pod-identity-no-tagsession"
    role = b.role(sa, iam.pod_identity_trust(actions=("sts:AssumeRole",)), used=False)
    b.workload(sa, mutate="pi", crash=True)
    b.association(sa, role)

    # IRSA010: a near-miss key — `role_arn` with an underscore. The webhook reads only
    # `eks.amazonaws.com/role-arn`, so the pod is not mutated and, on the hardened node (no
    # IMDS), finds no credentials at all.
    sa = "role-arn-underscore"
    role = b.role(sa, used=False)
    b.workload(sa, mutate=None, crash=True,
               sa_annotations={"eks.amazonaws.com/role_arn": role})

    # IRSA011: the role ARN annotated on the pod (via the Deployment's pod template) instead of
    # its ServiceAccount: the webhook reads it from the ServiceAccount only.
    sa = "role-arn-on-pod"
    role = b.role(sa, used=False)
    b.workload(sa, mutate=None, crash=True,
               pod_kw={"annotations": {"eks.amazonaws.com/role-arn": role}})

    # IRSA012: `token-expiration: "1h"` — the webhook reads whole seconds only and ignores the
    # annotation, so the pod gets 24-hour tokens instead of the hour that was meant.
    sa = "token-expiration-unit"
    b.workload(sa, role=b.role(sa),
               sa_annotations={"eks.amazonaws.com/token-expiration": "1h"})


def account_b(lab, s3_role):
    """Account B (the guide's data-lake account): the roles account A's roles may assume."""
    created = at("2026-04-10T09:36:00Z")
    read = lab.policy("accountb-s3-read-policy", doc(allow(
        ["s3:GetObject", "s3:ListBucket"],
        ["arn:aws:s3:::accountb-data-bucket", "arn:aws:s3:::accountb-data-bucket/*"])),
        created, account=ACCOUNT_B)
    lab.policy("accountb-workload-boundary", doc(
        allow(["s3:*", "sts:AssumeRole"], "*", sid="DataLakeServices"),
        deny(["iam:*", "organizations:*"], "*", sid="NoIam")),
        at("2025-01-14T12:00:00Z"), account=ACCOUNT_B)
    lab.role("accountb-data-reader", {"Version": iam.V, "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": s3_role}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "irsa-lab-accountb-shared-id"}}}]},
        account=ACCOUNT_B, created=created + dt.timedelta(minutes=1), attached=[read],
        boundary=BOUNDARY_ARN_B, tags={"managed-by": "aws-cli", "app": "data-lake"},
        last_used=(at("2026-04-10T09:58:40Z"), REGION))
    export = lab.policy("accountb-legacy-export-policy", doc(allow(
        ["s3:GetObject", "s3:ListBucket"],
        ["arn:aws:s3:::accountb-exports", "arn:aws:s3:::accountb-exports/*"])),
        at("2024-10-02T08:00:00Z"), account=ACCOUNT_B)
    lab.role("accountb-legacy-exporter", {"Version": iam.V, "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": role_arn(f"eks-irsa-lab-{NS}-cross-account-no-external-id-role")},
        "Action": "sts:AssumeRole"}]},
        account=ACCOUNT_B, created=at("2024-10-02T08:01:00Z"), attached=[export],
        boundary=BOUNDARY_ARN_B, tags={"managed-by": "click-ops", "app": "exports"},
        last_used=(at("2026-04-10T06:00:12Z"), REGION))


def providers():
    """Account A's OIDC providers (this cluster and its siblings) and account B's."""
    a = [aws.oidc_provider(ISSUER_HOST, created=at("2026-03-16T08:19:05Z"),
                           tags={"alpha.eksctl.io/cluster-name": "irsa-lab",
                                 "alpha.eksctl.io/eksctl-version": "0.225.0"})]
    for cluster, cid in OTHER_CLUSTERS:
        a.append(aws.oidc_provider(host(cid), created=at("2026-02-02T10:00:00Z"),
                                   tags={"alpha.eksctl.io/cluster-name": cluster}))
    b = [aws.oidc_provider(host(DATALAKE_CLUSTER_ID), account=ACCOUNT_B,
                           created=at("2025-01-14T12:30:00Z"),
                           tags={"alpha.eksctl.io/cluster-name": "datalake-prod"})]
    return a, b
