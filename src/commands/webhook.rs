//! `irsa-inspector webhook predict` (wired once the webhook predictor lands).

use crate::cli::WebhookPredictArgs;
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn predict(args: &WebhookPredictArgs) -> Result<ExitCode> {
    let _ = args;
    bail!("webhook predict: pending the webhook work")
}
