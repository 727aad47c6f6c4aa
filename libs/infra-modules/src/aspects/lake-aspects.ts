import { lakeConfigSchema } from '@nfe-lake/lake-core';
import { Aspects, TerraformStack } from 'cdktf';
import { check } from '../common/validate';
import { EncryptionGuard } from './encryption-guard';
import { LakeTags } from './lake-tags';
import { NamingGuard } from './naming-guard';

export interface LakeAspectsOptions {
  /** The project, first part of every account-wide name (`nfe`); the lake config's `project` rule applies. */
  readonly project: string;
  /** The environment, second part of every account-wide name (`dev`); the lake config's `environment` rule applies. */
  readonly environment: string;
  /**
   * Tags for every taggable resource, besides `project`, `environment` and `managed-by`; a construct's own tags win.
   * @default - only those three
   */
  readonly tags?: Record<string, string>;
}

/** The options each stack got its aspects with, so a second application can be told apart from a conflicting one. */
const applied = new WeakMap<TerraformStack, string>();

/** Fails unless the value passes the lake config's own rule for that field (one home for the naming rules). */
function checkName(field: 'project' | 'environment', value: string): void {
  const result = lakeConfigSchema.shape[field].safeParse(value);
  check(`lake ${field}`, value, () => result.success, result.error?.issues[0]?.message ?? '');
}

/** `<project>-<environment>`, the prefix every account-wide name must start with; fails on a bad project or environment. */
export function lakeNamePrefix(options: LakeAspectsOptions): string {
  checkName('project', options.project);
  checkName('environment', options.environment);
  return `${options.project}-${options.environment}`;
}

/**
 * Adds the lake's tags, naming guard (`<project>-<environment>-` prefix) and encryption guard to a stack.
 * cdktf invokes aspects from each stack downwards and never sees app-level ones, so they go on every stack;
 * `LakeApp` does this at synth for all of its stacks. Applying the same options twice is a no-op; other
 * options on the same stack are an error.
 */
export function applyLakeAspects(stack: TerraformStack, options: LakeAspectsOptions): void {
  const prefix = lakeNamePrefix(options);
  const given = { project: options.project, environment: options.environment, tags: options.tags ?? {} };
  const key = JSON.stringify(given);
  const previous = applied.get(stack);
  if (previous === key) return;
  check(`lake aspects of stack ${stack.node.path}`, given, () => previous === undefined, `the stack already has ${previous}: give each stack one project, environment and set of tags`);
  applied.set(stack, key);
  const { project, environment, tags } = options;
  Aspects.of(stack).add(new LakeTags({ project, environment, 'managed-by': 'cdktf', ...tags }));
  Aspects.of(stack).add(new NamingGuard(prefix));
  Aspects.of(stack).add(new EncryptionGuard());
}
