import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { AlarmSubscription } from '@nfe-lake/lake-core';
import { Construct, IConstruct } from 'constructs';
import { LakeKey } from '../storage/lake-key';
import { AwsEnv } from './aws-env';
import { policyDocument } from './iam';

/** Where the lake's alarms and failure events go. */
export interface IAlarmTopic {
  readonly topicArn: string;
}

export interface AlarmTopicProps {
  /** Topic name; also the prefix of the alarms (`<prefix>-*`) and EventBridge rules allowed to publish, e.g. `nfe-dev`. */
  readonly namePrefix: string;
  /** Encrypts the messages; its key policy gets CloudWatch and EventBridge as publishers. */
  readonly key: LakeKey;
  /** @default - none: subscribe your pager or mailbox to `topicArn` */
  readonly subscriptions?: readonly AlarmSubscription[];
}

/**
 * The lake's alarm topic, KMS-encrypted with the lake key. Only this account's CloudWatch alarms and EventBridge
 * rules named `<prefix>-*` may publish (`aws:SourceAccount`, `aws:SourceArn`). `notifyAlarmsIn(scope)` makes it the
 * alarm and OK action of every alarm under a scope.
 */
export class AlarmTopic extends Construct implements IAlarmTopic {
  readonly resource: SnsTopic;
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const env = AwsEnv.of(this);
    this.resource = new SnsTopic(this, 'Resource', { name: `${props.namePrefix}-alarms`, kmsMasterKeyId: props.key.keyArn });
    this.topicArn = this.resource.arn;
    const publisher = (sid: string, service: string, sourceArn: string) => ({
      Sid: sid,
      Principal: { Service: service },
      Action: ['sns:Publish'],
      Resource: [this.topicArn],
      Condition: { StringEquals: { 'aws:SourceAccount': env.accountId }, ArnLike: { 'aws:SourceArn': sourceArn } },
    });
    new SnsTopicPolicy(this, 'Policy', {
      arn: this.topicArn,
      policy: policyDocument([
        publisher('CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com', env.arn('cloudwatch', `alarm:${props.namePrefix}-*`)),
        publisher('EventBridgeRulesPublish', 'events.amazonaws.com', env.arn('events', `rule/${props.namePrefix}-*`)),
      ]),
    });
    props.key.allowServicesToPublishEncrypted(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    (props.subscriptions ?? []).forEach((s, i) => new SnsTopicSubscription(this, `Subscription${i}`, { topicArn: this.topicArn, protocol: s.protocol, endpoint: s.endpoint }));
  }

  /**
   * Makes the topic the alarm and OK action of every CloudWatch alarm under `scope` so far: call it last. (Not an
   * aspect: cdktf wires references to another stack's topic before it runs aspects.)
   */
  static notifyAlarmsIn(scope: IConstruct, topic: IAlarmTopic): void {
    for (const node of scope.node.findAll()) {
      if (node instanceof CloudwatchMetricAlarm) {
        node.alarmActions = [topic.topicArn];
        node.okActions = [topic.topicArn];
      }
    }
  }
}
