import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalAwsError } from './moto';

/**
 * An HTTPS front for moto. The AWS SDK for Java v1 (Hadoop's s3a) refuses to send requests
 * carrying KMS/SSE-C parameters over plain HTTP, which an s3a rename of a KMS-encrypted object
 * does; Spark therefore talks to moto through this proxy, with a throwaway self-signed
 * certificate and a Java truststore that holds the JDK's CAs plus that certificate.
 */
export interface TlsProxy {
  readonly endpoint: string;
  /** JKS truststore (JDK CAs + the proxy certificate) for `-Djavax.net.ssl.trustStore`. */
  readonly trustStore: string;
  readonly trustStorePassword: string;
  /** JVM options that make a JVM trust the proxy. */
  readonly javaOptions: string;
  stop(): Promise<void>;
}

const PASSWORD = 'changeit';

function jdkCacerts(): string {
  // the JVM prints its settings on stderr
  const settings = spawnSync('java', ['-XshowSettings:properties', '-version'], { encoding: 'utf8' }).stderr ?? '';
  const javaHome = /java\.home = (.+)/.exec(settings)?.[1]?.trim();
  const cacerts = javaHome ? join(javaHome, 'lib', 'security', 'cacerts') : '';
  if (!existsSync(cacerts)) throw new LocalAwsError(`cannot find the JDK's cacerts (java.home ${javaHome ?? 'unknown'})`);
  return cacerts;
}

function run(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new LocalAwsError(`${cmd} failed: ${err.stderr?.toString() || err.message}`);
  }
}

/** Starts an HTTPS proxy on a free loopback port in front of `targetEndpoint` (http://host:port). */
export async function startTlsProxy(targetEndpoint: string): Promise<TlsProxy> {
  const target = new URL(targetEndpoint);
  const dir = mkdtempSync(join(tmpdir(), 'lake-tls-'));
  const [key, cert, trustStore] = ['key.pem', 'cert.pem', 'truststore.jks'].map((f) => join(dir, f));
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  run('keytool', ['-importkeystore', '-noprompt', '-srckeystore', jdkCacerts(), '-srcstorepass', PASSWORD, '-destkeystore', trustStore, '-deststoretype', 'JKS', '-deststorepass', PASSWORD]);
  run('keytool', ['-importcert', '-noprompt', '-alias', 'lake-local-aws', '-file', cert, '-keystore', trustStore, '-storepass', PASSWORD]);

  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      res.writeHead(502);
      res.end(`local-aws tls proxy: ${e.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `https://127.0.0.1:${port}`,
    trustStore,
    trustStorePassword: PASSWORD,
    javaOptions: `-Djavax.net.ssl.trustStore=${trustStore} -Djavax.net.ssl.trustStorePassword=${PASSWORD}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
