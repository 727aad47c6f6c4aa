import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdktf';
import { buildLakeStacks, namePrefix, workspaceArtefacts } from '@nfe-lake/infra-modules';
import { LakeConfig } from '@nfe-lake/lake-core';
import { ensureTerraformCliConfig, LocalAws } from '@nfe-lake/local-aws';
import { exec, ROOT } from './exec';

/** What the applied lake is called, read from the stacks' Terraform outputs (not rebuilt from naming rules). */
export interface AppliedLake {
  readonly buckets: { readonly raw: string; readonly curated: string; readonly artefacts: string };
  readonly database: string;
  readonly workgroup: string;
}

/**
 * cdktf synth of the config's stacks (with the lake's aspects, as `LakeApp` applies them) into `<work>/cdktf.out`,
 * then `terraform apply` of the lake stack and, side by side, the compute stacks (they depend only on the lake
 * stack), against the local AWS.
 */
export async function synthAndApply(config: LakeConfig, work: string, aws: LocalAws): Promise<AppliedLake> {
  const app = new App({ outdir: join(work, 'cdktf.out') });
  buildLakeStacks(app, config, workspaceArtefacts(ROOT));
  app.synth();
  // always the offline provider mirror's CLI config: an inherited TF_CLI_CONFIG_FILE may point anywhere
  const tfEnv = { ...aws.env, TF_IN_AUTOMATION: '1', TF_DATA_DIR: undefined, TF_CLI_CONFIG_FILE: ensureTerraformCliConfig() };
  const prefix = namePrefix(config);
  const stacks = ['lake', 'ingestion', 'processing', 'query'].map((concern) => `${prefix}-${concern}`);
  const dir = (stack: string) => join(work, 'cdktf.out', 'stacks', stack);
  // each stack is initialised once, all at the start: the compute stacks' inits overlap the lake stack's apply
  const inits = new Map(stacks.map((stack) => [stack, exec('terraform', ['init', '-input=false', '-no-color'], { cwd: dir(stack), env: tfEnv, prefix: '', quiet: true })]));
  for (const init of inits.values()) init.catch(() => undefined);
  const terraform = async (stack: string, ...args: string[]) => {
    await inits.get(stack);
    return exec('terraform', [...args, '-no-color'], { cwd: dir(stack), env: tfEnv, prefix: `[${stack}]`, quiet: true });
  };
  const apply = async (concern: string) => {
    const out = await terraform(`${prefix}-${concern}`, 'apply', '-auto-approve', '-input=false');
    // each resource's "Creation complete after Ns": where an apply's time goes
    writeFileSync(join(work, `terraform-apply-${prefix}-${concern}.log`), out);
    console.log(`  ${prefix}-${concern}: ${/Apply complete! Resources: [^\n]*/.exec(out)?.[0] ?? 'applied'}`);
  };
  try {
    await apply('lake');
    await Promise.all(['ingestion', 'processing', 'query'].map(apply));
  } finally {
    // no init is left running behind a failed apply
    await Promise.allSettled(inits.values());
  }
  const outputs = async (concern: string): Promise<Record<string, { value: string }>> => JSON.parse(await terraform(`${prefix}-${concern}`, 'output', '-json'));
  const [lake, query] = await Promise.all([outputs('lake'), outputs('query')]);
  const output = (from: Record<string, { value: string }>, name: string, stack: string) => {
    const value = from[name]?.value;
    if (typeof value !== 'string') throw new Error(`the ${prefix}-${stack} stack has no output ${name} (outputs: ${Object.keys(from).join(', ')})`);
    return value;
  };
  return {
    buckets: { raw: output(lake, 'raw_bucket', 'lake'), curated: output(lake, 'curated_bucket', 'lake'), artefacts: output(lake, 'artefacts_bucket', 'lake') },
    database: output(lake, 'glue_database', 'lake'),
    workgroup: output(query, 'athena_workgroup', 'query'),
  };
}
