/**
 * Validates NDJSON lines from stdin with lake-core's recordValidator and prints one JSON result per
 * line: the reference the Python validator is checked against (tests/test_validate.py).
 */
import { readFileSync } from 'node:fs';
import { formatIssues, recordValidator } from '@nfe-lake/lake-core';
import { nfeInvoice } from '@nfe-lake/examples';

const validate = recordValidator(nfeInvoice);
for (const line of readFileSync(0, 'utf8').split('\n')) {
  if (!line) continue;
  let result: { ok: boolean; reason?: string };
  try {
    const outcome = validate(JSON.parse(line));
    result = outcome.ok ? { ok: true } : { ok: false, reason: formatIssues(outcome.issues) };
  } catch (err) {
    result = { ok: false, reason: `$: malformed JSON: ${(err as Error).message}` };
  }
  console.log(JSON.stringify(result));
}
