import { LakeConfig } from '@nfe-lake/lake-core';
import { App, AppConfig, TerraformStack } from 'cdktf';
import { join } from 'node:path';
import { applyLakeAspects, LakeAspectsOptions, lakeNamePrefix } from '../aspects';
import { ALLOW_DATA_DESTRUCTION_CONTEXT } from '../common/removal-policy';
import { AccountBaselineStack } from './account-baseline-stack';
import { IngestionStack, ProcessingStack, QueryStack, WarehouseStack } from './compute-stacks';
import { LakeStack } from './lake-stack';
import { namePrefix } from './lake-stack-base';

export interface LakeArtefacts {
  readonly collectorCodeDirectory: string;
  readonly triggerCodeDirectory: string;
  readonly jobDirectory: string;
}

/** Where the Nx builds put the artefacts, relative to the workspace root. */
export function workspaceArtefacts(workspaceRoot: string): LakeArtefacts {
  return {
    collectorCodeDirectory: join(workspaceRoot, 'dist/apps/collector-lambda/bundle'),
    triggerCodeDirectory: join(workspaceRoot, 'dist/apps/emr-trigger/bundle'),
    jobDirectory: join(workspaceRoot, 'dist/jobs/spark'),
  };
}

export interface LakeStacks {
  readonly lake: LakeStack;
  readonly ingestion: IngestionStack;
  readonly processing: ProcessingStack;
  readonly query: QueryStack;
  readonly warehouse?: WarehouseStack;
  /** With `accountBaseline: true` (the default): the account-wide settings. */
  readonly account?: AccountBaselineStack;
}

/** Every stack of one environment, `<project>-<env>-<concern>`, with the lake's Aspects applied once. */
export function buildLakeStacks(app: App, config: LakeConfig, artefacts: LakeArtefacts): LakeStacks {
  const prefix = namePrefix(config);
  const lake = new LakeStack(app, `${prefix}-lake`, { config });
  const common = { config, lake };
  const stacks: LakeStacks = {
    lake,
    ingestion: new IngestionStack(app, `${prefix}-ingestion`, { ...common, collectorCodeDirectory: artefacts.collectorCodeDirectory }),
    processing: new ProcessingStack(app, `${prefix}-processing`, { ...common, ...artefacts }),
    query: new QueryStack(app, `${prefix}-query`, common),
    warehouse: config.warehouse.enabled
      ? new WarehouseStack(app, `${prefix}-warehouse`, { ...common, target: config.warehouse.target, externalSchemaName: config.warehouse.externalSchemaName })
      : undefined,
    account: config.accountBaseline ? new AccountBaselineStack(app, `${prefix}-account`, common) : undefined,
  };
  for (const stack of Object.values(stacks)) {
    if (stack) applyLakeAspects(stack, { project: config.project, environment: config.environment, tags: config.tags });
  }
  return stacks;
}

export interface LakeAppProps extends AppConfig, LakeAspectsOptions {
  /**
   * The app-wide opt-in to data destruction: the second flag a data construct's `removalPolicy: 'destroy'`
   * needs (sets the context `@nfe-lake/allowDataDestruction`).
   * @default false - every data construct is retained whatever its removalPolicy asks (synth fails on `destroy`)
   */
  readonly allowDataDestruction?: boolean;
}

/**
 * The entry point of a lake app: a cdktf `App` that, at synth, applies the lake's aspects (tags, naming guard,
 * encryption guard) to every stack in it, so a stack composed of lake constructs cannot go without them.
 *
 * @example
 * const app = new LakeApp({ project: 'shop', environment: 'dev', tags: { team: 'orders' } });
 * const stack = new TerraformStack(app, 'shop-dev-lake');
 * new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
 * const storage = new LakeStorage(stack, 'Storage', { namePrefix: app.namePrefix });
 * app.synth();
 */
export class LakeApp extends App {
  readonly aspectOptions: LakeAspectsOptions;
  /** `<project>-<environment>`: the prefix every account-wide name must start with. */
  readonly namePrefix: string;

  constructor(props: LakeAppProps) {
    const { project, environment, tags, allowDataDestruction, ...appConfig } = props;
    super(allowDataDestruction ? { ...appConfig, context: { ...appConfig.context, [ALLOW_DATA_DESTRUCTION_CONTEXT]: true } } : appConfig);
    this.aspectOptions = { project, environment, tags };
    this.namePrefix = lakeNamePrefix(this.aspectOptions);
  }

  override synth(): void {
    for (const stack of this.node.findAll().filter(TerraformStack.isStack)) applyLakeAspects(stack, this.aspectOptions);
    super.synth();
  }
}
