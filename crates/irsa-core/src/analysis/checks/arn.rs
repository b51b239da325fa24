//! Validation of the `eks.amazonaws.com/role-arn` annotation: the shape STS accepts,
//! `arn:<aws|aws-cn|aws-us-gov>:iam::<12 digits>:role/<path/>name`. Hand-written because the
//! rule is a few lines and the useful output is *which* part is wrong, which a regex does not say.

/// A role ARN split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn<'a> {
    pub arn: &'a str,
    pub partition: &'a str,
    pub account: &'a str,
    /// `/` or `/path/`.
    pub path: &'a str,
    pub name: &'a str,
}

/// The expected form, for evidence.
pub const ROLE_ARN_FORMAT: &str =
    "arn:<aws|aws-cn|aws-us-gov>:iam::<12-digit account>:role/<path/>name";

const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

fn valid_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// Parses a role ARN; the error names the part that is wrong.
pub fn parse_role_arn(arn: &str) -> Result<RoleArn<'_>, String> {
    if arn.is_empty() {
        return Err("the annotation is empty".to_owned());
    }
    if arn.trim() != arn {
        return Err("leading or trailing white space".to_owned());
    }
    let (partition, service, account, resource) = split_arn(arn)?;
    if service != "iam" {
        return Err(format!("service {service:?}, not \"iam\""));
    }
    let Some(rest) = resource.strip_prefix("role/") else {
        let kind = resource.split('/').next().unwrap_or(resource);
        return Err(format!("resource type {kind:?}, not \"role\""));
    };
    let (path_inner, name) = match rest.rfind('/') {
        Some(i) => (
            rest.get(..i).unwrap_or_default(),
            rest.get(i + 1..).unwrap_or_default(),
        ),
        None => ("", rest),
    };
    if name.is_empty() {
        return Err("role name missing".to_owned());
    }
    if name.len() > 64 || !name.chars().all(valid_name_char) {
        return Err(format!("role name {name:?} is not a valid IAM name"));
    }
    if path_inner
        .split('/')
        .any(|seg| seg.is_empty() && !path_inner.is_empty())
        || !path_inner.chars().all(|c| valid_name_char(c) || c == '/')
    {
        return Err(format!("role path /{path_inner}/ is not a valid IAM path"));
    }
    let path_len = if path_inner.is_empty() {
        1
    } else {
        path_inner.len() + 2
    };
    let path = resource
        .get("role".len()..("role".len() + path_len))
        .unwrap_or("/");
    Ok(RoleArn {
        arn,
        partition,
        account,
        path,
        name,
    })
}

/// A likely intended role ARN for a malformed annotation: white space trimmed, the missing
/// empty region restored (`arn:aws:iam:123…:role/x`), or a bare role name completed with
/// `account`. `None` when no simple repair yields a valid ARN.
pub fn repair_role_arn(value: &str, account: Option<&str>) -> Option<String> {
    let trimmed: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let candidates = [
        Some(trimmed.clone()),
        trimmed
            .strip_prefix("arn:")
            .and_then(|rest| rest.split_once(":iam:"))
            .filter(|(_, tail)| !tail.starts_with(':'))
            .map(|(partition, tail)| format!("arn:{partition}:iam::{tail}")),
        account.filter(|_| !trimmed.contains(':')).map(|a| {
            format!(
                "arn:aws:iam::{a}:role/{}",
                trimmed.trim_start_matches("role/")
            )
        }),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|c| c != value && parse_role_arn(c).is_ok())
}

/// Splits an IAM/STS ARN (`arn:<partition>:<service>::<account>:<resource>`) into
/// (partition, service, account, resource), naming the part that is wrong.
fn split_arn(arn: &str) -> Result<(&str, &str, &str, &str), String> {
    if arn.chars().any(char::is_whitespace) {
        return Err("contains white space".to_owned());
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(format!(
            "{} `:`-separated fields, an ARN has 6",
            parts.len()
        ));
    };
    if *prefix != "arn" {
        return Err(format!("starts with {prefix:?}, not \"arn\""));
    }
    if !PARTITIONS.contains(partition) {
        return Err(format!("unknown partition {partition:?}"));
    }
    if !region.is_empty() {
        return Err(format!("region {region:?} given; IAM ARNs have none"));
    }
    if account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()) {
        let shown = if account.is_empty() {
            "missing"
        } else {
            account
        };
        return Err(format!("account {shown} is not 12 digits"));
    }
    Ok((partition, service, account, resource))
}

/// [`split_arn`] for principals: (service, account, non-empty resource).
fn split_principal_arn(arn: &str) -> Result<(&str, &str, &str), String> {
    let (_, service, account, resource) = split_arn(arn)?;
    if resource.is_empty() {
        return Err("the resource part is empty".to_owned());
    }
    Ok((service, account, resource))
}

/// Checks a federated principal: an IAM OIDC or SAML provider ARN.
pub fn check_federated_principal(arn: &str) -> Result<(), String> {
    let (service, _, resource) = split_principal_arn(arn)?;
    let provider = resource
        .strip_prefix("oidc-provider/")
        .or_else(|| resource.strip_prefix("saml-provider/"));
    match (service, provider) {
        ("iam", Some(p)) if !p.is_empty() => Ok(()),
        ("iam", _) => Err(format!(
            "{resource:?} is not oidc-provider/… or saml-provider/…"
        )),
        _ => Err(format!("service {service:?}, not \"iam\"")),
    }
}

/// Checks an AWS principal: a 12-digit account id, or an IAM (`role/`, `user/`, `root`) or STS
/// (`assumed-role/`) ARN.
pub fn check_aws_principal(principal: &str) -> Result<(), String> {
    if principal.len() == 12 && principal.chars().all(|c| c.is_ascii_digit()) {
        return Ok(());
    }
    let (service, _, resource) = split_principal_arn(principal)?;
    let ok = match service {
        "iam" => {
            resource == "root" || resource.starts_with("role/") || resource.starts_with("user/")
        }
        "sts" => resource.starts_with("assumed-role/") || resource.starts_with("federated-user/"),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{service}:{resource:?} is not an IAM role, user, account root or STS session"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_arns_parse_with_their_parts() {
        let a = parse_role_arn("arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role")
            .unwrap();
        assert_eq!(
            (a.partition, a.account, a.path, a.name),
            (
                "aws",
                "123456789012",
                "/",
                "eks-irsa-lab-demo-s3-reader-role"
            )
        );
        let b = parse_role_arn("arn:aws-cn:iam::123456789012:role/team/a/app@x").unwrap();
        assert_eq!((b.path, b.name), ("/team/a/", "app@x"));
    }

    #[test]
    fn simple_mistakes_are_repaired() {
        let acct = Some("123456789012");
        let cases = [
            (
                " arn:aws:iam::123456789012:role/x\n",
                Some("arn:aws:iam::123456789012:role/x"),
            ),
            (
                "arn:aws:iam:123456789012:role/x",
                Some("arn:aws:iam::123456789012:role/x"),
            ),
            (
                "eks-app-role",
                Some("arn:aws:iam::123456789012:role/eks-app-role"),
            ),
            ("arn:aws:iam::123456789012:user/x", None),
        ];
        for (value, want) in cases {
            assert_eq!(repair_role_arn(value, acct).as_deref(), want, "{value:?}");
        }
    }

    #[test]
    fn malformed_arns_say_what_is_wrong() {
        let cases = [
            (" arn:aws:iam::123456789012:role/x", "white space"),
            ("arn:aws:iam::123456789012:role/x y", "white space"),
            ("arn:aws:s3::123456789012:role/x", "service"),
            ("arn:aws:iam:::role/x", "account missing"),
            ("arn:aws:iam::12345:role/x", "not 12 digits"),
            ("arn:aws:iam::123456789012:user/x", "\"user\""),
            ("arn:aws:iam::123456789012:role/", "name missing"),
            ("arn:aws:iam:eu-west-1:123456789012:role/x", "region"),
            ("arn:azure:iam::123456789012:role/x", "partition"),
            ("eks-irsa-lab-demo-s3-reader-role", "fields"),
            ("", "empty"),
        ];
        for (arn, want) in cases {
            let err = parse_role_arn(arn).unwrap_err();
            assert!(err.contains(want), "{arn:?}: {err}");
        }
    }

    #[test]
    fn principal_arns_are_checked_part_by_part() {
        use super::{check_aws_principal, check_federated_principal};
        let oidc =
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC";
        assert!(check_federated_principal(oidc).is_ok());
        assert!(check_federated_principal("arn:aws:iam::123456789012:saml-provider/corp").is_ok());
        let err = check_federated_principal("arn:aws:iam::123456789012:role/x").unwrap_err();
        assert!(err.contains("oidc-provider"), "{err}");
        assert!(check_federated_principal("oidc.eks.eu-west-1.amazonaws.com/id/ABC").is_err());
        assert!(
            check_federated_principal("arn:aws:iam::12345:oidc-provider/x")
                .unwrap_err()
                .contains("12 digits")
        );
        assert!(check_aws_principal("123456789012").is_ok());
        assert!(check_aws_principal("arn:aws:iam::123456789012:role/a").is_ok());
        assert!(check_aws_principal("arn:aws:sts::123456789012:assumed-role/a/s").is_ok());
        assert!(check_aws_principal("arn:aws:s3:::bucket").is_err());
        assert!(check_aws_principal("arn:aws:iam::123456789012:group/admins").is_err());
    }
}
