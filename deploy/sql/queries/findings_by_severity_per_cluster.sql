-- Findings per severity and cluster, as of each cluster's newest run: open ones (not accepted
-- by the cluster's ignore file) per severity, then the accepted ones and the total.
-- Columns: cluster, account, region, generated_at, critical, high, medium, low, info,
-- accepted, total.
-- Runs unchanged on Athena (Trino) and DuckDB, over the table or view irsa_records.
WITH latest AS (
  SELECT cluster, max(generated_at) AS generated_at
  FROM irsa_records
  GROUP BY cluster
)
SELECT
  r.cluster,
  max(r.account) AS account,
  max(r.region) AS region,
  l.generated_at,
  sum(CASE WHEN r.severity = 'critical' AND NOT r.accepted THEN 1 ELSE 0 END) AS critical,
  sum(CASE WHEN r.severity = 'high' AND NOT r.accepted THEN 1 ELSE 0 END) AS high,
  sum(CASE WHEN r.severity = 'medium' AND NOT r.accepted THEN 1 ELSE 0 END) AS medium,
  sum(CASE WHEN r.severity = 'low' AND NOT r.accepted THEN 1 ELSE 0 END) AS low,
  sum(CASE WHEN r.severity = 'info' AND NOT r.accepted THEN 1 ELSE 0 END) AS info,
  sum(CASE WHEN r.accepted THEN 1 ELSE 0 END) AS accepted,
  count(*) AS total
FROM irsa_records r
JOIN latest l
  ON r.cluster IS NOT DISTINCT FROM l.cluster
 AND r.generated_at = l.generated_at
WHERE r.record = 'finding'
GROUP BY r.cluster, l.generated_at
ORDER BY critical DESC, high DESC, r.cluster;
