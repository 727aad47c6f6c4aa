export * from './moto';
export * from './terraform';
export * from './tls-proxy';
export * from './trino/catalogs';
export * from './trino/client';
export * from './trino/install';
export * from './trino/jdk';
export * from './trino/server';
