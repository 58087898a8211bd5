// Client-side encryption made visible (docs/posture.md): objects the AWS Encryption SDK for
// JavaScript (@aws-crypto/client-node) wrote, uploaded with PutObject and with a multipart
// upload (@aws-sdk/lib-storage), are recognised from their message header as it streams in and
// shown by GET /_sealstack/s3/<bucket>/<key>, the key's dependents and the posture report.

import { randomBytes } from 'node:crypto';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { KMS, KMSClient, CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';

import { startServer, stopServer, clientConfig } from './server.mjs';

describe('AWS Encryption SDK objects in S3', () => {
  let server;
  let kms;
  let s3;
  let keyArn;
  let esdk;

  before(async () => {
    server = await startServer();
    kms = new KMSClient(clientConfig(server.endpoint));
    s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    await s3.send(new CreateBucketCommand({ Bucket: 'esdk-objects' }));
    esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  const keyring = () => new KmsKeyringNode({
    generatorKeyId: keyArn, clientProvider: () => new KMS(clientConfig(server.endpoint)) });

  async function view(key) {
    const resp = await fetch(`${server.endpoint}/_sealstack/s3/esdk-objects/${key}`);
    assert.equal(resp.status, 200);
    return resp.json();
  }

  it('PutObject of an ESDK message: the layer names the key, suite and context', async () => {
    const plaintext = randomBytes(1000);
    const { result } = await esdk.encrypt(keyring(), plaintext, { encryptionContext: { app: 'node' } });
    await s3.send(new PutObjectCommand({ Bucket: 'esdk-objects', Key: 'small.bin', Body: result }));
    const cs = (await view('small.bin')).client_side;
    assert.deepEqual(cs, {
      format: 'aws-encryption-sdk', algorithm: 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384',
      wrap_algorithm: '', kms_keys: [keyArn], other_providers: [],
      context: { app: 'node', 'aws-crypto-public-key': cs.context['aws-crypto-public-key'] },
      message_version: 2 });
    assert.ok(cs.context['aws-crypto-public-key'].length > 20);
    // The object still decrypts with the ESDK.
    const got = await s3.send(new GetObjectCommand({ Bucket: 'esdk-objects', Key: 'small.bin' }));
    const { plaintext: back } = await esdk.decrypt(keyring(), Buffer.from(await got.Body.transformToByteArray()));
    assert.deepEqual(back, plaintext);
  });

  it('a multipart upload of an ESDK message: part 1 carries the header', async () => {
    const { result } = await esdk.encrypt(keyring(), randomBytes(6 * 1024 * 1024));
    const upload = new Upload({ client: s3, partSize: 5 * 1024 * 1024, queueSize: 1,
      params: { Bucket: 'esdk-objects', Key: 'large.bin', Body: result } });
    await upload.done();
    const v = await view('large.bin');
    assert.match(v.etag, /-2$/); // two parts
    assert.equal(v.client_side.format, 'aws-encryption-sdk');
    assert.deepEqual(v.client_side.kms_keys, [keyArn]);
    // A plain multipart object has no layer.
    const plain = new Upload({ client: s3, partSize: 5 * 1024 * 1024, queueSize: 1,
      params: { Bucket: 'esdk-objects', Key: 'plain.bin', Body: randomBytes(6 * 1024 * 1024) } });
    await plain.done();
    assert.equal((await view('plain.bin')).client_side, null);
  });

  it('dependents and the posture report count them', async () => {
    let resp = await fetch(`${server.endpoint}/_sealstack/keys/${keyArn}/dependents`);
    assert.equal(resp.status, 200);
    const deps = await resp.json();
    assert.equal(deps.counts.client_side_objects, 2);
    assert.deepEqual(deps.object_versions.map((o) => [o.key, o.layer]).sort(),
      [['large.bin', 'client-side'], ['small.bin', 'client-side']]);
    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));
    resp = await fetch(`${server.endpoint}/_sealstack/posture`);
    const report = await resp.json();
    const f = report.findings.find((x) => x.id === 's3-client-side-key-unusable');
    assert.equal(f.severity, 'high');
    assert.equal(f.resource, keyArn);
    assert.deepEqual(f.counts, { client_side_objects: 2 });
  });
});
