import { InvalidSubjectTokenError, Subjects } from '../src';

// Found by fuzzing risk's SetKillSwitch (tools/fuzz, risk.grpc): a 5,000-character symbol became a
// subject past NATS's 4 KiB control line, and the server dropped risk's whole connection.
test('a subject token is at most 256 characters, so no request can build a subject NATS refuses', () => {
  const s = new Subjects('ns');
  expect(s.killSwitch('x'.repeat(256))).toBe(`ns.ctl.killswitch.${'x'.repeat(256)}`);
  expect(() => s.killSwitch('x'.repeat(257))).toThrow(InvalidSubjectTokenError);
  expect(() => s.killSwitch('x'.repeat(5_000))).toThrow(/for a subject token: use a-z A-Z 0-9 - _ only, at most 256 characters/);
  expect(() => s.intent('')).toThrow(InvalidSubjectTokenError);
});
