import {
  checkpointKey,
  jobReportKey,
  LayoutError,
  manifestKey,
  parseManifestKey,
  parseRawObjectKey,
  quarantinePrefix,
  rawObjectKey,
  tablePartitionPrefix,
  triggerMarkerKey,
  windowRunId,
} from '../src';

const run = { source: 'nfe-api', dataset: 'nfe_invoice', ingestDate: '2026-11-26', runId: '20261126T000000Z-20261127T000000Z' };

describe('S3 layout', () => {
  it('builds the raw part key and parses it back', () => {
    const key = rawObjectKey({ ...run, part: 42 });
    expect(key).toBe('nfe-api/nfe_invoice/ingest_date=2026-11-26/run=20261126T000000Z-20261127T000000Z.part-000042.jsonl.gz');
    expect(parseRawObjectKey(key)).toEqual({ ...run, part: 42 });
  });

  it('round-trips manifests and keeps control keys outside data prefixes', () => {
    const key = manifestKey(run);
    expect(key).toBe('_manifests/nfe-api/nfe_invoice/ingest_date=2026-11-26/run=20261126T000000Z-20261127T000000Z.json');
    expect(parseManifestKey(key)).toEqual(run);
    for (const k of [key, checkpointKey(run), triggerMarkerKey(run), quarantinePrefix('nfe_invoice', 'j1'), jobReportKey('nfe_invoice', 'j1')]) {
      expect(k.startsWith('_')).toBe(true);
    }
  });

  it('builds table partition prefixes', () => {
    expect(tablePartitionPrefix('nfe_invoice', 'invoices', 'dt', '2026-01-31')).toBe('nfe_invoice/invoices/dt=2026-01-31/');
  });

  it.each([
    ['not a key', 'not a raw object key: "a/b/c"'],
    ['nfe-api/nfe_invoice/ingest_date=2026-13-01/run=r.part-000001.jsonl.gz', 'invalid date "2026-13-01": not a calendar date'],
    ['Bad/nfe_invoice/ingest_date=2026-01-01/run=r.part-000001.jsonl.gz', 'invalid source "Bad"'],
  ])('rejects %s', (key, message) => {
    expect(() => parseRawObjectKey(key === 'not a key' ? 'a/b/c' : key)).toThrow(LayoutError);
    expect(() => parseRawObjectKey(key === 'not a key' ? 'a/b/c' : key)).toThrow(message);
  });

  it('rejects bad parts, run ids and manifest keys', () => {
    expect(() => rawObjectKey({ ...run, part: -1 })).toThrow('invalid part number -1');
    expect(() => rawObjectKey({ ...run, runId: 'a/b', part: 0 })).toThrow('invalid run id "a/b"');
    expect(() => parseManifestKey('_manifests/x.json')).toThrow('not a manifest key');
  });

  it('derives deterministic window run ids', () => {
    const id = windowRunId(new Date('2026-11-26T00:00:00Z'), new Date('2026-11-27T00:00:00Z'));
    expect(id).toBe('20261126T000000Z-20261127T000000Z');
    expect(() => windowRunId(new Date('2026-11-27T00:00:00Z'), new Date('2026-11-26T00:00:00Z'))).toThrow('must be after start');
  });
});
