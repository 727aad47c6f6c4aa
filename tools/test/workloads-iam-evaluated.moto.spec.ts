/**
 * What moto cannot enforce, judged by an established IAM evaluator: the collector and the emr-trigger
 * run as their own deployed roles on IAM-enforcing moto (as in workloads-iam.moto.spec.ts), every AWS
 * call they make is recorded (libs/local-aws iam-evaluation: an SDK middleware in the workload's
 * process), and each authorization moto does not perform itself (Secrets Manager, EMR, iam:PassRole,
 * the KMS requests S3 and SQS make for the caller, CloudWatch) is evaluated with
 * @cloud-copilot/iam-simulate against the role's policies as IAM holds them and the KMS key policy.
 * A statement taken out of a role's policy that moto lets pass fails the evaluation, naming it.
 */
import { assertAllowed, Decision, evaluateWorkloadCalls, Evaluation, readCallLog, RECORD_CALLS_PRELOAD, RecordedCall } from '@nfe-lake/local-aws';
import { join } from 'node:path';
import { actions, COLLECTOR, deployEnforcedLake, EnforcedLake, invokeLambda, LambdaFunction, LambdaResult, roleSession, Statement, SWEEP, TRIGGER, withStatements } from './enforced-lake';

let lake: EnforcedLake;

/** A workload's run: its result, and the AWS calls it made with its role's session. */
interface RecordedRun {
  readonly out: LambdaResult;
  readonly calls: RecordedCall[];
  readonly accessKeyId: string;
  readonly sessionName: string;
}

let runs = 0;
/** Runs `entry`'s handler as the Lambda runtime would, recording every AWS SDK call of the process (RECORD_CALLS_PRELOAD). */
async function invoke(fn: LambdaFunction, entry: string, event: object): Promise<RecordedRun> {
  const sessionName = 'workload';
  const credentials = await roleSession(lake.aws, fn, sessionName);
  const log = join(lake.work, `calls-${++runs}.jsonl`);
  const out = await invokeLambda(lake.aws, fn, entry, event, credentials, { env: { LAKE_AWS_CALL_LOG: log }, nodeArgs: ['--import', RECORD_CALLS_PRELOAD] });
  return { out, calls: readCallLog(log), accessKeyId: credentials.accessKeyId, sessionName };
}

/** The recorded run judged by iam-simulate against the role's policies as IAM holds them now. */
const evaluate = (workload: string, fn: LambdaFunction, recorded: RecordedRun): Promise<Evaluation> =>
  evaluateWorkloadCalls(lake.aws, { workload, roleArn: fn.role, sessionName: recorded.sessionName, accessKeyId: recorded.accessKeyId, calls: recorded.calls });

/** `action on resource: result` per evaluated request; `(moto)` for those moto authorized itself. */
const summary = (evaluation: Evaluation) =>
  [...new Set(evaluation.decisions.map((d: Decision) => `${d.request.call} -> ${d.request.action}: ${d.result ?? 'enforced by moto'}`))].sort();

beforeAll(async () => {
  lake = await deployEnforcedLake({ name: 'workloads-iam-evaluated', apiKey: 'workloads-iam-evaluated-test-key' });
}, 1_200_000);

afterAll(async () => {
  await lake?.close();
});

describe('workloads judged by iam-simulate where moto does not enforce IAM', () => {
  let collectorRun: RecordedRun;
  let triggerRun: RecordedRun;

  it('the collector runs on moto without its secret read, which the evaluation names; with its deployed policy every call is allowed', async () => {
    const restore = await withStatements(lake.aws, lake.functions.collector.role, (all) => all.filter((s) => !actions(s).includes('secretsmanager:GetSecretValue')));
    try {
      collectorRun = await invoke(lake.functions.collector, COLLECTOR, { scheduledTime: new Date().toISOString() });
      // moto only checks that the session's key is known for Secrets Manager: the run succeeds
      expect(collectorRun.out).toEqual({ ok: true, result: expect.anything() });
      const evaluation = await evaluate('collector', lake.functions.collector, collectorRun);
      expect(() => assertAllowed(evaluation)).toThrow(
        new RegExp(`^collector: 1 request\\(s\\) AWS would deny:\\n  secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:123456789012:secret:[^ ]+ \\(SecretsManagerClient.GetSecretValueCommand\\): ImplicitlyDenied: no statement of the identity policies allows it$`),
      );
    } finally {
      await restore();
    }
    const evaluation = await evaluate('collector', lake.functions.collector, collectorRun);
    assertAllowed(evaluation);
    const calls = summary(evaluation);
    expect(calls).toEqual(expect.arrayContaining([
      'SecretsManagerClient.GetSecretValueCommand -> secretsmanager:GetSecretValue: Allowed',
      'S3Client.GetObjectCommand -> s3:GetObject: enforced by moto',
      'S3Client.GetObjectCommand -> kms:Decrypt: Allowed',
      'S3Client.PutObjectCommand -> s3:PutObject: enforced by moto',
      'S3Client.PutObjectCommand -> kms:GenerateDataKey: Allowed',
    ]));
    console.log(`collector's calls:\n  ${calls.join('\n  ')}`);
  }, 900_000);

  it("without the collector's KMS statement on the lake key, the data keys S3 asks for its writes are denied", async () => {
    const restore = await withStatements(lake.aws, lake.functions.collector.role, (all) => all.filter((s) => !actions(s).includes('kms:GenerateDataKey*')));
    try {
      const evaluation = await evaluate('collector', lake.functions.collector, collectorRun);
      expect(() => assertAllowed(evaluation)).toThrow(
        /^ {2}kms:GenerateDataKey on arn:aws:kms:us-east-1:123456789012:key\/[-0-9a-f]+ \(S3Client.PutObjectCommand; kms:ViaService=s3.us-east-1.amazonaws.com, .*kms:EncryptionContext:aws:s3:arn=arn:aws:s3:::nfe-local-raw-123456789012.*\): ImplicitlyDenied: no statement of the identity policies allows it$/m,
      );
    } finally {
      await restore();
    }
  }, 300_000);

  it('the trigger calls RunJobFlow on moto without its iam:PassRole of the EMR service role, which the evaluation names; a RunJobFlow tag condition for another prefix denies RunJobFlow', async () => {
    const serviceRolePass = (s: Statement) => actions(s).includes('iam:PassRole') && JSON.stringify(s.Condition ?? {}).includes('elasticmapreduce.amazonaws.com');
    const restore = await withStatements(lake.aws, lake.functions.trigger.role, (all) => all.filter((s) => !serviceRolePass(s)));
    try {
      triggerRun = await invoke(lake.functions.trigger, TRIGGER, SWEEP);
      expect(triggerRun.out).toMatchObject({ ok: true, result: { started: [expect.objectContaining({ clusterId: expect.stringMatching(/^j-/) })] } });
      const evaluation = await evaluate('emr-trigger', lake.functions.trigger, triggerRun);
      expect(() => assertAllowed(evaluation)).toThrow(
        /^emr-trigger: 1 request\(s\) AWS would deny:\n {2}iam:PassRole on arn:aws:iam::123456789012:role\/\S+ \(EMRClient.RunJobFlowCommand; iam:PassedToService=elasticmapreduce.amazonaws.com\): ImplicitlyDenied: no statement of the identity policies allows it$/,
      );
    } finally {
      await restore();
    }
    const evaluation = await evaluate('emr-trigger', lake.functions.trigger, triggerRun);
    assertAllowed(evaluation);
    const calls = summary(evaluation);
    expect(calls).toEqual(expect.arrayContaining([
      'EMRClient.RunJobFlowCommand -> elasticmapreduce:RunJobFlow: Allowed',
      'EMRClient.RunJobFlowCommand -> iam:PassRole: Allowed',
      'S3Client.GetObjectCommand -> kms:Decrypt: Allowed',
    ]));
    console.log(`emr-trigger's calls:\n  ${calls.join('\n  ')}`);

    const otherPrefix = await withStatements(lake.aws, lake.functions.trigger.role, (all) =>
      all.map((s) => (actions(s).includes('elasticmapreduce:RunJobFlow') ? { ...s, Condition: { StringEquals: { 'aws:RequestTag/nfe-lake': 'another-lake' } } } : s)),
    );
    try {
      const denied = await evaluate('emr-trigger', lake.functions.trigger, triggerRun);
      expect(() => assertAllowed(denied)).toThrow(
        /^emr-trigger: 1 request\(s\) AWS would deny:\n {2}elasticmapreduce:RunJobFlow on \* \(EMRClient.RunJobFlowCommand; .*aws:RequestTag\/nfe-lake=nfe-local, .*\): ImplicitlyDenied: no statement of the identity policies allows it$/,
      );
    } finally {
      await otherPrefix();
    }
  }, 900_000);
});
