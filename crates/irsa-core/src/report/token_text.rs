//! Text rendering of a decoded token: header, claims, lifetime. There is no signature to show:
//! the decoder never keeps it.

use super::clean;
use crate::analysis::token::{DecodedToken, TokenLifetime};

pub fn render(token: &DecodedToken, lifetime: Option<&TokenLifetime>) -> String {
    let h = &token.header;
    let c = &token.claims;
    let mut out = String::from("header\n");
    for (k, v) in [("alg", &h.alg), ("kid", &h.kid), ("typ", &h.typ)] {
        if let Some(v) = v {
            out.push_str(&format!("  {k:<5} {}\n", clean(v)));
        }
    }
    out.push_str("claims\n");
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(clean)
            .unwrap_or_else(|| "(absent)".to_owned())
    };
    out.push_str(&format!("  iss   {}\n", opt(&c.iss)));
    out.push_str(&format!("  sub   {}\n", opt(&c.sub)));
    out.push_str(&format!(
        "  aud   {}\n",
        if c.aud.is_empty() {
            "(absent)".to_owned()
        } else {
            clean(&c.aud.join(", "))
        }
    ));
    for (k, v) in [("iat", c.iat), ("nbf", c.nbf), ("exp", c.exp)] {
        if let Some(v) = v {
            let when = jiff::Timestamp::from_second(v)
                .map(|t| t.to_string())
                .unwrap_or_else(|_| "out of range".to_owned());
            out.push_str(&format!("  {k:<5} {v} ({when})\n"));
        }
    }
    if let Some(k) = &c.kubernetes {
        out.push_str("  kubernetes.io\n");
        if let Some(ns) = &k.namespace {
            out.push_str(&format!("    namespace      {}\n", clean(ns)));
        }
        for (label, b) in [
            ("serviceaccount", &k.serviceaccount),
            ("pod", &k.pod),
            ("node", &k.node),
        ] {
            if let Some(b) = b {
                let uid = b
                    .uid
                    .as_deref()
                    .map(|u| format!(" (uid {})", clean(u)))
                    .unwrap_or_default();
                out.push_str(&format!("    {label:<14} {}{uid}\n", clean(&b.name)));
            }
        }
    }
    out.push_str("lifetime\n");
    match lifetime {
        Some(l) => {
            out.push_str(&format!("  ttl          {}\n", human(l.ttl_seconds)));
            out.push_str(&format!("  refresh at   {} (80 % of ttl)\n", l.refresh_at));
            if l.expired {
                out.push_str(&format!(
                    "  EXPIRED      {} ago\n",
                    human(-l.remaining_seconds)
                ));
            } else {
                out.push_str(&format!("  remaining    {}\n", human(l.remaining_seconds)));
                if l.past_refresh {
                    out.push_str("  PAST REFRESH kubelet should already have rotated this token\n");
                }
            }
        }
        None => out.push_str("  unknown (iat or exp missing)\n"),
    }
    out.push_str("signature: present, not shown\n");
    out
}

/// `1d 2h 3m 4s`, compact.
pub fn human(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (d, h, m, sec) = (s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if sec > 0 || parts.is_empty() {
        parts.push(format!("{sec}s"));
    }
    let text = parts.join(" ");
    if seconds < 0 {
        format!("-{text}")
    } else {
        text
    }
}
