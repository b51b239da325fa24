//! EKS: `DescribeCluster` (issuer, platform, region) and the Pod Identity associations
//! (`ListPodIdentityAssociations`, then `DescribePodIdentityAssociation` per id, since the
//! list has no role ARN).

use super::{AwsSource, convert};
use irsa_core::model::{ClusterInfo, PodIdentityAssociation};

/// A collection and the problems met while reading it (`None`: unknown).
pub(super) type ReadList<T> = (Option<Vec<T>>, Vec<String>);
/// One value and the problems met while reading it (`None`: unknown).
pub(super) type ReadOne<T> = (Option<T>, Vec<String>);

impl AwsSource {
    /// `eks:DescribeCluster`: the cluster, or the problem that makes it unknown.
    pub(super) async fn describe_cluster(
        &self,
        name: Option<&str>,
    ) -> (Option<ClusterInfo>, Vec<String>) {
        let Some(name) = name else {
            return (
                None,
                vec![
                    "EKS cluster name unknown (the kubeconfig context names none) — issuer, \
                     platform and Pod Identity associations not read"
                        .to_owned(),
                ],
            );
        };
        let result = self
            .call("eks:DescribeCluster", || {
                self.clients.eks.describe_cluster().name(name).send()
            })
            .await;
        match result {
            Ok(o) => match o.cluster() {
                Some(c) => (Some(ClusterInfo::from(&convert::cluster(c))), Vec::new()),
                None => (
                    None,
                    vec![format!(
                        "eks:DescribeCluster returned no cluster for {name}"
                    )],
                ),
            },
            Err(e) => (
                None,
                vec![e.status(&format!(
                    "cluster {name}: issuer, platform version and region unknown"
                ))],
            ),
        }
    }

    /// Every Pod Identity association of the cluster, described.
    pub(super) async fn pod_identity_associations(
        &self,
        cluster: Option<&str>,
    ) -> ReadList<PodIdentityAssociation> {
        let Some(cluster) = cluster else {
            return (
                None,
                vec!["EKS cluster name unknown — Pod Identity associations unknown".to_owned()],
            );
        };
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .call("eks:ListPodIdentityAssociations", || {
                    self.clients
                        .eks
                        .list_pod_identity_associations()
                        .cluster_name(cluster)
                        .set_next_token(token.clone())
                        .send()
                })
                .await;
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    return (
                        None,
                        vec![e.status("which ServiceAccounts use EKS Pod Identity is unknown")],
                    );
                }
            };
            ids.extend(
                page.associations()
                    .iter()
                    .filter_map(|a| a.association_id().map(str::to_owned)),
            );
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        let described = futures::future::join_all(ids.iter().map(|id| async move {
            self.call("eks:DescribePodIdentityAssociation", || {
                self.clients
                    .eks
                    .describe_pod_identity_association()
                    .cluster_name(cluster)
                    .association_id(id)
                    .send()
            })
            .await
        }))
        .await;
        let mut associations = Vec::new();
        let mut problems = Vec::new();
        for (id, result) in ids.iter().zip(described) {
            match result {
                Ok(o) => match o.association().and_then(convert::pod_identity) {
                    Some(a) => associations.push(PodIdentityAssociation::from(&a)),
                    None => problems.push(format!(
                        "association {id}: DescribePodIdentityAssociation gave no role — \
                         associations unknown"
                    )),
                },
                Err(e) => problems.push(e.status(&format!(
                    "association {id}: role unknown, so Pod Identity associations are unknown"
                ))),
            }
        }
        if problems.is_empty() {
            (Some(associations), problems)
        } else {
            (None, problems)
        }
    }
}
