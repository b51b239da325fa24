//! `--cloudtrail DURATION`: CloudTrail's event history of the cluster's region, read-only with
//! `cloudtrail:LookupEvents`, bounded and paced as the API demands.
//!
//! Three lookups over the window: `EventName=AssumeRoleWithWebIdentity`,
//! `EventName=AssumeRoleForPodIdentity`, and every event (LookupEvents filters by one attribute
//! only and has no error-code filter, so refused calls are found by reading the window). Each is
//! capped at [`PAGE_CAP`] pages of 50 events; a capped lookup is reported, never silently
//! truncated. Calls are spaced at least [`MIN_GAP`] apart: LookupEvents allows 2 requests per
//! second per account and region. Only management events are in the history (S3 object calls
//! are data events and are not). The records stay in memory for this run only.
//!
//! The SDK's `aws-sdk-cloudtrail` does the calls (27 s and 0.95 GB of a debug build on 2 cores,
//! BENCHMARKS.md); its client is made from the shared configuration when first needed, so
//! `AWS_ENDPOINT_URL_CLOUDTRAIL` and the profile's settings apply as for the AWS CLI.

use super::{AwsSource, CallError};
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use irsa_core::analysis::triage::cloudtrail::TrailRecord;
use std::time::Duration;

/// Pages per lookup (of 50 events each).
pub const PAGE_CAP: usize = irsa_core::analysis::triage::cloudtrail::LOOKUP_PAGE_CAP;
/// LookupEvents: 2 requests per second per account and region.
pub const MIN_GAP: Duration = Duration::from_millis(500);
const ACTION: &str = "cloudtrail:LookupEvents";

/// What the lookups brought back.
#[derive(Debug, Default)]
pub struct TrailRead {
    pub records: Vec<TrailRecord>,
    /// `CloudTrailEvent` texts that did not parse.
    pub unreadable: usize,
    pub calls: u32,
    /// Lookups that stopped at [`PAGE_CAP`] with more pages left (`account X: …` for another
    /// account's).
    pub capped: Vec<String>,
    /// Other accounts whose history could not be read, one line each.
    pub problems: Vec<String>,
}

impl AwsSource {
    /// Reads the window in this account, then in each account given with `--account-profile`
    /// (a Pod Identity target role's, a cross-account IRSA role's: their refusals are recorded
    /// there) with that account's credentials. A failing other account is one line; this
    /// account's failure is the error.
    pub async fn lookup_trail_all(&self, start: i64, end: i64) -> Result<TrailRead, CallError> {
        let mut read = self.lookup_trail(start, end).await?;
        for (account, reader) in &self.others {
            match reader {
                super::AccountReader::Ready(other) => match other.lookup_trail(start, end).await {
                    Ok(more) => {
                        read.records.extend(more.records);
                        read.calls += more.calls;
                        read.unreadable += more.unreadable;
                        read.capped.extend(
                            more.capped
                                .into_iter()
                                .map(|c| format!("account {account}: {c}")),
                        );
                    }
                    Err(e) => read.problems.push(format!("account {account}: {e}")),
                },
                super::AccountReader::Unusable(why) => {
                    read.problems.push(format!("account {account}: {why}"));
                }
            }
        }
        Ok(read)
    }

    /// Reads the window `[start, end]` (epoch seconds).
    pub async fn lookup_trail(&self, start: i64, end: i64) -> Result<TrailRead, CallError> {
        let client = aws_sdk_cloudtrail::Client::new(&self.clients.config);
        let mut read = TrailRead::default();
        let mut last: Option<tokio::time::Instant> = None;
        let lookups: [(&'static str, Option<&str>); 3] = [
            (
                "AssumeRoleWithWebIdentity",
                Some("AssumeRoleWithWebIdentity"),
            ),
            ("AssumeRoleForPodIdentity", Some("AssumeRoleForPodIdentity")),
            ("all events (for refused calls)", None),
        ];
        for (label, event_name) in lookups {
            let mut token: Option<String> = None;
            let mut pages = 0;
            loop {
                if pages == PAGE_CAP {
                    read.capped.push(label.to_owned());
                    break;
                }
                if let Some(at) = last {
                    tokio::time::sleep_until(at + MIN_GAP).await;
                }
                last = Some(tokio::time::Instant::now());
                let mut request = client
                    .lookup_events()
                    .start_time(DateTime::from_secs(start))
                    .end_time(DateTime::from_secs(end))
                    .max_results(50)
                    .set_next_token(token.clone());
                if let Some(name) = event_name {
                    let attribute = LookupAttribute::builder()
                        .attribute_key(LookupAttributeKey::EventName)
                        .attribute_value(name)
                        .build()
                        .map_err(|e| CallError {
                            action: ACTION,
                            kind: super::FailureKind::Other(e.to_string()),
                        })?;
                    request = request.lookup_attributes(attribute);
                }
                let out = self.call(ACTION, || request.send()).await?;
                read.calls += 1;
                pages += 1;
                for event in out.events() {
                    match event
                        .cloud_trail_event()
                        .map(serde_json::from_str::<TrailRecord>)
                    {
                        Some(Ok(record)) => {
                            // The unfiltered lookup sees the exchanges again.
                            let dup = event_name.is_none()
                                && matches!(
                                    record.event_name.as_str(),
                                    "AssumeRoleWithWebIdentity" | "AssumeRoleForPodIdentity"
                                );
                            if !dup {
                                read.records.push(record);
                            }
                        }
                        _ => read.unreadable += 1,
                    }
                }
                token = out.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
        }
        Ok(read)
    }
}
