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

// Versioning, bucket tagging and bucket policies through the MinIO client's own API (issue 15):
// setBucketVersioning/getBucketVersioning, listObjects with IncludeVersion (ListObjectVersions,
// paged by the client with key-marker/version-id-marker), reads and removals of one version
// (removeObject with versionId), setBucketTagging/getBucketTagging/removeBucketTagging and
// setBucketPolicy/getBucketPolicy. The MinIO client keeps no HTTP status on S3 errors: the
// assertions name the S3 error code it parses from the body.
describe('MinIO JS client: versioning, bucket tagging and bucket policy', () => {
  let server;
  let mc;
  before(async () => {
    server = await startServer();
    mc = minioClient(server.endpoint);
  });
  after(async () => { await stopServer(server); });

  function listVersions(bucket, prefix = '') {
    return new Promise((resolve, reject) => {
      const items = [];
      const stream = mc.listObjects(bucket, prefix, true, { IncludeVersion: true });
      stream.on('data', (item) => items.push(item));
      stream.on('error', reject);
      stream.on('end', () => resolve(items));
    });
  }

  async function putText(bucket, name, text) {
    const body = Buffer.from(text);
    return mc.putObject(bucket, name, body, body.length);
  }

  it('setBucketVersioning / getBucketVersioning: Enabled, then Suspended', async () => {
    await mc.makeBucket('minio-ver-state', 'us-east-1');
    // A bucket never versioned answers an empty VersioningConfiguration.
    const fresh = await mc.getBucketVersioning('minio-ver-state');
    assert.equal(fresh?.Status, undefined);
    await mc.setBucketVersioning('minio-ver-state', { Status: 'Enabled' });
    assert.equal((await mc.getBucketVersioning('minio-ver-state')).Status, 'Enabled');
    await mc.setBucketVersioning('minio-ver-state', { Status: 'Suspended' });
    assert.equal((await mc.getBucketVersioning('minio-ver-state')).Status, 'Suspended');
    await assert.rejects(mc.setBucketVersioning('minio-ver-state', { Status: 'Off' }), (err) => {
      assert.equal(err.code, 'MalformedXML');
      return true;
    });
    await assert.rejects(mc.getBucketVersioning('minio-ver-none'), (err) => {
      assert.equal(err.code, 'NoSuchBucket');
      return true;
    });
  });

  it('lists object versions and delete markers, reads and removes one version', async () => {
    await mc.makeBucket('minio-ver', 'us-east-1');
    await mc.setBucketVersioning('minio-ver', { Status: 'Enabled' });
    const v1 = (await putText('minio-ver', 'doc.txt', 'first')).versionId;
    const v2 = (await putText('minio-ver', 'doc.txt', 'second!')).versionId;
    const o1 = (await putText('minio-ver', 'dir/other.txt', 'o')).versionId;
    assert.match(v1, /^[0-9A-Za-z._]{32}$/);
    assert.match(v2, /^[0-9A-Za-z._]{32}$/);
    assert.notEqual(v1, v2);
    await mc.removeObject('minio-ver', 'dir/other.txt'); // adds a delete marker

    const items = await listVersions('minio-ver');
    const view = items.map((i) => [i.name, i.size, i.isLatest, i.isDeleteMarker]);
    // Versions first (keys ascending, newest first), then the delete markers, as the client
    // concatenates the two lists of the response.
    assert.deepEqual(view, [
      ['dir/other.txt', 1, false, false],
      ['doc.txt', 7, true, false],
      ['doc.txt', 5, false, false],
      ['dir/other.txt', undefined, true, true], // a DeleteMarker entry has no Size
    ]);
    assert.deepEqual(items.filter((i) => i.name === 'doc.txt').map((i) => i.versionId), [v2, v1]);
    const marker = items.find((i) => i.isDeleteMarker).versionId;
    assert.match(marker, /^[0-9A-Za-z._]{32}$/);

    // A read of one version, and of the key whose latest is a marker.
    assert.equal((await readAll(await mc.getObject('minio-ver', 'doc.txt', { versionId: v1 }))).toString(),
      'first');
    const stat = await mc.statObject('minio-ver', 'doc.txt', { versionId: v1 });
    assert.equal(stat.size, 5);
    assert.equal(stat.versionId, v1);
    await assert.rejects(mc.getObject('minio-ver', 'dir/other.txt'), (err) => {
      assert.equal(err.code, 'NoSuchKey');
      return true;
    });

    // Removing a specific version deletes it for good; the older one becomes the latest.
    await mc.removeObject('minio-ver', 'doc.txt', { versionId: v2 });
    assert.equal((await readAll(await mc.getObject('minio-ver', 'doc.txt'))).toString(), 'first');
    await assert.rejects(mc.getObject('minio-ver', 'doc.txt', { versionId: v2 }), (err) => {
      assert.equal(err.code, 'NoSuchVersion');
      return true;
    });
    // Removing the marker by its id brings the other key back.
    await mc.removeObject('minio-ver', 'dir/other.txt', { versionId: marker });
    assert.equal((await readAll(await mc.getObject('minio-ver', 'dir/other.txt'))).toString(), 'o');
    const after = await listVersions('minio-ver');
    assert.deepEqual(after.map((i) => [i.name, i.versionId, i.isLatest, i.isDeleteMarker]), [
      ['dir/other.txt', o1, true, false],
      ['doc.txt', v1, true, false],
    ]);
  });

  it('pages a version listing of more than 1000 entries with key-marker / version-id-marker', async () => {
    // The client asks for at most 1000 entries a page; 1003 versions make it follow the markers.
    await mc.makeBucket('minio-ver-many', 'us-east-1');
    await mc.setBucketVersioning('minio-ver-many', { Status: 'Enabled' });
    const ids = [];
    for (let i = 0; i < 1003; i += 1) {
      ids.push((await putText('minio-ver-many', 'k', `${i}`)).versionId);
    }
    const items = await listVersions('minio-ver-many');
    assert.equal(items.length, 1003);
    assert.deepEqual(items.map((i) => i.versionId), ids.reverse());
    assert.equal(new Set(items.map((i) => i.versionId)).size, 1003);
  });

  it('setBucketTagging / getBucketTagging / removeBucketTagging', async () => {
    await mc.makeBucket('minio-tags', 'us-east-1');
    await assert.rejects(mc.getBucketTagging('minio-tags'), (err) => {
      assert.equal(err.code, 'NoSuchTagSet');
      return true;
    });
    await mc.setBucketTagging('minio-tags', { team: 'storage', env: 'test' });
    const tags = await mc.getBucketTagging('minio-tags');
    assert.deepEqual(tags.map((t) => [t.Key, t.Value]).sort(), [['env', 'test'], ['team', 'storage']]);
    await mc.removeBucketTagging('minio-tags');
    await assert.rejects(mc.getBucketTagging('minio-tags'), (err) => {
      assert.equal(err.code, 'NoSuchTagSet');
      return true;
    });
  });

  it('getBucketPolicy: NoSuchBucketPolicy, then the policy setBucketPolicy stored', async () => {
    await mc.makeBucket('minio-policy', 'us-east-1');
    await assert.rejects(mc.getBucketPolicy('minio-policy'), (err) => {
      assert.equal(err.code, 'NoSuchBucketPolicy');
      assert.equal(err.bucketname, 'minio-policy');
      return true;
    });
    const policy = {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket',
        Resource: 'arn:aws:s3:::minio-policy',
      }],
    };
    await mc.setBucketPolicy('minio-policy', JSON.stringify(policy));
    assert.deepEqual(JSON.parse(await mc.getBucketPolicy('minio-policy')), policy);
    // The stored policy is enforced: even the owner cannot delete the bucket now.
    await assert.rejects(mc.removeBucket('minio-policy'), (err) => {
      assert.equal(err.code, 'AccessDenied');
      return true;
    });
    await mc.setBucketPolicy('minio-policy', ''); // the client's DeleteBucketPolicy
    await assert.rejects(mc.getBucketPolicy('minio-policy'), (err) => {
      assert.equal(err.code, 'NoSuchBucketPolicy');
      return true;
    });
    await mc.removeBucket('minio-policy');
  });
});
