import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../spi.js';
import { readFormBody } from './form-body.js';

const request = (contentType: string, body: string | Buffer): RecordedRequest => ({
  method: 'POST', path: '/', query: {}, headers: { 'content-type': contentType }, body: undefined, rawBody: Buffer.from(body), at: new Date(0),
});

describe('readFormBody', () => {
  it('reads a form body in order, a repeated name twice', async () => {
    expect(await readFormBody(request('application/x-www-form-urlencoded', 'a=1&b=%7B%22x%22%3A1%7D&a=2'))).toEqual([['a', '1'], ['b', '{"x":1}'], ['a', '2']]);
  });

  it('reads multipart text fields and file parts with their type and name', async () => {
    // encoded as a client library would (Node's own FormData encoder)
    const form = new FormData();
    form.append('chat_id', '42');
    form.append('photo', new Blob(['JPEGBYTES'], { type: 'image/jpeg' }), 'car.jpg');
    const encoded = new Request('http://fake.test', { method: 'POST', body: form });
    const fields = await readFormBody(request(encoded.headers.get('content-type')!, Buffer.from(await encoded.arrayBuffer())));
    expect(fields).toEqual([['chat_id', '42'], ['photo', { bytes: Buffer.from('JPEGBYTES'), type: 'image/jpeg', name: 'car.jpg' }]]);
  });

  it('throws on a multipart body that is not one', async () => {
    await expect(readFormBody(request('multipart/form-data; boundary=B', 'not multipart'))).rejects.toThrow();
  });
});
