// A stand-in istiod for the MeshBridge Istio CA tests: grpc-js (real gRPC software nobody here wrote) serving
// istio.v1.auth.IstioCertificateService/CreateCertificate from MeshBridge's own protos over TLS, and the real openssl CLI
// as the signer. Like istiod (reference/istio.md §2) it authenticates the bearer token, takes only the CSR's public key
// (`openssl x509 -req` copies no CSR extension) and writes the identity it authenticated as a critical URI SAN, whatever
// the CSR asked for; it answers [leaf, root].
//
// Usage: node istiod.js --protos DIR --tls-cert FILE --tls-key FILE --ca-cert FILE --ca-key FILE --work DIR
//          [--grant TOKEN=SPIFFE_ID]...        a token accepted as is, and the identity it authenticates as
//          [--jwt-key PEM_FILE --trust-domain TD]  also accept RS256 JWTs signed by that key with audience istio-ca,
//                                              identity spiffe://TD/ns/<ns>/sa/<sa> from `sub` (as a TokenReview would)
//          [--max-ttl SECONDS]                 above it: INVALID_ARGUMENT, as istiod's MAX_WORKLOAD_CERT_TTL (90 days)
// Prints "listening PORT" once bound, then "issued SPIFFE_ID validity=N clusterid=X" per certificate, or
// "refused CODE" per refused call.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function argument(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function all(name) {
  const values = [];
  process.argv.forEach((value, index) => {
    if (value === `--${name}`) {
      values.push(process.argv[index + 1]);
    }
  });
  return values;
}

const work = argument('work');
const caCert = argument('ca-cert');
const caKey = argument('ca-key');
const jwtKeyFile = argument('jwt-key');
const jwtKey = jwtKeyFile ? fs.readFileSync(jwtKeyFile, 'utf8') : undefined;
const trustDomain = argument('trust-domain') || 'cluster.local';
const maxTtl = Number(argument('max-ttl') || 90 * 24 * 3600);
const grants = new Map(all('grant').map((grant) => {
  const at = grant.indexOf('=');
  return [grant.slice(0, at), grant.slice(at + 1)];
}));

const definition = protoLoader.loadSync(
  ['istio/ca.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [argument('protos')] });
const loaded = grpc.loadPackageDefinition(definition);

function base64url(text) {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

// kube-apiserver's TokenReview for the audience istio-ca, done locally: RS256 signature, exp, aud, and the
// service-account subject (security/pkg/server/ca/authenticate/kubeauth/kube_jwt.go needs exactly these).
function identityFromJwt(token) {
  if (!jwtKey) {
    return undefined;
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    return undefined;
  }
  const signed = crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), jwtKey, base64url(parts[2]));
  if (!signed) {
    return undefined;
  }
  const claims = JSON.parse(base64url(parts[1]).toString('utf8'));
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(claims.sub || '');
  if (!audiences.includes('istio-ca') || !match || !(claims.exp * 1000 > Date.now())) {
    return undefined;
  }
  return `spiffe://${trustDomain}/ns/${match[1]}/sa/${match[2]}`;
}

function authenticate(metadata) {
  const values = metadata.get('authorization');
  const header = values.length > 0 ? String(values[0]) : '';
  if (!header.startsWith('Bearer ')) {
    return undefined;
  }
  const token = header.slice('Bearer '.length);
  return grants.get(token) || identityFromJwt(token);
}

let serial = 0;

function sign(csr, identity, seconds) {
  serial += 1;
  const dir = fs.mkdtempSync(path.join(work, 'sign-'));
  try {
    fs.writeFileSync(path.join(dir, 'leaf.csr'), csr);
    fs.writeFileSync(path.join(dir, 'leaf.ext'), [
      '[leaf]',
      `subjectAltName = critical,URI:${identity}`,
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth,clientAuth',
      'basicConstraints = critical,CA:FALSE',
      'authorityKeyIdentifier = keyid',
      '',
    ].join('\n'));
    // openssl 3.0 x509 has no seconds-granular validity; whole days, at least one.
    const days = Math.max(1, Math.ceil(seconds / 86400));
    execFileSync('openssl', [
      'x509', '-req', '-in', 'leaf.csr', '-CA', caCert, '-CAkey', caKey, '-set_serial', String(1000 + serial),
      '-days', String(days), '-extfile', 'leaf.ext', '-extensions', 'leaf', '-out', 'leaf.crt',
    ], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    return fs.readFileSync(path.join(dir, 'leaf.crt'), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function createCertificate(call, callback) {
  const refuse = (code, details) => {
    console.log(`refused ${code}`);
    callback({ code, details });
  };
  const identity = authenticate(call.metadata);
  if (!identity) {
    refuse(grpc.status.UNAUTHENTICATED, 'request authenticate failure');
    return;
  }
  const ttl = Number(call.request.validity_duration);
  if (ttl > maxTtl) {
    refuse(grpc.status.INVALID_ARGUMENT, `requested TTL ${ttl}s is greater than the max allowed TTL ${maxTtl}s`);
    return;
  }
  let leaf;
  try {
    leaf = sign(call.request.csr, identity, ttl > 0 ? ttl : 86400);
  } catch (error) {
    refuse(grpc.status.INVALID_ARGUMENT, `CSR signing error (${String(error.stderr || error.message).trim()})`);
    return;
  }
  const clusterId = call.metadata.get('clusterid');
  console.log(`issued ${identity} validity=${ttl} clusterid=${clusterId.length > 0 ? clusterId[0] : ''}`);
  callback(null, { cert_chain: [leaf, fs.readFileSync(caCert, 'utf8')] });
}

const server = new grpc.Server();
server.addService(loaded.istio.v1.auth.IstioCertificateService.service, { CreateCertificate: createCertificate });
server.bindAsync(
  '127.0.0.1:0',
  grpc.ServerCredentials.createSsl(
    null,
    [{ cert_chain: fs.readFileSync(argument('tls-cert')), private_key: fs.readFileSync(argument('tls-key')) }],
    false),
  (error, port) => {
    if (error) {
      console.error(`failed to start: ${error.stack || error}`);
      process.exit(1);
    }
    console.log(`listening ${port}`);
  });

// The test fixture closes stdin when it is done; exit then even if it could not kill us.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
