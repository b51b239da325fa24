//! Test module: compiled only under `#[cfg(test)]` (declared so in its parent).
//! Every legal shape parses; every input form decodes to the same document; every malformed
//! shape is an error whose one-line message names the statement.

use super::*;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

fn guide() -> Value {
    json!({
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
          "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub": "system:serviceaccount:demo:s3-reader",
          "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:aud": "sts.amazonaws.com"
        }}
      }]
    })
}

fn one(statement: Value) -> Statement {
    let doc = parse(&json!({"Version": "2012-10-17", "Statement": statement}))
        .unwrap_or_else(|e| panic!("should parse: {e}"));
    doc.statements.into_iter().next().expect("one statement")
}

#[test]
fn every_input_form_gives_the_same_document() {
    let object = guide();
    let pretty = serde_json::to_string_pretty(&object).unwrap();
    let compact = serde_json::to_string(&object).unwrap();
    let encoded = utf8_percent_encode(&compact, NON_ALPHANUMERIC).to_string();
    assert!(encoded.starts_with("%7B%22Version%22"));
    let from_object = parse(&object).unwrap();
    for (form, raw) in [
        ("JSON text", Value::String(pretty.clone())),
        ("URL-encoded", Value::String(encoded.clone())),
        ("double-encoded JSON string", Value::String(serde_json::to_string(&compact).unwrap())),
    ] {
        assert_eq!(parse(&raw).unwrap(), from_object, "{form}");
        assert_eq!(decode(&raw).unwrap(), object, "{form} decodes for display");
    }
    assert_eq!(parse_str(&encoded).unwrap(), from_object);
    assert_eq!(decode(&object).unwrap(), object);
}

#[test]
fn size_ignores_white_space() {
    let compact = serde_json::to_string(&guide()).unwrap();
    let pretty = serde_json::to_string_pretty(&guide()).unwrap();
    let from_pretty = parse_str(&pretty).unwrap().size_without_whitespace;
    assert_eq!(from_pretty, compact.chars().count());
    assert_eq!(parse(&guide()).unwrap().size_without_whitespace, compact.chars().count());
}

#[test]
fn url_decoding_keeps_plus_and_only_runs_when_needed() {
    let text = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":"a+b %41"}}}}"#;
    let plain = parse_str(text).unwrap();
    assert_eq!(plain.statements[0].conditions[0].values, vec!["a+b %41"], "valid JSON is not URL-decoded");
    let encoded = utf8_percent_encode(text, NON_ALPHANUMERIC).to_string().replace("%2B", "+");
    let decoded = parse_str(&encoded).unwrap();
    assert_eq!(decoded.statements[0].conditions[0].values, vec!["a+b %41"], "'+' is not a space");
}

#[test]
fn statement_object_or_array() {
    let s = json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"});
    let single = parse(&json!({"Statement": s.clone()})).unwrap();
    let list = parse(&json!({"Statement": [s.clone(), s]})).unwrap();
    assert_eq!(single.statements.len(), 1);
    assert_eq!(list.statements.len(), 2);
    assert_eq!(single.statements[0], list.statements[1]);
}

#[test]
fn principal_shapes() {
    let p = |v: Value| one(json!({"Effect": "Allow", "Principal": v, "Action": "*"})).principal;
    let PrincipalSpec::Principal(star) = p(json!("*")) else { panic!("*") };
    assert!(star.any && star.is_everyone());
    let PrincipalSpec::Principal(aws_star) = p(json!({"AWS": "*"})) else { panic!("AWS *") };
    assert!(!aws_star.any && aws_star.is_everyone());
    let PrincipalSpec::Principal(mixed) = p(json!({
        "AWS": ["123456789012", "arn:aws:iam::1:role/r"], "Federated": "arn:f",
        "Service": ["pods.eks.amazonaws.com"], "CanonicalUser": "79a5"
    })) else { panic!("mixed") };
    assert_eq!(mixed.aws, vec!["123456789012", "arn:aws:iam::1:role/r"]);
    assert_eq!(mixed.federated, vec!["arn:f"]);
    assert_eq!(mixed.service, vec!["pods.eks.amazonaws.com"]);
    assert_eq!(mixed.canonical_user, vec!["79a5"]);
    let not = one(json!({"Effect": "Deny", "NotPrincipal": {"AWS": "1"}, "Action": "*"}));
    assert!(matches!(not.principal, PrincipalSpec::NotPrincipal(ref b) if b.aws == ["1"]));
    let none = one(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}));
    assert_eq!(none.principal, PrincipalSpec::None);
}

#[test]
fn action_and_resource_shapes() {
    let s = one(json!({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": ["a", "b"]}));
    assert_eq!(s.action, ActionSpec::Only(vec!["sts:AssumeRole".into()]));
    assert_eq!(s.resource, Some(ActionSpec::Only(vec!["a".into(), "b".into()])));
    let n = one(json!({"Effect": "Allow", "Principal": "*", "NotAction": ["iam:*"], "NotResource": "x"}));
    assert_eq!(n.action, ActionSpec::Not(vec!["iam:*".into()]));
    assert_eq!(n.resource, Some(ActionSpec::Not(vec!["x".into()])));
    let bare = one(json!({"Effect": "Allow", "Principal": "*"}));
    assert_eq!(bare.action, ActionSpec::Only(Vec::new()), "no Action: matches nothing");
    assert_eq!(bare.resource, None);
}

#[test]
fn condition_values_are_stringified() {
    let s = one(json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {
        "Bool": {"aws:SecureTransport": true},
        "NumericLessThan": {"sts:DurationSeconds": 3600, "x:y": [1.5, "2"]}
    }}));
    let values: Vec<_> = s.conditions.iter().map(|c| (c.key.as_str(), c.values.clone())).collect();
    assert_eq!(values, vec![
        ("aws:SecureTransport", vec!["true".to_owned()]),
        ("sts:DurationSeconds", vec!["3600".to_owned()]),
        ("x:y", vec!["1.5".to_owned(), "2".to_owned()]),
    ]);
}

#[test]
fn every_operator_with_every_qualifier_parses() {
    for base in ALL_BASE_OPERATORS {
        let mut names = vec![base.name().to_owned()];
        for set in ["ForAnyValue:", "ForAllValues:"] {
            names.push(format!("{set}{}", base.name()));
        }
        if base != BaseOperator::Null {
            names.push(format!("{}IfExists", base.name()));
            names.push(format!("ForAllValues:{}IfExists", base.name()));
        }
        for name in names {
            let s = one(json!({"Effect": "Allow", "Principal": "*", "Action": "*",
                               "Condition": {name.clone(): {"k": "v"}}}));
            let op = &s.conditions[0].operator;
            assert_eq!((op.base, op.raw.as_str()), (base, name.as_str()));
            assert_eq!(op.if_exists, name.ends_with("IfExists"), "{name}");
        }
    }
}

#[test]
fn malformed_documents_name_the_place() {
    let ok = r#"{"Effect":"Allow","Principal":"*","Action":"*"}"#;
    let cases: Vec<(&str, String, &[&str])> = vec![
        ("not JSON", "{not json".into(), &["not valid JSON"]),
        ("top level array", "[1]".into(), &["must be a JSON object", "an array"]),
        ("no Statement", r#"{"Version":"2012-10-17"}"#.into(), &["no \"Statement\""]),
        ("Statement a string", r#"{"Statement":"x"}"#.into(), &["\"Statement\" must be an object or an array"]),
        ("statement entry a string", format!(r#"{{"Statement":[{ok},"x"]}}"#), &["statement 2:", "must be a JSON object"]),
        ("bad Version", r#"{"Version":"2020-01-01","Statement":[]}"#.into(), &["\"Version\""]),
        ("unknown top-level element", r#"{"Statment":[]}"#.into(), &["policy document: unknown element \"Statment\""]),
        ("missing Effect", r#"{"Statement":{"Sid":"A","Principal":"*","Action":"*"}}"#.into(), &["statement 1 (Sid \"A\"): missing \"Effect\""]),
        ("bad Effect", r#"{"Statement":{"Effect":"allow","Principal":"*","Action":"*"}}"#.into(), &["statement 1:", "\"Allow\" or \"Deny\"", "\"allow\""]),
        ("lower-case element", r#"{"Statement":{"effect":"Allow","Principal":"*","Action":"*"}}"#.into(), &["statement 1: unknown element \"effect\""]),
        ("duplicate Effect", r#"{"Statement":[{"Effect":"Allow","Effect":"Deny","Principal":"*","Action":"*"}]}"#.into(), &["statement 1:", "duplicate key \"Effect\""]),
        ("duplicate condition key", format!(r#"{{"Statement":[{ok},{{"Sid":"B","Effect":"Allow","Principal":"*","Action":"*","Condition":{{"StringEquals":{{"k":"a","k":"b"}}}}}}]}}"#), &["statement 2 (Sid \"B\")", "duplicate key \"k\""]),
        ("Action and NotAction", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","NotAction":"x"}}"#.into(), &["statement 1:", "\"Action\" and \"NotAction\""]),
        ("Principal and NotPrincipal", r#"{"Statement":{"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"*"}}"#.into(), &["\"Principal\" and \"NotPrincipal\""]),
        ("Action a number", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":3}}"#.into(), &["statement 1:", "\"Action\" must be a string or an array of strings"]),
        ("Principal a number", r#"{"Statement":{"Effect":"Allow","Principal":1,"Action":"*"}}"#.into(), &["statement 1:", "\"Principal\"", "a number"]),
        ("Principal an array", r#"{"Statement":{"Effect":"Allow","Principal":["*"],"Action":"*"}}"#.into(), &["\"Principal\"", "an array"]),
        ("Principal a non-* string", r#"{"Statement":{"Effect":"Allow","Principal":"arn:x","Action":"*"}}"#.into(), &["\"Principal\"", "\"arn:x\""]),
        ("Principal unknown type", r#"{"Statement":{"Effect":"Allow","Principal":{"Aws":"1"},"Action":"*"}}"#.into(), &["unknown principal type \"Aws\""]),
        ("Principal empty object", r#"{"Statement":{"Effect":"Allow","Principal":{},"Action":"*"}}"#.into(), &["names no principal"]),
        ("Principal value a number", r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":123},"Action":"*"}}"#.into(), &["\"Principal.AWS\""]),
        ("Condition an array", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":[]}}"#.into(), &["statement 1:", "\"Condition\" must be an object"]),
        ("operator maps to a string", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":"x"}}}"#.into(), &["\"StringEquals\" must map keys to values"]),
        ("condition value null", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":null}}}}"#.into(), &["\"k\"", "null"]),
        ("condition value object", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":{}}}}}"#.into(), &["an object"]),
        ("condition value empty array", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEquals":{"k":[]}}}}"#.into(), &["an empty array"]),
        ("lower-case operator", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"stringEquals":{"k":"v"}}}}"#.into(), &["statement 1: unknown condition operator \"stringEquals\""]),
        ("NullIfExists", r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Condition":{"NullIfExists":{"k":"true"}}}}"#.into(), &["statement 1:", "Null takes no IfExists"]),
    ];
    for (name, text, wants) in cases {
        let message = match parse_str(&text) {
            Ok(_) => panic!("{name}: should be refused"),
            Err(e) => e.to_string(),
        };
        assert!(!message.contains('\n'), "{name}: one line: {message}");
        for want in wants {
            assert!(message.contains(want), "{name}: {message:?} lacks {want:?}");
        }
    }
}

#[test]
fn unknown_operator_message_is_exact() {
    let text = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"},
        {"Sid":"AllowCI","Effect":"Allow","Principal":"*","Action":"*","Condition":{"StringEqualz":{"k":"v"}}}]}"#;
    let err = parse_str(text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "statement 2 (Sid \"AllowCI\"): unknown condition operator \"StringEqualz\""
    );
}

#[test]
fn raw_value_that_is_not_a_document_is_an_error() {
    assert!(matches!(parse(&json!(42)), Err(PolicyError::NotAnObject { .. })));
    assert!(matches!(parse(&json!("%7Bbroken")), Err(PolicyError::NotJson { url_decoded: true, .. })));
}
