import { setResponseHeaders } from './response-headers';

describe('setResponseHeaders', () => {
  const headers = { 'WWW-Authenticate': 'Bearer realm="api"', 'Retry-After': '5' };

  it('sets headers on an Express response (setHeader)', () => {
    const res = { setHeader: jest.fn() };
    setResponseHeaders(res, headers);
    expect(res.setHeader.mock.calls).toEqual(Object.entries(headers));
  });

  it('sets headers on a Fastify reply (header)', () => {
    const reply = { header: jest.fn() };
    setResponseHeaders(reply, headers);
    expect(reply.header.mock.calls).toEqual(Object.entries(headers));
  });

  it('leaves responses already sent, and non-responses, alone', () => {
    const sent = { setHeader: jest.fn(), headersSent: true };
    const replied = { header: jest.fn(), sent: true };
    setResponseHeaders(sent, headers);
    setResponseHeaders(replied, headers);
    expect(sent.setHeader).not.toHaveBeenCalled();
    expect(replied.header).not.toHaveBeenCalled();
    expect(() => setResponseHeaders(undefined, headers)).not.toThrow();
    expect(() => setResponseHeaders(null, headers)).not.toThrow();
    expect(() => setResponseHeaders({}, headers)).not.toThrow();
  });
});
