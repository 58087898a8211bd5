// Tests of clients/node/sealstack.mjs against the real binary (SEALSTACK_BIN or the repository
// build). Admin endpoints a server build may not have yet (faults, seed, audit) skip with the
// server's 404 as the reason; any other answer is asserted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  startSealStack, findBinary, importSdk, AdminEndpointMissing, SealStackAdminError,
} from '../sealstack.mjs';

// Nothing from the environment may decide what the tests talk to.
for (const name of Object.keys(process.env)) {
  if (/^AWS_/.test(name) || /_proxy$/i.test(name)) delete process.env[name];
}
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const { CreateKeyCommand, EncryptCommand, DecryptCommand, DescribeKeyCommand,
  ScheduleKeyDeletionCommand, GenerateDataKeyCommand, ListAliasesCommand, DisableKeyCommand, KMSClient } =
  await importSdk('@aws-sdk/client-kms');
const { CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListBucketsCommand,
  GetBucketEncryptionCommand } = await importSdk('@aws-sdk/client-s3');
const { GetCallerIdentityCommand, STSClient } = await importSdk('@aws-sdk/client-sts');

const ROOT_ARN = 'arn:aws:iam::000000000000:root';
const SEED_KEY_ID = '0b7a3f6e-5c1d-4e2a-9f80-1a2b3c4d5e6f';
const SEED = {
  principals: [{ access_key_id: 'AKIAAPPROLE', secret_access_key: 'app-role-secret',
    arn: 'arn:aws:iam::000000000000:role/app', policies: [] }],
  keys: [{ id: SEED_KEY_ID, account: '000000000000', region: 'us-east-1',
    spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT',
    material: Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64'),
    aliases: ['alias/fixture-test'], description: 'seeded by the fixture tests' }],
  buckets: [{ name: 'fixture-seeded', account: '000000000000', region: 'us-east-1',
    encryption: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: SEED_KEY_ID, BucketKeyEnabled: false } }],
};

async function expectAwsError(promise, name, status) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name} (${status}), the call succeeded`);
  assert.equal(err.name, name, `error name (message: ${err.message})`);
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status of ${err.name}`);
  return err;
}

// Runs an admin call; skips the test (naming the endpoint) when this build lacks it.
async function orSkip(t, what, fn) {
  try {
    return { value: await fn() };
  } catch (e) {
    if (e instanceof AdminEndpointMissing) {
      t.skip(`${what} is not in this sealstack build yet (server answered: ${e.message})`);
      return null;
    }
    throw e;
  }
}

// A server per test, stopped (exit code 0 required) at the end.
async function withServer(options, fn) {
  const ss = await startSealStack(options);
  try {
    await fn(ss);
  } finally {
    await ss.stop();
  }
}

test('sample: SSE-KMS object round trip with the ready clients', () => withServer({}, async (ss) => {
  const { s3, kms, sts } = ss.clients;
  assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, ROOT_ARN);
  const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
  const blob = (await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('hi') })))
    .CiphertextBlob;
  assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)
    .toString(), 'hi');
  await s3.send(new CreateBucketCommand({ Bucket: 'node-bucket' }));
  const put = await s3.send(new PutObjectCommand({ Bucket: 'node-bucket', Key: 'a/b.txt',
    Body: 'secret', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn }));
  assert.equal(put.ServerSideEncryption, 'aws:kms');
  const got = await s3.send(new GetObjectCommand({ Bucket: 'node-bucket', Key: 'a/b.txt' }));
  assert.equal(await got.Body.transformToString(), 'secret');
  const info = await ss.objectInfo('node-bucket', 'a/b.txt');
  assert.equal(info.mode, 'SSE-KMS');
  assert.equal(info.kms_key_arn, keyArn);
  assert.deepEqual(info.encryption_context, { 'aws:s3:arn': 'arn:aws:s3:::node-bucket/a/b.txt' });
}));

test('handle: endpoint, region, credentials, env, health', () => withServer({}, async (ss) => {
  assert.match(ss.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(ss.port, Number(ss.endpoint.split(':')[2]));
  assert.equal(ss.region, 'us-east-1');
  assert.deepEqual(ss.credentials, { accessKeyId: 'test', secretAccessKey: 'test' });
  assert.equal(ss.env.AWS_ENDPOINT_URL, ss.endpoint);
  const health = await ss.health();
  assert.equal(health.status, 'ok');
  assert.equal(health.storage, 'memory');
  assert.equal(health.region, 'us-east-1');
  assert.equal(await ss.clients.s3.config.forcePathStyle, true);
}));

test('args and config: another region and a configured principal', () => withServer({
  args: ['--policy-mode', 'off'], region: 'eu-central-1',
  config: { principals: [{ access_key_id: 'AKIAALICE', secret_access_key: 'alice-secret',
    arn: 'arn:aws:iam::111122223333:user/alice', policies: [] }] },
}, async (ss) => {
  assert.ok(ss.args.includes('--policy-mode'));
  assert.equal((await ss.health()).region, 'eu-central-1');
  const arn = (await ss.clients.kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
  assert.match(arn, /^arn:aws:kms:eu-central-1:000000000000:key\//);
  const alice = ss.newClient(STSClient, { credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'alice-secret' } });
  assert.equal((await alice.send(new GetCallerIdentityCommand({}))).Arn,
    'arn:aws:iam::111122223333:user/alice');
  const wrong = ss.newClient(STSClient, { maxAttempts: 1,
    credentials: { accessKeyId: 'AKIAALICE', secretAccessKey: 'wrong' } });
  await expectAwsError(wrong.send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
}));

test('reset drops keys and buckets', () => withServer({}, async (ss) => {
  const { s3, kms } = ss.clients;
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.KeyId;
  await s3.send(new CreateBucketCommand({ Bucket: 'gone-after-reset' }));
  await ss.reset();
  assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
  const once = ss.newClient(KMSClient, { maxAttempts: 1 });
  await expectAwsError(once.send(new DescribeKeyCommand({ KeyId: keyId })), 'NotFoundException', 400);
}));

test('advanceClock past a 7-day deletion window; clients keep the real time', () => withServer({}, async (ss) => {
  const kms = ss.newClient(KMSClient, { maxAttempts: 1 });
  assert.equal((await ss.clock()).offset_seconds, 0);
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.KeyId;
  const blob = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('p') })))
    .CiphertextBlob;
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  const doc = await ss.advanceClock(7 * 86400 + 3600);
  assert.ok(Math.abs(doc.offset_seconds - (7 * 86400 + 3600)) <= 1, JSON.stringify(doc));
  // The ciphertext's key is gone: KMS answers AccessDenied; the key itself: NotFound.
  await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'AccessDeniedException', 400);
  await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: keyId })), 'NotFoundException', 400);
  // Clients sign with the real time and are accepted: the ready ones and a plain one.
  assert.equal(ss.clients.sts.config.systemClockOffset ?? 0, 0);
  assert.equal((await ss.clients.sts.send(new GetCallerIdentityCommand({}))).Arn, ROOT_ARN);
  const plain = new STSClient({ endpoint: ss.endpoint, region: ss.region, credentials: ss.credentials,
    maxAttempts: 1 });
  try {
    assert.equal((await plain.send(new GetCallerIdentityCommand({}))).Arn, ROOT_ARN);
  } finally {
    plain.destroy();
  }
  // A whole reset returns the clock to real time; keepClock keeps it.
  await ss.advanceClock(3600);
  await ss.reset({ keepClock: true });
  assert.ok((await ss.clock()).offset_seconds > 7 * 86400);
  await ss.reset();
  assert.equal((await ss.clock()).offset_seconds, 0);
}));

test('setClock', () => withServer({}, async (ss) => {
  const target = new Date(Date.now() + 30 * 86400 * 1000);
  const doc = await ss.setClock(target);
  assert.ok(Math.abs(new Date(doc.now) - target) < 60000, JSON.stringify(doc));
  assert.ok(Math.abs(doc.offset_seconds - 30 * 86400) < 60, JSON.stringify(doc));
  assert.equal((await ss.clients.sts.send(new GetCallerIdentityCommand({}))).Arn, ROOT_ARN);
}));

test('admin errors reject with SealStackAdminError', () => withServer({}, async (ss) => {
  await assert.rejects(ss.objectInfo('no-such-bucket', 'k'), (e) => e instanceof SealStackAdminError
    && !e.missing && e.status === 404);
  await assert.rejects(ss.admin('GET', 'no-such-endpoint'), (e) => e instanceof AdminEndpointMissing
    && e.missing && e.code === 'NotFound');
}));

test('faults: one-shot ThrottlingException, delete, clear', (t) => withServer({}, async (ss) => {
  const keyId = (await ss.clients.kms.send(new CreateKeyCommand({}))).KeyMetadata.KeyId;
  const r = await orSkip(t, 'POST /_sealstack/faults', () => ss.addFault({ service: 'kms',
    operation: 'GenerateDataKey', error: 'ThrottlingException', count: 1 }));
  if (!r) return;
  assert.equal(typeof r.value, 'string');
  assert.ok(JSON.stringify(await ss.faults()).includes(r.value));
  const kms = ss.newClient(KMSClient, { maxAttempts: 1 });
  await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })),
    'ThrottlingException', 400);
  assert.equal((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })))
    .Plaintext.length, 32);
  const id = await ss.addFault({ service: 'kms', operation: 'Encrypt', error: 'KMSInternalException' });
  await expectAwsError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })),
    'KMSInternalException', 500);
  await ss.deleteFault(id);
  await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
  await ss.addFault({ service: 'kms', operation: 'Encrypt', error: 'KMSInternalException' });
  await ss.clearFaults();
  await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
}));

test('seed: fixed key material decrypts across servers; reset re-seeds', async (t) => {
  let first;
  try {
    first = await startSealStack({ seed: SEED });
  } catch (e) {
    if (e instanceof AdminEndpointMissing) {
      t.skip(`POST /_sealstack/seed is not in this sealstack build yet (server answered: ${e.message})`);
      return;
    }
    throw e;
  }
  let blob;
  try {
    blob = (await first.clients.kms.send(new EncryptCommand({ KeyId: 'alias/fixture-test',
      Plaintext: Buffer.from('same') }))).CiphertextBlob;
  } finally {
    await first.stop();
  }
  await withServer({ seed: SEED }, async (ss) => {
    const { kms, s3 } = ss.clients;
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)
      .toString(), 'same');
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: 'fixture-seeded' })))
      .ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault;
    assert.equal(rule.SSEAlgorithm, 'aws:kms');
    assert.ok(rule.KMSMasterKeyID.endsWith(SEED_KEY_ID), rule.KMSMasterKeyID);
    await ss.seed(SEED); // idempotent
    assert.equal((await kms.send(new ListAliasesCommand({ KeyId: SEED_KEY_ID }))).Aliases.length, 1);
    await ss.reset();
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: SEED_KEY_ID }))).KeyMetadata.KeyId,
      SEED_KEY_ID);
  });
});

test('audit: an Encrypt is attributed to its caller', (t) => withServer({}, async (ss) => {
  const { kms } = ss.clients;
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.KeyId;
  await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('audited') }));
  const r = await orSkip(t, 'GET /_sealstack/audit', () => ss.audit());
  if (!r) return;
  const encrypts = r.value.filter((e) => e.eventName === 'Encrypt');
  assert.equal(encrypts.length, 1, JSON.stringify(r.value));
  assert.equal(encrypts[0].eventSource, 'kms.amazonaws.com');
  assert.equal(encrypts[0].userIdentity.arn, ROOT_ARN);
}));

test('a bad flag rejects with the server stderr', async () => {
  await assert.rejects(startSealStack({ args: ['--no-such-flag'] }), (e) => {
    assert.match(e.message, /--no-such-flag/);
    assert.match(e.message, /--- sealstack stderr ---/);
    assert.doesNotMatch(e.message, /exit: code 0 /);
    return true;
  });
});

test('stop reports a server that died on its own', async () => {
  const ss = await startSealStack();
  process.kill(ss.pid, 'SIGKILL');
  assert.deepEqual(await ss.exited, { code: null, signal: 'SIGKILL' });
  await assert.rejects(ss.stop(), /exited on its own \(code null, signal SIGKILL\)/);
});

test('binary lookup: SEALSTACK_BIN, then PATH', () => {
  const real = findBinary();
  const saved = { bin: process.env.SEALSTACK_BIN, path: process.env.PATH };
  const dir = mkdtempSync(join(tmpdir(), 'sealstack-node-test-'));
  try {
    process.env.SEALSTACK_BIN = join(dir, 'missing');
    assert.throws(() => findBinary(), /SEALSTACK_BIN/);
    assert.equal(findBinary(real), real);
    delete process.env.SEALSTACK_BIN;
    mkdirSync(join(dir, 'bin'));
    symlinkSync(real, join(dir, 'bin', 'sealstack'));
    process.env.PATH = `${join(dir, 'bin')}:${saved.path}`;
    assert.equal(findBinary(), join(dir, 'bin', 'sealstack'));
  } finally {
    if (saved.bin === undefined) delete process.env.SEALSTACK_BIN;
    else process.env.SEALSTACK_BIN = saved.bin;
    process.env.PATH = saved.path;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explainLastDenial and simulate', () => withServer({}, async (ss) => {
  const kms = ss.newClient(KMSClient, { maxAttempts: 1 });
  assert.equal(await ss.explainLastDenial(), null);
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [
    { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'kms:*', Resource: '*' },
    { Sid: 'NoDisable', Effect: 'Deny', Principal: { AWS: ROOT_ARN }, Action: 'kms:DisableKey', Resource: '*' }] });
  const key = (await kms.send(new CreateKeyCommand({ Policy: policy, BypassPolicyLockoutSafetyCheck: true })))
    .KeyMetadata.Arn;
  await expectAwsError(kms.send(new DisableKeyCommand({ KeyId: key })), 'AccessDeniedException', 400);
  const why = await ss.explainLastDenial({ principal: ROOT_ARN });
  assert.deepEqual([why.action, why.result, why.decided_by.sid], ['kms:DisableKey', 'explicit_deny', 'NoDisable']);
  const sim = await ss.simulate({ principal: ROOT_ARN, action: 'kms:EnableKey', resource: key });
  assert.deepEqual([sim.result, sim.decided_by.sid], ['allow', 'Root']);
}));
