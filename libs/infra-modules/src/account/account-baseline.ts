import { EmrBlockPublicAccessConfiguration } from '@cdktf/provider-aws/lib/emr-block-public-access-configuration';
import { Construct } from 'constructs';
import { CatalogEncryption } from '../catalog/catalog-encryption';
import { ILakeKey } from '../storage/lake-key';

export interface AccountBaselineProps {
  /** Encrypt the account's Glue Data Catalog with this key. @default - the catalog encryption is left as it is */
  readonly catalogKey?: ILakeKey;
}

/**
 * The settings that hold for a whole account and region, whichever lake environment runs there: EMR Block
 * Public Access with no port exceptions and, given a key, Glue Data Catalog encryption. Kept out of the
 * environment's stacks so a second environment, or a destroyed processing stack, cannot change them for everyone.
 */
export class AccountBaseline extends Construct {
  readonly emrBlockPublicAccess: EmrBlockPublicAccessConfiguration;
  readonly catalogEncryption?: CatalogEncryption;

  constructor(scope: Construct, id: string, props: AccountBaselineProps = {}) {
    super(scope, id);
    this.emrBlockPublicAccess = new EmrBlockPublicAccessConfiguration(this, 'EmrBlockPublicAccess', { blockPublicSecurityGroupRules: true });
    if (props.catalogKey) this.catalogEncryption = new CatalogEncryption(this, 'CatalogEncryption', { key: props.catalogKey });
  }
}
