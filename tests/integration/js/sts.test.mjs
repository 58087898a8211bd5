// SealStack through the AWS SDK for JavaScript v3 (node --test).
// Starts its own server on --port 0 --in-memory (binary from SEALSTACK_BIN, default
// <repo>/build/server/sealstack), waits for the Ready line with a deadline, and at the end
// requires a clean exit (code 0) on SIGTERM.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { KMSClient, ListKeysCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { S3Client, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';

const BIN = process.env.SEALSTACK_BIN
  || fileURLToPath(new URL('../../../build/server/sealstack', import.meta.url));
const READY_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 10000;
const REGION = 'us-east-1';
const ROOT_ARN = 'arn:aws:iam::000000000000:root';

// Nothing from the environment may redirect the SDK or change its credentials/retries.
for (const name of Object.keys(process.env)) {
  if (/^AWS_/.test(name) || /^SEALSTACK_(?!BIN$)/.test(name) || /_proxy$/i.test(name)) {
    delete process.env[name];
  }
}
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

function startServer() {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['--host', '127.0.0.1', '--port', '0', '--in-memory'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = { proc, stderr: '', stdout: '', endpoint: null, exited: null };
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (d) => { server.stderr += d; });
    proc.stdout.setEncoding('utf8');
    const fail = (msg) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${msg}\n--- sealstack stderr ---\n${server.stderr}`));
    };
    const timer = setTimeout(() => fail(`no Ready line within ${READY_TIMEOUT_MS} ms`),
      READY_TIMEOUT_MS);
    proc.on('error', (e) => fail(`cannot start ${BIN}: ${e.message}`));
    proc.on('exit', (code, signal) => {
      server.exited = { code, signal };
      if (!server.endpoint) fail(`sealstack exited before Ready (code ${code}, signal ${signal})`);
    });
    proc.stdout.on('data', (d) => {
      server.stdout += d;
      if (server.endpoint) return;
      const nl = server.stdout.indexOf('\n');
      if (nl < 0) return;
      const line = server.stdout.slice(0, nl).replace(/\r$/, '');
      const m = /^Ready\. endpoint=(http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
      if (!m || Number(m[2]) === 0) return fail(`unexpected first stdout line: ${JSON.stringify(line)}`);
      clearTimeout(timer);
      server.endpoint = m[1];
      resolve(server);
    });
  });
}

function stopServer(server) {
  return new Promise((resolve, reject) => {
    const done = ({ code, signal }) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`sealstack exit code ${code} signal ${signal} after SIGTERM (expected 0)\n`
          + `--- sealstack stderr ---\n${server.stderr}`));
      } else if (server.stdout.split('\n').filter((l) => l.length).length !== 1) {
        reject(new Error(`sealstack printed more than the Ready line on stdout: ${JSON.stringify(server.stdout)}`));
      } else {
        resolve();
      }
    };
    const timer = setTimeout(() => {
      server.proc.kill('SIGKILL');
      reject(new Error(`sealstack did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n${server.stderr}`));
    }, STOP_TIMEOUT_MS);
    if (server.exited) return done(server.exited);
    server.proc.once('exit', (code, signal) => done({ code, signal }));
    server.proc.kill('SIGTERM');
  });
}

function clientConfig(endpoint, accessKeyId = 'test', secretAccessKey = 'test') {
  return {
    endpoint,
    region: REGION,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1, // a retried error would hide the first answer
  };
}

async function expectError(promise, name, status) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected ${name} (${status}), the call succeeded`);
  assert.equal(err.name, name, `error name (message: ${err.message})`);
  assert.equal(err.$metadata?.httpStatusCode, status, `HTTP status of ${err.name}`);
  assert.ok(err.$metadata?.requestId, `no request id on ${err.name}`);
  assert.equal(err.$metadata?.attempts ?? 1, 1);
  return err;
}

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

  it('S3 ListBuckets (not implemented yet) is NotImplemented 501', async () => {
    const s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    const err = await expectError(s3.send(new ListBucketsCommand({})), 'NotImplemented', 501);
    assert.ok(err.$metadata.extendedRequestId, 'no x-amz-id-2');
  });

  it('S3 PutObject with a body passes auth and is NotImplemented 501', async () => {
    const s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    await expectError(s3.send(new PutObjectCommand({
      Bucket: 'sealstack-test', Key: 'dir/hello.txt', Body: 'hello world',
    })), 'NotImplemented', 501);
  });

  it('S3 ListBuckets with a wrong secret is SignatureDoesNotMatch 403', async () => {
    const s3 = new S3Client({ ...clientConfig(server.endpoint, 'test', 'wrong'), forcePathStyle: true });
    await expectError(s3.send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
  });
});
