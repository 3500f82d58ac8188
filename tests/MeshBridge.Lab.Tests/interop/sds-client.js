// A real SDS client for the lab SDS server tests: grpc-js over a Unix socket (unix:///path), with MeshBridge's own
// protos loaded by proto-loader, decoding each Secret inside its Any with protobufjs. It does what Envoy does on an
// SDS stream: a first DiscoveryRequest with node and resource names, then an ACK (version_info + response_nonce) per
// response. If the lab server's HTTP/2 framing, trailers, statuses or proto fields were wrong, this client (which
// nobody here wrote) would fail where Envoy would.
//
// Usage: node sds-client.js --protos DIR --socket PATH --out-dir DIR [--names default,ROOTCA] [--node-id ID]
//          [--build-version MAJOR.MINOR.PATCH] [--responses N] [--fetch]
//   --responses N: receive and ACK N responses, then half-close and wait for the status (default 1).
//   --fetch: one unary FetchSecrets call instead of a stream.
// Prints "response JSON" per response (chain and bundle PEMs; private keys are written to --out-dir/key-<n>.pem and
// only their PEM header is printed), "acked NONCE" per ACK, then "status JSON" ({"code","details"}); exits 0 when the
// call ended with OK (or, streaming, after N responses), 2 on any other status.
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

function argument(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) {
    if (fallback === undefined) {
      throw new Error(`missing --${name}`);
    }
    return fallback;
  }
  return process.argv[index + 1];
}

const protos = argument('protos');
const outDir = argument('out-dir');
const typeUrl = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
const names = argument('names', 'default,ROOTCA').split(',').filter((n) => n !== '');
const wanted = Number(argument('responses', '1'));
const fetch = process.argv.includes('--fetch');

const definition = protoLoader.loadSync(
  ['envoy/service/secret/v3/sds.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protos] });
const loaded = grpc.loadPackageDefinition(definition);

const types = new protobuf.Root();
types.resolvePath = (origin, target) => path.join(protos, target);
types.loadSync(['envoy/extensions/transport_sockets/tls/v3/secret.proto', 'envoy/extensions/transport_sockets/tls/v3/tls_spiffe_validator_config.proto'], { keepCase: true });
const Secret = types.lookupType('envoy.extensions.transport_sockets.tls.v3.Secret');
const SpiffeConfig = types.lookupType('envoy.extensions.transport_sockets.tls.v3.SPIFFECertValidatorConfig');

const text = (dataSource) => (dataSource && dataSource.inline_bytes ? Buffer.from(dataSource.inline_bytes).toString('utf8') : null);
let keys = 0;

function describe(any) {
  if (any.type_url !== typeUrl) {
    return { type_url: any.type_url };
  }
  let secret;
  try {
    secret = Secret.decode(any.value);
  } catch (error) {
    return { type_url: any.type_url, undecodable: String(error.message) };
  }
  const result = { name: secret.name };
  if (secret.tls_certificate) {
    keys += 1;
    const keyFile = path.join(outDir, `key-${keys}.pem`);
    const key = text(secret.tls_certificate.private_key) || '';
    fs.writeFileSync(keyFile, key, { mode: 0o600 });
    result.chain = text(secret.tls_certificate.certificate_chain);
    result.key_file = keyFile;
    result.key_header = key.split('\n')[0];
  }
  if (secret.validation_context) {
    const context = secret.validation_context;
    result.trusted_ca = text(context.trusted_ca);
    if (context.custom_validator_config) {
      const validator = context.custom_validator_config;
      const typed = validator.typed_config || {};
      const config = SpiffeConfig.decode(typed.value || Buffer.alloc(0));
      result.validator = {
        name: validator.name,
        type_url: typed.type_url,
        trust_domains: config.trust_domains.map((d) => ({ name: d.name, trust_bundle: text(d.trust_bundle) })),
      };
    }
  }
  return result;
}

function print(response) {
  const secrets = response.resources.map(describe);
  console.log(`response ${JSON.stringify({
    version: response.version_info,
    nonce: response.nonce,
    type_url: response.type_url,
    secrets,
  })}`);
  return secrets;
}

const node = { id: argument('node-id', 'sidecar~10.0.0.1~nic.nginx-ingress~nginx-ingress.svc.cluster.local'), cluster: 'nginx-ingress' };
const buildVersion = argument('build-version', '');
if (buildVersion !== '') {
  const [major, minor, patch] = buildVersion.split('.').map(Number);
  node.user_agent_build_version = { version: { major_number: major, minor_number: minor, patch } };
}

const client = new loaded.envoy.service.secret.v3.SecretDiscoveryService(`unix://${argument('socket')}`, grpc.credentials.createInsecure());
const deadline = { deadline: Date.now() + 30000 };

function finish(error) {
  const code = error ? error.code : 0;
  console.log(`status ${JSON.stringify({ code, details: error ? error.details : '' })}`);
  process.exitCode = code === 0 ? 0 : 2;
  client.close();
}

if (fetch) {
  client.FetchSecrets({ node, resource_names: names, type_url: typeUrl }, deadline, (error, response) => {
    if (!error) {
      print(response);
    }
    finish(error);
  });
} else {
  const call = client.StreamSecrets(deadline);
  let received = 0;
  let accepted = '';
  call.on('data', (response) => {
    const secrets = print(response);
    received += 1;
    const undecodable = secrets.some((s) => s.type_url !== undefined);
    const ack = { version_info: undecodable ? accepted : response.version_info, response_nonce: response.nonce, type_url: typeUrl, resource_names: names };
    if (undecodable) {
      ack.error_detail = { code: 3, message: 'a resource is not a Secret' };
    } else {
      accepted = response.version_info;
    }
    call.write(ack);
    console.log(`${undecodable ? 'nacked' : 'acked'} ${response.nonce}`);
    if (received >= wanted) {
      call.end();
    }
  });
  call.on('error', (error) => finish(error));
  call.on('status', (status) => {
    if (status.code === grpc.status.OK) {
      finish(undefined);
    }
  });
  call.write({ node, resource_names: names, type_url: typeUrl });
}
