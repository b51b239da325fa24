//! Decoding projected ServiceAccount tokens: every claim shape the API server (and other
//! issuers) produce, every error a pasted token can hit, and the promise that no error or
//! debug output ever carries token text. Tokens are built here from JSON with a clearly fake
//! signature.

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use irsa_core::analysis::token::{TokenError, TokenPart, decode};
use jiff::Timestamp;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

const FAKE_SIGNATURE: &str = "FAKE-SIGNATURE-not-a-real-one_0123456789";

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn jwt(header: &Value, payload: &Value) -> String {
    format!("{}.{}.{FAKE_SIGNATURE}", b64(header), b64(payload))
}

fn rs256() -> Value {
    json!({"alg": "RS256", "kid": "3f1c0b7e9a", "typ": "JWT"})
}

/// What the API server puts into an IRSA token for demo/s3-reader.
fn eks_payload() -> Value {
    json!({
        "aud": ["sts.amazonaws.com"],
        "exp": 1_767_312_000,
        "iat": 1_767_225_600,
        "nbf": 1_767_225_600,
        "iss": "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC",
        "kubernetes.io": {
            "namespace": "demo",
            "node": {"name": "ip-10-0-1-23.eu-west-1.compute.internal", "uid": "node-uid-1"},
            "pod": {"name": "s3-reader-7d9f-abcde", "uid": "pod-uid-1"},
            "serviceaccount": {"name": "s3-reader", "uid": "sa-uid-1"},
            "warnafter": 1_767_229_207
        },
        "sub": "system:serviceaccount:demo:s3-reader"
    })
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

#[test]
fn decodes_a_full_eks_token() {
    let t = decode(&jwt(&rs256(), &eks_payload())).unwrap();
    assert_eq!(t.header.alg.as_deref(), Some("RS256"));
    assert_eq!(t.header.kid.as_deref(), Some("3f1c0b7e9a"));
    assert_eq!(t.header.typ.as_deref(), Some("JWT"));
    let c = &t.claims;
    assert_eq!(
        c.iss.as_deref(),
        Some("https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC")
    );
    assert_eq!(
        c.sub.as_deref(),
        Some("system:serviceaccount:demo:s3-reader")
    );
    assert_eq!(c.aud, vec!["sts.amazonaws.com".to_owned()]);
    assert_eq!(c.exp, Some(1_767_312_000));
    assert_eq!(c.iat, Some(1_767_225_600));
    assert_eq!(c.nbf, Some(1_767_225_600));
    let k = c.kubernetes.as_ref().unwrap();
    assert_eq!(k.namespace.as_deref(), Some("demo"));
    assert_eq!(k.serviceaccount.as_ref().unwrap().name, "s3-reader");
    assert_eq!(
        k.serviceaccount.as_ref().unwrap().uid.as_deref(),
        Some("sa-uid-1")
    );
    assert_eq!(k.pod.as_ref().unwrap().name, "s3-reader-7d9f-abcde");
    assert_eq!(
        k.node.as_ref().unwrap().name,
        "ip-10-0-1-23.eu-west-1.compute.internal"
    );
    assert_eq!(
        t.subject_service_account(),
        Some(("demo".to_owned(), "s3-reader".to_owned()))
    );
}

#[test]
fn claim_shapes() {
    // (payload, expected aud, expected exp)
    let cases: Vec<(&str, Value, Vec<&str>, Option<i64>)> = vec![
        (
            "aud as string",
            json!({"aud": "sts.amazonaws.com"}),
            vec!["sts.amazonaws.com"],
            None,
        ),
        (
            "aud as array of two",
            json!({"aud": ["sts.amazonaws.com", "pods.eks.amazonaws.com"]}),
            vec!["sts.amazonaws.com", "pods.eks.amazonaws.com"],
            None,
        ),
        ("aud as empty array", json!({"aud": []}), vec![], None),
        ("no claims at all", json!({}), vec![], None),
        (
            "fractional exp is floored",
            json!({"exp": 1_700_000_000.9}),
            vec![],
            Some(1_700_000_000),
        ),
        (
            "unknown claims ignored",
            json!({"jti": 7, "custom": {"x": [1]}, "exp": 5}),
            vec![],
            Some(5),
        ),
    ];
    for (name, payload, aud, exp) in cases {
        let t = decode(&jwt(&rs256(), &payload)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(t.claims.aud, aud, "{name}");
        assert_eq!(t.claims.exp, exp, "{name}");
    }
}

#[test]
fn kubernetes_claim_without_node_or_uids() {
    let payload = json!({"kubernetes.io": {"namespace": "demo", "pod": {"name": "p"}}});
    let k = decode(&jwt(&rs256(), &payload))
        .unwrap()
        .claims
        .kubernetes
        .unwrap();
    assert_eq!(k.namespace.as_deref(), Some("demo"));
    assert_eq!(k.pod.unwrap().uid, None);
    assert_eq!(k.node, None);
    assert_eq!(k.serviceaccount, None);
}

#[test]
fn padding_and_white_space_are_tolerated() {
    let header = URL_SAFE.encode(serde_json::to_vec(&rs256()).unwrap());
    let payload =
        URL_SAFE.encode(serde_json::to_vec(&json!({"sub": "system:serviceaccount:a:b"})).unwrap());
    let token = format!("  \n{header}.{payload}.{FAKE_SIGNATURE}\n ");
    assert!(
        header.ends_with('=') || payload.ends_with('='),
        "test needs a padded part"
    );
    let t = decode(&token).unwrap();
    assert_eq!(
        t.subject_service_account(),
        Some(("a".to_owned(), "b".to_owned()))
    );
}

#[test]
fn subject_service_account_rejects_other_subjects() {
    for sub in [
        "system:serviceaccount:demo",
        "system:serviceaccount::sa",
        "system:serviceaccount:demo:",
        "system:serviceaccount:a:b:c",
        "system:node:ip-10-0-0-1",
        "arn:aws:iam::123456789012:role/x",
    ] {
        let t = decode(&jwt(&rs256(), &json!({ "sub": sub }))).unwrap();
        assert_eq!(t.subject_service_account(), None, "{sub}");
    }
    let t = decode(&jwt(&rs256(), &json!({}))).unwrap();
    assert_eq!(t.subject_service_account(), None);
}

/// Every error case, with the words its message must contain.
fn error_cases() -> Vec<(&'static str, String, TokenError, Vec<&'static str>)> {
    let h = b64(&rs256());
    let p = b64(&eks_payload());
    let bad_json = URL_SAFE_NO_PAD.encode(b"{\"sub\": system:serviceaccount:demo:s3-reader}");
    vec![
        ("empty", "   ".to_owned(), TokenError::Empty, vec!["empty"]),
        (
            "two parts",
            format!("{h}.{p}"),
            TokenError::PartCount { parts: 2 },
            vec!["2", "expected 3"],
        ),
        (
            "five parts (JWE)",
            format!("{h}.{p}.x.y.{FAKE_SIGNATURE}"),
            TokenError::PartCount { parts: 5 },
            vec!["5", "JWE"],
        ),
        (
            "one part",
            "notajwtatall".to_owned(),
            TokenError::PartCount { parts: 1 },
            vec!["1", "expected 3"],
        ),
        (
            "empty signature",
            format!("{h}.{p}."),
            TokenError::MissingSignature,
            vec!["signature", "empty"],
        ),
        (
            "header not base64url",
            format!("{h}*!.{p}.{FAKE_SIGNATURE}"),
            TokenError::Base64 {
                part: TokenPart::Header,
            },
            vec!["header", "base64url"],
        ),
        (
            "payload in standard base64 alphabet",
            format!("{h}.{}+/.{FAKE_SIGNATURE}", &p[..p.len() - 2]),
            TokenError::Base64 {
                part: TokenPart::Payload,
            },
            vec!["payload", "base64url"],
        ),
        (
            "payload not JSON",
            format!("{h}.{bad_json}.{FAKE_SIGNATURE}"),
            TokenError::Json {
                part: TokenPart::Payload,
                problem: "syntax error at column 9".to_owned(),
            },
            vec!["payload", "not JSON"],
        ),
        (
            "header is a JSON string",
            format!("{}.{p}.{FAKE_SIGNATURE}", b64(&json!("RS256"))),
            TokenError::NotAnObject {
                part: TokenPart::Header,
                found: "a string",
            },
            vec!["header", "not an object"],
        ),
        (
            "header alg is a number",
            format!("{}.{p}.{FAKE_SIGNATURE}", b64(&json!({"alg": 256}))),
            wrong(TokenPart::Header, "alg", "a string", "a number"),
            vec!["header", "field `alg`"],
        ),
        (
            "aud is a number",
            jwt(&rs256(), &with(eks_payload(), "aud", json!(42))),
            wrong(
                TokenPart::Payload,
                "aud",
                "a string or an array of strings",
                "a number",
            ),
            vec!["claim `aud`"],
        ),
        (
            "aud array holds an object",
            jwt(
                &rs256(),
                &with(eks_payload(), "aud", json!(["sts.amazonaws.com", {"x": 1}])),
            ),
            wrong(
                TokenPart::Payload,
                "aud",
                "a string or an array of strings",
                "an array holding an object",
            ),
            vec!["`aud`"],
        ),
        (
            "exp is a string",
            jwt(&rs256(), &with(eks_payload(), "exp", json!("1767312000"))),
            wrong(
                TokenPart::Payload,
                "exp",
                "a number of seconds (NumericDate)",
                "a string",
            ),
            vec!["`exp`"],
        ),
        (
            "iat is null",
            jwt(&rs256(), &with(eks_payload(), "iat", Value::Null)),
            wrong(
                TokenPart::Payload,
                "iat",
                "a number of seconds (NumericDate)",
                "null",
            ),
            vec!["`iat`"],
        ),
        (
            "nbf out of range",
            jwt(&rs256(), &with(eks_payload(), "nbf", json!(1e30))),
            wrong(
                TokenPart::Payload,
                "nbf",
                "a number of seconds (NumericDate)",
                "a number out of range",
            ),
            vec!["`nbf`"],
        ),
        (
            "sub is an array",
            jwt(
                &rs256(),
                &with(
                    eks_payload(),
                    "sub",
                    json!(["system:serviceaccount:demo:s3-reader"]),
                ),
            ),
            wrong(TokenPart::Payload, "sub", "a string", "an array"),
            vec!["`sub`"],
        ),
        (
            "iss is a boolean",
            jwt(&rs256(), &with(eks_payload(), "iss", json!(true))),
            wrong(TokenPart::Payload, "iss", "a string", "a boolean"),
            vec!["`iss`"],
        ),
        (
            "kubernetes.io is a string",
            jwt(
                &rs256(),
                &with(eks_payload(), "kubernetes.io", json!("demo")),
            ),
            wrong(TokenPart::Payload, "kubernetes.io", "an object", "a string"),
            vec!["`kubernetes.io`"],
        ),
        (
            "kubernetes.io.pod without name",
            jwt(&rs256(), &json!({"kubernetes.io": {"pod": {"uid": "u"}}})),
            wrong(
                TokenPart::Payload,
                "kubernetes.io.pod.name",
                "a string",
                "nothing (missing)",
            ),
            vec!["`kubernetes.io.pod.name`"],
        ),
        (
            "kubernetes.io.namespace is a number",
            jwt(&rs256(), &json!({"kubernetes.io": {"namespace": 3}})),
            wrong(
                TokenPart::Payload,
                "kubernetes.io.namespace",
                "a string",
                "a number",
            ),
            vec!["`kubernetes.io.namespace`"],
        ),
    ]
}

fn wrong(part: TokenPart, field: &str, expected: &'static str, found: &'static str) -> TokenError {
    TokenError::WrongType {
        part,
        field: field.to_owned(),
        expected,
        found,
    }
}

#[test]
fn each_error_is_typed_and_named() {
    for (name, token, expected, words) in error_cases() {
        let err = decode(&token).expect_err(name);
        assert_eq!(err, expected, "{name}");
        let msg = err.to_string();
        assert!(!msg.contains('\n'), "{name}: one line: {msg}");
        for w in words {
            assert!(msg.contains(w), "{name}: {msg:?} should mention {w:?}");
        }
    }
}

/// Fragments of token text that must never appear in an error or in Debug output.
fn secrets_of(token: &str) -> Vec<String> {
    let mut out = vec![
        FAKE_SIGNATURE.to_owned(),
        "s3-reader".to_owned(),
        "4656D0B7".to_owned(),
    ];
    for part in token.trim().split('.') {
        if part.len() >= 8 {
            out.push(part[..8].to_owned());
        }
    }
    out
}

#[test]
fn errors_never_contain_token_text() {
    for (name, token, _, _) in error_cases() {
        let err = decode(&token).expect_err(name);
        let shown = format!("{err} {err:?}");
        for secret in secrets_of(&token) {
            assert!(
                !shown.contains(&secret),
                "{name}: {shown:?} leaks {secret:?}"
            );
        }
    }
}

#[test]
fn decoded_token_never_carries_the_signature() {
    let token = jwt(&rs256(), &eks_payload());
    let t = decode(&token).unwrap();
    let debug = format!("{t:?}");
    let json = serde_json::to_string(&t).unwrap();
    for shown in [debug, json] {
        assert!(!shown.contains(FAKE_SIGNATURE));
        assert!(!shown.contains("FAKE"));
    }
}

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap()
}

#[test]
fn lifetime_of_a_day_long_token() {
    let iat = 1_767_225_600;
    let t = decode(&jwt(&rs256(), &json!({"iat": iat, "exp": iat + 86_400}))).unwrap();

    let fresh = t.lifetime(at(iat + 3_600)).unwrap();
    assert_eq!(fresh.issued_at, at(iat));
    assert_eq!(fresh.expires_at, at(iat + 86_400));
    assert_eq!(fresh.ttl_seconds, 86_400);
    assert_eq!(fresh.remaining_seconds, 82_800);
    assert_eq!(fresh.refresh_at, at(iat + 69_120), "80 % of 24 h");
    assert!(!fresh.expired);
    assert!(!fresh.past_refresh);

    let stale = t.lifetime(at(iat + 70_000)).unwrap();
    assert!(stale.past_refresh);
    assert!(!stale.expired);

    let dead = t.lifetime(at(iat + 90_000)).unwrap();
    assert!(dead.expired);
    assert!(dead.past_refresh);
    assert_eq!(dead.remaining_seconds, -3_600);

    let exactly_at_exp = t.lifetime(at(iat + 86_400)).unwrap();
    assert!(
        exactly_at_exp.expired,
        "exp is the first instant it is invalid"
    );
    assert_eq!(exactly_at_exp.remaining_seconds, 0);
}

#[test]
fn lifetime_refresh_point_is_capped_at_a_day() {
    // A legacy-extended token (1 year): kubelet still refreshes 24 h after issue.
    let iat = 1_767_225_600;
    let year = 365 * 86_400;
    let t = decode(&jwt(&rs256(), &json!({"iat": iat, "exp": iat + year}))).unwrap();
    let l = t.lifetime(at(iat + 10)).unwrap();
    assert_eq!(l.refresh_at, at(iat + 86_400));
    assert_eq!(l.ttl_seconds, year);
}

#[test]
fn lifetime_of_a_ten_minute_token() {
    let iat = 1_000_000;
    let t = decode(&jwt(&rs256(), &json!({"iat": iat, "exp": iat + 600}))).unwrap();
    let l = t.lifetime(at(iat + 479)).unwrap();
    assert_eq!(l.refresh_at, at(iat + 480));
    assert!(!l.past_refresh);
    assert!(t.lifetime(at(iat + 481)).unwrap().past_refresh);
}

#[test]
fn lifetime_needs_iat_and_exp() {
    let now = at(1_000);
    for payload in [json!({"exp": 5_000}), json!({"iat": 5_000}), json!({})] {
        let t = decode(&jwt(&rs256(), &payload)).unwrap();
        assert_eq!(t.lifetime(now), None, "{payload}");
    }
}
