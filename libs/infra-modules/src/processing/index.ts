export * from './emr-roles';
export * from './emr-security';
export * from './spark-processing-props';
export * from './spark-processing';
