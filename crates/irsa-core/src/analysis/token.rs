//! Decoding of projected ServiceAccount tokens (JWTs) without verifying them: header and
//! claims only. The signature is checked to be present and then dropped: it is never stored,
//! returned or printed. (Contract written by the skeleton; bodies by the token work.)
//!
//! Why hand-written: JWT crates (`jsonwebtoken`, `jwt-simple`, …) are built to *verify* and
//! either insist on a key or return opaque errors that may quote the input. Here we only need
//! base64url + JSON (done by the `base64` and `serde_json` crates) plus claim-by-claim type
//! checks so that every error names the part or claim at fault and never echoes token text.
//! (serde's own messages quote the offending value, so claims are read from a
//! `serde_json::Value` by hand instead of through `#[derive(Deserialize)]`.)
//!
//! Decisions:
//! - `exp`/`iat`/`nbf` are RFC 7519 NumericDates, which may carry fractions: a float is
//!   accepted and floored to whole seconds; anything outside `i64` is an error.
//! - A claim present with the wrong type (including `null`) is an error naming the claim;
//!   unknown claims are ignored.
//! - Base64url is accepted with or without `=` padding; the standard alphabet (`+`, `/`) is not
//!   base64url and is rejected.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedToken {
    pub header: JwtHeader,
    pub claims: TokenClaims,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtHeader {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud` as a list whether the token had a string or an array.
    #[serde(default)]
    pub aud: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The `kubernetes.io` claim binding the token to a namespace, SA, pod and node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesClaim>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubernetesClaim {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serviceaccount: Option<ObjectBinding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<ObjectBinding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<ObjectBinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectBinding {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// Times derived from `iat`/`exp` at a given `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLifetime {
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub ttl_seconds: i64,
    /// Negative once expired.
    pub remaining_seconds: i64,
    /// When kubelet refreshes the file: at 80 % of the TTL.
    pub refresh_at: Timestamp,
    pub expired: bool,
    pub past_refresh: bool,
}

/// The dot-separated part of a compact JWT an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenPart {
    Header,
    Payload,
}

impl fmt::Display for TokenPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenPart::Header => "header (part 1)",
            TokenPart::Payload => "payload (part 2)",
        })
    }
}

impl TokenPart {
    /// What the named items of this part are called: header fields, payload claims.
    pub fn item_noun(self) -> &'static str {
        match self {
            TokenPart::Header => "field",
            TokenPart::Payload => "claim",
        }
    }
}

/// Why a token could not be decoded. Messages name the part or claim at fault and never
/// contain any text of the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    #[error("token is empty")]
    Empty,
    #[error(
        "token has {parts} dot-separated part(s), expected 3 (header.payload.signature){hint}",
        hint = if *parts == 5 { "; 5 parts is an encrypted JWE, not a ServiceAccount token" } else { "" }
    )]
    PartCount { parts: usize },
    #[error("token signature (part 3) is empty: not a signed JWT")]
    MissingSignature,
    #[error("token {part} is not valid base64url")]
    Base64 { part: TokenPart },
    #[error("token {part} is not JSON ({problem})")]
    Json { part: TokenPart, problem: String },
    #[error("token {part} is JSON but not an object (found {found})")]
    NotAnObject {
        part: TokenPart,
        found: &'static str,
    },
    #[error(
        "token {part} {} `{field}` has the wrong type: expected {expected}, found {found}",
        part.item_noun()
    )]
    WrongType {
        part: TokenPart,
        field: String,
        expected: &'static str,
        found: &'static str,
    },
}

/// base64url, padding optional (some tools pad JWT parts although RFC 7515 says not to).
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes a compact JWT (`header.payload.signature`); surrounding white space is ignored.
pub fn decode(token: &str) -> Result<DecodedToken, TokenError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenError::Empty);
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(TokenError::PartCount { parts: parts.len() });
    };
    if signature.is_empty() {
        return Err(TokenError::MissingSignature);
    }
    let header = json_object(header, TokenPart::Header)?;
    let payload = json_object(payload, TokenPart::Payload)?;
    Ok(DecodedToken {
        header: parse_header(&header)?,
        claims: parse_claims(&payload)?,
    })
}

impl DecodedToken {
    /// Lifetime figures at `now`; `None` when `iat` or `exp` is missing (or out of the
    /// representable time range).
    ///
    /// `refresh_at` follows kubelet's token manager: it rewrites the file once less than 20 %
    /// of the TTL is left (`exp - ttl*20/100`), and at the latest 24 h after issue. The
    /// kubelet's random jitter of up to 10 s is ignored.
    pub fn lifetime(&self, now: Timestamp) -> Option<TokenLifetime> {
        let iat = self.claims.iat?;
        let exp = self.claims.exp?;
        let ttl = exp.checked_sub(iat)?;
        let refresh = exp
            .checked_sub(ttl / 5)?
            .min(iat.checked_add(KUBELET_MAX_TTL_SECONDS)?);
        let now_s = now.as_second();
        Some(TokenLifetime {
            issued_at: Timestamp::from_second(iat).ok()?,
            expires_at: Timestamp::from_second(exp).ok()?,
            ttl_seconds: ttl,
            remaining_seconds: exp.checked_sub(now_s)?,
            refresh_at: Timestamp::from_second(refresh).ok()?,
            expired: now_s >= exp,
            past_refresh: now_s > refresh,
        })
    }

    /// `(namespace, name)` from a `sub` of the form `system:serviceaccount:<ns>:<sa>`.
    pub fn subject_service_account(&self) -> Option<(String, String)> {
        let rest = self
            .claims
            .sub
            .as_deref()?
            .strip_prefix("system:serviceaccount:")?;
        let (ns, sa) = rest.split_once(':')?;
        (!ns.is_empty() && !sa.is_empty() && !sa.contains(':'))
            .then(|| (ns.to_owned(), sa.to_owned()))
    }
}

/// kubelet refreshes a projected token at the latest this long after issue.
const KUBELET_MAX_TTL_SECONDS: i64 = 24 * 60 * 60;

fn json_object(part_text: &str, part: TokenPart) -> Result<Map<String, Value>, TokenError> {
    let bytes = B64URL
        .decode(part_text)
        .map_err(|_| TokenError::Base64 { part })?;
    // serde_json's syntax messages describe the grammar problem and its position, never the
    // input text; data-type messages can quote values but cannot occur for `Value`.
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| TokenError::Json {
        part,
        problem: format!("{:?} error at column {}", e.classify(), e.column()).to_lowercase(),
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(TokenError::NotAnObject {
            part,
            found: json_type(&other),
        }),
    }
}

fn parse_header(map: &Map<String, Value>) -> Result<JwtHeader, TokenError> {
    let r = Reader {
        map,
        part: TokenPart::Header,
        prefix: "",
    };
    Ok(JwtHeader {
        alg: r.string("alg")?,
        kid: r.string("kid")?,
        typ: r.string("typ")?,
    })
}

fn parse_claims(map: &Map<String, Value>) -> Result<TokenClaims, TokenError> {
    let r = Reader {
        map,
        part: TokenPart::Payload,
        prefix: "",
    };
    Ok(TokenClaims {
        iss: r.string("iss")?,
        sub: r.string("sub")?,
        aud: r.audience("aud")?,
        exp: r.numeric_date("exp")?,
        iat: r.numeric_date("iat")?,
        nbf: r.numeric_date("nbf")?,
        kubernetes: match r.object("kubernetes.io")? {
            None => None,
            Some(k8s) => Some(parse_kubernetes(k8s)?),
        },
    })
}

fn parse_kubernetes(map: &Map<String, Value>) -> Result<KubernetesClaim, TokenError> {
    let r = Reader {
        map,
        part: TokenPart::Payload,
        prefix: "kubernetes.io.",
    };
    Ok(KubernetesClaim {
        namespace: r.string("namespace")?,
        serviceaccount: r.binding("serviceaccount")?,
        pod: r.binding("pod")?,
        node: r.binding("node")?,
    })
}

/// Reads typed fields out of one JSON object, naming the full claim path in errors.
struct Reader<'a> {
    map: &'a Map<String, Value>,
    part: TokenPart,
    prefix: &'static str,
}

impl<'a> Reader<'a> {
    fn wrong(&self, key: &str, expected: &'static str, found: &Value) -> TokenError {
        self.wrong_found(key, expected, json_type(found))
    }

    fn wrong_found(&self, key: &str, expected: &'static str, found: &'static str) -> TokenError {
        TokenError::WrongType {
            part: self.part,
            field: format!("{}{key}", self.prefix),
            expected,
            found,
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, TokenError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    fn object(&self, key: &str) -> Result<Option<&'a Map<String, Value>>, TokenError> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(self.wrong(key, "an object", other)),
        }
    }

    fn audience(&self, key: &str) -> Result<Vec<String>, TokenError> {
        const EXPECTED: &str = "a string or an array of strings";
        match self.map.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong_found(
                        key,
                        EXPECTED,
                        match json_type(other) {
                            "an array" => "an array holding an array",
                            "an object" => "an array holding an object",
                            "a number" => "an array holding a number",
                            "a boolean" => "an array holding a boolean",
                            _ => "an array holding null",
                        },
                    )),
                })
                .collect(),
            Some(other) => Err(self.wrong(key, EXPECTED, other)),
        }
    }

    fn numeric_date(&self, key: &str) -> Result<Option<i64>, TokenError> {
        const EXPECTED: &str = "a number of seconds (NumericDate)";
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                if let Some(i) = n.as_i64() {
                    return Ok(Some(i));
                }
                // Fractional NumericDate (or an integer beyond i64): floor within range.
                match n.as_f64().map(f64::floor) {
                    Some(f) if f >= i64::MIN as f64 && f < i64::MAX as f64 => Ok(Some(f as i64)),
                    _ => Err(self.wrong_found(key, EXPECTED, "a number out of range")),
                }
            }
            Some(other) => Err(self.wrong(key, EXPECTED, other)),
        }
    }

    fn binding(&self, key: &str) -> Result<Option<ObjectBinding>, TokenError> {
        let Some(map) = self.object(key)? else {
            return Ok(None);
        };
        let inner = Reader {
            map,
            part: self.part,
            prefix: match key {
                "serviceaccount" => "kubernetes.io.serviceaccount.",
                "pod" => "kubernetes.io.pod.",
                _ => "kubernetes.io.node.",
            },
        };
        let Some(name) = inner.string("name")? else {
            return Err(inner.wrong_found("name", "a string", "nothing (missing)"));
        };
        Ok(Some(ObjectBinding {
            name,
            uid: inner.string("uid")?,
        }))
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
