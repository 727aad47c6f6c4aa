import { AthenaClient, BatchGetNamedQueryCommand, ListNamedQueriesCommand, NamedQuery } from '@aws-sdk/client-athena';
import { LocalAwsError } from '../moto';
import { TrinoResult } from './client';
import { LocalTrino } from './server';

export interface NamedQueryAnswer {
  readonly name: string;
  readonly database: string;
  readonly sql: string;
  readonly result: TrinoResult;
}

/** Every named query stored in an Athena workgroup (as deployed: read back from the API), sorted by name. */
export async function workgroupNamedQueries(athena: AthenaClient, workgroup: string): Promise<NamedQuery[]> {
  const ids: string[] = [];
  let next: string | undefined;
  do {
    const page = await athena.send(new ListNamedQueriesCommand({ WorkGroup: workgroup, NextToken: next }));
    ids.push(...(page.NamedQueryIds ?? []));
    next = page.NextToken;
  } while (next);
  const queries: NamedQuery[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const batch = await athena.send(new BatchGetNamedQueryCommand({ NamedQueryIds: ids.slice(i, i + 50) }));
    if (batch.UnprocessedNamedQueryIds?.length) throw new LocalAwsError(`athena could not return named queries ${JSON.stringify(batch.UnprocessedNamedQueryIds)} of workgroup ${workgroup}`);
    queries.push(...(batch.NamedQueries ?? []));
  }
  return queries.sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
}

/**
 * Answers every named query of the workgroup with Trino, each in its own database (Glue schema), as
 * Athena would run it. A query Trino rejects fails the whole call, naming the query.
 */
export async function answerNamedQueries(trino: Pick<LocalTrino, 'query'>, athena: AthenaClient, workgroup: string): Promise<NamedQueryAnswer[]> {
  const answers: NamedQueryAnswer[] = [];
  for (const q of await workgroupNamedQueries(athena, workgroup)) {
    const [name, database, sql] = [q.Name ?? '', q.Database ?? '', q.QueryString ?? ''];
    try {
      answers.push({ name, database, sql, result: await trino.query(sql, { schema: database }) });
    } catch (e) {
      throw new LocalAwsError(`named query "${name}" of workgroup ${workgroup} failed: ${(e as Error).message}`);
    }
  }
  return answers;
}
