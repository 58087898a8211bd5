// The audit trail through CloudTrail LookupEvents with the AWS SDK for JavaScript v3
// (@aws-sdk/client-cloudtrail): KMS calls appear newest first with the caller's identity, the
// key as resource and no secrets; filters, paging and the error codes.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import { KMSClient, CreateKeyCommand, EncryptCommand, DecryptCommand } from '@aws-sdk/client-kms';

import { startServer, stopServer, clientConfig, expectError } from './server.mjs';

const ACCOUNT = '000000000000';

describe('CloudTrail LookupEvents with AWS SDK for JavaScript v3', () => {
  let server;
  let kms;
  let ct;
  let keyArn;

  before(async () => {
    server = await startServer();
    kms = new KMSClient(clientConfig(server.endpoint));
    ct = new CloudTrailClient(clientConfig(server.endpoint));
    keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.Arn;
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  it('records Encrypt and Decrypt with identity, key and context, never the plaintext', async () => {
    const plaintext = Buffer.from('js secret plaintext');
    const enc = await kms.send(new EncryptCommand({
      KeyId: keyArn, Plaintext: plaintext, EncryptionContext: { app: 'js' },
    }));
    await kms.send(new DecryptCommand({
      CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'js' },
    }));
    const out = await ct.send(new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: keyArn }],
    }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(out.Events.map((e) => e.EventName), ['Decrypt', 'Encrypt', 'CreateKey']);
    const [dec, encEvent] = out.Events;
    assert.ok(encEvent.EventTime instanceof Date);
    assert.equal(encEvent.ReadOnly, 'true');
    assert.equal(encEvent.Username, 'root');
    assert.deepEqual(encEvent.Resources, [{ ResourceType: 'AWS::KMS::Key', ResourceName: keyArn }]);
    const record = JSON.parse(encEvent.CloudTrailEvent);
    assert.equal(record.userIdentity.type, 'Root');
    assert.equal(record.userIdentity.arn, `arn:aws:iam::${ACCOUNT}:root`);
    assert.equal(record.requestID, enc.$metadata.requestId);
    assert.deepEqual(record.requestParameters, {
      keyId: keyArn, encryptionContext: { app: 'js' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    assert.equal(record.responseElements, null);
    assert.match(record.userAgent, /aws-sdk-js/);
    const decRecord = JSON.parse(dec.CloudTrailEvent);
    assert.equal(decRecord.resources[0].ARN, keyArn);
    const all = JSON.stringify(out.Events);
    assert.ok(!all.includes(plaintext.toString('base64')));
    assert.ok(!all.includes(Buffer.from(enc.CiphertextBlob).toString('base64')));
  });

  it('pages newest first through NextToken and the paginator', async () => {
    for (let i = 0; i < 4; i += 1) {
      await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') }));
    }
    const ids = [];
    for await (const page of paginateLookupEvents({ client: ct, pageSize: 2 }, {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }],
    })) {
      assert.ok(page.Events.length <= 2);
      ids.push(...page.Events.map((e) => e.EventId));
    }
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
  });

  it('answers each error with its code and status 400', async () => {
    await expectError(ct.send(new LookupEventsCommand({ MaxResults: 51 })),
      'InvalidMaxResultsException', 400);
    await expectError(ct.send(new LookupEventsCommand({ NextToken: 'bogus' })),
      'InvalidNextTokenException', 400);
    await expectError(ct.send(new LookupEventsCommand({
      StartTime: new Date('2030-01-02T00:00:00Z'), EndTime: new Date('2030-01-01T00:00:00Z'),
    })), 'InvalidTimeRangeException', 400);
    await expectError(ct.send(new LookupEventsCommand({
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' },
        { AttributeKey: 'Username', AttributeValue: 'root' }],
    })), 'InvalidLookupAttributesException', 400);
  });
});
