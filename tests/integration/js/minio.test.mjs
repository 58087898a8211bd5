// The MinIO JavaScript client (npm `minio`, pinned in package-lock.json) against SealStack: a tool
// nobody here wrote, used by applications that talk to "any S3". Issue 14: its SSE-C reads repeat
// the SSE-C options in the query string (getObject's getOpts go to both headers and query), which
// S3 ignores as unknown parameters; SealStack must too, and still enforce the key.

import { createHash, randomBytes } from 'node:crypto';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import * as Minio from 'minio';
import { S3Client, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';

import { startServer, stopServer, clientConfig } from './server.mjs';

function minioClient(endpoint) {
  const url = new URL(endpoint);
  return new Minio.Client({
    endPoint: url.hostname, port: Number(url.port), useSSL: false, pathStyle: true,
    accessKey: 'test', secretKey: 'test', region: 'us-east-1',
  });
}

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function sseC(key) {
  return {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
  };
}

describe('MinIO JS client', () => {
  let server;
  let mc;
  before(async () => {
    server = await startServer();
    mc = minioClient(server.endpoint);
    await mc.makeBucket('minio-bucket', 'us-east-1');
    // New buckets block SSE-C uploads (AWS's default since 2026); the MinIO client has no
    // BlockedEncryptionTypes, so the bucket owner unblocks it with the AWS SDK, as a user would.
    const s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    await s3.send(new PutBucketEncryptionCommand({
      Bucket: 'minio-bucket',
      ServerSideEncryptionConfiguration: {
        Rules: [{
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
          BlockedEncryptionTypes: { EncryptionType: ['NONE'] },
        }],
      },
    }));
  });
  after(async () => { await stopServer(server); });

  it('round-trips an SSE-C object; the options it repeats in the query string are ignored', async () => {
    const key = randomBytes(32);
    const opts = sseC(key);
    const body = randomBytes(70 * 1024);
    await mc.putObject('minio-bucket', 'secret.bin', body, body.length, {
      'X-Amz-Server-Side-Encryption-Customer-Algorithm': opts.SSECustomerAlgorithm,
      'X-Amz-Server-Side-Encryption-Customer-Key': opts.SSECustomerKey,
      'X-Amz-Server-Side-Encryption-Customer-Key-MD5': opts.SSECustomerKeyMD5,
    });
    const got = await readAll(await mc.getObject('minio-bucket', 'secret.bin', opts));
    assert.ok(got.equals(body), 'the object read back differs');
    const part = await readAll(await mc.getPartialObject('minio-bucket', 'secret.bin', 100, 50, opts));
    assert.ok(part.equals(body.subarray(100, 150)), 'the range read back differs');
  });

  it('still enforces the customer key: no key is 400 InvalidRequest, a wrong key 403 AccessDenied', async () => {
    const key = randomBytes(32);
    const body = Buffer.from('customer-keyed');
    const opts = sseC(key);
    await mc.putObject('minio-bucket', 'keyed.txt', body, body.length, {
      'X-Amz-Server-Side-Encryption-Customer-Algorithm': opts.SSECustomerAlgorithm,
      'X-Amz-Server-Side-Encryption-Customer-Key': opts.SSECustomerKey,
      'X-Amz-Server-Side-Encryption-Customer-Key-MD5': opts.SSECustomerKeyMD5,
    });
    await assert.rejects(mc.getObject('minio-bucket', 'keyed.txt'), (err) => {
      assert.equal(err.code, 'InvalidRequest');
      assert.match(err.message, /stored using a form of Server Side Encryption/);
      return true;
    });
    await assert.rejects(mc.getObject('minio-bucket', 'keyed.txt', sseC(randomBytes(32))), (err) => {
      assert.equal(err.code, 'AccessDenied');
      return true;
    });
  });

  it('writes SSE-KMS through the x-amz-server-side-encryption header and stats it', async () => {
    const body = Buffer.from('kms-protected');
    await mc.putObject('minio-bucket', 'kms.txt', body, body.length,
      { 'x-amz-server-side-encryption': 'aws:kms' });
    const stat = await mc.statObject('minio-bucket', 'kms.txt');
    assert.equal(stat.size, body.length);
    assert.equal(stat.metaData['x-amz-server-side-encryption'], 'aws:kms');
    assert.match(stat.metaData['x-amz-server-side-encryption-aws-kms-key-id'],
      /^arn:aws:kms:us-east-1:000000000000:key\//);
    const got = await readAll(await mc.getObject('minio-bucket', 'kms.txt'));
    assert.ok(got.equals(body));
  });
});
