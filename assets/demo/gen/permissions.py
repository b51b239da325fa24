"""The demo's inputs of the permission evaluator (`can-i`): resource policies and SCPs.

- `resource-policies.json`: the bucket policy of `my-app-bucket` (`aws s3api
  get-bucket-policy --bucket my-app-bucket`): the s3-reader role may read, and every request
  without TLS is denied (`aws:SecureTransport` is a request-time key: `can-i` lists it).
- `organizations-scps.json`: the account's organisation path (root, OU `workloads`, the
  account), each level with `FullAWSAccess` as AWS attaches it, and on the OU a guardrail that
  denies deleting buckets or changing their policies — `can-i s3:DeleteBucket …` answers
  explicit-deny by that SCP whatever the role allows.
- The KMS key of the bucket (`aws kms get-key-policy --key-id KEY --policy-name default`):
  its policy names only the key administrator and does not delegate to IAM
  (no `arn:aws:iam::123456789012:root` statement), so the tf-s3-reader role's grant of
  `kms:Decrypt` on it counts for nothing.
"""

import json
import os

from common import ACCOUNT, APP_BUCKET_KEY, role_arn, write_json

FULL_ACCESS = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def resource_policies():
    bucket = {"Version": "2012-10-17", "Statement": [
        {"Sid": "S3ReaderRole", "Effect": "Allow",
         "Principal": {"AWS": role_arn("eks-irsa-lab-demo-s3-reader-role")},
         "Action": ["s3:GetObject", "s3:ListBucket"],
         "Resource": ["arn:aws:s3:::my-app-bucket", "arn:aws:s3:::my-app-bucket/*"]},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::my-app-bucket", "arn:aws:s3:::my-app-bucket/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
    # The key policy as a console "key administrators only" key has it: its administrator may
    # manage and use it, and there is no `arn:aws:iam::ACCOUNT:root` statement, so IAM
    # policies that grant kms:* on it have no effect.
    key = {"Version": "2012-10-17", "Id": "key-consolepolicy-3", "Statement": [
        {"Sid": "Allow access for Key Administrators", "Effect": "Allow",
         "Principal": {"AWS": role_arn("irsa-lab-platform-admin")},
         "Action": "kms:*", "Resource": "*"}]}
    # `get-bucket-policy` and `get-key-policy` return the document as a JSON string.
    return {"ResourcePolicies": [
        {"Arn": "arn:aws:s3:::my-app-bucket", "Account": ACCOUNT,
         "Policy": json.dumps(bucket, separators=(",", ":"))},
        {"Arn": APP_BUCKET_KEY, "Account": ACCOUNT,
         "Policy": json.dumps(key, separators=(",", ":"))}]}


def scps():
    protect = {"Version": "2012-10-17", "Statement": [
        {"Sid": "ProtectBuckets", "Effect": "Deny",
         "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
         "Resource": "*"}]}
    full = {"Name": "FullAWSAccess", "Content": FULL_ACCESS}
    return {"Levels": [
        {"Target": "Root r-a1b2", "Policies": [full]},
        {"Target": "OU ou-a1b2-workloads", "Policies": [
            full, {"Name": "protect-buckets", "Content": protect}]},
        {"Target": f"Account {ACCOUNT}", "Policies": [full]}]}


def write(out):
    write_json(os.path.join(out, "resource-policies.json"), resource_policies())
    write_json(os.path.join(out, "organizations-scps.json"), scps())
