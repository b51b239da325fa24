-- Every role in the company whose IRSA trust does not pin one ServiceAccount: a `:sub` matched
-- with a StringLike wildcard (AUD001), or no `:sub` condition at all (AUD002: any
-- ServiceAccount of the trusted cluster may assume it).
-- As of each cluster's newest run; a role trusted by several clusters' issuers is one row
-- naming them all. Columns: role_arn, role_account, code, problem, severity, clusters, accepted
-- (in some cluster's ignore file), title (one of them).
-- Runs unchanged on Athena (Trino) and DuckDB, over the table or view irsa_records.
WITH latest AS (
  SELECT cluster, max(generated_at) AS generated_at
  FROM irsa_records
  GROUP BY cluster
),
found AS (
  SELECT
    r.role_arn, r.code, r.severity, r.cluster,
    bool_or(r.accepted) AS accepted,
    min(r.title) AS title
  FROM irsa_records r
  JOIN latest l
    ON r.cluster IS NOT DISTINCT FROM l.cluster
   AND r.generated_at = l.generated_at
  WHERE r.record = 'finding'
    AND r.code IN ('AUD001', 'AUD002')
  GROUP BY r.role_arn, r.code, r.severity, r.cluster
)
SELECT
  role_arn,
  split_part(role_arn, ':', 5) AS role_account,
  code,
  CASE code
    WHEN 'AUD001' THEN 'wildcard :sub (StringLike)'
    WHEN 'AUD002' THEN 'no :sub condition'
  END AS problem,
  severity,
  array_agg(coalesce(cluster, '?') ORDER BY cluster) AS clusters,
  bool_or(accepted) AS accepted,
  min(title) AS title
FROM found
GROUP BY role_arn, code, severity
ORDER BY code DESC, role_arn;
