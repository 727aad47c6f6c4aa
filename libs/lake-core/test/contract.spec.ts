import { col, glueColumns, hiveType, sparkSchema, t } from '../src';

describe('type mapping', () => {
  it.each([
    [t.string(), 'string', 'string'],
    [t.int(), 'int', 'integer'],
    [t.long(), 'bigint', 'long'],
    [t.double(), 'double', 'double'],
    [t.boolean(), 'boolean', 'boolean'],
    [t.date(), 'date', 'date'],
    [t.timestamp(), 'timestamp', 'timestamp'],
    [t.decimal(15, 2), 'decimal(15,2)', 'decimal(15,2)'],
  ])('%j -> hive %s, spark %s', (type, hive, spark) => {
    expect(hiveType(type)).toBe(hive);
    expect(sparkSchema([col('x', type, 'x')]).fields[0].type).toBe(spark);
  });

  it('maps nested arrays of structs', () => {
    const type = t.array(t.struct([col('a', t.int(), 'a', { nullable: false }), col('b', t.decimal(5, 1), 'b')]));
    expect(hiveType(type)).toBe('array<struct<a:int,b:decimal(5,1)>>');
    expect(sparkSchema([col('x', type, 'x', { nullable: false })]).fields[0]).toEqual({
      name: 'x',
      nullable: false,
      metadata: { comment: 'x' },
      type: {
        type: 'array',
        containsNull: false,
        elementType: {
          type: 'struct',
          fields: [
            { name: 'a', type: 'integer', nullable: false, metadata: { comment: 'a' } },
            { name: 'b', type: 'decimal(5,1)', nullable: true, metadata: { comment: 'b' } },
          ],
        },
      },
    });
  });

  it('rejects impossible decimals', () => {
    expect(() => t.decimal(0, 0)).toThrow('decimal precision must be an integer in 1..38, got 0');
    expect(() => t.decimal(10, 11)).toThrow('decimal scale must be an integer in 0..10, got 11');
  });
});

describe('glue comments', () => {
  it('truncates Glue comments to 255 characters', () => {
    const [c] = glueColumns([col('x', t.string(), 'y'.repeat(300))]);
    expect(c.comment).toHaveLength(255);
  });
});
