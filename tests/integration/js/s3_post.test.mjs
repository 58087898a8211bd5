// S3 browser-based uploads (POST Object) with the AWS SDK for JavaScript v3:
// @aws-sdk/s3-presigned-post createPresignedPost signs the form (SigV4 policy), and Node's global
// fetch posts it as FormData, as a browser page would. The upload is checked with
// HeadObject/GetObject (SSE-KMS with the key asked for, metadata, content type); a condition the
// form breaks answers AWS's 403 AccessDenied and a file outside content-length-range 400
// EntityTooLarge.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  S3Client, CreateBucketCommand, GetObjectCommand, HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';

import { startServer, stopServer, clientConfig } from './server.mjs';

const BUCKET = 'js-post';

function form(fields, body, filename = 'upload.txt') {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('file', new Blob([body], { type: 'text/plain' }), filename);  // the file goes last
  return data;
}

function codeOf(xml) {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

function messageOf(xml) {
  return /<Message>([^<]*)<\/Message>/.exec(xml)?.[1].replaceAll('&quot;', '"');
}

describe('S3 POST Object with createPresignedPost and fetch', () => {
  let server;
  let s3;
  let kms;

  before(async () => {
    server = await startServer();
    s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    kms = new KMSClient(clientConfig(server.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  after(async () => {
    s3?.destroy();
    kms?.destroy();
    if (server) await stopServer(server);
  });

  it('uploads with SSE-KMS, metadata and ${filename}', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata;
    const fields = {
      'Content-Type': 'text/plain',
      'x-amz-meta-origin': 'browser',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': key.KeyId,
      success_action_status: '201',
    };
    const { url, fields: signed } = await createPresignedPost(s3, {
      Bucket: BUCKET,
      Key: 'uploads/${filename}',
      Fields: fields,
      Conditions: [
        ['starts-with', '$key', 'uploads/'],
        ['content-length-range', 1, 1024],
        ...Object.entries(fields).map(([k, v]) => ({ [k]: v })),
      ],
      Expires: 600,
    });
    assert.ok(signed['X-Amz-Signature'] || signed['x-amz-signature'], 'a SigV4 form');
    const resp = await fetch(url, { method: 'POST', body: form(signed, 'from the browser', 'note.txt') });
    const text = await resp.text();
    assert.equal(resp.status, 201, text);
    assert.match(text, /<Key>uploads\/note\.txt<\/Key>/);
    assert.equal(resp.headers.get('x-amz-server-side-encryption'), 'aws:kms');

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/note.txt' }));
    assert.equal(head.ServerSideEncryption, 'aws:kms');
    assert.equal(head.SSEKMSKeyId, key.Arn);
    assert.equal(head.ContentType, 'text/plain');
    assert.deepEqual(head.Metadata, { origin: 'browser' });
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/note.txt' }));
    assert.equal(await got.Body.transformToString(), 'from the browser');
  });

  it('answers 204 by default, with the ETag of the object', async () => {
    const { url, fields } = await createPresignedPost(s3, { Bucket: BUCKET, Key: 'plain.txt' });
    const resp = await fetch(url, { method: 'POST', body: form(fields, 'plain') });
    assert.equal(resp.status, 204, await resp.text());
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'plain.txt' }));
    assert.equal(resp.headers.get('etag'), head.ETag);
  });

  it('refuses a form that breaks its policy', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: BUCKET,
      Key: 'limited.txt',
      Conditions: [['content-length-range', 0, 8]],
    });
    let resp = await fetch(url, { method: 'POST', body: form(fields, 'far more than eight bytes') });
    assert.equal(resp.status, 400);
    assert.equal(codeOf(await resp.text()), 'EntityTooLarge');

    resp = await fetch(url, { method: 'POST', body: form({ ...fields, 'x-amz-meta-extra': '1' }, 'ok') });
    assert.equal(resp.status, 403);
    const text = await resp.text();
    assert.equal(codeOf(text), 'AccessDenied');
    assert.match(text, /Extra input fields: x-amz-meta-extra/);

    resp = await fetch(url, { method: 'POST', body: form({ ...fields, key: 'other.txt' }, 'ok') });
    assert.equal(resp.status, 403);
    assert.equal(messageOf(await resp.text()),
      'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "limited.txt"]');
  });
});
