import { GlueDataCatalogEncryptionSettings } from '@cdktf/provider-aws/lib/glue-data-catalog-encryption-settings';
import { Construct } from 'constructs';
import { ILakeKey } from '../storage/lake-key';

export interface CatalogEncryptionProps {
  readonly key: ILakeKey;
}

/**
 * Encrypts the account's Glue Data Catalog (metadata and connection passwords) with the lake key.
 * The setting is per account and region: one environment per account owns it.
 */
export class CatalogEncryption extends Construct {
  readonly resource: GlueDataCatalogEncryptionSettings;

  constructor(scope: Construct, id: string, props: CatalogEncryptionProps) {
    super(scope, id);
    this.resource = new GlueDataCatalogEncryptionSettings(this, 'Resource', {
      dataCatalogEncryptionSettings: {
        encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: props.key.keyArn },
        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: props.key.keyArn },
      },
    });
  }
}
