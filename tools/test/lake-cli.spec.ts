import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEMO_OPTIONS } from '../demo-options';
import { RUN_OPTIONS } from '../run-options';
import { pathWithout } from './path-without';

const ROOT = join(__dirname, '../..');
// no node, npm or npx: any set-up step would fail, so an answer proves none ran
const PATH = pathWithout(['node', 'npm', 'npx', 'terraform', 'python3', 'java']);

function lake(...args: string[]) {
  return spawnSync('bash', [join(ROOT, 'tools/lake'), ...args], { cwd: ROOT, env: { ...process.env, PATH }, encoding: 'utf8', timeout: 60_000 });
}

describe('tools/lake', () => {
  it.each([['--help'], ['-h'], ['help']])('describes every command with %s, before any set-up', (flag) => {
    const run = lake(flag);
    expect(run.status).toBe(0);
    for (const command of ['demo', 'run', 'test', 'query', 'env', 'help']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('describes every option the demo parses', () => {
    const run = lake('demo', '--help');
    expect(run.status).toBe(0);
    for (const name of Object.keys(DEMO_OPTIONS)) expect(run.stdout).toMatch(new RegExp(`^  --${name}\\b`, 'm'));
  });

  it('describes every option the run parses', () => {
    const run = lake('run', '--help');
    expect(run.status).toBe(0);
    for (const name of Object.keys(RUN_OPTIONS)) expect(run.stdout).toMatch(new RegExp(`^  --${name}\\b`, 'm'));
  });

  it.each(['test', 'env', 'query'])('answers %s --help before any set-up', (command) => {
    const run = lake(command, '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`usage: tools/lake ${command}`);
  });

  it.each([
    [['nope'], /unknown command 'nope'/],
    [[], /usage: tools\/lake <command>/],
    [['test', '--fast'], /tools\/lake test: unknown option --fast/],
    [['demo', '--invoice', '5'], /tools\/lake demo: unknown option --invoice/],
    [['demo', '--invoices', 'many'], /invalid --invoices: got 'many'; give a positive integer/],
    [['demo', '--invoices'], /invalid --invoices: got ''/],
    [['run'], /tools\/lake run: invalid --config: got nothing; give your lake config/],
    [['run', '--config'], /tools\/lake run: invalid --config: got ''; give a file/],
    [['run', '--secrets', 's.json'], /tools\/lake run: invalid --config: got nothing/],
    [['run', '--config', 'lake.json', '--keep'], /tools\/lake run: unknown option --keep/],
    [['query'], /tools\/lake query: invalid SQL: got 0 statements; give one in quotes/],
    [['query', 'SELECT 1', 'SELECT 2'], /invalid SQL: got 2 statements/],
    [['query', '--csv', 'SELECT 1'], /tools\/lake query: unknown option --csv/],
  ])('rejects %j before any set-up, saying what is wrong', (args, message) => {
    const run = lake(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('query says how to bring a lake up when none is', () => {
    const run = spawnSync('bash', [join(ROOT, 'tools/lake'), 'query', 'SHOW TABLES'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/tools\/lake query: no lake is up \(.*\.lake\/demo\/lake\.json not found\); start one with tools\/lake demo --keep/);
  }, 150_000);
});
