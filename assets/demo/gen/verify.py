#!/usr/bin/env python3
"""Self-check of the demo lab: a deliberately simple model of the triggers in CHECKS-SPEC.md,
run over the generated files. It asserts that every finding code fires on the object designed
for it, and prints every firing so cascades are visible. It is a test of the *data*, not the
product: the Rust checks are the real implementation.

Run: `python3 assets/demo/gen/verify.py` (after generate.py). `--markdown` prints the table.
"""

import datetime as dt
import fnmatch
import json
import os
import re
import sys
from collections import defaultdict

DEMO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "eks.amazonaws.com"

# code → the object designed to trigger it (README.md's table)
DESIGNED = {
    "IRSA001": "sa broken/cross-account-no-oidc-provider",
    "IRSA002": "sa broken/custom-audience-not-in-provider",
    "IRSA003": "sa demo2/s3-reader",
    "IRSA004": "sa broken/stale-oidc-provider",
    "IRSA005": "sa broken/aud-condition-typo",
    "IRSA006": "sa broken/role-does-not-exist",
    "IRSA007": "sa broken/malformed-role-arn",
    "IRSA008": "sa broken/explicit-deny",
    "IRSA009": "sa broken/wrong-trust-action",
    "POD001": "pod broken/annotated-after-pod-",
    "POD002": "pod broken/role-changed-after-pod-",
    "POD003": "pod broken/sidecar-added-later-",
    "POD004": "pod broken/static-keys-",
    "POD005": "sa broken/irsa-and-pod-identity",
    "POD006": "pod broken/non-root-no-fsgroup-",
    "POD007": "pod broken/pod-identity-on-fargate-",
    "POD008": "pod broken/short-token-expiration-",
    "POD009": "pod broken/stale-token-",
    "POD010": "pod broken/no-regional-sts-",
    "NODE001": "node ip-192-168-45-67.eu-west-1.compute.internal",
    "NODE002": "pod broken/node-role-fallback-",
    "NODE003": "pod broken/host-network-agent-",
    "AUD001": "role eks-irsa-lab-broken-wildcard-sub-role",
    "AUD002": "role eks-irsa-lab-broken-no-sub-condition-role",
    "AUD003": "role eks-irsa-lab-broken-no-aud-condition-role",
    "AUD004": "role eks-irsa-lab-broken-shared-role-a-role",
    "AUD005": "role eks-irsa-lab-broken-dangling-subject-role",
    "AUD006": "role eks-irsa-lab-broken-no-permissions-boundary-role",
    "AUD007": "role eks-irsa-lab-broken-missing-role-tags-role",
    "AUD008": "sa kube-system/aws-node",
    "AUD009": "role eks-irsa-lab-broken-cross-account-no-external-id-role",
    "AUD010": "role eks-irsa-lab-broken-admin-access-role",
    "AUD011": "role eks-irsa-lab-broken-unused-200-days-role",
    "AUD012": "role eks-irsa-lab-broken-trust-near-size-limit-role",
    "AUD013": "sa broken/pod-identity-no-tagsession",
}
ALL = list(DESIGNED)
ARN_RE = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role/([\w+=,.@/-]+/)?[\w+=,.@-]+$")
READ_PREFIXES = ("Describe", "Get", "List", "BatchGet", "BatchCheck")


def load(name):
    with open(os.path.join(DEMO, name)) as f:
        return json.load(f)


def as_list(v):
    return v if isinstance(v, list) else [v]


def acct(arn):
    return arn.split(":")[4] if arn.count(":") >= 5 else None


class Demo:
    def __init__(self):
        kube = load("kubernetes.json")["items"]
        self.sas = {(i["metadata"]["namespace"], i["metadata"]["name"]): i
                    for i in kube if i["kind"] == "ServiceAccount"}
        self.pods = [i for i in kube if i["kind"] == "Pod"]
        self.nodes = {i["metadata"]["name"]: i for i in kube if i["kind"] == "Node"}
        self.roles = {}
        for f in sorted(os.listdir(DEMO)):
            if f.startswith("iam-authorization-details"):
                d = load(f)
                pol = {p["Arn"]: p for p in d["Policies"]}
                for r in d["RoleDetailList"]:
                    r["_policies"] = [next(v["Document"] for v in pol[a["PolicyArn"]]["PolicyVersionList"]
                                           if v["IsDefaultVersion"]) for a in r["AttachedManagedPolicies"]]
                    r["_attached"] = [a["PolicyArn"] for a in r["AttachedManagedPolicies"]]
                    r["_policies"] += [p["PolicyDocument"] for p in r["RolePolicyList"]]
                    self.roles[r["Arn"]] = r
        self.providers = []
        for f in sorted(os.listdir(DEMO)):
            if f.startswith("iam-oidc-providers"):
                self.providers += load(f)["OpenIDConnectProviders"]
        self.cluster = load("eks-cluster.json")["cluster"]
        self.issuer = self.cluster["identity"]["oidc"]["issuer"]
        self.host = self.issuer.removeprefix("https://")
        self.account = acct(self.cluster["arn"])
        self.assoc = {(a["namespace"], a["serviceAccount"]): a
                      for a in load("eks-pod-identity-associations.json")["associations"]}
        self.instances = {i["InstanceId"]: i for r in load("ec2-instances.json")["Reservations"]
                          for i in r["Instances"]}
        self.now = dt.datetime.fromisoformat(load("snapshot.json")["capturedAt"].replace("Z", "+00:00"))
        self.findings = defaultdict(set)

    def fire(self, code, subject):
        self.findings[code].add(subject)


def ann(obj, key):
    return (obj["metadata"].get("annotations") or {}).get(f"{PREFIX}/{key}")


def cond_match(op, expected, actual):
    if actual is None:
        return op.endswith("IfExists") or op.startswith("StringNot")
    base = op.removesuffix("IfExists")
    if base == "StringEquals":
        return actual in expected
    if base == "StringLike":
        return any(fnmatch.fnmatchcase(actual, e) for e in expected)
    if base == "StringNotEquals":
        return actual not in expected
    raise ValueError(op)


def evaluate(trust, provider_arn, host, sub, aud):
    """(decision, trace) for AssumeRoleWithWebIdentity, per IRSA.md §4 (enough for the lab)."""
    keys = {f"{host}:sub".lower(): sub, f"{host}:aud".lower(): aud}
    trace = []
    decision = "implicit"
    for st in as_list(trust["Statement"]):
        action_ok = any(fnmatch.fnmatchcase("sts:assumerolewithwebidentity", a.lower())
                        for a in as_list(st.get("Action", [])))
        fed = as_list((st.get("Principal") or {}).get("Federated", [])) \
            if isinstance(st.get("Principal"), dict) else []
        principal_ok = provider_arn in fed
        failed = []
        for op, block in (st.get("Condition") or {}).items():
            for key, values in block.items():
                if not cond_match(op, as_list(values), keys.get(key.lower())):
                    failed.append(key.rsplit(":", 1)[-1])
        applies = action_ok and principal_ok and not failed
        trace.append(dict(st=st, action_ok=action_ok, principal_ok=principal_ok,
                          fed=fed, failed=failed))
        if applies and st["Effect"] == "Deny":
            return "deny", trace
        if applies:
            decision = "allow"
    return decision, trace


def check(d):
    sa_roles = defaultdict(set)  # role ARN → the SAs using it (IRSA or Pod Identity)
    for (ns, name), sa in d.sas.items():
        subject = f"sa {ns}/{name}"
        arn = ann(sa, "role-arn")
        assoc = d.assoc.get((ns, name))
        if arn and assoc:
            d.fire("POD005", subject)
        if assoc:
            role = d.roles.get(assoc["roleArn"])
            sa_roles[assoc["roleArn"]].add((ns, name))
            ok = role and any(
                s["Effect"] == "Allow" and "pods.eks.amazonaws.com" in as_list((s.get("Principal") or {}).get("Service", []))
                and {"sts:assumerole", "sts:tagsession"} <= {a.lower() for a in as_list(s["Action"])}
                for s in as_list(role["AssumeRolePolicyDocument"]["Statement"]))
            if not ok:
                d.fire("AUD013", subject)
        if not arn:
            continue
        if not ARN_RE.match(arn):
            d.fire("IRSA007", subject)
            continue
        sa_roles[arn].add((ns, name))
        role_account = acct(arn)
        role = d.roles.get(arn)
        if role is None:
            if role_account == d.account:
                d.fire("IRSA006", subject)
            continue
        aud = ann(sa, "audience") or "sts.amazonaws.com"
        known_accounts = {acct(p["Arn"]) for p in d.providers} | {d.account}
        provider = next((p for p in d.providers if acct(p["Arn"]) == role_account
                         and p["Url"] == d.host), None)
        if role_account in known_accounts and provider is None:
            d.fire("IRSA001", subject)
        if provider and aud not in provider["ClientIDList"]:
            d.fire("IRSA002", subject)
        parn = f"arn:aws:iam::{role_account}:oidc-provider/{d.host}"
        decision, trace = evaluate(role["AssumeRolePolicyDocument"], parn, d.host,
                                   f"system:serviceaccount:{ns}:{name}", aud)
        if decision == "deny":
            d.fire("IRSA008", subject)
        elif decision == "implicit":
            matching = [t for t in trace if t["action_ok"]]
            if not matching:
                d.fire("IRSA009", subject)
            elif all(t["fed"] and not t["principal_ok"] for t in matching):
                d.fire("IRSA004", subject)
            else:
                if any("sub" in t["failed"] for t in matching):
                    d.fire("IRSA003", subject)
                if any("aud" in t["failed"] for t in matching):
                    d.fire("IRSA005", subject)
        role_name = arn.rsplit("/", 1)[1]
        if role_name != f"eks-irsa-lab-{ns}-{name}-role":
            d.fire("AUD008", subject)

    # Pods and nodes
    node_pods = defaultdict(int)
    for p in d.pods:
        ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
        subject = f"pod {ns}/{name}"
        spec = p["spec"]
        sa = d.sas[(ns, spec["serviceAccountName"])]
        arn = ann(sa, "role-arn")
        assoc = d.assoc.get((ns, spec["serviceAccountName"]))
        conts = spec.get("initContainers", []) + spec["containers"]
        envs = [{e["name"]: e for e in c.get("env", [])} for c in conts]
        vols = {v["name"] for v in spec["volumes"]}
        token_vol = vols & {"aws-iam-token", "eks-pod-identity-token"}
        mutated = bool(token_vol) or any("AWS_ROLE_ARN" in e or "AWS_CONTAINER_CREDENTIALS_FULL_URI" in e for e in envs)
        if ((arn and ARN_RE.match(arn)) or assoc) and not mutated:
            d.fire("POD001", subject)
        pod_arns = {e["AWS_ROLE_ARN"].get("value") for e in envs if "AWS_ROLE_ARN" in e}
        if pod_arns and pod_arns != {arn}:
            d.fire("POD002", subject)
        if mutated:
            for c, e in zip(conts, envs):
                mounts = {m["name"] for m in c.get("volumeMounts", [])}
                has_env = "AWS_ROLE_ARN" in e or "AWS_CONTAINER_CREDENTIALS_FULL_URI" in e
                if not has_env or not (mounts & token_vol):
                    d.fire("POD003", subject)
        for e in envs:
            if "AWS_ACCESS_KEY_ID" in e and "AWS_SECRET_ACCESS_KEY" in e:
                d.fire("POD004", subject)
        psec = spec.get("securityContext") or {}
        if token_vol and "fsGroup" not in psec:
            for c in conts:
                cs = c.get("securityContext") or {}
                user = cs.get("runAsUser", psec.get("runAsUser"))
                nonroot = cs.get("runAsNonRoot", psec.get("runAsNonRoot"))
                if (user not in (None, 0)) or nonroot:
                    d.fire("POD006", subject)
        node = d.nodes[spec["nodeName"]]
        fargate = node["metadata"]["labels"].get("eks.amazonaws.com/compute-type") == "fargate"
        windows = "windows" in (spec.get("nodeSelector") or {}).values()
        if assoc and (fargate or windows):
            d.fire("POD007", subject)
        for src in (p["metadata"].get("annotations") or {}), (sa["metadata"].get("annotations") or {}):
            exp = src.get(f"{PREFIX}/token-expiration")
            if exp is not None and exp.strip().isdigit() and int(exp) < 600:
                d.fire("POD008", subject)
        tok = os.path.join(DEMO, "tokens", f"{ns}.{name}.jwt")
        if os.path.exists(tok):
            import base64
            payload = open(tok).read().split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            now = d.now.timestamp()
            refresh = claims["iat"] + (claims["exp"] - claims["iat"]) * 0.8
            if now >= claims["exp"] or now >= refresh:
                d.fire("POD009", subject)
        if any("AWS_ROLE_ARN" in e for e in envs) and not all(
                e.get("AWS_STS_REGIONAL_ENDPOINTS", {}).get("value") == "regional"
                for e in envs if "AWS_ROLE_ARN" in e):
            d.fire("POD010", subject)
        iid = node["spec"]["providerID"].rsplit("/", 1)[-1]
        inst = d.instances.get(iid)
        if inst and not fargate:
            mo = inst["MetadataOptions"]
            enabled = mo["HttpEndpoint"] == "enabled"
            reachable = enabled and (spec.get("hostNetwork") or mo["HttpTokens"] == "optional"
                                     or mo["HttpPutResponseHopLimit"] >= 2)
            if spec.get("hostNetwork") and enabled:
                d.fire("NODE003", subject)
            for e in envs[len(spec.get("initContainers", [])):]:
                static = "AWS_ACCESS_KEY_ID" in e and "AWS_SECRET_ACCESS_KEY" in e
                web = "AWS_ROLE_ARN" in e and "AWS_WEB_IDENTITY_TOKEN_FILE" in e
                cc = "AWS_CONTAINER_CREDENTIALS_FULL_URI" in e
                if reachable and not (static or web or cc):
                    d.fire("NODE002", subject)
                    node_pods[node["metadata"]["name"]] += 1
    for name, node in d.nodes.items():
        inst = d.instances.get(node["spec"]["providerID"].rsplit("/", 1)[-1])
        if inst:
            mo = inst["MetadataOptions"]
            if mo["HttpEndpoint"] == "enabled" and (mo["HttpTokens"] == "optional" or mo["HttpPutResponseHopLimit"] >= 2):
                d.fire("NODE001", f"node {name}")

    # Audit
    our_provider = f"arn:aws:iam::{d.account}:oidc-provider/{d.host}"
    for arn, role in d.roles.items():
        subject = f"role {role['RoleName']}"
        trust = role["AssumeRolePolicyDocument"]
        statements = as_list(trust["Statement"])
        trusts_cluster = any(our_provider in as_list((s.get("Principal") or {}).get("Federated", []))
                             for s in statements if isinstance(s.get("Principal"), dict))
        used = arn in sa_roles
        in_scope = used or trusts_cluster
        for s in statements:
            fed = [f for f in as_list((s.get("Principal") or {}).get("Federated", []))
                   if ":oidc-provider/oidc.eks." in f] if isinstance(s.get("Principal"), dict) else []
            if not fed or s["Effect"] != "Allow" or not any(
                    fnmatch.fnmatchcase("sts:assumerolewithwebidentity", a.lower()) for a in as_list(s["Action"])):
                continue
            keys = {(op, k.rsplit(":", 1)[-1]): v for op, b in (s.get("Condition") or {}).items() for k, v in b.items()}
            if any(op.startswith("StringLike") and k == "sub" and any(c in x for x in as_list(v) for c in "*?")
                   for (op, k), v in keys.items()):
                d.fire("AUD001", subject)
            if not any(k == "sub" for _, k in keys):
                d.fire("AUD002", subject)
            if not any(k == "aud" for _, k in keys):
                d.fire("AUD003", subject)
            if our_provider in fed:
                for (op, k), v in keys.items():
                    if k == "sub" and op.startswith("StringEquals"):
                        for sub in as_list(v):
                            _, _, ns, name = sub.split(":")
                            if (ns, name) not in d.sas:
                                d.fire("AUD005", subject)
        if trusts_cluster and not used:
            d.fire("AUD005", subject)
        if len(sa_roles.get(arn, ())) > 1:
            d.fire("AUD004", subject)
        if in_scope:
            if "PermissionsBoundary" not in role:
                d.fire("AUD006", subject)
            tags = {t["Key"] for t in role["Tags"]}
            if not {"cluster", "namespace", "app", "managed-by"} <= tags:
                d.fire("AUD007", subject)
        for doc in role["_policies"]:
            for s in as_list(doc["Statement"]):
                if s["Effect"] != "Allow":
                    continue
                for a in as_list(s["Action"]):
                    if a.lower() in ("sts:assumerole", "sts:*") or a == "*":
                        for r in as_list(s["Resource"]):
                            if r.startswith("arn:aws:iam::") and acct(r) not in (d.account, acct(arn)):
                                target = d.roles.get(r)
                                if target is None or not any(
                                        "sts:ExternalId" in json.dumps(ts.get("Condition", {}))
                                        for ts in as_list(target["AssumeRolePolicyDocument"]["Statement"])):
                                    d.fire("AUD009", subject)
                writes = [a for a in as_list(s["Action"])
                          if a == "*" or not a.split(":", 1)[-1].startswith(READ_PREFIXES)]
                if "*" in as_list(s["Action"]) or (writes and "*" in as_list(s.get("Resource", []))):
                    d.fire("AUD010", subject + ("" if in_scope else " (out of scope)"))
        if any(a.endswith(":policy/AdministratorAccess") for a in role["_attached"]):
            d.fire("AUD010", subject)
        last = role["RoleLastUsed"].get("LastUsedDate")
        created = dt.datetime.fromisoformat(role["CreateDate"])
        if in_scope and ((last and (d.now - dt.datetime.fromisoformat(last)).days >= 90)
                         or (not last and (d.now - created).days > 90)):
            d.fire("AUD011", subject)
        size = len(json.dumps(trust, separators=(",", ":")))
        if size >= 1843:
            d.fire("AUD012", f"{subject} ({size} chars)")


def main():
    d = Demo()
    check(d)
    ok = True
    for code in ALL:
        hits = sorted(d.findings.get(code, ()))
        designed = DESIGNED[code]
        hit = any(h.startswith(designed) for h in hits)
        ok &= hit
        extra = [h for h in hits if not h.startswith(designed)]
        mark = "ok " if hit else "MISSING"
        print(f"{code:8} {mark} {designed}" + (f"\n           also: {', '.join(extra)}" if extra else ""))
    if not ok:
        sys.exit("some codes do not fire on their designed object")


if __name__ == "__main__":
    main()
