// S3 objects through the AWS SDK for JavaScript v3 with its default settings: streamed bodies go
// as aws-chunked with a CRC32 trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER) even over HTTP;
// Buffer bodies carry a signed payload hash. Path-style addressing (forcePathStyle), since
// *.localhost may not resolve on every machine.

import { Readable } from 'node:stream';
import { randomBytes, createHash } from 'node:crypto';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

describe('S3 objects with the AWS SDK for JavaScript v3', () => {
  let server;
  let s3;
  before(async () => {
    server = await startServer();
    s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'js-objects' }));
  });
  after(async () => { await stopServer(server); });

  it('streams an aws-chunked body with a CRC32 trailer and reads it back', async () => {
    const body = randomBytes(300 * 1024);
    const put = await s3.send(new PutObjectCommand({
      Bucket: 'js-objects', Key: 'streamed.bin', Body: Readable.from([body.subarray(0, 100000),
        body.subarray(100000)]), ContentLength: body.length,
    }));
    assert.equal(put.ServerSideEncryption, 'AES256');
    assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'js-objects', Key: 'streamed.bin' }));
    assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), body);
  });

  it('writes SSE-KMS with a Buffer body and reports the key ARN', async () => {
    const kms = new KMSClient(clientConfig(server.endpoint));
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    const put = await s3.send(new PutObjectCommand({
      Bucket: 'js-objects', Key: 'kms.txt', Body: Buffer.from('kms body'),
      ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key,
    }));
    assert.equal(put.SSEKMSKeyId, key);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'js-objects', Key: 'kms.txt' }));
    assert.equal(head.ServerSideEncryption, 'aws:kms');
    assert.equal(head.ContentLength, 8);
    await expectError(s3.send(new GetObjectCommand({ Bucket: 'js-objects', Key: 'missing' })),
      'NoSuchKey', 404);
  });
});
