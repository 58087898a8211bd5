// Shared by the node --test files: start a sealstack on --port 0 --in-memory (binary from
// SEALSTACK_BIN, default <repo>/build/server/sealstack), wait for the Ready line with a
// deadline, stop it with SIGTERM requiring exit code 0; SDK client settings; error checks.
// Importing this module also clears every AWS_* variable so nothing redirects the SDKs.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const BIN = process.env.SEALSTACK_BIN
  || fileURLToPath(new URL('../../../build/server/sealstack', import.meta.url));
const READY_TIMEOUT_MS = 15000;
const STOP_TIMEOUT_MS = 10000;
export const REGION = 'us-east-1';

// Nothing from the environment may redirect the SDK or change its credentials/retries.
for (const name of Object.keys(process.env)) {
  if (/^AWS_/.test(name) || /^SEALSTACK_(?!BIN$)/.test(name) || /_proxy$/i.test(name)) {
    delete process.env[name];
  }
}
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export function startServer() {
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

export function stopServer(server) {
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

export function clientConfig(endpoint, accessKeyId = 'test', secretAccessKey = 'test') {
  return {
    endpoint,
    region: REGION,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1, // a retried error would hide the first answer
  };
}

export async function expectError(promise, name, status) {
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
