// The transport floor for the benchmark: a bare gRPC server of the same InferenceService
// definition (same codecs) whose Predict answers at once with a canned PredictResponse (the
// service's own answer, passed in base64 as ECHO_RESPONSE), in a process of its own like the
// service. Prints its port, then serves until killed.
'use strict';
const { Server, ServerCredentials } = require('@grpc/grpc-js');
const { InferenceServiceService, PredictResponse } = require('@meridian/proto');

const responses = JSON.parse(process.env.ECHO_RESPONSES ?? '{}');
const decoded = Object.fromEntries(Object.entries(responses).map(([k, b64]) => [k, PredictResponse.decode(Buffer.from(b64, 'base64'))]));
const server = new Server();
const unimplemented = (_call, cb) => cb({ code: 12, details: 'echo server' });
server.addService(InferenceServiceService, {
  // The answer of the same size as the service's: keyed by model and window count.
  predict: (call, cb) => cb(null, decoded[`${call.request.model}/${call.request.windows.length}`]),
  registerModel: unimplemented,
  activateModel: unimplemented,
  listModels: unimplemented,
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
