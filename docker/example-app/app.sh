#!/bin/bash
# Example application under test: stores a document in S3 and encrypts a token with KMS, as the
# seeded role `example-app`, and checks that SealStack protected both with the seeded key.
# Runs in the amazon/aws-cli image (AWS CLI v2, bash) or in the local stand-in built from
# docker/example-app/Dockerfile; endpoint and credentials come from the environment set in
# docker-compose.yml (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...). Needs only bash, coreutils
# (base64, timeout) and the AWS CLI.
set -euo pipefail

endpoint=${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL, e.g. http://sealstack:4566}
wait_seconds=${SEALSTACK_WAIT_SECONDS:-60}

# Wait (bounded) until SealStack answers GET /_sealstack/health with 200 and "status":"ok".
# Docker Compose already starts this service only once `sealstack` is healthy
# (depends_on: condition: service_healthy); podman-compose 1.0.3 ignores that condition and
# starts both at once, and a real application should not assume its dependencies are up anyway.
health_probe() { # HOST PORT
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf 'GET /_sealstack/health HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$1" "$2" >&3
  local response
  response=$(cat <&3) # the server closes the connection after its answer
  [[ $response =~ ^HTTP/1\.[01]\ 200 && $response == *'"status":"ok"'* ]]
}
hostport=${endpoint#*://}
hostport=${hostport%%/*}
host=${hostport%:*}
port=${hostport##*:}
[[ $port != "$hostport" ]] || port=80
echo "== waiting for SealStack at $endpoint (up to ${wait_seconds}s)"
deadline=$((SECONDS + wait_seconds))
# shellcheck disable=SC2016 # $1 $2: the inner bash's arguments
until probe=$(timeout 5 bash -c "$(declare -f health_probe)"'; health_probe "$1" "$2"' _ "$host" "$port" 2>&1); do
  if ((SECONDS >= deadline)); then
    echo "SealStack at $endpoint not healthy within ${wait_seconds}s (last try: ${probe:-no answer})" >&2
    exit 1
  fi
  sleep 1
done

# AWS CLI 2.13+ (amazon/aws-cli) reads AWS_ENDPOINT_URL by itself; older ones, such as Debian 12's
# awscli 2.9 in the offline stand-in image, ignore it and would call real AWS. The explicit flag
# works with both.
aws() { command aws --endpoint-url "$endpoint" "$@"; }

key_id=${APP_KEY_ID:-5e1c0de0-0000-4000-8000-00000000e3a1}   # docker/seed.json: keys[0].id
bucket=${APP_BUCKET:-example-app-data}   # docker/seed.json: buckets[0].name

# `sealstack` (the compose service name) is not a DNS name for bucket.sealstack: path-style.
command aws configure set default.s3.addressing_style path

echo "== $(command aws --version)"
echo "== who am I"
aws sts get-caller-identity --query Arn --output text

echo "== KMS: encrypt with the seeded alias, decrypt"
printf 'token-1234' >/tmp/token
aws kms encrypt --key-id alias/example-app --plaintext fileb:///tmp/token \
  --encryption-context app=example --query CiphertextBlob --output text | base64 -d >/tmp/token.enc
aws kms decrypt --ciphertext-blob fileb:///tmp/token.enc --encryption-context app=example \
  --query Plaintext --output text | base64 -d >/tmp/token.dec
[[ $(</tmp/token.dec) == "$(</tmp/token)" ]] || { echo "decrypt did not return the token" >&2; exit 1; }

echo "== S3: the bucket default (SSE-KMS with the seeded key) applies to a plain PutObject"
printf 'hello from the example app\n' >/tmp/doc.txt
put_key=$(aws s3api put-object --bucket "$bucket" --key docs/hello.txt --body /tmp/doc.txt \
  --query SSEKMSKeyId --output text)
[[ $put_key == *":key/$key_id" ]] || { echo "object not under the seeded key: $put_key" >&2; exit 1; }
aws s3api get-object --bucket "$bucket" --key docs/hello.txt /tmp/doc.out >/dev/null
[[ $(</tmp/doc.out) == "$(</tmp/doc.txt)" ]] || { echo "object read back differs" >&2; exit 1; }

echo "OK: example app ran against SealStack (object and token protected by key $key_id)"
