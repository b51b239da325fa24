//! IRSA001–IRSA009: the findings of a ServiceAccount's IRSA chain (subject: the SA, related:
//! the role). The trust verdict is classified into the code that names what to fix; see
//! CHECKS-SPEC.md for the exact triggers.

use super::arn::{ROLE_ARN_FORMAT, RoleArn};
use super::binding::{ChainLink, LinkKind, LinkStatus};
use super::fix;
use crate::analysis::findings::{ErrorVars, finding};
use crate::analysis::inventory::{InventoryIndex, issuer_host};
use crate::model::{
    Evidence, Finding, FindingCode, RoleInfo, ServiceAccountInfo, SourceKind, Subject,
};

/// What every IRSA finding of one SA needs.
pub struct IrsaContext<'i, 'a> {
    pub index: &'i InventoryIndex<'a>,
    pub subject: Subject,
    pub namespace: String,
    pub name: String,
    /// `system:serviceaccount:<ns>:<sa>`.
    pub sub: String,
    pub role_arn: String,
    pub audience: String,
}

impl<'i, 'a> IrsaContext<'i, 'a> {
    /// The context for `sa` and the role ARN / audience being checked.
    pub fn new(
        index: &'i InventoryIndex<'a>,
        sa: &ServiceAccountInfo,
        role_arn: &str,
        audience: &str,
    ) -> Self {
        Self {
            index,
            subject: Subject::service_account(&sa.namespace, &sa.name),
            namespace: sa.namespace.clone(),
            name: sa.name.clone(),
            sub: format!("system:serviceaccount:{}:{}", sa.namespace, sa.name),
            role_arn: role_arn.to_owned(),
            audience: audience.to_owned(),
        }
    }

    pub(super) fn sa_label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    fn vars(&self) -> ErrorVars<'a> {
        ErrorVars {
            issuer: self.index.issuer(),
            ..ErrorVars::default()
        }
    }

    pub(super) fn start(
        &self,
        code: FindingCode,
        title: String,
    ) -> crate::analysis::findings::FindingBuilder {
        finding(code, self.subject.clone(), title)
            .catalog_error(&self.vars())
            .related(Subject::role(&self.role_arn))
    }
}

/// IRSA007: the annotation is not a role ARN.
pub fn malformed_arn(ctx: &IrsaContext<'_, '_>, problem: &str) -> Finding {
    let key = ctx.index.annotation_key("role-arn");
    let fix_value =
        super::arn::repair_role_arn(&ctx.role_arn, ctx.index.account()).unwrap_or_else(|| {
            format!(
                "arn:aws:iam::{}:role/<role-name>",
                ctx.index.account().unwrap_or("<account>")
            )
        });
    finding(
        FindingCode::IRSA007,
        ctx.subject.clone(),
        format!(
            "{} role-arn annotation {:?} is not a role ARN: {problem}",
            ctx.sa_label(),
            ctx.role_arn
        ),
    )
    .catalog_error(&ctx.vars())
    .evidence(Evidence::compare(
        format!("annotation {key}"),
        ROLE_ARN_FORMAT,
        format!("{:?}", ctx.role_arn),
    ))
    .evidence(Evidence::observed("problem", problem))
    .fix(fix::annotate_role(
        &ctx.namespace,
        &ctx.name,
        &key,
        &fix_value,
    ))
    .build()
}

type Links = (Vec<ChainLink>, Vec<Finding>, Vec<(SourceKind, String)>);

/// IRSA001 / IRSA002: the provider for the issuer in the role's account and its audiences.
pub fn provider_links(
    ctx: &IrsaContext<'_, '_>,
    issuer: &str,
    provider_arn: &str,
    role_account: &str,
) -> Links {
    let index = ctx.index;
    let mk = |kind, status, detail: String, code| ChainLink {
        kind,
        status,
        detail,
        code,
    };
    if !index.providers_known() {
        return providers_unknown("IAM OIDC providers not loaded".to_owned());
    }
    let host = issuer_host(issuer);
    let in_account = |p: &&&crate::model::OidcProvider| p.account() == Some(role_account);
    let account_loaded = index.account() == Some(role_account)
        || index.providers().any(|p| p.account() == Some(role_account));
    let Some(provider) = index.providers_for_issuer(issuer).iter().find(in_account) else {
        if !account_loaded {
            return providers_unknown(format!(
                "OIDC providers of account {role_account} not loaded"
            ));
        }
        let others: Vec<&str> = index
            .providers()
            .filter(|p| p.account() == Some(role_account))
            .map(|p| p.url.as_str())
            .collect();
        let actual = if others.is_empty() {
            "none".to_owned()
        } else {
            others.join(", ")
        };
        let cluster = index.cluster_name().unwrap_or("<cluster>");
        let f = ctx
            .start(
                FindingCode::IRSA001,
                format!(
                    "no IAM OIDC provider for issuer {host} in account {role_account} (role of {})",
                    ctx.sa_label()
                ),
            )
            .evidence(Evidence::compare(
                format!("IAM OIDC providers in account {role_account}"),
                host,
                actual,
            ))
            .evidence(Evidence::observed("expected provider ARN", provider_arn))
            .fix(if index.account() == Some(role_account) {
                format!("eksctl utils associate-iam-oidc-provider --cluster {cluster} --approve")
            } else {
                format!(
                    "in account {role_account}: aws iam create-open-id-connect-provider --url {issuer} --client-id-list {}",
                    ctx.audience
                )
            })
            .build();
        return (
            vec![
                mk(
                    LinkKind::OidcProviderRegistered,
                    LinkStatus::Broken,
                    format!("no provider {host} in account {role_account}"),
                    Some(FindingCode::IRSA001),
                ),
                mk(
                    LinkKind::AudienceAccepted,
                    LinkStatus::Skipped,
                    "no provider".to_owned(),
                    None,
                ),
            ],
            vec![f],
            Vec::new(),
        );
    };
    let first = mk(
        LinkKind::OidcProviderRegistered,
        LinkStatus::Ok,
        provider.arn.clone(),
        None,
    );
    if provider.client_ids.iter().any(|c| c == &ctx.audience) {
        let ok = mk(
            LinkKind::AudienceAccepted,
            LinkStatus::Ok,
            format!("{} in ClientIDList", ctx.audience),
            None,
        );
        return (vec![first, ok], Vec::new(), Vec::new());
    }
    let list = if provider.client_ids.is_empty() {
        "(empty)".to_owned()
    } else {
        provider.client_ids.join(", ")
    };
    let title = format!(
        "token audience {} of {} is not in the ClientIDList [{list}] of provider {host}",
        ctx.audience,
        ctx.sa_label()
    );
    let fix = format!(
        "aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {} --client-id {}",
        provider.arn, ctx.audience
    );
    let f = ctx
        .start(FindingCode::IRSA002, title)
        .evidence(Evidence::compare(
            "provider ClientIDList contains the token audience",
            ctx.audience.clone(),
            list,
        ))
        .related(Subject::oidc_provider(&provider.arn))
        .fix(fix)
        .build();
    let broken = mk(
        LinkKind::AudienceAccepted,
        LinkStatus::Broken,
        format!("{} not in ClientIDList", ctx.audience),
        Some(FindingCode::IRSA002),
    );
    (vec![first, broken], vec![f], Vec::new())
}

/// IRSA006: the annotated role does not exist; suggests the nearest existing role name.
pub fn missing_role(ctx: &IrsaContext<'_, '_>, arn: &RoleArn<'_>) -> Finding {
    let nearest = ctx
        .index
        .role_names_in(arn.account)
        .map(|r| (strsim::levenshtein(&r.name, arn.name), r))
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.name.cmp(&b.1.name)))
        // Only a plausible typo is worth naming.
        .filter(|(distance, _)| *distance <= (arn.name.len() / 5).max(2));
    let mut b = ctx
        .start(
            FindingCode::IRSA006,
            format!(
                "role {} annotated on {} does not exist in account {}",
                arn.name,
                ctx.sa_label(),
                arn.account
            ),
        )
        .evidence(Evidence::new(
            format!("IAM role in account {}", arn.account),
            Some(arn.arn.to_owned()),
            Some("not found".to_owned()),
        ));
    if let Some((distance, role)) = nearest {
        b = b.evidence(Evidence::compare(
            format!("nearest existing role (edit distance {distance})"),
            arn.name,
            role.name.clone(),
        ));
    }
    let cluster = ctx.index.cluster_name().unwrap_or("<cluster>");
    b.fix(format!(
        "eksctl create iamserviceaccount --cluster {cluster} --namespace {} --name {} --role-name {} --attach-policy-arn <policy-arn> --approve --override-existing-serviceaccounts",
        ctx.namespace, ctx.name, arn.name
    ))
    .build()
}

/// IRSA009 for a trust document that cannot be parsed.
pub fn unparsable_trust(ctx: &IrsaContext<'_, '_>, role: &RoleInfo, error: &str) -> Finding {
    ctx.start(
        FindingCode::IRSA009,
        format!(
            "trust policy of {} cannot be parsed, so no statement allows {}",
            role.name,
            ctx.sa_label()
        ),
    )
    .evidence(Evidence::observed("trust policy parse error", error))
    .fix(trust_fix(ctx, role, &[]))
    .build()
}

/// `aws iam update-assume-role-policy …` with the corrected trust document shown.
pub(super) fn trust_fix(
    ctx: &IrsaContext<'_, '_>,
    role: &RoleInfo,
    keep_subs: &[String],
) -> String {
    let issuer = ctx.index.issuer().unwrap_or("https://<issuer>");
    let partition = super::arn::parse_role_arn(&role.arn).map_or("aws", |a| a.partition);
    let account = role.account().unwrap_or("<account>");
    let provider = crate::analysis::trust::provider_arn(partition, account, issuer);
    let mut subs: Vec<String> = keep_subs.to_vec();
    if !subs.contains(&ctx.sub) {
        subs.push(ctx.sub.clone());
    }
    fix::update_trust(
        &role.name,
        &provider,
        issuer_host(issuer),
        &subs,
        &ctx.audience,
    )
}

/// The provider and audience links when the providers that would decide them are not loaded.
fn providers_unknown(why: String) -> Links {
    let unknown = |kind| ChainLink {
        kind,
        status: LinkStatus::Unknown,
        detail: why.clone(),
        code: None,
    };
    (
        vec![
            unknown(LinkKind::OidcProviderRegistered),
            unknown(LinkKind::AudienceAccepted),
        ],
        Vec::new(),
        vec![(SourceKind::OidcProviders, why)],
    )
}
