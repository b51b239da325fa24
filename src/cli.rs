//! The command line (clap derive). `irsa-inspector` with no subcommand opens the UI; the
//! subcommands print and exit.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "irsa-inspector",
    version,
    about = "Which AWS IAM identity every ServiceAccount and pod of an EKS cluster really gets — and why AssumeRoleWithWebIdentity fails",
    long_about = None
)]
pub struct Cli {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Evaluate as of this instant (RFC 3339) instead of the snapshot's capture time or the clock.
    #[arg(long, global = true, value_name = "RFC3339")]
    pub now: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Use the embedded demo lab (cluster irsa-lab, eu-west-1) instead of a live cluster.
    #[arg(long, global = true, conflicts_with = "snapshot")]
    pub demo: bool,

    /// Use an offline snapshot folder (the JSON kubectl and the AWS CLI print; see README).
    #[arg(long, global = true, value_name = "DIR")]
    pub snapshot: Option<PathBuf>,

    /// Read the AWS side (IAM roles, OIDC providers, EKS, EC2) live, with your AWS credentials
    /// resolved as the AWS CLI does (env, profile, SSO, web identity, instance metadata).
    #[arg(long, global = true)]
    pub aws: bool,

    /// The AWS CLI profile for --aws (default: AWS_PROFILE, else `default`).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// The AWS region: for --aws (default: the environment or profile, else the issuer's);
    /// for `webhook predict`, the webhook's --aws-default-region. Accepted before or after the
    /// subcommand, like --profile.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// With --aws: read another account's roles with this AWS CLI profile (cross-account IRSA,
    /// Pod Identity target roles, sts:AssumeRole targets). Repeatable.
    #[arg(long, global = true, value_name = "ACCOUNT=PROFILE", value_parser = parse_account_profile)]
    pub account_profile: Vec<(String, String)>,

    /// Live cluster: this kubeconfig file only (default: KUBECONFIG, else ~/.kube/config,
    /// else the in-cluster ServiceAccount).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The EKS cluster's name, when the kubeconfig context does not carry it (inside a pod the
    /// in-cluster connection has none; a context renamed by hand): --aws reads this cluster
    /// (eks:DescribeCluster, its Pod Identity associations), and reports name it.
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,

    /// Live cluster: the kubeconfig context (default: its current-context).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Live cluster: ServiceAccounts and pods of this namespace only (default: all namespaces).
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Live cluster: all namespaces (the default; accepted as with kubectl).
    #[arg(short = 'A', long, global = true, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    /// With --aws: read CloudTrail's record of the last DURATION (default 1h; e.g. 30m, 24h,
    /// at most 90 days) with cloudtrail:LookupEvents — failed and successful
    /// AssumeRoleWithWebIdentity / AssumeRoleForPodIdentity and AccessDenied errors of the
    /// cluster's roles — as evidence beside the analysis. Off unless given; read-only.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        num_args = 0..=1,
        default_missing_value = "1h",
        value_parser = parse_lookback
    )]
    pub cloudtrail: Option<jiff::SignedDuration>,

    /// How long one request to the Kubernetes API server or to AWS may go unanswered before it
    /// fails, as kubectl's --request-timeout: 30s, 2m, 1h30m (a bare number is seconds); 0
    /// waits for ever. Default: 30 s of silence per Kubernetes request (a LIST that keeps
    /// streaming is never cut; below 25 s a quiet watch of the UI is ended and resumed), and
    /// 20 s per AWS call attempt.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        value_parser = parse_request_timeout
    )]
    pub request_timeout: Option<std::time::Duration>,

    /// Disable the UI's three opt-in live actions (token mint, exec-read of the mounted token,
    /// "test it for real" with AssumeRoleWithWebIdentity): nothing is ever created.
    #[arg(
        long,
        global = true,
        env = "IRSA_INSPECTOR_READ_ONLY",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub read_only: bool,
}

/// `30m`, `1h`, `24h`, `7d` (jiff's friendly format) → a positive duration of at most the 90
/// days CloudTrail's event history keeps.
fn parse_lookback(value: &str) -> Result<jiff::SignedDuration, String> {
    let span: jiff::Span = value
        .trim()
        .parse()
        .map_err(|e| format!("{value:?} is not a duration like 30m, 1h or 7d ({e})"))?;
    let duration = span
        .to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .map_err(|e| format!("{value:?}: {e}"))?;
    let max = jiff::SignedDuration::from_hours(90 * 24);
    if duration <= jiff::SignedDuration::ZERO || duration > max {
        return Err(format!(
            "{value:?}: CloudTrail keeps 90 days of events; give a duration above zero and at most 90d"
        ));
    }
    Ok(duration)
}

/// kubectl's `--request-timeout` values: `0` (no timeout, returned as zero), a bare number of
/// seconds, or a duration such as `500ms`, `30s`, `2m`, `1h30m`.
fn parse_request_timeout(value: &str) -> Result<std::time::Duration, String> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(seconds));
    }
    let span: jiff::Span = value
        .parse()
        .map_err(|_| format!("{value:?} is not a duration like 0, 10, 500ms, 30s or 2m"))?;
    span.to_duration(jiff::SpanRelativeTo::days_are_24_hours())
        .ok()
        .and_then(|d| std::time::Duration::try_from(d).ok())
        .ok_or_else(|| format!("{value:?}: give a duration of zero or more"))
}

/// `123456789012=profile` → (account, profile); anything else is a one-line error.
fn parse_account_profile(value: &str) -> Result<(String, String), String> {
    let (account, profile) = value
        .split_once('=')
        .ok_or_else(|| format!("{value:?} is not ACCOUNT=PROFILE"))?;
    let account = account.trim();
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{account:?} is not a 12-digit AWS account id"));
    }
    let profile = profile.trim();
    if profile.is_empty() {
        return Err(format!("no profile named for account {account}"));
    }
    Ok((account.to_owned(), profile.to_owned()))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every ServiceAccount → role → verdict mapping and every finding.
    Audit(AuditArgs),
    /// The whole identity chain of one pod or ServiceAccount, as readable text.
    Explain {
        #[command(subcommand)]
        target: ExplainTarget,
    },
    /// Evaluate IAM trust policies.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// Evaluate IAM permission policies (identity, boundary, session, SCPs, resource).
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Can this pod do it? Its real identity (IRSA, Pod Identity, node-role fallback), then
    /// the permission evaluation of ACTION on RESOURCE. Exit 0 allowed, 1 not, 2 bad input.
    #[command(name = "can-i")]
    CanI(CanIArgs),
    /// Predict what the pod-identity-webhook injects.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// Decode a projected ServiceAccount token (JWT): header, claims, lifetime. Never prints the signature.
    DecodeToken(DecodeTokenArgs),
    /// Print a shell completion script: `irsa-inspector completions bash > \
    /// /etc/bash_completion.d/irsa-inspector` (or zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `irsa-inspector man | man -l -`.
    Man,
    /// Offline snapshots.
    Snapshot {
        #[command(subcommand)]
        command: SnapshotCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Write the live cluster as a snapshot folder (read back with --snapshot DIR); with --aws
    /// its AWS side too. Secret env values are masked; Secrets are never read.
    Save {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// One line per ServiceAccount, then the findings (for people).
    Table,
    /// The stable `irsa-inspector/audit/v1` document (README: `audit --format json`).
    Json,
    /// Tables for a pull request or a wiki page.
    Markdown,
    /// SARIF 2.1.0, for code scanning (GitHub: `github/codeql-action/upload-sarif`).
    Sarif,
    /// JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins `junit`): a
    /// test case per ServiceAccount and pod (and per role, node, … a finding names), failed
    /// by findings at or above --fail-on (high when not given), skipped when accepted.
    Junit,
    /// Flat `irsa-inspector/ndjson/v1` records, one JSON object per line: a `finding` record
    /// per finding and a `binding` record per ServiceAccount, each with the run's context,
    /// cluster, account and region — for a table over many clusters' runs (Athena, DuckDB;
    /// README: `audit --format ndjson`).
    Ndjson,
}

/// The lowest finding severity that makes `audit` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    /// The severity it stands for.
    pub fn severity(self) -> irsa_core::model::Severity {
        use irsa_core::model::Severity;
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    /// Readable text with the trace.
    Text,
    /// The same as one JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Exit with code 1 when a finding at or above this severity exists (not accepted by the
    /// ignore file). With --format junit, also the severity from which a finding fails its
    /// test case (high when not given).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Accepted findings (README: "Accepting a finding"); default `.irsa-inspector-ignore.yaml`
    /// in the current directory when it exists.
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<std::path::PathBuf>,
    /// Write the report to FILE instead of standard output (whole or not at all: written
    /// beside it, then renamed).
    /// `s3://BUCKET/PREFIX` puts the report into your bucket instead, one object per cluster
    /// under `PREFIX/dt=YYYY-MM-DD/cluster=NAME/` (the audit's only write; refused with
    /// --read-only).
    #[arg(short = 'o', long, value_name = "FILE|s3://BUCKET/PREFIX")]
    pub output: Option<std::path::PathBuf>,
    /// Audit every context of the kubeconfig, --jobs at a time; one that fails is reported and
    /// the others go on (exit 3). `--context a,b,c` audits those. Needs --format ndjson or
    /// table.
    #[arg(long)]
    pub all_contexts: bool,
    /// With several contexts: how many are audited at once. Each worker holds one cluster's
    /// inventory and report until written (about 10 MB for 2,000 pods, 140 MB for 50,000).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = parse_jobs)]
    pub jobs: usize,
    /// With several contexts and --aws: the AWS CLI profile of one context's account
    /// (CONTEXT=PROFILE; repeatable); others use --profile.
    #[arg(long, value_name = "CONTEXT=PROFILE", value_parser = parse_context_profile)]
    pub context_profile: Vec<(String, String)>,
}

/// `--jobs`: 1 to 64 workers.
fn parse_jobs(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=64).contains(&n) => Ok(n),
        _ => Err(format!("{value:?}: give a number of workers from 1 to 64")),
    }
}

/// `CONTEXT=PROFILE` (a context name may itself contain `=`: the last one splits).
fn parse_context_profile(value: &str) -> Result<(String, String), String> {
    let (context, profile) = value
        .rsplit_once('=')
        .ok_or_else(|| format!("{value:?} is not CONTEXT=PROFILE"))?;
    let (context, profile) = (context.trim(), profile.trim());
    if context.is_empty() || profile.is_empty() {
        return Err(format!("{value:?}: name both a context and a profile"));
    }
    Ok((context.to_owned(), profile.to_owned()))
}

#[derive(Debug, Subcommand)]
pub enum ExplainTarget {
    /// A pod, as NAMESPACE/NAME.
    Pod {
        #[arg(value_name = "NAMESPACE/NAME")]
        name: String,
    },
    /// A ServiceAccount, as NAMESPACE/NAME.
    #[command(alias = "serviceaccount")]
    Sa {
        #[arg(value_name = "NAMESPACE/NAME")]
        name: String,
    },
    /// An AWS error from a pod's log: which pods and ServiceAccounts it is about, and why.
    /// Exit 0 when an error was recognised, 1 when none was, 2 on bad input.
    Error {
        /// The error text, or `-` to read it from standard input.
        #[arg(value_name = "TEXT|-")]
        text: String,
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Evaluate one trust document against one request context.
    Evaluate(TrustEvaluateArgs),
}

#[derive(Debug, Args)]
pub struct TrustEvaluateArgs {
    /// The trust policy document: a file, or - for standard input (JSON or URL-encoded JSON).
    #[arg(long, value_name = "FILE|-")]
    pub policy: String,
    /// The federated principal (OIDC provider ARN) making the request.
    #[arg(long, value_name = "ARN", required_unless_present_any = ["aws_principal", "service"])]
    pub federated: Option<String>,
    /// An AWS principal (role/user ARN or account) making the request, instead of --federated.
    #[arg(
        long = "aws-principal",
        value_name = "ARN",
        conflicts_with = "federated"
    )]
    pub aws_principal: Option<String>,
    /// A service principal (e.g. pods.eks.amazonaws.com) making the request.
    #[arg(long, value_name = "SERVICE", conflicts_with_all = ["federated", "aws_principal"])]
    pub service: Option<String>,
    /// The action requested.
    #[arg(long, default_value = "sts:AssumeRoleWithWebIdentity")]
    pub action: String,
    /// A condition key of the request, NAME=VALUE; repeat a name for a multi-valued key;
    /// an omitted key is absent.
    #[arg(long = "key", value_name = "NAME=VALUE")]
    pub keys: Vec<String>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate one request against a principal's policies, IAM's evaluation logic exactly:
    /// explicit deny wins; SCPs, the permissions boundary and session policies limit; the
    /// resource policy grants within an account and must also allow across accounts.
    /// Exit 0 allow, 1 deny (explicit or implicit), 2 bad input.
    Simulate(PolicySimulateArgs),
}

#[derive(Debug, Args)]
pub struct PolicySimulateArgs {
    /// The action, e.g. s3:GetObject (matched case-insensitively).
    #[arg(long, value_name = "SERVICE:ACTION")]
    pub action: String,
    /// The resource ARN (case-sensitive), or * for actions without a resource.
    #[arg(long, value_name = "ARN")]
    pub resource: String,
    /// The caller: a role session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), a role or
    /// a user ARN.
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// An identity-based policy of the principal (inline or managed); repeat for several.
    #[arg(long = "identity-policy", value_name = "FILE")]
    pub identity_policies: Vec<String>,
    /// The principal's permissions boundary.
    #[arg(long, value_name = "FILE")]
    pub boundary: Option<String>,
    /// A session policy of the principal's session; repeat for several.
    #[arg(long = "session-policy", value_name = "FILE")]
    pub session_policies: Vec<String>,
    /// One level of the organisation path (root, each OU, the account), as one SCP document;
    /// repeat per level, each must allow. Without any, SCPs are reported as not considered.
    #[arg(long = "scp", value_name = "FILE")]
    pub scps: Vec<String>,
    /// The resource's own policy (bucket policy, key policy, …).
    #[arg(long = "resource-policy", value_name = "FILE")]
    pub resource_policy: Option<String>,
    /// The account that owns the resource when its ARN has none (S3); default: the ARN's
    /// account, else the principal's.
    #[arg(long = "resource-account", value_name = "ID")]
    pub resource_account: Option<String>,
    /// A condition key of the request, NAME=VALUE; repeat a name for a multi-valued key.
    /// The principal's own keys (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
    /// aws:username) are derived unless given.
    #[arg(long = "key", value_name = "NAME=VALUE")]
    pub keys: Vec<String>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct CanIArgs {
    /// The action, e.g. s3:GetObject.
    #[arg(value_name = "ACTION")]
    pub action: String,
    /// The resource ARN, e.g. arn:aws:s3:::bucket/key.
    #[arg(value_name = "RESOURCE")]
    pub resource: String,
    /// The pod, as NAMESPACE/NAME.
    #[arg(
        long,
        value_name = "NAMESPACE/NAME",
        required_unless_present = "sa",
        conflicts_with = "sa"
    )]
    pub pod: Option<String>,
    /// A ServiceAccount, as NAMESPACE/NAME (evaluated as its first pod).
    #[arg(long, value_name = "NAMESPACE/NAME")]
    pub sa: Option<String>,
    /// The container whose credential chain decides (default: the first).
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,
    /// Also ask AWS's own simulator (iam:SimulatePrincipalPolicy, read-only: it creates
    /// nothing) with your AWS credentials, and show whether it agrees.
    #[arg(long)]
    pub ask_aws: bool,
    /// The account that owns the resource when its ARN has none (S3).
    #[arg(long = "resource-account", value_name = "ID")]
    pub resource_account: Option<String>,
    /// A condition key of the request, NAME=VALUE; repeat a name for a multi-valued key.
    #[arg(long = "key", value_name = "NAME=VALUE")]
    pub keys: Vec<String>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Print the RFC 6902 patch the webhook would apply to a pod at CREATE.
    Predict(WebhookPredictArgs),
}

#[derive(Debug, Args)]
pub struct WebhookPredictArgs {
    /// The ServiceAccount (YAML or JSON, as `kubectl get sa -o yaml` prints).
    #[arg(long, value_name = "FILE")]
    pub service_account: PathBuf,
    /// The pod (YAML or JSON), as submitted or as live.
    #[arg(long, value_name = "FILE")]
    pub pod: PathBuf,
    /// The webhook's --sts-regional-endpoint=true.
    #[arg(long)]
    pub sts_regional: bool,
    /// The webhook's --token-expiration, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 86400)]
    pub default_expiration: i64,
    /// The webhook's --annotation-prefix.
    #[arg(long, default_value = "eks.amazonaws.com")]
    pub annotation_prefix: String,
    /// The SA has an EKS Pod Identity association (container-credentials path wins).
    #[arg(long)]
    pub pod_identity: bool,
    /// With --pod-identity: the cluster is IPv6 (`kubernetesNetworkConfig.ipFamily`), so EKS
    /// injects the agent's IPv6 address http://[fd00:ec2::23]/v1/credentials.
    #[arg(long, requires = "pod_identity")]
    pub ipv6: bool,
    /// The cluster's MutatingWebhookConfigurations (`kubectl get mutatingwebhookconfigurations
    /// -o yaml|json`): when none registers the webhook, or its selectors or rules exclude the
    /// pod, the prediction is that nothing is injected.
    #[arg(long, value_name = "FILE")]
    pub mutating_webhooks: Option<PathBuf>,
    /// Also show how the given pod differs from what the webhook would inject.
    #[arg(long)]
    pub diff: bool,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

#[derive(Debug, Args)]
pub struct DecodeTokenArgs {
    /// The token file, or - for standard input.
    #[arg(value_name = "FILE|-")]
    pub token: String,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}
