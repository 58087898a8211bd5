#!/bin/bash
# Example application under test: stores a document in S3 and encrypts a token with KMS, as the
# seeded role `example-app`, and checks that SealStack protected both with the seeded key.
# Runs in the amazon/aws-cli image (AWS CLI v2, bash); endpoint and credentials come from the
# environment set in docker-compose.yml (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...).
set -euo pipefail

key_id=${APP_KEY_ID:-5e1c0de0-0000-4000-8000-00000000e3a1}   # docker/seed.json: keys[0].id
bucket=${APP_BUCKET:-example-app-data}   # docker/seed.json: buckets[0].name

# `sealstack` (the compose service name) is not a DNS name for bucket.sealstack: path-style.
aws configure set default.s3.addressing_style path

echo "== who am I"
aws sts get-caller-identity --query Arn --output text

echo "== KMS: encrypt with the seeded alias, decrypt"
printf 'token-1234' >/tmp/token
aws kms encrypt --key-id alias/example-app --plaintext fileb:///tmp/token \
  --encryption-context app=example --query CiphertextBlob --output text | base64 -d >/tmp/token.enc
aws kms decrypt --ciphertext-blob fileb:///tmp/token.enc --encryption-context app=example \
  --query Plaintext --output text | base64 -d >/tmp/token.dec
cmp /tmp/token /tmp/token.dec

echo "== S3: the bucket default (SSE-KMS with the seeded key) applies to a plain PutObject"
printf 'hello from the example app\n' >/tmp/doc.txt
put_key=$(aws s3api put-object --bucket "$bucket" --key docs/hello.txt --body /tmp/doc.txt \
  --query SSEKMSKeyId --output text)
[[ $put_key == *":key/$key_id" ]] || { echo "object not under the seeded key: $put_key" >&2; exit 1; }
aws s3api get-object --bucket "$bucket" --key docs/hello.txt /tmp/doc.out >/dev/null
cmp /tmp/doc.txt /tmp/doc.out

echo "OK: example app ran against SealStack (object and token protected by key $key_id)"
