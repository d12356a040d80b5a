import { Decimal } from '@meridian/domain';
import { validateLimits } from '@meridian/risk-rules';
import type { LimitsBook, RiskLimits } from '@meridian/risk-rules';

/** Builds the limits book from the global keys and the optional per-symbol JSON overrides. */
export function limitsFromConfig(global: RiskLimits, perSymbolJson: string): LimitsBook {
  let perSymbol: LimitsBook['perSymbol'];
  if (perSymbolJson.trim() !== '') {
    let raw: unknown;
    try {
      raw = JSON.parse(perSymbolJson);
    } catch (err) {
      throw new Error(`RISK_LIMITS_PER_SYMBOL: not JSON: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new Error('RISK_LIMITS_PER_SYMBOL: expected an object of symbol -> { maxOrderQuantity?, maxOrderNotional?, maxPosition? }');
    }
    perSymbol = {};
    for (const [symbol, value] of Object.entries(raw as Record<string, Record<string, string>>)) {
      const entry: Partial<RiskLimits> = {};
      for (const k of ['maxOrderQuantity', 'maxOrderNotional', 'maxPosition'] as const) {
        if (value?.[k] === undefined) continue;
        try {
          entry[k] = Decimal.parse(String(value[k]));
        } catch {
          throw new Error(`RISK_LIMITS_PER_SYMBOL: ${symbol}.${k} is not a decimal: ${JSON.stringify(value[k])}`);
        }
      }
      perSymbol[symbol] = entry;
    }
  }
  return validateLimits({ global, ...(perSymbol ? { perSymbol } : {}) });
}
