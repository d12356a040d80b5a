import { Writable } from 'node:stream';
import { Progress, formatSeconds, htmlTable, learningCurvesSvg } from '../src';

test('learning curves: one solid and one dashed path per run, the best epoch marked, text escaped', () => {
  const curve = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch, validationLoss: 1.2 / epoch + (epoch === 3 ? 0.5 : 0), gradientNorm: 1, seconds: 1 }));
  const svg = learningCurvesSvg([{ name: 'fold <1>', curve, bestEpoch: 2 }]);
  expect(svg.match(/<path /g)).toHaveLength(2);
  expect(svg).toContain('stroke-dasharray');
  expect(svg).toContain('<circle');
  expect(svg).toContain('fold &lt;1&gt;');
  expect(learningCurvesSvg([])).toContain('no epochs recorded');
});

test('htmlTable prints numbers to 4 significant digits and escapes text', () => {
  expect(htmlTable(['a', 'b'], [['<x>', 1.234567], ['y', null]])).toContain('<td>&lt;x&gt;</td><td>1.235</td>');
});

test('progress: redrawn in place on a terminal, only epoch lines when not', () => {
  const sink = () => {
    const chunks: string[] = [];
    const s = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) as unknown as NodeJS.WriteStream;
    return { s, chunks };
  };
  const tty = sink();
  (tty.s as { isTTY: boolean }).isTTY = true;
  const p = new Progress(tty.s);
  p.start('epoch 1/2', 10);
  p.update(10, 'loss 0.5');
  p.log('epoch 1: train 0.5');
  expect(tty.chunks.join('')).toMatch(/\r\x1b\[2Kepoch 1\/2 \[#+\] 100% 10\/10 loss 0.5/);
  const file = sink();
  const q = new Progress(file.s);
  q.start('epoch 1/2', 10);
  q.update(10, 'loss 0.5');
  q.log('epoch 1: train 0.5');
  expect(file.chunks.join('')).toBe('epoch 1: train 0.5\n');
  expect(formatSeconds(3725)).toBe('1h02m');
});
