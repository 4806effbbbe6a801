/**
 * The server's module boundaries, checked in CI (`npm run lint:deps`).
 * - Feature folders under server/src must not depend on each other in a circle.
 * - Domain code never imports the socket or HTTP layer: those layers call the domain, not the reverse.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-feature-cycles',
      comment: 'Feature folders of server/src form no circle: a feature depends on others one way.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^server/src/[^/]+' },
      to: { circular: true },
    },
    {
      name: 'domain-not-on-transport',
      comment: 'Domain code does not import the socket or HTTP layer (it publishes facts; the layers subscribe).',
      severity: 'error',
      from: { path: '^server/src/', pathNot: ['^server/src/(socket|http)/', '^server/src/server\\.ts$', '^server/src/main\\.ts$', '/routes\\.ts$', '/handlers\\.ts$', '/namespace\\.ts$'] },
      to: { path: '^server/src/(socket|http)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    includeOnly: '^(server|shared)/',
  },
};
