// A stand-in istio-agent SDS server for the MeshBridge SDS tests: grpc-js serving
// envoy.service.secret.v3.SecretDiscoveryService/StreamSecrets from MeshBridge's protos on a Unix socket. Like istio-agent
// (reference/istio.md §5) it refuses a first request without node.id (INVALID_ARGUMENT "missing node information"),
// serves `default` (tls_certificate, inline bytes) and `ROOTCA` (validation_context.trusted_ca), and nothing else.
// It sends one resource per response and the next one only after the previous nonce was ACKed, so a client must ACK.
// The Secret inside each Any is encoded here by hand from the reference field numbers, not from our protos, so a wrong
// field number in our protos cannot agree with itself.
//
// Usage: node sds.js --protos DIR --socket PATH --chain PEM_FILE --key PEM_FILE --root PEM_FILE
//          [--mode normal|corrupt-first|silent|no-stream]
//   corrupt-first: the first `default` response carries bytes that are not a Secret; after the NACK it sends a good one.
//   silent: accepts the stream, never answers.  no-stream: StreamSecrets is not registered (UNIMPLEMENTED).
// Prints "listening PATH" once bound, then "request JSON" per DiscoveryRequest and "sent NONCE NAME" per response.
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
const chain = fs.readFileSync(argument('chain'));
const key = fs.readFileSync(argument('key'));
const root = fs.readFileSync(argument('root'));
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
function secret(name) {
  const dataSource = (bytes) => field(2, bytes);
  if (name === 'default') {
    return Buffer.concat([field(1, Buffer.from(name)), field(2, Buffer.concat([field(1, dataSource(chain)), field(2, dataSource(key))]))]);
  }
  if (name === 'ROOTCA') {
    return Buffer.concat([field(1, Buffer.from(name)), field(4, field(1, dataSource(root)))]);
  }
  return undefined;
}

let nonces = 0;

function streamSecrets(call) {
  let first = true;
  let pending = [];
  let awaiting;
  let corrupt = mode === 'corrupt-first';
  const sendNext = () => {
    const name = pending.shift();
    if (name === undefined) {
      awaiting = undefined;
      return;
    }
    nonces += 1;
    awaiting = { nonce: `nonce-${nonces}`, name };
    const value = corrupt ? Buffer.from([0xff, 0xff, 0xff]) : secret(name);
    call.write({ version_info: `v${nonces}`, type_url: typeUrl, nonce: awaiting.nonce, resources: [{ type_url: typeUrl, value }] });
    console.log(`sent ${awaiting.nonce} ${name}${corrupt ? ' corrupt' : ''}`);
  };
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
  call.on('end', () => call.end());
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

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
