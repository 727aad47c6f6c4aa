/**
 * The policy gate: checkov's findings against the resource-scoped baseline. Unit tests on reports
 * of checkov's shape; then real checkov over a lake stack with a deliberately insecure resource
 * added, which the gate must refuse while it accepts the lake's own reviewed findings.
 */
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Finding, gate, parseBaseline } from '../checkov/gate';
import { storageIn, synthWith } from './helpers';

const CHECKOV_DIR = resolve(__dirname, '../checkov');
const baseline = parseBaseline(readFileSync(join(CHECKOV_DIR, 'baseline.yaml'), 'utf8'), 'baseline.yaml');
const finding = (check_id: string, resource: string): Finding => ({ check_id, resource, file_path: '/nfe-dev-lake/cdk.tf.json', check_name: `${check_id} check` });
const report = (failed: Finding[]) => ({ check_type: 'terraform_json', results: { passed_checks: [], failed_checks: failed, skipped_checks: [] }, summary: { passed: 3, failed: failed.length, parsing_errors: 0 } });

describe('policy gate', () => {
  it('accepts a finding only for the resources its entry names', () => {
    const result = gate(report([finding('CKV_AWS_145', 'aws_s3_bucket.Storage_AccessLogs_96FB524C'), finding('CKV_AWS_145', 'aws_s3_bucket.Storage_Raw_7E344C76')]), baseline);
    expect(result.accepted.map((f) => f.resource)).toEqual(['aws_s3_bucket.Storage_AccessLogs_96FB524C']);
    // an unencrypted data bucket is not what the access-logs acceptance covers
    expect(result.rejected.map((f) => `${f.check_id} ${f.resource}`)).toEqual(['CKV_AWS_145 aws_s3_bucket.Storage_Raw_7E344C76']);
  });

  it('refuses a check no entry names, and reports entries that accept nothing', () => {
    const result = gate(report([finding('CKV_AWS_24', 'aws_security_group.Open')]), baseline);
    expect(result.rejected).toHaveLength(1);
    expect(result.unused).toContain('CKV2_AWS_7 aws_emr_cluster.Spark_Cluster_*');
  });

  it('refuses a baseline entry without resources or reason, and a report that is not checkov JSON', () => {
    expect(() => parseBaseline('accepted:\n  - check: CKV_AWS_144\n    resources: []\n    reason: cost\n', 'b.yaml')).toThrow(
      'invalid baseline b.yaml: accepted[0].resources: got []; give a non-empty list of resource globs',
    );
    expect(() => parseBaseline("accepted:\n  - check: CKV_AWS_144\n    resources: ['*']\n    reason: cost\n", 'b.yaml')).toThrow(/accepted\[0\]\.reason: got "cost"; give why the check does not apply/);
    expect(() => gate({ errors: [] }, baseline)).toThrow('invalid checkov report: got no results/summary; run checkov with -o json');
    expect(() => gate({ ...report([]), summary: { passed: 0, parsing_errors: 2 } }, baseline)).toThrow(/got 2 parsing errors/);
  });
});

describe('policy gate over real checkov', () => {
  const work = mkdtempSync(join(tmpdir(), 'policy-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it(
    'fails on a deliberately insecure resource beside the lake storage, naming it, and passes without it',
    () => {
      const checkov = execFileSync('bash', [join(CHECKOV_DIR, 'setup.sh')], { encoding: 'utf8' }).trim();
      const scan = (name: string, insecure: boolean) => {
        const { json } = synthWith((stack) => {
          storageIn(stack);
          if (insecure) {
            new SecurityGroup(stack, 'Open', { name: 'open', description: 'ssh from anywhere', ingress: [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }] });
            new S3Bucket(stack, 'Plain', { bucket: 'plain-bucket' });
          }
        });
        const dir = join(work, name, 'stack');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'cdk.tf.json'), json);
        const run = spawnSync(checkov, ['--directory', join(work, name), '--framework', 'terraform_json', '--skip-download', '--quiet', '-o', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        expect([0, 1]).toContain(run.status);
        return gate(JSON.parse(run.stdout), baseline);
      };
      const bad = scan('insecure', true);
      const rejected = bad.rejected.map((f) => `${f.check_id} ${f.resource}`);
      // an unencrypted bucket fails the check the access-logs bucket is accepted for: the acceptance does not reach it
      expect(rejected).toEqual(expect.arrayContaining(['CKV_AWS_145 aws_s3_bucket.Plain', 'CKV_AWS_144 aws_s3_bucket.Plain', 'CKV2_AWS_5 aws_security_group.Open']));
      expect(rejected.every((r) => r.endsWith('.Open') || r.endsWith('.Plain'))).toBe(true);
      const good = scan('secure', false);
      expect(good.rejected).toEqual([]);
      expect(good.accepted.length).toBeGreaterThan(0);
    },
    15 * 60_000,
  );
});
