/**
 * The policy gate over checkov's JSON report: every failed check must be accepted by an entry of
 * the baseline for that check and resource; with `--strict`, every entry must accept something.
 *   tsx gate.ts <checkov-report.json> <baseline.yaml> [--strict]
 * Exit 0 when the gate passes, 1 when it does not, 2 on unusable input.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Acceptance {
  readonly check: string;
  readonly resources: readonly string[];
  readonly reason: string;
}

export interface Finding {
  readonly check_id: string;
  readonly resource: string;
  readonly file_path: string;
  readonly check_name: string;
}

export interface GateResult {
  readonly passed: number;
  readonly accepted: readonly Finding[];
  readonly rejected: readonly Finding[];
  /** Entries (check and pattern) that accepted no finding. */
  readonly unused: readonly string[];
}

const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

export function parseBaseline(text: string, where: string): Acceptance[] {
  const doc = parse(text) as { accepted?: unknown };
  if (!doc || !Array.isArray(doc.accepted)) throw new Error(`invalid baseline ${where}: got no "accepted" list; list the accepted findings under accepted:`);
  return doc.accepted.map((entry: Partial<Acceptance>, i: number) => {
    const bad = (what: string) => new Error(`invalid baseline ${where}: accepted[${i}].${what}: got ${JSON.stringify(entry[what as keyof Acceptance])}; give ${what === 'resources' ? 'a non-empty list of resource globs' : what === 'reason' ? 'why the check does not apply and what covers the risk' : 'a checkov check id'}`);
    if (typeof entry.check !== 'string' || !/^CKV2?_[A-Z]+_\d+$/.test(entry.check)) throw bad('check');
    if (!Array.isArray(entry.resources) || entry.resources.length === 0 || !entry.resources.every((r) => typeof r === 'string' && r)) throw bad('resources');
    if (typeof entry.reason !== 'string' || entry.reason.trim().length < 20) throw bad('reason');
    return { check: entry.check, resources: entry.resources, reason: entry.reason };
  });
}

/** The failed checks of a checkov JSON report (one framework: an object; several: a list). */
export function reportFindings(report: unknown): { passed: number; failed: Finding[] } {
  const runs = (Array.isArray(report) ? report : [report]) as { results?: { failed_checks?: Finding[] }; summary?: { passed?: number; parsing_errors?: number } }[];
  if (!runs.every((r) => r && r.results && r.summary)) throw new Error('invalid checkov report: got no results/summary; run checkov with -o json');
  const parsingErrors = runs.reduce((n, r) => n + (r.summary?.parsing_errors ?? 0), 0);
  if (parsingErrors) throw new Error(`invalid checkov report: got ${parsingErrors} parsing errors; the scanned Terraform JSON is not what checkov reads`);
  return { passed: runs.reduce((n, r) => n + (r.summary?.passed ?? 0), 0), failed: runs.flatMap((r) => r.results?.failed_checks ?? []) };
}

export function gate(report: unknown, baseline: readonly Acceptance[]): GateResult {
  const { passed, failed } = reportFindings(report);
  const used = new Set<string>();
  const accepted: Finding[] = [];
  const rejected: Finding[] = [];
  for (const finding of failed) {
    const by = baseline.flatMap((a) => (a.check === finding.check_id ? a.resources.filter((r) => glob(r).test(finding.resource)).map((r) => `${a.check} ${r}`) : []));
    by.forEach((k) => used.add(k));
    (by.length ? accepted : rejected).push(finding);
  }
  const unused = baseline.flatMap((a) => a.resources.map((r) => `${a.check} ${r}`)).filter((k) => !used.has(k));
  return { passed, accepted, rejected, unused };
}

function main(argv: string[]): number {
  const [reportPath, baselinePath, ...flags] = argv;
  if (!reportPath || !baselinePath || flags.some((f) => f !== '--strict')) {
    console.error('usage: gate.ts <checkov-report.json> <baseline.yaml> [--strict]');
    return 2;
  }
  let result: GateResult;
  try {
    result = gate(JSON.parse(readFileSync(reportPath, 'utf8')), parseBaseline(readFileSync(baselinePath, 'utf8'), baselinePath));
  } catch (e) {
    console.error(`checkov gate: ${(e as Error).message}`);
    return 2;
  }
  const strict = flags.includes('--strict');
  console.log(`checkov gate: ${result.passed} passed, ${result.accepted.length + result.rejected.length} failed: ${result.accepted.length} accepted by the baseline, ${result.rejected.length} not`);
  for (const f of result.rejected) console.log(`  NOT ACCEPTED ${f.check_id} ${f.resource} (${f.file_path}): ${f.check_name}`);
  if (strict) for (const u of result.unused) console.log(`  STALE baseline entry ${u}: accepts no finding; remove it`);
  return result.rejected.length || (strict && result.unused.length) ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
