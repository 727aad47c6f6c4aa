import { Aspects, IAspect, TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';
import { InfraConfigError } from './validate';

/** What `terraform destroy` does to a data resource: `retain` refuses (`lifecycle.prevent_destroy`), `destroy` lets it go. */
export type RemovalPolicy = 'retain' | 'destroy';

/**
 * Context key of the app-wide opt-in to data destruction, the second of the two flags (the first is a
 * construct's `removalPolicy: 'destroy'`). Set by `new LakeApp({ allowDataDestruction: true })` or, for the
 * stacks `buildLakeStacks` makes, by the config's `allowDataDestruction`.
 */
export const ALLOW_DATA_DESTRUCTION_CONTEXT = '@nfe-lake/allowDataDestruction';

/** Puts `lifecycle.prevent_destroy` on every Terraform resource under the construct, added before synth or later. */
class PreventDestroy implements IAspect {
  visit(node: IConstruct): void {
    if (TerraformResource.isTerraformResource(node)) node.lifecycle = { ...node.lifecycle, preventDestroy: true };
  }
}

/**
 * Applies a data construct's removal policy to everything under it: `retain` (the default) makes a
 * `terraform destroy`, or a change that would replace a resource, fail naming the resource; `destroy`
 * needs the app-wide opt-in as well, or synth fails.
 * @returns whether the construct's resources are retained
 */
export function applyRemovalPolicy(scope: IConstruct, removalPolicy: RemovalPolicy = 'retain'): boolean {
  if (removalPolicy === 'destroy') {
    if (scope.node.tryGetContext(ALLOW_DATA_DESTRUCTION_CONTEXT) === true) return false;
    throw new InfraConfigError(
      `invalid removalPolicy of ${scope.node.path}: got "destroy"; destroying data needs the app-wide opt-in as well: ` +
        `new LakeApp({ allowDataDestruction: true }) (the context "${ALLOW_DATA_DESTRUCTION_CONTEXT}": true), or keep removalPolicy "retain"`,
    );
  }
  Aspects.of(scope).add(new PreventDestroy());
  return true;
}
