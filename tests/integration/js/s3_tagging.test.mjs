// S3 object tagging and UpdateObjectEncryption through the AWS SDK for JavaScript v3 (issue 15
// items 2 and 3): tags on PutObject and PutObjectTagging read back with GetObjectTagging and
// TagCount, AWS's tag limit error, tags of one version, the tagging directive of CopyObject;
// UpdateObjectEncryptionCommand moving an SSE-S3 object to SSE-KMS and then to another key,
// after which exactly the new key governs reads.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
  CopyObjectCommand, PutObjectTaggingCommand, GetObjectTaggingCommand,
  DeleteObjectTaggingCommand, PutBucketVersioningCommand, UpdateObjectEncryptionCommand,
} from '@aws-sdk/client-s3';
import { KMSClient, CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const tagsOf = async (s3, input) => Object.fromEntries(
  (await s3.send(new GetObjectTaggingCommand(input))).TagSet.map((t) => [t.Key, t.Value]));

describe('S3 object tagging and UpdateObjectEncryption with the JS SDK v3', () => {
  let server;
  let s3;
  let kms;
  before(async () => {
    server = await startServer();
    s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    kms = new KMSClient(clientConfig(server.endpoint));
  });
  after(async () => stopServer(server));

  it('stores, replaces and deletes object tags', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'js-tags' }));
    await s3.send(new PutObjectCommand({
      Bucket: 'js-tags', Key: 'k', Body: 'x', Tagging: 'team=data&stage=dev',
    }));
    assert.deepEqual(await tagsOf(s3, { Bucket: 'js-tags', Key: 'k' }),
      { team: 'data', stage: 'dev' });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'js-tags', Key: 'k' }));
    assert.equal(got.TagCount, 2);
    await s3.send(new PutObjectTaggingCommand({
      Bucket: 'js-tags', Key: 'k', Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] },
    }));
    assert.deepEqual(await tagsOf(s3, { Bucket: 'js-tags', Key: 'k' }), { only: 'one' });
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'js-tags', Key: 'k' }));
    assert.deepEqual(await tagsOf(s3, { Bucket: 'js-tags', Key: 'k' }), {});
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expectError(s3.send(new PutObjectTaggingCommand({
      Bucket: 'js-tags', Key: 'k', Tagging: { TagSet: eleven },
    })), 'BadRequest', 400);
    await expectError(s3.send(new PutObjectTaggingCommand({
      Bucket: 'js-tags', Key: 'k', Tagging: { TagSet: [{ Key: 'aws:x', Value: 'v' }] },
    })), 'InvalidTag', 400);
    await expectError(s3.send(new GetObjectTaggingCommand({ Bucket: 'js-tags', Key: 'nope' })),
      'NoSuchKey', 404);
  });

  it('tags versions and copies tags as the directive says', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'js-tags-ver' }));
    await s3.send(new PutBucketVersioningCommand({
      Bucket: 'js-tags-ver', VersioningConfiguration: { Status: 'Enabled' },
    }));
    const v1 = (await s3.send(new PutObjectCommand({
      Bucket: 'js-tags-ver', Key: 'k', Body: '1', Tagging: 'gen=1',
    }))).VersionId;
    await s3.send(new PutObjectCommand({ Bucket: 'js-tags-ver', Key: 'k', Body: '2', Tagging: 'gen=2' }));
    assert.deepEqual(await tagsOf(s3, { Bucket: 'js-tags-ver', Key: 'k', VersionId: v1 }),
      { gen: '1' });
    assert.deepEqual(await tagsOf(s3, { Bucket: 'js-tags-ver', Key: 'k' }), { gen: '2' });
    await s3.send(new CopyObjectCommand({
      Bucket: 'js-tags-ver', Key: 'kept', CopySource: `js-tags-ver/k?versionId=${v1}`,
    }));
    assert.deepEqual(await tagsOf(s3, { Bucket: 'js-tags-ver', Key: 'kept' }), { gen: '1' });
    await s3.send(new CopyObjectCommand({
      Bucket: 'js-tags-ver', Key: 'replaced', CopySource: 'js-tags-ver/k',
      TaggingDirective: 'REPLACE', Tagging: 'copy=new',
    }));
    assert.deepEqual(await tagsOf(s3, { Bucket: 'js-tags-ver', Key: 'replaced' }),
      { copy: 'new' });
  });

  it('moves an object to SSE-KMS and between keys without rewriting it', async () => {
    const keyA = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    const keyB = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    await s3.send(new CreateBucketCommand({ Bucket: 'js-uoe' }));
    await s3.send(new PutObjectCommand({ Bucket: 'js-uoe', Key: 'k', Body: 'secret body' }));
    const before = await s3.send(new HeadObjectCommand({ Bucket: 'js-uoe', Key: 'k' }));
    assert.equal(before.ServerSideEncryption, 'AES256');
    await s3.send(new UpdateObjectEncryptionCommand({
      Bucket: 'js-uoe', Key: 'k', ObjectEncryption: { SSEKMS: { KMSKeyArn: keyA } },
    }));
    let head = await s3.send(new HeadObjectCommand({ Bucket: 'js-uoe', Key: 'k' }));
    assert.equal(head.ServerSideEncryption, 'aws:kms');
    assert.equal(head.SSEKMSKeyId, keyA);
    assert.equal(head.ETag, before.ETag);
    await s3.send(new UpdateObjectEncryptionCommand({
      Bucket: 'js-uoe', Key: 'k',
      ObjectEncryption: { SSEKMS: { KMSKeyArn: keyB, BucketKeyEnabled: true } },
    }));
    head = await s3.send(new HeadObjectCommand({ Bucket: 'js-uoe', Key: 'k' }));
    assert.equal(head.SSEKMSKeyId, keyB);
    assert.equal(head.BucketKeyEnabled, true);
    await kms.send(new DisableKeyCommand({ KeyId: keyA }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'js-uoe', Key: 'k' }));
    assert.equal(await got.Body.transformToString(), 'secret body');
    await kms.send(new DisableKeyCommand({ KeyId: keyB }));
    await expectError(s3.send(new GetObjectCommand({ Bucket: 'js-uoe', Key: 'k' })),
      'KMS.DisabledException', 400);
    await expectError(s3.send(new UpdateObjectEncryptionCommand({
      Bucket: 'js-uoe', Key: 'k',
      ObjectEncryption: { SSEKMS: { KMSKeyArn: keyA.replace(/:\d{12}:/, ':111122223333:') } },
    })), 'AccessDenied', 403);
  });
});
