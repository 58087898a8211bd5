// IAM roles and STS AssumeRole through the AWS SDK for JavaScript v3 (node --test): create a user,
// its access key, two roles that trust it and a KMS key whose policy names one role; the session
// of that role decrypts, the other role's session is denied with AWS's message; a session policy
// narrows the first role; a session tag drives an aws:PrincipalTag condition in the key policy.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, CreateRoleCommand,
  GetRoleCommand, CreatePolicyCommand, AttachRolePolicyCommand, ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand } from '@aws-sdk/client-kms';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const ACCOUNT = '000000000000';
const roleArn = (name) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const userArn = (name) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const sessionArn = (role, session) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`;
const allow = (actions) => JSON.stringify({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
});
const trust = (principal, actions) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: actions }],
});

function sessionConfig(endpoint, creds) {
  const config = clientConfig(endpoint, creds.AccessKeyId, creds.SecretAccessKey);
  config.credentials.sessionToken = creds.SessionToken;
  return config;
}

describe('IAM roles and STS AssumeRole with AWS SDK for JavaScript v3', () => {
  let server;
  let app; // the user's access key
  let key; // the key ARN
  let blob;

  before(async () => {
    server = await startServer();
    const iam = new IAMClient(clientConfig(server.endpoint));
    await iam.send(new CreateUserCommand({ UserName: 'app' }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'app', PolicyName: 'assume',
      PolicyDocument: allow(['sts:AssumeRole', 'sts:TagSession']),
    }));
    app = (await iam.send(new CreateAccessKeyCommand({ UserName: 'app' }))).AccessKey;
    for (const name of ['decryptor', 'outsider']) {
      await iam.send(new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: trust(userArn('app'), ['sts:AssumeRole', 'sts:TagSession']),
      }));
    }
    const kms = new KMSClient(clientConfig(server.endpoint));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*', Resource: '*' },
        { Sid: 'decryptor', Effect: 'Allow', Principal: { AWS: roleArn('decryptor') },
          Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'red' } } },
      ],
    });
    key = (await kms.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata.Arn;
    blob = (await kms.send(new EncryptCommand({
      KeyId: key, Plaintext: Buffer.from('secret'),
    }))).CiphertextBlob;
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  async function assume(role, session, extra = {}) {
    const sts = new STSClient(clientConfig(server.endpoint, app.AccessKeyId, app.SecretAccessKey));
    const out = await sts.send(new AssumeRoleCommand({
      RoleArn: roleArn(role), RoleSessionName: session, ...extra,
    }));
    return out.Credentials;
  }

  it('the role the key policy names decrypts; its session is who STS says', async () => {
    const creds = await assume('decryptor', 'js-1');
    assert.ok(creds.AccessKeyId.startsWith('ASIA'));
    assert.ok(creds.Expiration instanceof Date);
    const sts = new STSClient(sessionConfig(server.endpoint, creds));
    const ident = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(ident.Arn, sessionArn('decryptor', 'js-1'));
    const iam = new IAMClient(clientConfig(server.endpoint));
    const roleId = (await iam.send(new GetRoleCommand({ RoleName: 'decryptor' }))).Role.RoleId;
    assert.equal(ident.UserId, `${roleId}:js-1`);
    const kms = new KMSClient(sessionConfig(server.endpoint, creds));
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(Buffer.from(out.Plaintext).toString(), 'secret');
  });

  it('a second role is denied with AWS\'s message', async () => {
    const kms = new KMSClient(sessionConfig(server.endpoint, await assume('outsider', 'js-2')));
    const err = await expectError(kms.send(new DecryptCommand({ CiphertextBlob: blob })),
      'AccessDeniedException', 400);
    assert.equal(err.message, `User: ${sessionArn('outsider', 'js-2')} is not authorized to `
      + `perform: kms:Decrypt on resource: ${key} because no identity-based policy allows the `
      + 'kms:Decrypt action');
  });

  it('a session policy narrows the role; a managed policy attached to the role works', async () => {
    const narrowed = new KMSClient(sessionConfig(server.endpoint, await assume('decryptor',
      'js-3', { Policy: allow('kms:DescribeKey') })));
    const err = await expectError(narrowed.send(new DecryptCommand({ CiphertextBlob: blob })),
      'AccessDeniedException', 400);
    assert.equal(err.message, `User: ${sessionArn('decryptor', 'js-3')} is not authorized to `
      + `perform: kms:Decrypt on resource: ${key} because no session policy allows the `
      + 'kms:Decrypt action');

    const iam = new IAMClient(clientConfig(server.endpoint));
    const policy = (await iam.send(new CreatePolicyCommand({
      PolicyName: 'decrypt', PolicyDocument: allow('kms:Decrypt'),
    }))).Policy;
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'outsider', PolicyArn: policy.Arn }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'outsider' }));
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'decrypt', PolicyArn: policy.Arn }]);
    const outsider = new KMSClient(sessionConfig(server.endpoint, await assume('outsider', 'js-4')));
    const out = await outsider.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(Buffer.from(out.Plaintext).toString(), 'secret');
  });

  it('a session tag drives an aws:PrincipalTag condition in the key policy', async () => {
    const blue = new KMSClient(sessionConfig(server.endpoint, await assume('decryptor', 'blue',
      { Tags: [{ Key: 'team', Value: 'blue' }] })));
    const out = await blue.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(Buffer.from(out.Plaintext).toString(), 'secret');
    const red = new KMSClient(sessionConfig(server.endpoint, await assume('decryptor', 'red',
      { Tags: [{ Key: 'team', Value: 'red' }] })));
    const err = await expectError(red.send(new DecryptCommand({ CiphertextBlob: blob })),
      'AccessDeniedException', 400);
    assert.equal(err.message, `User: ${sessionArn('decryptor', 'red')} is not authorized to `
      + `perform: kms:Decrypt on resource: ${key} because no identity-based policy allows the `
      + 'kms:Decrypt action');
  });
});
