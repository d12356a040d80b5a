// The field readers every venue decoder is built from. Regressions found by fuzzing
// (tools/fuzz, targets venues.decode-fields, okx.*, binance.*): a JSON number in exponent form
// escaped as InvalidDecimalError, which the feeds count as a bug of theirs rather than a rejected frame.
import { decodeDepthEvent, decodeOkxBookData, FrameRejectedError } from '../src';
import { decimal, tryDecimal } from '../src/decode';
import { decodeCandle, decodeTrade } from '../src/okx/protocol';

function rejection(read: () => unknown): FrameRejectedError {
  try {
    read();
  } catch (err) {
    if (err instanceof FrameRejectedError) return err;
    throw err;
  }
  throw new Error('expected a FrameRejectedError');
}

test.each([1e-7, 5e-324, 1e21, -5e-324, 2.5e-300])('a number in exponent form (%p) is a schema rejection, and tryDecimal agrees', (n) => {
  const err = rejection(() => decimal(n, 'px', 'positive'));
  expect(err.reason).toBe('schema');
  expect(err.detail).toContain('exponent form');
  expect(tryDecimal(n, 'positive')).toBeUndefined();
});

test('plain JSON numbers are still read exactly', () => {
  expect(decimal(0.000001, 'px', 'positive').toString()).toBe('0.000001');
  expect(decimal(123456.789, 'px', 'positive').toString()).toBe('123456.789');
  expect(decimal(0, 'sz', 'non_negative').toString()).toBe('0');
});

test('the decoders built on it reject such frames with a counted reason', () => {
  expect(rejection(() => decodeOkxBookData({ asks: [[-5e-324, '1', '0', '3']], bids: [], ts: '1500000000000' }, 'data[0]', 'snapshot')).reason).toBe('schema');
  expect(rejection(() => decodeTrade({ tradeId: '1', px: 1e-7, sz: '1', side: 'buy', ts: '1500000000000' }, 0)).reason).toBe('schema');
  expect(rejection(() => decodeCandle(['0', 5e-324, '1', '1', '1', '1', '1', '1', '1'], 'data[0]')).reason).toBe('schema');
  expect(rejection(() => decodeDepthEvent({ E: 1500000000000, U: 1, u: 1, b: [[1e21, '1']], a: [] }, 1n)).reason).toBe('schema');
});
