export * from './moto';
export * from './terraform';
export * from './tls-proxy';
export * from './shell-env';
