import { LakeConfig } from '@nfe-lake/lake-core';
import { Construct } from 'constructs';
import { AccountBaseline } from '../account/account-baseline';
import { LakeStack } from './lake-stack';
import { LakeStackBase } from './lake-stack-base';

export interface AccountBaselineStackProps {
  readonly config: LakeConfig;
  /** The environment whose lake key encrypts the account's Glue Data Catalog. */
  readonly lake: LakeStack;
  /**
   * Encrypt the account's Glue Data Catalog with the lake key.
   * @default true - except on moto, which answers PutDataCatalogEncryptionSettings but stores nothing
   */
  readonly encryptCatalog?: boolean;
}

/**
 * The account-wide settings (`AccountBaseline`) in a stack of their own, deployed by the one environment that
 * owns them (`accountBaseline: true` in its config): destroying or redeploying any other stack leaves them be.
 */
export class AccountBaselineStack extends LakeStackBase {
  readonly baseline: AccountBaseline;

  constructor(scope: Construct, id: string, props: AccountBaselineStackProps) {
    super(scope, id, props.config);
    const encryptCatalog = props.encryptCatalog ?? !this.onMoto;
    this.baseline = new AccountBaseline(this, 'Baseline', { catalogKey: encryptCatalog ? props.lake.storage.key : undefined });
  }
}
