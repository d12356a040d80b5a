/**
 * The OKX v5 error codes this server answers with, their HTTP status and message as OKX's
 * "Error Code" tables give them (https://www.okx.com/docs-v5/en/#error-code). `{0}` is filled
 * with the offending parameter. Codes of the 50xxx family are answered at the top level with
 * their HTTP status; trade codes (51xxx) come per order as `sCode`/`sMsg` with HTTP 200.
 */
export interface OkxCode {
  readonly http: number;
  readonly msg: string;
}

export const OKX_REST_CODES = Object.freeze({
  '0': { http: 200, msg: '' },
  '1': { http: 200, msg: 'All operations failed' },
  '2': { http: 200, msg: 'Batch operation partially succeeded' },
  '50001': { http: 503, msg: 'Service temporarily unavailable. Please try again later' },
  '50011': { http: 429, msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly' },
  '50014': { http: 400, msg: 'Parameter {0} can not be empty' },
  '50026': { http: 500, msg: 'System error. Try again later' },
  '50101': { http: 401, msg: 'APIKey does not match current environment' },
  '50102': { http: 401, msg: 'Timestamp request expired' },
  '50103': { http: 401, msg: 'Request header "OK-ACCESS-KEY" can not be empty' },
  '50104': { http: 401, msg: 'Request header "OK-ACCESS-PASSPHRASE" can not be empty' },
  '50105': { http: 401, msg: 'Request header "OK-ACCESS-PASSPHRASE" incorrect' },
  '50106': { http: 401, msg: 'Request header "OK-ACCESS-SIGN" can not be empty' },
  '50107': { http: 401, msg: 'Request header "OK-ACCESS-TIMESTAMP" can not be empty' },
  '50111': { http: 401, msg: 'Invalid OK-ACCESS-KEY' },
  '50112': { http: 401, msg: 'Invalid OK-ACCESS-TIMESTAMP' },
  '50113': { http: 401, msg: 'Invalid Sign' },
  '51000': { http: 200, msg: 'Parameter {0} error' },
  '51001': { http: 200, msg: "Instrument ID doesn't exist" },
  '51008': { http: 200, msg: 'Order failed. Insufficient {0} balance in account' },
  '51016': { http: 200, msg: 'Duplicated clOrdId' },
  '51020': { http: 200, msg: 'Order amount should be greater than the min available amount' },
  '51120': { http: 200, msg: 'Order quantity is less than {0}, please try again' },
  '51121': { http: 200, msg: 'Order count should be the integer multiples of the lot size' },
  '51400': { http: 200, msg: 'Cancellation failed as the order does not exist' },
  '51401': { http: 200, msg: 'Cancellation failed as the order is already canceled' },
  '51402': { http: 200, msg: 'Cancellation failed as the order is already completed' },
  '51500': { http: 200, msg: 'Either order price or amount is required' },
  '51502': { http: 200, msg: 'Order failed. Insufficient balance' },
  '51503': { http: 200, msg: 'Order modification failed as the order does not exist' },
  '51506': { http: 200, msg: 'Order modification is not supported for this order type' },
  '51509': { http: 200, msg: 'Modification failed as the order has been canceled' },
  '51510': { http: 200, msg: 'Modification failed as the order has been completed' },
  '51511': { http: 200, msg: 'Operation failed as the order price did not meet the requirement for Post Only' },
  '51603': { http: 200, msg: 'Order does not exist' },
} satisfies Record<string, OkxCode>);

export type OkxRestCode = keyof typeof OKX_REST_CODES;

/** The message of a code, `{0}` replaced by `param`. */
export function okxMessage(code: OkxRestCode, param = ''): string {
  return OKX_REST_CODES[code].msg.replace('{0}', param);
}

/** OKX's WebSocket error codes (`{"event":"error","code":…,"msg":…}`). */
export const OKX_WS_CODES = Object.freeze({
  '60004': 'Invalid timestamp',
  '60005': 'Invalid apiKey',
  '60006': 'Timestamp request expired',
  '60007': 'Invalid sign',
  '60009': 'Login failed.',
  '60011': 'Please log in',
  '60012': 'Invalid request: {0}',
  '60013': 'Invalid args',
  '60018': "Wrong URL or channel:{0} doesn't exist. Please use the correct URL, channel and parameters referring to API document.",
  '60024': 'Wrong passphrase',
} satisfies Record<string, string>);

export type OkxWsCode = keyof typeof OKX_WS_CODES;

export function okxWsMessage(code: OkxWsCode, param = ''): string {
  return OKX_WS_CODES[code].replace('{0}', param);
}
