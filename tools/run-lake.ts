/**
 * A team's own lake, run end to end on this laptop (`tools/lake run --config <lake.json>`): the same local steps
 * as the demo, for every dataset and source of the given lake config (environment `local`), against the source
 * URLs in it. The sources' record counts are not known here, so the check is that every record the collector wrote
 * is a curated row or quarantined; the named queries' answers are printed (and saved), not compared.
 *  1. local AWS: moto server over HTTP enforcing IAM (Trino starts beside it); steps 4-6 run as their own deployed roles
 *  2. infrastructure: cdktf synth of the config's stacks + terraform apply against moto
 *  3. secrets: each source's API credential into Secrets Manager / SSM on moto, from the --secrets file
 *  4. collection: the real collector handler per source (schedule tick + SQS continuations) into the raw bucket
 *  5. trigger: the real emr-trigger per dataset -> RunJobFlow on moto EMR from its deployed launch spec
 *  6. processing: each submitted step with spark-submit local[2] over s3a (moto's EMR never runs steps)
 *  7. results: each dataset's job report; collected = curated + quarantined
 *  8. query: every named query of the workgroup answered by Trino over the applied Glue catalog
 * Artefacts (synthesised Terraform, job reports, summary.json with the answers) land in .lake/run/<project>-<environment>/.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadEnvironmentConfig, namePrefix } from '@nfe-lake/infra-modules';
import { LakeConfig, SecretRef } from '@nfe-lake/lake-core';
import { LocalAws, startTlsProxy, TlsProxy } from '@nfe-lake/local-aws';
import { RUN_OPTIONS } from './run-options';
import { collect, rawParts, recordsPerDataset } from './local-lake/collection';
import { elapsed, ROOT, secondsSinceStart, step } from './local-lake/exec';
import { synthAndApply } from './local-lake/infrastructure';
import { checkReports, runSparkSteps, triggerRuns } from './local-lake/processing';
import { answerWorkgroupQueries } from './local-lake/queries';
import { startLocalServices, stopLocalServices } from './local-lake/services';
import { deployedFunctions } from './local-lake/workloads';

/** The secrets file: `{ "<secretId or SSM parameter name>": "<value>" }`, one entry per secret the sources' auth names. */
function readSecrets(file: string | undefined): Record<string, string> {
  if (file === undefined) return {};
  if (!existsSync(file)) throw new Error(`invalid --secrets: got ${file}; no such file: give a JSON file { "<secretId>": "<value>" }`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`invalid --secrets: got ${file}, not JSON (${(err as Error).message}); give a JSON object of strings { "<secretId>": "<value>" }`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`invalid --secrets: got ${file} holding ${JSON.stringify(parsed).slice(0, 80)}; give a JSON object of strings { "<secretId>": "<value>" }`);
  }
  return parsed as Record<string, string>;
}

/** Each source's credential, by the secret id or parameter its auth names; fails before anything starts when one is missing. */
function sourceSecrets(config: LakeConfig, secrets: Record<string, string>, secretsFile: string | undefined): Map<SecretRef, string> {
  const values = new Map<SecretRef, string>();
  for (const source of config.sources) {
    if (source.auth.type === 'none') continue;
    const ref = source.auth.secret;
    const id = secretName(ref);
    const value = secrets[id];
    if (value === undefined) {
      throw new Error(
        `invalid --secrets: got ${secretsFile === undefined ? 'no file' : `no "${id}" in ${secretsFile}`}; source ${source.name} reads its credential from ${ref.from} ${id}: ` +
          `put { "${id}": "<value>" } in a JSON file and pass --secrets <file>`,
      );
    }
    values.set(ref, value);
  }
  return values;
}

const secretName = (ref: SecretRef) => (ref.from === 'secretsmanager' ? ref.secretId : ref.parameterName);

/** Stores each credential where the collector reads it: Secrets Manager or SSM (SecureString) on moto. */
async function storeSecrets(values: Map<SecretRef, string>, aws: LocalAws) {
  const secretsManager = new SecretsManagerClient(aws.clientConfig);
  const ssm = new SSMClient(aws.clientConfig);
  try {
    const stored = new Set<string>();
    for (const [ref, value] of values) {
      const id = secretName(ref);
      if (stored.has(id)) continue;
      stored.add(id);
      if (ref.from === 'secretsmanager') await secretsManager.send(new CreateSecretCommand({ Name: id, SecretString: value }));
      else await ssm.send(new PutParameterCommand({ Name: id, Value: value, Type: 'SecureString' }));
      console.log(`  ${ref.from} ${id}`);
    }
  } finally {
    secretsManager.destroy();
    ssm.destroy();
  }
}

/** The config as synth reads it (see loadEnvironmentConfig), for the local environment only. */
function loadLocalConfig(file: string, endpoint: string): LakeConfig {
  // the environment first: a deployable config also fails the local checks, which would hide the real mistake
  const { environment } = JSON.parse(readFileSync(file, 'utf8')) as { environment?: unknown };
  if (environment !== 'local') {
    throw new Error(`invalid environment: got ${JSON.stringify(environment)} in ${file}; tools/lake run runs a lake on moto only: use a config with "environment": "local" (deploy others with cdktf deploy)`);
  }
  return loadEnvironmentConfig(file, { LAKE_LOCAL_ENDPOINT: endpoint });
}

async function main() {
  const { values } = parseArgs({ options: RUN_OPTIONS });
  if (!values.config) throw new Error('invalid --config: got nothing; give your lake config, e.g. tools/lake run --config my-lake/lake.json');
  const configFile = resolve(values.config);
  if (!existsSync(configFile)) throw new Error(`invalid --config: got ${values.config}; no such file`);
  const secretsFile = values.secrets === undefined ? undefined : resolve(values.secrets);
  // the config and the secrets are checked before anything starts (moto's endpoint is not known yet: any URL checks)
  const credentials = sourceSecrets(loadLocalConfig(configFile, 'http://127.0.0.1:4566'), readSecrets(secretsFile), secretsFile);

  step(1, 'local AWS');
  const services = await startLocalServices();
  const { aws } = services;
  let tls: TlsProxy | undefined;
  const s3 = new S3Client(aws.clientConfig);
  try {
    // this run's moto endpoint replaces any localEndpoint in the file, as LAKE_LOCAL_ENDPOINT does for cdktf synth
    const config = loadLocalConfig(configFile, aws.endpoint);
    const work = join(ROOT, '.lake', 'run', namePrefix(config));
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });

    step(2, `infrastructure: cdktf synth + terraform apply of ${configFile} against moto`);
    const lake = await synthAndApply(config, work, aws);

    step(3, 'secrets: each source\'s credential on moto');
    await storeSecrets(credentials, aws);

    step(4, `collection: the collector handler per source (${config.sources.map((s) => `${s.name} ${s.baseUrl}${s.path}`).join(', ')})`);
    const [collectors, triggers] = await Promise.all(['ingestion', 'processing'].map((concern) => deployedFunctions(aws, work, `${namePrefix(config)}-${concern}`)));
    await collect(config.sources, { aws, collectors });
    const collected = recordsPerDataset(await rawParts(s3, lake.buckets.raw));
    console.log(`  collected: ${JSON.stringify(collected)}`);

    step(5, 'trigger: emr-trigger per dataset -> RunJobFlow on moto EMR from its deployed launch spec');
    const runs = await triggerRuns(config.datasets, triggers, aws);

    step(6, 'processing: each submitted step, run here with spark-submit local[2] over s3a (moto EMR does not run steps)');
    tls = await startTlsProxy(aws.endpoint);
    await runSparkSteps(runs, { aws, s3, tls, work });

    step(7, 'results: every record collected is a curated row or quarantined');
    const reports = await checkReports(runs, config.datasets, { s3, curatedBucket: lake.buckets.curated, work, expected: collected, what: 'collected' });

    step(8, "query: every named query of the workgroup, answered by Trino (Athena v3's engine) over the applied catalog");
    const trino = await services.trino.result();
    const answers = await answerWorkgroupQueries(trino, aws, lake.workgroup);
    writeFileSync(join(work, 'summary.json'), JSON.stringify({ config: configFile, lake, collected, reports, answers, seconds: secondsSinceStart() }, null, 2));
    console.log(`\n[${elapsed()}] run complete: ${answers.length} named queries answered; artefacts in ${work}`);
  } finally {
    s3.destroy();
    await tls?.stop();
    await stopLocalServices(services);
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main().catch((e) => {
  console.error(`\ntools/lake run failed after ${elapsed()}: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
