// A stand-in istio-agent SDS server for the MeshBridge SDS tests: grpc-js serving
// envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets from MeshBridge's protos on a Unix socket. Like istio-agent
// (reference/istio.md §5) it refuses a first request without node.id (INVALID_ARGUMENT "missing node information"),
// serves `default` (tls_certificate, inline bytes) and `ROOTCA` (validation_context.trusted_ca), and nothing else.
// It sends one resource per response and the next one only after the previous nonce was ACKed, so a client must ACK.
// The Secret inside each Any is encoded here by hand from the reference field numbers, not from our protos, so a wrong
// field number in our protos cannot agree with itself.
//
// Usage: node sds.js --protos DIR --socket PATH --chain PEM_FILE --key PEM_FILE --root PEM_FILE
//          [--mode normal|corrupt-first|silent|no-stream|spire|spire-federated] [--identity SPIFFE_ID]
//          [--federated PEM_FILE]
//   corrupt-first: the first `default` response carries bytes that are not a Secret; after the NACK it sends a good one.
//   silent: accepts the stream, never answers.  no-stream: StreamSecrets is not registered (UNIMPLEMENTED).
//   spire: as SPIRE answers Envoy 1.18+ (reference/istio.md §5): the SVID is `default` or its SPIFFE ID (--identity),
//     the bundle `ROOTCA` or `spiffe://cluster.local`, sent as custom_validator_config "envoy.tls.cert_validator.spiffe"
//     (SPIFFECertValidatorConfig{trust_domains=[{name "cluster.local", trust_bundle}]}) instead of trusted_ca.
//   spire-federated: as spire, plus a second trust domain "example.org" with the bundle in --federated.
// Control lines on stdin, for pushes to every open stream (a new version and nonce each, as an SDS server does when a
// certificate rotates): "push-cert" (re-reads --chain and --key), "push-root" (re-reads --root), "push-corrupt" (a
// certificate resource that is not a Secret; after the NACK the current good one is resent), "end-stream" (ends every
// stream with OK), "fail-stream" (ends every stream with UNAVAILABLE).
// Prints "listening PATH" once bound, then "request JSON" per DiscoveryRequest and "sent NONCE NAME" per response,
// and "done COMMAND" after each control line.
'use strict';

const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function argument(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const socket = argument('socket');
const mode = argument('mode') || 'normal';
let chain = fs.readFileSync(argument('chain'));
let key = fs.readFileSync(argument('key'));
let root = fs.readFileSync(argument('root'));
const identity = argument('identity') || '';
const federated = argument('federated') ? fs.readFileSync(argument('federated')) : undefined;
const spire = mode === 'spire' || mode === 'spire-federated';
const typeUrl = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

const definition = protoLoader.loadSync(
  ['envoy/service/secret/v3/sds.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [argument('protos')] });
const loaded = grpc.loadPackageDefinition(definition);

function varint(value) {
  const bytes = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

// A length-delimited field (wire type 2).
function field(number, payload) {
  return Buffer.concat([varint((number << 3) | 2), varint(payload.length), payload]);
}

// Secret{name=1, tls_certificate=2{certificate_chain=1, private_key=2}, validation_context=4{trusted_ca=1}},
// DataSource{inline_bytes=2}.
// SPIRE: CertificateValidationContext{custom_validator_config=12 TypedExtensionConfig{name=1, typed_config=2 Any{
// type_url=1, value=2 SPIFFECertValidatorConfig{trust_domains=1 TrustDomain{name=1, trust_bundle=2 DataSource}}}}}.
function spiffeValidator() {
  const dataSource = (bytes) => field(2, bytes);
  const domains = [field(1, Buffer.concat([field(1, Buffer.from('cluster.local')), field(2, dataSource(root))]))];
  if (mode === 'spire-federated') {
    domains.push(field(1, Buffer.concat([field(1, Buffer.from('example.org')), field(2, dataSource(federated))])));
  }
  const any = Buffer.concat([
    field(1, Buffer.from('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig')),
    field(2, Buffer.concat(domains))]);
  return field(12, Buffer.concat([field(1, Buffer.from('envoy.tls.cert_validator.spiffe')), field(2, any)]));
}

function isCertificate(name) {
  return name === 'default' || (spire && identity !== '' && name === identity);
}

function isRoot(name) {
  return name === 'ROOTCA' || (spire && name === 'spiffe://cluster.local');
}

function secret(name) {
  const dataSource = (bytes) => field(2, bytes);
  if (isCertificate(name)) {
    return Buffer.concat([field(1, Buffer.from(name)), field(2, Buffer.concat([field(1, dataSource(chain)), field(2, dataSource(key))]))]);
  }
  if (isRoot(name)) {
    return Buffer.concat([field(1, Buffer.from(name)), field(4, spire ? spiffeValidator() : field(1, dataSource(root)))]);
  }
  return undefined;
}

const streams = new Set();

let nonces = 0;

function streamSecrets(call) {
  let first = true;
  let pending = [];
  let awaiting;
  let corrupt = mode === 'corrupt-first';
  let names = [];
  const send = (name) => {
    nonces += 1;
    awaiting = { nonce: `nonce-${nonces}`, name };
    const value = corrupt ? Buffer.from([0xff, 0xff, 0xff]) : secret(name);
    call.write({ version_info: `v${nonces}`, type_url: typeUrl, nonce: awaiting.nonce, resources: [{ type_url: typeUrl, value }] });
    console.log(`sent ${awaiting.nonce} ${name}${corrupt ? ' corrupt' : ''}`);
  };
  const sendNext = () => {
    const name = pending.shift();
    if (name === undefined) {
      awaiting = undefined;
      return;
    }
    send(name);
  };
  const stream = {
    call,
    // A push replaces whatever is awaited: a newer nonce supersedes the older one (xDS).
    push(kind) {
      const name = names.find(kind === 'root' ? isRoot : isCertificate);
      if (name === undefined) {
        return;
      }
      corrupt = kind === 'corrupt';
      pending = [];
      send(name);
    },
  };
  streams.add(stream);
  call.on('data', (request) => {
    console.log(`request ${JSON.stringify({
      node: request.node ? request.node.id : null,
      names: request.resource_names,
      type: request.type_url,
      version: request.version_info,
      nonce: request.response_nonce,
      error: request.error_detail ? request.error_detail.message : null,
    })}`);
    if (first) {
      first = false;
      if (!request.node || request.node.id === '') {
        call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'missing node information' });
        return;
      }
      if (mode === 'silent') {
        return;
      }
      names = request.resource_names;
      pending = request.resource_names.filter((name) => secret(name) !== undefined);
      sendNext();
      return;
    }
    if (!awaiting || request.response_nonce !== awaiting.nonce) {
      console.log(`stale ${request.response_nonce}`);
      return;
    }
    if (request.error_detail) {
      // NACK: resend the same resource, correctly this time.
      pending.unshift(awaiting.name);
      corrupt = false;
    }
    sendNext();
  });
  call.on('end', () => {
    streams.delete(stream);
    call.end();
  });
  call.on('cancelled', () => streams.delete(stream));
}

function control(line) {
  const command = line.trim();
  if (command === 'push-cert') {
    chain = fs.readFileSync(argument('chain'));
    key = fs.readFileSync(argument('key'));
    streams.forEach((stream) => stream.push('certificate'));
  } else if (command === 'push-root') {
    root = fs.readFileSync(argument('root'));
    streams.forEach((stream) => stream.push('root'));
  } else if (command === 'push-corrupt') {
    streams.forEach((stream) => stream.push('corrupt'));
  } else if (command === 'end-stream') {
    streams.forEach((stream) => stream.call.end());
    streams.clear();
  } else if (command === 'fail-stream') {
    streams.forEach((stream) => stream.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'stand-in going away' }));
    streams.clear();
  } else if (command !== '') {
    console.log(`unknown ${command}`);
    return;
  }
  console.log(`done ${command} ${streams.size}`);
}

const server = new grpc.Server();
const service = loaded.envoy.service.secret.v3.SecretDiscoveryService.service;
server.addService(service, mode === 'no-stream' ? {} : { StreamSecrets: streamSecrets });
server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(`failed to start: ${error.stack || error}`);
    process.exit(1);
  }
  console.log(`listening ${socket}`);
});

require('readline').createInterface({ input: process.stdin }).on('line', control);
process.stdin.on('end', () => process.exit(0));
