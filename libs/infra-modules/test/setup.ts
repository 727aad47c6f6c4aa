import { Testing } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';
import { ensureTerraformCliConfig } from '@nfe-lake/local-aws';

Testing.setupJest();
ensureTerraformCliConfig();
