// A glueetl job end to end through the AWS SDK for JavaScript v3 (issue 19): CSV in an SSE-KMS
// bucket, transformed by SealStack's awsglue layer, written under the security configuration's
// key (checked in the admin view); the run's output read back from CloudWatch Logs with
// @aws-sdk/client-cloudwatch-logs, encrypted under the configuration's CloudWatch key, and
// refused once that key is disabled; a job bookmark that skips the processed object on the
// second run; and a role the output key does not name failing with a message naming it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  GlueClient, CreateJobCommand, StartJobRunCommand, GetJobRunCommand,
  CreateSecurityConfigurationCommand,
} from '@aws-sdk/client-glue';
import {
  CloudWatchLogsClient, GetLogEventsCommand, DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { KMSClient, CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, PutBucketEncryptionCommand,
  ListObjectsV2Command, GetObjectCommand,
} from '@aws-sdk/client-s3';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const ACCOUNT = '000000000000';
const ROLE = 'JsEtlRole';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const OTHER = 'JsOtherRole';
const OTHER_ARN = `arn:aws:iam::${ACCOUNT}:role/${OTHER}`;
const WORK = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*', 'kms:*', 'glue:*', 'logs:*'], Resource: '*' }],
});
// No kms:* of its own: it may use only the keys whose policies name it (an identity-policy Allow
// would let it in through the key policies' account delegation).
const NO_KMS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*', 'glue:*', 'logs:*'], Resource: '*' }],
});

// Root administers; only the named roles may use the key.
function keyPolicy(...roles) {
  const statements = [{
    Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: ['kms:Create*', 'kms:Describe*', 'kms:Put*', 'kms:Get*', 'kms:List*', 'kms:Enable*',
      'kms:Disable*', 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
  }];
  for (const [i, arn] of roles.entries()) {
    statements.push({
      Sid: `use${i}`, Effect: 'Allow', Principal: { AWS: arn },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt', 'kms:Encrypt', 'kms:DescribeKey'],
      Resource: '*',
    });
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const ETL = `
import sys
from awsglue.utils import getResolvedOptions
from awsglue.context import GlueContext
from awsglue.job import Job
args = getResolvedOptions(sys.argv, ["JOB_NAME", "source", "target"])
gc = GlueContext()
job = Job(gc)
job.init(args["JOB_NAME"], args)
src = gc.create_dynamic_frame.from_options(
    connection_type="s3", connection_options={"paths": [args["source"]]},
    format="csv", format_options={"withHeader": True}, transformation_ctx="src")
print("read", src.count())
big = src.filter(lambda r: r["amount"] >= 10).rename_field("name", "customer")
gc.write_dynamic_frame.from_options(
    frame=big, connection_type="s3", connection_options={"path": args["target"]}, format="json")
job.commit()
print("wrote", big.count())
`;

describe('a glueetl job with AWS SDK for JavaScript v3', () => {
  let server;
  let glue;
  let s3;
  let kms;
  let logs;
  let outKey;
  let logKey;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealstack-glue-etl-js-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({
      principals: [{ arn: ROLE_ARN, policies: [WORK] }, { arn: OTHER_ARN, policies: [NO_KMS] }],
    }));
    process.env.SEALSTACK_CONFIG = config;
    try {
      server = await startServer();
    } finally {
      delete process.env.SEALSTACK_CONFIG;
    }
    const cfg = clientConfig(server.endpoint);
    glue = new GlueClient(cfg);
    s3 = new S3Client({ ...cfg, forcePathStyle: true });
    kms = new KMSClient(cfg);
    logs = new CloudWatchLogsClient(cfg);

    const inKey = (await kms.send(new CreateKeyCommand({ Policy: keyPolicy(ROLE_ARN, OTHER_ARN) })))
      .KeyMetadata.Arn;
    outKey = (await kms.send(new CreateKeyCommand({ Policy: keyPolicy(ROLE_ARN) }))).KeyMetadata.Arn;
    logKey = (await kms.send(new CreateKeyCommand({ Policy: keyPolicy(ROLE_ARN, OTHER_ARN) })))
      .KeyMetadata.Arn;
    for (const bucket of ['js-etl-in', 'js-etl-out', 'js-etl-scripts']) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
    await s3.send(new PutBucketEncryptionCommand({
      Bucket: 'js-etl-in',
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: inKey } }],
      },
    }));
    await s3.send(new PutObjectCommand({
      Bucket: 'js-etl-in', Key: 'orders/a.csv',
      Body: 'id,name,amount\n1,ann,10\n2,bob,5\n3,cy,40\n',
    }));
    await s3.send(new PutObjectCommand({ Bucket: 'js-etl-scripts', Key: 'etl.py', Body: ETL }));
    await glue.send(new CreateSecurityConfigurationCommand({
      Name: 'js-etl-sc',
      EncryptionConfiguration: {
        S3Encryption: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: outKey }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: logKey },
      },
    }));
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  async function run(job, args = {}) {
    const { JobRunId } = await glue.send(new StartJobRunCommand({ JobName: job, Arguments: args }));
    const deadline = Date.now() + 60000;
    for (;;) {
      const r = (await glue.send(new GetJobRunCommand({ JobName: job, RunId: JobRunId }))).JobRun;
      if (['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMEOUT', 'ERROR'].includes(r.JobRunState)) return r;
      assert.ok(Date.now() < deadline, `run ${JobRunId} of ${job} did not finish`);
      await new Promise((resolve) => setTimeout(resolve, 50)); // polling a state, as waiters do
    }
  }

  async function adminView(bucket, key) {
    const r = await fetch(`${server.endpoint}/_sealstack/s3/${bucket}/${key}`);
    assert.equal(r.status, 200);
    return r.json();
  }

  async function outputObjects(prefix) {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'js-etl-out', Prefix: prefix }));
    return (out.Contents ?? []).map((o) => o.Key).sort();
  }

  it('writes the transformed rows under the security configuration key, logs included', async () => {
    await glue.send(new CreateJobCommand({
      Name: 'js-etl', Role: ROLE, SecurityConfiguration: 'js-etl-sc', GlueVersion: '4.0',
      Command: { Name: 'glueetl', ScriptLocation: 's3://js-etl-scripts/etl.py' },
      DefaultArguments: { '--source': 's3://js-etl-in/orders/', '--target': 's3://js-etl-out/big/' },
    }));
    const r = await run('js-etl');
    assert.equal(r.JobRunState, 'SUCCEEDED', r.ErrorMessage);

    const keys = await outputObjects('big/');
    assert.ok(keys.length >= 1, 'no output');
    const rows = [];
    for (const key of keys) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: 'js-etl-out', Key: key })))
        .Body.transformToString();
      rows.push(...body.split('\n').filter(Boolean).map((line) => JSON.parse(line)));
      const view = await adminView('js-etl-out', key);
      assert.equal(view.mode, 'SSE-KMS');
      assert.equal(view.kms_key_arn, outKey);
    }
    assert.deepEqual(rows.map((x) => [x.id, x.customer]).sort(), [[1, 'ann'], [3, 'cy']]);

    const group = `/aws-glue/jobs/js-etl-sc-role/${ROLE}/output`;
    assert.equal(r.LogGroupName, `/aws-glue/jobs/js-etl-sc-role/${ROLE}`);
    const described = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    assert.equal(described.logGroups[0].kmsKeyId, logKey);
    const events = await logs.send(new GetLogEventsCommand({
      logGroupName: group, logStreamName: r.Id, startFromHead: true,
    }));
    const messages = events.events.map((e) => e.message);
    assert.ok(messages.includes('read 3'), messages.join('|'));
    assert.ok(messages.includes('wrote 2'), messages.join('|'));
  });

  it('a job bookmark skips the object the first run processed', async () => {
    await glue.send(new CreateJobCommand({
      Name: 'js-bookmarked', Role: ROLE, SecurityConfiguration: 'js-etl-sc',
      Command: { Name: 'glueetl', ScriptLocation: 's3://js-etl-scripts/etl.py' },
      DefaultArguments: {
        '--source': 's3://js-etl-in/orders/', '--target': 's3://js-etl-out/bookmarked/',
        '--job-bookmark-option': 'job-bookmark-enable',
      },
    }));
    assert.equal((await run('js-bookmarked')).JobRunState, 'SUCCEEDED');
    await s3.send(new PutObjectCommand({
      Bucket: 'js-etl-in', Key: 'orders/b.csv', Body: 'id,name,amount\n4,dee,70\n',
    }));
    const second = await run('js-bookmarked', { '--target': 's3://js-etl-out/bookmarked2/' });
    assert.equal(second.JobRunState, 'SUCCEEDED', second.ErrorMessage);
    const rows = [];
    for (const key of await outputObjects('bookmarked2/')) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: 'js-etl-out', Key: key })))
        .Body.transformToString();
      rows.push(...body.split('\n').filter(Boolean).map((line) => JSON.parse(line)));
    }
    assert.deepEqual(rows.map((x) => x.id), [4]); // only the new object
  });

  it('a role the output key does not name fails the run, naming role, action and key', async () => {
    await glue.send(new CreateJobCommand({
      Name: 'js-denied', Role: OTHER, SecurityConfiguration: 'js-etl-sc',
      Command: { Name: 'glueetl', ScriptLocation: 's3://js-etl-scripts/etl.py' },
      DefaultArguments: { '--source': 's3://js-etl-in/orders/', '--target': 's3://js-etl-out/denied/' },
    }));
    const r = await run('js-denied');
    assert.equal(r.JobRunState, 'FAILED');
    assert.match(r.ErrorMessage, new RegExp(`assumed-role/${OTHER}/`));
    assert.match(r.ErrorMessage, /kms:GenerateDataKey/);
    assert.ok(r.ErrorMessage.includes(outKey), r.ErrorMessage);
    assert.deepEqual(await outputObjects('denied/'), []);
  });

  it('the run logs are refused once the log key is disabled', async () => {
    const group = `/aws-glue/jobs/js-etl-sc-role/${ROLE}/output`;
    const stream = (await run('js-etl')).Id;
    const read = () => logs.send(new GetLogEventsCommand({
      logGroupName: group, logStreamName: stream, startFromHead: true,
    }));
    assert.ok((await read()).events.length > 0);
    await kms.send(new DisableKeyCommand({ KeyId: logKey }));
    const err = await expectError(read(), 'AccessDeniedException', 400);
    assert.ok(err.message.includes(logKey), err.message);
  });
});
