//! End to end: the real binary with no `--demo`/`--snapshot` in a real terminal (tmux), pointed
//! at the stand-in API server by a generated kubeconfig: the live cluster fills the UI and the
//! screen follows changes made on the server. Skipped with a message when tmux is not
//! installed, unless `IRSA_REQUIRE_TMUX=1` makes that a failure (as in `tests/ui_tmux.rs`).

mod support;

use std::path::Path;
use std::time::Duration;
use support::apiserver::{Kind, StandIn, Verb};
use support::objects;
use support::tmux::Session;

/// Starts `irsa-inspector ARGS` at 160×45 with no kubeconfig of the user's, the log in `logs`
/// and `env` (`NAME=VALUE …`) set; `None` without tmux.
fn start_env(test: &str, env: &str, args: &str, logs: &Path) -> Option<Session> {
    Session::builder("kube", test)
        .size(160, 45)
        .env("HOME=/nonexistent KUBECONFIG=")
        .env(env)
        .log_dir(logs)
        .start(args)
}

fn start(test: &str, args: &str, logs: &Path) -> Option<Session> {
    start_env(test, "", args, logs)
}

/// Opens the Pods pane's drill-down of `key` (`ns/name`).
async fn open_pod(s: &Session, key: &str) {
    s.keys(&["2", "/", key, "Enter", "Enter"]);
    s.wait_for_async(&format!("Pod {key} — identity")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_flags_opens_the_live_cluster_and_the_screen_follows_the_server() {
    let server = StandIn::start(objects::demo_lab()).await;
    server.forbid(Kind::Node, Verb::List);
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--kubeconfig '{}'", config.display());
    let Some(s) = start("live", &args, dir.path()) else {
        return;
    };
    let screen = s.wait_for_async("live standin").await;
    assert!(!screen.contains("FAILED"), "{screen}");
    s.wait_for_async("SA 77 ").await;
    // Denied nodes: the rest is shown, and the status line says what is missing.
    s.wait_for_async("cannot list nodes: forbidden").await;

    server.apply(objects::service_account(
        "shop",
        "added-while-watching",
        &[],
    ));
    s.wait_for_async("SA 78 ").await;
    server.delete(Kind::ServiceAccount, Some("shop"), "added-while-watching");
    s.wait_for_async("SA 77 ").await;

    s.keys(&["q"]);
    let screen = s.wait_for_async("EXIT=").await;
    assert!(screen.contains("EXIT=0"), "{screen}");
}

/// The log the session wrote.
fn log_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("irsa-inspector.log")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_without_actions_only_reads() {
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--kubeconfig '{}'", config.display());
    let Some(s) = start("reads", &args, dir.path()) else {
        return;
    };
    s.wait_for_async("SA 77 ").await;
    // Every pane, drill-downs, a filter, a namespace, help and a reload.
    s.keys(&["Enter", "Escape", "3", "4", "5", "Enter", "Escape", "1"]);
    s.keys(&["/", "demo", "Escape", ":", "ns demo", "Enter"]);
    s.keys(&["?", "?", "r", ":", "ns all", "Enter"]);
    open_pod(&s, "demo2/s3-negative").await;
    s.keys(&["Escape", "q"]);
    let screen = s.wait_for_async("EXIT=").await;
    assert!(screen.contains("EXIT=0"), "{screen}");
    let methods = server.methods();
    assert!(methods.get("GET").is_some_and(|n| *n > 0), "{methods:?}");
    assert_eq!(server.writes(), 0, "only GET (list/watch): {methods:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_disables_the_actions_and_nothing_is_created() {
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--read-only --kubeconfig '{}'", config.display());
    let Some(s) = start("readonly", &args, dir.path()) else {
        return;
    };
    s.wait_for_async("SA 77 ").await;
    s.wait_for_async("read-only").await;
    open_pod(&s, "demo2/s3-negative").await;
    s.keys(&["t"]);
    s.wait_for_async("mint a token (t): disabled by --read-only")
        .await;
    s.keys(&["y", "x"]);
    s.wait_for_async("read the mounted token (x): disabled by --read-only")
        .await;
    s.keys(&["y", "a", "y"]);
    s.wait_for_async("disabled by --read-only").await;
    s.keys(&["q"]);
    s.wait_for_async("EXIT=").await;
    assert_eq!(server.writes(), 0, "{:?}", server.methods());
    assert_eq!(server.requests(Kind::ServiceAccount, Verb::CreateToken), 0);
    assert_eq!(server.requests(Kind::Pod, Verb::Exec), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minting_in_the_ui_shows_claims_and_no_token_reaches_screen_or_log() {
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--kubeconfig '{}'", config.display());
    let Some(s) = start("mint", &args, dir.path()) else {
        return;
    };
    s.wait_for_async("SA 77 ").await;
    open_pod(&s, "demo2/s3-negative").await;
    s.keys(&["t"]);
    s.wait_for_async("create serviceaccounts/token for demo2/s3-reader? y/n")
        .await;
    assert_eq!(server.requests(Kind::ServiceAccount, Verb::CreateToken), 0);
    s.keys(&["y"]);
    let minted = s.wait_for_async("kubernetes.io/pod").await;
    assert!(minted.contains("Minted token (TokenRequest"), "{minted}");
    s.keys(&["x", "y"]);
    let read = s.wait_for_async("read the mounted token (x): done").await;
    assert!(read.contains("Mounted token read via pods/exec"), "{read}");
    s.keys(&["q"]);
    s.wait_for_async("EXIT=").await;
    let log = log_text(dir.path());
    assert!(log.contains("live action confirmed"), "{log}");
    let issued = server.issued_tokens();
    assert_eq!(issued.len(), 2, "one minted, one read");
    for token in issued {
        let token = token.trim();
        let signature = token.rsplit('.').next().unwrap_or_default();
        for text in [&minted, &read, &log] {
            assert!(!text.contains(token), "raw token leaked");
            assert!(!text.contains(signature), "signature leaked");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctx_switches_to_another_cluster_live() {
    let a = StandIn::start(objects::demo_lab()).await;
    let b = StandIn::start([
        objects::service_account("other", "one", &[]),
        objects::service_account("other", "two", &[]),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubeconfig");
    std::fs::write(
        &config,
        support::apiserver::kubeconfig_many(&[("alpha", &a.url()), ("beta", &b.url())]),
    )
    .unwrap();
    let args = format!("--kubeconfig '{}'", config.display());
    let Some(s) = start("ctx", &args, dir.path()) else {
        return;
    };
    s.wait_for_async("live alpha").await;
    s.wait_for_async("SA 77 ").await;
    s.keys(&[":", "ctx", "Enter"]);
    s.wait_for_async("contexts: alpha, beta (current: alpha)")
        .await;
    s.keys(&[":", "ctx beta", "Enter"]);
    s.wait_for_async("live beta").await;
    let screen = s.wait_for_async("SA 2 ").await;
    assert!(screen.contains("other"), "{screen}");
    s.keys(&[":", "ctx nope", "Enter"]);
    let screen = s.wait_for_async("no context named").await;
    assert!(screen.contains("live beta"), "the view stays: {screen}");
    assert!(screen.contains("SA 2 "), "{screen}");
    s.keys(&["q"]);
    s.wait_for_async("EXIT=").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_api_server_shows_reconnecting_in_the_header_until_it_is_back() {
    let mut server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--kubeconfig '{}'", config.display());
    let Some(s) = start("reconnect", &args, dir.path()) else {
        return;
    };
    s.wait_for_async("SA 77 ").await;
    server.stop().await;
    let screen = s.wait_for_async("reconnecting (").await;
    let header = screen.lines().nth(1).unwrap_or_default();
    assert!(
        header.contains(" since ") && header.contains(" UTC)"),
        "{header}"
    );
    server.restart().await;
    s.wait_until_async(
        "the reconnecting badge to go",
        Duration::from_secs(20),
        |screen| !screen.contains("reconnecting ("),
    )
    .await;
    s.keys(&["q"]);
    s.wait_for_async("EXIT=").await;
}

/// "Test it for real" through the real binary: the live source mints a token on the stand-in
/// and presents it to STS (moto, behind a counting proxy). Under `--read-only` STS sees no
/// AssumeRoleWithWebIdentity at all; without it, exactly one, and the answer is on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_it_for_real_calls_sts_once_and_never_under_read_only() {
    let moto = support::moto::moto().await;
    support::seed::seed_demo_lab(&support::moto::sdk_config(&moto.endpoint, None).await).await;
    let proxy = support::fault_proxy::FaultProxy::start(&moto.endpoint, Vec::new()).await;
    let assumed = || {
        proxy.seen("sts:AssumeRoleWithWebIdentity").0 + proxy.seen("?:AssumeRoleWithWebIdentity").0
    };
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let env = format!(
        "AWS_ENDPOINT_URL='{}' AWS_ACCESS_KEY_ID=testing-access-key \
         AWS_SECRET_ACCESS_KEY=testing-secret-key AWS_REGION=eu-west-1 AWS_MAX_ATTEMPTS=1",
        proxy.endpoint
    );
    for read_only in [true, false] {
        let flag = if read_only { "--read-only" } else { "" };
        let args = format!("--aws {flag} --kubeconfig '{}'", config.display());
        let name = if read_only { "sts-ro" } else { "sts" };
        let Some(s) = start_env(name, &env, &args, dir.path()) else {
            return;
        };
        s.wait_for_async("SA 77 ").await;
        open_pod(&s, "demo2/s3-negative").await;
        s.keys(&["a"]);
        if read_only {
            s.wait_for_async("disabled by --read-only").await;
            s.keys(&["y"]);
        } else {
            s.wait_for_async(
                "call sts:AssumeRoleWithWebIdentity on arn:aws:iam::123456789012:role/",
            )
            .await;
            s.keys(&["y"]);
            let screen = s.wait_for_async("success: AssumedRoleUser").await;
            assert!(screen.contains("analysis predicted"), "{screen}");
        }
        s.keys(&["q"]);
        s.wait_for_async("EXIT=").await;
        let expected = if read_only { 0 } else { 1 };
        assert_eq!(assumed(), expected, "read-only {read_only}");
    }
    assert_eq!(server.requests(Kind::ServiceAccount, Verb::CreateToken), 1);
}

/// `IRSA_INSPECTOR_READ_ONLY=1` is the setting behind `--read-only` (there is no config file);
/// `0` leaves the actions on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_only_setting_comes_from_the_environment_too() {
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--kubeconfig '{}'", config.display());
    for (value, disabled) in [("1", true), ("0", false)] {
        let env = format!("IRSA_INSPECTOR_READ_ONLY={value}");
        let Some(s) = start_env(&format!("env{value}"), &env, &args, dir.path()) else {
            return;
        };
        s.wait_for_async("SA 77 ").await;
        open_pod(&s, "demo2/s3-negative").await;
        s.keys(&["t"]);
        let screen = if disabled {
            s.wait_for_async("mint a token (t): disabled by --read-only")
                .await
        } else {
            s.wait_for_async("create serviceaccounts/token for demo2/s3-reader? y/n")
                .await
        };
        let header = screen.lines().nth(1).unwrap_or_default().to_owned();
        assert_eq!(header.contains("read-only"), disabled, "{header}");
        s.keys(&["n", "q"]);
        s.wait_for_async("EXIT=").await;
    }
    assert_eq!(server.writes(), 0, "{:?}", server.methods());
}

/// Sources that hang do not hang the UI: the API server accepts every LIST and never answers,
/// and (with `--aws`) every AWS call is held back. The first frame still comes, says what it is
/// waiting for and since when; help, `:`-commands and `q` work at once. Then, with a cluster
/// that answers and AWS still hanging, the Kubernetes side fills the screen while the header
/// says the AWS side is loading.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_sources_leave_the_ui_responsive_and_kubernetes_shows_before_aws() {
    use support::apiserver::Fault;
    use support::fault_proxy::{Fault as AwsFault, FaultProxy, Rule};
    let moto = support::moto::moto().await;
    let hang = |service| Rule {
        service,
        action: "",
        fault: AwsFault::Delay(Duration::from_secs(120)),
    };
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![hang("sts"), hang("iam"), hang("eks"), hang("ec2")],
    )
    .await;
    let env = format!(
        "AWS_ENDPOINT_URL='{}' AWS_ACCESS_KEY_ID=testing-access-key \
         AWS_SECRET_ACCESS_KEY=testing-secret-key AWS_REGION=eu-west-1 AWS_MAX_ATTEMPTS=1",
        proxy.endpoint
    );

    let hung = StandIn::start(objects::demo_lab()).await;
    for kind in [Kind::ServiceAccount, Kind::Pod, Kind::Node] {
        hung.inject(kind, Verb::List, &[Fault::Hang; 4]);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = hung.write_kubeconfig(dir.path());
    let args = format!("--aws --kubeconfig '{}'", config.display());
    let Some(s) = start_env("hang", &env, &args, dir.path()) else {
        return;
    };
    let screen = s.wait_for_async("waiting for ").await;
    let header = screen.lines().nth(1).unwrap_or_default().to_owned();
    assert!(
        header.contains("pods") && header.contains(" UTC)"),
        "{header}"
    );
    assert!(screen.contains("AWS loading"), "{screen}");
    s.keys(&["?"]);
    s.wait_for_async("run the command").await;
    s.keys(&["?", ":", "ctx", "Enter"]);
    s.wait_for_async("contexts: ").await;
    // Quits without waiting for the hung requests (the API server's and AWS's hold out longer
    // than `wait_for`'s patience).
    s.keys(&["q"]);
    let screen = s.wait_for_async("EXIT=").await;
    assert!(screen.contains("EXIT=0"), "{screen}");
    drop(s);

    // The cluster answers, AWS still hangs: the Kubernetes side does not wait for AWS.
    let server = StandIn::start(objects::demo_lab()).await;
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--aws --kubeconfig '{}'", config.display());
    let Some(s) = start_env("hang-aws", &env, &args, dir.path()) else {
        return;
    };
    let screen = s.wait_for_async("SA 77 ").await;
    let header = screen.lines().nth(1).unwrap_or_default().to_owned();
    assert!(header.contains("AWS loading"), "{header}");
    s.keys(&["q"]);
    let screen = s.wait_for_async("EXIT=").await;
    assert!(screen.contains("EXIT=0"), "{screen}");
}

/// AWS credentials that expire in the middle of a session: the AWS facts stay on screen, the
/// header marks them stale since when, the status line says what to run, and the first read
/// that works again makes them fresh by itself (the live view asks again every 30 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_aws_credentials_mark_the_aws_side_stale_until_they_work_again() {
    use support::fault_proxy::{Fault, FaultProxy, Rule};
    let moto = support::moto::moto().await;
    support::seed::seed_demo_lab(&support::moto::sdk_config(&moto.endpoint, None).await).await;
    let proxy = FaultProxy::start(&moto.endpoint, Vec::new()).await;
    let env = format!(
        "AWS_ENDPOINT_URL='{}' AWS_ACCESS_KEY_ID=testing-access-key \
         AWS_SECRET_ACCESS_KEY=testing-secret-key AWS_REGION=eu-west-1 AWS_MAX_ATTEMPTS=1",
        proxy.endpoint
    );
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--aws --kubeconfig '{}'", config.display());
    let Some(s) = start_env("expire", &env, &args, dir.path()) else {
        return;
    };
    s.wait_for_async("SA 77 ").await;
    let screen = s
        .wait_until_async("the AWS side to load", Duration::from_secs(20), |screen| {
            screen.contains("account 123456789012") && !screen.contains("AWS loading")
        })
        .await;
    let caller = screen.lines().next().unwrap_or_default().to_owned();

    let expired = |service| Rule {
        service,
        action: "",
        fault: Fault::Expire,
    };
    proxy.set_rules(vec![
        expired("sts"),
        expired("iam"),
        expired("ec2"),
        expired("eks"),
    ]);
    s.keys(&["r"]);
    let screen = s.wait_for_async("AWS stale (since ").await;
    assert!(
        screen.contains("STALE the AWS credentials have expired (")
            && screen.contains("aws sso login")
            && screen.contains("AWS columns as read at "),
        "{screen}"
    );
    // The last facts stay: the identity line still names the account and caller.
    assert_eq!(
        screen.lines().next().unwrap_or_default(),
        caller,
        "{screen}"
    );

    // The user logs in again elsewhere; no key is pressed here.
    proxy.set_rules(Vec::new());
    s.wait_until_async(
        "the AWS side fresh again once the credentials work again",
        Duration::from_secs(50),
        |screen| !screen.contains("AWS stale") && !screen.contains("STALE "),
    )
    .await;
    assert_eq!(s.screen().lines().next().unwrap_or_default(), caller);
    s.keys(&["q"]);
    let screen = s.wait_for_async("EXIT=").await;
    assert!(screen.contains("EXIT=0"), "{screen}");
}
