// The transport floor for the CheckOrder benchmark: a bare grpc-js server in its own process that
// answers GetPositions with an empty response and does nothing else. A call to it costs what any
// unary call between two Node processes costs on this machine (grpc-js client and server, HTTP/2,
// loopback), so the risk service can be no faster than this. Started by check-order.bench.js.
'use strict';

const { Server, ServerCredentials } = require('@grpc/grpc-js');
const { RiskServiceService } = require('@meridian/proto');

const server = new Server();
server.addService(RiskServiceService, { getPositions: (_call, callback) => callback(null, { positions: [] }) });
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.send({ port });
});
process.on('disconnect', () => process.exit(0));
