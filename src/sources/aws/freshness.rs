//! How fresh the AWS side of the live view is: still loading, fresh, or stale since a time
//! because AWS rejected the credentials (an SSO session or session token that expired in the
//! middle of a session). While stale, the live view keeps the last answer read with good
//! credentials instead of blanking every AWS column, says since when it is stale and what to
//! run, and goes back to fresh by itself at the first read whose credentials work again.

use super::Enrichment;
use crate::messages::AwsStatus;
use jiff::Timestamp;

/// The last enrichment read with working credentials, and since when they stopped working.
#[derive(Debug, Default)]
pub struct LastKnown {
    good: Option<(Enrichment, Timestamp)>,
    stale_since: Option<Timestamp>,
}

impl LastKnown {
    /// Takes a new read made at `now`; returns what the view should show and its status.
    /// A read whose credentials were rejected gives the last good read back (if any), stale.
    pub fn update(&mut self, fresh: Enrichment, now: Timestamp) -> (Enrichment, AwsStatus) {
        let Some(reason) = fresh.expired_credentials.clone() else {
            self.stale_since = None;
            self.good = Some((fresh.clone(), now));
            return (fresh, AwsStatus::Fresh);
        };
        let since = *self.stale_since.get_or_insert(now);
        let status = AwsStatus::Stale {
            since,
            read_at: self.good.as_ref().map(|(_, at)| *at),
            reason,
        };
        match &self.good {
            Some((good, _)) => {
                let mut shown = good.clone();
                // Ask again soon: the user may have logged in meanwhile.
                shown.retry_soon = true;
                (shown, status)
            }
            None => (fresh, status),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use irsa_core::model::CallerIdentity;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + second).unwrap()
    }

    #[test]
    fn rejected_credentials_keep_the_last_good_read_until_a_read_works_again() {
        let mut last = LastKnown::default();
        let good = Enrichment {
            caller: Some(CallerIdentity {
                account: "123456789012".to_owned(),
                arn: "arn:aws:sts::123456789012:assumed-role/sre/alice".to_owned(),
                user_id: None,
            }),
            ..Enrichment::default()
        };
        assert_eq!(last.update(good.clone(), at(0)).1, AwsStatus::Fresh);

        let expired = Enrichment {
            expired_credentials: Some("the AWS credentials have expired (ExpiredToken)".into()),
            ..Enrichment::default()
        };
        let (shown, status) = last.update(expired.clone(), at(60));
        assert_eq!(shown.caller, good.caller, "never blanked");
        assert!(shown.retry_soon);
        let stale_at_60 = AwsStatus::Stale {
            since: at(60),
            read_at: Some(at(0)),
            reason: "the AWS credentials have expired (ExpiredToken)".to_owned(),
        };
        assert_eq!(status, stale_at_60);
        // Still expired a minute later: stale since the first rejection, not since now.
        assert_eq!(last.update(expired, at(120)).1, stale_at_60);

        let again = Enrichment {
            caller: None,
            ..Enrichment::default()
        };
        let (shown, status) = last.update(again, at(180));
        assert_eq!(status, AwsStatus::Fresh);
        assert_eq!(shown.caller, None, "a working read replaces the old one");
    }

    #[test]
    fn rejected_credentials_before_any_good_read_show_what_is_unknown() {
        let mut last = LastKnown::default();
        let expired = Enrichment {
            expired_credentials: Some("expired".into()),
            ..Enrichment::default()
        };
        let (shown, status) = last.update(expired.clone(), at(5));
        assert_eq!(shown, expired);
        assert!(matches!(status, AwsStatus::Stale { read_at: None, .. }));
    }
}
