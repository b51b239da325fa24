//! The cluster's issuer as two sources tell it: the API server
//! (`/.well-known/openid-configuration`, the issuer every token it mints carries) and EKS
//! (`DescribeCluster`'s `identity.oidc.issuer`). They differ only when the kubeconfig context
//! and the EKS cluster read from AWS are not the same cluster (a context named after another
//! cluster, `--region`/`--profile` pointing at a namesake) — then every AWS-side fact describes
//! the wrong cluster, and the user must be told before trusting any verdict.

use crate::analysis::inventory::issuer_host;
use crate::model::Inventory;

/// True when two issuer URLs name the same issuer: scheme and trailing slash do not matter, the
/// host's case does not matter (DNS), the path's does (EKS issuer ids are upper-case hex).
pub fn same_issuer(a: &str, b: &str) -> bool {
    let (a, b) = (issuer_host(a), issuer_host(b));
    let split = |s: &str| match s.split_once('/') {
        Some((host, path)) => (host.to_ascii_lowercase(), path.to_owned()),
        None => (s.to_ascii_lowercase(), String::new()),
    };
    split(a) == split(b)
}

/// One line naming both issuers when the API server and EKS disagree; `None` when they agree
/// or either is unknown.
pub fn mismatch(inv: &Inventory) -> Option<String> {
    let api = inv.kubernetes_issuer.as_deref()?;
    let cluster = inv.cluster.as_ref()?;
    let eks = cluster.issuer.as_deref()?;
    if same_issuer(api, eks) {
        return None;
    }
    let context = inv.context.as_deref().unwrap_or("the API server");
    Some(format!(
        "issuer mismatch: {context} announces {api} but eks:DescribeCluster {} says {eks} — the \
         kubeconfig context and the EKS cluster read from AWS are not the same cluster (check \
         --context, --region and --profile); tokens carry {api}, so verdicts use it",
        cluster.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ClusterInfo;

    const EKS: &str =
        "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";

    fn inventory(api: Option<&str>, eks: Option<&str>) -> Inventory {
        let cluster = ClusterInfo {
            name: "irsa-lab".to_owned(),
            arn: None,
            region: Some("eu-west-1".to_owned()),
            issuer: eks.map(str::to_owned),
            version: None,
            platform_version: None,
            ip_family: None,
        };
        Inventory {
            context: Some("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab".to_owned()),
            kubernetes_issuer: api.map(str::to_owned),
            cluster: Some(cluster),
            ..Inventory::default()
        }
    }

    #[test]
    fn scheme_trailing_slash_and_host_case_do_not_matter_but_the_id_does() {
        let shouted_host = EKS.replace("oidc.eks.eu-west-1", "OIDC.EKS.EU-WEST-1");
        assert!(same_issuer(EKS, &format!("{shouted_host}/")));
        assert!(same_issuer(EKS, EKS.trim_start_matches("https://")));
        assert!(!same_issuer(EKS, &EKS.to_lowercase()));
        assert!(!same_issuer(EKS, &EKS.replace("4656", "9999")));
    }

    #[test]
    fn agreeing_or_unknown_issuers_raise_nothing() {
        assert_eq!(mismatch(&inventory(Some(EKS), Some(EKS))), None);
        assert_eq!(mismatch(&inventory(None, Some(EKS))), None);
        assert_eq!(mismatch(&inventory(Some(EKS), None)), None);
    }

    #[test]
    fn a_different_cluster_is_named_with_both_issuers() {
        let other = EKS.replace("4656D0B7", "00000000");
        let line = mismatch(&inventory(Some(&other), Some(EKS))).expect("mismatch");
        assert!(line.contains(&other), "{line}");
        assert!(line.contains(EKS), "{line}");
        assert!(line.contains("eks:DescribeCluster irsa-lab"), "{line}");
    }
}
