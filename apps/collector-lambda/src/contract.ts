import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ConfigError, ContractError, parseExportedContract, RecordContract } from '@nfe-lake/lake-core';
import { storageCall } from './errors';

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

/**
 * Loads the dataset's exported contract (`s3://<artefacts>/contracts/<dataset>.contract.json`, which
 * the lake stack deploys from the contract): the collector validates records and keys pages with it.
 */
export function s3ContractLoader(s3: S3Client, uri: string): () => Promise<RecordContract> {
  const m = S3_URI.exec(uri);
  if (!m) throw new ConfigError('CONTRACT_URI', [{ path: 'CONTRACT_URI', value: uri, expected: 'an s3://<bucket>/<key> URI of an exported contract' }]);
  const [, bucket, key] = m;
  return async () => {
    const object = await storageCall('GetObject', uri, () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    const text = await object.Body?.transformToString();
    if (text === undefined) throw new ContractError(uri, [{ path: '(file)', value: undefined, expected: 'an object with a body' }]);
    return parseExportedContract(text, uri);
  };
}
