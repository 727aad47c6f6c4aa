import { LakeConfig } from '@nfe-lake/lake-core';
import { App, Aspects } from 'cdktf';
import { join } from 'node:path';
import { EncryptionGuard, LakeTags, NamingGuard } from '../aspects';
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
}

/** Every stack of one environment, `<project>-<env>-<concern>`, with the lake's Aspects applied once. */
export function buildLakeStacks(app: App, config: LakeConfig, artefacts: LakeArtefacts): LakeStacks {
  const prefix = namePrefix(config);
  const lake = new LakeStack(app, `${prefix}-lake`, { config, allowDataDestruction: config.localEndpoint !== undefined });
  const common = { config, lake };
  const stacks: LakeStacks = {
    lake,
    ingestion: new IngestionStack(app, `${prefix}-ingestion`, { ...common, collectorCodeDirectory: artefacts.collectorCodeDirectory }),
    processing: new ProcessingStack(app, `${prefix}-processing`, { ...common, ...artefacts }),
    query: new QueryStack(app, `${prefix}-query`, common),
    warehouse: config.warehouse.enabled
      ? new WarehouseStack(app, `${prefix}-warehouse`, { ...common, target: config.warehouse.target, externalSchemaName: config.warehouse.externalSchemaName })
      : undefined,
  };
  const aspects = [
    new LakeTags({ project: config.project, environment: config.environment, 'managed-by': 'cdktf', ...config.tags }),
    new NamingGuard(prefix),
    new EncryptionGuard(),
  ];
  // cdktf invokes aspects from each stack down, so app-level aspects would never run: add them per stack
  for (const stack of Object.values(stacks)) {
    if (stack) for (const aspect of aspects) Aspects.of(stack).add(aspect);
  }
  return stacks;
}
