module.exports = { ...require('../../jest.preset.js'), testEnvironment: '<rootDir>/test/ort-environment.js' };
