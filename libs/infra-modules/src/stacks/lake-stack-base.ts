import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LakeConfig } from '@nfe-lake/lake-core';
import { ISynthesisSession, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { copyFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { ALLOW_DATA_DESTRUCTION_CONTEXT } from '../common/removal-policy';

const LOCAL_SERVICES = ['athena', 'cloudwatch', 'emr', 'events', 'glue', 'iam', 'kms', 'lambda', 'logs', 'redshift', 'redshiftdata', 's3', 'scheduler', 'secretsmanager', 'sns', 'sqs', 'ssm', 'sts'] as const;

/**
 * The committed provider lock (hashicorp/aws from the offline mirror). Written beside every stack's
 * cdk.tf.json, so `cdktf diff/deploy` find the provider locked and never run `terraform providers
 * lock`, which would ask the public registry.
 */
export const PROVIDER_LOCK_FILE = resolve(__dirname, '..', '..', '.terraform.lock.hcl');

/** `nfe-dev`: the prefix of every account-wide name of an environment. */
export const namePrefix = (config: LakeConfig) => `${config.project}-${config.environment}`;

/**
 * A stack of one lake environment: the AWS provider for its region (every API sent to moto server
 * for the `local` environment) and its state backend (S3 with native locking, or local files).
 */
export abstract class LakeStackBase extends TerraformStack {
  readonly config: LakeConfig;
  readonly namePrefix: string;
  /** Deployed to moto server (the `local` environment), which cannot hold a few settings. */
  readonly onMoto: boolean;

  protected constructor(scope: Construct, id: string, config: LakeConfig) {
    super(scope, id);
    // the config's global opt-in, where the data constructs look for it (before any child is added)
    if (config.allowDataDestruction) this.node.setContext(ALLOW_DATA_DESTRUCTION_CONTEXT, true);
    this.config = config;
    this.namePrefix = namePrefix(config);
    const local = config.localEndpoint;
    this.onMoto = local !== undefined;
    new AwsProvider(this, 'aws', {
      region: config.region,
      ...(local && {
        endpoints: [Object.fromEntries(LOCAL_SERVICES.map((s) => [s, local]))],
        maxRetries: 1,
        // the account id is still requested (moto's STS answers): Athena ARNs need it
        skipCredentialsValidation: true,
        skipMetadataApiCheck: 'true',
        skipRegionValidation: true,
        s3UsePathStyle: true,
      }),
    });
    if (config.backend.type === 's3') {
      const backend = new S3Backend(this, {
        bucket: config.backend.bucket,
        key: `${config.backend.keyPrefix}/${config.environment}/${id}.tfstate`,
        region: config.backend.region ?? config.region,
        encrypt: true,
      });
      // S3-native state locking (Terraform >= 1.10), no DynamoDB table to run
      backend.addOverride('use_lockfile', true);
    } else {
      // `<outdir>/../terraform-state`, relative to the stack's directory (`<outdir>/stacks/<id>`, where
      // terraform runs), so a synth made in one checkout never points into another; survives re-synth
      new LocalBackend(this, { path: posix.join('..', '..', '..', 'terraform-state', `${id}.tfstate`) });
    }
    const synthesizer = this.synthesizer;
    this.synthesizer = {
      synthesize: (session: ISynthesisSession) => {
        synthesizer.synthesize(session);
        copyFileSync(PROVIDER_LOCK_FILE, join(session.outdir, session.manifest.forStack(this).workingDirectory, '.terraform.lock.hcl'));
      },
    };
  }
}
