"""Builders for real-looking Kubernetes JSON (as `kubectl get … -o json` prints it), and the
exact mutations the amazon-eks-pod-identity-webhook applies (IRSA and EKS Pod Identity)."""

import copy
import datetime as dt
import json

from common import (CLUSTER, REGION, RV, at, digest, k8s_time, suffix, uid)

IRSA_MOUNT = "/var/run/secrets/eks.amazonaws.com/serviceaccount"
PI_MOUNT = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"
PI_URI = "http://169.254.170.23/v1/credentials"


def last_applied(obj):
    """The `kubectl.kubernetes.io/last-applied-configuration` annotation of `kubectl apply`."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"


def service_account(ns, name, created, annotations=None, labels=None, applied=None):
    """A ServiceAccount. `applied` is the manifest `kubectl apply` saw (adds last-applied)."""
    meta = {"creationTimestamp": k8s_time(created), "name": name, "namespace": ns,
            "resourceVersion": RV.next(), "uid": uid("sa", ns, name)}
    ann = dict(annotations or {})
    if applied is not None:
        ann["kubectl.kubernetes.io/last-applied-configuration"] = last_applied(applied)
    if ann:
        meta["annotations"] = dict(sorted(ann.items()))
    if labels:
        meta["labels"] = dict(sorted(labels.items()))
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": dict(sorted(meta.items()))}


def container(name, image, *, command=None, args=None, env=None, ports=None,
              security=None, mounts=None, resources=None, restart_policy=None):
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent"}
    if command:
        c["command"] = command
    if args:
        c["args"] = args
    if env:
        c["env"] = env
    if ports:
        c["ports"] = ports
    c["resources"] = resources or {}
    if security:
        c["securityContext"] = security
    if restart_policy:
        c["restartPolicy"] = restart_policy
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "File"
    c["volumeMounts"] = list(mounts or [])
    return c


def env(name, value):
    return {"name": name, "value": value}


def env_field(name, path):
    return {"name": name, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": path}}}


def env_secret(name, secret, key):
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def kube_api_access(pod_key):
    """The projected volume the ServiceAccount admission plugin adds to every pod."""
    name = f"kube-api-access-{suffix('kaa', pod_key)}"
    volume = {"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
        {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                    "path": "namespace"}]}},
    ]}}
    mount = {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": name,
             "readOnly": True}
    return volume, mount


def _add_env(c, items):
    present = {e["name"] for e in c.get("env", [])}
    c.setdefault("env", [])
    for e in items:
        if e["name"] not in present:
            c["env"].append(e)


def _webhook_env_prefix(c, regional, region):
    names = {e["name"] for e in c.get("env", [])}
    out = []
    if regional and "AWS_STS_REGIONAL_ENDPOINTS" not in names:
        out.append(env("AWS_STS_REGIONAL_ENDPOINTS", "regional"))
    if region and not ({"AWS_REGION", "AWS_DEFAULT_REGION"} & names):
        out += [env("AWS_DEFAULT_REGION", region), env("AWS_REGION", region)]
    return out


def irsa_mutate(spec, role_arn, *, audience="sts.amazonaws.com", expiration=86400,
                regional=True, region=REGION, skip=()):
    """What the webhook does at CREATE for an SA with a role-arn (v0.6.x, EKS flags)."""
    spec["volumes"].append({"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"audience": audience, "expirationSeconds": expiration,
                                 "path": "token"}}]}})
    for c in spec.get("initContainers", []) + spec["containers"]:
        if c["name"] in skip:
            continue
        items = _webhook_env_prefix(c, regional, region)
        items += [env("AWS_ROLE_ARN", role_arn),
                  env("AWS_WEB_IDENTITY_TOKEN_FILE", f"{IRSA_MOUNT}/token")]
        _add_env(c, items)
        c["volumeMounts"].append({"mountPath": IRSA_MOUNT, "name": "aws-iam-token",
                                  "readOnly": True})


def pod_identity_mutate(meta, spec, *, expiration, regional=True, region=REGION):
    """What the webhook does at CREATE for an SA with an EKS Pod Identity association."""
    meta.setdefault("labels", {})["eks.amazonaws.com/pod-identity"] = "enabled"
    spec["volumes"].append({"name": "eks-pod-identity-token", "projected": {
        "defaultMode": 420, "sources": [{"serviceAccountToken": {
            "audience": "pods.eks.amazonaws.com", "expirationSeconds": expiration,
            "path": "eks-pod-identity-token"}}]}})
    for c in spec.get("initContainers", []) + spec["containers"]:
        items = _webhook_env_prefix(c, regional, region)
        items += [env("AWS_CONTAINER_CREDENTIALS_FULL_URI", PI_URI),
                  env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                      f"{PI_MOUNT}/eks-pod-identity-token")]
        _add_env(c, items)
        c["volumeMounts"].append({"mountPath": PI_MOUNT, "name": "eks-pod-identity-token",
                                  "readOnly": True})


def normalized_image(image):
    """How containerd reports an image: with its registry (`docker.io/library/nginx:1.27`)."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first):
        return image
    return f"docker.io/{image}" if "/" in image else f"docker.io/library/{image}"


def _container_status(c, started, node, crash_loop, key):
    image = normalized_image(c["image"])
    repo = image.rsplit(":", 1)[0]
    st = {"containerID": "containerd://" + digest("cid", key, c["name"]),
          "image": image,
          "imageID": f"{repo}@sha256:" + digest("img", image),
          "lastState": {}, "name": c["name"], "ready": not crash_loop,
          "restartCount": 0, "started": not crash_loop,
          "state": {"running": {"startedAt": k8s_time(started)}}}
    if crash_loop:
        st["restartCount"] = 23
        st["lastState"] = {"terminated": {
            "containerID": "containerd://" + digest("cid-old", key, c["name"]), "exitCode": 254,
            "finishedAt": k8s_time(started + dt.timedelta(minutes=40, seconds=9)),
            "reason": "Error", "startedAt": k8s_time(started + dt.timedelta(minutes=40, seconds=7))}}
        st["state"] = {"waiting": {
            "message": f"back-off 5m0s restarting failed container={c['name']} pod={key.split('/')[1]}_{key.split('/')[0]}({uid('pod', key)})",
            "reason": "CrashLoopBackOff"}}
    return st


def pod(ns, name, sa, node, containers, *, created, owner=None, labels=None,
        annotations=None, init_containers=None, volumes=None, host_network=False,
        pod_security=None, node_selector=None, priority_class=None, crash_loop=False,
        scheduler="default-scheduler", tolerations=None, mutate=None, pod_ip=None):
    """A scheduled, running pod. `owner` = (kind, name, uid). `mutate(meta, spec)` applies the
    webhook's patch; it runs before the status is derived, as admission runs before scheduling."""
    key = f"{ns}/{name}"
    meta = {"creationTimestamp": k8s_time(created), "name": name, "namespace": ns,
            "resourceVersion": RV.next(), "uid": uid("pod", key)}
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    if owner:
        kind, oname, ouid = owner
        meta["generateName"] = name[: len(name) - 5]
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "blockOwnerDeletion": True,
                                    "controller": True, "kind": kind, "name": oname,
                                    "uid": ouid}]
    vol, mount = kube_api_access(key)
    containers = copy.deepcopy(containers)
    init_containers = copy.deepcopy(init_containers or [])
    for c in init_containers + containers:
        c["volumeMounts"].append(mount)
    spec = {}
    if init_containers:
        spec["initContainers"] = init_containers
    spec["containers"] = containers
    spec["volumes"] = list(volumes or []) + [vol]
    if mutate:
        mutate(meta, spec)
    spec.update({
        "dnsPolicy": "ClusterFirstWithHostNet" if host_network else "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": node["metadata"]["name"],
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 2000001000 if priority_class == "system-node-critical"
        else 2000000000 if priority_class == "system-cluster-critical" else 0,
        "restartPolicy": "Always",
        "schedulerName": scheduler,
        "securityContext": pod_security or {},
        "serviceAccount": sa,
        "serviceAccountName": sa,
        "terminationGracePeriodSeconds": 30,
        "tolerations": tolerations or [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
             "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
             "tolerationSeconds": 300}],
    })
    if host_network:
        spec["hostNetwork"] = True
    if node_selector:
        spec["nodeSelector"] = node_selector
    if priority_class:
        spec["priorityClassName"] = priority_class
    spec = dict(sorted(spec.items()))
    host_ip = node["status"]["addresses"][0]["address"]
    ip = host_ip if host_network else (pod_ip or _pod_ip(host_ip, key))
    started = created + dt.timedelta(seconds=4)
    ready_at = created + dt.timedelta(seconds=9)
    conditions = [
        {"lastProbeTime": None, "lastTransitionTime": k8s_time(ready_at),
         "status": "True", "type": "PodReadyToStartContainers"},
        {"lastProbeTime": None, "lastTransitionTime": k8s_time(started),
         "status": "True", "type": "Initialized"},
        {"lastProbeTime": None, "lastTransitionTime": k8s_time(ready_at),
         "status": "False" if crash_loop else "True", "type": "Ready"},
        {"lastProbeTime": None, "lastTransitionTime": k8s_time(ready_at),
         "status": "False" if crash_loop else "True", "type": "ContainersReady"},
        {"lastProbeTime": None, "lastTransitionTime": k8s_time(created + dt.timedelta(seconds=1)),
         "status": "True", "type": "PodScheduled"},
    ]
    if crash_loop:
        for cond in conditions[2:4]:
            cond["message"] = "containers with unready status: [" + " ".join(
                c["name"] for c in containers) + "]"
            cond["reason"] = "ContainersNotReady"
    status = {
        "conditions": conditions,
        "containerStatuses": [_container_status(c, started, node, crash_loop, key)
                              for c in containers],
        "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
    }
    if init_containers:
        status["initContainerStatuses"] = [
            {**_container_status(c, started, node, False, key),
             **({} if c.get("restartPolicy") == "Always" else {
                 "ready": True, "started": False,
                 "state": {"terminated": {"containerID": "containerd://" + digest("init", key, c["name"]),
                                          "exitCode": 0, "finishedAt": k8s_time(started),
                                          "reason": "Completed", "startedAt": k8s_time(created + dt.timedelta(seconds=3))}}})}
            for c in init_containers]
    status.update({"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                   "qosClass": "Burstable" if any(c["resources"] for c in containers) else "BestEffort",
                   "startTime": k8s_time(created + dt.timedelta(seconds=1))})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": dict(sorted(meta.items())),
            "spec": spec, "status": status}


def _pod_ip(host_ip, key):
    a, b, c, _ = host_ip.split(".")
    n = int(digest("ip", key, n=4), 16)
    return f"{a}.{b}.{c}.{100 + n % 150}"


def owner_replicaset(ns, deployment, key_hash=None):
    """(kind, name, uid) of the ReplicaSet a Deployment created, and its pod-template-hash."""
    h = key_hash or suffix("rs", ns, deployment, n=10)
    name = f"{deployment}-{h}"
    return ("ReplicaSet", name, uid("rs", ns, name)), h


def owner_daemonset(ns, name):
    return ("DaemonSet", name, uid("ds", ns, name))


def node(name, *, provider_id, created, labels, internal_ip, instance_type="t3.medium",
         taints=None, fargate=False, annotations=None):
    capacity = ({"cpu": "2", "ephemeral-storage": "30787492Ki", "hugepages-1Gi": "0",
                 "hugepages-2Mi": "0", "memory": "3919532Ki", "pods": "17"}
                if not fargate else
                {"cpu": "2", "ephemeral-storage": "30787492Ki", "memory": "3977448Ki", "pods": "1"})
    allocatable = dict(capacity, cpu="1930m", memory="3364524Ki") if not fargate else dict(capacity)
    hb = at("2026-04-10T09:58:41Z")
    conds = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ]
    meta = {"annotations": annotations or {
        "alpha.kubernetes.io/provided-node-ip": internal_ip,
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        "creationTimestamp": k8s_time(created), "labels": dict(sorted(labels.items())),
        "name": name, "resourceVersion": RV.next(), "uid": uid("node", name)}
    spec = {"providerID": provider_id}
    if taints:
        spec["taints"] = taints
    kubelet = "v1.33.8-eks-3cfe0ce" if not fargate else "v1.33.8-eks-3025e55"
    return {"apiVersion": "v1", "kind": "Node", "metadata": meta, "spec": spec, "status": {
        "addresses": [{"address": internal_ip, "type": "InternalIP"},
                      {"address": name, "type": "InternalDNS"},
                      {"address": name, "type": "Hostname"}],
        "allocatable": allocatable, "capacity": capacity,
        "conditions": [{"lastHeartbeatTime": k8s_time(hb), "lastTransitionTime":
                        k8s_time(created + dt.timedelta(seconds=(40 if t == "Ready" else 2))),
                        "message": m, "reason": r, "status": s, "type": t}
                       for (t, s, r, m) in conds],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {
            "architecture": "amd64", "bootID": uid("boot", name),
            "containerRuntimeVersion": "containerd://1.7.27" if fargate else "containerd://2.1.4",
            "kernelVersion": "5.10.240-238.955.amzn2.x86_64" if fargate else "6.12.46-66.121.amzn2023.x86_64",
            "kubeProxyVersion": "", "kubeletVersion": kubelet,
            "machineID": digest("machine", name, n=32), "operatingSystem": "linux",
            "osImage": "Amazon Linux 2" if fargate else "Amazon Linux 2023.9.20260331",
            "systemUUID": "ec2" + digest("sys", name, n=5) + "-" + uid("sysuuid", name)[9:]},
    }}


def deployment_pod_name(deployment, rs_hash, *key):
    return f"{deployment}-{rs_hash}-{suffix('pod', deployment, rs_hash, *key)}"


def labels_for(app, rs_hash=None, extra=None):
    out = {"app": app}
    if rs_hash:
        out["pod-template-hash"] = rs_hash
    out.update(extra or {})
    return dict(sorted(out.items()))


def cluster_label():
    return {"alpha.eksctl.io/cluster-name": CLUSTER}
