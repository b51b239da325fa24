//! Which literal env values are secrets: by the variable's name (`AWS_SECRET_ACCESS_KEY`,
//! `*_TOKEN`, `*PASSWORD*`, …) or by the value's shape (a JWT, a PEM key, an AWS secret key, a
//! session token). The projection drops the literals these rules match, so they never reach a
//! screen, a log or a snapshot file.

/// True when a literal value of an env var with this name is a secret that must never be shown.
/// Paths and URIs to secrets (`…_TOKEN_FILE`, `…_URI`) are not secrets themselves.
pub fn is_secret_env_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let pointer = ["_FILE", "_PATH", "_URI", "_URL", "_DIR"]
        .iter()
        .any(|s| upper.ends_with(s));
    let secretish = [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "CREDENTIAL",
        "PRIVATE_KEY",
        "API_KEY",
    ]
    .iter()
    .any(|s| upper.contains(s));
    secretish && !pointer
}

/// True when a literal value looks like a credential whatever its variable is called: a JWT
/// (`eyJ….….…`), a PEM private key, an AWS secret access key (40 characters of base64 with upper
/// case, lower case and digits — not a hex digest) or a long base64 blob such as an AWS session
/// token. Access key ids (`AKIA…`) are identifiers, not secrets, and stay visible: POD004 names
/// them.
pub fn is_secret_env_value(value: &str) -> bool {
    let v = value.trim();
    let b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_');
    // Runs for every literal env var of every pod: the cheap tests first, scans only when the
    // shape can match.
    let jwt = || {
        v.starts_with("eyJ")
            && v.split('.').count() == 3
            && v.split('.').all(|p| !p.is_empty() && p.chars().all(b64))
    };
    let pem = || v.contains("-----BEGIN") && v.contains("PRIVATE KEY");
    // An AWS secret key (40 characters) or a long blob such as a session token.
    let key_or_blob = || {
        (v.len() == 40 || v.len() >= 100)
            && v.chars().all(b64)
            && v.chars().any(|c| c.is_ascii_uppercase())
            && v.chars().any(|c| c.is_ascii_lowercase())
            && v.chars().any(|c| c.is_ascii_digit())
    };
    jwt() || pem() || key_or_blob()
}
