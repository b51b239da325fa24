//! The resource side of `can-i --aws`: the policy of the one resource a question names, read
//! live and read-only — an S3 bucket's (`s3:GetBucketPolicy`) or a KMS key's
//! (`kms:GetKeyPolicy`, policy `default`). Other services' resource policies come from the
//! snapshot file `resource-policies.json`.
//!
//! The SDK's own crates (`aws-sdk-s3`, `aws-sdk-kms`) do the calls rather than a request
//! signed by hand: they bring S3's bucket-region redirects, error codes and retries as the
//! other calls have them, and cost 34 s (S3) and 11 s (KMS) of a clean debug build on 2 cores
//! and nothing at run time until a question needs them (BENCHMARKS.md, "AWS SDK crates").

use super::{AwsSource, CallError, FailureKind};
use aws_sdk_s3::config::Region;
use irsa_core::model::ResourcePolicyInfo;

/// What reading a resource's policy found.
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceRead {
    /// The resource's policy, as the CLI prints it.
    Policy(ResourcePolicyInfo),
    /// The bucket exists and has no policy (`NoSuchBucketPolicy`).
    NoPolicy,
    /// Not a resource this reads live (only S3 buckets and objects, and KMS keys by key ARN);
    /// the text says why.
    NotRead(String),
}

impl AwsSource {
    /// Reads the policy that governs `resource` (a bucket's for an object ARN).
    pub async fn resource_policy(&self, resource: &str) -> Result<ResourceRead, CallError> {
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, "s3", "", "", path] if !path.is_empty() => {
                let bucket = path.split('/').next().unwrap_or_default();
                let partition = parts[1];
                self.bucket_policy(partition, bucket).await
            }
            ["arn", _, "kms", region, _, id] if id.starts_with("key/") => {
                self.key_policy(region, resource).await
            }
            ["arn", _, "kms", ..] => Ok(ResourceRead::NotRead(
                "a KMS alias is not read live: ask about the key ARN it points to \
                 (aws kms describe-key --key-id ALIAS)"
                    .to_owned(),
            )),
            _ => Ok(ResourceRead::NotRead(
                "only S3 bucket and KMS key policies are read live; others come from \
                 resource-policies.json"
                    .to_owned(),
            )),
        }
    }

    async fn bucket_policy(
        &self,
        partition: &str,
        bucket: &str,
    ) -> Result<ResourceRead, CallError> {
        const ACTION: &str = "s3:GetBucketPolicy";
        let ask = |client: aws_sdk_s3::Client| async move {
            self.call_with_header(ACTION, "x-amz-bucket-region", || {
                client.get_bucket_policy().bucket(bucket).send()
            })
            .await
        };
        let mut answer = ask(self.clients.s3.clone()).await;
        // A bucket of another region answers with a redirect naming its region: ask there.
        if let Err((_, Some(region))) = &answer {
            let config = aws_sdk_s3::config::Builder::from(&self.clients.config)
                .region(Region::new(region.clone()))
                .build();
            answer = ask(aws_sdk_s3::Client::from_conf(config)).await;
        }
        match answer {
            Ok(out) => Ok(match out.policy() {
                Some(text) => ResourceRead::Policy(ResourcePolicyInfo {
                    arn: format!("arn:{partition}:s3:::{bucket}"),
                    account: None,
                    policy: serde_json::Value::String(text.to_owned()),
                }),
                None => ResourceRead::NoPolicy,
            }),
            Err((e, _)) if e.kind == FailureKind::Other("NoSuchBucketPolicy".to_owned()) => {
                Ok(ResourceRead::NoPolicy)
            }
            Err((e, _)) => Err(e),
        }
    }

    async fn key_policy(&self, region: &str, key_arn: &str) -> Result<ResourceRead, CallError> {
        let mut config = aws_sdk_kms::config::Builder::from(&self.clients.config);
        if !region.is_empty() {
            config = config.region(Region::new(region.to_owned()));
        }
        let client = aws_sdk_kms::Client::from_conf(config.build());
        let out = self
            .call("kms:GetKeyPolicy", || {
                client
                    .get_key_policy()
                    .key_id(key_arn)
                    .policy_name("default")
                    .send()
            })
            .await?;
        Ok(match out.policy() {
            Some(text) => ResourceRead::Policy(ResourcePolicyInfo {
                arn: key_arn.to_owned(),
                account: None,
                policy: serde_json::Value::String(text.to_owned()),
            }),
            None => ResourceRead::NoPolicy,
        })
    }
}
