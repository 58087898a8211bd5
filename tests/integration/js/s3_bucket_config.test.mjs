// Bucket configurations with the AWS SDK for JavaScript v3 (@aws-sdk/client-s3, pinned in
// package.json): every read Terraform's aws_s3_bucket refresh makes answers a new bucket with
// AWS's default document or AWS's "not configured" error (never 501); each configuration
// (CORS, lifecycle, tagging, website, logging, request payment, accelerate, public access
// block, ownership controls) is put and read back equal; a browser's CORS preflight sent with
// fetch() gets the Access-Control-Allow-* headers from a matching rule and 403 without one.
//
// Expectations are AWS's (the S3 API reference, botocore's s3/2006-03-01 model, docs/s3.md
// "Bucket configurations"), mirrored from tests/integration/test_s3_bucket_config.py.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  S3Client, CreateBucketCommand, HeadBucketCommand, PutObjectCommand, ListBucketsCommand,
  GetBucketAclCommand, GetBucketCorsCommand, PutBucketCorsCommand, DeleteBucketCorsCommand,
  GetBucketWebsiteCommand, PutBucketWebsiteCommand, GetBucketVersioningCommand,
  GetBucketAccelerateConfigurationCommand, PutBucketAccelerateConfigurationCommand,
  GetBucketRequestPaymentCommand, PutBucketRequestPaymentCommand,
  GetBucketLoggingCommand, PutBucketLoggingCommand,
  GetBucketLifecycleConfigurationCommand, PutBucketLifecycleConfigurationCommand,
  GetBucketReplicationCommand, GetBucketEncryptionCommand, GetObjectLockConfigurationCommand,
  GetBucketPolicyCommand, GetBucketTaggingCommand, PutBucketTaggingCommand,
  GetPublicAccessBlockCommand, PutPublicAccessBlockCommand,
  GetBucketOwnershipControlsCommand, PutBucketOwnershipControlsCommand,
} from '@aws-sdk/client-s3';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

// The reads of the AWS provider's aws_s3_bucket refresh, in its order, with the error a new
// bucket answers (null: a document).
const TERRAFORM_READS = [
  [GetBucketAclCommand, null],
  [GetBucketCorsCommand, ['NoSuchCORSConfiguration', 404]],
  [GetBucketWebsiteCommand, ['NoSuchWebsiteConfiguration', 404]],
  [GetBucketVersioningCommand, null],
  [GetBucketAccelerateConfigurationCommand, null],
  [GetBucketRequestPaymentCommand, null],
  [GetBucketLoggingCommand, null],
  [GetBucketLifecycleConfigurationCommand, ['NoSuchLifecycleConfiguration', 404]],
  [GetBucketReplicationCommand, ['ReplicationConfigurationNotFoundError', 404]],
  [GetBucketEncryptionCommand, null],
  [GetObjectLockConfigurationCommand, ['ObjectLockConfigurationNotFoundError', 404]],
  [GetBucketPolicyCommand, ['NoSuchBucketPolicy', 404]],
  [GetBucketTaggingCommand, ['NoSuchTagSet', 404]],
  [GetPublicAccessBlockCommand, null],
  [GetBucketOwnershipControlsCommand, null],
];

const CORS_RULES = [
  {
    ID: 'app', AllowedHeaders: ['x-amz-*', 'content-type'], AllowedMethods: ['GET', 'PUT'],
    AllowedOrigins: ['https://app.example.com'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3000,
  },
  { AllowedMethods: ['GET'], AllowedOrigins: ['*'] },
];

// The SDK's output object without $metadata.
function doc(out) {
  const { $metadata, ...rest } = out;
  assert.equal($metadata.httpStatusCode, 200);
  return rest;
}

describe('S3 bucket configurations with the AWS SDK for JavaScript v3', () => {
  let server;
  let s3;
  let counter = 0;
  async function newBucket() {
    counter += 1;
    const Bucket = `jscfg-${counter}`;
    await s3.send(new CreateBucketCommand({ Bucket }));
    return Bucket;
  }

  before(async () => {
    server = await startServer();
    s3 = new S3Client({ ...clientConfig(server.endpoint), forcePathStyle: true });
  });
  after(async () => { await stopServer(server); });

  it('every read of Terraform\'s aws_s3_bucket refresh answers a new bucket without 501', async () => {
    const Bucket = await newBucket();
    await s3.send(new HeadBucketCommand({ Bucket }));
    const answers = [];
    for (const [Command, expected] of TERRAFORM_READS) {
      try {
        await s3.send(new Command({ Bucket }));
        answers.push([Command.name, null]);
      } catch (e) {
        assert.notEqual(e.$metadata?.httpStatusCode, 501, `${Command.name}: ${e.name} ${e.message}`);
        answers.push([Command.name, [e.name, e.$metadata?.httpStatusCode]]);
      }
    }
    assert.deepEqual(answers, TERRAFORM_READS.map(([C, expected]) => [C.name, expected]));
    for (const [Command, expected] of TERRAFORM_READS) {
      if (expected) await expectError(s3.send(new Command({ Bucket })), ...expected);
    }
  });

  it('a new bucket reads AWS\'s defaults: owner ACL, BucketOwnerEnforced, all four blocks on, SSE-S3', async () => {
    const Bucket = await newBucket();
    const owner = (await s3.send(new ListBucketsCommand({}))).Owner.ID;
    const acl = await s3.send(new GetBucketAclCommand({ Bucket }));
    assert.equal(acl.Owner.ID, owner);
    assert.deepEqual(acl.Grants, [{
      Grantee: { ID: owner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL',
    }]);
    assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls,
      { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration, {
      BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
    });
    assert.deepEqual(doc(await s3.send(new GetBucketVersioningCommand({ Bucket }))), {});
    assert.deepEqual(doc(await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket }))), {});
    assert.deepEqual(doc(await s3.send(new GetBucketRequestPaymentCommand({ Bucket }))), { Payer: 'BucketOwner' });
    assert.deepEqual(doc(await s3.send(new GetBucketLoggingCommand({ Bucket }))), {});
    const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket }));
    const rule = enc.ServerSideEncryptionConfiguration.Rules[0];
    assert.equal(rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
  });

  it('CORS is put, read back equal and deleted', async () => {
    const Bucket = await newBucket();
    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: CORS_RULES } }));
    assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket }))).CORSRules, CORS_RULES);
    const del = await s3.send(new DeleteBucketCorsCommand({ Bucket }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await expectError(s3.send(new GetBucketCorsCommand({ Bucket })), 'NoSuchCORSConfiguration', 404);
    await expectError(s3.send(new PutBucketCorsCommand({
      Bucket, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['MYMETHOD'], AllowedOrigins: ['*'] }] },
    })), 'InvalidRequest', 400);
  });

  it('lifecycle, tagging and website are put and read back equal', async () => {
    const Bucket = await newBucket();
    const rules = [
      { ID: 'expire-tmp', Filter: { Prefix: 'tmp/' }, Status: 'Enabled', Expiration: { Days: 7 } },
      {
        ID: 'abort-mpu', Filter: { Prefix: '' }, Status: 'Enabled',
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
      },
    ];
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket, LifecycleConfiguration: { Rules: rules },
    }));
    assert.deepEqual((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules, rules);

    const tags = [{ Key: 'team', Value: 'storage' }, { Key: 'env', Value: '' }];
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: tags } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, tags);
    await expectError(s3.send(new PutBucketTaggingCommand({
      Bucket, Tagging: { TagSet: [{ Key: 'aws:reserved', Value: 'x' }] },
    })), 'InvalidTag', 400);
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, tags);

    const website = { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: '404.html' } };
    await s3.send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: website }));
    assert.deepEqual(doc(await s3.send(new GetBucketWebsiteCommand({ Bucket }))), website);
  });

  it('logging to another bucket, request payment and accelerate are put and read back equal', async () => {
    const Bucket = await newBucket();
    const target = await newBucket();
    await expectError(s3.send(new PutBucketLoggingCommand({
      Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'jscfg-nowhere', TargetPrefix: 'l/' } },
    })), 'InvalidTargetBucketForLogging', 400);
    const logging = { TargetBucket: target, TargetPrefix: 'logs/' };
    await s3.send(new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: logging } }));
    assert.deepEqual(doc(await s3.send(new GetBucketLoggingCommand({ Bucket }))), { LoggingEnabled: logging });

    await s3.send(new PutBucketRequestPaymentCommand({
      Bucket, RequestPaymentConfiguration: { Payer: 'Requester' },
    }));
    assert.deepEqual(doc(await s3.send(new GetBucketRequestPaymentCommand({ Bucket }))), { Payer: 'Requester' });

    await s3.send(new PutBucketAccelerateConfigurationCommand({
      Bucket, AccelerateConfiguration: { Status: 'Enabled' },
    }));
    assert.deepEqual(doc(await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket }))),
      { Status: 'Enabled' });
  });

  it('PublicAccessBlock and OwnershipControls are put and read back equal', async () => {
    const Bucket = await newBucket();
    const pab = {
      BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true,
    };
    await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: pab }));
    assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration, pab);
    const controls = { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] };
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: controls }));
    assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls, controls);
    await expectError(s3.send(new PutBucketOwnershipControlsCommand({
      Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'Everyone' }] },
    })), 'MalformedXML', 400);
  });

  it('a fetch() CORS preflight gets Access-Control-Allow-* from a matching rule, 403 without one', async () => {
    const Bucket = await newBucket();
    await s3.send(new PutObjectCommand({ Bucket, Key: 'page.html', Body: Buffer.from('<html/>') }));
    const url = `${server.endpoint}/${Bucket}/page.html`;
    const preflight = (origin, method, headers) => fetch(url, {
      method: 'OPTIONS',
      headers: {
        Origin: origin, 'Access-Control-Request-Method': method,
        ...(headers ? { 'Access-Control-Request-Headers': headers } : {}),
      },
    });

    const notEnabled = await preflight('https://app.example.com', 'PUT');
    assert.equal(notEnabled.status, 403);
    const notEnabledBody = await notEnabled.text();
    assert.match(notEnabledBody, /<Code>AccessForbidden<\/Code>/);
    assert.match(notEnabledBody, /<Message>CORSResponse: CORS is not enabled for this bucket\.<\/Message>/);

    await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: CORS_RULES } }));
    const ok = await preflight('https://app.example.com', 'PUT', 'Content-Type, X-Amz-Date');
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(ok.headers.get('access-control-allow-methods'), 'GET, PUT');
    assert.equal(ok.headers.get('access-control-allow-headers'), 'content-type, x-amz-date');
    assert.equal(ok.headers.get('access-control-expose-headers'), 'ETag');
    assert.equal(ok.headers.get('access-control-max-age'), '3000');

    const wildcard = await preflight('https://other.example', 'GET');
    assert.equal(wildcard.status, 200);
    assert.equal(wildcard.headers.get('access-control-allow-origin'), '*');
    assert.equal(wildcard.headers.get('access-control-allow-credentials'), null);

    // No rule allows DELETE from this origin, nor a header the first rule does not list.
    const refused = await preflight('https://other.example', 'DELETE');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    const refusedBody = await refused.text();
    assert.match(refusedBody, /<Code>AccessForbidden<\/Code>/);
    assert.match(refusedBody, /<Message>CORSResponse: This CORS request is not allowed\./);
    const badHeader = await preflight('https://app.example.com', 'PUT', 'x-custom');
    assert.equal(badHeader.status, 403);
    await badHeader.arrayBuffer();
  });
});
