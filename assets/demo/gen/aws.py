"""Builders for the EKS, EC2, STS and OIDC-provider JSON of the AWS CLI, and for the fake
projected tokens of `tokens/`."""

import base64
import datetime as dt
import json

from common import (ACCOUNT, CLUSTER, CLUSTER_ARN, ISSUER, OIDC_ID, REGION, VPC_ID, cli_time,
                    cli_time_ms, digest, suffix, uid, upper_id)

FAKE_SIGNATURE = "fake-signature-not-a-real-token"
TOKEN_KID = "b37a0d5f4c8e6a2d91f3e7c5a4b6d8e0f2a1c3e5"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(*, audience, iat, expiration, namespace, sa, sa_uid, pod, pod_uid, node, node_uid):
    """A projected ServiceAccount token as kubelet mounts it (claims in the API server's
    order), signed with the ASCII text `fake-signature-not-a-real-token`."""
    header = {"alg": "RS256", "kid": TOKEN_KID}
    i = int(iat.timestamp())
    claims = {
        "aud": [audience], "exp": i + expiration, "iat": i, "iss": ISSUER,
        "jti": uid("jti", namespace, pod, str(i)),
        "kubernetes.io": {"namespace": namespace,
                          "node": {"name": node, "uid": node_uid},
                          "pod": {"name": pod, "uid": pod_uid},
                          "serviceaccount": {"name": sa, "uid": sa_uid}},
        "nbf": i, "sub": f"system:serviceaccount:{namespace}:{sa}",
    }
    compact = lambda v: json.dumps(v, separators=(",", ":")).encode()  # noqa: E731
    return ".".join([b64url(compact(header)), b64url(compact(claims)),
                     b64url(FAKE_SIGNATURE.encode())])


def oidc_provider(host, *, account=ACCOUNT, created, client_ids=("sts.amazonaws.com",),
                  tags=None):
    """`get-open-id-connect-provider` output plus the `Arn` the loop adds."""
    return {"Arn": f"arn:aws:iam::{account}:oidc-provider/{host}", "Url": host,
            "ClientIDList": list(client_ids),
            "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
            "CreateDate": cli_time(created),
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}


def eks_cluster(created):
    return {"cluster": {
        "name": CLUSTER, "arn": CLUSTER_ARN, "createdAt": cli_time_ms(created),
        "version": "1.33",
        "endpoint": f"https://{OIDC_ID}.gr7.{REGION}.eks.amazonaws.com",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/eksctl-irsa-lab-cluster-ServiceRole-HUIGIC7K7JBH",
        "resourcesVpcConfig": {
            "subnetIds": ["subnet-0a1e7f2c3b4d5e6f7", "subnet-0b2f8a3d4c5e6f708",
                          "subnet-0c3a9b4e5d6f70819", "subnet-0d4b0c5f6e7081920",
                          "subnet-0e5c1d6a7f8192031", "subnet-0f6d2e7b809203142"],
            "securityGroupIds": ["sg-0a4c2e6f8b1d3a5c7"],
            "clusterSecurityGroupId": "sg-0f1e2d3c4b5a69788",
            "vpcId": VPC_ID, "endpointPublicAccess": True, "endpointPrivateAccess": False,
            "publicAccessCidrs": ["0.0.0.0/0"]},
        "kubernetesNetworkConfig": {"serviceIpv4Cidr": "10.100.0.0/16", "ipFamily": "ipv4",
                                    "elasticLoadBalancing": {"enabled": False}},
        "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator",
                                                  "controllerManager", "scheduler"],
                                        "enabled": False}]},
        "identity": {"oidc": {"issuer": ISSUER}},
        "status": "ACTIVE",
        "certificateAuthority": {"data": b64url(b"-----BEGIN CERTIFICATE-----\nnot a real CA: "
                                                b"irsa-inspector demo lab\n-----END CERTIFICATE-----\n")},
        "platformVersion": "eks.12",
        "tags": {"alpha.eksctl.io/cluster-name": CLUSTER,
                 "alpha.eksctl.io/cluster-oidc-enabled": "true",
                 "alpha.eksctl.io/eksctl-version": "0.225.0",
                 "eksctl.cluster.k8s.io/v1alpha1/cluster-name": CLUSTER},
        "health": {"issues": []},
        "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP"},
        "upgradePolicy": {"supportType": "STANDARD"},
        "deletionProtection": False,
    }}


def association_id(ns, sa):
    return "a-" + suffix("assoc", ns, sa, n=17).replace("2", "a").replace("4", "e")


def external_id(ns, sa):
    """The id EKS generates for an association with a target role (an opaque UUID here)."""
    return uid("external-id", ns, sa)


def association(ns, sa, role, created, tags=None, disable_session_tags=False, policy=None,
                target_role=None):
    aid = association_id(ns, sa)
    return {"clusterName": CLUSTER, "namespace": ns, "serviceAccount": sa, "roleArn": role,
            "associationArn": f"arn:aws:eks:{REGION}:{ACCOUNT}:podidentityassociation/{CLUSTER}/{aid}",
            "associationId": aid, "tags": tags or {},
            "createdAt": cli_time_ms(created), "modifiedAt": cli_time_ms(created),
            "disableSessionTags": disable_session_tags,
            **({"targetRoleArn": target_role, "externalId": external_id(ns, sa)}
               if target_role else {}),
            **({"policy": json.dumps(policy, separators=(",", ":"))} if policy else {})}


def instance(node_spec, profile_arn, launched):
    """One `Instances[]` entry of `describe-instances` for a node."""
    iid, az, ip, ng = (node_spec["instance_id"], node_spec["az"], node_spec["ip"],
                       node_spec["nodegroup"])
    dns = f"ip-{ip.replace('.', '-')}.{REGION}.compute.internal"
    subnet = {"eu-west-1a": "subnet-0a1e7f2c3b4d5e6f7", "eu-west-1b": "subnet-0b2f8a3d4c5e6f708",
              "eu-west-1c": "subnet-0c3a9b4e5d6f70819"}[az]
    eni = "eni-0" + digest("eni", iid, n=16)
    return {
        "AmiLaunchIndex": 0, "ImageId": "ami-0c5a8b4f2e1d3c7a9", "InstanceId": iid,
        "InstanceType": node_spec.get("instance_type", "t3.medium"),
        "LaunchTime": cli_time(launched),
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": az, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns, "PrivateIpAddress": ip, "ProductCodes": [],
        "PublicDnsName": "", "State": {"Code": 16, "Name": "running"},
        "StateTransitionReason": "", "SubnetId": subnet, "VpcId": VPC_ID,
        "Architecture": "x86_64",
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
            "AttachTime": cli_time(launched), "DeleteOnTermination": True,
            "Status": "attached", "VolumeId": "vol-0" + digest("vol", iid, n=16)}}],
        "ClientToken": "fleet-" + uid("fleet", iid), "EbsOptimized": False,
        "EnaSupport": True, "Hypervisor": "xen",
        "IamInstanceProfile": {"Arn": profile_arn, "Id": upper_id("AIPA", profile_arn)},
        "NetworkInterfaces": [{
            "Attachment": {"AttachTime": cli_time(launched), "AttachmentId": "eni-attach-0" + digest("att", iid, n=16),
                           "DeleteOnTermination": True, "DeviceIndex": 0, "Status": "attached",
                           "NetworkCardIndex": 0},
            "Description": "", "Groups": [{"GroupName": "eks-cluster-sg-irsa-lab-1937048361",
                                            "GroupId": "sg-0f1e2d3c4b5a69788"}],
            "Ipv6Addresses": [], "MacAddress": "0a:" + ":".join(digest("mac", iid)[i:i + 2] for i in range(0, 10, 2)),
            "NetworkInterfaceId": eni, "OwnerId": ACCOUNT, "PrivateDnsName": dns,
            "PrivateIpAddress": ip,
            "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": ip}],
            "SourceDestCheck": True, "Status": "in-use", "SubnetId": subnet, "VpcId": VPC_ID,
            "InterfaceType": "interface"}],
        "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs",
        "SecurityGroups": [{"GroupName": "eks-cluster-sg-irsa-lab-1937048361",
                            "GroupId": "sg-0f1e2d3c4b5a69788"}],
        "SourceDestCheck": True,
        "Tags": node_spec.get("instance_tags") or [{"Key": k, "Value": v} for k, v in [
            ("eks:cluster-name", CLUSTER), ("eks:nodegroup-name", ng),
            ("kubernetes.io/cluster/irsa-lab", "owned"),
            ("k8s.io/cluster-autoscaler/irsa-lab", "owned"),
            ("k8s.io/cluster-autoscaler/enabled", "true"),
            ("alpha.eksctl.io/nodegroup-name", ng), ("alpha.eksctl.io/nodegroup-type", "managed"),
            ("aws:autoscaling:groupName", f"eks-{ng}-{uid('asg', ng)}"),
            ("aws:ec2launchtemplate:id", node_spec["launch_template"]),
            ("aws:ec2launchtemplate:version", "1"),
            ("Name", f"{CLUSTER}-{ng}-Node")]],
        "VirtualizationType": "hvm",
        "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
        "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
        "HibernationOptions": {"Configured": False},
        "MetadataOptions": {"State": "applied", "HttpTokens": node_spec["http_tokens"],
                            "HttpPutResponseHopLimit": node_spec["hop_limit"],
                            "HttpEndpoint": "enabled", "HttpProtocolIpv6": "disabled",
                            "InstanceMetadataTags": "disabled"},
        "EnclaveOptions": {"Enabled": False}, "BootMode": "uefi-preferred",
        "PlatformDetails": "Linux/UNIX", "UsageOperation": "RunInstances",
        "UsageOperationUpdateTime": cli_time(launched),
        "PrivateDnsNameOptions": {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": False,
                                  "EnableResourceNameDnsAAAARecord": False},
        "MaintenanceOptions": {"AutoRecovery": "default"},
        "CurrentInstanceBootMode": "legacy-bios",
    }


def reservation(inst, ng):
    return {"ReservationId": "r-0" + digest("res", inst["InstanceId"], n=16),
            "OwnerId": ACCOUNT, "RequesterId": "940372691376", "Groups": [],
            "Instances": [inst]}


def launched_before(t, minutes=1):
    return t - dt.timedelta(minutes=minutes)
