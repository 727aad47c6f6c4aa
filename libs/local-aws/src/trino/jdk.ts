import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { LocalAwsError } from '../moto';

/** Trino 476 refuses to start on a JVM older than this. */
export const TRINO_MIN_JAVA = 22;

export interface Jdk {
  readonly home: string;
  /** Feature version, e.g. 25. */
  readonly major: number;
  readonly version: string;
  readonly java: string;
}

/**
 * Where JDKs are looked for, in order: `JAVA_HOME`, the JDK of the `java` on PATH, then every
 * directory inside `/usr/lib/jvm` (`LAKE_JDK_SEARCH`, colon-separated, replaces that last list).
 */
export function jdkCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'java'))
    .find((file) => existsSync(file));
  const search = env.LAKE_JDK_SEARCH !== undefined ? env.LAKE_JDK_SEARCH.split(':').filter(Boolean) : ['/usr/lib/jvm'];
  const inSearch = search.flatMap((parent) => (existsSync(parent) ? readdirSync(parent).sort().map((name) => join(parent, name)) : []));
  const homes = [env.JAVA_HOME, onPath && dirname(dirname(realpathSync(onPath))), ...inSearch].filter((h): h is string => Boolean(h));
  return [...new Set(homes)];
}

/** The JDK at `home`, read from its `release` file (no JVM started), or undefined when it is not one. */
export function readJdk(home: string): Jdk | undefined {
  const java = join(home, 'bin', 'java');
  const release = join(home, 'release');
  if (!existsSync(java) || !existsSync(release)) return undefined;
  const version = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(release, 'utf8'))?.[1];
  const major = Number(version?.split(/[.+-]/)[0]);
  return version && Number.isInteger(major) ? { home, major, version, java } : undefined;
}

/** The newest JDK that can run Trino; throws naming what was found and what to install. */
export function findTrinoJdk(env: NodeJS.ProcessEnv = process.env): Jdk {
  const candidates = jdkCandidates(env);
  const jdks = candidates.map(readJdk).filter((j): j is Jdk => j !== undefined);
  const usable = jdks.filter((j) => j.major >= TRINO_MIN_JAVA).sort((a, b) => b.major - a.major);
  if (usable.length > 0) return usable[0];
  const seen = jdks.length ? jdks.map((j) => `${j.home} (${j.version})`).join(', ') : `none in ${candidates.join(', ') || 'JAVA_HOME, PATH or /usr/lib/jvm'}`;
  throw new LocalAwsError(
    `invalid JDK for Trino: got ${seen}; Trino 476 needs Java >= ${TRINO_MIN_JAVA}: install a JDK 25 (e.g. apt-get install temurin-25-jdk from the Adoptium repository) into /usr/lib/jvm or set JAVA_HOME to one`,
  );
}
