// Glue jobs and security configurations through @aws-sdk/client-glue (SDK for JavaScript v3).
// The server gets a config (through SEALSTACK_CONFIG) that lists the job role GlueJobRole.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  GlueClient, CreateJobCommand, GetJobCommand, GetJobsCommand, DeleteJobCommand,
  CreateSecurityConfigurationCommand, GetSecurityConfigurationCommand,
  GetSecurityConfigurationsCommand, DeleteSecurityConfigurationCommand,
  CreateDatabaseCommand, CreateCrawlerCommand, StartCrawlerCommand, GetCrawlerCommand,
  StopCrawlerCommand, GetTableCommand, GetPartitionsCommand, BatchGetPartitionCommand,
  UpdatePartitionCommand, DeletePartitionCommand, GetCrawlerMetricsCommand,
  CreateTriggerCommand, StartTriggerCommand, GetTriggerCommand, GetJobRunsCommand,
} from '@aws-sdk/client-glue';
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  S3Client, CreateBucketCommand, PutObjectCommand,
} from '@aws-sdk/client-s3';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/GlueJobRole';

describe('Glue with AWS SDK for JavaScript v3', () => {
  let server;
  let glue;

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sealstack-glue-js-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ principals: [{ arn: ROLE_ARN }] }));
    process.env.SEALSTACK_CONFIG = config;
    try {
      server = await startServer();
    } finally {
      delete process.env.SEALSTACK_CONFIG;
    }
    glue = new GlueClient(clientConfig(server.endpoint));
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  it('creates, reads, lists and deletes a job', async () => {
    const out = await glue.send(new CreateJobCommand({
      Name: 'js-job', Role: 'GlueJobRole',
      Command: { Name: 'pythonshell', ScriptLocation: 's3://b/k.py' },
      DefaultArguments: { '--x': '1' },
    }));
    assert.equal(out.Name, 'js-job');
    const job = (await glue.send(new GetJobCommand({ JobName: 'js-job' }))).Job;
    assert.equal(job.Role, 'GlueJobRole');
    assert.ok(job.CreatedOn instanceof Date);
    assert.deepEqual(job.DefaultArguments, { '--x': '1' });
    const jobs = await glue.send(new GetJobsCommand({}));
    assert.deepEqual(jobs.Jobs.map((j) => j.Name), ['js-job']);
    await expectError(glue.send(new CreateJobCommand({
      Name: 'js-job', Role: 'GlueJobRole', Command: { Name: 'pythonshell' },
    })), 'AlreadyExistsException', 400);
    await expectError(glue.send(new CreateJobCommand({
      Name: 'other', Role: 'Nobody', Command: { Name: 'pythonshell' },
    })), 'InvalidInputException', 400);
    await glue.send(new DeleteJobCommand({ JobName: 'js-job' }));
    await expectError(glue.send(new GetJobCommand({ JobName: 'js-job' })),
      'EntityNotFoundException', 400);
  });

  it('creates and validates security configurations', async () => {
    const key = 'arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000001';
    const out = await glue.send(new CreateSecurityConfigurationCommand({
      Name: 'js-sc',
      EncryptionConfiguration: {
        S3Encryption: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: key }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'DISABLED' },
      },
    }));
    assert.equal(out.Name, 'js-sc');
    assert.ok(out.CreatedTimestamp instanceof Date);
    const sc = (await glue.send(new GetSecurityConfigurationCommand({ Name: 'js-sc' })))
      .SecurityConfiguration;
    assert.equal(sc.EncryptionConfiguration.S3Encryption[0].KmsKeyArn, key);
    assert.ok(sc.CreatedTimeStamp instanceof Date);
    const all = await glue.send(new GetSecurityConfigurationsCommand({}));
    assert.deepEqual(all.SecurityConfigurations.map((s) => s.Name), ['js-sc']);
    await expectError(glue.send(new CreateSecurityConfigurationCommand({
      Name: 'bad',
      EncryptionConfiguration: { S3Encryption: [{ S3EncryptionMode: 'SSE-KMS' }] },
    })), 'InvalidInputException', 400);
    await glue.send(new DeleteSecurityConfigurationCommand({ Name: 'js-sc' }));
    await expectError(glue.send(new DeleteSecurityConfigurationCommand({ Name: 'js-sc' })),
      'EntityNotFoundException', 400);
  });
});

describe('Glue crawlers and partitions with AWS SDK for JavaScript v3', () => {
  let server;
  let glue;

  before(async () => {
    server = await startServer();
    const cfg = clientConfig(server.endpoint);
    glue = new GlueClient(cfg);
    const iam = new IAMClient(cfg);
    await iam.send(new CreateRoleCommand({
      RoleName: 'JsCrawler',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'glue.amazonaws.com' },
          Action: 'sts:AssumeRole' }],
      }),
    }));
    await iam.send(new PutRolePolicyCommand({
      RoleName: 'JsCrawler', PolicyName: 'crawl',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['s3:*', 'glue:*', 'kms:*'], Resource: '*' }],
      }),
    }));
    const key = (await new KMSClient(cfg).send(new CreateKeyCommand({}))).KeyMetadata.Arn;
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'js-crawl' }));
    for (const day of ['2024-01-01', '2024-01-02', '2024-02-01']) {
      await s3.send(new PutObjectCommand({
        Bucket: 'js-crawl', Key: `logs/visits/day=${day}/part.csv`,
        Body: 'user,count\nann,3\nbob,4\n',
        ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key,
      }));
    }
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'jsdb' } }));
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  it('crawls SSE-KMS CSV into a partitioned table and filters its partitions', async () => {
    await glue.send(new CreateCrawlerCommand({
      Name: 'js-crawler', Role: 'JsCrawler', DatabaseName: 'jsdb',
      Targets: { S3Targets: [{ Path: 's3://js-crawl/logs/' }] },
    }));
    await expectError(glue.send(new StopCrawlerCommand({ Name: 'js-crawler' })),
      'CrawlerNotRunningException', 400);
    await glue.send(new StartCrawlerCommand({ Name: 'js-crawler' }));
    let crawler;
    for (let i = 0; i < 600; i++) {  // polling a state machine, as SDK waiters do
      crawler = (await glue.send(new GetCrawlerCommand({ Name: 'js-crawler' }))).Crawler;
      if (crawler.State === 'READY' && crawler.LastCrawl) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(crawler.LastCrawl.Status, 'SUCCEEDED', crawler.LastCrawl.ErrorMessage);
    const table = (await glue.send(new GetTableCommand({ DatabaseName: 'jsdb', Name: 'visits' })))
      .Table;
    assert.deepEqual(table.StorageDescriptor.Columns.map((c) => [c.Name, c.Type]),
      [['user', 'string'], ['count', 'bigint']]);
    assert.deepEqual(table.PartitionKeys.map((k) => k.Name), ['day']);
    const metrics = (await glue.send(new GetCrawlerMetricsCommand({
      CrawlerNameList: ['js-crawler'] }))).CrawlerMetricsList;
    assert.equal(metrics[0].TablesCreated, 1);

    const january = (await glue.send(new GetPartitionsCommand({
      DatabaseName: 'jsdb', TableName: 'visits',
      Expression: "day BETWEEN '2024-01-01' AND '2024-01-31'",
    }))).Partitions.map((p) => p.Values[0]);
    assert.deepEqual(january, ['2024-01-01', '2024-01-02']);
    await expectError(glue.send(new GetPartitionsCommand({
      DatabaseName: 'jsdb', TableName: 'visits', Expression: 'day = ',
    })), 'InvalidInputException', 400);

    const got = await glue.send(new BatchGetPartitionCommand({
      DatabaseName: 'jsdb', TableName: 'visits',
      PartitionsToGet: [{ Values: ['2024-02-01'] }, { Values: ['1999-01-01'] }],
    }));
    assert.deepEqual(got.Partitions.map((p) => p.Values), [['2024-02-01']]);
    assert.deepEqual(got.UnprocessedKeys, []);
    await glue.send(new UpdatePartitionCommand({
      DatabaseName: 'jsdb', TableName: 'visits', PartitionValueList: ['2024-02-01'],
      PartitionInput: { Values: ['2024-02-01'], Parameters: { checked: 'yes' } },
    }));
    await glue.send(new DeletePartitionCommand({
      DatabaseName: 'jsdb', TableName: 'visits', PartitionValues: ['2024-01-01'],
    }));
    await expectError(glue.send(new DeletePartitionCommand({
      DatabaseName: 'jsdb', TableName: 'visits', PartitionValues: ['2024-01-01'],
    })), 'EntityNotFoundException', 400);
    const left = (await glue.send(new GetPartitionsCommand({
      DatabaseName: 'jsdb', TableName: 'visits', Expression: "day LIKE '2024-%'",
    }))).Partitions;
    assert.deepEqual(left.map((p) => [p.Values[0], p.Parameters?.checked]),
      [['2024-01-02', undefined], ['2024-02-01', 'yes']]);
  });

  it('starts a job from an ON_DEMAND trigger, retries it and fires a CONDITIONAL trigger', async () => {
    const s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
    await s3.send(new PutObjectCommand({
      Bucket: 'js-crawl', Key: 'scripts/fail.py', Body: "raise SystemExit('js: fails')\n" }));
    await s3.send(new PutObjectCommand({
      Bucket: 'js-crawl', Key: 'scripts/ok.py', Body: "print('ok')\n" }));
    for (const [name, script, retries] of [['js-fail', 'fail', 1], ['js-next', 'ok', 0]]) {
      await glue.send(new CreateJobCommand({
        Name: name, Role: 'JsCrawler', MaxRetries: retries,
        Command: { Name: 'pythonshell', ScriptLocation: `s3://js-crawl/scripts/${script}.py` },
      }));
    }
    await glue.send(new CreateTriggerCommand({
      Name: 'js-go', Type: 'ON_DEMAND', Actions: [{ JobName: 'js-fail', Arguments: { '--a': '1' } }],
    }));
    await glue.send(new CreateTriggerCommand({
      Name: 'js-then', Type: 'CONDITIONAL', StartOnCreation: true,
      Predicate: { Conditions: [{ LogicalOperator: 'EQUALS', JobName: 'js-fail', State: 'FAILED' }] },
      Actions: [{ JobName: 'js-next' }],
    }));
    assert.equal((await glue.send(new GetTriggerCommand({ Name: 'js-then' }))).Trigger.State,
      'ACTIVATED');
    await expectError(glue.send(new GetTriggerCommand({ Name: 'js-none' })),
      'EntityNotFoundException', 400);
    await glue.send(new StartTriggerCommand({ Name: 'js-go' }));
    const done = (r) => ['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMEOUT', 'ERROR'].includes(r.JobRunState);
    const waitRuns = async (job, count) => {
      let runs = [];
      for (let i = 0; i < 1200; i++) {  // polling a state machine, as SDK waiters do
        runs = (await glue.send(new GetJobRunsCommand({ JobName: job }))).JobRuns;
        if (runs.length >= count && runs.every(done)) return runs;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`${job}: ${JSON.stringify(runs)}`);
    };
    const runs = (await waitRuns('js-fail', 2)).reverse();
    assert.deepEqual(runs.map((r) => [r.Attempt, r.JobRunState, r.TriggerName]),
      [[0, 'FAILED', 'js-go'], [1, 'FAILED', 'js-go']]);
    assert.equal(runs[1].PreviousRunId, runs[0].Id);
    assert.deepEqual(runs[1].Arguments, { '--a': '1' });
    const next = await waitRuns('js-next', 1);
    assert.deepEqual(next.map((r) => [r.JobRunState, r.TriggerName]), [['SUCCEEDED', 'js-then']]);
  });
});
