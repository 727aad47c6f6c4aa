/**
 * The lake end to end on this laptop (`tools/lake demo`), every part real except where noted:
 *  1. local AWS: moto server over HTTP, enforcing IAM: Terraform, the checks and Trino use its admin, each
 *     workload (steps 4-6) the STS session credentials of its own deployed role only
 *  2. infrastructure: cdktf synth of the `local` environment, `terraform apply` of the lake,
 *     ingestion, processing and query stacks against moto (real Terraform, real provider)
 *  3. source: the demo API over HTTP, API key in Secrets Manager, serving both example datasets: the
 *     seed's NF-e invoices (cursor pages) and shop orders (two arrays, a nested struct; numbered pages)
 *  4. collection: the real collector per source as its deployed function (Lambda invoke needs Docker: a child
 *     process per invocation, tools/invoke-lambda.ts), the schedule tick, then each SQS continuation
 *  5. trigger: the real emr-trigger as its deployed function against moto EMR: RunJobFlow from each dataset's launch spec
 *  6. processing: moto's EMR never runs steps, so the very step the trigger submitted runs here with
 *     spark-submit (local[2]) as the cluster's instance profile role, reading and writing the moto buckets through s3a (over an HTTPS proxy:
 *     the Java SDK refuses KMS-encrypted object copies over plain HTTP)
 *  7. results: each dataset's job report, and the served = curated + quarantined check
 *  8. query: every named query deployed to the workgroup (read back from moto's Athena), answered by
 *     Trino 476 (the engine of Athena v3) over the Glue catalog and S3 Terraform created, checked
 *     against an independent computation from the raw records the API served; then bytes read by a
 *     one-day, three-column question on each dataset's main curated table and on its raw JSON table (tools/bytes-read.ts)
 * Options: see DEMO_OPTIONS and `tools/lake demo --help`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FaultPlan, startDemoApi } from '@nfe-lake/demo-api';
import { EXPECTED_ANSWERS } from '@nfe-lake/examples';
import { namePrefix } from '@nfe-lake/infra-modules';
import { parseLakeConfig, parseRawObjectKey, SourceConfigInput } from '@nfe-lake/lake-core';
import { startTlsProxy, TlsProxy } from '@nfe-lake/local-aws';
import { BytesRead, compareBytesRead, formatBytesRead } from './bytes-read';
import { DEMO_OPTIONS } from './demo-options';
import { collect, rawParts } from './local-lake/collection';
import { elapsed, ROOT, secondsSinceStart, step } from './local-lake/exec';
import { synthAndApply } from './local-lake/infrastructure';
import { background } from './local-lake/background';
import { checkReports, fetchSparkPackages, runSparkSteps, triggerRuns } from './local-lake/processing';
import { answerWorkgroupQueries } from './local-lake/queries';
import { startLocalServices, stopLocalServices } from './local-lake/services';
import { deployedFunctions } from './local-lake/workloads';

const WORK = join(ROOT, '.lake', 'demo');
const SPACING_SECONDS = 30;
/** Shop orders come every two minutes over the same days as the invoices. */
const ORDER_SPACING_SECONDS = 120;
const SHOP_CONTRACT = '../../../examples/shop-orders/shop_orders.contract.yaml';
const DAY_MS = 86_400_000;
/** Where a lake left up with --keep is described, for `tools/lake query`. */
const LAKE_STATE = join(WORK, 'lake.json');
const API_KEY = 'demo-api-key-not-a-secret';

async function main() {
  const { values } = parseArgs({ options: DEMO_OPTIONS });
  const invoices = Number(values.invoices);
  if (!Number.isInteger(invoices) || invoices < 1) throw new Error(`--invoices ${values.invoices}: expected a positive integer`);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  // the data ends yesterday, so the named queries' "last N days" and "yesterday" have answers
  const START = new Date((Math.floor(Date.now() / DAY_MS) - Math.ceil((invoices * SPACING_SECONDS * 1000) / DAY_MS)) * DAY_MS);

  step(1, 'local AWS');
  const services = await startLocalServices();
  const { aws } = services;
  // a realistic source: one 429 with Retry-After, one 503, and every 10th page with a record that breaks the contract
  const faults: FaultPlan = ({ requestNo }) =>
    requestNo === 3 ? { kind: 'status', status: 429, retryAfter: '1' } : requestNo === 6 ? { kind: 'status', status: 503 } : requestNo % 10 === 0 ? { kind: 'invalid-record' } : undefined;
  // the collector's windows run whole days, up to the day after the last invoice
  const lastIssue = new Date(START.getTime() + invoices * SPACING_SECONDS * 1000);
  const at = new Date(Math.ceil(lastIssue.getTime() / DAY_MS) * DAY_MS);
  // the API's count bounds both routes; the orders inside the collected windows are what it serves of them
  const orders = Math.min(invoices, Math.ceil((at.getTime() - START.getTime()) / (ORDER_SPACING_SECONDS * 1000)));
  const api = await startDemoApi({
    count: invoices,
    apiKey: API_KEY,
    generator: { start: START, spacingSeconds: SPACING_SECONDS },
    orderGenerator: { start: START, spacingSeconds: ORDER_SPACING_SECONDS },
    faults,
  });
  const served: Record<string, number> = { nfe_invoice: invoices, shop_orders: orders };
  const s3 = new S3Client(aws.clientConfig);
  const secrets = new SecretsManagerClient(aws.clientConfig);
  let tls: TlsProxy | undefined;
  // fetched (once per machine) while Terraform applies
  const sparkPackages = background("spark-submit's --packages fetch", () => fetchSparkPackages(join(WORK, 'packages')));
  try {
    step(2, 'infrastructure: cdktf synth + terraform apply of the local environment against moto');
    const configDir = join(ROOT, 'libs/infra-modules/config');
    const base = JSON.parse(readFileSync(join(configDir, 'lake.local.json'), 'utf8'));
    const source: SourceConfigInput = {
      name: 'nfe-api',
      dataset: 'nfe_invoice',
      baseUrl: api.url,
      path: '/cursor/invoices',
      recordSelector: 'data',
      pagination: { type: 'cursor', nextCursorPath: 'next_cursor', sizeParam: 'limit', pageSize: 500, totalRecordsPath: 'total' },
      auth: { type: 'api_key', in: 'header', name: 'x-api-key', secret: { from: 'secretsmanager', secretId: 'nfe-local/demo-api-key' } },
      incremental: { cursorField: 'issued_at', startParam: 'issued_since', endParam: 'issued_until', initialValue: START.toISOString(), windowSeconds: 86_400, lagSeconds: 0 },
      http: { requestsPerSecond: 100 },
      schedule: 'rate(1 day)',
    };
    const shopSource: SourceConfigInput = {
      name: 'shop-api',
      dataset: 'shop_orders',
      baseUrl: api.url,
      path: '/page_number/orders',
      recordSelector: 'data',
      pagination: { type: 'page_number', pageSize: 200, totalPagesPath: 'total_pages' },
      auth: source.auth,
      incremental: { cursorField: 'ordered_at', startParam: 'ordered_since', endParam: 'ordered_until', initialValue: START.toISOString(), windowSeconds: 86_400, lagSeconds: 0 },
      http: { requestsPerSecond: 100 },
      schedule: 'rate(1 day)',
    };
    const sources = [source, shopSource];
    const config = parseLakeConfig(
      { ...base, localEndpoint: aws.endpoint, datasets: [...base.datasets, { contract: SHOP_CONTRACT }], sources },
      'demo lake config',
      { baseDir: configDir },
    );
    const lake = await synthAndApply(config, WORK, aws);
    const { buckets } = lake;

    step(3, `source: demo API at ${api.url} (${invoices} invoices and ${orders} shop orders from ${START.toISOString()}, API key in Secrets Manager; injects a 429, a 503 and a bad record on every 10th page)`);
    await secrets.send(new CreateSecretCommand({ Name: 'nfe-local/demo-api-key', SecretString: API_KEY }));

    step(4, 'collection: the collector handler per source, schedule tick + SQS continuations, into the raw bucket');
    const [collectors, triggers] = await Promise.all(['ingestion', 'processing'].map((concern) => deployedFunctions(aws, WORK, `${namePrefix(config)}-${concern}`)));
    await collect(sources, { aws, collectors, at });
    const manifests = (await s3.send(new ListObjectsV2Command({ Bucket: buckets.raw, Prefix: '_manifests/' }))).Contents ?? [];
    console.log(`  ${manifests.length} run manifest(s) in s3://${buckets.raw}/_manifests/`);

    step(5, 'trigger: emr-trigger per dataset (schedule sweep) -> RunJobFlow on moto EMR from its deployed launch spec');
    const runs = await triggerRuns(config.datasets, triggers, aws);

    step(6, 'processing: each submitted step, run here with spark-submit local[2] over s3a (moto EMR does not run steps)');
    tls = await startTlsProxy(aws.endpoint);
    await sparkPackages.result();
    // one after the other: side by side on 2 cores measured slower (743 s and 813 s against 612 s, README "Measured")
    await runSparkSteps(runs, { aws, s3, tls, work: WORK });

    step(7, 'results');
    // every record the API served is either a curated row of the dataset's main table or quarantined with its reason
    const reports = await checkReports(runs, config.datasets, { s3, curatedBucket: buckets.curated, work: WORK, expected: served, what: 'served' });

    step(8, 'query: every named query of the workgroup, answered by Trino (Athena v3\'s engine) over the applied catalog');
    const trino = await services.trino.result();
    console.log(`  Trino ${trino.endpoint} (pid ${trino.pid})`);
    // each dataset's answers, computed next to its example from the raw parts of that dataset
    const parts = await rawParts(s3, buckets.raw);
    const now = new Date();
    const expected: Record<string, unknown[][]> = {};
    for (const contract of config.datasets) {
      const compute = EXPECTED_ANSWERS[contract.name];
      if (!compute) throw new Error(`no independent computation of the named queries of dataset ${contract.name}: add it next to its example (examples/index.ts EXPECTED_ANSWERS)`);
      Object.assign(expected, compute(parts.filter((p) => parseRawObjectKey(p.key).dataset === contract.name), now));
    }
    const answers = await answerWorkgroupQueries(trino, aws, lake.workgroup, expected);
    console.log(`\n  check: ${answers.length} named queries answered as computed from the ${invoices} invoices and ${orders} orders served`);
    const day = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    const bytesRead: Record<string, BytesRead> = {};
    for (const contract of config.datasets) {
      bytesRead[contract.name] = await compareBytesRead(trino, contract, day, lake.database);
      console.log(`  ${formatBytesRead(bytesRead[contract.name])}`);
    }
    writeFileSync(join(WORK, 'summary.json'), JSON.stringify({ served, manifests: manifests.length, runs, reports, answers, bytesRead, seconds: secondsSinceStart() }, null, 2));
    console.log(`\n[${elapsed()}] demo complete; artefacts in ${WORK}`);
    if (values.keep) {
      writeFileSync(LAKE_STATE, JSON.stringify({ trino: trino.endpoint, database: lake.database, workgroup: lake.workgroup, moto: aws.endpoint }, null, 2));
      console.log(`moto at ${aws.endpoint}, demo API at ${api.url}, Trino at ${trino.endpoint} (tools/lake query "SQL"); Ctrl-C to stop`);
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
    }
  } finally {
    await sparkPackages.settled();
    for (const client of [s3, secrets]) client.destroy();
    await api.close();
    await tls?.stop();
    rmSync(LAKE_STATE, { force: true });
    await stopLocalServices(services);
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main().catch((e) => {
  console.error(`\ndemo failed after ${elapsed()}: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
