import { Policies } from "@pulumi/policy";
import { enforceAdoptionPhase } from "./adoption/enforceAdoptionPhase";
import { enforceImagePullPolicy } from "./advisory/enforceImagePullPolicy";
import { missingTopologySpread } from "./advisory/missingTopologySpread";
import { reportNodePortExposure } from "./advisory/reportNodePortExposure";
import { reportOverdueScaleToZeroReview } from "./advisory/reportOverdueScaleToZeroReview";
import { reportPromotionBypass } from "./advisory/reportPromotionBypass";
import { disallowBlockingDisruptionBudget } from "./autoscaling/disallowBlockingDisruptionBudget";
import { disallowMultipleAutoscalers } from "./autoscaling/disallowMultipleAutoscalers";
import { disallowReplicasOnAutoscaled } from "./autoscaling/disallowReplicasOnAutoscaled";
import { enforceDisruptionBudgetHeadroom } from "./autoscaling/enforceDisruptionBudgetHeadroom";
import { enforceHpaCpuTarget } from "./autoscaling/enforceHpaCpuTarget";
import { enforceHpaReplicaBounds } from "./autoscaling/enforceHpaReplicaBounds";
import { enforceKedaCooldownPeriod } from "./autoscaling/enforceKedaCooldownPeriod";
import { enforceKedaPollingInterval } from "./autoscaling/enforceKedaPollingInterval";
import { enforceKedaReplicaBounds } from "./autoscaling/enforceKedaReplicaBounds";
import { enforceKedaTriggerThreshold } from "./autoscaling/enforceKedaTriggerThreshold";
import { missingAutoscalerTarget } from "./autoscaling/missingAutoscalerTarget";
import { enforceConsumerMinReplicas } from "./consumers/enforceConsumerMinReplicas";
import { missingCriticalWorkloadAlert } from "./monitoring/missingCriticalWorkloadAlert";
import { enforceRedisDisruptionBudget } from "./redis/enforceRedisDisruptionBudget";
import { enforceRedisPersistence } from "./redis/enforceRedisPersistence";
import { enforceRedisSettings } from "./redis/enforceRedisSettings";
import { enforceRedisReplicas } from "./redis/enforceRedisReplicas";
import { enforceRedisSentinel } from "./redis/enforceRedisSentinel";
import { enforceRedisSpread } from "./redis/enforceRedisSpread";
import { enforceSentinelQuorum } from "./redis/enforceSentinelQuorum";
import { enforceSchedulerSingleton } from "./scheduler/enforceSchedulerSingleton";
import { disallowScaledScheduler } from "./scheduler/disallowScaledScheduler";
import { disallowBarePod } from "./workloads/disallowBarePod";
import { disallowHostNamespaces } from "./workloads/disallowHostNamespaces";
import { disallowHostPathVolume } from "./workloads/disallowHostPathVolume";
import { disallowUnpinnedImage } from "./workloads/disallowUnpinnedImage";
import { disallowDivergentImagePull } from "./workloads/disallowDivergentImagePull";
import { enforceContainerSecurityContext } from "./workloads/enforceContainerSecurityContext";
import { enforceNamespace } from "./workloads/enforceNamespace";
import { enforceRunAsNonRoot } from "./workloads/enforceRunAsNonRoot";
import { missingContainerProbes } from "./workloads/missingContainerProbes";
import { enforceProbeTargets } from "./workloads/enforceProbeTargets";
import { missingContainerResources } from "./workloads/missingContainerResources";
import { missingDisruptionBudget } from "./workloads/missingDisruptionBudget";
import { missingRecommendedLabels } from "./workloads/missingRecommendedLabels";
import { missingScaledToZeroReason } from "./workloads/missingScaledToZeroReason";
import { missingServiceWorkload } from "./workloads/missingServiceWorkload";
import { reportImageWithoutDigest } from "./advisory/reportImageWithoutDigest";
import { enforceHpaMemoryTarget } from "./autoscaling/enforceHpaMemoryTarget";
import { enforceHpaScaleUp } from "./autoscaling/enforceHpaScaleUp";
import { disallowServiceSelectorOverlap } from "./exposure/disallowServiceSelectorOverlap";
import { disallowServiceExposure } from "./exposure/disallowServiceExposure";
import { enforceCataloguedService } from "./exposure/enforceCataloguedService";
import { disallowExposedFastcgi } from "./exposure/disallowExposedFastcgi";
import { disallowEveryAddressWithoutReason } from "./exposure/disallowEveryAddressWithoutReason";
import { disallowEvictableLastPod } from "./autoscaling/disallowEvictableLastPod";
import { disallowUnsanctionedRedis } from "./redis/disallowUnsanctionedRedis";
import { disallowBroadRoleBinding } from "./security/disallowBroadRoleBinding";
import { disallowClusterRbac } from "./security/disallowClusterRbac";
import { disallowSecretData } from "./security/disallowSecretData";
import { enforcePodSecurityStandard } from "./security/enforcePodSecurityStandard";
import { enforcePodSecurityLabels } from "./security/enforcePodSecurityLabels";
import { missingPodSecurityAuditLabels } from "./security/missingPodSecurityAuditLabels";
import { disallowHostPort } from "./workloads/disallowHostPort";
import { disallowLiteralCredential } from "./workloads/disallowLiteralCredential";
import { disallowUnlocatedPodTemplate } from "./workloads/disallowUnlocatedPodTemplate";
import { disallowUnlistedImage } from "./workloads/disallowUnlistedImage";
import { disallowUnlistedKind } from "./workloads/disallowUnlistedKind";
import { disallowUnlistedVolumeSource } from "./workloads/disallowUnlistedVolumeSource";
import { disallowOpaqueObject } from "./workloads/disallowOpaqueObject";
import { disallowServiceAccountToken } from "./workloads/disallowServiceAccountToken";
import { enforceSeccompProfile } from "./workloads/enforceSeccompProfile";
import { missingEphemeralStorage } from "./workloads/missingEphemeralStorage";
import { missingEphemeralStorageQuota } from "./workloads/missingEphemeralStorageQuota";

/** Every policy of the sapoche pack; `index.ts` serves them, tests import them from here. */
export const policies: Policies = [
    // Redis HA
    enforceRedisSentinel,
    enforceRedisReplicas,
    enforceSentinelQuorum,
    enforceRedisSpread,
    enforceRedisPersistence,
    enforceRedisSettings,
    enforceRedisDisruptionBudget,
    disallowUnsanctionedRedis,
    // Consumers
    enforceConsumerMinReplicas,
    // Monitoring
    missingCriticalWorkloadAlert,
    // Autoscaling
    enforceHpaCpuTarget,
    enforceHpaMemoryTarget,
    enforceHpaScaleUp,
    enforceHpaReplicaBounds,
    enforceKedaReplicaBounds,
    enforceKedaTriggerThreshold,
    enforceKedaPollingInterval,
    enforceKedaCooldownPeriod,
    disallowReplicasOnAutoscaled,
    disallowMultipleAutoscalers,
    missingAutoscalerTarget,
    disallowBlockingDisruptionBudget,
    enforceDisruptionBudgetHeadroom,
    disallowEvictableLastPod,
    // Scheduler
    enforceSchedulerSingleton,
    disallowScaledScheduler,
    // Workload hygiene
    missingScaledToZeroReason,
    missingContainerResources,
    missingContainerProbes,
    enforceProbeTargets,
    disallowUnpinnedImage,
    disallowDivergentImagePull,
    enforceRunAsNonRoot,
    enforceContainerSecurityContext,
    disallowHostNamespaces,
    disallowHostPathVolume,
    enforceNamespace,
    disallowBarePod,
    missingServiceWorkload,
    missingDisruptionBudget,
    missingRecommendedLabels,
    disallowHostPort,
    enforceSeccompProfile,
    disallowServiceAccountToken,
    disallowLiteralCredential,
    missingEphemeralStorage,
    missingEphemeralStorageQuota,
    disallowOpaqueObject,
    disallowUnlocatedPodTemplate,
    disallowUnlistedKind,
    disallowUnlistedImage,
    disallowUnlistedVolumeSource,
    // Exposure and access
    disallowServiceExposure,
    disallowServiceSelectorOverlap,
    enforceCataloguedService,
    disallowExposedFastcgi,
    disallowEveryAddressWithoutReason,
    disallowClusterRbac,
    disallowBroadRoleBinding,
    disallowSecretData,
    enforcePodSecurityStandard,
    enforcePodSecurityLabels,
    missingPodSecurityAuditLabels,
    // Adoption of the live namespace
    enforceAdoptionPhase,
    // Advisory
    reportOverdueScaleToZeroReview,
    reportNodePortExposure,
    missingTopologySpread,
    enforceImagePullPolicy,
    reportPromotionBypass,
    reportImageWithoutDigest,
];
