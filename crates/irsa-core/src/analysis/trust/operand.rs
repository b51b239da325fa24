//! One value of a condition, typed for its operator, and the comparison of a request value
//! with a policy value under a positive operator.
//!
//! Parsing uses the crates the IAM formats call for: `jiff` for ISO 8601 dates, `ipnet` for
//! CIDR blocks, `base64` for `BinaryEquals`, `wildmatch` for `*`/`?` globs. Numbers are
//! compared exactly when both are integers and as `f64` otherwise; the accepted syntax is
//! IAM's (optional sign, digits, optional decimal part), so `NaN`, `inf` and exponents are
//! refused rather than silently accepted by `f64::from_str`.

use crate::analysis::policy::BaseOperator;
use base64::Engine as _;
use ipnet::IpNet;
use jiff::Timestamp;
use std::cmp::Ordering;
use std::net::IpAddr;
use wildmatch::WildMatch;

/// A condition value parsed for its operator.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    Text(String),
    Number(Number),
    Time(Timestamp),
    Flag(bool),
    Net(IpNet),
    Bytes(Vec<u8>),
    /// The six colon-separated parts (the last may itself contain colons).
    Arn(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Number {
    Int(i128),
    Decimal(f64),
}

/// What kind of value an operator reads, for notes (`"… is not a number"`).
pub(super) fn kind(op: BaseOperator) -> &'static str {
    use BaseOperator::*;
    match op.positive() {
        NumericEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => "a number",
        DateEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => "a date (ISO 8601 or epoch seconds)",
        Bool | Null => "a boolean (true/false)",
        BinaryEquals => "base64",
        IpAddress => "an IP address or CIDR block",
        ArnEquals | ArnLike => "an ARN (6 colon-separated parts)",
        _ => "a string",
    }
}

/// Parses one value (from the policy or the request) for `op`.
pub(super) fn parse(op: BaseOperator, raw: &str) -> Option<Operand> {
    use BaseOperator::*;
    match op.positive() {
        NumericEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => parse_number(raw).map(Operand::Number),
        DateEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => parse_date(raw).map(Operand::Time),
        Bool | Null => parse_bool(raw).map(Operand::Flag),
        BinaryEquals => base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .ok()
            .map(Operand::Bytes),
        IpAddress => parse_net(raw).map(Operand::Net),
        ArnEquals | ArnLike => {
            let parts: Vec<String> = raw.splitn(6, ':').map(str::to_owned).collect();
            (parts.len() == 6).then_some(Operand::Arn(parts))
        }
        _ => Some(Operand::Text(raw.to_owned())),
    }
}

/// Does the request value `actual` match the policy value `expected` under the positive
/// operator `op`? Operands of different kinds never match.
pub(super) fn matches(op: BaseOperator, actual: &Operand, expected: &Operand) -> bool {
    use BaseOperator::*;
    use Operand::*;
    match (op.positive(), actual, expected) {
        (StringEquals, Text(a), Text(e)) => a == e,
        (StringEqualsIgnoreCase, Text(a), Text(e)) => a.to_lowercase() == e.to_lowercase(),
        (StringLike, Text(a), Text(e)) => WildMatch::new(e).matches(a),
        (op, Number(a), Number(e)) => ordered(op, compare_numbers(*a, *e)),
        (op, Time(a), Time(e)) => ordered(op, Some(a.cmp(e))),
        (Bool, Flag(a), Flag(e)) => a == e,
        (BinaryEquals, Bytes(a), Bytes(e)) => a == e,
        (IpAddress, Net(a), Net(e)) => e.contains(a),
        // The IAM reference: ArnEquals and ArnLike behave identically; each of the six parts
        // is matched separately and may hold `*` and `?`.
        (ArnEquals | ArnLike, Arn(a), Arn(e)) => a
            .iter()
            .zip(e)
            .all(|(part, pattern)| WildMatch::new(pattern).matches(part)),
        _ => false,
    }
}

fn ordered(op: BaseOperator, ordering: Option<Ordering>) -> bool {
    use BaseOperator::*;
    let Some(ordering) = ordering else {
        return false;
    };
    match op {
        NumericEquals | DateEquals => ordering == Ordering::Equal,
        NumericLessThan | DateLessThan => ordering == Ordering::Less,
        NumericLessThanEquals | DateLessThanEquals => ordering != Ordering::Greater,
        NumericGreaterThan | DateGreaterThan => ordering == Ordering::Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => ordering != Ordering::Less,
        _ => false,
    }
}

fn compare_numbers(a: Number, e: Number) -> Option<Ordering> {
    match (a, e) {
        (Number::Int(a), Number::Int(e)) => Some(a.cmp(&e)),
        (a, e) => as_f64(a).partial_cmp(&as_f64(e)),
    }
}

fn as_f64(n: Number) -> f64 {
    match n {
        // Precision loss above 2^53 is acceptable: only reached when comparing with a decimal.
        #[allow(clippy::cast_precision_loss)]
        Number::Int(i) => i as f64,
        Number::Decimal(d) => d,
    }
}

fn parse_number(raw: &str) -> Option<Number> {
    let text = raw.trim();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let well_formed = all_digits(whole)
        && fraction.is_none_or(all_digits)
        && !(whole.is_empty() && fraction.is_none_or(str::is_empty));
    if !well_formed {
        return None;
    }
    if fraction.is_none()
        && let Ok(i) = text.parse::<i128>()
    {
        return Some(Number::Int(i));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Number::Decimal)
}

/// W3C ISO 8601 profiles IAM accepts (`2020-01-01T00:00:01Z`, with offset, without offset as
/// UTC, date only as midnight UTC) or epoch seconds.
fn parse_date(raw: &str) -> Option<Timestamp> {
    let text = raw.trim();
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .ok()
            .and_then(|s| Timestamp::from_second(s).ok());
    }
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ts);
    }
    let utc = jiff::tz::TimeZone::UTC;
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(utc).ok().map(|z| z.timestamp());
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.to_zoned(utc).ok())
        .map(|z| z.timestamp())
}

fn parse_bool(raw: &str) -> Option<bool> {
    let text = raw.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// A CIDR block, or a single address as a /32 (IPv4) or /128 (IPv6) block.
fn parse_net(raw: &str) -> Option<IpNet> {
    let text = raw.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

#[cfg(test)]
mod tests {
    use super::*;
    use BaseOperator::*;

    fn m(op: BaseOperator, actual: &str, expected: &str) -> bool {
        let a = parse(op, actual).expect("actual parses");
        let e = parse(op, expected).expect("expected parses");
        matches(op, &a, &e)
    }

    #[test]
    fn numbers_compare_integers_and_decimals() {
        assert!(m(NumericEquals, "1.0", "1"));
        assert!(m(NumericLessThan, "3599", "3600"));
        assert!(!m(NumericLessThan, "3600", "3600"));
        assert!(m(NumericLessThanEquals, "3600", "3600"));
        assert!(m(NumericGreaterThan, "-0.5", "-1"));
        assert!(m(NumericGreaterThanEquals, "10", "9.99"));
        for bad in ["NaN", "inf", "1e3", "", "-", ".", "12a", "0x10"] {
            assert_eq!(parse(NumericEquals, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_accept_iso_8601_and_epoch_seconds() {
        assert!(m(DateEquals, "2020-01-01T00:00:00Z", "1577836800"));
        assert!(m(DateEquals, "2020-01-01", "2020-01-01T00:00:00Z"));
        assert!(m(
            DateEquals,
            "2020-01-01T01:00:00+01:00",
            "2020-01-01T00:00:00"
        ));
        assert!(m(
            DateLessThan,
            "2019-12-31T23:59:59Z",
            "2020-01-01T00:00:00Z"
        ));
        assert!(m(
            DateGreaterThan,
            "2020-01-01T00:00:01Z",
            "2020-01-01T00:00:00Z"
        ));
        assert_eq!(parse(DateEquals, "yesterday"), None);
    }

    #[test]
    fn bool_is_case_insensitive() {
        assert!(m(Bool, "TRUE", "true"));
        assert!(!m(Bool, "false", "true"));
        assert_eq!(parse(Bool, "yes"), None);
    }

    #[test]
    fn ip_addresses_match_cidr_blocks_v4_and_v6() {
        assert!(m(IpAddress, "203.0.113.7", "203.0.113.0/24"));
        assert!(!m(IpAddress, "203.0.114.7", "203.0.113.0/24"));
        assert!(m(IpAddress, "203.0.113.7", "203.0.113.7"));
        assert!(m(
            IpAddress,
            "2001:db8:1234:5678::1",
            "2001:DB8:1234:5678::/64"
        ));
        assert!(!m(IpAddress, "203.0.113.7", "2001:DB8::/32"));
        assert_eq!(parse(IpAddress, "300.1.1.1"), None);
    }

    #[test]
    fn binary_compares_decoded_bytes() {
        assert!(m(BinaryEquals, "QmluYXJ5", "QmluYXJ5"));
        assert!(!m(BinaryEquals, "QmluYXJ5", "QmluYXJ6"));
        assert_eq!(parse(BinaryEquals, "not base64!"), None);
    }

    #[test]
    fn arn_parts_match_separately() {
        // The IAM reference's own example: StringLike would match, ArnLike must not.
        let pattern = "arn:aws:someservice:*:111122223333:finance/*";
        let value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert!(!m(ArnLike, value, pattern));
        assert!(m(StringLike, value, pattern));
        assert!(m(
            ArnLike,
            "arn:aws:sns:eu-west-1:111122223333:topic",
            "arn:aws:sns:*:111122223333:*"
        ));
        assert!(m(
            ArnEquals,
            "arn:aws:s3:::bucket/a:b",
            "arn:aws:s3:::bucket/a:?"
        ));
        assert_eq!(parse(ArnEquals, "not-an-arn"), None);
    }

    #[test]
    fn string_like_star_spans_colons_and_question_is_one_char() {
        assert!(m(
            StringLike,
            "system:serviceaccount:demo:s3-reader",
            "system:*"
        ));
        assert!(m(StringLike, "abc", "abc*"));
        assert!(m(StringLike, "abc", "a?c"));
        assert!(!m(StringLike, "ac", "a?c"));
        assert!(!m(StringLike, "abbc", "a?c"));
    }
}
