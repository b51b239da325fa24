//! What a source can do beyond loading, for the header badges and the live actions.

/// What the data source can do beyond loading, as it says at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Live cluster: tokens can be minted and read.
    pub live_actions: bool,
    /// `--aws`: "test it for real" can call STS.
    pub aws: bool,
    /// `--read-only`: no action runs (the header says so).
    pub read_only: bool,
    /// Kubeconfig contexts exist (`:ctx`).
    pub contexts: bool,
}
