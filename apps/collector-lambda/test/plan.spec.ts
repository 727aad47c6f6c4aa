import { parseSourceConfig } from '@nfe-lake/lake-core';
import { canClaim } from '../src/checkpoint/lease';
import { cursorBefore } from '../src/run/collector';
import { newCheckpoint, PlanError, planRun } from '../src/run/plan';

const source = (incremental?: object) =>
  parseSourceConfig({ name: 'api', dataset: 'nfe_invoice', baseUrl: 'https://x.example', path: '/i', pagination: { type: 'none' }, ...(incremental ? { incremental } : {}) });
const inc = { cursorField: 'issued_at', initialValue: '2026-01-01T00:00:00Z', windowSeconds: 3600, lagSeconds: 600 };

describe('planRun: incremental windows', () => {
  it('starts at initialValue and waits until the window end is older than the lag', () => {
    expect(planRun(source(inc), null, new Date('2026-01-01T01:09:59Z'))).toBeUndefined();
    expect(planRun(source(inc), null, new Date('2026-01-01T01:10:00Z'))).toEqual({
      ref: { source: 'api', dataset: 'nfe_invoice', ingestDate: '2026-01-01', runId: '20260101T000000Z-20260101T010000Z' },
      window: { start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T01:00:00.000Z' },
      highWaterMark: '2026-01-01T01:00:00.000Z',
    });
  });

  it('gives the same window whenever the schedule fires', () => {
    const a = planRun(source(inc), '2026-01-01T23:00:00.000Z', new Date('2026-01-02T00:10:00Z'));
    const b = planRun(source(inc), '2026-01-01T23:00:00.000Z', new Date('2026-03-01T07:42:13Z'));
    expect(a).toEqual(b);
    expect(a?.ref).toMatchObject({ ingestDate: '2026-01-01', runId: '20260101T230000Z-20260102T000000Z' });
  });

  it('re-reads lookbackSeconds before the high-water mark, and rejects a lookback that stops progress', () => {
    const withLookback = source({ ...inc, lookbackSeconds: 900 });
    expect(planRun(withLookback, '2026-01-01T01:00:00.000Z', new Date('2026-01-02T00:00:00Z'))?.window).toEqual({
      start: '2026-01-01T00:45:00.000Z',
      end: '2026-01-01T01:45:00.000Z',
    });
    expect(() => planRun(source({ ...inc, lookbackSeconds: 3600 }), '2026-01-01T01:00:00.000Z', new Date('2026-01-02T00:00:00Z'))).toThrow(PlanError);
  });
});

describe('planRun: snapshots', () => {
  it('plans one snapshot per scheduled time', () => {
    const at = new Date('2026-05-01T02:00:00Z');
    const plan = planRun(source(), null, at);
    expect(plan).toEqual({
      ref: { source: 'api', dataset: 'nfe_invoice', ingestDate: '2026-05-01', runId: 'snapshot-20260501T020000Z' },
      window: null,
      highWaterMark: '2026-05-01T02:00:00.000Z',
    });
    expect(planRun(source(), plan!.highWaterMark, at)).toBeUndefined();
  });
});

describe('canClaim', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  const cp = (over: object) => ({ ...newCheckpoint(source(inc), planRun(source(inc), null, new Date('2026-01-02T00:00:00Z'))!, now), seq: 5, ...over });

  it('lets the continuation carrying the current seq claim, whatever the lease', () => {
    expect(canClaim(cp({ leaseUntil: '2026-01-01T13:00:00Z' }), now, 5)).toBe(true);
    expect(canClaim(cp({ leaseUntil: '2026-01-01T13:00:00Z' }), now, 4)).toBe(false);
  });

  it('lets anyone take a running run whose lease expired, but never a completed one', () => {
    expect(canClaim(cp({ leaseUntil: '2026-01-01T11:59:59Z' }), now)).toBe(true);
    expect(canClaim(cp({ leaseUntil: '2026-01-01T11:59:59Z', status: 'complete' }), now, 5)).toBe(false);
  });

  it('resumes a failed run only through its dead-letter message', () => {
    expect(canClaim(cp({ leaseUntil: '2026-01-01T11:00:00Z', status: 'failed' }), now)).toBe(false);
    expect(canClaim(cp({ leaseUntil: '2026-01-01T11:00:00Z', status: 'failed' }), now, 5)).toBe(true);
  });
});

describe('cursorBefore', () => {
  it('orders numbers numerically, date-times by instant, anything else as text', () => {
    expect(cursorBefore('9', '10')).toBe(true);
    expect(cursorBefore('2026-01-01T01:00:00+01:00', '2026-01-01T00:30:00Z')).toBe(true);
    expect(cursorBefore('b', 'a')).toBe(false);
  });
});
