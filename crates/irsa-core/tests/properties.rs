//! Property tests (proptest) of the trust-policy evaluator and the token decoder: invariants
//! of IAM's evaluation logic that must hold for every policy and request, not just the
//! hand-picked cases of `tests/trust_rules.rs`.
//!
//! Policies are generated as IAM JSON documents (so the parser is on the path too) from small
//! pools of keys, values and operators, chosen so that generated requests often match.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use irsa_core::analysis::policy::{self, PolicyDocument};
use irsa_core::analysis::token;
use irsa_core::analysis::trust::{
    self, ConditionTrace, Decision, RequestContext, RequestPrincipal,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Value, json};

const PROVIDERS: [&str; 2] = [
    "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC",
    "arn:aws:iam::210987654321:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AAAA",
];
const ACTIONS: [&str; 4] = [
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRole",
    "sts:TagSession",
    "sts:*",
];
const KEYS: [&str; 4] = [
    "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub",
    "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:aud",
    "aws:PrincipalTag/team",
    "sts:ExternalId",
];
/// Values of every kind the operators read, plus near misses.
const VALUES: [&str; 16] = [
    "system:serviceaccount:demo:s3-reader",
    "system:serviceaccount:demo:*",
    "system:serviceaccount:demo2:s3-reader",
    "sts.amazonaws.com",
    "STS.amazonaws.com",
    "a?c",
    "abc",
    "",
    "3600",
    "1.5",
    "true",
    "2020-01-01T00:00:00Z",
    "10.0.0.0/8",
    "10.1.2.3",
    "arn:aws:iam::123456789012:role/team-*",
    "QmluYXJ5",
];
const BASES: [&str; 27] = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// An operator name: optional set qualifier, base, optional `IfExists` (never on `Null`).
fn operator() -> impl Strategy<Value = String> {
    (
        select(vec!["", "ForAnyValue:", "ForAllValues:"]),
        select(BASES.to_vec()),
        any::<bool>(),
    )
        .prop_map(|(set, base, if_exists)| {
            let suffix = if if_exists && base != "Null" {
                "IfExists"
            } else {
                ""
            };
            format!("{set}{base}{suffix}")
        })
}

/// A `Condition` block: operator → key → value or list of values.
fn condition_block() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (
            operator(),
            select(KEYS.to_vec()),
            prop::collection::vec(select(VALUES.to_vec()), 1..3),
        ),
        0..3,
    )
    .prop_map(|conds| {
        let mut block = serde_json::Map::new();
        for (op, key, values) in conds {
            let keys = block
                .entry(op)
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|m| {
                    let value = if values.len() == 1 {
                        json!(values[0])
                    } else {
                        json!(values)
                    };
                    m.insert(key.to_owned(), value);
                });
            let _ = keys;
        }
        Value::Object(block)
    })
}

fn statement(effect: Option<&'static str>) -> impl Strategy<Value = Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => select(vec!["Allow", "Deny"]).boxed(),
    };
    (
        effect,
        prop_oneof![
            Just(json!("*")),
            select(PROVIDERS.to_vec()).prop_map(|p| json!({ "Federated": p })),
            Just(json!({ "AWS": "arn:aws:iam::123456789012:root" })),
        ],
        any::<bool>(),
        prop::collection::vec(select(ACTIONS.to_vec()), 1..3),
        condition_block(),
    )
        .prop_map(|(effect, principal, not_principal, actions, conditions)| {
            let mut s = serde_json::Map::new();
            s.insert("Effect".into(), json!(effect));
            let principal_key = if not_principal && principal != json!("*") {
                "NotPrincipal"
            } else {
                "Principal"
            };
            s.insert(principal_key.into(), principal);
            s.insert("Action".into(), json!(actions));
            if conditions.as_object().is_some_and(|m| !m.is_empty()) {
                s.insert("Condition".into(), conditions);
            }
            Value::Object(s)
        })
}

fn document() -> impl Strategy<Value = Value> {
    prop::collection::vec(statement(None), 1..4)
        .prop_map(|statements| json!({ "Version": "2012-10-17", "Statement": statements }))
}

fn request() -> impl Strategy<Value = RequestContext> {
    (
        prop_oneof![
            select(PROVIDERS.to_vec()).prop_map(|p| RequestPrincipal::Federated(p.to_owned())),
            Just(RequestPrincipal::Aws(
                "arn:aws:iam::123456789012:root".to_owned()
            )),
        ],
        select(ACTIONS[..3].to_vec()),
        prop::collection::vec((select(KEYS.to_vec()), select(VALUES.to_vec())), 0..5),
    )
        .prop_map(|(principal, action, keys)| {
            keys.into_iter()
                .fold(RequestContext::new(action, principal), |r, (k, v)| {
                    r.with_key(k, v)
                })
        })
}

fn parse(doc: &Value) -> PolicyDocument {
    policy::parse(doc).unwrap_or_else(|e| panic!("generated policy refused: {e}\n{doc}"))
}

fn decide(doc: &Value, request: &RequestContext) -> Decision {
    trust::evaluate(&parse(doc), request).decision
}

fn with_statement(doc: &Value, extra: Value) -> Value {
    let mut out = doc.clone();
    if let Some(list) = out["Statement"].as_array_mut() {
        list.push(extra);
    }
    out
}

/// Changes the case of every ASCII letter where `mask` says so (cycling through the mask).
fn recase(text: &str, mask: &[bool]) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask.get(i % mask.len().max(1)).copied().unwrap_or(false) {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// The trace of a one-condition policy `{op: {key: values}}` for `request`.
fn one_condition(op: &str, key: &str, values: &[&str], request: &RequestContext) -> ConditionTrace {
    let doc = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": { op: { key: values } }
    }]});
    let verdict = trust::evaluate(&parse(&doc), request);
    verdict.statements[0].conditions[0].clone()
}

fn request_with(key: &str, values: &[String]) -> RequestContext {
    values.iter().fold(
        RequestContext::new(
            "sts:AssumeRoleWithWebIdentity",
            RequestPrincipal::Federated(PROVIDERS[0].to_owned()),
        ),
        |r, v| r.with_key(key, v),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adding_a_deny_never_turns_a_decision_into_allow(
        doc in document(),
        deny in statement(Some("Deny")),
        request in request(),
    ) {
        let before = decide(&doc, &request);
        let after = decide(&with_statement(&doc, deny), &request);
        prop_assert!(after == before || after == Decision::Deny, "{before:?} became {after:?}");
        if before == Decision::Deny {
            prop_assert_eq!(after, Decision::Deny);
        }
    }

    #[test]
    fn adding_an_allow_never_removes_an_allow_nor_lifts_a_deny(
        doc in document(),
        allow in statement(Some("Allow")),
        request in request(),
    ) {
        let before = decide(&doc, &request);
        let after = decide(&with_statement(&doc, allow), &request);
        match before {
            Decision::Allow => prop_assert_eq!(after, Decision::Allow),
            Decision::Deny => prop_assert_eq!(after, Decision::Deny),
            Decision::ImplicitDeny => prop_assert!(after != Decision::Deny),
        }
    }

    #[test]
    fn key_name_case_never_changes_a_decision(
        doc in document(),
        request in request(),
        mask in prop::collection::vec(any::<bool>(), 1..8),
        policy_mask in prop::collection::vec(any::<bool>(), 1..8),
    ) {
        let mut recased = request.clone();
        for key in &mut recased.keys {
            key.name = recase(&key.name, &mask);
        }
        prop_assert_eq!(decide(&doc, &request), decide(&doc, &recased));

        // The same with the policy's condition keys re-cased.
        let mut doc2 = doc.clone();
        for s in doc2["Statement"].as_array_mut().into_iter().flatten() {
            if let Some(block) = s.get_mut("Condition").and_then(Value::as_object_mut) {
                for keys in block.values_mut() {
                    if let Some(map) = keys.as_object_mut() {
                        let renamed: serde_json::Map<String, Value> = map
                            .iter()
                            .map(|(k, v)| (recase(k, &policy_mask), v.clone()))
                            .collect();
                        *map = renamed;
                    }
                }
            }
        }
        // Re-casing may merge two keys of one operator into one (a JSON object keeps the last):
        // compare only when nothing merged.
        let same_shape = parse(&doc2).statements.iter().map(|s| s.conditions.len()).eq(
            parse(&doc).statements.iter().map(|s| s.conditions.len()),
        );
        if same_shape {
            prop_assert_eq!(decide(&doc, &request), decide(&doc2, &request));
        }
    }

    #[test]
    fn string_like_without_wildcards_equals_string_equals(
        set in select(vec!["", "ForAnyValue:", "ForAllValues:"]),
        if_exists in any::<bool>(),
        expected in prop::collection::vec("[a-zA-Z0-9:/._-]{0,12}", 1..3),
        actual in prop::collection::vec("[a-zA-Z0-9:/._-]{0,12}", 0..3),
        reuse in any::<bool>(),
    ) {
        let suffix = if if_exists { "IfExists" } else { "" };
        let key = KEYS[0];
        let mut actual = actual;
        if reuse {
            actual.push(expected[0].clone());
        }
        let request = request_with(key, &actual);
        let values: Vec<&str> = expected.iter().map(String::as_str).collect();
        for (like, equals) in [("StringLike", "StringEquals"), ("StringNotLike", "StringNotEquals")] {
            let a = one_condition(&format!("{set}{like}{suffix}"), key, &values, &request);
            let b = one_condition(&format!("{set}{equals}{suffix}"), key, &values, &request);
            prop_assert_eq!(a.passed, b.passed, "{} vs {} on {:?}", like, equals, actual);
        }
    }

    #[test]
    fn a_negated_operator_is_the_complement_for_a_present_key(
        case in prop_oneof![
            (Just(("StringEquals", "StringNotEquals")),
                prop::collection::vec(select(VALUES.to_vec()), 1..3),
                prop::collection::vec(select(VALUES.to_vec()), 1..3)),
            (Just(("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase")),
                prop::collection::vec(select(VALUES.to_vec()), 1..3),
                prop::collection::vec(select(VALUES.to_vec()), 1..3)),
            (Just(("StringLike", "StringNotLike")),
                prop::collection::vec(select(VALUES.to_vec()), 1..3),
                prop::collection::vec(select(VALUES.to_vec()), 1..3)),
            (Just(("NumericEquals", "NumericNotEquals")),
                prop::collection::vec(select(vec!["1", "1.0", "3600", "-2", "0.5"]), 1..3),
                prop::collection::vec(select(vec!["1", "3600.0", "-2", "7"]), 1..3)),
            (Just(("DateEquals", "DateNotEquals")),
                prop::collection::vec(select(vec!["2020-01-01", "1577836800", "2021-06-01T12:00:00Z"]), 1..3),
                prop::collection::vec(select(vec!["2020-01-01T00:00:00Z", "1622548800"]), 1..3)),
            (Just(("IpAddress", "NotIpAddress")),
                prop::collection::vec(select(vec!["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"]), 1..3),
                prop::collection::vec(select(vec!["10.9.8.7", "192.0.2.1", "2001:db8::1", "198.51.100.1"]), 1..3)),
            (Just(("ArnLike", "ArnNotLike")),
                prop::collection::vec(select(vec!["arn:aws:iam::123456789012:role/*", "arn:aws:iam::*:role/a"]), 1..3),
                prop::collection::vec(select(vec!["arn:aws:iam::123456789012:role/a", "arn:aws:iam::999:user/b"]), 1..3)),
            (Just(("ArnEquals", "ArnNotEquals")),
                prop::collection::vec(select(vec!["arn:aws:iam::123456789012:role/a", "arn:aws:sts::1:x"]), 1..3),
                prop::collection::vec(select(vec!["arn:aws:iam::123456789012:role/a", "arn:aws:iam::1:role/a"]), 1..3)),
        ],
    ) {
        let ((positive, negated), expected, actual) = case;
        let key = KEYS[2];
        let actual: Vec<String> = actual.into_iter().map(str::to_owned).collect();
        let request = request_with(key, &actual);
        let p = one_condition(positive, key, &expected, &request);
        let n = one_condition(negated, key, &expected, &request);
        prop_assert_eq!(p.passed, !n.passed, "{} / {} of {:?} against {:?}", positive, negated, expected, actual);
    }

    #[test]
    fn if_exists_on_an_absent_key_matches(
        op in operator().prop_filter("IfExists only", |o| o.ends_with("IfExists")),
        values in prop::collection::vec(select(VALUES.to_vec()), 1..3),
        other_keys in prop::collection::vec((select(KEYS[1..].to_vec()), select(VALUES.to_vec())), 0..3),
    ) {
        let request = other_keys.into_iter().fold(
            RequestContext::new("sts:AssumeRoleWithWebIdentity", RequestPrincipal::Federated(PROVIDERS[0].to_owned())),
            |r, (k, v)| r.with_key(k, v),
        );
        let trace = one_condition(&op, KEYS[0], &values, &request);
        prop_assert!(trace.actual.is_none());
        prop_assert!(trace.passed, "{} on an absent key: {:?}", op, trace.note);
    }

    #[test]
    fn for_all_values_on_an_empty_set_is_true(
        base in select(BASES[..26].to_vec()),
        values in prop::collection::vec(select(VALUES.to_vec()), 1..3),
    ) {
        let op = format!("ForAllValues:{base}");
        let request = request_with(KEYS[1], &["sts.amazonaws.com".to_owned()]);
        let trace = one_condition(&op, KEYS[0], &values, &request);
        prop_assert!(trace.passed, "{} over no values: {:?}", op, trace.note);
    }

    #[test]
    fn policy_text_round_trips_keep_decisions(doc in document(), request in request()) {
        let parsed = parse(&doc);
        let compact = serde_json::to_string(&doc).expect("json");
        let pretty = serde_json::to_string_pretty(&doc).expect("json");
        let url_encoded: String = percent_encode(&compact);
        let double = serde_json::to_string(&compact).expect("json");
        let expected = trust::evaluate(&parsed, &request);
        for text in [&compact, &pretty, &url_encoded, &double] {
            let again = policy::parse_str(text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            prop_assert_eq!(&again.statements, &parsed.statements);
            prop_assert_eq!(again.size_without_whitespace, parsed.size_without_whitespace);
            prop_assert_eq!(&trust::evaluate(&again, &request), &expected);
        }
    }

    #[test]
    fn token_decode_never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = token::decode(&text);
    }

    #[test]
    fn token_decode_never_returns_the_signature(
        header in prop::collection::btree_map("[a-z]{1,5}", "[ -~]{0,12}", 0..4),
        claims in prop::collection::btree_map(
            select(vec!["iss", "sub", "aud", "exp", "iat", "nbf", "kubernetes.io", "x"]),
            prop_oneof![
                "[ -~]{0,20}".prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
                Just(json!(["sts.amazonaws.com", 3])),
                Just(json!({"namespace": "demo", "pod": {"name": "p", "uid": "u"}})),
                Just(Value::Null),
            ],
            0..6,
        ),
        signature in "[A-Za-z0-9_-]{43,86}",
    ) {
        let b64 = |v: &dyn erased::Json| URL_SAFE_NO_PAD.encode(v.bytes());
        let jwt = format!("{}.{}.{signature}", b64(&header), b64(&claims));
        match token::decode(&jwt) {
            Ok(decoded) => {
                let shown = format!("{decoded:?}{}", serde_json::to_string(&decoded).expect("json"));
                prop_assert!(!shown.contains(&signature), "signature in {shown}");
            }
            Err(e) => prop_assert!(!e.to_string().contains(&signature)),
        }
    }
}

/// Tiny indirection so one closure encodes both maps.
mod erased {
    pub trait Json {
        fn bytes(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Json for T {
        fn bytes(&self) -> Vec<u8> {
            serde_json::to_vec(self).unwrap_or_default()
        }
    }
}

/// URL-encodes every byte but unreserved characters, as the IAM API does.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn string_like_with_a_wildcard_differs_from_string_equals() {
    // Guards the property above against a generator that never reaches the difference.
    let request = request_with(KEYS[0], &["system:serviceaccount:demo:x".to_owned()]);
    let like = one_condition(
        "StringLike",
        KEYS[0],
        &["system:serviceaccount:demo:*"],
        &request,
    );
    let equals = one_condition(
        "StringEquals",
        KEYS[0],
        &["system:serviceaccount:demo:*"],
        &request,
    );
    assert!(like.passed && !equals.passed);
}

#[test]
fn generated_cases_reach_every_decision() {
    // Guards the invariants above against generators that only ever produce implicit denies.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..2_000 {
        let doc = document().new_tree(&mut runner).expect("doc").current();
        let req = request().new_tree(&mut runner).expect("request").current();
        seen.insert(format!("{:?}", decide(&doc, &req)));
    }
    assert_eq!(seen.len(), 3, "decisions reached: {seen:?}");
}
