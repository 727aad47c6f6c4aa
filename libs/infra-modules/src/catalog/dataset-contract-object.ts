import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { DatasetContract, exportContract } from '@nfe-lake/lake-core';
import { Construct } from 'constructs';
import { IGrantable } from '../common/iam';
import { ILakeBucket } from '../storage/lake-bucket';
import { ILakeKey } from '../storage/lake-key';

/** A dataset's exported contract (format 2) that runtime consumers read: the collector and the Spark job. */
export interface IDatasetContractObject {
  readonly contract: DatasetContract;
  /** `s3://<bucket>/contracts/<dataset>.contract.json` */
  readonly uri: string;
  /** Read the object (and decrypt it). */
  grantRead(grantee: IGrantable): void;
}

export interface DatasetContractObjectProps {
  readonly contract: DatasetContract;
  /** The lake's artefacts bucket. */
  readonly bucket: ILakeBucket;
  /** Encrypts the object (SSE-KMS). */
  readonly key: ILakeKey;
}

/** Where a dataset's exported contract lives in the artefacts bucket. */
export const contractObjectKey = (dataset: string) => `contracts/${dataset}.contract.json`;

/**
 * The exported contract of one dataset as an S3 object, rendered at synth from the contract
 * itself (no export step before a deploy); a changed contract changes the object's content.
 */
export class DatasetContractObject extends Construct implements IDatasetContractObject {
  readonly resource: S3Object;
  readonly contract: DatasetContract;
  readonly uri: string;
  private readonly bucket: ILakeBucket;
  private readonly objectKey: string;

  constructor(scope: Construct, id: string, props: DatasetContractObjectProps) {
    super(scope, id);
    this.contract = props.contract;
    this.bucket = props.bucket;
    this.objectKey = contractObjectKey(props.contract.name);
    this.resource = new S3Object(this, 'Resource', {
      bucket: props.bucket.bucketName,
      key: this.objectKey,
      content: JSON.stringify(exportContract(props.contract)),
      contentType: 'application/json',
      serverSideEncryption: 'aws:kms',
      kmsKeyId: props.key.keyArn,
    });
    this.uri = props.bucket.s3Uri(this.objectKey);
  }

  grantRead(grantee: IGrantable): void {
    this.bucket.grantRead(grantee, this.objectKey);
  }
}
