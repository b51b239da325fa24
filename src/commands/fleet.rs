//! `audit --all-contexts` / `audit --context a,b,c`: one audit per kubeconfig context, run by a
//! bounded pool of workers (`--jobs`), each context with its own credentials (the kubeconfig's
//! user) and, with `--aws`, its own AWS profile (`--context-profile CONTEXT=PROFILE`) and the
//! region its EKS context names. A context that cannot be audited is reported (stderr, and a
//! `context_error` record in NDJSON) and the others go on; the exit status says so (3).
//!
//! Output is written in the order the contexts were given, each as soon as it and all before it
//! are done, so the result is the same whatever order the workers finish in. Only NDJSON
//! (records carry their context) and the table (a heading per context) make one document of
//! several reports.

use super::audit::{Names, Output};
use super::output::Progress;
use crate::cli::{AuditArgs, AuditFormat, SourceArgs};
use anyhow::{Result, bail};
use irsa_core::model::Severity;
use irsa_core::report::audit_ndjson;
use irsa_inspector::sources::aws;
use irsa_inspector::sources::kube;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Exit status when some contexts were audited and some could not be.
pub const SOME_CONTEXTS_FAILED: u8 = 3;

/// The contexts to audit: every one of the kubeconfig (`--all-contexts`), or the
/// comma-separated `--context` list (order kept, duplicates dropped).
pub fn contexts(source: &SourceArgs, all: bool) -> Result<Vec<String>> {
    if all {
        let (names, _) = kube::config::context_names(&super::live::options(source))?;
        if names.is_empty() {
            bail!("--all-contexts: the kubeconfig has no contexts");
        }
        return Ok(names);
    }
    let mut out: Vec<String> = Vec::new();
    for name in source.context.as_deref().unwrap_or_default().split(',') {
        let name = name.trim();
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

/// True when the command line asks for more than one context.
pub fn wanted(source: &SourceArgs, args: &AuditArgs) -> bool {
    args.all_contexts || source.context.as_deref().is_some_and(|c| c.contains(','))
}

/// One context's report, rendered.
struct Rendered {
    text: String,
    /// The worst severity not accepted by the ignore file.
    worst: Option<Severity>,
    cluster: Option<String>,
    generated_at: Timestamp,
}

/// One context's outcome: its report, or why it could not be audited.
type Outcome = Result<Rendered, String>;

pub fn run(source: &SourceArgs, args: &AuditArgs, now_flag: Option<Timestamp>) -> Result<ExitCode> {
    if source.demo || source.snapshot.is_some() {
        bail!(
            "--all-contexts / --context a,b audit live clusters; --demo and --snapshot are one cluster"
        );
    }
    if source.cluster.is_some() {
        bail!("--cluster names one cluster; with several contexts each names its own");
    }
    if !matches!(args.format, AuditFormat::Ndjson | AuditFormat::Table) {
        bail!(
            "several contexts make one document only as --format ndjson (each record names its context) or table"
        );
    }
    let names = contexts(source, args.all_contexts)?;
    if names.is_empty() {
        bail!("no context given");
    }
    let profiles: BTreeMap<&str, &str> = args
        .context_profile
        .iter()
        .map(|(c, p)| (c.as_str(), p.as_str()))
        .collect();
    for context in profiles.keys() {
        if !names.iter().any(|n| n == context) {
            bail!("--context-profile {context}=…: no such context among those audited");
        }
    }
    let jobs = args.jobs.clamp(1, names.len());
    let progress = Progress::on_stderr();
    progress.note(format_args!(
        "auditing {} contexts, {jobs} at a time",
        names.len()
    ));

    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
    let mut sink = Sink::new(source, args)?;
    let mut failed = Vec::new();
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..jobs {
            let tx = tx.clone();
            let (next, names, profiles) = (&next, &names, &profiles);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(context) = names.get(i) else { break };
                    let outcome = audit_one(
                        source,
                        args,
                        now_flag,
                        context,
                        profiles.get(context.as_str()).copied(),
                    );
                    if tx.send((i, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Written in the given order: a finished context waits for those before it.
        let mut done: BTreeMap<usize, Outcome> = BTreeMap::new();
        let mut written = 0;
        for (i, outcome) in rx {
            done.insert(i, outcome);
            while let Some(outcome) = done.remove(&written) {
                let context = &names[written];
                match outcome {
                    Ok(rendered) => {
                        progress.note(format_args!(
                            "context {context}: audited ({}/{})",
                            written + 1,
                            names.len()
                        ));
                        sink.write(context, rendered)?;
                    }
                    Err(why) => {
                        eprintln!("irsa-inspector: context {context}: {why}");
                        failed.push(context.clone());
                        if args.format == AuditFormat::Ndjson {
                            let at = now_flag.unwrap_or_else(Timestamp::now);
                            let text = audit_ndjson::context_error(context, at, &why)?;
                            sink.write(
                                context,
                                Rendered {
                                    text,
                                    worst: None,
                                    cluster: None,
                                    generated_at: at,
                                },
                            )?;
                        }
                    }
                }
                written += 1;
            }
        }
        Ok(())
    })?;
    let worst = sink.worst;
    sink.finish()?;
    if failed.len() == names.len() {
        bail!("no context could be audited ({})", failed.join(", "));
    }
    let worst_failed_on = super::audit::fails(args, worst);
    Ok(if !failed.is_empty() {
        eprintln!(
            "irsa-inspector: {} of {} contexts could not be audited: {}",
            failed.len(),
            names.len(),
            failed.join(", ")
        );
        ExitCode::from(SOME_CONTEXTS_FAILED)
    } else if worst_failed_on {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads, analyses and renders one context (on a worker thread).
fn audit_one(
    source: &SourceArgs,
    args: &AuditArgs,
    now_flag: Option<Timestamp>,
    context: &str,
    profile: Option<&str>,
) -> Outcome {
    let mut one = source.clone();
    one.context = Some(context.to_owned());
    if let Some(profile) = profile {
        one.profile = Some(profile.to_owned());
    }
    let inv = super::load_inventory(&one, Progress::hidden()).map_err(|e| format!("{e:#}"))?;
    let now = super::clock(now_flag, &inv);
    let report = super::audit::prepare(&inv, now, args).map_err(|e| format!("{e:#}"))?;
    let mut names = Names::of(&inv, one.region.as_deref(), None);
    names.context = Some(context.to_owned());
    if names.cluster.is_none() {
        names.cluster = Some(context.to_owned());
    }
    let body = super::audit::render(&report, args, &names).map_err(|e| format!("{e:#}"))?;
    let text = match args.format {
        AuditFormat::Ndjson => body,
        _ => format!(
            "== context {context}{}\n{body}\n",
            report
                .cluster
                .as_deref()
                .map(|c| format!(" (cluster {c})"))
                .unwrap_or_default(),
        ),
    };
    Ok(Rendered {
        text,
        worst: super::audit::worst_unaccepted(&report),
        cluster: report.cluster.clone().or(names.cluster),
        generated_at: report.generated_at,
    })
}

/// Where the reports go: standard output as they come, a file written whole at the end, or
/// one S3 object per context put at the end.
struct Sink<'a> {
    source: &'a SourceArgs,
    to: Output,
    extension: &'static str,
    buffer: String,
    objects: Vec<(String, String)>,
    worst: Option<Severity>,
}

impl<'a> Sink<'a> {
    fn new(source: &'a SourceArgs, args: &AuditArgs) -> Result<Self> {
        Ok(Self {
            source,
            to: Output::parse(args.output.as_deref())?,
            extension: super::audit::extension(args.format),
            buffer: String::new(),
            objects: Vec::new(),
            worst: None,
        })
    }

    fn write(&mut self, context: &str, rendered: Rendered) -> Result<()> {
        self.worst = self.worst.max(rendered.worst);
        match &self.to {
            Output::Stdout => out!("{}", rendered.text),
            Output::File(_) => self.buffer.push_str(&rendered.text),
            Output::S3(dest) => {
                let key = dest.key(
                    rendered.generated_at,
                    rendered.cluster.as_deref(),
                    Some(context),
                    self.extension,
                );
                self.objects.push((key, rendered.text));
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        match self.to {
            Output::Stdout => {}
            Output::File(path) => super::audit::write_whole(&path, &self.buffer)?,
            Output::S3(dest) => {
                aws::upload::put_objects(&super::aws_options(self.source), &dest, self.objects)?
            }
        }
        Ok(())
    }
}
