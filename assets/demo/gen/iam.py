"""Builders for the JSON of `aws iam get-account-authorization-details` (CLI v2 prints policy
documents decoded, as JSON objects) and for trust policies."""

from common import (ACCOUNT, ISSUER_HOST, REGION, cli_time, policy_arn, role_arn, uid,
                    upper_id)

V = "2012-10-17"


def irsa_trust(ns, sa, *, subs=None, sub_op="StringEquals", aud="sts.amazonaws.com",
               with_sub=True, with_aud=True, account=ACCOUNT, issuer_host=ISSUER_HOST,
               action="sts:AssumeRoleWithWebIdentity", sid=None, extra=()):
    """The trust policy of the guide (one Federated statement with :sub and :aud)."""
    cond = {}
    if with_sub:
        value = subs if subs is not None else f"system:serviceaccount:{ns}:{sa}"
        cond.setdefault(sub_op, {})[f"{issuer_host}:sub"] = value
    if with_aud:
        cond.setdefault("StringEquals", {})[f"{issuer_host}:aud"] = aud
    st = {}
    if sid:
        st["Sid"] = sid
    st.update({"Effect": "Allow",
               "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{issuer_host}"},
               "Action": action})
    if cond:
        st["Condition"] = cond
    return {"Version": V, "Statement": [st, *extra]}


def eksctl_trust(ns, sa):
    """eksctl writes :aud first, then :sub, under one StringEquals."""
    return {"Version": V, "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER_HOST}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{ISSUER_HOST}:aud": "sts.amazonaws.com",
                                       f"{ISSUER_HOST}:sub": f"system:serviceaccount:{ns}:{sa}"}}}]}


def pod_identity_trust(actions=("sts:AssumeRole", "sts:TagSession")):
    """The trust EKS Pod Identity needs (AWS docs: both actions for pods.eks.amazonaws.com)."""
    return {"Version": V, "Statement": [{
        "Sid": "AllowEksAuthToAssumeRoleForPodIdentity", "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": list(actions) if len(actions) > 1 else actions[0]}]}


def service_trust(service, condition=None):
    st = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return {"Version": V, "Statement": [st]}


def doc(*statements):
    return {"Version": V, "Statement": list(statements)}


def allow(actions, resources, condition=None, sid=None):
    st = {}
    if sid:
        st["Sid"] = sid
    st.update({"Effect": "Allow", "Action": actions, "Resource": resources})
    if condition:
        st["Condition"] = condition
    return st


def deny(actions, resources, condition=None, sid=None):
    st = allow(actions, resources, condition, sid)
    st["Effect"] = "Deny"
    return st


def role(name, trust, *, created, account=ACCOUNT, path="/", attached=(), inline=None,
         boundary=None, tags=None, last_used=None, instance_profiles=()):
    """A `RoleDetail`. `last_used` = (datetime, region) or None for never used.
    `attached` = policy ARNs (names derived). `inline` = {name: document}."""
    arn = role_arn(name, account, path)
    r = {"Path": path, "RoleName": name, "RoleId": upper_id("AROA", arn), "Arn": arn,
         "CreateDate": cli_time(created), "AssumeRolePolicyDocument": trust,
         "InstanceProfileList": [instance_profile(p, name, arn, trust, created)
                                 for p in instance_profiles],
         "RolePolicyList": [{"PolicyName": k, "PolicyDocument": v}
                            for k, v in (inline or {}).items()],
         "AttachedManagedPolicies": [{"PolicyName": a.rsplit("/", 1)[1], "PolicyArn": a}
                                     for a in attached]}
    if boundary:
        r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                    "PermissionsBoundaryArn": boundary}
    r["Tags"] = [{"Key": k, "Value": v} for k, v in (tags or {}).items()]
    r["RoleLastUsed"] = ({} if last_used is None else
                         {"LastUsedDate": cli_time(last_used[0]), "Region": last_used[1]})
    return r


def instance_profile(name, role_name, arn, trust, created):
    account = arn.split(":")[4]
    ip_arn = f"arn:aws:iam::{account}:instance-profile/{name}"
    return {"Path": "/", "InstanceProfileName": name,
            "InstanceProfileId": upper_id("AIPA", ip_arn), "Arn": ip_arn,
            "CreateDate": cli_time(created),
            "Roles": [{"Path": "/", "RoleName": role_name, "RoleId": upper_id("AROA", arn),
                       "Arn": arn, "CreateDate": cli_time(created),
                       "AssumeRolePolicyDocument": trust}]}


def managed_policy(name, document, *, created, account=ACCOUNT, aws_managed=False,
                   attachments=1, boundary_uses=0, version="v1", description=None, path="/",
                   updated=None):
    arn = (f"arn:aws:iam::aws:policy{path}{name}" if aws_managed else policy_arn(name, account))
    p = {"PolicyName": name, "PolicyId": upper_id("ANPA", arn), "Arn": arn, "Path": path,
         "DefaultVersionId": version, "AttachmentCount": attachments,
         "PermissionsBoundaryUsageCount": boundary_uses, "IsAttachable": True}
    if description:
        p["Description"] = description
    p.update({"CreateDate": cli_time(created), "UpdateDate": cli_time(updated or created),
              "PolicyVersionList": [{"Document": document, "VersionId": version,
                                     "IsDefaultVersion": True,
                                     "CreateDate": cli_time(updated or created)}]})
    return p


def details(roles, policies, users=()):
    """The whole output; IAM lists entities sorted by name."""
    return {"UserDetailList": list(users), "GroupDetailList": [],
            "RoleDetailList": sorted(roles, key=lambda r: r["RoleName"].lower()),
            "Policies": sorted(policies, key=lambda p: p["PolicyName"].lower())}


def workload_tags(ns, app, managed_by="terraform", cluster="irsa-lab", extra=None):
    """The four tags of the guide's hardening checklist."""
    t = {"cluster": cluster, "namespace": ns, "app": app, "managed-by": managed_by}
    t.update(extra or {})
    return t


def eksctl_tags(ns, sa, stack):
    return {"alpha.eksctl.io/cluster-name": "irsa-lab",
            "alpha.eksctl.io/iamserviceaccount-name": f"{ns}/{sa}",
            "alpha.eksctl.io/eksctl-version": "0.225.0",
            "eksctl.cluster.k8s.io/v1alpha1/cluster-name": "irsa-lab",
            "aws:cloudformation:stack-name": stack,
            "aws:cloudformation:logical-id": "Role1",
            "aws:cloudformation:stack-id":
                f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack}/{uid('stack', stack)}"}
