// SealStack through the AWS SDK for JavaScript v3 (node --test).
// Starts its own server on --port 0 --in-memory (binary from SEALSTACK_BIN, default
// <repo>/build/server/sealstack), waits for the Ready line with a deadline, and at the end
// requires a clean exit (code 0) on SIGTERM.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { KMSClient, ListKeysCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  S3Client, CreateBucketCommand, ListBucketsCommand, PutObjectCommand,
} from '@aws-sdk/client-s3';

import { startServer, stopServer, clientConfig, expectError, REGION } from './server.mjs';

const ROOT_ARN = 'arn:aws:iam::000000000000:root';

describe('sealstack with AWS SDK for JavaScript v3', () => {
  let server;

  before(async () => { server = await startServer(); });
  after(async () => {
    if (server) await stopServer(server);
  });

  it('STS GetCallerIdentity returns the root principal', async () => {
    const sts = new STSClient(clientConfig(server.endpoint));
    const out = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.Arn, ROOT_ARN);
    assert.equal(out.Account, '000000000000');
    assert.equal(out.UserId, '000000000000');
    // SDK v3 takes $metadata.requestId only from the x-amzn-RequestId header (not from the
    // XML body); real STS sends that header on every response.
    assert.ok(out.$metadata.requestId, 'no x-amzn-RequestId header');
  });

  it('STS GetCallerIdentity with a wrong secret is SignatureDoesNotMatch 403', async () => {
    const sts = new STSClient(clientConfig(server.endpoint, 'test', 'wrong'));
    await expectError(sts.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
  });

  it('STS GetCallerIdentity with an unknown key is InvalidClientTokenId 403', async () => {
    const sts = new STSClient(clientConfig(server.endpoint, 'AKIANOSUCHKEY0000000', 'test'));
    await expectError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
  });

  it('KMS DescribeKey of a missing alias is NotFoundException 400', async () => {
    const kms = new KMSClient(clientConfig(server.endpoint));
    await expectError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/no-such-alias' })),
      'NotFoundException', 400);
  });

  it('KMS ListKeys with a wrong secret is InvalidSignatureException 400', async () => {
    const kms = new KMSClient(clientConfig(server.endpoint, 'test', 'wrong'));
    await expectError(kms.send(new ListKeysCommand({})), 'InvalidSignatureException', 400);
  });

  it('KMS ListKeys with an unknown key is UnrecognizedClientException 400', async () => {
    const kms = new KMSClient(clientConfig(server.endpoint, 'AKIANOSUCHKEY0000000', 'test'));
    await expectError(kms.send(new ListKeysCommand({})), 'UnrecognizedClientException', 400);
  });

  it('S3 CreateBucket then ListBuckets lists it with the owner', async () => {
    const s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'js-listed-bucket' }));
    const out = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(out.Buckets.map((b) => b.Name), ['js-listed-bucket']);
    assert.match(out.Owner.ID, /^[0-9a-f]{64}$/);
    assert.ok(out.$metadata.extendedRequestId, 'no x-amz-id-2');
    await expectError(s3.send(new CreateBucketCommand({ Bucket: 'js-listed-bucket' })),
      'BucketAlreadyOwnedByYou', 409);
  });

  it('S3 PutObject to a missing bucket is NoSuchBucket 404', async () => {
    const s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    await expectError(s3.send(new PutObjectCommand({
      Bucket: 'sealstack-test', Key: 'dir/hello.txt', Body: 'hello world',
    })), 'NoSuchBucket', 404);
  });

  it('S3 ListBuckets with a wrong secret is SignatureDoesNotMatch 403', async () => {
    const s3 = new S3Client({ ...clientConfig(server.endpoint, 'test', 'wrong'), forcePathStyle: true });
    await expectError(s3.send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
  });
});
