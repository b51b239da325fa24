//! [`InventoryIndex`]: the joins every check needs, built once from an [`Inventory`] in linear
//! time (hash maps keyed by borrowed strings), so that 5,000 ServiceAccounts and 50,000 pods are
//! analysed without any O(n²) scan. It also answers the three-valued questions of the spec:
//! a role is *known*, *missing* or *unknown*; a node's instance and instance role are known or
//! unknown with a reason.

use super::policy::{self, PolicyDocument, PolicyError};
use crate::analysis::hash::HashMap;
use crate::model::{
    Ec2Instance, Inventory, NodeInfo, ObservedToken, OidcProvider, PodIdentityAssociation, PodInfo,
    RoleInfo, ServiceAccountInfo, SourceKind, WebhookSettings,
};
use std::sync::OnceLock;

mod node;
pub use node::{
    AUTO_MODE_COMPUTE_TYPE, AgentPresence, COMPUTE_TYPE_LABEL, POD_IDENTITY_AGENT,
    instance_id_from_provider_id, is_auto_mode, is_fargate, is_pod_identity_agent,
};

/// Namespace → name → value: two-level so lookups borrow the query strings only briefly.
type ByNsName<'a, V> = HashMap<&'a str, HashMap<&'a str, V>>;

fn insert_nsname<'m, 'a, V: Default>(
    map: &'m mut ByNsName<'a, V>,
    ns: &'a str,
    name: &'a str,
) -> &'m mut V {
    map.entry(ns).or_default().entry(name).or_default()
}

fn get_nsname<'m, 'a, V>(map: &'m ByNsName<'a, V>, ns: &str, name: &str) -> Option<&'m V> {
    map.get(ns).and_then(|m| m.get(name))
}

/// Whether a role exists, as far as the inventory can tell (CHECKS-SPEC.md "known/missing").
#[derive(Debug, Clone, PartialEq)]
pub enum RoleStatus<'a> {
    Known(&'a RoleInfo),
    /// The role list of the role's own account is loaded and does not contain it.
    Missing,
    /// Cannot tell: the reason, one line.
    Unknown(String),
}

/// The webhook's annotation keys under its prefix, computed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationKeys {
    pub role_arn: String,
    pub audience: String,
    pub token_expiration: String,
    pub sts_regional_endpoints: String,
    pub skip_containers: String,
}

/// Lookups over one inventory. Borrowed from it; cheap to build (linear).
#[derive(Debug)]
pub struct InventoryIndex<'a> {
    pub inventory: &'a Inventory,
    /// The webhook settings in force (the inventory's, else EKS's for the cluster's region).
    pub settings: WebhookSettings,
    /// The annotation keys of `settings.annotation_prefix`.
    pub keys: AnnotationKeys,
    service_accounts: ByNsName<'a, Option<&'a ServiceAccountInfo>>,
    pods_by_sa: ByNsName<'a, Vec<&'a PodInfo>>,
    pods_by_node: HashMap<&'a str, Vec<&'a PodInfo>>,
    nodes: HashMap<&'a str, &'a NodeInfo>,
    roles: Option<HashMap<&'a str, &'a RoleInfo>>,
    roles_by_profile: HashMap<&'a str, &'a RoleInfo>,
    roles_by_profile_name: HashMap<&'a str, &'a RoleInfo>,
    providers_by_url: HashMap<String, Vec<&'a OidcProvider>>,
    associations: ByNsName<'a, Vec<&'a PodIdentityAssociation>>,
    instances: Option<HashMap<&'a str, &'a Ec2Instance>>,
    tokens_by_pod: ByNsName<'a, Vec<&'a ObservedToken>>,
    sas_by_role_arn: HashMap<&'a str, Vec<&'a ServiceAccountInfo>>,
    trust: HashMap<&'a str, OnceLock<Result<PolicyDocument, PolicyError>>>,
    /// (pods in kube-system, Pod Identity agent pods among them).
    kube_system: (usize, usize),
}

/// The IAM provider url form of an issuer: no scheme, no trailing slash.
pub fn issuer_host(issuer: &str) -> &str {
    issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .unwrap_or(issuer)
        .trim_end_matches('/')
}

fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl<'a> InventoryIndex<'a> {
    /// Builds every lookup in one pass over each collection.
    pub fn new(inventory: &'a Inventory) -> Self {
        let settings = inventory.webhook.clone().unwrap_or_else(|| {
            WebhookSettings::eks(inventory.cluster.as_ref().and_then(|c| c.region.as_deref()))
        });
        let key = |suffix: &str| format!("{}/{suffix}", settings.annotation_prefix);
        let keys = AnnotationKeys {
            role_arn: key("role-arn"),
            audience: key("audience"),
            token_expiration: key("token-expiration"),
            sts_regional_endpoints: key("sts-regional-endpoints"),
            skip_containers: key("skip-containers"),
        };

        let mut service_accounts: ByNsName<Option<&ServiceAccountInfo>> = HashMap::default();
        let mut sas_by_role_arn: HashMap<&str, Vec<&ServiceAccountInfo>> = HashMap::default();
        for sa in &inventory.service_accounts {
            *insert_nsname(&mut service_accounts, &sa.namespace, &sa.name) = Some(sa);
            if let Some(arn) = sa.annotations.get(&keys.role_arn).map(|v| v.trim())
                && !arn.is_empty()
            {
                sas_by_role_arn.entry(arn).or_default().push(sa);
            }
        }
        let mut pods_by_sa: ByNsName<Vec<&PodInfo>> = HashMap::default();
        let mut pods_by_node: HashMap<&str, Vec<&PodInfo>> = HashMap::default();
        let mut kube_system = (0, 0);
        for pod in &inventory.pods {
            if &*pod.namespace == "kube-system" {
                kube_system.0 += 1;
                kube_system.1 += usize::from(node::is_pod_identity_agent(pod));
            }
            insert_nsname(&mut pods_by_sa, &pod.namespace, &pod.service_account).push(pod);
            if let Some(node) = pod.node_name.as_deref() {
                pods_by_node.entry(node).or_default().push(pod);
            }
        }
        let nodes = inventory
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n))
            .collect();
        let mut roles_by_profile = HashMap::default();
        let mut roles_by_profile_name = HashMap::default();
        let mut trust = HashMap::default();
        let roles = inventory.roles.as_ref().map(|roles| {
            let mut map = HashMap::with_capacity_and_hasher(roles.len(), Default::default());
            for role in roles {
                map.insert(role.arn.as_str(), role);
                trust.insert(role.arn.as_str(), OnceLock::new());
                for profile in &role.instance_profiles {
                    roles_by_profile.insert(profile.as_str(), role);
                    roles_by_profile_name.insert(last_segment(profile), role);
                }
            }
            map
        });
        let mut providers_by_url: HashMap<String, Vec<&OidcProvider>> = HashMap::default();
        for p in inventory.oidc_providers.iter().flatten() {
            providers_by_url
                .entry(issuer_host(&p.url).to_owned())
                .or_default()
                .push(p);
        }
        let mut associations: ByNsName<Vec<&PodIdentityAssociation>> = HashMap::default();
        for a in inventory.pod_identity_associations.iter().flatten() {
            insert_nsname(&mut associations, &a.namespace, &a.service_account).push(a);
        }
        let instances = inventory.instances.as_ref().map(|list| {
            list.iter()
                .map(|i| (i.instance_id.as_str(), i))
                .collect::<HashMap<_, _>>()
        });
        let mut tokens_by_pod: ByNsName<Vec<&ObservedToken>> = HashMap::default();
        for t in &inventory.tokens {
            insert_nsname(&mut tokens_by_pod, &t.namespace, &t.pod).push(t);
        }
        Self {
            inventory,
            settings,
            keys,
            service_accounts,
            pods_by_sa,
            pods_by_node,
            nodes,
            roles,
            roles_by_profile,
            roles_by_profile_name,
            providers_by_url,
            associations,
            instances,
            tokens_by_pod,
            sas_by_role_arn,
            trust,
            kube_system,
        }
    }

    /// (pods listed in kube-system, Pod Identity agent pods among them).
    pub fn kube_system_census(&self) -> (usize, usize) {
        self.kube_system
    }

    /// `<prefix>/<suffix>`, e.g. `eks.amazonaws.com/role-arn` with the webhook's prefix.
    pub fn annotation_key(&self, suffix: &str) -> String {
        format!("{}/{}", self.settings.annotation_prefix, suffix)
    }

    /// The cluster issuer (with scheme), when known.
    pub fn issuer(&self) -> Option<&'a str> {
        self.inventory.issuer()
    }

    /// The cluster's AWS account, when known.
    pub fn account(&self) -> Option<&'a str> {
        self.inventory.account()
    }

    /// The cluster name, when known.
    pub fn cluster_name(&self) -> Option<&'a str> {
        self.inventory.cluster.as_ref().map(|c| c.name.as_str())
    }

    /// A ServiceAccount by namespace and name.
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&'a ServiceAccountInfo> {
        get_nsname(&self.service_accounts, namespace, name)
            .copied()
            .flatten()
    }

    /// Pods that run as the ServiceAccount `namespace/name`.
    pub fn pods_of(&self, namespace: &str, name: &str) -> &[&'a PodInfo] {
        get_nsname(&self.pods_by_sa, namespace, name).map_or(&[], Vec::as_slice)
    }

    /// Pods scheduled on a node.
    pub fn pods_on(&self, node: &str) -> &[&'a PodInfo] {
        self.pods_by_node.get(node).map_or(&[], Vec::as_slice)
    }

    /// A node by name.
    pub fn node(&self, name: &str) -> Option<&'a NodeInfo> {
        self.nodes.get(name).copied()
    }

    /// ServiceAccounts whose role-arn annotation (trimmed) is exactly `arn`.
    pub fn service_accounts_annotated_with(&self, arn: &str) -> &[&'a ServiceAccountInfo] {
        self.sas_by_role_arn.get(arn).map_or(&[], Vec::as_slice)
    }

    /// True when the role list is loaded.
    pub fn roles_known(&self) -> bool {
        self.roles.is_some()
    }

    /// A loaded role by exact ARN.
    pub fn role(&self, arn: &str) -> Option<&'a RoleInfo> {
        self.roles.as_ref().and_then(|r| r.get(arn).copied())
    }

    /// Known / missing / unknown, per CHECKS-SPEC.md: *missing* only when the role list is
    /// loaded without problems and the role's account is the inventory's account.
    pub fn role_status(&self, arn: &str) -> RoleStatus<'a> {
        let Some(roles) = &self.roles else {
            return RoleStatus::Unknown("IAM roles not loaded".to_owned());
        };
        if let Some(role) = roles.get(arn) {
            return RoleStatus::Known(role);
        }
        let role_account = crate::model::arn_account(arn);
        match (role_account, self.account()) {
            (Some(ra), Some(ours)) if ra == ours => {
                if self
                    .inventory
                    .problems_for(SourceKind::IamRoles)
                    .next()
                    .is_some()
                {
                    RoleStatus::Unknown(format!(
                        "{arn} not in the IAM role list, but the list is incomplete"
                    ))
                } else {
                    RoleStatus::Missing
                }
            }
            (Some(ra), Some(ours)) => RoleStatus::Unknown(format!(
                "role in account {ra}, roles loaded only for account {ours}"
            )),
            _ => RoleStatus::Unknown("the cluster's AWS account is unknown".to_owned()),
        }
    }

    /// Loaded role names of one account (for "did you mean" suggestions).
    pub fn role_names_in<'s>(
        &'s self,
        account: &'s str,
    ) -> impl Iterator<Item = &'a RoleInfo> + 's {
        self.roles
            .iter()
            .flat_map(|m| m.values().copied())
            .filter(move |r| r.account() == Some(account))
    }

    /// All loaded roles (unordered).
    pub fn roles(&self) -> impl Iterator<Item = &'a RoleInfo> + '_ {
        self.roles.iter().flat_map(|m| m.values().copied())
    }

    /// The role's parsed trust policy, parsed at most once; `None` when the document is unknown.
    pub fn trust_policy(&self, role: &RoleInfo) -> Option<&Result<PolicyDocument, PolicyError>> {
        let raw = role.trust_policy.as_ref()?;
        let cell = self.trust.get(role.arn.as_str())?;
        Some(cell.get_or_init(|| policy::parse(raw)))
    }

    /// True when the OIDC provider list is loaded.
    pub fn providers_known(&self) -> bool {
        self.inventory.oidc_providers.is_some()
    }

    /// Providers whose url equals the issuer (scheme and trailing slash ignored).
    pub fn providers_for_issuer(&self, issuer: &str) -> &[&'a OidcProvider] {
        self.providers_by_url
            .get(issuer_host(issuer))
            .map_or(&[], Vec::as_slice)
    }

    /// All loaded providers.
    pub fn providers(&self) -> impl Iterator<Item = &'a OidcProvider> + '_ {
        self.inventory.oidc_providers.iter().flatten()
    }

    /// True when Pod Identity associations are loaded.
    pub fn associations_known(&self) -> bool {
        self.inventory.pod_identity_associations.is_some()
    }

    /// True when the cluster is known to be IPv6 (`Some(false)`: known IPv4; `None`: unknown).
    pub fn cluster_ipv6(&self) -> Option<bool> {
        self.inventory.cluster.as_ref().and_then(|c| c.ipv6())
    }

    /// What EKS injects for Pod Identity on this cluster (the agent's address by IP family).
    pub fn pod_identity_config(&self) -> crate::analysis::webhook::PodIdentityConfig {
        crate::analysis::webhook::PodIdentityConfig::eks_for(self.cluster_ipv6())
    }

    /// Pod Identity associations of a ServiceAccount.
    pub fn associations_of(&self, namespace: &str, name: &str) -> &[&'a PodIdentityAssociation] {
        get_nsname(&self.associations, namespace, name).map_or(&[], Vec::as_slice)
    }

    /// An EC2 instance by id; `None` also when instances are not loaded.
    pub fn instance(&self, id: &str) -> Option<&'a Ec2Instance> {
        self.instances.as_ref().and_then(|m| m.get(id).copied())
    }

    /// Tokens read from a pod.
    pub fn tokens_of(&self, namespace: &str, pod: &str) -> &[&'a ObservedToken] {
        get_nsname(&self.tokens_by_pod, namespace, pod).map_or(&[], Vec::as_slice)
    }

    /// The role behind an instance profile ARN (exact, else by profile name).
    pub fn role_for_instance_profile(&self, profile_arn: &str) -> Option<&'a RoleInfo> {
        self.roles_by_profile
            .get(profile_arn)
            .or_else(|| self.roles_by_profile_name.get(last_segment(profile_arn)))
            .copied()
    }
}

#[cfg(test)]
mod tests;
