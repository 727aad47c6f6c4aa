import { AthenaClient } from '@aws-sdk/client-athena';
import { answerNamedQueries, formatResult, LocalAws, LocalTrino, NamedQueryAnswer } from '@nfe-lake/local-aws';

/**
 * Every named query deployed to the workgroup (read back from moto's Athena), answered by Trino and printed.
 * With `expected` (answers computed independently, by query name), fails unless each answer equals its own.
 */
export async function answerWorkgroupQueries(trino: LocalTrino, aws: LocalAws, workgroup: string, expected?: Record<string, unknown[][]>): Promise<NamedQueryAnswer[]> {
  const athena = new AthenaClient(aws.clientConfig);
  const answers = await answerNamedQueries(trino, athena, workgroup).finally(() => athena.destroy());
  if (answers.length === 0) throw new Error(`the workgroup ${workgroup} holds no named queries: declare them in the contracts (namedQueries)`);
  const wrong: string[] = [];
  for (const answer of answers) {
    console.log(`\n  ${answer.name} (${answer.result.rows.length} rows, ${answer.result.stats.elapsedMs} ms, ${answer.result.stats.physicalInputBytes} bytes read)`);
    console.log(formatResult(answer.result, 12).replace(/^/gm, '  '));
    if (!expected) continue;
    if (!(answer.name in expected)) wrong.push(`${answer.name}: its dataset's independent computation gives no answer for it`);
    else if (JSON.stringify(answer.result.rows) !== JSON.stringify(expected[answer.name])) {
      wrong.push(`${answer.name}: Trino answered ${JSON.stringify(answer.result.rows).slice(0, 300)}, expected ${JSON.stringify(expected[answer.name]).slice(0, 300)}`);
    }
  }
  if (wrong.length) throw new Error(`named query answers differ from the independent computation:\n  ${wrong.join('\n  ')}`);
  return answers;
}
