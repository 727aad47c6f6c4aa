import root from '../eslint.config.mjs';

export default [
  ...root,
  {
    // the demo drives the apps themselves (the demo API, emr-trigger's Trigger) in-process
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@nfe-lake/demo-api', '@nfe-lake/emr-trigger'],
          depConstraints: [{ sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['*'] }],
        },
      ],
    },
  },
];
