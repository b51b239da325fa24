//! Serde shapes of the JSON the AWS CLI v2 prints (`--output json`) for the calls a snapshot
//! holds, and their projection into the model types.
//!
//! The shapes are deliberately tolerant: every optional field has `#[serde(default)]`, unknown
//! fields are ignored (a newer CLI adds fields all the time), and timestamps are accepted both as
//! the CLI prints them (ISO 8601 text) and as the raw service APIs return them (epoch seconds).
//! Field names follow each service's wire convention: PascalCase for IAM, EC2 and STS,
//! camelCase for EKS. Names were checked against the AWS API references (`RoleDetail`,
//! `ManagedPolicyDetail`, `GetOpenIDConnectProvider`, `DescribeCluster`,
//! `DescribePodIdentityAssociation`, `DescribeInstances`, `GetCallerIdentity`).
//!
//! Policy documents are kept as [`serde_json::Value`] exactly as received: the CLI prints them
//! as decoded JSON objects, the IAM API and SDKs hand over URL-encoded text.
//! `analysis::policy::parse` accepts both, so a malformed document becomes a finding, never a
//! load failure.
//!
//! The structs both deserialize and serialize, so tests and generators can write files in the
//! exact shape the CLI prints.

mod ec2;
mod eks;
mod iam;
mod sts;

pub use ec2::{
    DescribeInstancesOutput, IamInstanceProfile, Instance, InstanceMetadataOptions, InstanceState,
    Placement, Reservation,
};
pub use eks::{
    Cluster, ClusterIdentity, ClusterOidc, DescribeClusterOutput, NetworkConfig,
    PodIdentityAssociationDetail, PodIdentityAssociations,
};
pub use iam::{
    AccountAuthorizationDetails, AttachedPermissionsBoundary, AttachedPolicy, InstanceProfile,
    ManagedPolicyDetail, OpenIdConnectProvider, OpenIdConnectProviders, PolicyDetail,
    PolicyVersion, RoleDetail, RoleLastUsed, Tag,
};
pub use sts::GetCallerIdentityOutput;

use std::collections::BTreeMap;

/// The region of an ARN (its fourth `:`-separated field), when present and not empty.
/// `arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab` → `eu-west-1`.
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(_service), Some(region)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    (!region.is_empty()).then_some(region)
}

/// IAM and EC2 print tags as a list of `{"Key": …, "Value": …}`; the model keeps a map.
pub(crate) fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

/// Timestamps as the CLI prints them (`2026-04-09T08:12:33+00:00`, `…Z`, with fractions, or
/// with a space instead of `T` as SDK dumps do) or as the raw APIs send them (epoch seconds,
/// possibly fractional). Serialized back as RFC 3339.
pub(crate) mod cli_time {
    use jiff::Timestamp;
    use serde::de::{self, Deserializer, Visitor};
    use serde::{Deserialize, Serialize, Serializer};
    use std::fmt;

    /// For `Option<Timestamp>` fields (use with `#[serde(default, with = "cli_time")]`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Option::<CliTime>::deserialize(d).map(|t| t.map(|t| t.0))
    }

    /// Writes the timestamp as RFC 3339 text (or `null`).
    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        t.serialize(s)
    }

    struct CliTime(Timestamp);

    impl<'de> Deserialize<'de> for CliTime {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(CliTimeVisitor)
        }
    }

    struct CliTimeVisitor;

    impl Visitor<'_> for CliTimeVisitor {
        type Value = CliTime;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an ISO 8601 timestamp with offset or epoch seconds")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<CliTime, E> {
            v.trim()
                .parse::<Timestamp>()
                .map(CliTime)
                .map_err(|e| E::custom(format!("timestamp {v:?}: {e}")))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<CliTime, E> {
            Timestamp::from_second(v)
                .map(CliTime)
                .map_err(|e| E::custom(format!("epoch seconds {v}: {e}")))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<CliTime, E> {
            let secs = i64::try_from(v)
                .map_err(|_| E::custom(format!("epoch seconds {v} out of range")))?;
            self.visit_i64(secs)
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<CliTime, E> {
            if !v.is_finite() {
                return Err(E::custom("epoch seconds not a finite number"));
            }
            // Whole milliseconds are all the services ever send.
            let millis = (v * 1000.0).round();
            if millis.abs() > 9.0e15 {
                return Err(E::custom(format!("epoch seconds {v} out of range")));
            }
            // In range by the check above, so the cast cannot truncate.
            Timestamp::from_millisecond(millis as i64)
                .map(CliTime)
                .map_err(|e| E::custom(format!("epoch seconds {v}: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_region_reads_the_fourth_field() {
        assert_eq!(
            arn_region("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab"),
            Some("eu-west-1")
        );
        assert_eq!(arn_region("arn:aws:iam::123456789012:role/x"), None);
        assert_eq!(arn_region("not-an-arn"), None);
    }

    #[derive(serde::Deserialize)]
    struct T {
        #[serde(default, with = "cli_time")]
        at: Option<jiff::Timestamp>,
    }

    #[test]
    fn timestamps_are_accepted_in_every_form_the_cli_and_apis_use() {
        let expected: jiff::Timestamp = "2026-04-02T08:14:51.512Z".parse().unwrap();
        for text in [
            r#"{"at": "2026-04-02T08:14:51.512000+00:00"}"#,
            r#"{"at": "2026-04-02T08:14:51.512Z"}"#,
            r#"{"at": "2026-04-02 08:14:51.512000+00:00"}"#,
            r#"{"at": 1775117691.512}"#,
        ] {
            let t: T = serde_json::from_str(text).unwrap();
            assert_eq!(t.at, Some(expected), "{text}");
        }
        let t: T = serde_json::from_str(r#"{"at": 1775117691}"#).unwrap();
        assert_eq!(t.at, "2026-04-02T08:14:51Z".parse().ok());
        let t: T = serde_json::from_str("{}").unwrap();
        assert_eq!(t.at, None);
        assert!(serde_json::from_str::<T>(r#"{"at": "yesterday"}"#).is_err());
    }
}
