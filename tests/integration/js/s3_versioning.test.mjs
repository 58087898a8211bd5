// S3 versioning with the AWS SDK for JavaScript v3 (@aws-sdk/client-s3 and client-kms, pinned in
// package.json): Put/GetBucketVersioning, version ids on overwrite, reads by version, delete
// markers (404 NoSuchKey for the latest, 405 MethodNotAllowed for the marker's own id),
// ListObjectVersions (entries, IsLatest, paging with KeyMarker/VersionIdMarker, "null" versions of
// a bucket never versioned), per-version SSE (disabling the KMS key of one version makes exactly
// that version unreadable), DeleteObjects with VersionId entries and CopyObject from a version.
//
// Expectations are AWS's (the S3 API reference, botocore's s3/2006-03-01 model, docs/s3.md
// "Versioning"), mirrored from tests/integration/test_s3_versioning.py. Path-style addressing.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  S3Client, CreateBucketCommand, PutBucketVersioningCommand, GetBucketVersioningCommand,
  PutObjectCommand, GetObjectCommand, HeadObjectCommand, DeleteObjectCommand,
  DeleteObjectsCommand, ListObjectVersionsCommand, ListObjectsV2Command, CopyObjectCommand,
} from '@aws-sdk/client-s3';
import {
  KMSClient, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand,
} from '@aws-sdk/client-kms';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const VERSION_ID = /^[0-9A-Za-z._]{32}$/;

describe('S3 versioning with the AWS SDK for JavaScript v3', () => {
  let server;
  let s3;
  let kms;

  before(async () => {
    server = await startServer();
    s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    kms = new KMSClient(clientConfig(server.endpoint));
  });
  after(async () => { await stopServer(server); });

  async function versioned(bucket, Status = 'Enabled') {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({
      Bucket: bucket, VersioningConfiguration: { Status },
    }));
    return bucket;
  }

  async function put(Bucket, Key, body, extra = {}) {
    return s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.from(body), ...extra }));
  }

  async function read(Bucket, Key, VersionId) {
    const got = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
    return { body: Buffer.from(await got.Body.transformToByteArray()).toString(), got };
  }

  // [key, versionId, isLatest, isMarker] of every entry of one listing page.
  function entries(page) {
    return [
      ...(page.Versions ?? []).map((v) => [v.Key, v.VersionId, v.IsLatest, false]),
      ...(page.DeleteMarkers ?? []).map((m) => [m.Key, m.VersionId, m.IsLatest, true]),
    ];
  }

  it('PutBucketVersioning Enabled / Suspended reads back; any other Status is 400 MalformedXML', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'jsv-state' }));
    const fresh = await s3.send(new GetBucketVersioningCommand({ Bucket: 'jsv-state' }));
    assert.equal(fresh.Status, undefined, 'a bucket never versioned has no Status');
    assert.equal(fresh.MFADelete, undefined);
    await s3.send(new PutBucketVersioningCommand({
      Bucket: 'jsv-state', VersioningConfiguration: { Status: 'Enabled' },
    }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'jsv-state' }))).Status,
      'Enabled');
    await s3.send(new PutBucketVersioningCommand({
      Bucket: 'jsv-state', VersioningConfiguration: { Status: 'Suspended', MFADelete: 'Disabled' },
    }));
    const suspended = await s3.send(new GetBucketVersioningCommand({ Bucket: 'jsv-state' }));
    assert.equal(suspended.Status, 'Suspended');
    assert.equal(suspended.MFADelete, 'Disabled');
    // The SDK does not validate enums: "Disabled" goes on the wire, and there is no way back to
    // unversioned on AWS.
    await expectError(s3.send(new PutBucketVersioningCommand({
      Bucket: 'jsv-state', VersioningConfiguration: { Status: 'Disabled' },
    })), 'MalformedXML', 400);
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'jsv-state' }))).Status,
      'Suspended', 'the refused put changed the state');
    await expectError(s3.send(new PutBucketVersioningCommand({
      Bucket: 'jsv-missing', VersioningConfiguration: { Status: 'Enabled' },
    })), 'NoSuchBucket', 404);
  });

  it('each overwrite adds a version with its own id; GetObject by VersionId reads that body', async () => {
    const b = await versioned('jsv-ids');
    const v1 = await put(b, 'k', 'one');
    const v2 = await put(b, 'k', 'two!');
    assert.match(v1.VersionId, VERSION_ID);
    assert.match(v2.VersionId, VERSION_ID);
    assert.notEqual(v1.VersionId, v2.VersionId);
    const latest = await read(b, 'k');
    assert.equal(latest.body, 'two!');
    assert.equal(latest.got.VersionId, v2.VersionId);
    const old = await read(b, 'k', v1.VersionId);
    assert.equal(old.body, 'one');
    assert.equal(old.got.VersionId, v1.VersionId);
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k', VersionId: v1.VersionId }));
    assert.equal(head.ContentLength, 3);
    assert.equal(head.VersionId, v1.VersionId);
    await expectError(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: 'A'.repeat(32) })),
      'NoSuchVersion', 404);
    await expectError(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k', VersionId: 'not-a-version' })),
      'InvalidArgument', 400);
  });

  it('DeleteObject without a version adds a delete marker: latest 404 NoSuchKey, the marker 405', async () => {
    const b = await versioned('jsv-marker');
    const v1 = (await put(b, 'k', 'kept')).VersionId;
    const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k' }));
    assert.equal(del.DeleteMarker, true);
    assert.match(del.VersionId, VERSION_ID);
    assert.notEqual(del.VersionId, v1);
    const gone = await expectError(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })),
      'NoSuchKey', 404);
    assert.equal(gone.$response.headers['x-amz-delete-marker'], 'true');
    assert.equal(gone.$response.headers['x-amz-version-id'], del.VersionId);
    // HEAD has no body: the SDK names a 404 NotFound; the headers still say "delete marker".
    const headGone = await expectError(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k' })),
      'NotFound', 404);
    assert.equal(headGone.$response.headers['x-amz-delete-marker'], 'true');
    const onMarker = await expectError(s3.send(new GetObjectCommand({
      Bucket: b, Key: 'k', VersionId: del.VersionId,
    })), 'MethodNotAllowed', 405);
    assert.equal(onMarker.Method, 'GET');
    assert.equal(onMarker.ResourceType, 'DeleteMarker');
    assert.equal(onMarker.$response.headers['x-amz-delete-marker'], 'true');
    assert.equal(onMarker.$response.headers['x-amz-version-id'], del.VersionId);
    assert.ok(onMarker.$response.headers['last-modified'], 'no Last-Modified on the 405');
    // The version under the marker still reads; ListObjectsV2 hides the key.
    assert.equal((await read(b, 'k', v1)).body, 'kept');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: b }));
    assert.equal(listed.KeyCount, 0);
    assert.equal(listed.Contents, undefined);
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual(entries(page), [['k', v1, false, false], ['k', del.VersionId, true, true]]);
    // Deleting the marker by its id brings the object back.
    const undo = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'k', VersionId: del.VersionId }));
    assert.equal(undo.DeleteMarker, true);
    assert.equal(undo.VersionId, del.VersionId);
    assert.equal((await read(b, 'k')).body, 'kept');
  });

  it('ListObjectVersions: Versions and DeleteMarkers with IsLatest, paged with MaxKeys + KeyMarker/VersionIdMarker', async () => {
    const b = await versioned('jsv-page');
    const expected = []; // [key, versionId] in AWS's order: keys ascending, newest first
    for (const key of ['a', 'b', 'c']) {
      const ids = [];
      for (const n of [1, 2, 3]) ids.push((await put(b, key, key.repeat(n))).VersionId);
      expected.push(...ids.reverse().map((id) => [key, id]));
    }
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'b' }))).VersionId;
    expected.splice(3, 0, ['b', marker]);

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.equal(all.IsTruncated, false);
    assert.equal(all.Name, b);
    assert.deepEqual(all.Versions.map((v) => [v.Key, v.Size, v.IsLatest]), [
      ['a', 3, true], ['a', 2, false], ['a', 1, false],
      ['b', 3, false], ['b', 2, false], ['b', 1, false],
      ['c', 3, true], ['c', 2, false], ['c', 1, false]]);
    assert.ok(all.Versions.every((v) => v.StorageClass === 'STANDARD' && v.ETag && v.LastModified));
    assert.deepEqual(all.DeleteMarkers.map((m) => [m.Key, m.VersionId, m.IsLatest]),
      [['b', marker, true]]);

    const seen = [];
    let markers = {};
    let pages = 0;
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 2, ...markers }));
      pages += 1;
      const got = entries(page);
      assert.ok(got.length <= 2, `page of ${got.length} entries with MaxKeys 2`);
      // Versions and DeleteMarkers are separate lists: put this page back in listing order.
      got.sort((x, y) => expected.findIndex((e) => e[1] === x[1])
        - expected.findIndex((e) => e[1] === y[1]));
      seen.push(...got.map(([key, id]) => [key, id]));
      if (!page.IsTruncated) {
        assert.equal(page.NextKeyMarker, undefined);
        break;
      }
      assert.equal(page.MaxKeys, 2);
      markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      assert.ok(pages < 20, 'paging does not end');
    }
    assert.deepEqual(seen, expected);
    assert.equal(pages, 5);
    // A KeyMarker alone starts after every version of that key.
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: b, KeyMarker: 'b' }));
    assert.deepEqual(entries(after).map(([key]) => key), ['c', 'c', 'c']);
  });

  it('ListObjectVersions on a bucket never versioned lists each object as version "null"', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'jsv-plain' }));
    const p = await put('jsv-plain', 'x', '1');
    assert.equal(p.VersionId, undefined, 'a bucket never versioned sends no x-amz-version-id');
    await put('jsv-plain', 'x', '22'); // replaces
    await put('jsv-plain', 'y', '333');
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: 'jsv-plain' }));
    assert.deepEqual(entries(page), [['x', 'null', true, false], ['y', 'null', true, false]]);
    assert.deepEqual(page.Versions.map((v) => v.Size), [2, 3]);
    assert.equal((await read('jsv-plain', 'x', 'null')).body, '22');
  });

  it('each version keeps its own SSE: disabling version 2\'s KMS key makes exactly it unreadable', async () => {
    const b = await versioned('jsv-sse');
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    const v1 = await put(b, 'k', 'v1 sse-s3', { ServerSideEncryption: 'AES256' });
    const v2 = await put(b, 'k', 'v2 customer key', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key });
    assert.equal(v1.ServerSideEncryption, 'AES256');
    assert.equal(v1.SSEKMSKeyId, undefined);
    assert.equal(v2.ServerSideEncryption, 'aws:kms');
    assert.equal(v2.SSEKMSKeyId, key);
    const h1 = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k', VersionId: v1.VersionId }));
    const h2 = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'k', VersionId: v2.VersionId }));
    assert.deepEqual([h1.ServerSideEncryption, h1.SSEKMSKeyId], ['AES256', undefined]);
    assert.deepEqual([h2.ServerSideEncryption, h2.SSEKMSKeyId], ['aws:kms', key]);

    await kms.send(new DisableKeyCommand({ KeyId: key }));
    try {
      // S3 passes KMS's error on: 400 KMS.DisabledException (test_s3_versioning.py expects the same).
      await expectError(read(b, 'k', v2.VersionId), 'KMS.DisabledException', 400);
      await expectError(read(b, 'k'), 'KMS.DisabledException', 400); // the latest is version 2
      assert.equal((await read(b, 'k', v1.VersionId)).body, 'v1 sse-s3');
      // A copy of version 2 needs its key too; a copy of version 1 does not.
      await expectError(s3.send(new CopyObjectCommand({
        Bucket: b, Key: 'copy2', CopySource: `${b}/k?versionId=${v2.VersionId}`,
      })), 'KMS.DisabledException', 400);
      await s3.send(new CopyObjectCommand({
        Bucket: b, Key: 'copy1', CopySource: `${b}/k?versionId=${v1.VersionId}`,
      }));
      assert.equal((await read(b, 'copy1')).body, 'v1 sse-s3');
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: key }));
    }
    assert.equal((await read(b, 'k', v2.VersionId)).body, 'v2 customer key');
  });

  it('DeleteObjects with VersionId entries removes versions for good, a bare key adds a marker', async () => {
    const b = await versioned('jsv-multi');
    const a1 = (await put(b, 'a', '1')).VersionId;
    const a2 = (await put(b, 'a', '2')).VersionId;
    const b1 = (await put(b, 'b', 'b')).VersionId;
    const out = await s3.send(new DeleteObjectsCommand({
      Bucket: b,
      Delete: { Objects: [{ Key: 'a', VersionId: a1 }, { Key: 'b' }, { Key: 'a', VersionId: 'bad' }] },
    }));
    const byKey = Object.fromEntries(out.Deleted.map((d) => [`${d.Key}@${d.VersionId ?? ''}`, d]));
    assert.deepEqual(Object.keys(byKey).sort(), [`a@${a1}`, 'b@']);
    assert.equal(byKey[`a@${a1}`].DeleteMarker, undefined);
    assert.equal(byKey['b@'].DeleteMarker, true);
    assert.match(byKey['b@'].DeleteMarkerVersionId, VERSION_ID);
    assert.deepEqual(out.Errors.map((e) => [e.Key, e.VersionId, e.Code]), [['a', 'bad', 'InvalidArgument']]);
    const left = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
    assert.deepEqual(entries(left), [
      ['a', a2, true, false], ['b', b1, false, false],
      ['b', byKey['b@'].DeleteMarkerVersionId, true, true]]);
    // Deleting the marker by version through DeleteObjects reports DeleteMarker and its id.
    const undo = await s3.send(new DeleteObjectsCommand({
      Bucket: b, Delete: { Objects: [{ Key: 'b', VersionId: byKey['b@'].DeleteMarkerVersionId }] },
    }));
    assert.equal(undo.Deleted[0].DeleteMarker, true);
    assert.equal(undo.Deleted[0].VersionId, byKey['b@'].DeleteMarkerVersionId);
    assert.equal((await read(b, 'b')).body, 'b');
  });

  it('CopyObject from a CopySource versionId copies that version', async () => {
    const b = await versioned('jsv-copy');
    const v1 = (await put(b, 'src', 'first body')).VersionId;
    await put(b, 'src', 'second');
    const out = await s3.send(new CopyObjectCommand({
      Bucket: b, Key: 'dst', CopySource: `${b}/src?versionId=${v1}`,
    }));
    assert.equal(out.CopySourceVersionId, v1);
    assert.match(out.VersionId, VERSION_ID);
    const got = await read(b, 'dst');
    assert.equal(got.body, 'first body');
    assert.equal(got.got.VersionId, out.VersionId);
    // Without a versionId the copy takes the latest.
    await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst2', CopySource: `${b}/src` }));
    assert.equal((await read(b, 'dst2')).body, 'second');
    await expectError(s3.send(new CopyObjectCommand({
      Bucket: b, Key: 'x', CopySource: `${b}/src?versionId=${'B'.repeat(32)}`,
    })), 'NoSuchVersion', 404);
  });
});
