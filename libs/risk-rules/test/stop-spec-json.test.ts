import { Decimal } from '@meridian/domain';
import { InvalidRiskInputError, stopSpecFromJson, stopSpecToJson } from '../src';

describe('stopSpecFromJson', () => {
  it('reads a static and both trailing forms, from strings or numbers', () => {
    expect(stopSpecFromJson('BTC-USDT', { price: '25000.5' })).toEqual({ kind: 'static', price: Decimal.parse('25000.5') });
    expect(stopSpecFromJson('BTC-USDT', { distance: 150 })).toEqual({ kind: 'trailing', distance: Decimal.parse('150') });
    expect(stopSpecFromJson('BTC-USDT', { distanceBps: '200' })).toEqual({ kind: 'trailing', distanceBps: Decimal.parse('200') });
  });

  it('is undone by stopSpecToJson', () => {
    for (const raw of [{ price: '25000.5' }, { distance: '150' }, { distanceBps: '200' }]) expect(stopSpecToJson(stopSpecFromJson('X', raw))).toEqual(raw);
  });

  it.each([
    [[1], /^X must be an object \{price\} or \{distance\} or \{distanceBps\}, got \[1\]$/],
    [{ price: '1', distance: '2' }, /^X must set exactly one of price, distance, distanceBps, got \{"price":"1","distance":"2"\}$/],
    [{ limit: '1' }, /^X\.limit is not one of price, distance, distanceBps, got "1"$/],
    [{ price: 'abc' }, /^X\.price is not a decimal, got "abc"$/],
    [{ distanceBps: '-5' }, /^X\.distanceBps must be positive, got -5$/],
  ])('refuses %j, naming the entry and the value', (raw, message) => {
    let caught: unknown;
    try {
      stopSpecFromJson('X', raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidRiskInputError);
    expect((caught as Error).message).toMatch(message);
  });
});
