-- The fleet's audit records as an Athena (Glue) table: every NDJSON line that
-- `irsa-inspector audit --format ndjson --output s3://BUCKET/PREFIX` wrote, in every cluster.
--
-- S3 layout (one object per run, written whole by the audit's S3 writer):
--   s3://my-audit-bucket/irsa-inspector/dt=YYYY-MM-DD/cluster=NAME/<generated_at>-<context>.ndjson
-- dt is the UTC date of the record's generated_at; NAME the EKS cluster's name.
--
-- Partitions: `dt` is projected (no crawler, no MSCK REPAIR; new days appear by themselves).
-- `cluster` is a folder of the layout but not a partition column here: Athena's `injected`
-- projection would require every query to name its clusters (`WHERE cluster = '…'`), which
-- the fleet queries (deploy/sql/queries/, "in more than one cluster") cannot do, and an
-- `enum` projection would have to list every cluster. Athena reads every object below a
-- dt=… location, the cluster=… folders included, and `cluster` is a column of each record.
-- Filter on dt to scan less:  WHERE dt >= '2026-04-01'.
--
-- Columns: the records' keys (docs/audit-ndjson.schema.json, irsa-inspector/ndjson/v1). The
-- record kinds share one table: a finding leaves the binding columns NULL and the other way
-- round. New keys are only ever added; add their columns here (ALTER TABLE … ADD COLUMNS) —
-- the JSON SerDe ignores keys it has no column for. Timestamps stay ISO 8601 strings
-- (`2026-04-10T10:00:00Z`, always UTC): the queries compare and cut them as text, which Athena
-- (Trino) and DuckDB do alike.
--
-- Replace my-audit-bucket/irsa-inspector (twice) with your bucket and prefix.

CREATE EXTERNAL TABLE IF NOT EXISTS irsa_records (
  `schema` string,
  `record` string,
  `generated_at` string,
  `context` string,
  `cluster` string,
  `account` string,
  `region` string,
  `code` string,
  `severity` string,
  `subject_kind` string,
  `namespace` string,
  `name` string,
  `title` string,
  `accepted` boolean,
  `role_arn` string,
  `service_account` string,
  `mechanism` string,
  `role_account` string,
  `verdict` string,
  `worst` string,
  `pods` bigint,
  `pods_node_role` bigint
)
PARTITIONED BY (`dt` string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES ('ignore.malformed.json' = 'false')
LOCATION 's3://my-audit-bucket/irsa-inspector/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy-MM-dd',
  'projection.dt.range' = '2026-01-01,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'DAYS',
  'storage.location.template' = 's3://my-audit-bucket/irsa-inspector/dt=${dt}/'
);
