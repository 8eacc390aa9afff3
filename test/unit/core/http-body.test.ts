import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, CodedError, isCodedError } from '../../../src/core/errors.js';
import { readBody } from '../../../src/core/http-body.js';

let server: Server;
let port = 0;
const outcomes: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const tooLarge = req.url === '/custom' ? (l: number) => new CodedError(Code.RESOURCE_EXHAUSTED, `over ${l}`) : undefined;
    readBody(req, 16, tooLarge).then(
      (body) => res.end(`ok:${body}`),
      (err: unknown) => {
        outcomes.push(err);
        res.writeHead(400, { Connection: 'close' }).end(isCodedError(err) ? `${err.code}:${err.field ?? ''}` : 'other');
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** POSTs `body` (chunked when `chunked`, so no Content-Length is declared) and resolves status and text. */
function post(path: string, body: string, chunked = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: chunked ? {} : { 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (chunked) for (const c of body.match(/.{1,4}/g) ?? []) req.write(c);
    else req.write(body);
    req.end();
  });
}

describe('readBody', () => {
  it('reads a body up to the limit', async () => {
    expect(await post('/', '{"a":1}')).toEqual({ status: 200, text: 'ok:{"a":1}' });
    expect(await post('/', 'x'.repeat(16), true)).toEqual({ status: 200, text: `ok:${'x'.repeat(16)}` });
  });

  it('refuses a larger body, declared or streamed, with INVALID_ARGUMENT on body or the given error', async () => {
    expect(await post('/', 'x'.repeat(17))).toEqual({ status: 400, text: 'INVALID_ARGUMENT:body' });
    expect(await post('/', 'x'.repeat(40), true)).toEqual({ status: 400, text: 'INVALID_ARGUMENT:body' });
    expect(await post('/custom', 'x'.repeat(17))).toEqual({ status: 400, text: 'RESOURCE_EXHAUSTED:' });
  });
});
