import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { Construct } from 'constructs';
import { IGlueDatabase } from '../catalog/lake-database';
import { AwsEnv } from '../common/aws-env';
import { check } from '../common/validate';
import { ILakeBucket } from '../storage/lake-bucket';

/** Athena's minimum per-query scan cutoff. */
const MIN_CUTOFF_BYTES = 10 * 1024 ** 2;

export interface LakeWorkgroupProps {
  readonly workgroupName: string;
  /** Query results land here, SSE-KMS with the bucket's key (its lifecycle expires them). */
  readonly resultsBucket: ILakeBucket;
  /** Queries scanning more are cancelled (cost guard). @default 10 GiB */
  readonly bytesScannedCutoffPerQuery?: number;
}

export interface NamedQuerySpec {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

export interface ILakeWorkgroup {
  readonly workgroupName: string;
  readonly workgroupArn: string;
  /** Saves `query` in this workgroup, run against `database`. */
  addNamedQuery(database: IGlueDatabase, query: NamedQuerySpec): AthenaNamedQuery;
}

/** A workgroup someone else owns (e.g. the query stack's, seen from another team's stack). */
export interface LakeWorkgroupAttributes {
  readonly workgroupName: string;
}

const WORKGROUP_NAME = /^[a-zA-Z0-9._-]{1,128}$/;

/** Named queries, the same for a workgroup this stack creates and one it imports. */
abstract class WorkgroupBase extends Construct implements ILakeWorkgroup {
  abstract readonly workgroupName: string;
  abstract readonly workgroupArn: string;
  readonly namedQueries: AthenaNamedQuery[] = [];

  addNamedQuery(database: IGlueDatabase, query: NamedQuerySpec): AthenaNamedQuery {
    const named = new AthenaNamedQuery(this, query.name, {
      name: query.name,
      description: query.description,
      database: database.databaseName,
      workgroup: this.workgroupName,
      query: query.sql,
    });
    this.namedQueries.push(named);
    return named;
  }
}

/**
 * An Athena workgroup on engine v3 with its settings enforced on every client: KMS-encrypted
 * results in the lake's results bucket, a per-query bytes-scanned cutoff and CloudWatch metrics.
 */
export class LakeWorkgroup extends WorkgroupBase {
  /** A workgroup this stack does not manage, by name: named queries in it, no resource. */
  static fromWorkgroupAttributes(scope: Construct, id: string, attrs: LakeWorkgroupAttributes): ILakeWorkgroup {
    const workgroupName = check('workgroupName', attrs.workgroupName, (n) => WORKGROUP_NAME.test(n), 'use an Athena workgroup name (1-128 letters, digits, ".", "_" and "-")');
    class Import extends WorkgroupBase {
      readonly workgroupName = workgroupName;
      readonly workgroupArn = AwsEnv.of(scope).arn('athena', `workgroup/${workgroupName}`);
    }
    return new Import(scope, id);
  }

  readonly resource: AthenaWorkgroup;
  readonly workgroupName: string;
  readonly workgroupArn: string;

  constructor(scope: Construct, id: string, props: LakeWorkgroupProps) {
    super(scope, id);
    const key = props.resultsBucket.key;
    if (!key) throw new Error(`results bucket of workgroup ${props.workgroupName} has no KMS key: Athena results must be SSE-KMS; pass a bucket created with a key`);
    const cutoff = check('bytesScannedCutoffPerQuery', props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3, (b) => Number.isInteger(b) && b >= MIN_CUTOFF_BYTES, `use at least ${MIN_CUTOFF_BYTES} bytes (10 MiB, the Athena minimum)`);
    this.resource = new AthenaWorkgroup(this, 'Resource', {
      name: props.workgroupName,
      state: 'ENABLED',
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: cutoff,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: props.resultsBucket.s3Uri(`${props.workgroupName}/`),
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKeyArn: key.keyArn },
        },
      },
    });
    this.workgroupName = this.resource.name;
    this.workgroupArn = this.resource.arn;
  }
}
