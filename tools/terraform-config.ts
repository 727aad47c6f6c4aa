/**
 * Finds the hashicorp/aws provider mirror and writes the Terraform CLI config that uses only it.
 * Prints the config path (for TF_CLI_CONFIG_FILE); exits 1 with the reason when no mirror exists.
 */
import { ensureTerraformCliConfig } from '@nfe-lake/local-aws';

try {
  console.log(ensureTerraformCliConfig());
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
