//! EC2: `aws ec2 describe-instances` (the nodes' IMDS settings and instance profiles).

use super::{Tag, cli_time};
use crate::model::{Ec2Instance, MetadataOptions};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The output of `aws ec2 describe-instances --output json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInstancesOutput {
    #[serde(default)]
    pub reservations: Vec<Reservation>,
}

/// One reservation (a launch request) and its instances.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Reservation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub instances: Vec<Instance>,
}

/// An instance (only the fields the analysis or the UI use; others ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub launch_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_dns_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<InstanceState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_instance_profile: Option<IamInstanceProfile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_options: Option<InstanceMetadataOptions>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `Placement`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Placement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
}

/// `State` (`pending`, `running`, `stopping`, `stopped`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `IamInstanceProfile` (ARN and id only; the role is found through IAM).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamInstanceProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// `MetadataOptions`: the instance's IMDS settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceMetadataOptions {
    /// `pending` or `applied`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `optional` (IMDSv1 allowed) or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_tokens: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_put_response_hop_limit: Option<i64>,
    /// `enabled` or `disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_protocol_ipv6: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_metadata_tags: Option<String>,
}

impl DescribeInstancesOutput {
    /// Every instance of every reservation as an [`Ec2Instance`].
    pub fn instances(&self) -> Vec<Ec2Instance> {
        self.reservations
            .iter()
            .flat_map(|r| r.instances.iter())
            .map(Ec2Instance::from)
            .collect()
    }
}

impl From<&Instance> for Ec2Instance {
    fn from(i: &Instance) -> Self {
        Ec2Instance {
            instance_id: i.instance_id.clone(),
            metadata_options: i.metadata_options.as_ref().map(|m| MetadataOptions {
                http_tokens: m.http_tokens.clone(),
                http_put_response_hop_limit: m.http_put_response_hop_limit,
                http_endpoint: m.http_endpoint.clone(),
            }),
            instance_profile_arn: i.iam_instance_profile.as_ref().and_then(|p| p.arn.clone()),
            private_dns_name: i.private_dns_name.clone().filter(|n| !n.is_empty()),
            availability_zone: i
                .placement
                .as_ref()
                .and_then(|p| p.availability_zone.clone()),
            state: i.state.as_ref().and_then(|s| s.name.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instances_of_all_reservations_project_imds_settings_and_profile() {
        let out: DescribeInstancesOutput = serde_json::from_value(json!({
            "Reservations": [
                {"ReservationId": "r-1", "Instances": [{
                    "InstanceId": "i-1",
                    "Placement": {"AvailabilityZone": "eu-west-1a", "Tenancy": "default"},
                    "PrivateDnsName": "ip-192-168-12-34.eu-west-1.compute.internal",
                    "State": {"Code": 16, "Name": "running"},
                    "IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/p",
                                           "Id": "AIPAEXAMPLE"},
                    "MetadataOptions": {"State": "applied", "HttpTokens": "required",
                                        "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}
                }]},
                {"ReservationId": "r-2", "Instances": [{"InstanceId": "i-2", "PrivateDnsName": ""}]}
            ]
        }))
        .unwrap();
        let all = out.instances();
        assert_eq!(all.len(), 2);
        let m = all[0].metadata_options.as_ref().unwrap();
        assert_eq!(m.http_tokens.as_deref(), Some("required"));
        assert_eq!(m.http_put_response_hop_limit, Some(1));
        assert_eq!(all[0].availability_zone.as_deref(), Some("eu-west-1a"));
        assert_eq!(all[0].state.as_deref(), Some("running"));
        assert_eq!(
            all[0].instance_profile_arn.as_deref(),
            Some("arn:aws:iam::123456789012:instance-profile/p")
        );
        assert_eq!(
            all[1].private_dns_name, None,
            "terminated instances print \"\""
        );
    }
}
