import type { FuzzTarget } from '../target';
import { alpacaMessageTarget, rfc3339Target } from './alpaca';
import { binanceDepthEventTarget, binanceDepthSnapshotTarget, binanceDepthSyncTarget, binanceRetryAfterTarget, binanceStreamDataTarget } from './binance';
import { busPoisonPath } from './bus';
import { decimalParse } from './domain';
import { binanceFeed, okxFeed } from './feeds';
import { orderBookGrpc, recorderGrpc, riskGrpc } from './grpc-services';
import { lobsterBookRow, lobsterMessage } from './lobster';
import { okxBookDataTarget, okxBookSyncTarget, okxCandleTarget, okxChecksumTarget, okxFastPush, okxFrameTarget, okxRestBookTarget, okxTradeTarget } from './okx';
import { bookKeeperTarget, getBookRequest } from './order-book';
import { protoBusMessages, protoFieldHelpers, protoGrpcRequests } from './proto';
import { barRecord, getBarsRequest } from './recorder';
import { limitsDocumentTarget, updateLimitsJson } from './risk-limits';
import { config, configFields } from './runtime-config';
import { barInterval } from './signals';
import { binanceRestClient, okxRestClient } from './rest-clients';
import { recordingLineTarget, sourceSpecTarget, venueFieldsTarget } from './venue-common';

/** Every target, in the order of the report. */
export const TARGETS: readonly FuzzTarget[] = [
  okxFrameTarget,
  okxBookDataTarget,
  okxTradeTarget,
  okxCandleTarget,
  okxRestBookTarget,
  okxRestClient,
  okxFastPush,
  okxChecksumTarget,
  okxBookSyncTarget,
  okxFeed,
  binanceDepthEventTarget,
  binanceDepthSnapshotTarget,
  binanceStreamDataTarget,
  binanceDepthSyncTarget,
  binanceRetryAfterTarget,
  binanceRestClient,
  binanceFeed,
  alpacaMessageTarget,
  rfc3339Target,
  venueFieldsTarget,
  recordingLineTarget,
  sourceSpecTarget,
  lobsterMessage,
  lobsterBookRow,
  protoBusMessages,
  protoGrpcRequests,
  protoFieldHelpers,
  busPoisonPath,
  decimalParse,
  barInterval,
  limitsDocumentTarget,
  config,
  configFields,
  updateLimitsJson,
  riskGrpc,
  getBookRequest,
  bookKeeperTarget,
  orderBookGrpc,
  getBarsRequest,
  barRecord,
  recorderGrpc,
];

/** The targets a `--target` selection names: exact names, or prefixes (`okx` selects every `okx.*`). */
export function selectTargets(selection: readonly string[]): FuzzTarget[] {
  if (selection.length === 0) return [...TARGETS];
  const chosen = TARGETS.filter((t) => selection.some((s) => t.name === s || t.name.startsWith(`${s}.`) || t.name.startsWith(s)));
  return chosen;
}
