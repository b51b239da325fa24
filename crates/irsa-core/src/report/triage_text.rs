//! `explain error` as text: per recognised error, what it means, the subjects it is about
//! (best first), the evaluation and whether it agrees with AWS, the fix. Every value quoted
//! from the pasted text or the cluster passes through [`clean`].

use super::clean;
use crate::analysis::triage::Triage;
use crate::analysis::triage::error_text::AwsErrorText;

/// Renders a [`Triage`].
pub fn triage(t: &Triage) -> String {
    let mut out = String::new();
    if let Some(why) = &t.not_recognised {
        out.push_str(&format!("not recognised: {}\n", clean(why)));
        return out;
    }
    for (i, d) in t.diagnoses.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("error: {}\n", kind(&d.error)));
        out.push_str(&format!("  {}\n", clean(&d.summary)));
        out.push_str(&format!("looked for: {}\n", clean(&d.looked_for)));
        if d.subjects.is_empty() {
            out.push_str("subjects: none found\n");
        } else {
            out.push_str("subjects (best match first):\n");
            for (n, s) in d.subjects.iter().enumerate() {
                let name = match &s.subject.namespace {
                    Some(ns) => format!("{}/{}", ns, s.subject.name),
                    None => s.subject.name.clone(),
                };
                out.push_str(&format!(
                    "  {}. {} {} — {}{}\n",
                    n + 1,
                    s.subject.kind.as_str(),
                    clean(&name),
                    clean(&s.why),
                    if s.confirmed { "" } else { " (not confirmed)" }
                ));
            }
        }
        if let Some(a) = &d.evaluation {
            out.push_str(&format!(
                "evaluated for {}: {} — {}\n",
                clean(&a.identity.pod),
                a.decision.as_str(),
                clean(&a.reason)
            ));
            for dec in &a.deciding {
                out.push_str(&format!(
                    "  deciding: {} {:?} statement {}{}\n",
                    dec.kind.label(),
                    clean(&dec.policy),
                    dec.statement + 1,
                    dec.sid
                        .as_deref()
                        .map(|s| format!(" ({})", clean(s)))
                        .unwrap_or_default()
                ));
            }
        }
        if let Some(agreement) = &d.agreement {
            out.push_str(&format!("against AWS: {}\n", clean(agreement)));
        }
        if let Some(fix) = &d.fix {
            out.push_str(&format!("fix: {}\n", clean(fix)));
        }
        for note in &d.notes {
            out.push_str(&format!("note: {}\n", clean(note)));
        }
    }
    out
}

fn kind(e: &AwsErrorText) -> String {
    match e {
        AwsErrorText::NotAuthorized { action, code, .. } => format!(
            "{} — not authorized to perform {}",
            code.as_deref().unwrap_or("AccessDenied"),
            clean(action)
        ),
        AwsErrorText::WebIdentityDenied { .. } => {
            "AccessDenied on sts:AssumeRoleWithWebIdentity".to_owned()
        }
        AwsErrorText::NoOidcProvider { issuer } => format!(
            "InvalidIdentityToken — no OpenID Connect provider for {}",
            clean(issuer)
        ),
        AwsErrorText::IncorrectAudience => {
            "InvalidIdentityToken — incorrect token audience".to_owned()
        }
        AwsErrorText::TokenExpired => {
            "ExpiredTokenException — the web identity token expired".to_owned()
        }
        AwsErrorText::IdpRejectedClaim => "IDPRejectedClaim".to_owned(),
        AwsErrorText::IdpCommunication => "IDPCommunicationError (transient)".to_owned(),
        AwsErrorText::InvalidRoleArn { .. } => {
            "ValidationError — Request ARN is invalid".to_owned()
        }
        AwsErrorText::WebIdentityErr { cause } => {
            format!(
                "WebIdentityErr — failed to retrieve credentials{}",
                cause
                    .as_deref()
                    .map(|c| format!(" (caused by: {})", clean(c)))
                    .unwrap_or_default()
            )
        }
        AwsErrorText::PodIdentityAgent { detail } => {
            format!("EKS Pod Identity agent — {}", clean(detail))
        }
        AwsErrorText::NoCredentials => "no credentials found by the SDK".to_owned(),
        AwsErrorText::BareAccessDenied => "Access Denied (no details)".to_owned(),
    }
}
