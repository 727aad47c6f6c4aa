import root from '../../eslint.config.mjs';

export default [
  ...root,
  {
    // The demo API (an app) is the integration tests' HTTP source; only tests may import it.
    files: ['test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@nfe-lake/demo-api'],
          depConstraints: [{ sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] }],
        },
      ],
    },
  },
];
