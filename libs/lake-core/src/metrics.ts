/**
 * The collector's CloudWatch metrics (Powertools EMF): published by the collector, alarmed on by the
 * ingestion stack. One home, so the alarm watches the namespace, name and dimension the collector writes.
 */
export const COLLECTOR_METRICS = {
  namespace: 'NfeLake/Collector',
  /** The `service` dimension Powertools adds. */
  service: 'collector',
  /** Published when a run completes, i.e. its manifest is written (dimension `source`). */
  runsCompleted: 'RunsCompleted',
} as const;
