// STS AssumeRoleWithWebIdentity through the AWS SDK for JavaScript v3 (node --test): an OIDC
// provider created with IAM, the issuer's keys handed in through PUT /_sealstack/oidc/jwks, ID
// tokens signed with node's crypto (RS256 and ES256); the session decrypts with a key whose
// policy requires aws:FederatedProvider; a wrong subject, audience or issuer is refused with
// AWS's error.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';

import {
  IAMClient, CreateOpenIDConnectProviderCommand, GetOpenIDConnectProviderCommand,
  CreateRoleCommand, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  STSClient, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand,
} from '@aws-sdk/client-sts';
import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand } from '@aws-sdk/client-kms';

import { startServer, stopServer, clientConfig, REGION } from './server.mjs';

const ACCOUNT = '000000000000';
const HOST = 'js.idp.example';
const ISSUER = `https://${HOST}`;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`;
const roleArn = (name) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const b64url = (buf) => Buffer.from(buf).toString('base64url');

function signingKey(kid, alg) {
  const pair = alg === 'RS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return {
    jwk,
    token(claims) {
      const input = `${b64url(JSON.stringify({ alg, kid, typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
      const signature = alg === 'RS256'
        ? sign('sha256', Buffer.from(input), pair.privateKey)
        : sign('sha256', Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${b64url(signature)}`;
    },
  };
}

function claims(extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, sub: 'system:serviceaccount:prod:app', aud: 'sts.amazonaws.com',
    iat: now, exp: now + 600, ...extra };
}

// An STS client without credentials: the SDK sends AssumeRoleWithWebIdentity unsigned.
function anonymousSts(endpoint) {
  return new STSClient({ endpoint, region: REGION, maxAttempts: 1,
    credentials: async () => { throw new Error('no credentials should be needed'); } });
}

async function rejects(promise, names, status) {
  let err;
  try { await promise; } catch (e) { err = e; }
  assert.ok(err, `expected ${names.join('|')} (${status})`);
  assert.ok(names.includes(err.name), `error name ${err.name}: ${err.message}`);
  assert.equal(err.$metadata?.httpStatusCode, status);
  return err;
}

describe('AssumeRoleWithWebIdentity with AWS SDK for JavaScript v3', () => {
  let server;
  let key;
  const rsa = signingKey('r1', 'RS256');
  const ec = signingKey('e1', 'ES256');

  before(async () => {
    server = await startServer();
    const iam = new IAMClient(clientConfig(server.endpoint));
    const created = await iam.send(new CreateOpenIDConnectProviderCommand({
      Url: ISSUER, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['b'.repeat(40)] }));
    assert.equal(created.OpenIDConnectProviderArn, PROVIDER);
    const got = await iam.send(new GetOpenIDConnectProviderCommand({
      OpenIDConnectProviderArn: PROVIDER }));
    assert.equal(got.Url, HOST);
    const put = await fetch(`${server.endpoint}/_sealstack/oidc/jwks?url=${encodeURIComponent(ISSUER)}`,
      { method: 'PUT', body: JSON.stringify({ keys: [rsa.jwk, ec.jwk] }) });
    assert.equal(put.status, 200);
    await iam.send(new CreateRoleCommand({ RoleName: 'pod', AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${HOST}:sub`]: 'system:serviceaccount:prod:app',
          [`${HOST}:aud`]: 'sts.amazonaws.com' } } }] }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'pod', PolicyName: 'kms',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] }) }));
    const kms = new KMSClient(clientConfig(server.endpoint));
    key = (await kms.send(new CreateKeyCommand({ Policy: JSON.stringify({ Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*',
          Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: roleArn('pod') }, Action: ['kms:Encrypt', 'kms:Decrypt'],
          Resource: '*', Condition: { StringEquals: { 'aws:FederatedProvider': PROVIDER } } }] }) })))
      .KeyMetadata.Arn;
  });
  after(async () => { if (server) await stopServer(server); });

  for (const [name, signer] of [['RS256', rsa], ['ES256', ec]]) {
    it(`a ${name} token assumes the role and the session decrypts`, async () => {
      const out = await anonymousSts(server.endpoint).send(new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn('pod'), RoleSessionName: `js-${name}`, WebIdentityToken: signer.token(claims()) }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.SubjectFromWebIdentityToken, 'system:serviceaccount:prod:app');
      assert.equal(out.Audience, 'sts.amazonaws.com');
      assert.equal(out.Provider, PROVIDER);
      assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/pod/js-${name}`);
      const config = clientConfig(server.endpoint, out.Credentials.AccessKeyId,
        out.Credentials.SecretAccessKey);
      config.credentials.sessionToken = out.Credentials.SessionToken;
      const who = await new STSClient(config).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, out.AssumedRoleUser.Arn);
      const kms = new KMSClient(config);
      const blob = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('pod') })))
        .CiphertextBlob;
      const plain = (await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext;
      assert.equal(Buffer.from(plain).toString(), 'pod');
    });
  }

  it('a token of another subject is AccessDenied 403', async () => {
    const err = await rejects(anonymousSts(server.endpoint).send(new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn('pod'), RoleSessionName: 'js',
      WebIdentityToken: rsa.token(claims({ sub: 'system:serviceaccount:dev:app' })) })),
    ['AccessDenied'], 403);
    assert.equal(err.message, 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  });

  it('a wrong audience or unknown issuer is InvalidIdentityToken 400', async () => {
    const sts = anonymousSts(server.endpoint);
    const names = ['InvalidIdentityTokenException', 'InvalidIdentityToken'];
    const aud = await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn('pod'), RoleSessionName: 'js',
      WebIdentityToken: rsa.token(claims({ aud: 'other' })) })), names, 400);
    assert.equal(aud.message, 'Incorrect token audience');
    await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn('pod'), RoleSessionName: 'js',
      WebIdentityToken: rsa.token(claims({ iss: 'https://unknown.example' })) })), names, 400);
  });

  it('an expired token is ExpiredTokenException 400', async () => {
    await rejects(anonymousSts(server.endpoint).send(new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn('pod'), RoleSessionName: 'js',
      WebIdentityToken: ec.token(claims({ exp: Math.floor(Date.now() / 1000) - 5 })) })),
    ['ExpiredTokenException'], 400);
  });
});
