"""Constants and deterministic helpers shared by the demo-lab generator.

Everything is derived from names (uuid5, sha256), so regenerating gives byte-identical files.
"""

import datetime as dt
import hashlib
import json
import uuid

ACCOUNT = "123456789012"
ACCOUNT_B = "210987654321"  # the data-lake account of the guide's cross-account section
REGION = "eu-west-1"
CLUSTER = "irsa-lab"
OIDC_ID = "4656D0B75473F4BFF2CFD94B17FB9DEC"
ISSUER_HOST = f"oidc.eks.{REGION}.amazonaws.com/id/{OIDC_ID}"
ISSUER = f"https://{ISSUER_HOST}"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER_HOST}"
CLUSTER_ARN = f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}"
VPC_ID = "vpc-0eff978855e0677a0"  # from the guide
CAPTURED_AT = dt.datetime(2026, 4, 10, 10, 0, 0, tzinfo=dt.timezone.utc)

BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/irsa-lab-workload-boundary"
# The SSE-KMS key of my-app-bucket; its key policy does not delegate to IAM.
APP_BUCKET_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/5f0e2c41-9a7b-4d3e-8c21-7b6a0f9d2e18"
BOUNDARY_ARN_B = f"arn:aws:iam::{ACCOUNT_B}:policy/accountb-workload-boundary"

_NS = uuid.UUID("6f1c2b1e-3c39-4b0e-9d0f-2a8f6c1d7e55")

# The alphabet Kubernetes uses for generated name suffixes (no vowels, no 0/1/3).
_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"


def uid(*parts):
    """A stable UUID for an object, from its identifying names."""
    return str(uuid.uuid5(_NS, "/".join(parts)))


def digest(*parts, n=64):
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:n]


def suffix(*parts, n=5):
    """A Kubernetes-style random suffix (`mkttk`), stable per name."""
    h = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return "".join(_SUFFIX[b % len(_SUFFIX)] for b in h[:n])


def upper_id(prefix, *parts, n=16):
    """IAM-style unique ids (`AROA…`, `ANPA…`, `AIPA…`)."""
    h = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(alphabet[b % 32] for b in h[:n])


def at(text):
    """Parse `2026-04-10T09:30:15Z`."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def k8s_time(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cli_time(t):
    """How AWS CLI v2 prints IAM/EC2 timestamps."""
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def cli_time_ms(t):
    """How AWS CLI v2 prints EKS timestamps (microseconds, offset)."""
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


class ResourceVersions:
    """Monotonic resourceVersion values, as the API server hands them out."""

    def __init__(self, start=1840000):
        self.n = start

    def next(self):
        self.n += 137
        return str(self.n)


RV = ResourceVersions()


def write_json(path, value, sort_keys=False):
    """4-space indented JSON, as both kubectl and the AWS CLI print it. kubectl prints objects
    as maps, so their keys come out sorted; the AWS CLI keeps the service's order."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=4, ensure_ascii=False, sort_keys=sort_keys)
        f.write("\n")


def role_arn(name, account=ACCOUNT, path="/"):
    return f"arn:aws:iam::{account}:role{path}{name}"


def policy_arn(name, account=ACCOUNT):
    return f"arn:aws:iam::{account}:policy/{name}"
