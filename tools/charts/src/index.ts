export { ChartRenderError, helmOnPath, lintChart, renderChart } from './render';
export type { RenderedChart, RenderedObject, RenderOptions } from './render';
export { validateObjects } from './validate';
export type { SchemaViolation } from './validate';
