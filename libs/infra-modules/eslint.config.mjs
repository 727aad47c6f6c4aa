import jsonc from 'jsonc-eslint-parser';
import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // a published package: every import of src/ declared in package.json (zod was not, once); tests and the checkov gate are not shipped
    files: ['**/package.json'],
    languageOptions: { parser: jsonc },
    rules: { '@nx/dependency-checks': ['error', { ignoredFiles: ['{projectRoot}/eslint.config.mjs', '{projectRoot}/test/**/*', '{projectRoot}/checkov/**/*'] }] },
  },
];
