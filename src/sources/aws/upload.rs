//! `audit --output s3://BUCKET/PREFIX`: the report as one S3 object, the only write the audit
//! ever makes, and only when the user names their own bucket (refused under `--read-only`).
//!
//! The object key partitions by date and cluster, the layout the Athena table of
//! `deploy/sql/athena/create_table.sql` projects:
//! `PREFIX/dt=YYYY-MM-DD/cluster=NAME/<generated_at>-<context>.<ext>` (UTC; names made safe for a
//! key: anything but `A-Za-z0-9._-` becomes `_`).

use super::config::{AwsClients, AwsOptions, load};
use super::error::{AwsStartError, CallError};
use jiff::Timestamp;

/// A parsed `s3://bucket/prefix` destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Destination {
    pub bucket: String,
    /// Without leading or trailing `/`; may be empty.
    pub prefix: String,
}

impl S3Destination {
    /// `s3://bucket[/prefix]`, or `None` when `text` is not an `s3://` URL; an `s3://` URL
    /// without a valid bucket name is an error.
    pub fn parse(text: &str) -> Option<Result<Self, String>> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !valid {
            return Some(Err(format!(
                "{text}: {bucket:?} is not an S3 bucket name (3–63 lower-case letters, digits, dots, hyphens)"
            )));
        }
        Some(Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        }))
    }

    /// The object key of one report.
    pub fn key(
        &self,
        generated_at: Timestamp,
        cluster: Option<&str>,
        context: Option<&str>,
        extension: &str,
    ) -> String {
        let utc = generated_at.to_zoned(jiff::tz::TimeZone::UTC);
        let date = utc.strftime("%Y-%m-%d");
        let stamp = utc.strftime("%Y%m%dT%H%M%SZ");
        let cluster = safe(cluster.unwrap_or("unknown"));
        let name = match context {
            Some(c) => format!("{stamp}-{}", safe(c)),
            None => stamp.to_string(),
        };
        let leaf = format!("dt={date}/cluster={cluster}/{name}.{extension}");
        if self.prefix.is_empty() {
            leaf
        } else {
            format!("{}/{leaf}", self.prefix)
        }
    }

    pub fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Why an upload failed, in one line.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Start(#[from] AwsStartError),
    #[error("{url}: {error}")]
    Put { url: String, error: CallError },
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Puts each `(key, body)` into the bucket with the credentials of `options` (blocking).
pub fn put_objects(
    options: &AwsOptions,
    dest: &S3Destination,
    objects: Vec<(String, String)>,
) -> Result<(), UploadError> {
    crate::runtime::background()?.block_on(async {
        let config = load(options, None).await?;
        let clients = AwsClients::new(&config);
        for (key, body) in objects {
            clients
                .s3
                .put_object()
                .bucket(&dest.bucket)
                .key(&key)
                .content_type("application/x-ndjson")
                .body(body.into_bytes().into())
                .send()
                .await
                .map_err(|e| UploadError::Put {
                    url: dest.url(&key),
                    error: CallError::from_sdk("s3:PutObject", &e),
                })?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bucket_and_prefix() {
        let d = S3Destination::parse("s3://my-audit-bucket/irsa-inspector/")
            .expect("s3")
            .expect("valid");
        assert_eq!(d.bucket, "my-audit-bucket");
        assert_eq!(d.prefix, "irsa-inspector");
        let d = S3Destination::parse("s3://my-audit-bucket")
            .expect("s3")
            .expect("valid");
        assert_eq!(d.prefix, "");
        assert!(S3Destination::parse("/tmp/report.json").is_none());
        assert!(
            S3Destination::parse("s3://My_Bucket/x")
                .expect("s3")
                .is_err()
        );
        assert!(S3Destination::parse("s3:///x").expect("s3").is_err());
    }

    #[test]
    fn keys_partition_by_date_and_cluster() {
        let d = S3Destination::parse("s3://bkt/irsa-inspector")
            .expect("s3")
            .expect("valid");
        let at: Timestamp = "2026-12-07T03:15:09Z".parse().expect("time");
        assert_eq!(
            d.key(
                at,
                Some("irsa-lab"),
                Some("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab"),
                "ndjson"
            ),
            "irsa-inspector/dt=2026-12-07/cluster=irsa-lab/20261207T031509Z-arn_aws_eks_eu-west-1_123456789012_cluster_irsa-lab.ndjson"
        );
        assert_eq!(
            d.key(at, None, None, "json"),
            "irsa-inspector/dt=2026-12-07/cluster=unknown/20261207T031509Z.json"
        );
    }
}
