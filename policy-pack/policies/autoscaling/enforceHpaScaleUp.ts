import { ResourceValidationPolicy } from "@pulumi/policy";
import { isHpa } from "../lib/autoscaling";
import { describe } from "../lib/kube";
import { failClosed } from "../lib/unknown";

/** An HPA that may not scale up pins the workload at its current size through any load spike. */
export const enforceHpaScaleUp: ResourceValidationPolicy = {
    name: "enforce-hpa-scale-up",
    description: "Checks that no HorizontalPodAutoscaler disables scaling up.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isHpa(args.type)) {
            return;
        }
        failClosed(describe(args), reportViolation, () => {
            const scaleUp = args.props.spec?.behavior?.scaleUp;
            if (scaleUp?.selectPolicy === "Disabled") {
                reportViolation(
                    `${describe(args)} should let the autoscaler scale up, not set behavior.scaleUp.selectPolicy: Disabled.`,
                );
            }
            for (const policy of (scaleUp?.policies ?? []) as { type?: string; value?: number }[]) {
                if (!(Number(policy.value) > 0)) {
                    reportViolation(
                        `${describe(args)} should let every behavior.scaleUp policy add pods, not ${policy.type} ${policy.value}.`,
                    );
                }
            }
        });
    },
};
