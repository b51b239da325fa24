//! Everything the live Kubernetes source reads for an audit (and for the UI's view), as data:
//! API group, resource, verbs, and the one namespace or object a read is narrowed to. It is
//! the RBAC a ServiceAccount running `irsa-inspector audit` in the cluster needs —
//! `deploy/kustomize/base/` grants exactly this (`tests/deploy_manifests.rs` compares), and
//! SECURITY.md "What is read" lists it for people.
//!
//! The tests below read this folder's sources, so a new read cannot go unlisted: each entry's
//! call is in its file, and every `Api` list, get or watch those files make is an entry's.
//! (The UI's opt-in token mint and exec-read, `token.rs`, and `snapshot save`, `save.rs`, are
//! not part of the audit and are not listed.)

use irsa_core::model::WEBHOOK_CONFIG_MAP;

use super::facts::WEBHOOK_CONFIG_MAP_NAMESPACE;

/// One kind of read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubeRead {
    /// The API group (`""` for the core group); empty for a non-resource URL.
    pub group: &'static str,
    /// The resource (plural), or a non-resource URL (starting with `/`).
    pub resource: &'static str,
    pub verbs: &'static [&'static str],
    /// Only in this namespace (a `Role` there), else in every namespace (a `ClusterRole`).
    pub namespace: Option<&'static str>,
    /// Only this object (`resourceNames`), else any.
    pub name: Option<&'static str>,
    /// The file of `src/sources/kube/` that reads it, and the code that does.
    pub file: &'static str,
    pub call: &'static str,
}

/// The reads of the live Kubernetes source.
pub const READS: &[KubeRead] = &[
    KubeRead {
        group: "",
        resource: "serviceaccounts",
        verbs: &["list", "watch"],
        namespace: None,
        name: None,
        file: "mod.rs",
        call: "watch::spawn::<ServiceAccountInfo>(",
    },
    KubeRead {
        group: "",
        resource: "pods",
        verbs: &["list", "watch"],
        namespace: None,
        name: None,
        file: "mod.rs",
        call: "watch::spawn::<PodInfo>(",
    },
    KubeRead {
        group: "",
        resource: "nodes",
        verbs: &["list", "watch"],
        namespace: None,
        name: None,
        file: "mod.rs",
        call: "watch::spawn::<NodeInfo>(",
    },
    // Narrowed by a field selector to `facts::WEBHOOK_DEPLOYMENT`, which RBAC cannot express
    // for a list: the grant is any Deployment.
    KubeRead {
        group: "apps",
        resource: "deployments",
        verbs: &["list"],
        namespace: None,
        name: None,
        file: "facts.rs",
        call: "deployments.list(",
    },
    KubeRead {
        group: "admissionregistration.k8s.io",
        resource: "mutatingwebhookconfigurations",
        verbs: &["list"],
        namespace: None,
        name: None,
        file: "facts.rs",
        call: "configurations.list(",
    },
    KubeRead {
        group: "",
        resource: "configmaps",
        verbs: &["get"],
        namespace: Some(WEBHOOK_CONFIG_MAP_NAMESPACE),
        name: Some(WEBHOOK_CONFIG_MAP),
        file: "facts.rs",
        call: "config_maps.get_opt(",
    },
    KubeRead {
        group: "",
        resource: "/.well-known/openid-configuration",
        verbs: &["get"],
        namespace: None,
        name: None,
        file: "facts.rs",
        call: "http::Request::get(\"/.well-known/openid-configuration\")",
    },
    KubeRead {
        group: "",
        resource: "/version",
        verbs: &["get"],
        namespace: None,
        name: None,
        file: "mod.rs",
        call: ".apiserver_version()",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(file: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("src/sources/kube")
            .join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        // Only the code, not its tests.
        text.split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn each_read_is_made_where_it_says() {
        for read in READS {
            assert!(
                source(read.file).contains(read.call),
                "{}: no `{}` in {}",
                read.resource,
                read.call,
                read.file
            );
        }
    }

    /// Lines of the audit's files that look like a request but are not one of their own:
    /// (file, fragment, why).
    const NOT_READS: &[(&str, &str, &str)] = &[
        ("mod.rs", "statuses.get(w)", "a map in memory"),
        ("facts.rs", "doc.get(\"issuer\")", "the JSON already read"),
        (
            "facts.rs",
            ".request_text(request)",
            "sends the openid-configuration request",
        ),
        ("watch.rs", "s.get(&self.watched)", "a map in memory"),
        (
            "watch.rs",
            "api.watch(&params",
            "the reconnect probe: a watch of the resource the watcher was given",
        ),
    ];

    /// Every request the audit's files make is one of the entries: the watchers spawned, the
    /// `Api` calls, the raw requests.
    #[test]
    fn every_read_of_the_audit_files_is_listed() {
        for file in ["mod.rs", "facts.rs", "watch.rs"] {
            let text = source(file);
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                let requests = [
                    "watch::spawn::<",
                    ".list(",
                    ".get(",
                    ".get_opt(",
                    ".watch(",
                    "request_text(",
                    "apiserver_version(",
                ]
                .iter()
                .any(|p| line.contains(p));
                if !requests {
                    continue;
                }
                let listed = READS
                    .iter()
                    .any(|r| r.file == file && line.contains(r.call));
                let explained = NOT_READS
                    .iter()
                    .any(|(f, fragment, _)| *f == file && line.contains(fragment));
                assert!(
                    listed || explained,
                    "{file}: `{}` reads something kube::reads::READS does not list",
                    line.trim()
                );
            }
        }
    }

    #[test]
    fn reads_are_read_only() {
        for read in READS {
            for verb in read.verbs {
                assert!(["get", "list", "watch"].contains(verb), "{read:?}");
            }
        }
    }
}
