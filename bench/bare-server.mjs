// The ceiling for the guarded route: a bare node:http server answering the same JSON, nothing else.
import { createServer } from 'node:http';

const body = JSON.stringify({ ok: true, service: 'auth-service' });
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`Listening on port ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
