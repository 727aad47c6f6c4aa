import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTrinoJdk, jdkCandidates } from './jdk';

/** A directory shaped like a JDK home: bin/java and a release file. */
function fakeJdk(parent: string, name: string, version: string): string {
  const home = join(parent, name);
  mkdirSync(join(home, 'bin'), { recursive: true });
  writeFileSync(join(home, 'bin', 'java'), '#!/bin/sh\n');
  chmodSync(join(home, 'bin', 'java'), 0o755);
  writeFileSync(join(home, 'release'), `IMPLEMENTOR="test"\nJAVA_VERSION="${version}"\n`);
  return home;
}

describe('findTrinoJdk', () => {
  const jvm = mkdtempSync(join(tmpdir(), 'jvm-'));
  const jdk17 = fakeJdk(jvm, 'java-17', '17.0.15');
  const jdk25 = fakeJdk(jvm, 'temurin-25', '25.0.3');
  const jdk22 = fakeJdk(jvm, 'java-22', '22.0.1');
  const env = (extra: NodeJS.ProcessEnv) => ({ PATH: '', ...extra });

  it('picks the newest JDK >= 22 among JAVA_HOME and the search directories', () => {
    expect(findTrinoJdk(env({ JAVA_HOME: jdk17, LAKE_JDK_SEARCH: jvm }))).toMatchObject({ home: jdk25, major: 25, version: '25.0.3', java: join(jdk25, 'bin', 'java') });
    expect(findTrinoJdk(env({ JAVA_HOME: jdk22, LAKE_JDK_SEARCH: '/nonexistent' })).home).toBe(jdk22);
  });

  it('looks at JAVA_HOME, then the java on PATH, then /usr/lib/jvm (LAKE_JDK_SEARCH replaces the last)', () => {
    // each home once, in search order
    expect(jdkCandidates(env({ JAVA_HOME: jdk25, PATH: join(jdk22, 'bin'), LAKE_JDK_SEARCH: jvm }))).toEqual([jdk25, jdk22, jdk17]);
  });

  it('names the JDKs it found and what to install when none is new enough', () => {
    expect(() => findTrinoJdk(env({ JAVA_HOME: jdk17, LAKE_JDK_SEARCH: '/nonexistent' }))).toThrow(
      `invalid JDK for Trino: got ${jdk17} (17.0.15); Trino 476 needs Java >= 22: install a JDK 25`,
    );
    expect(() => findTrinoJdk(env({ LAKE_JDK_SEARCH: '/nonexistent' }))).toThrow(/invalid JDK for Trino: got none in JAVA_HOME, PATH or \/usr\/lib\/jvm; .*set JAVA_HOME/);
  });
});
