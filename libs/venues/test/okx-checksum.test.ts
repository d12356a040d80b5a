import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { seededRandom } from '@meridian/testkit';
import { crc32, okxChecksum, okxChecksumString } from '../src';
import { CHECKSUM_VECTORS, present } from './support/okx-frames';

const lt = (levels: [string, string][]) => levels.map(([px, sz]) => ({ px, sz }));

test('the table CRC32 agrees with zlib on known values and on random strings', () => {
  expect(crc32('')).toBe(0);
  expect(crc32('123456789')).toBe(0xcbf43926); // the standard CRC-32/IEEE check value
  const random = seededRandom(7);
  for (let n = 0; n < 200; n++) {
    const text = Array.from({ length: Math.floor(random() * 300) }, () => '0123456789.:-'[Math.floor(random() * 13)]).join('');
    // zlib.crc32 exists from Node 20.15 on; it is the independent reference where present.
    if (typeof zlib.crc32 === 'function') expect(crc32(text)).toBe(zlib.crc32(text));
  }
});

test('OKX documented examples: aligned sides, and a shorter bid side that contributes nothing past its end', () => {
  expect(okxChecksumString(lt([['3366.1', '7'], ['3366', '6']]), lt([['3366.8', '9'], ['3368', '8']]))).toBe('3366.1:7:3366.8:9:3366:6:3368:8');
  expect(okxChecksum(lt([['3366.1', '7'], ['3366', '6']]), lt([['3366.8', '9'], ['3368', '8']]))).toBe(-1881014294);
  expect(okxChecksumString(lt([['3366.1', '7']]), lt([['3366.8', '9'], ['3368', '8'], ['3372', '8']]))).toBe('3366.1:7:3366.8:9:3368:8:3372:8');
  expect(okxChecksum(lt([['3366.1', '7']]), lt([['3366.8', '9'], ['3368', '8'], ['3372', '8']]))).toBe(831078360);
});

test('only 25 levels per side count, and the venue text is hashed as sent ("0.10" is not "0.1")', () => {
  const bids = Array.from({ length: 30 }, (_, i) => ({ px: String(100 - i), sz: '1' }));
  const asks = Array.from({ length: 30 }, (_, i) => ({ px: String(101 + i), sz: '1' }));
  expect(okxChecksumString(bids, asks).split(':')).toHaveLength(100);
  expect(okxChecksum(bids, asks)).toBe(okxChecksum(bids.slice(0, 25), asks.slice(0, 25)));
  expect(okxChecksum([{ px: '0.10', sz: '1' }], [])).not.toBe(okxChecksum([{ px: '0.1', sz: '1' }], []));
});

const maybe = present(CHECKSUM_VECTORS) ? test : test.skip;

maybe('the reference vectors give their documented values, and the documented negative case does not match', () => {
  const file = JSON.parse(fs.readFileSync(CHECKSUM_VECTORS, 'utf8')) as {
    vectors: { name: string; bids: [string, string][]; asks: [string, string][]; check_string: string; expected_checksum: number; matches: boolean }[];
  };
  expect(file.vectors).toHaveLength(5);
  for (const v of file.vectors) {
    const bids = lt(v.bids);
    const asks = lt(v.asks);
    expect(okxChecksumString(bids, asks)).toBe(v.check_string);
    if (v.matches) expect({ name: v.name, crc: okxChecksum(bids, asks) }).toEqual({ name: v.name, crc: v.expected_checksum });
  }
  // Vector 5: OKX's docs `books` push example, whose printed checksum is a placeholder.
  const negative = file.vectors[4]!;
  expect(negative.matches).toBe(false);
  expect(okxChecksum(lt(negative.bids), lt(negative.asks))).not.toBe(negative.expected_checksum);
  expect(okxChecksum(lt(negative.bids), lt(negative.asks))).toBe(-2102840145);
});
