import { EmrSecurityConfiguration } from '@cdktf/provider-aws/lib/emr-security-configuration';
import { Construct } from 'constructs';
import { ILakeBucket } from '../storage/lake-bucket';
import { ILakeKey } from '../storage/lake-key';

export interface EmrSecurityProps {
  readonly securityConfigurationName: string;
  readonly key: ILakeKey;
  /**
   * Where the in-transit TLS certificates (a PEM zip, see the EMR docs) live; the platform team
   * uploads them, the lake never generates private keys into Terraform state.
   */
  readonly certificatesBucket: ILakeBucket;
  /** @default 'emr/tls/certificates.zip' */
  readonly certificatesKey?: string;
}

/**
 * EMR security configuration: at-rest encryption of EMRFS S3 data (SSE-KMS), local disks and EBS
 * volumes (KMS), in-transit TLS, IMDSv2 only. EMR Block Public Access is account-wide: `AccountBaseline`.
 */
export class EmrSecurity extends Construct {
  readonly resource: EmrSecurityConfiguration;
  readonly securityConfigurationName: string;
  readonly certificatesUri: string;

  constructor(scope: Construct, id: string, props: EmrSecurityProps) {
    super(scope, id);
    this.certificatesUri = props.certificatesBucket.s3Uri(props.certificatesKey ?? 'emr/tls/certificates.zip');
    this.resource = new EmrSecurityConfiguration(this, 'Resource', {
      name: props.securityConfigurationName,
      configuration: JSON.stringify({
        EncryptionConfiguration: {
          EnableAtRestEncryption: true,
          EnableInTransitEncryption: true,
          AtRestEncryptionConfiguration: {
            S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: props.key.keyArn },
            LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: props.key.keyArn, EnableEbsEncryption: true },
          },
          InTransitEncryptionConfiguration: {
            TLSCertificateConfiguration: { CertificateProviderType: 'PEM', S3Object: this.certificatesUri },
          },
        },
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
      }),
    });
    this.securityConfigurationName = this.resource.name;
  }
}
