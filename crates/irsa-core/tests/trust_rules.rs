//! Every trust-evaluation rule of IRSA.md §4, each as a named case, both directions where a
//! rule has two. Conditions are checked through a one-statement Allow policy, so each case
//! asserts both the condition's trace and the decision a user would see.

use irsa_core::analysis::policy::{self, PolicyDocument};
use irsa_core::analysis::trust::{self, Decision, RequestContext, RequestPrincipal, TrustVerdict};
use serde_json::{Value, json};

const ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
const HOST: &str = "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
const ACCOUNT: &str = "123456789012";
const GUIDE_POLICY: &str = include_str!("fixtures/policies/guide-demo-s3-reader.json");

fn provider() -> String {
    trust::provider_arn("aws", ACCOUNT, ISSUER)
}

fn sa_request(sub: &str) -> RequestContext {
    trust::web_identity_request(&provider(), ISSUER, sub, "sts.amazonaws.com")
}

fn doc(value: Value) -> PolicyDocument {
    policy::parse(&value).unwrap_or_else(|e| panic!("policy should parse: {e}"))
}

fn evaluate(value: Value, request: &RequestContext) -> TrustVerdict {
    trust::evaluate(&doc(value), request)
}

// ---------------------------------------------------------------- conditions, table-driven

/// One condition rule: `{op: {key: values}}` against a request carrying `keys`.
struct Case {
    name: &'static str,
    op: &'static str,
    key: &'static str,
    values: Value,
    keys: &'static [(&'static str, &'static str)],
    passes: bool,
}

const fn case(
    name: &'static str,
    op: &'static str,
    values: Value,
    keys: &'static [(&'static str, &'static str)],
    passes: bool,
) -> Case {
    Case {
        name,
        op,
        key: "test:Key",
        values,
        keys,
        passes,
    }
}

fn check(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in &cases {
        let mut request =
            RequestContext::new("sts:AssumeRole", RequestPrincipal::Aws(ACCOUNT.into()));
        for (k, v) in c.keys {
            request = request.with_key(k, v);
        }
        let verdict = evaluate(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                   "Condition": {c.op: {c.key: c.values.clone()}}}}),
            &request,
        );
        let trace = &verdict.statements[0].conditions[0];
        let want = if c.passes {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        };
        if trace.passed != c.passes || verdict.decision != want {
            failures.push(format!(
                "{}: passed={} decision={:?} note={:?}",
                c.name, trace.passed, verdict.decision, trace.note
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "failing cases:\n{}",
        failures.join("\n")
    );
}

const K: &str = "test:key";

#[test]
#[rustfmt::skip] // one case per line reads as a table
fn absent_keys() {
    check(vec![
        case("positive operator, key absent → false", "StringEquals", json!("x"), &[], false),
        case("StringNotEquals, key absent → true", "StringNotEquals", json!("x"), &[], true),
        case("StringNotLike, key absent → true", "StringNotLike", json!("x*"), &[], true),
        case("NotIpAddress, key absent → true", "NotIpAddress", json!("10.0.0.0/8"), &[], true),
        case("ArnNotLike, key absent → true", "ArnNotLike", json!("arn:aws:iam::*:role/x"), &[], true),
        case("IfExists, key absent → true", "StringEqualsIfExists", json!("x"), &[], true),
        case("IfExists, key present but mismatching → false", "StringEqualsIfExists", json!("x"), &[(K, "y")], false),
        case("IfExists, key present and matching → true", "StringEqualsIfExists", json!("x"), &[(K, "x")], true),
        case("Null true, key absent → true", "Null", json!("true"), &[], true),
        case("Null true, key present → false", "Null", json!("true"), &[(K, "x")], false),
        case("Null false, key present → true", "Null", json!("false"), &[(K, "x")], true),
        case("Null false, key absent → false", "Null", json!("false"), &[], false),
        case("Null with JSON boolean true, key absent → true", "Null", json!(true), &[], true),
        case("ForAllValues, key absent → true", "ForAllValues:StringEquals", json!("x"), &[], true),
        case("ForAnyValue, key absent → false", "ForAnyValue:StringEquals", json!("x"), &[], false),
        case("ForAnyValue negated, key absent → false", "ForAnyValue:StringNotEquals", json!("x"), &[], false),
    ]);
}

#[test]
fn empty_value_set_is_an_empty_set() {
    for (op, passes) in [
        ("ForAllValues:StringEquals", true),
        ("ForAnyValue:StringEquals", false),
    ] {
        let mut request =
            RequestContext::new("sts:AssumeRole", RequestPrincipal::Aws(ACCOUNT.into()));
        request.keys.push(irsa_core::analysis::trust::RequestKey {
            name: K.to_owned(),
            values: Vec::new(),
        });
        let verdict = evaluate(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                   "Condition": {op: {"test:Key": "x"}}}}),
            &request,
        );
        assert_eq!(
            verdict.statements[0].conditions[0].passed, passes,
            "{op} over an empty set"
        );
    }
}

#[test]
#[rustfmt::skip] // one case per line reads as a table
fn string_operators() {
    check(vec![
        Case { key: "TEST:KEY", ..case("key names are case-insensitive", "StringEquals", json!("x"), &[(K, "x")], true) },
        case("StringEquals values are case-sensitive", "StringEquals", json!("Demo"), &[(K, "demo")], false),
        case("StringEqualsIgnoreCase ignores value case", "StringEqualsIgnoreCase", json!("Demo"), &[(K, "dEMO")], true),
        case("StringNotEqualsIgnoreCase ignores value case", "StringNotEqualsIgnoreCase", json!("DEMO"), &[(K, "demo")], false),
        case("StringEquals treats * literally (no match)", "StringEquals", json!("system:serviceaccount:demo:*"), &[(K, "system:serviceaccount:demo:s3-reader")], false),
        case("StringEquals treats * literally (match)", "StringEquals", json!("system:serviceaccount:demo:*"), &[(K, "system:serviceaccount:demo:*")], true),
        case("StringLike * spans ':'", "StringLike", json!("system:serviceaccount:*"), &[(K, "system:serviceaccount:demo:s3-reader")], true),
        case("StringLike * matches the empty run", "StringLike", json!("s3-reader*"), &[(K, "s3-reader")], true),
        case("StringLike ? is exactly one char (one)", "StringLike", json!("demo?"), &[(K, "demo2")], true),
        case("StringLike ? is exactly one char (zero)", "StringLike", json!("demo?"), &[(K, "demo")], false),
        case("StringLike ? is exactly one char (two)", "StringLike", json!("demo?"), &[(K, "demo22")], false),
        case("StringLike matches the whole string", "StringLike", json!("demo"), &[(K, "demo2")], false),
        case("StringLike is case-sensitive", "StringLike", json!("Demo*"), &[(K, "demo")], false),
        case("values of one key are OR-ed", "StringEquals", json!(["a", "b"]), &[(K, "b")], true),
        case("negated: true only if no value matches (one does)", "StringNotEquals", json!(["a", "b"]), &[(K, "a")], false),
        case("negated: true only if no value matches (none does)", "StringNotEquals", json!(["a", "b"]), &[(K, "c")], true),
        case("StringNotLike with a matching glob → false", "StringNotLike", json!("system:*"), &[(K, "system:x")], false),
    ]);
}

#[test]
#[rustfmt::skip] // one case per line reads as a table
fn multi_valued_request_keys() {
    check(vec![
        case("ForAnyValue: one request value matches", "ForAnyValue:StringEquals", json!(["a", "b"]), &[(K, "c"), (K, "a")], true),
        case("ForAnyValue: no request value matches", "ForAnyValue:StringEquals", json!(["a", "b"]), &[(K, "c"), (K, "d")], false),
        case("ForAllValues: every request value matches", "ForAllValues:StringEquals", json!(["a", "b"]), &[(K, "a"), (K, "b")], true),
        case("ForAllValues: one request value does not", "ForAllValues:StringEquals", json!(["a", "b"]), &[(K, "a"), (K, "c")], false),
        case("ForAllValues negated: none is listed", "ForAllValues:StringNotEquals", json!("a"), &[(K, "b"), (K, "c")], true),
        case("ForAllValues negated: one is listed", "ForAllValues:StringNotEquals", json!("a"), &[(K, "b"), (K, "a")], false),
        case("ForAnyValue negated: one is not listed", "ForAnyValue:StringNotEquals", json!("a"), &[(K, "a"), (K, "b")], true),
        case("unqualified positive: any request value matches", "StringEquals", json!("a"), &[(K, "c"), (K, "a")], true),
        case("unqualified negated: a request value matches → false", "StringNotEquals", json!("a"), &[(K, "c"), (K, "a")], false),
        case("unqualified negated: no request value matches → true", "StringNotEquals", json!("a"), &[(K, "c"), (K, "d")], true),
    ]);
}

#[test]
#[rustfmt::skip] // one case per line reads as a table
fn typed_operators() {
    check(vec![
        case("NumericLessThan true", "NumericLessThan", json!(3600), &[(K, "900")], true),
        case("NumericLessThan false at equality", "NumericLessThan", json!("3600"), &[(K, "3600")], false),
        case("NumericEquals decimals", "NumericEquals", json!("1.5"), &[(K, "1.50")], true),
        case("NumericGreaterThanEquals", "NumericGreaterThanEquals", json!("-2"), &[(K, "-2")], true),
        case("non-number under NumericEquals → false", "NumericEquals", json!("ten"), &[(K, "10")], false),
        case("non-number request under NumericNotEquals → false", "NumericNotEquals", json!("10"), &[(K, "ten")], false),
        case("DateGreaterThan ISO vs epoch", "DateGreaterThan", json!("2020-01-01T00:00:00Z"), &[(K, "1600000000")], true),
        case("DateLessThan epoch vs ISO", "DateLessThan", json!(1577836800), &[(K, "2020-06-01T00:00:00Z")], false),
        case("DateEquals date-only is midnight UTC", "DateEquals", json!("2020-01-01"), &[(K, "2020-01-01T00:00:00Z")], true),
        case("unparseable date → false", "DateNotEquals", json!("next tuesday"), &[(K, "2020-01-01")], false),
        case("Bool with JSON true", "Bool", json!(true), &[(K, "true")], true),
        case("Bool is case-insensitive", "Bool", json!("True"), &[(K, "TRUE")], true),
        case("Bool mismatch", "Bool", json!("true"), &[(K, "false")], false),
        case("IpAddress in CIDR", "IpAddress", json!("203.0.113.0/24"), &[(K, "203.0.113.9")], true),
        case("IpAddress single address", "IpAddress", json!("203.0.113.9"), &[(K, "203.0.113.10")], false),
        case("IpAddress IPv6", "IpAddress", json!(["203.0.113.0/24", "2001:DB8:1234:5678::/64"]), &[(K, "2001:db8:1234:5678::7")], true),
        case("NotIpAddress outside → true", "NotIpAddress", json!("10.0.0.0/8"), &[(K, "203.0.113.9")], true),
        case("NotIpAddress inside → false", "NotIpAddress", json!("10.0.0.0/8"), &[(K, "10.1.2.3")], false),
        case("bad CIDR → false", "IpAddress", json!("10.0.0.0/99"), &[(K, "10.1.2.3")], false),
        case("ArnEquals exact", "ArnEquals", json!("arn:aws:iam::123456789012:role/a"), &[(K, "arn:aws:iam::123456789012:role/a")], true),
        case("ArnLike wildcard per part", "ArnLike", json!("arn:aws:iam::*:role/eks-*"), &[(K, "arn:aws:iam::123456789012:role/eks-x")], true),
        case("ArnLike * stays inside its part", "ArnLike", json!("arn:aws:someservice:*:111122223333:finance/*"), &[(K, "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt")], false),
        case("ArnNotLike matching → false", "ArnNotLike", json!("arn:aws:iam::*:role/*"), &[(K, "arn:aws:iam::1:role/x")], false),
        case("not an ARN → false", "ArnEquals", json!("arn:aws:iam::1:role/x"), &[(K, "role/x")], false),
        case("BinaryEquals equal bytes", "BinaryEquals", json!("QmluYXJ5VmFsdWVJbkJhc2U2NA=="), &[(K, "QmluYXJ5VmFsdWVJbkJhc2U2NA==")], true),
        case("BinaryEquals different bytes", "BinaryEquals", json!("QmluYXJ5"), &[(K, "QmluYXJ6")], false),
    ]);
}

#[test]
fn unparseable_values_leave_a_note() {
    let request = RequestContext::new("sts:AssumeRole", RequestPrincipal::Aws(ACCOUNT.into()))
        .with_key(K, "10");
    let verdict = evaluate(
        json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
               "Condition": {"NumericEquals": {"test:key": "ten"}}}}),
        &request,
    );
    let note = verdict.statements[0].conditions[0]
        .note
        .clone()
        .unwrap_or_default();
    assert!(
        note.contains("\"ten\"") && note.contains("number"),
        "{note}"
    );
}

#[test]
fn conditions_are_and_across_keys_and_operators() {
    let request = RequestContext::new("sts:AssumeRole", RequestPrincipal::Aws(ACCOUNT.into()))
        .with_key("a:one", "1")
        .with_key("a:two", "2");
    let both = |one: &str, two: &str| {
        evaluate(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
                   "Condition": {"StringEquals": {"a:one": one}, "StringLike": {"a:two": two}}}}),
            &request,
        )
        .decision
    };
    assert_eq!(both("1", "2"), Decision::Allow);
    assert_eq!(
        both("1", "3"),
        Decision::ImplicitDeny,
        "second operator fails"
    );
    assert_eq!(
        both("9", "2"),
        Decision::ImplicitDeny,
        "first operator fails"
    );
    let same_operator = evaluate(
        json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
               "Condition": {"StringEquals": {"a:one": "1", "a:two": "3"}}}}),
        &request,
    );
    assert_eq!(
        same_operator.decision,
        Decision::ImplicitDeny,
        "second key of one operator fails"
    );
}

// ---------------------------------------------------------------- decisions and principals

fn statement(effect: &str, principal: Value, extra: Value) -> Value {
    let mut s = json!({"Effect": effect, "Principal": principal, "Action": "sts:AssumeRoleWithWebIdentity"});
    if let (Some(obj), Some(more)) = (s.as_object_mut(), extra.as_object()) {
        obj.extend(more.clone());
    }
    s
}

#[test]
fn decision_order() {
    let me = json!({"Federated": provider()});
    let request = sa_request("system:serviceaccount:demo:s3-reader");
    let allow_then_deny = evaluate(
        json!({"Statement": [statement("Allow", me.clone(), json!({})), statement("Deny", me.clone(), json!({}))]}),
        &request,
    );
    assert_eq!(allow_then_deny.decision, Decision::Deny, "Deny beats Allow");
    assert_eq!(allow_then_deny.deciding_statement, Some(1));
    let none = evaluate(
        json!({"Statement": [statement("Allow", json!({"Federated": "arn:aws:iam::1:oidc-provider/x"}), json!({}))]}),
        &request,
    );
    assert_eq!(none.decision, Decision::ImplicitDeny);
    assert_eq!(none.deciding_statement, None);
    let deny_not_applying = evaluate(
        json!({"Statement": [
            statement("Deny", me.clone(), json!({"Condition": {"StringEquals": {format!("{HOST}:sub"): "other"}}})),
            statement("Allow", json!("*"), json!({})),
            statement("Allow", me, json!({})),
        ]}),
        &request,
    );
    assert_eq!(deny_not_applying.decision, Decision::Allow);
    assert_eq!(
        deny_not_applying.deciding_statement,
        Some(1),
        "first applicable Allow decides"
    );
    assert_eq!(
        deny_not_applying.statements.len(),
        3,
        "every statement is traced"
    );
}

#[test]
#[rustfmt::skip] // one case per line reads as a table
fn principals() {
    let ours = provider();
    let other = trust::provider_arn("aws", "210987654321", ISSUER);
    let web = sa_request("system:serviceaccount:demo:s3-reader");
    let session = RequestContext::new(
        "sts:AssumeRole",
        RequestPrincipal::Aws("arn:aws:sts::123456789012:assumed-role/ci/build-7".into()),
    );
    let pods = RequestContext::new("sts:AssumeRole", RequestPrincipal::Service("pods.eks.amazonaws.com".into()));
    let cases: Vec<(&str, Value, &RequestContext, bool)> = vec![
        ("Federated exact", json!({"Federated": ours}), &web, true),
        ("Federated other account", json!({"Federated": other}), &web, false),
        ("Federated has no wildcards", json!({"Federated": "arn:aws:iam::123456789012:oidc-provider/*"}), &web, false),
        ("Federated compares case-sensitively", json!({"Federated": ours.to_lowercase()}), &web, false),
        ("principal list is OR", json!({"Federated": [other, ours]}), &web, true),
        ("\"*\" is everyone", json!("*"), &web, true),
        ("AWS \"*\" equals \"*\"", json!({"AWS": "*"}), &web, true),
        ("AWS account id covers its sessions", json!({"AWS": ACCOUNT}), &session, true),
        ("AWS account root ARN covers its sessions", json!({"AWS": "arn:aws:iam::123456789012:root"}), &session, true),
        ("AWS other account", json!({"AWS": "210987654321"}), &session, false),
        ("AWS role ARN covers its sessions", json!({"AWS": "arn:aws:iam::123456789012:role/ci"}), &session, true),
        ("AWS other role", json!({"AWS": "arn:aws:iam::123456789012:role/cd"}), &session, false),
        ("AWS principal does not name a web identity", json!({"AWS": ACCOUNT}), &web, false),
        ("Service exact", json!({"Service": "pods.eks.amazonaws.com"}), &pods, true),
        ("Service other", json!({"Service": "ec2.amazonaws.com"}), &pods, false),
    ];
    for (name, principal, request, applies) in cases {
        let policy = json!({"Statement": {"Effect": "Allow", "Principal": principal, "Action": "sts:*"}});
        let verdict = evaluate(policy, request);
        assert_eq!(verdict.statements[0].principal.matched, applies, "{name}: {}", verdict.statements[0].principal.detail);
        assert_eq!(verdict.decision == Decision::Allow, applies, "{name}");
    }
}

#[test]
fn not_principal_inverts() {
    let web = sa_request("system:serviceaccount:demo:s3-reader");
    let other = json!({"Federated": "arn:aws:iam::1:oidc-provider/x"});
    let with = |block: Value| {
        let policy =
            json!({"Statement": {"Effect": "Allow", "NotPrincipal": block, "Action": "*"}});
        evaluate(policy, &web).decision
    };
    assert_eq!(
        with(other),
        Decision::Allow,
        "requester not named → statement applies"
    );
    assert_eq!(
        with(json!({"Federated": provider()})),
        Decision::ImplicitDeny,
        "requester named → excluded"
    );
}

#[test]
#[rustfmt::skip] // one case per line reads as a table
fn actions() {
    let web = sa_request("system:serviceaccount:demo:s3-reader");
    let cases: Vec<(&str, Value, bool)> = vec![
        ("exact", json!({"Action": "sts:AssumeRoleWithWebIdentity"}), true),
        ("case-insensitive wildcard", json!({"Action": "STS:assumerolewith*"}), true),
        ("? is one character", json!({"Action": "sts:AssumeRole?ithWebIdentity"}), true),
        ("no prefix match without *", json!({"Action": "sts:AssumeRole"}), false),
        ("list is OR", json!({"Action": ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]}), true),
        ("NotAction not covering → applies", json!({"NotAction": "sts:AssumeRole"}), true),
        ("NotAction covering → does not apply", json!({"NotAction": ["iam:*", "STS:*"]}), false),
        ("neither Action nor NotAction → never applies", json!({}), false),
    ];
    for (name, action, applies) in cases {
        let mut s = json!({"Effect": "Allow", "Principal": "*"});
        if let (Some(obj), Some(more)) = (s.as_object_mut(), action.as_object()) {
            obj.extend(more.clone());
        }
        let verdict = evaluate(json!({"Statement": s}), &web);
        assert_eq!(verdict.statements[0].action.matched, applies, "{name}: {}", verdict.statements[0].action.detail);
        assert_eq!(verdict.decision == Decision::Allow, applies, "{name}");
    }
}

// ---------------------------------------------------------------- OIDC keys and the guide

#[test]
fn guide_policy_admits_demo_s3_reader_only() {
    let policy = policy::parse_str(GUIDE_POLICY).expect("guide policy parses");
    let ok = trust::evaluate(&policy, &sa_request("system:serviceaccount:demo:s3-reader"));
    assert_eq!(ok.decision, Decision::Allow);
    assert_eq!(ok.deciding_statement, Some(0));

    let denied = trust::evaluate(
        &policy,
        &sa_request("system:serviceaccount:demo2:s3-reader"),
    );
    assert_eq!(denied.decision, Decision::ImplicitDeny);
    let sub = denied.statements[0]
        .conditions
        .iter()
        .find(|c| c.key.ends_with(":sub"))
        .expect(":sub condition traced");
    assert!(!sub.passed);
    assert_eq!(sub.expected, vec!["system:serviceaccount:demo:s3-reader"]);
    assert_eq!(
        sub.actual,
        Some(vec!["system:serviceaccount:demo2:s3-reader".to_owned()])
    );
    let aud = denied.statements[0]
        .conditions
        .iter()
        .find(|c| c.key.ends_with(":aud"))
        .expect(":aud traced");
    assert!(aud.passed, "only :sub fails");
    assert!(denied.statements[0].principal.matched && denied.statements[0].action.matched);
}

#[test]
fn mis_written_oidc_keys_never_match_and_say_why() {
    let request = sa_request("system:serviceaccount:demo:s3-reader");
    let other_cluster = "oidc.eks.eu-west-1.amazonaws.com/id/0000000000000000000000000000AAAA";
    let cases = [
        ("https scheme", format!("https://{HOST}:sub"), "URL scheme"),
        (
            "ARN prefix",
            format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}:sub"),
            "ARN prefix",
        ),
        (
            "another cluster's id",
            format!("{other_cluster}:sub"),
            "another cluster",
        ),
    ];
    for (name, key, says) in cases {
        let policy = json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": provider()},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {key: "system:serviceaccount:demo:s3-reader"}}}});
        let verdict = evaluate(policy, &request);
        let c = &verdict.statements[0].conditions[0];
        assert_eq!(verdict.decision, Decision::ImplicitDeny, "{name}");
        assert!(
            !c.passed && c.actual.is_none(),
            "{name}: the key is simply absent"
        );
        let note = c.note.clone().unwrap_or_default();
        assert!(note.contains(says), "{name}: note {note:?}");
    }
    let upper = json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": provider()},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {format!("{}:SUB", HOST.to_uppercase()): "system:serviceaccount:demo:s3-reader"}}}});
    assert_eq!(
        evaluate(upper, &request).decision,
        Decision::Allow,
        "key names are case-insensitive"
    );
}

#[test]
fn string_equals_wildcard_gets_a_note() {
    let policy = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
        "Condition": {"StringEquals": {format!("{HOST}:sub"): "system:serviceaccount:demo:*"}}}});
    let verdict = evaluate(policy, &sa_request("system:serviceaccount:demo:s3-reader"));
    let note = verdict.statements[0].conditions[0]
        .note
        .clone()
        .unwrap_or_default();
    assert!(note.contains("StringLike"), "{note}");
}
