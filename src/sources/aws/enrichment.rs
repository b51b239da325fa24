//! What the AWS source is asked for ([`EnrichRequest`], derived from what Kubernetes shows) and
//! what it answers ([`Enrichment`]: model types plus one status line per gap), merged into an
//! [`Inventory`] by the caller.

use super::config::cluster_name_from_context;
use irsa_core::model::{
    CallerIdentity, ClusterInfo, Ec2Instance, Inventory, OidcProvider, PodIdentityAssociation,
    RoleInfo, SourceKind, SourceProblem, WebhookSettings,
};
use std::collections::BTreeSet;

/// The AWS side to read for one cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrichRequest {
    /// The EKS cluster name (for `DescribeCluster` and Pod Identity).
    pub cluster_name: Option<String>,
    /// The issuer the API server announces, used when EKS cannot be asked.
    pub issuer: Option<String>,
    /// Role ARNs annotated on ServiceAccounts.
    pub role_arns: BTreeSet<String>,
    /// EC2 instance ids of the nodes.
    pub instance_ids: BTreeSet<String>,
}

impl EnrichRequest {
    /// What to read for the cluster an inventory shows: its role-arn annotations (with the
    /// webhook's annotation prefix), the nodes' instance ids (from `spec.providerID`), the
    /// cluster name (from EKS, else the kubeconfig context) and issuer.
    pub fn from_inventory(inv: &Inventory) -> Self {
        let prefix = inv
            .webhook
            .as_ref()
            .map_or("eks.amazonaws.com", |w| w.annotation_prefix.as_str());
        let key = format!("{prefix}/role-arn");
        let role_arns = inv
            .service_accounts
            .iter()
            .filter_map(|sa| sa.annotations.get(&key))
            .map(|arn| arn.trim().to_owned())
            .filter(|arn| !arn.is_empty())
            .collect();
        let instance_ids = inv
            .nodes
            .iter()
            .filter_map(|n| n.provider_id.as_deref())
            .filter_map(instance_id_of)
            .map(str::to_owned)
            .collect();
        let cluster_name = inv.cluster.as_ref().map(|c| c.name.clone()).or_else(|| {
            inv.context
                .as_deref()
                .and_then(cluster_name_from_context)
                .map(str::to_owned)
        });
        Self {
            cluster_name,
            issuer: inv.issuer().map(str::to_owned),
            role_arns,
            instance_ids,
        }
    }
}

/// The EC2 instance id of a node's `providerID` (`aws:///eu-west-1a/i-0abc…`); `None` for
/// Fargate and non-AWS nodes.
pub fn instance_id_of(provider_id: &str) -> Option<&str> {
    let id = provider_id.strip_prefix("aws://")?.rsplit('/').next()?;
    id.starts_with("i-").then_some(id)
}

/// The AWS side as read: `None` means unknown (with a problem saying why), as in [`Inventory`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Enrichment {
    pub caller: Option<CallerIdentity>,
    pub cluster: Option<ClusterInfo>,
    pub roles: Option<Vec<RoleInfo>>,
    pub oidc_providers: Option<Vec<OidcProvider>>,
    pub pod_identity_associations: Option<Vec<PodIdentityAssociation>>,
    pub instances: Option<Vec<Ec2Instance>>,
    /// Gaps that make a collection unknown or partial (`iam:GetRole denied — …`).
    pub problems: Vec<SourceProblem>,
    /// Facts about how the data was read that change nothing in the analysis (fast path
    /// denied so roles were read one by one; a cross-account role not readable).
    pub notes: Vec<String>,
    /// Set when AWS rejected the credentials during this read (expired session token, expired
    /// SSO session): the line says so and what to run. The live view then keeps the last
    /// answer read with good credentials ([`super::LastKnown`]).
    pub expired_credentials: Option<String>,
    /// True when a call failed in a way that may pass if asked again soon (timeout,
    /// throttling, unreadable answer, expired credentials): the live view asks again.
    pub retry_soon: bool,
}

/// The sources an enrichment owns in an inventory.
pub const AWS_SOURCES: [SourceKind; 7] = [
    SourceKind::IamRoles,
    SourceKind::OidcProviders,
    SourceKind::EksCluster,
    SourceKind::PodIdentity,
    SourceKind::Ec2Instances,
    SourceKind::CallerIdentity,
    SourceKind::OtherAccounts,
];

impl Enrichment {
    /// Adds a problem of `source`.
    pub fn problem(&mut self, source: SourceKind, message: String) {
        self.problems.push(SourceProblem { source, message });
    }

    /// The problem lines of one source.
    pub fn problems_for(&self, source: SourceKind) -> Vec<&str> {
        self.problems
            .iter()
            .filter(|p| p.source == source)
            .map(|p| p.message.as_str())
            .collect()
    }

    /// Replaces the AWS side of `inv` (and its AWS problems) with this answer. When the
    /// cluster is EKS and no webhook Deployment was seen, the webhook settings become EKS's.
    pub fn merge_into(self, inv: &mut Inventory) {
        inv.problems.retain(|p| !AWS_SOURCES.contains(&p.source));
        inv.problems.extend(self.problems);
        inv.caller = self.caller;
        if self.cluster.is_some() || inv.cluster.is_some() {
            inv.cluster = self.cluster.or(inv.cluster.take());
        }
        inv.roles = self.roles;
        inv.oidc_providers = self.oidc_providers;
        inv.pod_identity_associations = self.pod_identity_associations;
        inv.instances = self.instances;
        if let Some(line) = irsa_core::analysis::issuer::mismatch(inv) {
            inv.problems.push(SourceProblem {
                source: SourceKind::EksCluster,
                message: line,
            });
        }
        if inv.webhook.is_none()
            && let Some(cluster) = &inv.cluster
        {
            inv.webhook = Some(WebhookSettings::eks(cluster.region.as_deref()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use irsa_core::model::{NodeInfo, ServiceAccountInfo};

    #[test]
    fn request_names_annotated_roles_node_instances_and_the_cluster() {
        let mut inv = Inventory {
            context: Some("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab".to_owned()),
            ..Inventory::default()
        };
        let mut sa = ServiceAccountInfo::new("demo", "s3-reader");
        sa.annotations.insert(
            "eks.amazonaws.com/role-arn".to_owned(),
            " arn:aws:iam::123456789012:role/r ".to_owned(),
        );
        inv.service_accounts.push(sa);
        inv.service_accounts
            .push(ServiceAccountInfo::new("demo", "plain"));
        inv.nodes.push(NodeInfo::new(
            "n1",
            Some("aws:///eu-west-1a/i-0123456789abcdef0"),
        ));
        inv.nodes.push(NodeInfo::new(
            "fargate-ip-1",
            Some("aws:///eu-west-1a/fargate-ip-192-168-1-1"),
        ));
        let req = EnrichRequest::from_inventory(&inv);
        assert_eq!(req.cluster_name.as_deref(), Some("irsa-lab"));
        assert_eq!(
            req.role_arns.iter().collect::<Vec<_>>(),
            ["arn:aws:iam::123456789012:role/r"]
        );
        assert_eq!(
            req.instance_ids.iter().collect::<Vec<_>>(),
            ["i-0123456789abcdef0"]
        );
    }

    #[test]
    fn merge_replaces_the_aws_side_and_its_problems_only() {
        let mut inv = Inventory::default();
        inv.problems.push(SourceProblem {
            source: SourceKind::Kubernetes,
            message: "kube".to_owned(),
        });
        inv.problems.push(SourceProblem {
            source: SourceKind::IamRoles,
            message: "old".to_owned(),
        });
        let mut e = Enrichment {
            roles: Some(Vec::new()),
            ..Enrichment::default()
        };
        e.problem(
            SourceKind::Ec2Instances,
            "ec2:DescribeInstances denied".to_owned(),
        );
        e.merge_into(&mut inv);
        assert_eq!(inv.roles, Some(Vec::new()));
        let messages: Vec<_> = inv.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["kube", "ec2:DescribeInstances denied"]);
    }
}
