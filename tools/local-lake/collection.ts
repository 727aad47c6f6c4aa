import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, GetQueueAttributesCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LocalAws } from '@nfe-lake/local-aws';
import { parseRawObjectKey, RawPart, SourceConfigInput } from '@nfe-lake/lake-core';
import { exec, ROOT } from './exec';
import { clientConfigAs, credentialsEnv, DeployedFunction } from './workloads';

/**
 * The real collector per source, run as its deployed function (Lambda invoke needs Docker): tools/invoke-lambda.ts in
 * a child process with the function's environment and its role's session credentials only, as the Lambda runtime
 * would; the schedule tick (`at`, default now), then every SQS continuation, received and deleted with the same
 * role as Lambda's event source mapping does (batch size 1), until the continuation queue is empty.
 */
export async function collect(sources: readonly SourceConfigInput[], options: { aws: LocalAws; collectors: readonly DeployedFunction[]; at?: Date }) {
  for (const src of sources) {
    const fn = options.collectors.find((c) => c.env.SOURCE_CONFIG && JSON.parse(c.env.SOURCE_CONFIG).name === src.name);
    if (!fn) throw new Error(`no deployed collector for source ${src.name} (deployed: ${options.collectors.map((c) => c.functionName).join(', ') || 'none'})`);
    const invoke = async (event: object): Promise<InvocationResult> => {
      // the SDK reads the AWS_* credentials first: the role's session, not any profile the shell has
      const env = { ...fn.env, AWS_ENDPOINT_URL: options.aws.endpoint, AWS_REGION: options.aws.region, ...credentialsEnv(fn.credentials), POWERTOOLS_LOG_LEVEL: 'WARN' };
      const out = await exec(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'tools/invoke-lambda.ts'), join(ROOT, COLLECTOR_ENTRY), JSON.stringify(event)], { env, prefix: `[collector ${src.name}]`, quiet: true });
      return JSON.parse(out.trim().split('\n').pop() ?? 'null') as InvocationResult;
    };
    const sqs = new SQSClient(clientConfigAs(options.aws, fn.credentials));
    const queueUrl = fn.env.CONTINUATION_QUEUE_URL;
    let [invocations, runs, records] = [0, 0, 0];
    const count = (result: InvocationResult) => {
      invocations += 1;
      runs += result.completed.length;
      records += result.completed.reduce((n, m) => n + m.records, 0);
    };
    try {
      count(await invoke({ scheduledTime: (options.at ?? new Date()).toISOString() }));
      for (let message = await nextMessage(sqs, queueUrl); message; message = await nextMessage(sqs, queueUrl)) {
        const result = await invoke(sqsEvent(message));
        if (result.batchItemFailures.length) throw new Error(`the collector of ${src.name} failed its continuation ${message.MessageId}: ${JSON.stringify(result)}`);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        count(result);
      }
    } finally {
      sqs.destroy();
    }
    console.log(`  ${src.name}: ${fn.functionName} as ${fn.roleArn}: ${runs} run(s), ${records} records, ${invocations} invocation(s)`);
  }
}

const COLLECTOR_ENTRY = 'apps/collector-lambda/src/index.ts';

/** The next continuation, waiting out delayed and in-flight ones; undefined once the queue is empty. */
async function nextMessage(sqs: SQSClient, queueUrl: string): Promise<Message | undefined> {
  for (;;) {
    const [message] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['All'] }))).Messages ?? [];
    if (message) return message;
    const { Attributes: a = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    if (Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesDelayed) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The SQS event Lambda's event source mapping builds from one received message. */
function sqsEvent(m: Message): object {
  return {
    Records: [{ messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body, attributes: m.Attributes ?? {}, messageAttributes: {}, md5OfBody: m.MD5OfBody, eventSource: 'aws:sqs', awsRegion: 'us-east-1' }],
  };
}

/** What the collector handler returns (apps/collector-lambda's InvocationResult): completed run manifests, failed batch items. */
interface InvocationResult {
  readonly completed: { readonly records: number }[];
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** Every raw part in the bucket, decompressed: exactly what the sources served, as the collector stored it. */
export async function rawParts(s3: S3Client, bucket: string): Promise<RawPart[]> {
  const parts: RawPart[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      if (!Key || Key.startsWith('_')) continue;
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
      if (!Body) throw new Error(`empty raw part s3://${bucket}/${Key}`);
      const lines = gunzipSync(Buffer.from(await Body.transformToByteArray())).toString('utf8').split('\n').filter(Boolean);
      parts.push({ key: Key, records: lines.map((l) => JSON.parse(l)) });
    }
    token = page.NextContinuationToken;
  } while (token);
  return parts;
}

/** Records per dataset in the raw parts: what the collector wrote. */
export function recordsPerDataset(parts: readonly RawPart[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const part of parts) {
    const { dataset } = parseRawObjectKey(part.key);
    counts[dataset] = (counts[dataset] ?? 0) + part.records.length;
  }
  return counts;
}
