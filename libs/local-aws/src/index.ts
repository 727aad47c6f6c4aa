export * from './moto';
export * from './terraform';
