// Artifact Put then Get of one file through the sidecar with Node's grpc-js (a client that is not
// the JVM under test, as in the transport issue's first measurement). Honours flow control: a
// chunk is written only when the stream's buffer drains. Prints {"put_mb_s":…,"get_mb_s":…}.
// Usage: node artifact.js TARGET TOKEN NAMESPACE FILE PROTO_DIR   (TARGET: host:port or unix:/path;
// TLS to a host:port trusting $MEMSIDECAR_BENCH_CACERT when it is set)
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');
const fs = require('fs');
const [target, token, namespace, file, protoDir] = process.argv.slice(2);
const def = loader.loadSync('memsidecar/artifact/v1/artifact.proto', { includeDirs: [protoDir], keepCase: true, longs: Number });
const Artifact = grpc.loadPackageDefinition(def).memsidecar.artifact.v1.Artifact;
const cacert = process.env.MEMSIDECAR_BENCH_CACERT;
const credentials = cacert && !target.startsWith('unix:')
  ? grpc.credentials.createSsl(fs.readFileSync(cacert)) : grpc.credentials.createInsecure();
const client = new Artifact(target, credentials,
  { 'grpc.max_receive_message_length': 16 << 20 });
const md = new grpc.Metadata();
md.set('x-memsidecar-capability', 'Bearer ' + token);
const size = fs.statSync(file).size;
const mbs = (ns) => size / 1e6 / (Number(ns) / 1e9);

function put() {
  return new Promise((resolve, reject) => {
    const call = client.put(md, (err) => (err ? reject(err) : resolve()));
    call.write({ init: { namespace, id: 'bench-js' } });
    const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
    stream.on('data', (chunk) => { if (!call.write({ chunk: { data: chunk } })) { stream.pause(); call.once('drain', () => stream.resume()); } });
    stream.on('end', () => call.end());
    stream.on('error', reject);
  });
}

function get() {
  return new Promise((resolve, reject) => {
    let n = 0;
    const call = client.get({ namespace, id: 'bench-js' }, md);
    call.on('data', (r) => { if (r.chunk) n += r.chunk.data.length; });
    call.on('end', () => (n === size ? resolve() : reject(new Error('got ' + n + ' of ' + size))));
    call.on('error', reject);
  });
}

(async () => {
  const t0 = process.hrtime.bigint();
  await put();
  const t1 = process.hrtime.bigint();
  await get();
  const t2 = process.hrtime.bigint();
  console.log(JSON.stringify({ bytes: size, put_mb_s: +mbs(t1 - t0).toFixed(1), get_mb_s: +mbs(t2 - t1).toFixed(1) }));
  client.close();
})().catch((e) => { console.error(e.message); process.exit(1); });
