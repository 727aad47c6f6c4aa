/**
 * Serves the demo API (invoices and orders) in the foreground:
 *   npx nx run demo-api:serve -- --port 8080 --count 100000 [--api-key secret] [--host 127.0.0.1]
 */
import { parseArgs } from 'node:util';
import { startDemoApi } from './server';

async function main() {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8080' }, host: { type: 'string' }, count: { type: 'string', default: '10000' }, 'api-key': { type: 'string' } },
  });
  const count = Number(values.count);
  const port = Number(values.port);
  if (!Number.isInteger(count) || count < 0) throw new Error(`--count ${values.count}: expected a non-negative integer`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port}: expected 0..65535`);
  const api = await startDemoApi({ port, host: values.host, count, apiKey: values['api-key'] });
  console.log(`demo API on ${api.url} serving ${count} invoices and ${count} orders${values['api-key'] ? ' (API key required)' : ''}`);
  for (const dataset of ['invoices', 'orders']) {
    for (const route of ['/page_number/X?page=1&page_size=100', '/offset/X?offset=0&limit=100', '/cursor/X?limit=100', '/link_header/X?page=1&per_page=100', '/none/X']) {
      console.log(`  ${api.url}${route.replace('X', dataset)}`);
    }
  }
  console.log('  window: invoices &issued_since=<ISO>&issued_until=<ISO>, orders &ordered_since=&ordered_until= (half-open)');
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
