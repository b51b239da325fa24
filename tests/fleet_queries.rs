//! The fleet queries of `deploy/sql/queries/`, run for real: NDJSON records of two clusters
//! written by the real binary (`audit --format ndjson`: the demo lab, and a second cluster made
//! from its files with another name and without its `broken` namespace; several runs a day and
//! a run the week before), read by DuckDB through a view with the columns of the Athena table
//! (`deploy/sql/athena/create_table.sql`), and every query's answer compared with the same
//! answer computed here, in Rust, from the records themselves.
//!
//! DuckDB comes from PyPI into the moto venv (`support::duckdb::python`); without
//! python3 or PyPI this test fails, as the AWS tests do.

mod support;

use jiff::civil::Date;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Runs the queries on DuckDB over two views of the files — typed as the Athena table, and as
/// `read_json_auto` guesses — : argv = the DDL's columns, the NDJSON files, the query files (each
/// JSON); prints {view: {query file: [row objects]}}.
const RUNNER: &str = r#"
import duckdb, json, sys
columns, files, queries = (json.loads(a) for a in sys.argv[1:4])
def lit(text):
    return "'" + text.replace("'", "''") + "'"
paths = "[" + ", ".join(lit(f) for f in files) + "]"
views = {
    # The Athena table's columns and types.
    "typed": "read_json(" + paths + ", format = 'newline_delimited', columns = {"
        + ", ".join(lit(name) + ": " + lit(kind) for name, kind in columns) + "})",
    # What a user types first (generated_at becomes a TIMESTAMP).
    "auto": "read_json_auto(" + paths + ", format = 'newline_delimited', union_by_name = true)",
}
out = {}
for view, source in views.items():
    con = duckdb.connect()
    con.execute("CREATE VIEW irsa_records AS SELECT * FROM " + source)
    out[view] = {}
    for q in queries:
        cur = con.execute(open(q).read())
        names = [d[0] for d in cur.description]
        out[view][q] = [dict(zip(names, row)) for row in cur.fetchall()]
print(json.dumps(out, default=str))
"#;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Athena table's columns and their DuckDB types, in order.
fn ddl_columns() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo().join("deploy/sql/athena/create_table.sql"))
        .expect("the DDL");
    let table = &text[text
        .find("CREATE EXTERNAL TABLE")
        .expect("CREATE EXTERNAL TABLE")..];
    let body = &table
        [table.find('(').expect("(") + 1..table.find("PARTITIONED BY").expect("PARTITIONED BY")];
    body.lines()
        .filter_map(|line| {
            let line = line.trim().trim_end_matches(',');
            let (name, kind) = line.split_once(' ')?;
            let name = name.trim_matches('`');
            let kind = match kind.trim().trim_end_matches(')') {
                "string" => "VARCHAR",
                "boolean" => "BOOLEAN",
                "bigint" => "BIGINT",
                other => panic!("column {name}: type {other} not mapped"),
            };
            Some((name.to_owned(), kind.to_owned()))
        })
        .collect()
}

/// Copies the demo lab's snapshot files into `dir`, as cluster `name`, with or without its
/// `broken` namespace.
fn demo_as(dir: &Path, name: &str, with_broken: bool) {
    let demo = repo().join("assets/demo");
    std::fs::create_dir_all(dir.join("tokens")).expect("mkdir");
    for sub in ["", "tokens"] {
        for entry in std::fs::read_dir(demo.join(sub)).expect("demo files") {
            let path = entry.expect("entry").path();
            if path.is_file() && path.extension().is_some_and(|e| e == "json" || e == "jwt") {
                let target = dir.join(sub).join(path.file_name().expect("name"));
                std::fs::copy(&path, target).expect("copy");
            }
        }
    }
    let edit = |file: &str, change: &dyn Fn(&mut Value)| {
        let path = dir.join(file);
        let mut value: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        change(&mut value);
        std::fs::write(&path, value.to_string()).expect("write");
    };
    let arn = format!("arn:aws:eks:eu-west-1:123456789012:cluster/{name}");
    edit("eks-cluster.json", &|v| {
        v["cluster"]["name"] = json!(name);
        v["cluster"]["arn"] = json!(arn);
    });
    edit("snapshot.json", &|v| v["context"] = json!(arn));
    if !with_broken {
        edit("kubernetes.json", &|v| {
            let items = v["items"].as_array_mut().expect("items");
            items.retain(|i| i["metadata"]["namespace"] != "broken");
        });
    }
}

/// Writes the fleet's runs into `dir` with the real binary; returns the NDJSON files.
fn fleet(dir: &Path) -> Vec<PathBuf> {
    let reduced_a = dir.join("a-reduced");
    let reduced_b = dir.join("b-reduced");
    let full_b = dir.join("b-full");
    demo_as(&reduced_a, "irsa-lab", false);
    demo_as(&reduced_b, "irsa-lab-2", false);
    demo_as(&full_b, "irsa-lab-2", true);
    // (source, instant): cluster irsa-lab twice on Friday 2026-04-10 and once the week
    // before; irsa-lab-2 on Thursday and Friday.
    let runs: [(Option<&Path>, &str); 5] = [
        (None, "2026-04-10T10:00:00Z"),
        (Some(&reduced_a), "2026-04-10T08:00:00Z"),
        (Some(&reduced_a), "2026-04-03T10:00:00Z"),
        (Some(&reduced_b), "2026-04-10T09:00:00Z"),
        (Some(&full_b), "2026-04-09T09:00:00Z"),
    ];
    let mut files = Vec::new();
    for (i, (source, now)) in runs.iter().enumerate() {
        let mut cmd = assert_cmd::Command::cargo_bin("irsa-inspector").expect("binary");
        cmd.env_remove("KUBECONFIG")
            .env("HOME", "/nonexistent")
            .timeout(Duration::from_secs(120));
        match source {
            None => cmd.arg("--demo"),
            Some(path) => cmd.arg("--snapshot").arg(path),
        };
        let file = dir.join(format!("run-{i}.ndjson"));
        let out = cmd
            .args(["audit", "--format", "ndjson", "--now", now, "--output"])
            .arg(&file)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        files.push(file);
    }
    files
}

fn records(files: &[PathBuf]) -> Vec<Value> {
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .expect("read")
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Each cluster's newest run (its generated_at).
fn latest(records: &[Value]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for r in records {
        let at = text(&r["generated_at"]).to_owned();
        let slot = out.entry(text(&r["cluster"]).to_owned()).or_default();
        if at > *slot {
            *slot = at;
        }
    }
    out
}

fn at_latest<'a>(records: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> {
    let newest = latest(records);
    records.iter().filter(move |r| {
        r["record"] == kind
            && newest.get(text(&r["cluster"])).map(String::as_str) == Some(text(&r["generated_at"]))
    })
}

/// Answers per view (`typed`, `auto`), per query (file stem).
type Answers = BTreeMap<String, BTreeMap<String, Vec<Value>>>;

fn run_duckdb(files: &[PathBuf], queries: &[PathBuf]) -> Answers {
    let python = support::duckdb::python();
    let as_json = |paths: &[PathBuf]| {
        serde_json::to_string(
            &paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>(),
        )
        .expect("JSON")
    };
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(RUNNER)
        .arg(serde_json::to_string(&ddl_columns()).expect("JSON"))
        .arg(as_json(files))
        .arg(as_json(queries))
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "DuckDB: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Answers = serde_json::from_slice(&out.stdout).expect("the runner's JSON");
    answers
        .into_iter()
        .map(|(view, by_query)| {
            let by_name = by_query
                .into_iter()
                .map(|(path, rows)| {
                    let name = Path::new(&path).file_stem().expect("name");
                    (name.to_string_lossy().into_owned(), rows)
                })
                .collect();
            (view, by_name)
        })
        .collect()
}

fn expected_roles_across_clusters(records: &[Value]) -> Vec<Value> {
    let mut by_role: BTreeMap<&str, BTreeSet<(&str, &str, &str)>> = BTreeMap::new();
    for b in at_latest(records, "binding") {
        if let Some(role) = b["role_arn"].as_str() {
            by_role.entry(role).or_default().insert((
                text(&b["cluster"]),
                text(&b["namespace"]),
                text(&b["service_account"]),
            ));
        }
    }
    let mut rows: Vec<(usize, &str, Vec<String>)> = by_role
        .into_iter()
        .map(|(role, bound)| {
            let clusters = bound
                .iter()
                .map(|(c, _, _)| *c)
                .collect::<BTreeSet<_>>()
                .len();
            let list = bound
                .iter()
                .map(|(c, n, s)| format!("{c}/{n}/{s}"))
                .collect();
            (clusters, role, list)
        })
        .filter(|(clusters, _, _)| *clusters > 1)
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    rows.into_iter()
        .map(|(clusters, role, list)| json!({"role_arn": role, "clusters": clusters, "bound_by": list}))
        .collect()
}

fn expected_wildcard_sub_trusts(records: &[Value]) -> Vec<Value> {
    let mut found: BTreeMap<(&str, &str), (&str, BTreeSet<&str>, bool)> = BTreeMap::new();
    for f in at_latest(records, "finding") {
        let code = text(&f["code"]);
        if code == "AUD001" || code == "AUD002" {
            let entry = found.entry((text(&f["role_arn"]), code)).or_insert((
                text(&f["severity"]),
                BTreeSet::new(),
                false,
            ));
            entry.1.insert(text(&f["cluster"]));
            entry.2 |= f["accepted"] == true;
        }
    }
    let mut rows: Vec<Value> = found
        .into_iter()
        .map(|((role, code), (severity, clusters, accepted))| {
            json!({
                "role_arn": role,
                "role_account": role.split(':').nth(4),
                "code": code,
                "problem": if code == "AUD001" { "wildcard :sub (StringLike)" } else { "no :sub condition" },
                "severity": severity,
                "clusters": clusters,
                "accepted": accepted,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        text(&b["code"])
            .cmp(text(&a["code"]))
            .then(text(&a["role_arn"]).cmp(text(&b["role_arn"])))
    });
    rows
}

/// (cluster, week start) → (pods on the node role on the week's newest day, peak, days).
type Weekly = BTreeMap<(String, Date), (u64, u64, u64)>;

fn weekly_node_role(records: &[Value]) -> Weekly {
    // The newest run of each cluster and day, and its node-role pods.
    let mut newest: BTreeMap<(String, Date), String> = BTreeMap::new();
    for r in records.iter().filter(|r| r["record"] == "binding") {
        let at = text(&r["generated_at"]);
        let day: Date = at[..10].parse().expect("a date");
        let slot = newest
            .entry((text(&r["cluster"]).to_owned(), day))
            .or_default();
        if at > slot.as_str() {
            *slot = at.to_owned();
        }
    }
    let mut daily: BTreeMap<(String, Date), u64> = BTreeMap::new();
    for r in records.iter().filter(|r| r["record"] == "binding") {
        let key = (
            text(&r["cluster"]).to_owned(),
            text(&r["generated_at"])[..10].parse().expect("date"),
        );
        if newest.get(&key).map(String::as_str) == Some(text(&r["generated_at"])) {
            *daily.entry(key).or_default() += r["pods_node_role"].as_u64().expect("count");
        }
    }
    let mut weekly: BTreeMap<(String, Date), (Date, u64, u64, u64)> = BTreeMap::new();
    for ((cluster, day), count) in daily {
        let monday = day
            .checked_sub(jiff::Span::new().days(i64::from(day.weekday().to_monday_zero_offset())))
            .expect("a date");
        let w = weekly
            .entry((cluster, monday))
            .or_insert((day, count, 0, 0));
        if day >= w.0 {
            (w.0, w.1) = (day, count);
        }
        w.2 = w.2.max(count);
        w.3 += 1;
    }
    weekly
        .into_iter()
        .map(|(k, (_, count, peak, days))| (k, (count, peak, days)))
        .collect()
}

fn expected_node_role_pods_by_week(records: &[Value]) -> Vec<Value> {
    let weekly = weekly_node_role(records);
    let mut rows: Vec<Value> = weekly
        .iter()
        .map(|((cluster, week), (count, peak, days))| {
            let before = week.checked_sub(jiff::Span::new().days(7)).expect("date");
            let previous = weekly.get(&(cluster.clone(), before)).map(|p| p.0);
            json!({
                "cluster": cluster,
                "week_start": week.to_string(),
                "pods_node_role": count,
                "peak": peak,
                "days_seen": days,
                "previous_week": previous,
                "change": previous.map(|p| *count as i64 - p as i64),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        text(&a["cluster"])
            .cmp(text(&b["cluster"]))
            .then(text(&b["week_start"]).cmp(text(&a["week_start"])))
    });
    rows
}

fn expected_findings_by_severity(records: &[Value]) -> BTreeMap<String, Value> {
    let mut out: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for f in at_latest(records, "finding") {
        let counts = out.entry(text(&f["cluster"]).to_owned()).or_default();
        let column = if f["accepted"] == true {
            "accepted"
        } else {
            text(&f["severity"])
        };
        *counts.entry(column).or_default() += 1;
        *counts.entry("total").or_default() += 1;
    }
    out.into_iter()
        .map(|(cluster, counts)| {
            let mut row = json!({});
            for column in [
                "critical", "high", "medium", "low", "info", "accepted", "total",
            ] {
                row[column] = json!(counts.get(column).copied().unwrap_or(0));
            }
            (cluster, row)
        })
        .collect()
}

/// Only the columns `expected` has, from each row of `rows`.
fn project(rows: &[Value], expected: &[Value]) -> Vec<Value> {
    let keys: Vec<String> = expected
        .first()
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    rows.iter()
        .map(|r| {
            let mut out = json!({});
            for k in &keys {
                out[k] = r[k].clone();
            }
            out
        })
        .collect()
}

#[test]
fn the_athena_table_has_a_column_for_every_key_of_every_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = assert_cmd::Command::cargo_bin("irsa-inspector")
        .expect("binary")
        .env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .args(["--demo", "audit", "--format", "ndjson", "--output"])
        .arg(dir.path().join("demo.ndjson"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let columns: BTreeMap<String, String> = ddl_columns().into_iter().collect();
    let mut keys = BTreeSet::new();
    for r in records(&[dir.path().join("demo.ndjson")]) {
        for (key, value) in r.as_object().expect("object") {
            let kind = columns.get(key).unwrap_or_else(|| {
                panic!("{key}: no column in create_table.sql (Athena would drop it)")
            });
            let fits = match value {
                Value::Null => true,
                Value::String(_) => kind == "VARCHAR",
                Value::Bool(_) => kind == "BOOLEAN",
                Value::Number(_) => kind == "BIGINT",
                _ => false,
            };
            assert!(fits, "{key}: {value} in a {kind} column");
            keys.insert(key.clone());
        }
    }
    // …and no column that no record has.
    let names: BTreeSet<String> = columns.into_keys().collect();
    assert_eq!(names, keys);
}

#[test]
fn the_fleet_queries_answer_on_duckdb_what_the_records_say() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = fleet(dir.path());
    let records = records(&files);
    let clusters: BTreeSet<&str> = records.iter().map(|r| text(&r["cluster"])).collect();
    assert_eq!(clusters, BTreeSet::from(["irsa-lab", "irsa-lab-2"]));

    let mut queries: Vec<PathBuf> = std::fs::read_dir(repo().join("deploy/sql/queries"))
        .expect("deploy/sql/queries")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    queries.sort();
    let views = run_duckdb(&files, &queries);
    assert_eq!(
        views.keys().map(String::as_str).collect::<Vec<_>>(),
        ["auto", "typed"]
    );
    for (view, answers) in &views {
        eprintln!("checking the answers over the {view} view");
        check(&records, answers, view == "typed");
    }
}

/// The answers of every query against those computed from `records`; `typed`: the view has
/// the Athena table's types (generated_at stays text).
fn check(records: &[Value], answers: &BTreeMap<String, Vec<Value>>, typed: bool) {
    assert_eq!(
        answers.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "findings_by_severity_per_cluster",
            "node_role_pods_by_week",
            "roles_trusted_across_clusters",
            "wildcard_sub_trusts",
        ],
        "one answer per query file, and a check below for each"
    );

    // (a) Roles bound in both clusters: those of the ServiceAccounts both have, not the
    // `broken` namespace's (only irsa-lab has it).
    let expected = expected_roles_across_clusters(records);
    assert!(!expected.is_empty());
    assert!(
        expected
            .iter()
            .all(|r| !text(&r["role_arn"]).contains("-broken-"))
    );
    let answer = &answers["roles_trusted_across_clusters"];
    assert_eq!(project(answer, &expected), expected);

    // (b) AUD001 (wildcard :sub) and AUD002 (no :sub) roles, each once with both clusters.
    let expected = expected_wildcard_sub_trusts(records);
    let codes: BTreeSet<&str> = expected.iter().map(|r| text(&r["code"])).collect();
    assert_eq!(codes, BTreeSet::from(["AUD001", "AUD002"]));
    let answer = &answers["wildcard_sub_trusts"];
    assert_eq!(project(answer, &expected), expected);
    assert!(
        answer
            .iter()
            .all(|r| r["title"].as_str().is_some_and(|t| !t.is_empty()))
    );

    // (c) Node-role pods per cluster and week: the newest run of a day counts (irsa-lab's
    // Friday is its 10:00 run, not the 08:00 one nor both), the week's newest day, and the
    // week before beside it.
    let expected = expected_node_role_pods_by_week(records);
    let answer = &answers["node_role_pods_by_week"];
    assert_eq!(project(answer, &expected), expected);
    let friday_runs: Vec<u64> = ["2026-04-10T10:00:00Z", "2026-04-10T08:00:00Z"]
        .iter()
        .map(|at| {
            records
                .iter()
                .filter(|r| {
                    r["record"] == "binding"
                        && r["cluster"] == "irsa-lab"
                        && r["generated_at"] == *at
                })
                .map(|r| r["pods_node_role"].as_u64().expect("count"))
                .sum()
        })
        .collect();
    assert_ne!(
        friday_runs[0], friday_runs[1],
        "the fixture tells the two Friday runs apart"
    );
    let this_week = answer
        .iter()
        .find(|r| r["cluster"] == "irsa-lab" && r["week_start"] == "2026-04-06")
        .expect("irsa-lab this week");
    assert_eq!(this_week["pods_node_role"], friday_runs[0]);
    assert!(
        this_week["previous_week"].is_u64(),
        "irsa-lab ran the week before: {this_week}"
    );
    let other = answer
        .iter()
        .find(|r| r["cluster"] == "irsa-lab-2" && r["week_start"] == "2026-04-06")
        .expect("irsa-lab-2 this week");
    assert!(other["previous_week"].is_null(), "{other}");
    assert_eq!(other["days_seen"], 2);

    // (d) Findings per severity, newest run per cluster.
    let expected = expected_findings_by_severity(records);
    let answer = &answers["findings_by_severity_per_cluster"];
    assert_eq!(answer.len(), expected.len());
    for row in answer {
        let cluster = text(&row["cluster"]);
        let want = &expected[cluster];
        assert_eq!(
            project(std::slice::from_ref(row), std::slice::from_ref(want))[0],
            *want,
            "{cluster}"
        );
        if typed {
            assert_eq!(row["generated_at"], latest(records)[cluster]);
        }
        assert_eq!(row["account"], "123456789012");
        assert_eq!(row["region"], "eu-west-1");
    }
}
