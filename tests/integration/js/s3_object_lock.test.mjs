// S3 Object Lock through the AWS SDK for JavaScript v3 (issue 15 item 5): a bucket created with
// ObjectLockEnabledForBucket, a COMPLIANCE retention set on PutObject (the SDK adds its own
// checksum, which Object Lock writes require), GetObjectRetention, deletes of the version refused
// with AWS's message even with the governance bypass, a legal hold read back, and a GOVERNANCE
// retention that the root may bypass.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  S3Client, CreateBucketCommand, PutObjectCommand, HeadObjectCommand, DeleteObjectCommand,
  GetObjectRetentionCommand, PutObjectLegalHoldCommand, GetObjectLegalHoldCommand,
  GetBucketVersioningCommand,
} from '@aws-sdk/client-s3';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

describe('S3 Object Lock with the JS SDK v3', () => {
  let server;
  let s3;
  before(async () => {
    server = await startServer();
    s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
  });
  after(async () => stopServer(server));

  it('refuses to delete a locked version and lets the root bypass governance', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'js-lock', ObjectLockEnabledForBucket: true }));
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: 'js-lock' }));
    assert.equal(versioning.Status, 'Enabled');
    const until = new Date(Date.now() + 86400 * 1000);
    const put = await s3.send(new PutObjectCommand({
      Bucket: 'js-lock', Key: 'k', Body: 'locked', ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: until,
    }));
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket: 'js-lock', Key: 'k' }));
    assert.equal(retention.Retention.Mode, 'COMPLIANCE');
    assert.ok(Math.abs(retention.Retention.RetainUntilDate - until) < 1000);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'js-lock', Key: 'k' }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
    const err = await expectError(s3.send(new DeleteObjectCommand({
      Bucket: 'js-lock', Key: 'k', VersionId: put.VersionId, BypassGovernanceRetention: true,
    })), 'AccessDenied', 403);
    assert.equal(err.message, 'Access Denied because object protected by object lock.');

    await s3.send(new PutObjectLegalHoldCommand({
      Bucket: 'js-lock', Key: 'k', LegalHold: { Status: 'ON' },
    }));
    const hold = await s3.send(new GetObjectLegalHoldCommand({ Bucket: 'js-lock', Key: 'k' }));
    assert.equal(hold.LegalHold.Status, 'ON');

    const gov = await s3.send(new PutObjectCommand({
      Bucket: 'js-lock', Key: 'g', Body: 'gov', ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: until,
    }));
    await expectError(s3.send(new DeleteObjectCommand({
      Bucket: 'js-lock', Key: 'g', VersionId: gov.VersionId,
    })), 'AccessDenied', 403);
    await s3.send(new DeleteObjectCommand({
      Bucket: 'js-lock', Key: 'g', VersionId: gov.VersionId, BypassGovernanceRetention: true,
    }));
  });
});
