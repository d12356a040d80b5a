// onnxruntime-node's typed arrays in jest (OnnxScoreModel's tests): libs/testkit/ort-environment.js says why.
module.exports = { ...require('../../jest.preset.js'), testEnvironment: require.resolve('@meridian/testkit/ort-environment.js') };
