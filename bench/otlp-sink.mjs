// A collector that accepts every OTLP/HTTP export and keeps nothing: what the traced service sends
// its spans to in the bench, in a process of its own so that receiving them costs the load runner nothing.
import { createServer } from 'node:http';

let spansBytes = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk) => (spansBytes += chunk.length));
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
});
server.listen(Number(process.env.PORT), process.env.HOST, () => console.log(`Listening on ${process.env.PORT}`));
process.on('SIGTERM', () => {
  console.error(`received ${spansBytes} bytes of spans`);
  server.close(() => process.exit(0));
});
