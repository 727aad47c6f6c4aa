/**
 * Invokes a Lambda entry point in this process the way the Lambda runtime does: the function's
 * environment and its role's session credentials come in as environment variables (the caller
 * sets them), the event as JSON; prints the result as JSON on the last line.
 *
 *   tsx tools/invoke-lambda.ts <module exporting handler> '<event JSON>' [budget seconds, default 900]
 */
import { resolve } from 'node:path';

async function main(): Promise<void> {
  const [entry, eventText, budget = '900'] = process.argv.slice(2);
  if (!entry || !eventText) throw new Error('usage: invoke-lambda.ts <module exporting handler> <event JSON> [budget seconds]');
  const budgetMs = Number(budget) * 1000;
  if (!(budgetMs > 0)) throw new Error(`invalid budget seconds: got ${budget}; give a positive number`);
  const { handler } = (await import(resolve(entry))) as { handler?: (event: unknown, context: unknown) => Promise<unknown> };
  if (typeof handler !== 'function') throw new Error(`invalid entry: got ${entry}, which exports no handler; give the Lambda's entry module`);
  const deadline = Date.now() + budgetMs;
  const context = { getRemainingTimeInMillis: () => deadline - Date.now(), awsRequestId: `local-${process.pid}` };
  console.log(JSON.stringify(await handler(JSON.parse(eventText), context)));
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
main().catch((e) => {
  console.error(`${(e as Error).name}: ${(e as Error).message}`);
  process.exit(1);
});
