import { PassThrough } from 'node:stream';
import { OAuthError } from './oauth.errors';
import { readTokenParams, TokenHttpRequest } from './token-request';

/** A request whose body no parser has read yet (e.g. `bodyParser: false`). */
function rawRequest(contentType: string | undefined, body: string): TokenHttpRequest {
  const stream = new PassThrough();
  const req = Object.assign(stream, {
    headers: {
      ...(contentType ? { 'content-type': contentType } : {}),
      'content-length': String(Buffer.byteLength(body)),
    },
    body: undefined,
  });
  stream.end(body);
  return req as unknown as TokenHttpRequest;
}

async function errorOf(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    return error as OAuthError;
  }
  throw new Error('expected a rejection');
}

describe('readTokenParams', () => {
  it('RT1: reads a raw form body itself and refuses repeated parameters', async () => {
    const params = await readTokenParams(
      rawRequest(
        'application/x-www-form-urlencoded; charset=utf-8',
        'grant_type=refresh_token&refresh_token=x',
      ),
    );
    expect([...params]).toEqual([
      ['grant_type', 'refresh_token'],
      ['refresh_token', 'x'],
    ]);
    const twice = await errorOf(
      readTokenParams(rawRequest('application/x-www-form-urlencoded', 'a=1&a=2')),
    );
    expect(twice).toMatchObject({ code: 'invalid_request' });
  });

  it('RT1: reads a raw JSON body itself; bad JSON and non-objects are invalid_request', async () => {
    const params = await readTokenParams(
      rawRequest('application/json', '{"grant_type":"refresh_token"}'),
    );
    expect(params.get('grant_type')).toBe('refresh_token');
    expect((await readTokenParams(rawRequest('application/json', ''))).size).toBe(0);
    for (const body of ['{', '[1]', '"x"', '{"a":{"b":1}}']) {
      expect(await errorOf(readTokenParams(rawRequest('application/json', body)))).toMatchObject({
        code: 'invalid_request',
      });
    }
  });

  it('RT-05: a raw body over 16 KiB is 413 and the message never quotes it', async () => {
    const error = await errorOf(
      readTokenParams(
        rawRequest('application/x-www-form-urlencoded', `refresh_token=${'z'.repeat(20_000)}`),
      ),
    );
    expect(error.getStatus()).toBe(413);
    expect(JSON.stringify(error.getResponse())).not.toContain('zzz');
  });

  it('RT-05: a body without a content type is invalid_request; no body at all is empty', async () => {
    expect(await errorOf(readTokenParams(rawRequest(undefined, 'a=1')))).toMatchObject({
      code: 'invalid_request',
    });
    const none = { headers: {} } as TokenHttpRequest;
    expect((await readTokenParams(none)).size).toBe(0);
  });

  it('uses a body a parser already read', async () => {
    const req = {
      headers: { 'content-type': 'application/json' },
      body: { token: 't' },
    } as TokenHttpRequest;
    expect((await readTokenParams(req)).get('token')).toBe('t');
  });
});
