import { col, ContractSpec, defineDataset, t } from '@nfe-lake/lake-core';

/** A team's own dataset, written outside lake-core: field sensor readings, flat, partitioned by the reading's day. */
export const readingsSpec: ContractSpec = {
  name: 'sensor_readings',
  version: 1,
  description: 'Temperature readings of field sensors.',
  columns: [
    col('sensor_id', t.string(), 'Sensor id.', { nullable: false, pattern: '^S[0-9]{4}$' }),
    col('read_at', t.timestamp(), 'When the sensor read the value (event time).', { nullable: false }),
    col('reading_date', t.date(), 'Day of the reading (business date).', { nullable: false }),
    col('celsius', t.double(), 'Temperature in degrees Celsius.', { min: -90, max: 70 }),
  ],
  primaryKey: ['sensor_id', 'read_at'],
  eventTimeField: 'read_at',
  businessDateField: 'reading_date',
};

export default defineDataset(readingsSpec);
