//! The live AWS source: reads the AWS side of a cluster with the user's own credentials and
//! answers in model types ([`Enrichment`]) that the caller merges into an
//! [`irsa_core::model::Inventory`].
//!
//! - Credentials, region and endpoints resolve as the AWS CLI resolves them ([`config`]).
//! - STS `GetCallerIdentity` for the header; EKS `DescribeCluster` (issuer, platform) and the
//!   Pod Identity associations (list + describe); IAM OIDC providers (list + get); EC2
//!   `DescribeInstances` for the nodes (batched), whose instance profiles lead to node roles.
//! - IAM roles: `GetAccountAuthorizationDetails` (every role and managed policy in a few
//!   paginated calls) when allowed, else per-role calls behind a semaphore ([`iam`]).
//! - Every answer is cached by ARN with a TTL ([`cache`]); a burst of requests for one role
//!   costs one call, and [`AwsSource::refresh`] forgets everything.
//! - Every failed call becomes one status line naming the missing IAM action and what is
//!   unknown without it ([`error`]); nothing here panics on AWS's answers.
//! - Throttling and transient errors are retried with backoff by the SDK's standard retry
//!   strategy (as configured for the AWS CLI: `AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`, profile).
//! - Every call and the IAM action it needs is listed in [`actions`] (the least-privilege
//!   policies are checked against it).

mod accounts;
pub mod actions;
pub mod blocking;
pub mod cache;
pub mod calls;
pub mod cloudtrail;
pub mod config;
mod convert;
mod ec2;
mod eks;
pub mod enrichment;
pub mod error;
pub mod freshness;
mod iam;
mod resource_policy;
mod roles;
pub mod save;
mod simulate;
mod sts;
pub mod upload;

pub use accounts::{AccountReader, OTHER_ACCOUNT_ACTIONS};
pub use cache::{CacheState, TtlCache};
pub use calls::CallCounter;
pub use config::{
    AwsClients, AwsOptions, IamPath, region_from_context, region_from_issuer, with_timeouts,
};
pub use enrichment::{EnrichRequest, Enrichment};
pub use error::{AwsStartError, CallError, FailureKind};
pub use freshness::LastKnown;
pub use resource_policy::ResourceRead;

use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use irsa_core::model::{
    CallerIdentity, ClusterInfo, Ec2Instance, OidcProvider, PodIdentityAssociation, RoleInfo,
    SourceKind,
};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The AWS worker: clients, the call limit, and the caches.
pub struct AwsSource {
    clients: AwsClients,
    options: AwsOptions,
    calls: CallCounter,
    limit: Semaphore,
    caller: TtlCache<CallerIdentity>,
    /// Per-role path: role ARN → role with its policies (`None`: the role does not exist).
    roles: TtlCache<roles::RoleFetch>,
    /// Managed policy ARN → its default version (per-role path).
    policies: TtlCache<irsa_core::model::aws_cli::ManagedPolicyDetail>,
    /// Account-wide listings: the fast path's roles, or `ListRoles` + `ListInstanceProfiles`.
    listings: TtlCache<Arc<iam::Listing>>,
    /// The cluster (by name), OIDC providers, associations (by cluster), instances (by ids).
    clusters: TtlCache<eks::ReadOne<ClusterInfo>>,
    providers: TtlCache<eks::ReadList<OidcProvider>>,
    associations: TtlCache<eks::ReadList<PodIdentityAssociation>>,
    instances: TtlCache<eks::ReadList<Ec2Instance>>,
    /// Readers of other accounts (`--account-profile`), by account id.
    others: BTreeMap<String, AccountReader>,
}

impl AwsSource {
    /// Resolves credentials and region as the AWS CLI does and checks them with
    /// `sts:GetCallerIdentity`. Only unusable credentials (e.g. an expired SSO session: one
    /// line naming `aws sso login --profile …`) or no region stop the start; a denied
    /// `GetCallerIdentity` is a status like any other.
    pub async fn connect(options: AwsOptions, issuer: Option<&str>) -> Result<Self, AwsStartError> {
        Self::connect_within(options, issuer, None).await
    }

    /// As [`AwsSource::connect`], but when `check` is given and `GetCallerIdentity` has not
    /// answered by then, the source starts unchecked (an endpoint that hangs must not keep the
    /// UI from opening; the AWS side then says what it finds).
    pub async fn connect_within(
        options: AwsOptions,
        issuer: Option<&str>,
        check: Option<std::time::Duration>,
    ) -> Result<Self, AwsStartError> {
        let config = config::load(&options, issuer).await?;
        let profile = options
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok());
        let region = config.region().map(|r| r.to_string());
        let mut source = Self::new(AwsClients::new(&config), options);
        source.others = accounts::connect_readers(&source.options, region).await;
        let checked = match check {
            Some(limit) => tokio::time::timeout(limit, source.caller_identity())
                .await
                .ok(),
            None => Some(source.caller_identity().await),
        };
        match checked {
            Some(Err(CallError {
                kind: FailureKind::Credentials(line),
                ..
            })) => {
                let line = if line == error::sso_expired_line(None) {
                    error::sso_expired_line(profile.as_deref())
                } else {
                    line
                };
                Err(AwsStartError::Credentials(line))
            }
            _ => Ok(source),
        }
    }

    /// A source over given clients (tests point them at an emulator or mock).
    pub fn new(clients: AwsClients, options: AwsOptions) -> Self {
        let ttl = options.ttl;
        Self {
            clients,
            limit: Semaphore::new(options.concurrency.max(1)),
            options,
            calls: CallCounter::default(),
            caller: TtlCache::new(ttl),
            roles: TtlCache::new(ttl),
            policies: TtlCache::new(ttl),
            listings: TtlCache::new(ttl),
            clusters: TtlCache::new(ttl),
            providers: TtlCache::new(ttl),
            associations: TtlCache::new(ttl),
            instances: TtlCache::new(ttl),
            others: BTreeMap::new(),
        }
    }

    /// How long an answer is reused before AWS is asked again.
    pub fn ttl(&self) -> std::time::Duration {
        self.options.ttl
    }

    /// The clients in use.
    pub fn clients(&self) -> &AwsClients {
        &self.clients
    }

    /// Calls made so far, per IAM action.
    pub fn call_counts(&self) -> BTreeMap<&'static str, u64> {
        self.calls.snapshot()
    }

    /// The most calls that were in flight at once (never above `options.concurrency`).
    pub fn peak_in_flight(&self) -> usize {
        self.calls.peak_in_flight()
    }

    /// Forgets every cached answer: the next enrichment asks AWS again (the `r` key).
    pub fn refresh(&self) {
        self.caller.clear();
        self.roles.clear();
        self.policies.clear();
        self.listings.clear();
        self.clusters.clear();
        self.providers.clear();
        self.associations.clear();
        self.instances.clear();
        for reader in self.others.values() {
            if let AccountReader::Ready(r) = reader {
                r.refresh();
            }
        }
    }

    /// What the cache knows of one role (per-role path): Pending, Ready or Failed.
    pub fn role_state(&self, arn: &str) -> Option<CacheState<Option<RoleInfo>>> {
        self.roles.state(arn).map(|s| match s {
            CacheState::Pending => CacheState::Pending,
            CacheState::Ready(f) => CacheState::Ready(f.role),
            CacheState::Failed(e) => CacheState::Failed(e),
        })
    }

    /// Reads everything `request` names: caller, cluster, OIDC providers, Pod Identity
    /// associations, instances, then roles (annotated, associated, node roles, and those
    /// trusting the cluster's issuer). Never fails: gaps are problems in the answer.
    pub async fn enrich(&self, request: &EnrichRequest) -> Enrichment {
        let before = self.calls.failures();
        let mut out = self.enrich_parts(request).await;
        let after = self.calls.failures();
        if after.credentials > before.credentials {
            out.expired_credentials = after.credentials_line;
        }
        out.retry_soon = after.transient > before.transient || out.expired_credentials.is_some();
        out
    }

    async fn enrich_parts(&self, request: &EnrichRequest) -> Enrichment {
        let mut out = Enrichment::default();
        match self.caller_identity().await {
            Ok(caller) => out.caller = Some(caller),
            Err(e) => out.problem(
                SourceKind::CallerIdentity,
                e.status("who runs the tool (account, ARN) unknown"),
            ),
        }
        let name = self
            .options
            .cluster_name
            .as_deref()
            .or(request.cluster_name.as_deref());
        let cluster = cached(&self.clusters, name.unwrap_or(""), || {
            self.describe_cluster(name)
        })
        .await;
        for message in cluster.1 {
            out.problem(SourceKind::EksCluster, message);
        }
        out.cluster = cluster.0;
        let issuer = out
            .cluster
            .as_ref()
            .and_then(|c| c.issuer.clone())
            .or_else(|| request.issuer.clone());
        let cluster_name = out
            .cluster
            .as_ref()
            .map(|c| c.name.clone())
            .or_else(|| name.map(str::to_owned));
        let ids = request
            .instance_ids
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(",");
        let (providers, associations, instances) = tokio::join!(
            cached(&self.providers, "providers", || self.oidc_providers()),
            cached(
                &self.associations,
                cluster_name.as_deref().unwrap_or(""),
                || { self.pod_identity_associations(cluster_name.as_deref()) }
            ),
            cached(&self.instances, &ids, || self
                .instances(&request.instance_ids)),
        );
        for (source, result) in [
            (SourceKind::OidcProviders, providers.1),
            (SourceKind::PodIdentity, associations.1),
            (SourceKind::Ec2Instances, instances.1),
        ] {
            for message in result {
                out.problem(source, message);
            }
        }
        out.oidc_providers = providers.0;
        out.pod_identity_associations = associations.0;
        out.instances = instances.0;
        let account = out.caller.as_ref().map(|c| c.account.clone()).or_else(|| {
            out.cluster
                .as_ref()
                .and_then(|c| c.account().map(str::to_owned))
        });
        self.read_roles(request, issuer.as_deref(), account.as_deref(), &mut out)
            .await;
        self.read_other_accounts(request, account.as_deref(), &mut out)
            .await;
        out
    }
}

/// A read that never fails (its gaps are inside the value), cached under `key` for the TTL.
async fn cached<V: Clone + Default, Fut>(
    cache: &TtlCache<V>,
    key: &str,
    read: impl FnOnce() -> Fut,
) -> V
where
    Fut: Future<Output = V>,
{
    // `read` is wrapped in `Ok`, so the cache cannot answer `Err`; `Default` only satisfies
    // the type.
    cache
        .get_or_fetch(key, || async { Ok(read().await) })
        .await
        .unwrap_or_default()
}

impl AwsSource {
    /// One AWS call of `action`: counted, and behind the concurrency limit.
    async fn call<T, E, Fut>(
        &self,
        action: &'static str,
        send: impl FnOnce() -> Fut,
    ) -> Result<T, CallError>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let _permit = self.limit.acquire().await.map_err(|_| CallError {
            action,
            kind: FailureKind::Other("the AWS source is shutting down".to_owned()),
        })?;
        let _in_flight = self.calls.enter();
        self.calls.count(action);
        send().await.map_err(|e| {
            let error = CallError::from_sdk(action, &e);
            self.calls.failed(&error);
            error
        })
    }

    /// [`AwsSource::call`], also handing back the failed answer's HTTP header `header` (S3
    /// names a bucket's region in `x-amz-bucket-region` when it redirects).
    async fn call_with_header<T, E, Fut>(
        &self,
        action: &'static str,
        header: &'static str,
        send: impl FnOnce() -> Fut,
    ) -> Result<T, (CallError, Option<String>)>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let _permit = self.limit.acquire().await.map_err(|_| {
            let error = CallError {
                action,
                kind: FailureKind::Other("the AWS source is shutting down".to_owned()),
            };
            (error, None)
        })?;
        let _in_flight = self.calls.enter();
        self.calls.count(action);
        send().await.map_err(|e| {
            let value = e
                .raw_response()
                .and_then(|r| r.headers().get(header))
                .map(str::to_owned);
            let error = CallError::from_sdk(action, &e);
            self.calls.failed(&error);
            (error, value)
        })
    }
}
