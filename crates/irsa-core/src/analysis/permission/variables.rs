//! IAM policy variables in `Resource`/`NotResource` patterns and condition values:
//! `${aws:username}`, `${aws:PrincipalTag/team}`, a default value
//! (`${aws:PrincipalTag/team, 'none'}`), and the escapes `${*}`, `${?}`, `${$}` for a literal
//! `*`, `?` and `$`.
//!
//! Rules (IAM User Guide, "IAM policy elements: Variables and tags"):
//! - variables are replaced only in documents whose `Version` is `2012-10-17`; in any other
//!   document `${…}` is literal text;
//! - a key that is absent from the request (or multi-valued: IAM does not substitute those)
//!   leaves the variable unresolved, and a pattern or value with an unresolved variable matches
//!   nothing — unless the variable names a default, which is used instead;
//! - the substituted value is literal: a `*` in a tag value is not a wildcard.
//!
//! Hand-written: the grammar is IAM's own; no crate parses it.

use super::super::trust::RequestContext;

/// One character of a pattern after substitution: a wildcard, or a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
    Literal(char),
}

/// A pattern after substitution, or the variable that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Substituted {
    Pattern(Vec<Token>),
    Unresolved { variable: String },
}

impl Substituted {
    /// The pattern as text (wildcards as `*`/`?`), for condition values compared as strings.
    pub fn text(&self) -> Option<String> {
        match self {
            Substituted::Pattern(tokens) => Some(
                tokens
                    .iter()
                    .map(|t| match t {
                        Token::Star => '*',
                        Token::One => '?',
                        Token::Literal(c) => *c,
                    })
                    .collect(),
            ),
            Substituted::Unresolved { .. } => None,
        }
    }
}

/// Replaces the variables of `text` from `request` (only when `variables` is on: the
/// document's version is `2012-10-17`).
pub fn substitute(text: &str, variables: bool, request: &RequestContext) -> Substituted {
    let mut tokens = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if variables
            && rest.starts_with("${")
            && let Some(end) = rest.find('}')
        {
            let inner = &rest[2..end];
            match resolve(inner, request) {
                Some(value) => tokens.extend(value.chars().map(Token::Literal)),
                None => {
                    return Substituted::Unresolved {
                        variable: format!("${{{inner}}}"),
                    };
                }
            }
            rest = &rest[end + 1..];
            continue;
        }
        tokens.push(match c {
            '*' => Token::Star,
            '?' => Token::One,
            c => Token::Literal(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    Substituted::Pattern(tokens)
}

/// The value of one `${…}` body: an escape, a single-valued key, or the default.
fn resolve(inner: &str, request: &RequestContext) -> Option<String> {
    match inner {
        "*" | "?" | "$" => return Some(inner.to_owned()),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => (key.trim(), parse_default(default.trim())),
        None => (inner.trim(), None),
    };
    match request.key(key) {
        Some([single]) => Some(single.clone()),
        _ => default,
    }
}

/// `'text'` → `text`; anything else is not a default.
fn parse_default(text: &str) -> Option<String> {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .map(str::to_owned)
}

/// Does `value` match the pattern? `*` and `?` wildcards; literals compare case-sensitively
/// (or ignoring ASCII case when `ignore_case`). Iterative with backtracking to the last `*`:
/// linear in practice, never exponential.
pub fn glob_matches(pattern: &[Token], value: &str, ignore_case: bool) -> bool {
    let value: Vec<char> = value.chars().collect();
    let eq = |a: char, b: char| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut v) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match pattern.get(p) {
            Some(Token::Star) => {
                star = Some((p, v));
                p += 1;
            }
            Some(Token::One) => {
                p += 1;
                v += 1;
            }
            Some(Token::Literal(c)) if value.get(v).is_some_and(|x| eq(*c, *x)) => {
                p += 1;
                v += 1;
            }
            _ => match star {
                Some((sp, sv)) => {
                    p = sp + 1;
                    v = sv + 1;
                    star = Some((sp, sv + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|t| *t == Token::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::trust::RequestPrincipal;

    fn request() -> RequestContext {
        RequestContext::new("s3:GetObject", RequestPrincipal::Aws("x".to_owned()))
            .with_key("aws:PrincipalTag/kubernetes-namespace", "team-a")
            .with_key("aws:username", "al*ce")
            .with_key("multi", "a")
            .with_key("multi", "b")
    }

    fn text(s: &Substituted) -> String {
        s.text().unwrap_or_else(|| "<unresolved>".to_owned())
    }

    #[test]
    fn variables_are_replaced_only_in_2012_documents() {
        let r = request();
        let p = "arn:aws:s3:::b/${aws:PrincipalTag/kubernetes-namespace}/*";
        assert_eq!(text(&substitute(p, true, &r)), "arn:aws:s3:::b/team-a/*");
        assert_eq!(text(&substitute(p, false, &r)), p);
    }

    #[test]
    fn absent_and_multi_valued_keys_leave_the_variable_unresolved_unless_a_default_is_given() {
        let r = request();
        assert_eq!(
            substitute("a/${aws:SourceIdentity}", true, &r),
            Substituted::Unresolved {
                variable: "${aws:SourceIdentity}".to_owned()
            }
        );
        assert!(matches!(
            substitute("${multi}", true, &r),
            Substituted::Unresolved { .. }
        ));
        assert_eq!(
            text(&substitute("${aws:SourceIdentity, 'nobody'}/x", true, &r)),
            "nobody/x"
        );
    }

    #[test]
    fn escapes_and_substituted_values_are_literal() {
        let r = request();
        let Substituted::Pattern(tokens) = substitute("${*}/${aws:username}/*", true, &r) else {
            panic!("resolved")
        };
        assert_eq!(tokens[0], Token::Literal('*'));
        assert!(glob_matches(&tokens, "*/al*ce/anything", false));
        assert!(!glob_matches(&tokens, "x/al*ce/anything", false));
        assert!(!glob_matches(&tokens, "*/alice/anything", false));
    }

    #[test]
    fn globs_match_like_iam() {
        let pat = |s: &str| match substitute(s, false, &request()) {
            Substituted::Pattern(t) => t,
            Substituted::Unresolved { .. } => panic!("no variables"),
        };
        assert!(glob_matches(
            &pat("arn:aws:s3:::bucket/*"),
            "arn:aws:s3:::bucket/a/b",
            false
        ));
        assert!(!glob_matches(
            &pat("arn:aws:s3:::bucket/*"),
            "arn:aws:s3:::Bucket/a",
            false
        ));
        assert!(glob_matches(&pat("s3:Get*"), "S3:GETOBJECT", true));
        assert!(glob_matches(&pat("a?c"), "abc", false));
        assert!(!glob_matches(&pat("a?c"), "ac", false));
        assert!(glob_matches(&pat("*"), "", false));
        assert!(glob_matches(&pat("*a*b*"), "xxaxxbxx", false));
        assert!(!glob_matches(&pat("*a*b"), "xxaxxbxxc", false));
    }
}
