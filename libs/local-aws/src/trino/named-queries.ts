import { AthenaClient, GetNamedQueryCommand, ListNamedQueriesCommand, NamedQuery } from '@aws-sdk/client-athena';
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
  // one GetNamedQuery each: moto 5.2.1 does not implement BatchGetNamedQuery
  const queries: NamedQuery[] = [];
  for (const id of ids) {
    const { NamedQuery: query } = await athena.send(new GetNamedQueryCommand({ NamedQueryId: id }));
    if (!query) throw new LocalAwsError(`athena returned no named query ${id} of workgroup ${workgroup}`);
    queries.push(query);
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
