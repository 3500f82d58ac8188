// A real gRPC client for the lab Istio CA tests: grpc-js calling CreateCertificate over TLS, with MeshBridge's own
// protos loaded by proto-loader. If the lab CA's framing, trailers, TLS names or proto fields were wrong, this
// client (which nobody here wrote) would fail where istio-agent would.
//
// Usage: node ca-client.js --protos DIR --address HOST:PORT --root FILE --server-name NAME
//                          --token-file FILE --csr-file FILE --validity SECONDS
// Prints the response as JSON ({"cert_chain":[...]}) on success and exits 0; on a gRPC error prints
// {"code":N,"details":"..."} and exits 2. The token is read from a file so it never appears in a process listing.
'use strict';

const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function argument(name) {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) {
    throw new Error(`missing --${name}`);
  }
  return process.argv[index + 1];
}

const definition = protoLoader.loadSync(
  ['istio/ca.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [argument('protos')] });
const loaded = grpc.loadPackageDefinition(definition);
const serverName = argument('server-name');

const client = new loaded.istio.v1.auth.IstioCertificateService(
  argument('address'),
  grpc.credentials.createSsl(fs.readFileSync(argument('root'))),
  { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName });

const metadata = new grpc.Metadata();
metadata.add('authorization', `Bearer ${fs.readFileSync(argument('token-file'), 'utf8').trim()}`);
metadata.add('ClusterID', 'Kubernetes');

const request = {
  csr: fs.readFileSync(argument('csr-file'), 'utf8'),
  validity_duration: argument('validity'),
};

client.CreateCertificate(request, metadata, { deadline: Date.now() + 20000 }, (error, response) => {
  if (error) {
    process.stdout.write(JSON.stringify({ code: error.code, details: error.details }) + '\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(JSON.stringify(response) + '\n');
  }
  client.close();
});
