// KMS through the AWS SDK for JavaScript v3 (@aws-sdk/client-kms) and the AWS Encryption SDK
// for JavaScript (@aws-crypto/client-node, KmsKeyringNode) — node --test.
// Starts its own server on --port 0 --in-memory (binary from SEALSTACK_BIN, default
// <repo>/build/server/sealstack), waits for the Ready line with a deadline, and at the end
// requires a clean exit (code 0) on SIGTERM (same pattern as sts.test.mjs).

import { randomBytes } from 'node:crypto';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  KMS, KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand, DisableKeyCommand,
  DescribeKeyCommand, GenerateDataKeyCommand,
} from '@aws-sdk/client-kms';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';

import { startServer, stopServer, clientConfig, expectError, REGION } from './server.mjs';

const KEY_ARN_RE = /^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('KMS with @aws-sdk/client-kms and the AWS Encryption SDK', () => {
  let server;
  let kms;

  before(async () => {
    server = await startServer();
    kms = new KMSClient(clientConfig(server.endpoint));
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  async function newKey() {
    const out = await kms.send(new CreateKeyCommand({ Description: 'node' }));
    assert.match(out.KeyMetadata.Arn, KEY_ARN_RE);
    return out.KeyMetadata;
  }

  function esdkKeyring(keyArn) {
    return new KmsKeyringNode({
      generatorKeyId: keyArn,
      // The keyring calls the aggregated client's methods (generateDataKey, decrypt, ...).
      clientProvider: () => new KMS(clientConfig(server.endpoint)),
    });
  }

  it('client-kms Encrypt/Decrypt round trip with an encryption context', async () => {
    const md = await newKey();
    const plaintext = randomBytes(100);
    const enc = await kms.send(new EncryptCommand({
      KeyId: md.KeyId, Plaintext: plaintext, EncryptionContext: { app: 'node' },
    }));
    assert.equal(enc.$metadata.httpStatusCode, 200);
    assert.equal(enc.KeyId, md.Arn);
    assert.equal(enc.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.ok(enc.CiphertextBlob instanceof Uint8Array && enc.CiphertextBlob.length > 100);
    const dec = await kms.send(new DecryptCommand({
      CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'node' },
    }));
    assert.equal(dec.KeyId, md.Arn);
    assert.deepEqual(Buffer.from(dec.Plaintext), plaintext);
    await expectError(kms.send(new DecryptCommand({
      CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'other' },
    })), 'InvalidCiphertextException', 400);
  });

  it('client-kms errors carry the AWS error names', async () => {
    await expectError(kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(64) })),
      'InvalidCiphertextException', 400);
    await expectError(kms.send(new DescribeKeyCommand({
      KeyId: '0bd3a3f4-1111-4222-8333-944455556666',
    })), 'NotFoundException', 400);
    const md = await newKey();
    await expectError(kms.send(new GenerateDataKeyCommand({ KeyId: md.KeyId })),
      'ValidationException', 400);
  });

  it('Encryption SDK encrypts and decrypts through SealStack with an encryption context', async () => {
    const md = await newKey();
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = esdkKeyring(md.Arn);
    const plaintext = Buffer.from('Encryption SDK message through SealStack '.repeat(50));
    const context = { purpose: 'sealstack-test', tenant: 'node' };
    const { result, messageHeader: encHeader } = await encrypt(keyring, plaintext,
      { encryptionContext: context });
    assert.ok(!result.includes(plaintext.subarray(0, 40)), 'ciphertext contains the plaintext');
    assert.equal(encHeader.encryptedDataKeys.length, 1);
    assert.equal(encHeader.encryptedDataKeys[0].providerId, 'aws-kms');
    assert.equal(encHeader.encryptedDataKeys[0].providerInfo, md.Arn);

    const { plaintext: out, messageHeader } = await decrypt(esdkKeyring(md.Arn), result);
    assert.deepEqual(Buffer.from(out), plaintext);
    for (const [k, v] of Object.entries(context)) {
      assert.equal(messageHeader.encryptionContext[k], v, `context ${k}`);
    }
    // A keyring for another key cannot decrypt it.
    const other = await newKey();
    await assert.rejects(decrypt(esdkKeyring(other.Arn), result));
  });

  it('Encryption SDK cannot decrypt once the key is disabled', async () => {
    const md = await newKey();
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const { result } = await encrypt(esdkKeyring(md.Arn), Buffer.from('soon unreadable'));
    const ok = await decrypt(esdkKeyring(md.Arn), result);
    assert.equal(Buffer.from(ok.plaintext).toString(), 'soon unreadable');

    await kms.send(new DisableKeyCommand({ KeyId: md.KeyId }));
    let err;
    try {
      await decrypt(esdkKeyring(md.Arn), result);
    } catch (e) {
      err = e;
    }
    assert.ok(err, 'decrypt with a disabled key succeeded');
    const text = `${err.name} ${err.message} ${(err.errors || []).map((e) => `${e.name} ${e.message}`).join(' ')}`;
    assert.match(text, /DisabledException|Unable to decrypt data key/, text);
  });
});
