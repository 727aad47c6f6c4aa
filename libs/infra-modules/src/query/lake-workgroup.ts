import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { NamedQuery } from '@nfe-lake/lake-core';
import { Construct } from 'constructs';
import { IGlueDatabase } from '../catalog/lake-database';
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


/**
 * An Athena workgroup on engine v3 with its settings enforced on every client: KMS-encrypted
 * results in the lake's results bucket, a per-query bytes-scanned cutoff and CloudWatch metrics.
 */
export class LakeWorkgroup extends Construct {
  readonly resource: AthenaWorkgroup;
  readonly workgroupName: string;
  readonly namedQueries: AthenaNamedQuery[] = [];

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
  }

  addNamedQuery(database: IGlueDatabase, query: NamedQuery): AthenaNamedQuery {
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
