// The API reports (api/*.api.md), one per entry point of package.json's `exports`, and API.md. `npm run api`
// writes them; `npm run api:check` (CI) fails when the public surface differs from the reports checked in, so
// every change to it shows in review. Both run on the build (lib/**/*.d.ts).
const path = require('path');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');
const { writeApiMarkdown } = require('./api-markdown');

const ROOT = path.join(__dirname, '..');
const local = process.argv.includes('--local');
const ENTRIES = {
  'workshop-stacks': 'lib/src/index.d.ts',
  'workshop-stacks-checks': 'lib/src/checks/index.d.ts',
  'workshop-stacks-traffic': 'lib/src/traffic/index.d.ts',
  'workshop-stacks-apply': 'lib/src/apply/index.d.ts',
};

let failed = false;
for (const [name, entry] of Object.entries(ENTRIES)) {
  const configFile = path.join(ROOT, 'api', 'api-extractor.json');
  const config = ExtractorConfig.prepare({
    configObject: {
      ...ExtractorConfig.loadFile(configFile),
      projectFolder: ROOT,
      mainEntryPointFilePath: path.join(ROOT, entry),
      apiReport: {
        enabled: true,
        reportFileName: `${name}.api.md`,
        reportFolder: path.join(ROOT, 'api'),
        reportTempFolder: path.join(ROOT, 'temp', 'api'),
      },
      compiler: { tsconfigFilePath: path.join(ROOT, 'tsconfig.json') },
      docModel: {
        enabled: name === 'workshop-stacks',
        apiJsonFilePath: path.join(ROOT, 'temp', 'api', `${name}.api.json`),
      },
    },
    configObjectFullPath: configFile,
    packageJsonFullPath: path.join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: local, showVerboseMessages: false });
  if (!result.succeeded) {
    failed = true;
    console.error(
      `${name}: ${result.errorCount} errors, ${result.warningCount} warnings${result.apiReportChanged ? '; the API report changed: run `npm run api` and review the diff' : ''}`,
    );
  }
}

const apiMd = writeApiMarkdown(path.join(ROOT, 'temp', 'api', 'workshop-stacks.api.json'));
const target = path.join(ROOT, 'API.md');
const fs = require('fs');
if (local) {
  fs.writeFileSync(target, apiMd);
} else if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== apiMd) {
  console.error('API.md is not up to date: run `npm run api`');
  failed = true;
}
process.exitCode = failed ? 1 : 0;
