const preset = require('../../jest.preset.js');

// trading-signals (a peer the tests compare against) ships only ES modules; jest's CommonJS
// runtime needs them transformed like our own sources.
module.exports = {
  ...preset,
  transform: {
    ...preset.transform,
    'node_modules/trading-signals/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!trading-signals/)'],
};
