/**
 * The construct tests again, against the newest aws-cdk-lib and constructs the project is
 * tested with (test/smoke/nag/package-lock.json, installed into .ecosystem/nag by
 * `.ci/ecosystem.sh newest-aws-cdk-lib`), instead of the minimum in the project's own
 * node_modules. Everything else (cdk-nag, jest, the library's sources) is the project's.
 * Handler, lifecycle and explorer tests do not load aws-cdk-lib's behaviour into what they
 * check beyond synthesis, and run once, against the minimum.
 */
const path = require('path');
const base = require('../package.json').jest;
const newest = path.join(__dirname, '..', '.ecosystem', 'nag', 'node_modules');

module.exports = {
  ...base,
  rootDir: path.join(__dirname, '..'),
  collectCoverage: false,
  reporters: ['default'],
  moduleNameMapper: {
    '^aws-cdk-lib$': path.join(newest, 'aws-cdk-lib'),
    '^aws-cdk-lib/(.*)$': path.join(newest, 'aws-cdk-lib', '$1'),
    '^constructs$': path.join(newest, 'constructs'),
  },
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, '/test/lifecycle-', '/test/explore', '/test/local-', '/test/handler-', '/test/engine\\.test'],
};
