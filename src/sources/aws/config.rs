//! Options, credentials and clients: the AWS CLI's own resolution (`aws-config`'s default
//! chain: environment, `--profile`/`AWS_PROFILE`, SSO, web identity, `credential_process`,
//! container and instance metadata), and its endpoint handling (`AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_<SERVICE>`, `endpoint_url` in the profile), so the tool runs wherever
//! `aws` runs and against any AWS-compatible endpoint.
//!
//! Timeouts ([`with_timeouts`]): the SDK sets only a connect timeout, so an endpoint that
//! accepts a connection and never answers would hang a call for ever; every call attempt gets
//! [`AwsOptions::call_timeout`] (`--request-timeout`, 20 s by default), the whole call with its
//! retries three times that, and `--request-timeout 0` turns every SDK timeout off.

use super::error::AwsStartError;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::collections::BTreeMap;
use std::time::Duration;

/// Which IAM reading strategy to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IamPath {
    /// `GetAccountAuthorizationDetails` when allowed, else per-role calls (the default).
    #[default]
    Auto,
    /// Only `GetAccountAuthorizationDetails` (denied → roles unknown).
    FastOnly,
    /// Only per-role calls (`ListRoles`, `GetRole`, …), as a least-privilege caller gets.
    PerRole,
}

/// How the AWS source runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsOptions {
    /// `--profile` (else `AWS_PROFILE`, else `default`, as the AWS CLI does).
    pub profile: Option<String>,
    /// `--region` (else the environment or profile, else the cluster issuer's region).
    pub region: Option<String>,
    /// Most AWS calls in flight at once (per-role reads, describes).
    pub concurrency: usize,
    /// How long an answer is reused before AWS is asked again (`r` refreshes at once).
    pub ttl: Duration,
    pub iam_path: IamPath,
    /// `--account-profile ACCOUNT=PROFILE`: the profile whose credentials read that other
    /// account's roles (cross-account IRSA, Pod Identity targets, `sts:AssumeRole` targets).
    pub account_profiles: BTreeMap<String, String>,
    /// How long one attempt of a call may take before it fails as timed out (the SDK's
    /// operation attempt timeout; the whole call, retries included, gets three times that;
    /// connecting never longer than this). The SDK itself sets only a 3.1 s connect timeout:
    /// an endpoint that accepts the connection and never answers would hang a read for ever.
    /// Zero (`--request-timeout 0`) means no timeout at all, the SDK's connect timeout too.
    pub call_timeout: Duration,
    /// `--cluster`: the EKS cluster's name when the inventory cannot tell it (an in-cluster run
    /// has no context name; a renamed kubeconfig context); wins over what the context names.
    pub cluster_name: Option<String>,
}

impl Default for AwsOptions {
    /// Profile and region from the environment; 8 calls in flight; answers kept 5 minutes;
    /// a call attempt times out after 20 s.
    fn default() -> Self {
        Self {
            profile: None,
            region: None,
            concurrency: 8,
            ttl: Duration::from_secs(300),
            iam_path: IamPath::Auto,
            account_profiles: BTreeMap::new(),
            call_timeout: Duration::from_secs(20),
            cluster_name: None,
        }
    }
}

/// The SDK's own connect timeout, used when the configuration names none.
const SDK_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// `config` with the call timeouts of `options` wherever it sets none itself, its connect
/// timeout no longer than the call timeout; none at all for a zero call timeout.
pub fn with_timeouts(config: SdkConfig, options: &AwsOptions) -> SdkConfig {
    let limit = options.call_timeout;
    if limit.is_zero() {
        return config
            .into_builder()
            .timeout_config(TimeoutConfig::disabled())
            .build();
    }
    let theirs = config
        .timeout_config()
        .cloned()
        .unwrap_or_else(|| TimeoutConfig::builder().build());
    let connect = theirs
        .connect_timeout()
        .unwrap_or(SDK_CONNECT_TIMEOUT)
        .min(limit);
    let mut timeouts = theirs.into_builder().connect_timeout(connect).build();
    let ours = TimeoutConfig::builder()
        .operation_attempt_timeout(limit)
        .operation_timeout(limit * 3)
        .build();
    timeouts.take_defaults_from(&ours);
    config.into_builder().timeout_config(timeouts).build()
}

/// One client per service, all from the same resolved configuration.
#[derive(Debug, Clone)]
pub struct AwsClients {
    pub sts: aws_sdk_sts::Client,
    pub iam: aws_sdk_iam::Client,
    pub eks: aws_sdk_eks::Client,
    pub ec2: aws_sdk_ec2::Client,
    /// For `can-i --aws`: a bucket's policy (regional clients are made from `config`).
    pub s3: aws_sdk_s3::Client,
    /// The shared configuration, for clients of another region (a KMS key's, a bucket's).
    pub config: SdkConfig,
}

impl AwsClients {
    /// Clients for every service from one shared configuration.
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            sts: aws_sdk_sts::Client::new(config),
            iam: aws_sdk_iam::Client::new(config),
            eks: aws_sdk_eks::Client::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
            s3: aws_sdk_s3::Client::new(config),
            config: config.clone(),
        }
    }
}

/// Resolves the configuration as the AWS CLI would. The region comes from `--region`, else
/// the environment or profile, else the cluster's issuer URL
/// (`https://oidc.eks.<region>.amazonaws.com/id/…`).
pub async fn load(options: &AwsOptions, issuer: Option<&str>) -> Result<SdkConfig, AwsStartError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    let config = with_timeouts(loader.load().await, options);
    if config.region().is_some() {
        return Ok(config);
    }
    let region = issuer
        .and_then(region_from_issuer)
        .ok_or(AwsStartError::NoRegion)?;
    Ok(config
        .into_builder()
        .region(Region::new(region.to_owned()))
        .build())
}

/// The region of an EKS issuer URL (`https://oidc.eks.eu-west-1.amazonaws.com/id/X` →
/// `eu-west-1`); `None` for other issuers.
pub fn region_from_issuer(issuer: &str) -> Option<&str> {
    let host = issuer.strip_prefix("https://").unwrap_or(issuer);
    let region = host.strip_prefix("oidc.eks.")?.split('.').next()?;
    (!region.is_empty()).then_some(region)
}

/// The EKS cluster name a kubeconfig context names: the ARN `aws eks update-kubeconfig` writes
/// (`arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab`) or eksctl's
/// `user@irsa-lab.eu-west-1.eksctl.io`.
pub fn cluster_name_from_context(context: &str) -> Option<&str> {
    if let Some((_, name)) = context
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":cluster/"))
    {
        return (!name.is_empty()).then_some(name);
    }
    let host = context.rsplit_once('@').map_or(context, |(_, h)| h);
    let name = host.strip_suffix(".eksctl.io")?.split('.').next()?;
    (!name.is_empty()).then_some(name)
}

/// The region a kubeconfig context names: the cluster ARN's
/// (`arn:aws:eks:eu-west-1:…:cluster/x`) or eksctl's (`user@x.eu-west-1.eksctl.io`).
pub fn region_from_context(context: &str) -> Option<&str> {
    if context.starts_with("arn:") {
        return irsa_core::model::aws_cli::arn_region(context);
    }
    let host = context.rsplit_once('@').map_or(context, |(_, h)| h);
    let region = host.strip_suffix(".eksctl.io")?.rsplit('.').next()?;
    (!region.is_empty()).then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeouts_for(call_timeout: Duration) -> TimeoutConfig {
        let sdk = SdkConfig::builder()
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(SDK_CONNECT_TIMEOUT)
                    .build(),
            )
            .build();
        let options = AwsOptions {
            call_timeout,
            ..AwsOptions::default()
        };
        with_timeouts(sdk, &options)
            .timeout_config()
            .cloned()
            .unwrap_or_else(TimeoutConfig::disabled)
    }

    #[test]
    fn request_timeout_bounds_every_call_and_zero_waits_for_ever() {
        let default = timeouts_for(AwsOptions::default().call_timeout);
        assert_eq!(default.connect_timeout(), Some(SDK_CONNECT_TIMEOUT));
        assert_eq!(
            default.operation_attempt_timeout(),
            Some(Duration::from_secs(20))
        );
        let one = timeouts_for(Duration::from_secs(1));
        assert_eq!(one.connect_timeout(), Some(Duration::from_secs(1)));
        assert_eq!(
            one.operation_attempt_timeout(),
            Some(Duration::from_secs(1))
        );
        assert_eq!(one.operation_timeout(), Some(Duration::from_secs(3)));
        assert!(!timeouts_for(Duration::ZERO).has_timeouts());
    }

    #[test]
    fn region_is_read_from_eks_issuers_only() {
        assert_eq!(
            region_from_issuer("https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B7"),
            Some("eu-west-1")
        );
        assert_eq!(
            region_from_issuer("oidc.eks.us-gov-west-1.amazonaws.com/id/X"),
            Some("us-gov-west-1")
        );
        assert_eq!(region_from_issuer("https://kubernetes.default.svc"), None);
    }

    #[test]
    fn cluster_name_comes_from_aws_cli_and_eksctl_contexts() {
        assert_eq!(
            cluster_name_from_context("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab"),
            Some("irsa-lab")
        );
        assert_eq!(
            cluster_name_from_context("alice@irsa-lab.eu-west-1.eksctl.io"),
            Some("irsa-lab")
        );
        assert_eq!(cluster_name_from_context("kind-dev"), None);
        assert_eq!(
            region_from_context("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab"),
            Some("eu-west-1")
        );
        assert_eq!(
            region_from_context("alice@irsa-lab.eu-west-1.eksctl.io"),
            Some("eu-west-1")
        );
        assert_eq!(region_from_context("kind-dev"), None);
    }
}
