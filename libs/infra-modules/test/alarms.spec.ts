import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Construct } from 'constructs';
import { AlarmTopic } from '../src';
import { KEY_ARN, resources, storageIn, synthWith } from './helpers';

const TOPIC_ARN = '${aws_sns_topic.AlarmTopic_D01E77F9.arn}';

describe('AlarmTopic', () => {
  const { tf } = synthWith((stack) => {
    const topic = new AlarmTopic(stack, 'AlarmTopic', {
      namePrefix: 'nfe-test',
      key: storageIn(stack).key,
      subscriptions: [
        { protocol: 'email', endpoint: 'oncall@example.com' },
        { protocol: 'https', endpoint: 'https://pager.example.com/hook' },
      ],
    });
    new CloudwatchMetricAlarm(stack, 'One', { alarmName: 'nfe-test-one', comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1 });
    new CloudwatchMetricAlarm(new Construct(stack, 'Nested'), 'Two', { alarmName: 'nfe-test-two', comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 1 });
    AlarmTopic.notifyAlarmsIn(stack, topic);
  });

  it('is encrypted with the lake key and subscribes what it is given', () => {
    expect(resources(tf, 'aws_sns_topic')).toEqual([expect.objectContaining({ name: 'nfe-test-alarms', kms_master_key_id: KEY_ARN })]);
    expect(resources(tf, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint, s.topic_arn])).toEqual([
      ['email', 'oncall@example.com', TOPIC_ARN],
      ['https', 'https://pager.example.com/hook', TOPIC_ARN],
    ]);
  });

  it('lets only this account\'s lake alarms and rules publish, and them use the key', () => {
    const policy = JSON.parse(resources(tf, 'aws_sns_topic_policy')[0].policy);
    const account = '${data.aws_caller_identity.AwsEnv_Account_38EF5564.account_id}';
    const arn = (service: string, resource: string) => `arn:\${data.aws_partition.AwsEnv_Partition_54C8A86E.partition}:${service}:\${data.aws_region.AwsEnv_Region_B21A6961.name}:${account}:${resource}`;
    expect(policy.Statement).toEqual([
      { Sid: 'CloudWatchAlarmsPublish', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['sns:Publish'], Resource: [TOPIC_ARN], Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': arn('cloudwatch', 'alarm:nfe-test-*') } } },
      { Sid: 'EventBridgeRulesPublish', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['sns:Publish'], Resource: [TOPIC_ARN], Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': arn('events', 'rule/nfe-test-*') } } },
    ]);
    const key = JSON.parse(resources(tf, 'aws_kms_key')[0].policy);
    expect(key.Statement).toContainEqual({
      Sid: 'AccountServicesPublishEncrypted',
      Effect: 'Allow',
      Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': account } },
    });
  });

  it('notifyAlarmsIn: the topic is the alarm and OK action of every alarm under the scope', () => {
    for (const alarm of resources(tf, 'aws_cloudwatch_metric_alarm')) {
      expect([alarm.alarm_name, alarm.alarm_actions, alarm.ok_actions]).toEqual([alarm.alarm_name, [TOPIC_ARN], [TOPIC_ARN]]);
    }
    expect(resources(tf, 'aws_cloudwatch_metric_alarm')).toHaveLength(2);
  });
});
