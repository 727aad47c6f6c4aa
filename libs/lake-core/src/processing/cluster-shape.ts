import { z } from 'zod';
import type { ProcessingConfig } from '../config/lake';

const ebsVolumeSchema = z.object({ sizeGb: z.number().int().min(1), volumeType: z.literal('gp3'), volumesPerInstance: z.number().int().min(1) }).strict();

const instanceGroupSchema = z
  .object({
    name: z.enum(['primary', 'core']),
    role: z.enum(['MASTER', 'CORE']),
    market: z.literal('ON_DEMAND'),
    instanceType: z.string().min(1),
    instanceCount: z.number().int().min(1),
    ebsVolumes: z.array(ebsVolumeSchema),
  })
  .strict();

/**
 * What an EMR cluster of the lake is made of: the instance groups with their EBS data volumes,
 * the root volume and the managed scaling limits. Built once from the processing settings; the
 * persistent cluster (Terraform `aws_emr_cluster`) and the transient one (RunJobFlow, from the
 * launch spec) are both translations of it, so the two modes cannot drift apart.
 */
export const clusterShapeSchema = z
  .object({
    rootVolumeSizeGb: z.number().int().min(15),
    instanceGroups: z.array(instanceGroupSchema).length(2),
    managedScaling: z
      .object({
        unitType: z.literal('Instances'),
        minimumCapacityUnits: z.number().int().min(1),
        maximumCapacityUnits: z.number().int().min(1),
        maximumOnDemandCapacityUnits: z.number().int().min(0),
        maximumCoreCapacityUnits: z.number().int().min(1),
      })
      .strict(),
  })
  .strict();

export type ClusterShape = z.infer<typeof clusterShapeSchema>;
export type InstanceGroupShape = ClusterShape['instanceGroups'][number];

/** The cluster shape of the processing settings: one primary, core nodes starting at the scaling minimum. */
export function clusterShape(s: ProcessingConfig): ClusterShape {
  const ebsVolumes = [{ sizeGb: s.dataVolumeSizeGb, volumeType: 'gp3' as const, volumesPerInstance: 1 }];
  return {
    rootVolumeSizeGb: s.rootVolumeSizeGb,
    instanceGroups: [
      { name: 'primary', role: 'MASTER', market: 'ON_DEMAND', instanceType: s.primaryInstanceType, instanceCount: 1, ebsVolumes },
      { name: 'core', role: 'CORE', market: 'ON_DEMAND', instanceType: s.coreInstanceType, instanceCount: Math.min(s.minCapacityUnits, s.maxCoreCapacityUnits), ebsVolumes },
    ],
    managedScaling: {
      unitType: 'Instances',
      minimumCapacityUnits: s.minCapacityUnits,
      maximumCapacityUnits: s.maxCapacityUnits,
      // every group is on-demand: a lower on-demand limit would cap the cluster below its maximum
      maximumOnDemandCapacityUnits: s.maxCapacityUnits,
      maximumCoreCapacityUnits: s.maxCoreCapacityUnits,
    },
  };
}

/** The group of one role (the shape always has exactly one of each). */
export function instanceGroup(shape: ClusterShape, role: InstanceGroupShape['role']): InstanceGroupShape {
  const group = shape.instanceGroups.find((g) => g.role === role);
  if (!group) throw new Error(`cluster shape has no ${role} instance group`);
  return group;
}
