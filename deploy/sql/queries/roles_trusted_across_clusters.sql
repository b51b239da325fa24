-- Roles bound by ServiceAccounts in more than one cluster (IRSA annotation or Pod Identity
-- association): one role, several clusters' workloads — a blast radius across clusters, and a
-- trust policy that must admit every one of them.
-- As of each cluster's newest run. Columns: role_arn, clusters (how many), bound_by (every
-- cluster/namespace/ServiceAccount, sorted).
-- Runs unchanged on Athena (Trino) and DuckDB, over the table or view irsa_records.
WITH latest AS (
  SELECT cluster, max(generated_at) AS generated_at
  FROM irsa_records
  GROUP BY cluster
),
bound AS (
  SELECT DISTINCT r.role_arn, r.cluster, r.namespace, r.service_account
  FROM irsa_records r
  JOIN latest l
    ON r.cluster IS NOT DISTINCT FROM l.cluster
   AND r.generated_at = l.generated_at
  WHERE r.record = 'binding'
    AND r.role_arn IS NOT NULL
)
SELECT
  role_arn,
  count(DISTINCT cluster) AS clusters,
  array_agg(
    coalesce(cluster, '?') || '/' || coalesce(namespace, '?') || '/' || service_account
    ORDER BY cluster, namespace, service_account
  ) AS bound_by
FROM bound
GROUP BY role_arn
HAVING count(DISTINCT cluster) > 1
ORDER BY clusters DESC, role_arn;
