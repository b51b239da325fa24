//! The two small vocabularies every layer shares: how a ServiceAccount gets credentials
//! ([`Mechanism`]) and the badge of a row ([`Verdict`]). A leaf: it imports nothing of the
//! analysis, so the checks (which compute them) and the report (which carries them) both
//! depend on it and not on each other.

use serde::{Deserialize, Serialize};

/// How a ServiceAccount gets AWS credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    Irsa,
    PodIdentity,
    Both,
    None,
}

/// The verdict badge of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing to check (no identity configured) and nothing wrong.
    None,
    Ok,
    /// Some input needed for the verdict is unknown (source missing or denied).
    Unknown,
    Warn,
    Fail,
}
