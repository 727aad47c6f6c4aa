import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Runs the workspace's nx as a user would, outside any Nx task this suite may run in. */
function nx(...args: string[]): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_')));
  return execFileSync(join(ROOT, 'node_modules/.bin/nx'), args, {
    cwd: ROOT,
    env: { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function affectedBy(file: string): string[] {
  return nx('show', 'projects', '--affected', `--files=${file}`).split('\n').filter(Boolean).sort();
}

interface TestTarget {
  cache?: boolean;
  inputs?: unknown[];
  metadata?: { description?: string };
}

interface ProjectGraph {
  nodes: Record<string, { data: { targets: Record<string, TestTarget> } }>;
  dependencies: Record<string, { target: string }[]>;
}

/** A project and every project that depends on it, directly or not. */
function withDependants(graph: ProjectGraph, project: string): string[] {
  const found = new Set([project]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [source, deps] of Object.entries(graph.dependencies)) {
      if (!found.has(source) && deps.some((d) => found.has(d.target))) {
        found.add(source);
        grew = true;
      }
    }
  }
  return [...found].sort();
}

let graph: ProjectGraph;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'nx-graph-'));
  try {
    nx('graph', `--file=${join(dir, 'graph.json')}`);
    graph = JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('nx affected', () => {
  it('re-runs only lake-core and its dependants for a lake-core change', () => {
    expect(affectedBy('libs/lake-core/src/index.ts')).toEqual(withDependants(graph, 'lake-core'));
    expect(affectedBy('libs/lake-core/src/index.ts')).not.toContain('local-aws');
  });

  it('re-runs only local-aws and its dependants for a local-aws change', () => {
    expect(affectedBy('libs/local-aws/src/index.ts')).toEqual(withDependants(graph, 'local-aws'));
  });

  it('re-runs the contract drift guard (examples), lake-core, infra-modules and spark for a hand edit of an exported contract', () => {
    expect(affectedBy('examples/contracts/nfe_invoice.contract.json')).toEqual(expect.arrayContaining(['examples', 'infra-modules', 'lake-core', 'spark']));
  });
});

describe('test caching', () => {
  const testTarget = (project: string) => graph.nodes[project].data.targets.test;

  it('caches every side-effect-free test; only tools (the machine toolchain) says why it is not', () => {
    const uncached = Object.keys(graph.nodes).filter((project) => !testTarget(project).cache);
    expect(uncached).toEqual(['tools']);
    expect(testTarget('tools').metadata?.description).toMatch(/Not cached: .*toolchain/);
  });

  it('hashes the example datasets into the tests that read them by path', () => {
    for (const project of ['lake-core', 'infra-modules']) expect(testTarget(project).inputs).toContain('exampleDatasets');
    expect(JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8')).namedInputs.exampleDatasets).toEqual(['{workspaceRoot}/examples/**/*', '!{workspaceRoot}/examples/test/**/*']);
  });
});

describe('nx affected -t build (what CI of our users runs)', () => {
  const ZIPS = { 'collector-lambda': 'dist/apps/collector-lambda/collector-lambda.zip', 'emr-trigger': 'dist/apps/emr-trigger/emr-trigger.zip' };

  it('builds every deployable artefact of a lake-core change: both Lambda packages, the Spark job, the npm packages and their API reference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-tasks-'));
    try {
      nx('affected', '-t', 'build', '--files=libs/lake-core/src/index.ts', `--graph=${join(dir, 'tasks.json')}`);
      const tasks = Object.keys(JSON.parse(readFileSync(join(dir, 'tasks.json'), 'utf8')).tasks.tasks);
      expect(tasks).toEqual(
        expect.arrayContaining(['collector-lambda:build', 'emr-trigger:build', 'spark:build', 'collector-lambda:bundle', 'emr-trigger:bundle', ...['lake-core', 'infra-modules'].flatMap((lib) => [`${lib}:build`, `${lib}:docs`])]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('packages the Spark job without building any other project first (the demo builds it on every clean clone)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nx-tasks-'));
    try {
      nx('run', 'spark:build', `--graph=${join(dir, 'tasks.json')}`);
      expect(Object.keys(JSON.parse(readFileSync(join(dir, 'tasks.json'), 'utf8')).tasks.tasks)).toEqual(['spark:build']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('zips each Lambda bundle in `build`', () => {
    for (const zip of Object.values(ZIPS)) rmSync(join(ROOT, zip), { force: true });
    nx('run-many', '-t', 'build', '-p', ...Object.keys(ZIPS), '--outputStyle=static');
    for (const zip of Object.values(ZIPS)) {
      expect(existsSync(join(ROOT, zip))).toBe(true);
      const entries = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', join(ROOT, zip)], { encoding: 'utf8' });
      expect(entries.split('\n')).toContain('index.js');
    }
  }, 600_000);
});
