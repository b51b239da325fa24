-- Pods on the node role (their first container falls back to the node's instance role through
-- IMDS: no IRSA, no Pod Identity) per cluster and week, this week against the week before.
-- A cluster's day counts once: its newest run of that day (several runs a day do not add up);
-- a week's figure is that of its newest day, with the peak of its days beside it. Weeks start
-- on Monday (ISO), in UTC.
-- Columns: cluster, week_start, pods_node_role, peak, days_seen, previous_week (NULL when that
-- week has no run), change. (generated_at is cast to text first: a reader that typed it as a
-- timestamp, DuckDB's read_json_auto, gives the same day.)
-- Runs unchanged on Athena (Trino) and DuckDB, over the table or view irsa_records.
WITH runs AS (
  SELECT
    cluster,
    CAST(substr(CAST(generated_at AS VARCHAR), 1, 10) AS DATE) AS run_day,
    max(generated_at) AS generated_at
  FROM irsa_records
  WHERE record = 'binding'
  GROUP BY cluster, CAST(substr(CAST(generated_at AS VARCHAR), 1, 10) AS DATE)
),
daily AS (
  SELECT runs.cluster, runs.run_day, sum(r.pods_node_role) AS pods_node_role
  FROM irsa_records r
  JOIN runs
    ON r.cluster IS NOT DISTINCT FROM runs.cluster
   AND r.generated_at = runs.generated_at
  WHERE r.record = 'binding'
  GROUP BY runs.cluster, runs.run_day
),
weeks AS (
  SELECT
    cluster,
    CAST(date_trunc('week', run_day) AS DATE) AS week_start,
    max(run_day) AS last_day,
    max(pods_node_role) AS peak,
    count(*) AS days_seen
  FROM daily
  GROUP BY cluster, CAST(date_trunc('week', run_day) AS DATE)
),
weekly AS (
  SELECT w.cluster, w.week_start, d.pods_node_role, w.peak, w.days_seen
  FROM weeks w
  JOIN daily d
    ON d.cluster IS NOT DISTINCT FROM w.cluster
   AND d.run_day = w.last_day
)
SELECT
  cur.cluster,
  cur.week_start,
  cur.pods_node_role,
  cur.peak,
  cur.days_seen,
  prev.pods_node_role AS previous_week,
  cur.pods_node_role - prev.pods_node_role AS change
FROM weekly cur
LEFT JOIN weekly prev
  ON prev.cluster IS NOT DISTINCT FROM cur.cluster
 AND prev.week_start = CAST(cur.week_start - INTERVAL '7' DAY AS DATE)
ORDER BY cur.cluster, cur.week_start DESC;
