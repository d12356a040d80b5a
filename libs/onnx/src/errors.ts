import { PlatformError } from '@meridian/domain';

/** Errors of building, writing and loading ONNX models. */
export class OnnxError extends PlatformError {}

/** Two tensors, two nodes or two metadata keys of one graph share a name. */
export class DuplicateNameError extends OnnxError {
  constructor(
    readonly kind: 'tensor' | 'node' | 'metadata key',
    readonly duplicate: string,
  ) {
    super('ONNX_DUPLICATE_NAME', `${kind} name ${JSON.stringify(duplicate)} is used more than once`);
  }
}

/** A node reads a tensor that no graph input, initializer or earlier node defines. */
export class UndefinedTensorError extends OnnxError {
  constructor(
    readonly tensor: string,
    readonly reader: string,
  ) {
    super('ONNX_UNDEFINED_TENSOR', `${reader} reads tensor ${JSON.stringify(tensor)}, which nothing before it defines`);
  }
}

/** Shapes that an operator cannot take together, or a declared shape that differs from the inferred one. */
export class ShapeMismatchError extends OnnxError {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super('ONNX_SHAPE_MISMATCH', `${where}: ${reason}`);
  }
}

/** A node, attribute or initializer that the graph builder cannot express (an unknown op, a bad attribute). */
export class InvalidGraphError extends OnnxError {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super('ONNX_INVALID_GRAPH', `${where}: ${reason}`);
  }
}

/** Bytes that are not a decodable ONNX model, or a model onnxruntime refuses to load. */
export class CorruptModelError extends OnnxError {
  constructor(
    readonly source: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('ONNX_CORRUPT_MODEL', `${source} is not a usable ONNX model: ${reason}`, options);
  }
}

/** Metadata that is missing, malformed, or different from what the caller expects. */
export class ModelMetadataError extends OnnxError {
  constructor(
    readonly key: string,
    readonly value: unknown,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('ONNX_METADATA', `model metadata ${key} ${describe(value)} ${reason}`, options);
  }
}

/** An inference input whose name, length or shape differs from the model's declared input. */
export class InputShapeError extends OnnxError {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super('ONNX_INPUT_SHAPE', `input ${JSON.stringify(input)}: ${reason}`);
  }
}

/** A model configuration or weight set that the exporter cannot turn into ONNX. */
export class UnsupportedModelError extends OnnxError {
  constructor(
    readonly what: string,
    reason: string,
  ) {
    super('ONNX_UNSUPPORTED_MODEL', `${what}: ${reason}`);
  }
}

/** A loader or session option outside its range; names the option. */
export class InvalidOptionError extends OnnxError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('ONNX_INVALID_OPTION', `option ${option} ${describe(value)} ${reason}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return '(absent)';
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
