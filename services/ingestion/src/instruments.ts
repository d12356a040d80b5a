import { Decimal } from '@meridian/domain';
import type { SimulatedInstrument } from './simulator/market-simulator';

/** Starting points for the simulator's well-known symbols; others get a generic instrument. */
const KNOWN: Record<string, { price: string; tick: string; lot: string }> = {
  'BTC-USDT': { price: '60000', tick: '0.1', lot: '0.0001' },
  'ETH-USDT': { price: '3000', tick: '0.01', lot: '0.001' },
  'SOL-USDT': { price: '150', tick: '0.001', lot: '0.01' },
};

export function simulatedInstrument(symbol: string, volatility: number, eventRate: number, depth: number): SimulatedInstrument {
  const k = KNOWN[symbol] ?? { price: '100', tick: '0.01', lot: '0.01' };
  return {
    symbol,
    initialPrice: Decimal.parse(k.price),
    tickSize: Decimal.parse(k.tick),
    lotSize: Decimal.parse(k.lot),
    volatility,
    eventRate,
    depth,
  };
}
