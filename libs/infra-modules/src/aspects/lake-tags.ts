import { IAspect, TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';

interface Taggable {
  tags?: Record<string, string>;
  readonly tagsInput?: Record<string, string>;
}

const isTaggable = (node: IConstruct): node is TerraformResource & Taggable => node instanceof TerraformResource && 'tagsInput' in node;

/** Adds the lake's tags to every taggable resource; tags a construct set itself win. */
export class LakeTags implements IAspect {
  constructor(private readonly tags: Record<string, string>) {}

  visit(node: IConstruct): void {
    if (isTaggable(node)) node.tags = { ...this.tags, ...node.tagsInput };
  }
}
