//! Resolution of the webhook's per-pod configuration ("patch config" upstream): which mode,
//! role, audience, token lifetime, regional-STS and region apply, and which containers are
//! skipped. Mirrors `buildPodPatchConfig`, `parsePodAnnotations` and the ServiceAccount cache
//! of amazon-eks-pod-identity-webhook v0.6.x, including its parsing quirks (Go `ParseInt`,
//! `ParseBool`, `encoding/csv` and `filepath.Join`), which are small enough to reproduce here
//! and differ in details from any Rust crate's behaviour.

use super::{MutationMode, PodIdentityConfig};
use crate::model::{ConfigMapRole, ServiceAccountInfo, WebhookSettings};
use std::collections::{BTreeMap, BTreeSet};

/// The webhook's token lifetime constants (`pkg/constants.go`).
pub(super) const DEFAULT_TOKEN_EXPIRATION: i64 = 86_400;
/// The lower end of the Pod Identity jitter range (`DefaultMinTokenExpiration`).
pub(super) const JITTER_MIN_EXPIRATION: i64 = 79_200;
/// Below this the webhook clamps (`MinTokenExpiration`, the API server's floor).
pub(super) const MIN_TOKEN_EXPIRATION: i64 = 600;

/// The IRSA volume and token file name (fixed in the webhook).
pub(super) const IRSA_VOLUME: &str = "aws-iam-token";
pub(super) const IRSA_TOKEN_PATH: &str = "token";
/// The label the webhook sets on Pod Identity pods (fixed, whatever the annotation prefix).
pub(super) const POD_IDENTITY_LABEL: &str = "eks.amazonaws.com/pod-identity";

pub(super) const ENV_ROLE_ARN: &str = "AWS_ROLE_ARN";
pub(super) const ENV_TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
pub(super) const ENV_FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub(super) const ENV_AUTH_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
pub(super) const ENV_STS: &str = "AWS_STS_REGIONAL_ENDPOINTS";
pub(super) const ENV_REGION: &str = "AWS_REGION";
pub(super) const ENV_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";

/// Everything the webhook decided for one pod before touching containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plan {
    pub mode: MutationMode,
    /// IRSA only.
    pub role_arn: Option<String>,
    /// Pod Identity only: `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    pub uri: Option<String>,
    pub audience: String,
    pub mount_path: String,
    pub volume_name: String,
    pub token_path: String,
    /// The env value pointing at the token (Windows-converted where the pod targets Windows).
    pub token_file: String,
    pub expiration: i64,
    pub jittered: bool,
    pub clamped_from: Option<i64>,
    pub regional_sts: bool,
    pub region: Option<String>,
    pub skip: BTreeSet<String>,
}

impl Plan {
    /// `None` when the webhook leaves the pod alone (no Pod Identity match, no role ARN).
    pub fn resolve(
        sa: &ServiceAccountInfo,
        pod_annotations: &BTreeMap<String, String>,
        node_selector: &BTreeMap<String, String>,
        settings: &WebhookSettings,
        pod_identity: Option<&PodIdentityConfig>,
    ) -> Option<Plan> {
        let prefix = &settings.annotation_prefix;
        let sa_annotation = |name: &str| sa.annotations.get(&format!("{prefix}/{name}"));
        let role_arn = sa_annotation("role-arn").filter(|r| !r.is_empty());
        // `cache.Get`: without the SA's own role, the ConfigMap's entry (exact namespace,
        // then `*`) with a non-empty role.
        let mapped = role_arn
            .is_none()
            .then(|| config_map_role(settings, sa))
            .flatten();
        if pod_identity.is_none() && role_arn.is_none() && mapped.is_none() {
            return None;
        }

        // ServiceAccount cache: annotation > flag; unparsable annotations are ignored.
        let mut regional_sts = sa_annotation("sts-regional-endpoints")
            .and_then(|v| go_parse_bool(v))
            .unwrap_or(settings.sts_regional_endpoints);
        let mut lifetime = clamp(settings.default_token_expiration);
        if let Some(v) = sa_annotation("token-expiration").and_then(|v| v.parse::<i64>().ok()) {
            lifetime = clamp(v);
        }
        let mut audience = sa_annotation("audience")
            .cloned()
            .unwrap_or_else(|| settings.audience.clone());
        if let Some(m) = mapped {
            // `populateCacheFromCM` takes the entry's fields as written: no audience default,
            // no regional-STS flag, and a 0 lifetime means the flag's (unclamped otherwise).
            regional_sts = m.regional_sts;
            audience = m.audience.clone();
            if m.token_expiration != 0 {
                lifetime = (m.token_expiration, None);
            }
        }
        // Pod annotation > ServiceAccount annotation > flag.
        let pod_key = format!("{prefix}/token-expiration");
        if let Some(v) = pod_annotations
            .get(&pod_key)
            .and_then(|v| v.parse::<i64>().ok())
        {
            lifetime = clamp(v);
        }
        let (expiration, clamped_from) = lifetime;
        let skip = skip_list(pod_annotations, prefix);

        let mut plan = Plan {
            mode: MutationMode::Irsa,
            role_arn: role_arn.or(mapped.map(|m| &m.role_arn)).cloned(),
            uri: None,
            audience,
            mount_path: settings.token_mount_path.clone(),
            volume_name: IRSA_VOLUME.to_owned(),
            token_path: IRSA_TOKEN_PATH.to_owned(),
            token_file: String::new(),
            expiration,
            jittered: false,
            clamped_from,
            regional_sts,
            region: settings.region.clone().filter(|r| !r.is_empty()),
            skip,
        };
        if let Some(pi) = pod_identity {
            // Pod Identity wins over a role ARN; the default lifetime gets a random jitter.
            plan.mode = MutationMode::PodIdentity;
            plan.role_arn = None;
            plan.uri = Some(pi.uri.clone());
            plan.audience = pi.audience.clone();
            plan.mount_path = pi.mount_path.clone();
            plan.volume_name = pi.volume_name.clone();
            plan.token_path = pi.token_path.clone();
            plan.jittered = plan.expiration == DEFAULT_TOKEN_EXPIRATION;
            if plan.jittered {
                plan.expiration = JITTER_MIN_EXPIRATION;
            }
        }
        plan.token_file = token_file_path(&plan.mount_path, &plan.token_path, node_selector);
        Some(plan)
    }

    /// The env vars that carry the identity in this mode, in injection order.
    pub fn identity_env(&self) -> [(&'static str, &str); 2] {
        match self.mode {
            MutationMode::PodIdentity => [
                (ENV_FULL_URI, self.uri.as_deref().unwrap_or_default()),
                (ENV_AUTH_TOKEN_FILE, self.token_file.as_str()),
            ],
            _ => [
                (ENV_ROLE_ARN, self.role_arn.as_deref().unwrap_or_default()),
                (ENV_TOKEN_FILE, self.token_file.as_str()),
            ],
        }
    }

    /// True when the token lifetime `actual` is what this plan would produce (any value of
    /// the jitter range when the webhook picks a random one).
    pub fn expiration_matches(&self, actual: i64) -> bool {
        if self.jittered {
            (JITTER_MIN_EXPIRATION..=DEFAULT_TOKEN_EXPIRATION).contains(&actual)
        } else {
            actual == self.expiration
        }
    }

    /// The lifetime as shown to users: the number, or the jitter range.
    pub fn describe_expiration(&self) -> String {
        if self.jittered {
            format!("{JITTER_MIN_EXPIRATION}..{DEFAULT_TOKEN_EXPIRATION} (jittered)")
        } else {
            self.expiration.to_string()
        }
    }
}

/// The ConfigMap mapping the webhook would use for `sa`: its namespace's, else the `*` one;
/// entries with an empty role do not count (`cache.Get` then mutates nothing).
pub fn config_map_role<'a>(
    settings: &'a WebhookSettings,
    sa: &ServiceAccountInfo,
) -> Option<&'a ConfigMapRole> {
    let find = |ns: &str| {
        settings
            .config_map_roles
            .iter()
            .find(|r| r.namespace == ns && r.service_account == sa.name)
    };
    find(&sa.namespace)
        .or_else(|| find("*"))
        .filter(|r| !r.role_arn.is_empty())
}

/// `getContainersToSkip`: the names in the pod's `<prefix>/skip-containers` annotation.
pub(super) fn skip_list(annotations: &BTreeMap<String, String>, prefix: &str) -> BTreeSet<String> {
    annotations
        .get(&format!("{prefix}/skip-containers"))
        .and_then(|v| go_csv_first_record(v))
        .unwrap_or_default()
        .into_iter()
        .collect()
}

/// `ValidateMinTokenExpiration`: below 600 s becomes 600 s. There is no upper clamp in the
/// webhook (its `MaxTokenExpiration` constant is not applied to annotations).
fn clamp(v: i64) -> (i64, Option<i64>) {
    if v < MIN_TOKEN_EXPIRATION {
        (MIN_TOKEN_EXPIRATION, Some(v))
    } else {
        (v, None)
    }
}

/// True when the pod targets Windows nodes (the webhook's node-selector test).
fn targets_windows(node_selector: &BTreeMap<String, String>) -> bool {
    ["kubernetes.io/os", "beta.kubernetes.io/os"]
        .iter()
        .any(|k| node_selector.get(*k).is_some_and(|v| v == "windows"))
}

/// `filepath.Join(mount, token)`, turned into `C:\…` for Windows pods.
pub(super) fn token_file_path(
    mount_path: &str,
    token_path: &str,
    node_selector: &BTreeMap<String, String>,
) -> String {
    let joined = go_clean(&format!("{mount_path}/{token_path}"));
    if targets_windows(node_selector) {
        format!("C:{}", joined.replace('/', "\\"))
    } else {
        joined
    }
}

/// Go's `strconv.ParseBool`.
pub(crate) fn go_parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `path.Clean` on a slash path: collapses `//`, `.` and `..`.
fn go_clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_owned(),
        (false, false) => body,
    }
}

/// The first record of Go's `encoding/csv` reader with default settings, as the webhook reads
/// `skip-containers`: fields are split on `,` and NOT trimmed (`"a, b"` names `a` and ` b`);
/// quoted fields are honoured; leading blank lines are skipped. `None` where Go returns an
/// error (empty value, bare or unterminated quote), in which case the webhook skips nothing.
fn go_csv_first_record(value: &str) -> Option<Vec<String>> {
    let normalised = value.replace("\r\n", "\n");
    let text = normalised.trim_start_matches('\n');
    if text.is_empty() {
        return None;
    }
    let mut chars = text.chars().peekable();
    let mut fields = Vec::new();
    loop {
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => match chars.peek() {
                        Some('"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some(',') | Some('\n') | None => break,
                        Some(_) => return None,
                    },
                    c => field.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                match c {
                    ',' | '\n' => break,
                    '"' => return None,
                    _ => {
                        field.push(c);
                        chars.next();
                    }
                }
            }
        }
        fields.push(field);
        if chars.next() != Some(',') {
            return Some(fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_list_follows_go_csv() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("sidecar", Some(&["sidecar"])),
            ("a,b", Some(&["a", "b"])),
            ("a, b", Some(&["a", " b"])),
            ("a,,b", Some(&["a", "", "b"])),
            ("\"a,b\",c", Some(&["a,b", "c"])),
            ("\n\nistio-proxy", Some(&["istio-proxy"])),
            ("a\nb", Some(&["a"])),
            ("", None),
            ("a\"b", None),
            ("\"open", None),
        ];
        for (input, expected) in cases {
            let got = go_csv_first_record(input);
            let expected = expected.map(|e| e.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, expected, "{input:?}");
        }
    }

    #[test]
    fn token_paths_are_joined_like_go() {
        let none = BTreeMap::new();
        assert_eq!(token_file_path("/a/b/", "token", &none), "/a/b/token");
        assert_eq!(token_file_path("/a//b", "./t", &none), "/a/b/t");
        assert_eq!(token_file_path("/a/b", "../t", &none), "/a/t");
        let win = BTreeMap::from([("kubernetes.io/os".to_owned(), "windows".to_owned())]);
        assert_eq!(token_file_path("/x/y", "token", &win), r"C:\x\y\token");
        let linux = BTreeMap::from([("kubernetes.io/os".to_owned(), "Windows".to_owned())]);
        assert_eq!(token_file_path("/x", "t", &linux), "/x/t", "case-sensitive");
    }

    #[test]
    fn go_bools() {
        assert_eq!(go_parse_bool("True"), Some(true));
        assert_eq!(go_parse_bool("0"), Some(false));
        assert_eq!(go_parse_bool("yes"), None);
        assert_eq!(go_parse_bool(" true"), None);
    }
}
