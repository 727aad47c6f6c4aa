import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lakeConfigSchema } from '@nfe-lake/lake-core';
import { z } from 'zod';

const README = readFileSync(join(__dirname, '../../README.md'), 'utf8');

/** The zod schema at a dotted config path (`processing.tableFormat`), unwrapping defaults and optionals. */
function schemaAt(path: string): z.ZodType | undefined {
  let schema: z.ZodType | undefined = lakeConfigSchema;
  for (const key of path.split('.')) {
    while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = (schema as z.ZodDefault<z.ZodType>).unwrap();
    schema = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>)[key] : undefined;
  }
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = (schema as z.ZodDefault<z.ZodType>).unwrap();
  return schema;
}

describe('README choices table', () => {
  const rows = README.split('\n').filter((l) => /^\| .*\(`[a-zA-Z.]+`\) \|/.test(l));

  it('names config fields that exist', () => {
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) {
      const field = /\(`([a-zA-Z.]+)`\)/.exec(row)![1];
      if (field.startsWith('sources[]')) continue;
      expect({ field, exists: schemaAt(field) !== undefined }).toEqual({ field, exists: true });
    }
  });

  it('offers only values the config accepts for an enumerated choice', () => {
    const offered: Array<{ field: string; value: string; accepted: boolean }> = [];
    for (const row of rows) {
      const field = /\(`([a-zA-Z.]+)`\)/.exec(row)![1];
      const schema = schemaAt(field);
      if (!(schema instanceof z.ZodEnum)) continue;
      const values = [...row.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]);
      for (const value of values) offered.push({ field, value, accepted: (schema.options as string[]).includes(value) });
    }
    expect(offered.length).toBeGreaterThan(2);
    expect(offered.filter((o) => !o.accepted)).toEqual([]);
  });
});

describe('README quick start', () => {
  const section = README.split('\n## ').find((s) => s.startsWith('Quick start'))!;
  const commands = /```sh\n([\s\S]*?)```/
    .exec(section)![1]
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);

  it('has exactly two commands: the local lake and the whole suite', () => {
    expect(commands).toEqual(['tools/lake demo', 'tools/lake test']);
  });

  it('runs in CI the same test command it gives', () => {
    const ci = readFileSync(join(__dirname, '../../.ci/run'), 'utf8');
    expect(ci).toMatch(/^exec tools\/lake test$/m);
  });
});
