export { GraphBuilder } from './builder';
export { attr } from './graph';
export type { Attribute, DType, GraphNode, Initializer, OnnxGraph, TensorRef, ValueInfo } from './graph';
export type { Dim, Shape } from './shape';
export { OPSET_VERSION, supportedOps } from './ops';
export { validateGraph } from './validate';
export type { ValidatedGraph } from './validate';
export { IR_VERSION, PRODUCER_NAME, serializeModel } from './serialize';
export type { MetadataEntry, SerializeOptions } from './serialize';
export { METADATA_FORMAT_VERSION, METADATA_KEYS, metadataEntries, parseMetadata } from './metadata';
export type { ModelMetadata, ModelMetadataInput, ModelNormalisation } from './metadata';
export { activation, dense, layerNorm, lstm, lstmOnnxWeights } from './blocks';
export type { Activation, DenseWeights, LayerNormWeights, LstmOptions, LstmOutputs, LstmWeights } from './blocks';
export { MASKED, causalMask, scaledDotProductAttention } from './attention';
export { WeightSet } from './weights';
export type { NamedWeightLike } from './weights';
export { BATCH, INPUT_FUTURE, INPUT_PAST, INPUT_STATIC, OUTPUT_FORECAST } from './export-common';
export type { ExportableModel, ExportedModel, ExportOptions } from './export-common';
export { exportLstm } from './export-lstm';
export { exportNbeats } from './export-nbeats';
export { exportTft } from './export-tft';
export { exportModel } from './export-model';
export { writeOnnxModel } from './write';
export { loadOnnxModel, loadOnnxModelFromBytes } from './load';
export type { LoadOptions, OnnxModel, TensorData } from './load';
export {
  CorruptModelError,
  DuplicateNameError,
  InputShapeError,
  InvalidGraphError,
  InvalidOptionError,
  ModelMetadataError,
  OnnxError,
  ShapeMismatchError,
  UndefinedTensorError,
  UnsupportedModelError,
} from './errors';
