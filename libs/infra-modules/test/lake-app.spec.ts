import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { App, TerraformStack, Testing } from 'cdktf';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLakeAspects, LakeApp, LakeStorage } from '../src';
import { preventDestroyOf, resources, TerraformJson } from './helpers';

const outdir = () => mkdtempSync(join(tmpdir(), 'lake-app-'));

function stackIn(app: App, id: string): TerraformStack {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  return stack;
}

const synthesised = (app: App, id: string): TerraformJson => JSON.parse(readFileSync(join(app.outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));

describe('LakeApp', () => {
  it('applies the tags and guards to every stack at synth, stacks added after it was made included', () => {
    const app = new LakeApp({ project: 'shop', environment: 'dev', tags: { team: 'orders' }, outdir: outdir() });
    for (const id of ['one', 'two']) new LakeStorage(stackIn(app, id), 'Storage', { namePrefix: `${app.namePrefix}-${id}` });
    app.synth();
    for (const id of ['one', 'two']) {
      const buckets = resources(synthesised(app, id), 'aws_s3_bucket');
      expect(buckets.length).toBeGreaterThan(1);
      for (const bucket of buckets) expect(bucket.tags).toEqual({ project: 'shop', environment: 'dev', 'managed-by': 'cdktf', team: 'orders' });
    }
  });

  it('allowDataDestruction is the app-wide opt-in a removalPolicy "destroy" needs', () => {
    const retained = new LakeApp({ project: 'shop', environment: 'dev', outdir: outdir() });
    expect(() => new LakeStorage(stackIn(retained, 'lake'), 'Storage', { namePrefix: 'shop-dev', removalPolicy: 'destroy' })).toThrow(/invalid removalPolicy of lake\/Storage\/Key: got "destroy"/);
    const app = new LakeApp({ project: 'shop', environment: 'dev', allowDataDestruction: true, outdir: outdir() });
    new LakeStorage(stackIn(app, 'lake'), 'Storage', { namePrefix: 'shop-dev', removalPolicy: 'destroy', forceDestroy: true });
    app.synth();
    expect(preventDestroyOf(synthesised(app, 'lake')).filter(([, prevented]) => prevented)).toEqual([]);
  });

  it('fails synth on a stack with an unencrypted or misnamed bucket, naming it, the value and the fix', () => {
    const unencrypted = new LakeApp({ project: 'shop', environment: 'dev', outdir: outdir() });
    new S3Bucket(stackIn(unencrypted, 'raw'), 'Plain', { bucket: 'shop-dev-plain' });
    expect(() => unencrypted.synth()).toThrow(/invalid encryption of raw\/Plain: got a bucket without default encryption; add an aws_s3_bucket_server_side_encryption_configuration/);

    const misnamed = new LakeApp({ project: 'shop', environment: 'dev', outdir: outdir() });
    new LakeStorage(stackIn(misnamed, 'raw'), 'Storage', { namePrefix: 'other-team' });
    expect(() => misnamed.synth()).toThrow(/invalid name of aws_s3_bucket raw\/Storage\/Raw\/Resource: got "other-team-raw[^"]*"; start it with "shop-dev-"/);
  });

  it('refuses a project or environment the lake config would refuse, with the value and the rule', () => {
    expect(() => new LakeApp({ project: 'Shop Orders', environment: 'dev' })).toThrow('invalid lake project: got "Shop Orders"; lowercase letters, digits and "-", 2-21 characters');
    expect(() => new LakeApp({ project: 'shop', environment: 'prod-eu' })).toThrow('invalid lake environment: got "prod-eu"; lowercase letters and digits, 2-10 characters');
  });
});

describe('applyLakeAspects', () => {
  it('is a no-op the second time with the same options, and refuses other options on the same stack', () => {
    const app = Testing.app();
    const stack = stackIn(app, 'lake');
    new S3Bucket(stack, 'Plain', { bucket: 'shop-dev-plain' });
    applyLakeAspects(stack, { project: 'shop', environment: 'dev' });
    applyLakeAspects(stack, { project: 'shop', environment: 'dev' });
    // one guard, so one message: a duplicate would report the bucket twice
    const message = (() => {
      try {
        Testing.synth(stack, true);
        return '';
      } catch (error) {
        return String(error);
      }
    })();
    expect(message.match(/invalid encryption of lake\/Plain/g)).toHaveLength(1);
    expect(() => applyLakeAspects(stack, { project: 'shop', environment: 'test' })).toThrow(
      /invalid lake aspects of stack lake: got .*"environment":"test".*; the stack already has .*"environment":"dev".*: give each stack one project, environment and set of tags/,
    );
  });
});
