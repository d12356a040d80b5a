import * as tf from '@tensorflow/tfjs';
// Registers the 'wasm' backend (its binary is loaded only when the backend is first selected).
// A static import: a dynamic one is not available where the library itself is loaded through a
// CommonJS loader without ESM support (jest).
import '@tensorflow/tfjs-backend-wasm';
import { BackendError } from './errors';

// PROD silences the CPU backend's "install tfjs-node" banner (tfjs-node downloads native binaries,
// which this project does not allow) and skips per-op debug checks.
tf.env().set('PROD', true);
// In Node, tfjs would otherwise try WebGL first; the pure-JS CPU backend is the default here.
void tf.setBackend('cpu');

/** The backends this library runs on: pure JavaScript, or WebAssembly (XNNPACK, SIMD) shipped inside its npm package. */
export type BackendName = 'cpu' | 'wasm';

export const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];

/**
 * Switches TensorFlow.js to a backend. The WebAssembly binary ships in the npm package and is
 * loaded on first use; nothing is downloaded. Both are single-threaded in Node and
 * deterministic: the same seed gives the same weights on one backend (not across the two).
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (!BACKENDS.includes(name)) throw new BackendError(String(name), `is not one of ${BACKENDS.join(', ')}`);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (cause) {
    throw new BackendError(name, 'failed to initialise', { cause });
  }
  if (!ok || tf.getBackend() !== name) throw new BackendError(name, 'failed to initialise');
}

/** The backend in use. */
export function currentBackend(): string {
  return tf.getBackend();
}

export { tf };
