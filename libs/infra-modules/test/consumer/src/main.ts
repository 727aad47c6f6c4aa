/**
 * A platform team's lake app, compiled with plain tsc against the packed @nfe-lake packages.
 * Usage: node dist/main.js <outdir> [unencrypted-bucket | bad-config | bad-contract]
 */
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
// eslint-disable-next-line @nx/enforce-module-boundaries -- a consumer outside the workspace imports the package by name
import { LakeApp, LakeStack } from '@nfe-lake/infra-modules';
import { defineDataset, parseLakeConfig } from '@nfe-lake/lake-core';
import readings, { readingsSpec } from './readings';

const [outdir, fault] = process.argv.slice(2);
// a business date that is no column: the contract must be refused
if (fault === 'bad-contract') defineDataset({ ...readingsSpec, businessDateField: 'read_day' });
const config = parseLakeConfig(
  {
    project: fault === 'bad-config' ? 'ACME' : 'acme',
    environment: 'dev',
    region: 'eu-west-1',
    tags: { team: 'sensors' },
    sources: [
      {
        name: 'sensors-api',
        dataset: 'sensor_readings',
        baseUrl: 'https://sensors.example.com',
        path: '/v2/readings',
        recordSelector: 'items',
        pagination: { type: 'cursor', nextCursorPath: 'next' },
        incremental: { cursorField: 'read_at', initialValue: '2026-01-01T00:00:00Z' },
      },
    ],
    processing: { subnetId: 'subnet-0123456789abcdef0' },
    warehouse: { enabled: false },
  },
  'acme lake config',
  { datasets: [readings] },
);

const app = new LakeApp({ project: config.project, environment: config.environment, tags: config.tags, outdir });
const lake = new LakeStack(app, `${app.namePrefix}-lake`, { config });
// a bucket made without the lake's constructs: the encryption guard must stop it
if (fault === 'unencrypted-bucket') new S3Bucket(lake, 'Scratch', { bucket: `${app.namePrefix}-scratch` });
app.synth();
