#!/bin/sh
# Make a self-signed certificate for localhost when none is there, so `docker compose up` on a
# laptop serves https at once (the browser asks once to accept it). A real deployment mounts its
# own certificate and key at SMSN_TLS_CERT and SMSN_TLS_KEY, and this leaves them alone.
# docker compose runs it from the nginx image's /docker-entrypoint.d/; the topology test runs it
# for its throwaway certificate.
set -eu
cert="${SMSN_TLS_CERT:?set SMSN_TLS_CERT}"
key="${SMSN_TLS_KEY:?set SMSN_TLS_KEY}"
if [ -s "$cert" ] && [ -s "$key" ]; then
  exit 0
fi
mkdir -p "$(dirname "$cert")" "$(dirname "$key")"
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -keyout "$key" -out "$cert" 2>/dev/null
chmod 644 "$cert"
echo "$0: made a self-signed certificate for localhost at $cert; mount a real one there for a public site"
