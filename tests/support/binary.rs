//! The real binary, set up for a run against the AWS emulator.

/// The real binary with only the environment an `--aws` run against an emulator at `endpoint`
/// needs: an empty `HOME` (no profile), the test credentials, the demo's region and no SDK
/// retries — as the AWS CLI would read them.
pub fn binary_against(endpoint: &str, home: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("irsa-inspector").expect("binary");
    cmd.env_clear()
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing-access-key")
        .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
        .env("AWS_REGION", super::moto::REGION)
        .env("AWS_MAX_ATTEMPTS", "1");
    cmd
}
