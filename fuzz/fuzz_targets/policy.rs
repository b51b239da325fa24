//! Trust-policy parser + evaluator. The input is policy text (JSON, URL-encoded JSON, or a
//! JSON string holding either); the same bytes then drive a request built from the parsed
//! policy's own principals, actions, condition keys and values (so conditions are reached, not
//! just parsed), with values sometimes kept, changed, dropped or multiplied.
//!
//! Invariants checked besides "no panic":
//! - the deciding statement exists and agrees with the decision;
//! - adding a statement that denies everything turns any decision into Deny;
//! - the verdict renders to text, and the trace holds one entry per statement.
#![no_main]

use arbitrary::Unstructured;
use irsa_core::analysis::policy::{
    self, ActionSpec, Effect, PolicyDocument, PrincipalSpec, Principals, Statement,
};
use irsa_core::analysis::trust::{self, Decision, RequestContext, RequestPrincipal};
use irsa_core::report::trust_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = policy::parse_str(&text);
    // The other entry points: a decoded JSON value, and the pretty-printing decoder.
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
        let _ = policy::parse(&value);
        let _ = policy::decode(&value);
    }
    let Ok(doc) = parsed else { return };
    let mut u = Unstructured::new(data);
    let request = request_for(&doc, &mut u);
    check(&doc, &request);
});

fn check(doc: &PolicyDocument, request: &RequestContext) {
    let verdict = trust::evaluate(doc, request);
    assert_eq!(verdict.statements.len(), doc.statements.len());
    match (verdict.decision, verdict.deciding_statement) {
        (Decision::ImplicitDeny, None) => {}
        (Decision::Allow, Some(i)) => {
            assert!(verdict.statements[i].applies && verdict.statements[i].effect == Effect::Allow)
        }
        (Decision::Deny, Some(i)) => {
            assert!(verdict.statements[i].applies && verdict.statements[i].effect == Effect::Deny)
        }
        other => panic!("inconsistent verdict {other:?}"),
    }
    let _ = trust_text::verdict(&verdict);
    let _ = trust_text::request(request);

    let mut with_deny = doc.clone();
    with_deny.statements.push(Statement {
        sid: None,
        effect: Effect::Deny,
        principal: PrincipalSpec::Principal(Principals {
            any: true,
            ..Principals::default()
        }),
        action: ActionSpec::Only(vec!["*".to_owned()]),
        resource: None,
        conditions: Vec::new(),
    });
    assert_eq!(
        trust::evaluate(&with_deny, request).decision,
        Decision::Deny
    );
}

/// A request that mostly "fits" the document, perturbed by the fuzzer's bytes.
fn request_for(doc: &PolicyDocument, u: &mut Unstructured<'_>) -> RequestContext {
    let mut principals = Vec::new();
    let mut actions = Vec::new();
    for s in &doc.statements {
        if let PrincipalSpec::Principal(p) | PrincipalSpec::NotPrincipal(p) = &s.principal {
            principals.extend(p.federated.iter().cloned().map(RequestPrincipal::Federated));
            principals.extend(p.aws.iter().cloned().map(RequestPrincipal::Aws));
            principals.extend(p.service.iter().cloned().map(RequestPrincipal::Service));
        }
        let (ActionSpec::Only(list) | ActionSpec::Not(list)) = &s.action;
        actions.extend(list.iter().cloned());
    }
    let principal = pick(u, &principals).unwrap_or_else(|| RequestPrincipal::Federated(string(u)));
    let action = pick(u, &actions).unwrap_or_else(|| "sts:AssumeRoleWithWebIdentity".to_owned());
    let mut request = RequestContext::new(&action, principal);
    for c in doc.statements.iter().flat_map(|s| &s.conditions) {
        let copies = u.int_in_range(0..=3u8).unwrap_or(1);
        for _ in 0..copies {
            let value = match u.int_in_range(0..=2u8).unwrap_or(0) {
                0 => pick(u, &c.values).unwrap_or_default(),
                1 => string(u),
                _ => format!("{}{}", pick(u, &c.values).unwrap_or_default(), string(u)),
            };
            let key = if u.arbitrary::<bool>().unwrap_or(false) {
                c.key.to_uppercase()
            } else {
                c.key.clone()
            };
            request = request.with_key(&key, &value);
        }
    }
    request
}

fn pick<T: Clone>(u: &mut Unstructured<'_>, items: &[T]) -> Option<T> {
    if items.is_empty() {
        return None;
    }
    u.choose(items).ok().cloned()
}

fn string(u: &mut Unstructured<'_>) -> String {
    u.arbitrary::<String>().unwrap_or_default()
}
