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
} from '@aws-sdk/client-glue';

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
