import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { startLocalAws } from './moto';
import { startTlsProxy } from './tls-proxy';

function get(url: string, ca?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startTlsProxy', () => {
  it('serves moto over HTTPS with a certificate only its truststore trusts', async () => {
    const aws = await startLocalAws();
    const proxy = await startTlsProxy(aws.endpoint);
    try {
      await expect(get(`${proxy.endpoint}/moto-api/data.json`)).rejects.toThrow(/self[- ]signed/i);
      const pem = execFileSync('keytool', ['-exportcert', '-rfc', '-alias', 'lake-local-aws', '-keystore', proxy.trustStore, '-storepass', proxy.trustStorePassword]);
      expect(await get(`${proxy.endpoint}/moto-api/data.json`, pem)).toBe(200);
      // the truststore keeps the JDK's public CAs (Maven Central downloads still verify)
      const list = execFileSync('keytool', ['-list', '-keystore', proxy.trustStore, '-storepass', proxy.trustStorePassword], { encoding: 'utf8' });
      expect(Number(/contains (\d+) entries/.exec(list)?.[1])).toBeGreaterThan(50);
      expect(readFileSync(proxy.trustStore).length).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
      await aws.stop();
    }
  }, 60_000);
});
