import { LocalAws, LocalTrino, startLocalAws, startTrino } from '@nfe-lake/local-aws';
import { background, BackgroundStep } from './background';

export interface LocalServices {
  readonly aws: LocalAws;
  /** Trino starts (and is fetched once into the cache) while Terraform applies; await it before the queries. */
  readonly trino: BackgroundStep<LocalTrino>;
}

/**
 * moto server enforcing IAM (Terraform, the harness and Trino use its admin; each workload its own role's session),
 * and Trino starting beside it over moto's Glue and S3.
 */
export async function startLocalServices(): Promise<LocalServices> {
  const aws = await startLocalAws({ enforceIam: true });
  console.log(`  moto server at ${aws.endpoint}`);
  const trino = background('Trino (fetched and started beside the apply)', () => startTrino({ aws, log: (line) => console.log(`  [trino] ${line}`) }));
  return { aws, trino };
}

/** Stops Trino (if it started) and moto server. */
export async function stopLocalServices({ aws, trino }: LocalServices): Promise<void> {
  await (await trino.result().catch(() => undefined))?.stop();
  await aws.stop();
}
