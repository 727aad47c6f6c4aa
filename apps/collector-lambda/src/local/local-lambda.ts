import { DeleteMessageBatchCommand, GetQueueAttributesCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { CollectorEvent, InvocationResult } from '../handler';

export type LocalHandler = (event: CollectorEvent, context: LocalContext) => Promise<InvocationResult>;

export interface LocalContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId: string;
}

/** A Lambda context whose deadline is `budgetMs` from now. */
export function localContext(budgetMs: number): LocalContext {
  const deadline = Date.now() + budgetMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now(), awsRequestId: `local-${Math.random().toString(36).slice(2, 10)}` };
}

/** The SQS event Lambda's event source mapping would build from received messages. */
export function sqsEvent(messages: readonly Message[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: m.Body ?? '',
      attributes: (m.Attributes ?? {}) as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:local',
      awsRegion: 'us-east-1',
    })),
  };
}

/**
 * Plays Lambda's SQS event source in-process: receives continuations (waiting out delayed ones),
 * invokes the handler with them, and deletes what it did not report as failed.
 */
export class LocalEventSource {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(waitSeconds = 0): Promise<Message[]> {
    const res = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    return res.Messages ?? [];
  }

  /** Visible messages now, or the first delayed/in-flight ones once visible; [] when the queue is empty. */
  async next(): Promise<Message[]> {
    for (;;) {
      const messages = await this.receive();
      if (messages.length) return messages;
      const { Attributes: a = {} } = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['All'] }));
      const pending = Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesDelayed) + Number(a.ApproximateNumberOfMessagesNotVisible);
      if (pending === 0) return [];
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async delete(messages: readonly Message[]): Promise<void> {
    if (!messages.length) return;
    await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  }

  /** Invokes `handler` for every batch until the queue is empty; `onResult` sees each invocation. */
  async drain(handler: LocalHandler, budgetMs: number, onResult: (result: InvocationResult) => Promise<void> | void = () => undefined, maxInvocations = Infinity): Promise<void> {
    for (let n = 0; ; n++) {
      const batch = await this.next();
      if (!batch.length) return;
      if (n >= maxInvocations) throw new Error(`the queue was not empty after ${maxInvocations} invocations`);
      const result = await handler(sqsEvent(batch), localContext(budgetMs));
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      await this.delete(batch.filter((m) => !failed.has(m.MessageId ?? '')));
      await onResult(result);
    }
  }
}
