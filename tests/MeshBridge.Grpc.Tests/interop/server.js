// A real gRPC peer for the MeshBridge.Grpc tests: grpc-js serving MeshBridge's own protos (loaded with proto-loader,
// so a wrong package, field number or path in our declarations shows up as a failing test, not just in a cluster).
//
// Usage: node server.js --protos DIR --uds PATH [--tls-cert FILE --tls-key FILE]
// Prints one line "listening tcp=PORT uds=PATH tls=PORT" once every port is bound, then "call ID" for each
// CreateCertificate carrying x-call-id (so a test can cancel a call it knows the server holds).
//
// Behaviour is asked for with request metadata:
//   x-fail-code / x-fail-message   end the call with that status (Trailers-Only, no response message);
//                                  x-fail-message-bin carries a UTF-8 message (ASCII metadata cannot),
//                                  x-fail-reason is sent back as the trailer x-reason
//   x-delay-ms                     answer after that delay (for deadlines and cancellation)
//   x-pad-bytes                    add a cert_chain element of that many bytes (for the receive limit)
//   x-end-after / x-end-code / x-end-message-bin   StreamSecrets: end with that status after N requests
'use strict';

const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function argument(name) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const protos = argument('protos');
const udsPath = argument('uds');
const tlsCert = argument('tls-cert');
const tlsKey = argument('tls-key');

const definition = protoLoader.loadSync(
  ['istio/ca.proto', 'envoy/service/secret/v3/sds.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protos] });
const loaded = grpc.loadPackageDefinition(definition);

function first(metadata, key) {
  const values = metadata.get(key);
  return values.length > 0 ? values[0] : undefined;
}

function createCertificate(call, callback) {
  const md = call.metadata;
  const callId = first(md, 'x-call-id');
  if (callId) {
    console.log(`call ${callId}`);
  }

  const respond = () => {
    const failCode = first(md, 'x-fail-code');
    if (failCode !== undefined) {
      const binaryMessage = first(md, 'x-fail-message-bin');
      const details = binaryMessage ? Buffer.from(binaryMessage).toString('utf8') : first(md, 'x-fail-message') || '';
      const trailers = new grpc.Metadata();
      const reason = first(md, 'x-fail-reason');
      if (reason) {
        trailers.set('x-reason', reason);
      }
      callback({ code: Number(failCode), details, metadata: trailers });
      return;
    }

    const binary = first(md, 'x-custom-bin');
    const deadline = call.getDeadline();
    const chain = [
      call.request.csr,
      `authorization=${first(md, 'authorization') || ''}`,
      `x-custom=${first(md, 'x-custom') || ''}`,
      `x-custom-bin=${binary ? Buffer.from(binary).toString('hex') : ''}`,
      `validity=${call.request.validity_duration}`,
      `metadata=${JSON.stringify(call.request.metadata)}`,
      `deadline=${deadline === Infinity ? 'none' : 'set'}`,
    ];
    const pad = Number(first(md, 'x-pad-bytes') || 0);
    if (pad > 0) {
      chain.push('x'.repeat(pad));
    }

    callback(null, { cert_chain: chain });
  };

  const delay = Number(first(md, 'x-delay-ms') || 0);
  if (delay > 0) {
    const timer = setTimeout(respond, delay);
    call.on('cancelled', () => clearTimeout(timer));
  } else {
    respond();
  }
}

// envoy.extensions.transport_sockets.tls.v3.Secret{name = 1}, encoded by hand: proto-loader gives no encoder for Any.
function encodeSecret(name) {
  const bytes = Buffer.from(name, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes]);
}

function streamSecrets(call) {
  const md = call.metadata;
  const endAfter = Number(first(md, 'x-end-after') || 0);
  let count = 0;
  let ended = false;
  const finish = (code, details) => {
    if (ended) {
      return;
    }
    ended = true;
    if (code === 0) {
      call.end();
    } else {
      call.emit('error', { code, details });
    }
  };

  call.on('data', (request) => {
    if (ended) {
      return;
    }
    count += 1;
    call.write({
      version_info: `${request.node ? request.node.id : ''}/${count}`,
      resources: request.resource_names.map((name) => ({
        type_url: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
        value: encodeSecret(name),
      })),
      type_url: request.type_url,
      nonce: `nonce-${count}`,
    });
    if (endAfter > 0 && count >= endAfter) {
      const binaryMessage = first(md, 'x-end-message-bin');
      finish(Number(first(md, 'x-end-code') || 0), binaryMessage ? Buffer.from(binaryMessage).toString('utf8') : '');
    }
  });
  call.on('end', () => finish(0, ''));
  call.on('error', () => { ended = true; });
}

const server = new grpc.Server();
server.addService(loaded.istio.v1.auth.IstioCertificateService.service, { CreateCertificate: createCertificate });
server.addService(loaded.envoy.service.secret.v3.SecretDiscoveryService.service, {
  StreamSecrets: streamSecrets,
  FetchSecrets: (call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: 'FetchSecrets is not served' }),
});

function bind(address, credentials) {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
  });
}

async function main() {
  const tcp = await bind('127.0.0.1:0', grpc.ServerCredentials.createInsecure());
  await bind(`unix://${udsPath}`, grpc.ServerCredentials.createInsecure());
  let tls = 0;
  if (tlsCert && tlsKey) {
    tls = await bind('127.0.0.1:0', grpc.ServerCredentials.createSsl(
      null,
      [{ cert_chain: fs.readFileSync(tlsCert), private_key: fs.readFileSync(tlsKey) }],
      false));
  }
  console.log(`listening tcp=${tcp} uds=${udsPath} tls=${tls}`);
}

main().catch((error) => {
  console.error(`failed to start: ${error.stack || error}`);
  process.exit(1);
});

// The test fixture closes stdin when it is done; exit then even if it could not kill us.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
