import { ShapeMismatchError } from './errors';

/** A dimension: a fixed size, or a symbolic name (`batch`) that the runtime fixes per call. */
export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A dimension is a positive integer or a symbolic name usable as an ONNX `dim_param`. */
export function checkDim(where: string, d: Dim): void {
  if (typeof d === 'number') {
    if (!Number.isSafeInteger(d) || d <= 0) throw new ShapeMismatchError(where, `dimension ${d} is not a positive integer`);
  } else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(d)) {
    throw new ShapeMismatchError(where, `symbolic dimension ${JSON.stringify(d)} is not an identifier`);
  }
}

/** Multidirectional (numpy) broadcasting, the rule of ONNX's Add, Sub, Mul, Div and MatMul's batch dimensions. */
export function broadcast(where: string, a: Shape, b: Shape): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else throw new ShapeMismatchError(where, `shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
  }
  return out;
}

/** Normalises a possibly negative axis against a rank. */
export function normaliseAxis(where: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeMismatchError(where, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}
