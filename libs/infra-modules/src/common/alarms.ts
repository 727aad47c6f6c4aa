import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';

export interface ThresholdAlarmSpec {
  readonly alarmName: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: 'Sum' | 'Maximum';
  /** @default 300 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** `above`: alarm when the value reaches 1 (errors, queued failures); `absent`: alarm when it stays below 1. */
  readonly when: 'above' | 'absent';
}

/** An alarm on "at least one" or "not even one" of a metric, the two shapes the lake needs. */
export function thresholdAlarm(scope: Construct, id: string, spec: ThresholdAlarmSpec): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: spec.alarmName,
    alarmDescription: spec.description,
    namespace: spec.namespace,
    metricName: spec.metricName,
    dimensions: spec.dimensions,
    statistic: spec.statistic,
    period: spec.periodSeconds ?? 300,
    evaluationPeriods: spec.evaluationPeriods ?? 1,
    threshold: 1,
    comparisonOperator: spec.when === 'above' ? 'GreaterThanOrEqualToThreshold' : 'LessThanThreshold',
    // no data means no errors, but also no manifest
    treatMissingData: spec.when === 'above' ? 'notBreaching' : 'breaching',
  });
}
