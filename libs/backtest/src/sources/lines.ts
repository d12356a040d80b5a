import { createReadStream } from 'node:fs';

/**
 * A text file's lines in chunks, with the 1-based number of the chunk's first line: one `await`
 * per read of the stream rather than per line (readline's per-line iteration costs more than a
 * minute bar's whole trip through the engine). A trailing `\r` is dropped; so is a last empty line.
 */
export async function* lineChunks(path: string, highWaterMark = 1 << 20): AsyncGenerator<{ lines: string[]; firstLine: number }> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark });
  let rest = '';
  let lineNo = 1;
  try {
    for await (const piece of input as AsyncIterable<string>) {
      const text = rest + piece;
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
      }
      if (lines.length > 0) {
        yield { lines, firstLine: lineNo };
        lineNo += lines.length;
      }
    }
    if (rest.endsWith('\r')) rest = rest.slice(0, -1);
    if (rest !== '') yield { lines: [rest], firstLine: lineNo };
  } finally {
    input.destroy();
  }
}
