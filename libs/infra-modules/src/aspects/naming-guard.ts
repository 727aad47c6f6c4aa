import { IAspect, TerraformResource } from 'cdktf';
import { IConstruct } from 'constructs';

/** Account-wide names of each resource type and the part AWS prepends (e.g. `alias/`). */
const NAMED: Record<string, { attribute: string; strip?: string }> = {
  aws_s3_bucket: { attribute: 'bucketInput' },
  aws_kms_alias: { attribute: 'nameInput', strip: 'alias/' },
  aws_iam_role: { attribute: 'nameInput' },
  aws_iam_instance_profile: { attribute: 'nameInput' },
  aws_lambda_function: { attribute: 'functionNameInput' },
  aws_sqs_queue: { attribute: 'nameInput' },
  aws_cloudwatch_log_group: { attribute: 'nameInput', strip: '/aws/lambda/' },
  aws_cloudwatch_metric_alarm: { attribute: 'alarmNameInput' },
  aws_sns_topic: { attribute: 'nameInput' },
  aws_cloudwatch_event_rule: { attribute: 'nameInput' },
  aws_scheduler_schedule: { attribute: 'nameInput' },
  aws_athena_workgroup: { attribute: 'nameInput' },
  aws_glue_catalog_database: { attribute: 'nameInput' },
  aws_emr_security_configuration: { attribute: 'nameInput' },
  aws_emr_cluster: { attribute: 'nameInput' },
};

/**
 * Every account-wide name starts with the environment prefix (`nfe-dev-...`, or `nfe_dev_...` for
 * Glue), so two environments in one account never collide. Reports all offenders at synth.
 */
export class NamingGuard implements IAspect {
  constructor(private readonly prefix: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const spec = NAMED[node.terraformResourceType];
    if (!spec) return;
    const raw = (node as unknown as Record<string, unknown>)[spec.attribute];
    // a name computed entirely elsewhere (a token) is checked where it is built
    if (typeof raw !== 'string' || raw.startsWith('${TfToken[')) return;
    const name = spec.strip && raw.startsWith(spec.strip) ? raw.slice(spec.strip.length) : raw;
    const underscored = this.prefix.replace(/-/g, '_');
    if (!name.startsWith(`${this.prefix}-`) && !name.startsWith(`${underscored}_`)) {
      node.node.addValidation({
        validate: () => [`invalid name of ${node.terraformResourceType} ${node.node.path}: got ${JSON.stringify(raw)}; start it with "${this.prefix}-" (or "${underscored}_" for Glue)`],
      });
    }
  }
}
