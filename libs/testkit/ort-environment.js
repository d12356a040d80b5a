// A jest environment for tests that run onnxruntime-node (in jest.config.js, testEnvironment:
// require.resolve('@meridian/testkit/ort-environment.js')). onnxruntime-node's binding creates
// its output arrays in Node's own realm, while jest runs each test file in a vm context with its
// own Float32Array; onnxruntime-common's `instanceof` check then
// refuses every output ("A float32 tensor's data must be type of function Float32Array",
// microsoft/onnxruntime#16622). Test files get the host's typed-array constructors instead.
'use strict';
const { TestEnvironment } = require('jest-environment-node');

const SHARED = ['ArrayBuffer', 'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'];

class OrtTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtTestEnvironment;
