import { RedshiftdataStatement } from '@cdktf/provider-aws/lib/redshiftdata-statement';
import { WarehouseConfig } from '@nfe-lake/lake-core';
import { Construct } from 'constructs';
import { IGlueDatabase } from '../catalog/lake-database';
import { LakeRole } from '../common/iam';
import { check } from '../common/validate';
import { ILakeBucket } from '../storage/lake-bucket';

export type SpectrumTarget = Extract<WarehouseConfig, { enabled: true }>['target'];

export interface SpectrumSchemaProps {
  /** The existing Redshift cluster or Serverless workgroup (lake-core warehouse target). */
  readonly target: SpectrumTarget;
  readonly database: IGlueDatabase;
  /** Buckets the external tables read. */
  readonly buckets: readonly ILakeBucket[];
  readonly roleName: string;
  /** @default 'lake' */
  readonly externalSchemaName?: string;
}

/**
 * A Redshift Spectrum external schema over the lake's Glue database, created as code through the
 * Redshift Data API, with a role that reads only that database and the lake buckets. Associate
 * `role` with the cluster/namespace (its owner manages the full role list).
 */
export class SpectrumSchema extends Construct {
  readonly role: LakeRole;
  readonly resource: RedshiftdataStatement;

  constructor(scope: Construct, id: string, props: SpectrumSchemaProps) {
    super(scope, id);
    const schema = check('externalSchemaName', props.externalSchemaName ?? 'lake', (n) => /^[a-z_][a-z0-9_]*$/.test(n), 'use lowercase letters, digits and "_"');
    this.role = new LakeRole(this, 'Role', {
      roleName: props.roleName,
      assumedBy: ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com'],
      description: `Redshift Spectrum reads the lake through schema ${schema}`,
    });
    props.database.grantRead(this.role);
    for (const bucket of props.buckets) bucket.grantRead(this.role);

    const t = props.target;
    this.resource = new RedshiftdataStatement(this, 'Resource', {
      sql: `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${schema} FROM DATA CATALOG DATABASE '${props.database.databaseName}' IAM_ROLE '${this.role.roleArn}'`,
      database: t.database,
      ...(t.type === 'cluster' ? { clusterIdentifier: t.clusterIdentifier, dbUser: t.dbUser } : { workgroupName: t.workgroupName }),
      dependsOn: [this.role.resource, this.role.policy],
    });
  }
}
