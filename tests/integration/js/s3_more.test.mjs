// S3 multipart, presigning, copy, batch delete and delimiter listings through the AWS SDK for
// JavaScript v3 (issue 5): @aws-sdk/lib-storage Upload of > 5 MiB (multipart) with the SDK's
// default settings (streamed parts go aws-chunked with CRC32 trailers; virtual-hosted
// addressing BUCKET.localhost) and with forcePathStyle; @aws-sdk/s3-request-presigner
// getSignedUrl for GET and PUT (the PUT binds x-amz-server-side-encryption into the
// signature); CopyObjectCommand; DeleteObjectsCommand; ListObjectsV2 with Delimiter.
//
// *.localhost does not resolve on every machine, so the virtual-hosted client gets an HTTP
// agent whose DNS lookup maps localhost and *.localhost to 127.0.0.1 (the request still
// carries Host: BUCKET.localhost:PORT, which is what the server routes on).

import http from 'node:http';
import dns from 'node:dns';
import { Readable } from 'node:stream';
import { randomBytes, createHash } from 'node:crypto';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand,
  CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const MIB = 1024 * 1024;

function localhostLookup(hostname, options, callback) {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) {
    if (options && options.all) return callback(null, [{ address: '127.0.0.1', family: 4 }]);
    return callback(null, '127.0.0.1', 4);
  }
  return dns.lookup(hostname, options, callback);
}

async function bodyBytes(resp) {
  return Buffer.from(await resp.Body.transformToByteArray());
}

function md5hex(buf) {
  return createHash('md5').update(buf).digest('hex');
}

describe('S3 multipart, presign, copy, delete and listings with the JS SDK v3', () => {
  let server;
  let pathStyle;
  let virtualHosted;
  let kmsKey;
  let agent;
  before(async () => {
    server = await startServer();
    pathStyle = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    agent = new http.Agent({ keepAlive: true, lookup: localhostLookup });
    virtualHosted = new S3Client({
      ...clientConfig(server.endpoint.replace('127.0.0.1', 'localhost')),
      requestHandler: { httpAgent: agent },
    });
    const kms = new KMSClient(clientConfig(server.endpoint));
    kmsKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    await pathStyle.send(new CreateBucketCommand({ Bucket: 'js-more' }));
  });
  after(async () => {
    agent?.destroy();
    await stopServer(server);
  });

  for (const style of ['virtual-hosted', 'path-style']) {
    it(`lib-storage Upload of > 5 MiB (multipart, ${style}) with SSE-KMS`, async () => {
      const s3 = style === 'path-style' ? pathStyle : virtualHosted;
      const body = randomBytes(6 * MIB + 4321);
      const key = `upload-${style}.bin`;
      const upload = new Upload({
        client: s3,
        params: {
          Bucket: 'js-more', Key: key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey,
          // A stream: the SDK sends each part aws-chunked with a CRC32 trailer.
          Body: Readable.from([body.subarray(0, 3 * MIB), body.subarray(3 * MIB)]),
        },
      });
      const done = await upload.done();
      assert.match(done.ETag, /^"[0-9a-f]{32}-2"$/);
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'js-more', Key: key }));
      assert.equal(head.ServerSideEncryption, 'aws:kms');
      assert.equal(head.SSEKMSKeyId, kmsKey);
      assert.equal(head.ContentLength, body.length);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'js-more', Key: key }));
      assert.ok(md5hex(await bodyBytes(got)) === md5hex(body), 'round trip differs');
      const part2 = await s3.send(new GetObjectCommand({ Bucket: 'js-more', Key: key, PartNumber: 2 }));
      assert.equal(part2.PartsCount, 2);
      assert.deepEqual(await bodyBytes(part2), body.subarray(5 * MIB));
    });
  }

  it('lib-storage Upload below the part size is a single PutObject', async () => {
    const body = randomBytes(100 * 1024);
    const done = await new Upload({
      client: virtualHosted, params: { Bucket: 'js-more', Key: 'small.bin', Body: body },
    }).done();
    assert.equal(done.ETag, `"${md5hex(body)}"`);
  });

  it('getSignedUrl GET and PUT with the SSE header bound in the signature', async () => {
    await pathStyle.send(new PutObjectCommand({ Bucket: 'js-more', Key: 'dir/presigned get.txt',
      Body: Buffer.from('signed for GET') }));
    const getUrl = await getSignedUrl(pathStyle, new GetObjectCommand({
      Bucket: 'js-more', Key: 'dir/presigned get.txt' }), { expiresIn: 300 });
    assert.match(getUrl, /X-Amz-Signature=/);
    const got = await fetch(getUrl);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'signed for GET');

    // Since 3.729 the SDK signs a CRC32 of the (absent) body into presigned PUTs; the
    // documented workaround for uploading through such URLs is WHEN_REQUIRED.
    const presigner = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED' });
    const putUrl = await getSignedUrl(presigner, new PutObjectCommand({
      Bucket: 'js-more', Key: 'presigned-put', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey,
    }), {
      expiresIn: 300,
      unhoistableHeaders: new Set(['x-amz-server-side-encryption',
        'x-amz-server-side-encryption-aws-kms-key-id']),
    });
    const signed = new URL(putUrl).searchParams.get('X-Amz-SignedHeaders').split(';');
    assert.ok(signed.includes('x-amz-server-side-encryption'), signed.join(';'));
    const sseHeaders = { 'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': kmsKey };
    const put = await fetch(putUrl, { method: 'PUT', body: 'put through a URL', headers: sseHeaders });
    assert.equal(put.status, 200, await put.text());
    assert.equal(put.headers.get('x-amz-server-side-encryption-aws-kms-key-id'), kmsKey);
    const head = await pathStyle.send(new HeadObjectCommand({ Bucket: 'js-more', Key: 'presigned-put' }));
    assert.equal(head.SSEKMSKeyId, kmsKey);
    // Without the bound header the signature does not match.
    const bare = await fetch(putUrl, { method: 'PUT', body: 'x' });
    assert.equal(bare.status, 403);
    assert.match(await bare.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

    // Without options the presigner also keeps the SSE header signed (not hoisted).
    const dflt = await getSignedUrl(presigner, new PutObjectCommand({
      Bucket: 'js-more', Key: 'presigned-default', ServerSideEncryption: 'AES256' }), { expiresIn: 300 });
    assert.ok(new URL(dflt).searchParams.get('X-Amz-SignedHeaders').split(';')
      .includes('x-amz-server-side-encryption'));
    const r = await fetch(dflt, { method: 'PUT', body: 'default',
      headers: { 'x-amz-server-side-encryption': 'AES256' } });
    assert.equal(r.status, 200, await r.text());
    assert.equal(r.headers.get('x-amz-server-side-encryption'), 'AES256');
  });

  it('CopyObjectCommand re-encrypts and replaces metadata', async () => {
    await pathStyle.send(new PutObjectCommand({ Bucket: 'js-more', Key: 'copy-src',
      Body: Buffer.from('copy me'), Metadata: { envelope: 'v1' } }));
    const copied = await virtualHosted.send(new CopyObjectCommand({
      Bucket: 'js-more', Key: 'copy-dst', CopySource: 'js-more/copy-src',
      ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKey,
    }));
    assert.equal(copied.SSEKMSKeyId, kmsKey);
    assert.ok(copied.CopyObjectResult.ETag);
    const got = await pathStyle.send(new GetObjectCommand({ Bucket: 'js-more', Key: 'copy-dst' }));
    assert.equal((await bodyBytes(got)).toString(), 'copy me');
    assert.deepEqual(got.Metadata, { envelope: 'v1' });
    await pathStyle.send(new CopyObjectCommand({ Bucket: 'js-more', Key: 'copy-dst',
      CopySource: 'js-more/copy-dst', MetadataDirective: 'REPLACE', Metadata: { envelope: 'v2' } }));
    const head = await pathStyle.send(new HeadObjectCommand({ Bucket: 'js-more', Key: 'copy-dst' }));
    assert.deepEqual(head.Metadata, { envelope: 'v2' });
    await expectError(pathStyle.send(new CopyObjectCommand({ Bucket: 'js-more', Key: 'copy-src',
      CopySource: 'js-more/copy-src' })), 'InvalidRequest', 400);
    await expectError(pathStyle.send(new CopyObjectCommand({ Bucket: 'js-more', Key: 'x',
      CopySource: 'js-more/copy-src', CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' })),
    'PreconditionFailed', 412);
  });

  it('DeleteObjectsCommand (verbose and quiet) and ListObjectsV2 with Delimiter', async () => {
    await pathStyle.send(new CreateBucketCommand({ Bucket: 'js-list' }));
    const keys = ['a/1', 'a/2', 'b/x/1', 'b/y', 'c', 'd e/f', 'z'];
    for (const Key of keys) {
      await pathStyle.send(new PutObjectCommand({ Bucket: 'js-list', Key, Body: Buffer.from(Key) }));
    }
    const top = await virtualHosted.send(new ListObjectsV2Command({ Bucket: 'js-list', Delimiter: '/' }));
    assert.deepEqual((top.Contents ?? []).map((o) => o.Key), ['c', 'z']);
    assert.deepEqual((top.CommonPrefixes ?? []).map((p) => p.Prefix), ['a/', 'b/', 'd e/']);
    assert.equal(top.KeyCount, 5);
    const seen = [];
    for await (const page of paginateListObjectsV2({ client: pathStyle, pageSize: 2 },
      { Bucket: 'js-list', Delimiter: '/' })) {
      seen.push(...(page.Contents ?? []).map((o) => o.Key),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix));
    }
    assert.deepEqual(seen.sort(), ['a/', 'b/', 'c', 'd e/', 'z']);
    const inB = await pathStyle.send(new ListObjectsV2Command({ Bucket: 'js-list', Delimiter: '/', Prefix: 'b/' }));
    assert.deepEqual((inB.Contents ?? []).map((o) => o.Key), ['b/y']);
    assert.deepEqual((inB.CommonPrefixes ?? []).map((p) => p.Prefix), ['b/x/']);

    const verbose = await virtualHosted.send(new DeleteObjectsCommand({ Bucket: 'js-list',
      Delete: { Objects: [{ Key: 'a/1' }, { Key: 'a/2' }, { Key: 'never' }] } }));
    assert.deepEqual(verbose.Deleted.map((d) => d.Key).sort(), ['a/1', 'a/2', 'never']);
    assert.equal(verbose.Errors, undefined);
    const quiet = await pathStyle.send(new DeleteObjectsCommand({ Bucket: 'js-list',
      Delete: { Objects: keys.slice(2).map((Key) => ({ Key })), Quiet: true } }));
    assert.equal(quiet.Deleted, undefined);
    assert.equal(quiet.Errors, undefined);
    const empty = await pathStyle.send(new ListObjectsV2Command({ Bucket: 'js-list' }));
    assert.equal(empty.KeyCount, 0);
  });
});
