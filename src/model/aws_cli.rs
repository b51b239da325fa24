//! Serde shapes of the AWS CLI JSON that snapshots hold, and their projection into the model.
