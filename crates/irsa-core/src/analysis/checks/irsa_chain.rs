//! The IRSA chain of one ServiceAccount and role ARN, link by link: role ARN valid → OIDC
//! provider registered → audience accepted → role exists → trust allows. The role must be
//! known before its trust can be evaluated, so "role exists" precedes "trust allows"; every
//! link is evaluated even after a broken one where possible, so all problems are reported,
//! and `first_broken` marks the one STS trips on first.

use super::arn::parse_role_arn;
use super::binding::{ChainLink, IrsaAnalysis, LinkKind, LinkStatus, TrustOutcome};
use super::{irsa, irsa_trust};
use crate::analysis::credentials::WebIdentityOutlook;
use crate::analysis::findings::ACCESS_DENIED_WEB_IDENTITY;
use crate::analysis::inventory::{InventoryIndex, RoleStatus};
use crate::analysis::trust::{self, Decision, provider_arn, web_identity_request};
use crate::model::{Finding, FindingCode, ServiceAccountInfo, SourceKind};

type Analyzed<T> = (T, Vec<Finding>, Vec<(SourceKind, String)>);

/// The IRSA chain of `sa` for the role ARN `role_arn` (the annotation, or a pod's stale
/// `AWS_ROLE_ARN`) and `audience`, with the findings about it (subject: the SA).
pub fn analyze_irsa(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    role_arn: &str,
    audience: &str,
) -> Analyzed<IrsaAnalysis> {
    let ctx = irsa::IrsaContext::new(index, sa, role_arn, audience);
    let mut findings = Vec::new();
    let mut unknowns = Vec::new();
    let mut links = Vec::new();
    let mut analysis = IrsaAnalysis {
        role_arn: role_arn.to_owned(),
        role_name: None,
        role_account: None,
        provider_arn: None,
        issuer: index.issuer().map(str::to_owned),
        audience: audience.to_owned(),
        subject: ctx.sub.clone(),
        trust: TrustOutcome::NotEvaluated {
            reason: "role ARN invalid".to_owned(),
        },
        links: Vec::new(),
        first_broken: None,
        outlook: WebIdentityOutlook::Unknown {
            reason: String::new(),
        },
    };
    let parsed = match parse_role_arn(role_arn) {
        Ok(p) => p,
        Err(problem) => {
            findings.push(irsa::malformed_arn(&ctx, &problem));
            links.push(ChainLink::new(
                LinkKind::RoleArnValid,
                LinkStatus::Broken,
                problem,
                Some(FindingCode::IRSA007),
            ));
            for kind in [
                LinkKind::OidcProviderRegistered,
                LinkKind::AudienceAccepted,
                LinkKind::RoleExists,
                LinkKind::TrustAllows,
            ] {
                links.push(ChainLink::new(
                    kind,
                    LinkStatus::Skipped,
                    "role ARN invalid",
                    None,
                ));
            }
            return finish(analysis, links, findings, unknowns);
        }
    };
    links.push(ChainLink::new(
        LinkKind::RoleArnValid,
        LinkStatus::Ok,
        role_arn,
        None,
    ));
    analysis.role_name = Some(parsed.name.to_owned());
    analysis.role_account = Some(parsed.account.to_owned());
    let issuer = index.issuer();
    let provider = issuer.map(|i| provider_arn(parsed.partition, parsed.account, i));
    analysis.provider_arn = provider.clone();

    // OIDC provider registered, audience accepted.
    match (issuer, provider.as_deref()) {
        (Some(issuer), Some(provider)) => {
            let (l, f, u) = irsa::provider_links(&ctx, issuer, provider, parsed.account);
            links.extend(l);
            findings.extend(f);
            unknowns.extend(u);
        }
        _ => {
            unknowns.push((
                SourceKind::EksCluster,
                "cluster issuer unknown: OIDC provider and trust not checked".to_owned(),
            ));
            links.push(ChainLink::new(
                LinkKind::OidcProviderRegistered,
                LinkStatus::Unknown,
                "cluster issuer unknown",
                None,
            ));
            links.push(ChainLink::new(
                LinkKind::AudienceAccepted,
                LinkStatus::Unknown,
                "cluster issuer unknown",
                None,
            ));
        }
    }

    // Role exists, trust allows.
    match index.role_status(role_arn) {
        RoleStatus::Missing => {
            findings.push(irsa::missing_role(&ctx, &parsed));
            links.push(ChainLink::new(
                LinkKind::RoleExists,
                LinkStatus::Broken,
                format!("{} not in account {}", parsed.name, parsed.account),
                Some(FindingCode::IRSA006),
            ));
            links.push(ChainLink::new(
                LinkKind::TrustAllows,
                LinkStatus::Skipped,
                "role missing",
                None,
            ));
            analysis.trust = TrustOutcome::NotEvaluated {
                reason: "role missing".to_owned(),
            };
        }
        RoleStatus::Unknown(why) => {
            unknowns.push((SourceKind::IamRoles, format!("{why}: trust not checked")));
            links.push(ChainLink::new(
                LinkKind::RoleExists,
                LinkStatus::Unknown,
                why.clone(),
                None,
            ));
            links.push(ChainLink::new(
                LinkKind::TrustAllows,
                LinkStatus::Unknown,
                why.clone(),
                None,
            ));
            analysis.trust = TrustOutcome::NotEvaluated { reason: why };
        }
        RoleStatus::Known(role) => {
            links.push(ChainLink::new(
                LinkKind::RoleExists,
                LinkStatus::Ok,
                &role.arn,
                None,
            ));
            match (index.trust_policy(role), issuer, provider.as_deref()) {
                (None, ..) => {
                    let why = format!("trust policy of {} not readable", role.name);
                    unknowns.push((SourceKind::IamRoles, why.clone()));
                    links.push(ChainLink::new(
                        LinkKind::TrustAllows,
                        LinkStatus::Unknown,
                        why.clone(),
                        None,
                    ));
                    analysis.trust = TrustOutcome::NotEvaluated { reason: why };
                }
                (Some(Err(e)), ..) => {
                    findings.push(irsa::unparsable_trust(&ctx, role, &e.to_string()));
                    links.push(ChainLink::new(
                        LinkKind::TrustAllows,
                        LinkStatus::Broken,
                        format!("trust policy unparsable: {e}"),
                        Some(FindingCode::IRSA009),
                    ));
                    analysis.trust = TrustOutcome::Unparsable {
                        error: e.to_string(),
                    };
                }
                (Some(Ok(_)), None, _) | (Some(Ok(_)), _, None) => {
                    links.push(ChainLink::new(
                        LinkKind::TrustAllows,
                        LinkStatus::Unknown,
                        "cluster issuer unknown",
                        None,
                    ));
                    analysis.trust = TrustOutcome::NotEvaluated {
                        reason: "cluster issuer unknown".to_owned(),
                    };
                }
                (Some(Ok(doc)), Some(issuer), Some(provider)) => {
                    let request = web_identity_request(provider, issuer, &ctx.sub, audience);
                    let verdict = trust::evaluate(doc, &request);
                    let trust_findings =
                        irsa_trust::classify_trust(&ctx, role, doc, &verdict, provider);
                    let (status, detail, code) = match verdict.decision {
                        Decision::Allow => (
                            LinkStatus::Ok,
                            format!(
                                "statement {} allows {}",
                                verdict.deciding_statement.unwrap_or_default(),
                                ctx.sub
                            ),
                            None,
                        ),
                        _ => (
                            LinkStatus::Broken,
                            trust_findings
                                .first()
                                .map_or_else(|| "trust denies".to_owned(), |f| f.title.clone()),
                            trust_findings.first().map(|f| f.code),
                        ),
                    };
                    findings.extend(trust_findings);
                    links.push(ChainLink::new(LinkKind::TrustAllows, status, detail, code));
                    analysis.trust = TrustOutcome::Evaluated { verdict };
                }
            }
        }
    }
    finish(analysis, links, findings, unknowns)
}

fn finish(
    mut analysis: IrsaAnalysis,
    links: Vec<ChainLink>,
    findings: Vec<Finding>,
    unknowns: Vec<(SourceKind, String)>,
) -> Analyzed<IrsaAnalysis> {
    analysis.first_broken = links.iter().position(|l| l.status == LinkStatus::Broken);
    analysis.outlook = match analysis.first_broken.and_then(|i| links.get(i)) {
        Some(broken) => {
            let code = broken.code.unwrap_or(FindingCode::IRSA009);
            let aws_error = findings
                .iter()
                .find(|f| f.code == code)
                .and_then(|f| f.aws_error.clone())
                .unwrap_or_else(|| ACCESS_DENIED_WEB_IDENTITY.to_owned());
            WebIdentityOutlook::Fails {
                code,
                reason: broken.detail.clone(),
                aws_error,
            }
        }
        None => match links.iter().find(|l| l.status == LinkStatus::Unknown) {
            Some(l) => WebIdentityOutlook::Unknown {
                reason: format!("{}: {}", l.kind.label(), l.detail),
            },
            None => WebIdentityOutlook::Works,
        },
    };
    analysis.links = links;
    (analysis, findings, unknowns)
}
