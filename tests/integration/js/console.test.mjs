// The web console (/_sealstack/console) in a real browser: Debian's chromium, headless, driven by
// puppeteer-core (pinned in package-lock.json). A server on --port 0 is seeded through the AWS
// SDK v3 and the AWS Encryption SDK (an ESDK object), then each page is loaded and the facts it
// shows are checked: a key's dependents, a denial's deciding statement, a client-side encrypted
// object, the posture findings. Screenshots go to SEALSTACK_SCREENSHOTS (default
// <repo>/build/console-screenshots). Registered as its own CTest (clients:console-browser).

import { mkdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import puppeteer from 'puppeteer-core';
import {
  KMS, KMSClient, CreateKeyCommand, CreateAliasCommand, DisableKeyCommand, EncryptCommand,
  DecryptCommand, CreateGrantCommand,
} from '@aws-sdk/client-kms';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import {
  GlueClient, CreateSecurityConfigurationCommand, CreateJobCommand,
} from '@aws-sdk/client-glue';
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const CHROMIUM = process.env.SEALSTACK_CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SEALSTACK_SCREENSHOTS
  || fileURLToPath(new URL('../../../build/console-screenshots', import.meta.url));
const ACCOUNT = '000000000000';
const ANALYST = `arn:aws:iam::${ACCOUNT}:user/Analyst`;
const ANALYST_KEY = 'AKIAANALYST000000001';
const ANALYST_SECRET = 'analyst-secret-never-shown';

describe('the SealStack console in headless chromium', () => {
  let server;
  let browser;
  let page;
  let keyArn;
  let deniedKeyArn;
  const offOrigin = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no chromium at ${CHROMIUM} (scripts/setup installs it)`);
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    const ep = server.endpoint;
    const seed = await fetch(`${ep}/_sealstack/seed`, {
      method: 'POST',
      body: JSON.stringify({ principals: [{ access_key_id: ANALYST_KEY, secret_access_key: ANALYST_SECRET,
        arn: ANALYST, policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }] },
      { arn: `arn:aws:iam::${ACCOUNT}:role/GlueJobRole`, policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*', 'kms:*'], Resource: '*' }] }] }] }),
    });
    assert.equal(seed.status, 200, await seed.text());

    const kms = new KMSClient(clientConfig(ep));
    const s3 = new S3Client({ ...clientConfig(ep), forcePathStyle: true });
    const glue = new GlueClient(clientConfig(ep));
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'console data key' }))).KeyMetadata.Arn;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/console-data', TargetKeyId: keyArn }));
    await kms.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: ANALYST, Operations: ['Decrypt'] }));
    // A key whose policy denies the analyst Decrypt by a named statement.
    deniedKeyArn = (await kms.send(new CreateKeyCommand({
      Description: 'billing',
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'NoAnalystDecrypt', Effect: 'Deny', Principal: { AWS: ANALYST }, Action: 'kms:Decrypt', Resource: '*' }] }),
    }))).KeyMetadata.Arn;
    const blob = (await kms.send(new EncryptCommand({ KeyId: deniedKeyArn, Plaintext: Buffer.from('x') }))).CiphertextBlob;
    const analyst = new KMSClient(clientConfig(ep, ANALYST_KEY, ANALYST_SECRET));
    await expectError(analyst.send(new DecryptCommand({ CiphertextBlob: blob })), 'AccessDeniedException', 400);

    await s3.send(new CreateBucketCommand({ Bucket: 'console-data' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'console-data', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'console-data', Key: 'report.csv', Body: 'a,b\n' }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'console-data', ServerSideEncryptionConfiguration: { Rules: [{
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, BucketKeyEnabled: true }] } }));
    await s3.send(new PutObjectCommand({ Bucket: 'console-data', Key: 'report.csv', Body: 'a,b\n1,2\n' }));
    await s3.send(new PutObjectCommand({ Bucket: 'console-data', Key: 'ledger.csv', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/console-data' }));

    // An object the AWS Encryption SDK wrote: its header names the KMS key.
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => new KMS(clientConfig(ep)) });
    const { result } = await encrypt(keyring, Buffer.from('client-side secret'), { encryptionContext: { purpose: 'console-test' } });
    await s3.send(new PutObjectCommand({ Bucket: 'console-data', Key: 'esdk.bin', Body: result }));

    await glue.send(new CreateSecurityConfigurationCommand({ Name: 'kms-output', EncryptionConfiguration: {
      S3Encryption: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: keyArn }] } }));
    await glue.send(new CreateJobCommand({ Name: 'nightly-etl', Role: 'GlueJobRole', SecurityConfiguration: 'kms-output',
      Command: { Name: 'pythonshell', ScriptLocation: 's3://console-data/etl.py' } }));
    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    page.on('request', (req) => {
      if (!req.url().startsWith(ep) && !req.url().startsWith('data:')) offOrigin.push(req.url());
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await stopServer(server);
  });

  async function open(hash, waitFor) {
    await page.goto(`${server.endpoint}/_sealstack/console/#${hash}`, { waitUntil: 'networkidle0' });
    await page.waitForSelector(waitFor, { timeout: 10000 });
    return page.$eval('main', (m) => m.innerText);
  }

  async function shot(name) {
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  }

  it('the ESDK object is recognised on write (admin view)', async () => {
    const resp = await fetch(`${server.endpoint}/_sealstack/s3/console-data/esdk.bin`);
    assert.equal(resp.status, 200);
    const view = await resp.json();
    assert.equal(view.client_side.format, 'aws-encryption-sdk');
    assert.deepEqual(view.client_side.kms_keys, [keyArn]);
    assert.equal(view.client_side.algorithm, 'AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384');
    assert.equal(view.client_side.message_version, 2);
    assert.equal(view.client_side.context.purpose, 'console-test');
    assert.equal(view.mode, 'SSE-KMS'); // the bucket default's server-side layer, too
  });

  it('overview: posture findings, most severe first', async () => {
    const text = await open('/', '#findings');
    assert.match(text, /Encryption posture/);
    const rules = await page.$$eval('#findings tbody tr', (rows) => rows.map((r) => r.dataset.rule));
    assert.ok(rules.includes('kms-disabled-in-use'), rules.join(','));
    assert.ok(rules.includes('s3-client-side-key-unusable'), rules.join(','));
    const first = await page.$eval('#findings tbody tr .sev', (s) => s.textContent);
    assert.equal(first, 'high');
    await shot('overview');
  });

  it('keys list and a key: state, policy, grants, dependents, usage timeline', async () => {
    let text = await open('/keys', '#keys');
    assert.match(text, /alias\/console-data/);
    await shot('keys');
    text = await open(`/keys/${encodeURIComponent(keyArn)}`, '#dependents');
    assert.match(text, /Disabled/);
    const summary = await page.$eval('#dependents-summary', (p) => p.textContent);
    assert.match(summary, /^3 object version\(s\), 1 client-side encrypted object\(s\), 0 catalog entr\(ies\), 1 security configuration\(s\), 1 job\(s\), 1 grant\(s\)/);
    const deps = await page.$eval('#dependents', (t) => t.innerText);
    assert.match(deps, /s3:\/\/console-data\/report\.csv/);
    assert.match(deps, /s3:\/\/console-data\/ledger\.csv/);
    // esdk.bin: sealed server-side under the bucket default and client-side under the same key.
    assert.match(deps, /server-side SSE-KMS \(bucket key\); client-side aws-encryption-sdk/);
    assert.match(deps, /nightly-etl/);
    assert.match(text, /"Sid": "Enable IAM User Permissions"/); // the policy, pretty-printed
    const timeline = await page.$eval('#timeline', (t) => t.innerText);
    assert.match(timeline, /DisableKey/);
    assert.match(timeline, /GenerateDataKey/);
    await shot('key');
  });

  it('a bucket: default encryption and each version with its client-side layer', async () => {
    let text = await open('/buckets', '#buckets');
    assert.match(text, /console-data/);
    text = await open('/buckets/console-data', '#objects tbody tr');
    assert.match(text, /SSE-KMS with arn:aws:kms:/); // the default key, as a link to its page
    assert.doesNotMatch(text, /http:\/\//);
    const esdkRow = await page.$eval('#objects tr[data-key="esdk.bin"]', (r) => r.innerText);
    assert.match(esdkRow, /aws-encryption-sdk/);
    assert.match(esdkRow, /AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384/);
    assert.ok(esdkRow.includes(keyArn));
    const reportRows = await page.$$eval('#objects tr[data-key="report.csv"]', (rows) => rows.map((r) => r.innerText));
    assert.equal(reportRows.length, 2);
    assert.ok(reportRows.some((r) => /SSE-S3/.test(r) && /bucket default: SSE-KMS/.test(r)));
    await shot('bucket');
  });

  it('decisions: a denial with its deciding statement; the simulator', async () => {
    const text = await open('/decisions', '#decisions');
    const denied = await page.$$eval('#decisions tr[data-result="explicit_deny"]', (rows) => rows.map((r) => r.innerText));
    assert.ok(denied.length >= 1, text);
    assert.match(denied[0], /key policy/);
    assert.match(denied[0], /Sid "NoAnalystDecrypt"/);
    await page.type('#s-principal', ANALYST);
    await page.$eval('#s-action', (i) => { i.value = ''; });
    await page.type('#s-action', 'kms:Decrypt');
    await page.type('#s-resource', deniedKeyArn);
    await page.click('form.stack button[type=submit]');
    await page.waitForFunction(() => /deny/.test(document.querySelector('#simulate-result').innerText), { timeout: 10000 });
    const sim = await page.$eval('#simulate-result', (d) => d.innerText);
    assert.match(sim, /explicit_deny/);
    assert.match(sim, /NoAnalystDecrypt/);
    await shot('decisions');
  });

  it('Glue and the audit trail (filtered)', async () => {
    let text = await open('/glue', '#glue-jobs');
    assert.match(text, /nightly-etl/);
    assert.match(text, /kms-output/);
    await shot('glue');
    text = await open('/audit?account=000000000000&attribute=EventName&value=DisableKey', '#audit');
    const rows = await page.$$eval('#audit tbody tr', (r) => r.map((x) => x.innerText));
    assert.equal(rows.length, 1);
    assert.match(rows[0], /DisableKey/);
    await shot('audit');
  });

  it('is keyboard-usable and labelled, fetches nothing elsewhere, shows no secret', async () => {
    await open('/decisions', '#decisions');
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els
      .filter((e) => !(e.id && document.querySelector(`label[for="${e.id}"]`)))
      .map((e) => e.outerHTML));
    assert.deepEqual(unlabelled, []);
    await page.goto(`${server.endpoint}/_sealstack/console/`, { waitUntil: 'networkidle0' });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#/');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#keys');
    assert.equal(await page.evaluate(() => location.hash), '#/keys');
    assert.deepEqual(offOrigin, []);
    for (const hash of ['/', '/keys', `/keys/${encodeURIComponent(keyArn)}`, '/buckets/console-data', '/glue', '/audit', '/decisions']) {
      await page.goto(`${server.endpoint}/_sealstack/console/#${hash}`, { waitUntil: 'networkidle0' });
      const html = await page.content();
      assert.ok(!html.includes(ANALYST_SECRET), `secret shown on ${hash}`);
      assert.ok(!html.includes('client-side secret'), `plaintext shown on ${hash}`);
    }
  });
});
