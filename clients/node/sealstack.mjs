// Run SealStack from Node tests: start the local binary on a free port and get ready
// AWS SDK v3 clients plus the admin calls (docs/admin-api.md).
//
//   import { startSealStack } from './sealstack.mjs';
//   const ss = await startSealStack();                 // or { binary, args, seed, config, region }
//   const { KeyMetadata } = await ss.clients.kms.send(new CreateKeyCommand({}));
//   await ss.stop();                                   // SIGTERM, requires exit code 0
//
// The binary: `binary`, else $SEALSTACK_BIN, else `sealstack` on PATH, else
// ../../build/server/sealstack relative to this file (a build of this repository). It runs as
// `sealstack --host 127.0.0.1 --port 0 --in-memory --region REGION [args]`; the promise
// resolves once it printed `Ready. endpoint=http://127.0.0.1:PORT` on stdout.
//
// The @aws-sdk/client-{s3,kms,sts} packages come from your project; if they cannot be
// imported from here, from $SEALSTACK_SDK_DIR or this repository's tests/integration/js.
//
// Admin calls are thin (one HTTP request each, JSON answer). An admin endpoint this server
// build does not have rejects with an AdminEndpointMissing error (`err.missing === true`), so
// a test can skip on it rather than pass silently.

import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_CREDENTIALS = Object.freeze({ accessKeyId: 'test', secretAccessKey: 'test' });
const READY_TIMEOUT_MS = Number(process.env.SEALSTACK_READY_TIMEOUT_MS || 15000);
const STOP_TIMEOUT_MS = Number(process.env.SEALSTACK_STOP_TIMEOUT_MS || 10000);
const READY_RE = /^Ready\. endpoint=(http:\/\/\S+?:(\d+))(?: https_endpoint=(\S+))?$/;

export class SealStackAdminError extends Error {
  constructor(method, path, status, code, message) {
    super(`${method} ${path}: HTTP ${status} ${code}: ${message}`);
    this.name = 'SealStackAdminError';
    Object.assign(this, { status, code, adminMessage: message, missing: false });
  }
}

export class AdminEndpointMissing extends SealStackAdminError {
  constructor(...args) {
    super(...args);
    this.name = 'AdminEndpointMissing';
    this.missing = true;
  }
}

function isExecutable(path) {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The sealstack binary: `binary`, else $SEALSTACK_BIN, else PATH, else the repository build. */
export function findBinary(binary) {
  const tried = [];
  const candidates = [];
  if (binary) candidates.push(['argument', binary]);
  else if (process.env.SEALSTACK_BIN) candidates.push(['SEALSTACK_BIN', process.env.SEALSTACK_BIN]);
  else {
    for (const dir of (process.env.PATH || '').split(delimiter)) {
      if (dir) candidates.push(['PATH', join(dir, 'sealstack')]);
    }
    candidates.push(['repository build',
      fileURLToPath(new URL('../../build/server/sealstack', import.meta.url))]);
  }
  for (const [where, path] of candidates) {
    if (isExecutable(path)) return path;
    if (where !== 'PATH') tried.push(`${where}: ${path}`);
  }
  throw new Error(`no executable sealstack binary (${tried.join(', ') || 'nothing on PATH'}); `
    + 'set SEALSTACK_BIN or put sealstack on PATH');
}

/** Import an npm package from the caller's project, else from $SEALSTACK_SDK_DIR or the
 * repository's tests/integration/js (where this repository pins the SDK). */
export async function importSdk(name) {
  try {
    return await import(name);
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  const dirs = [process.env.SEALSTACK_SDK_DIR,
    fileURLToPath(new URL('../../tests/integration/js/', import.meta.url))].filter(Boolean);
  for (const dir of dirs) {
    try {
      const resolved = createRequire(join(dir, 'package.json')).resolve(name);
      return await import(pathToFileURL(resolved).href);
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND' && e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
  }
  throw new Error(`cannot import ${name}: install it in your project, or set SEALSTACK_SDK_DIR `
    + `to a directory whose node_modules has it (tried ${dirs.join(', ')})`);
}

function tail(text, limit = 8000) {
  return `--- sealstack stderr ---\n${text.length <= limit ? text : `...\n${text.slice(-limit)}`}`;
}

/**
 * Start a server. Options: binary, args (extra flags), seed (a seed document, POSTed to
 * /_sealstack/seed once ready and again after reset()), config (written to a file for
 * --config), region, credentials ({accessKeyId, secretAccessKey}), env (the server's
 * environment; default this process's minus SEALSTACK_* other than SEALSTACK_ROOT_KEY).
 */
export async function startSealStack(options = {}) {
  const {
    binary, args = [], seed, config, region = DEFAULT_REGION,
    credentials = DEFAULT_CREDENTIALS, env, readyTimeoutMs = READY_TIMEOUT_MS,
  } = options;
  const path = findBinary(binary);
  const workdir = mkdtempSync(join(tmpdir(), 'sealstack-'));
  const argv = ['--host', '127.0.0.1', '--port', '0', '--in-memory', '--region', region];
  if (config !== undefined) {
    const file = join(workdir, 'sealstack-config.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    argv.push('--config', file);
  }
  argv.push(...args.map(String));
  if (argv.some((a) => a === '--data-dir' || a.startsWith('--data-dir='))) {
    argv.splice(argv.indexOf('--in-memory'), 1);
  }
  const serverEnv = env ?? Object.fromEntries(Object.entries(process.env)
    .filter(([k]) => !k.startsWith('SEALSTACK_') || k === 'SEALSTACK_ROOT_KEY'));

  const proc = spawn(path, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv });
  const state = { stderr: '', stdout: '', exited: null };
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { state.stderr += d; });
  proc.stdout.setEncoding('utf8');
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => { state.exited = { code, signal }; resolve(state.exited); });
  });

  let ready;
  try {
    ready = await new Promise((resolve, reject) => {
      let settled = false;
      const fail = (msg) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!state.exited) proc.kill('SIGKILL');
        // The exit (and the rest of stderr) follows; report once it is in.
        exited.then(({ code, signal }) => reject(new Error(
          `${msg}\ncommand: ${path} ${argv.join(' ')}\nexit: code ${code} signal ${signal}\n`
          + tail(state.stderr))));
      };
      const timer = setTimeout(() => fail(`no Ready line on stdout within ${readyTimeoutMs} ms`),
        readyTimeoutMs);
      proc.on('error', (e) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(`cannot start ${path}: ${e.message}`));
      });
      proc.on('exit', () => fail('sealstack exited before its Ready line'));
      proc.stdout.on('data', (d) => {
        state.stdout += d;
        const nl = state.stdout.indexOf('\n');
        if (nl < 0) return;
        proc.stdout.removeAllListeners('data');
        proc.stdout.on('data', (more) => { state.stdout += more; });
        const line = state.stdout.slice(0, nl).replace(/\r$/, '');
        const m = READY_RE.exec(line);
        if (!m || Number(m[2]) === 0) {
          fail(`first stdout line is not 'Ready. endpoint=http://HOST:PORT': ${JSON.stringify(line)}`);
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ endpoint: m[1].replace('://0.0.0.0:', '://127.0.0.1:'), httpsEndpoint: m[3] });
      });
    });
  } catch (e) {
    rmSync(workdir, { recursive: true, force: true });
    throw e;
  }

  const [{ S3Client }, { KMSClient }, { STSClient }] = await Promise.all([
    importSdk('@aws-sdk/client-s3'), importSdk('@aws-sdk/client-kms'),
    importSdk('@aws-sdk/client-sts')]);

  const { endpoint } = ready;
  const made = []; // every client made here, destroyed at stop()
  let stopped = false;

  const handle = {
    endpoint,
    httpsEndpoint: ready.httpsEndpoint,
    port: Number(new URL(endpoint).port),
    region,
    credentials: { ...credentials },
    args: [path, ...argv],
    pid: proc.pid,
    proc,
    /** Resolves with {code, signal} when the server process has exited. */
    exited,
    get stderr() { return state.stderr; },
    /** AWS SDK v3 client settings for this server (add your own, e.g. maxAttempts). */
    clientConfig(extra = {}) {
      return {
        endpoint, region, credentials: { ...credentials }, forcePathStyle: true, ...extra,
      };
    },
    /** `new ClientClass(clientConfig(extra))`, destroyed at stop(). */
    newClient(ClientClass, extra = {}) {
      const c = new ClientClass(handle.clientConfig(extra));
      made.push(c);
      return c;
    },
    /** Environment variables that point SDKs and the AWS CLI at this server. */
    get env() {
      return {
        AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
      };
    },

    async admin(method, adminPath, body) {
      const p = `/_sealstack/${adminPath.replace(/^\/+/, '')}`;
      const init = { method, headers: { accept: 'application/json' } };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        init.headers['content-type'] = 'application/json';
      }
      const res = await fetch(endpoint + p, init);
      const text = await res.text();
      if (res.status >= 400) {
        let code = '';
        let message = text.slice(0, 500);
        try {
          const doc = JSON.parse(text);
          code = doc.error ?? '';
          message = doc.message ?? message;
        } catch { /* not JSON */ }
        const missing = res.status === 404 && code === 'NotFound'
          && message.startsWith('no admin endpoint');
        throw new (missing ? AdminEndpointMissing : SealStackAdminError)(method, p, res.status, code, message);
      }
      if (!text.trim()) return null;
      try {
        return JSON.parse(text);
      } catch {
        return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)); // JSON lines
      }
    },
    health() { return handle.admin('GET', 'health'); },
    /**
     * Drop all state and return the clock to real time (an account's reset, or keepClock, leaves
     * the clock); re-applies the start seed unless told not to.
     */
    async reset({ account, reseed = true, keepClock = false } = {}) {
      const body = account === undefined ? {} : { account };
      if (keepClock) body.keep_clock = true;
      await handle.admin('POST', 'reset', body);
      if (reseed && seed !== undefined) await handle.seed(seed);
    },
    clock() { return handle.admin('GET', 'clock'); },
    /** Moves server time only: clients keep signing with the real time (docs/admin-api.md). */
    advanceClock(seconds) {
      return handle.admin('POST', 'clock', { advance_seconds: seconds });
    },
    /** A Date, an ISO-8601 string, or 'now' (back to real time). */
    setClock(when) {
      const iso = when instanceof Date ? when.toISOString() : String(when);
      return handle.admin('POST', 'clock', { set: iso });
    },
    /** fault: {service, operation, error, count, probability, latency_ms, resource}; -> id */
    async addFault(fault) {
      return (await handle.admin('POST', 'faults', fault)).id;
    },
    faults() { return handle.admin('GET', 'faults'); },
    async clearFaults() { await handle.admin('DELETE', 'faults'); },
    async deleteFault(id) { await handle.admin('DELETE', `faults/${encodeURIComponent(id)}`); },
    seed(doc) { return handle.admin('POST', 'seed', doc); },
    async audit() {
      const doc = await handle.admin('GET', 'audit');
      if (doc === null) return [];
      return Array.isArray(doc) ? doc : [doc];
    },
    /** The latest authorization decisions, explained, newest first (filters: principal, ...). */
    async decisions(filters = {}) {
      const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== undefined));
      const path = q.toString() ? `decisions?${q}` : 'decisions';
      return (await handle.admin('GET', path)).decisions;
    },
    /** The newest denial (of `principal`, if given), explained; null when there is none. */
    async explainLastDenial({ principal } = {}) {
      const found = await handle.decisions({ result: 'deny', principal, limit: 1 });
      return found[0] ?? null;
    },
    /** What the policies would decide, explained, without making the call. */
    simulate({ principal, action, resource = '*', context }) {
      return handle.admin('POST', 'simulate', { principal, action, resource, ...(context ? { context } : {}) });
    },
    objectInfo(bucket, key) {
      return handle.admin('GET', `s3/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`);
    },

    /** SIGTERM; resolves when the server exited 0, rejects otherwise. */
    async stop({ signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS } = {}) {
      if (stopped) return;
      stopped = true;
      for (const c of made) c.destroy();
      try {
        if (state.exited) {
          throw new Error(`sealstack exited on its own (code ${state.exited.code}, signal `
            + `${state.exited.signal})\n${tail(state.stderr)}`);
        }
        let timer;
        const timeout = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, null); });
        proc.kill(signal);
        const result = await Promise.race([exited, timeout]);
        clearTimeout(timer);
        if (result === null) {
          proc.kill('SIGKILL');
          await exited;
          throw new Error(`sealstack did not exit within ${timeoutMs} ms of ${signal}\n${tail(state.stderr)}`);
        }
        if (result.code !== 0) {
          throw new Error(`sealstack exited with code ${result.code} signal ${result.signal} `
            + `after ${signal} (expected 0)\n${tail(state.stderr)}`);
        }
      } finally {
        rmSync(workdir, { recursive: true, force: true });
      }
    },
  };

  handle.clients = {
    s3: handle.newClient(S3Client),
    kms: handle.newClient(KMSClient),
    sts: handle.newClient(STSClient),
  };

  if (seed !== undefined) {
    try {
      await handle.seed(seed);
    } catch (e) {
      await handle.stop().catch(() => {});
      throw e;
    }
  }
  return handle;
}
