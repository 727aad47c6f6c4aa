import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule';
import { Construct } from 'constructs';
import { AwsEnv } from './aws-env';
import { ILakeKey } from '../storage/lake-key';
import { LakeRole } from './iam';
import { check } from './validate';

const EXPRESSION = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\)|at\(.+\))$/;

export interface LambdaScheduleProps {
  readonly scheduleName: string;
  /** EventBridge Scheduler expression: `rate(1 hour)`, `cron(0 2 * * ? *)`. */
  readonly expression: string;
  readonly functionArn: string;
  /** JSON event the function receives. */
  readonly input: Record<string, unknown>;
  /** Encrypts the schedule's target input. */
  readonly key: ILakeKey;
}

/** An EventBridge Scheduler schedule invoking a Lambda, with a role that may invoke only it. */
export class LambdaSchedule extends Construct {
  readonly resource: SchedulerSchedule;

  constructor(scope: Construct, id: string, props: LambdaScheduleProps) {
    super(scope, id);
    const expression = check('schedule expression', props.expression, (e) => EXPRESSION.test(e), 'use rate(N minutes|hours|days) or cron(...)');
    const role = new LakeRole(this, 'Role', { roleName: `${props.scheduleName}-scheduler`, assumedBy: ['scheduler.amazonaws.com'], trustCondition: { StringEquals: { 'aws:SourceAccount': AwsEnv.of(this).accountId } }, description: `EventBridge Scheduler: ${props.scheduleName}` });
    role.addToPolicy({ Action: ['lambda:InvokeFunction'], Resource: [props.functionArn] });
    props.key.grantDecrypt(role);
    this.resource = new SchedulerSchedule(this, 'Resource', {
      name: props.scheduleName,
      scheduleExpression: expression,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      kmsKeyArn: props.key.keyArn,
      target: { arn: props.functionArn, roleArn: role.roleArn, input: JSON.stringify(props.input), retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
    });
  }
}

/** Seconds between runs of a `rate(...)` expression (lake-core's, which the config checks use too). */
export { rateSeconds } from '@nfe-lake/lake-core';
