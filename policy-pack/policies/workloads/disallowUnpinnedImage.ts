import { ResourceValidationPolicy } from "@pulumi/policy";
import { allContainers, describe, isWorkload, podSpecOf, Workload } from "../lib/kube";

/** The tag of `repo:tag`, ignoring a registry port (`host:5000/repo`); undefined when there is none. */
function tagOf(image: string): string | undefined {
    const lastPart = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastPart.indexOf(":");
    return colon === -1 ? undefined : lastPart.slice(colon + 1);
}

/** A floating tag makes the reviewed preview and the rollout run different code. */
export const disallowUnpinnedImage: ResourceValidationPolicy = {
    name: "disallow-unpinned-image",
    description: "Checks that every container image names a tag other than latest, or a digest.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (!isWorkload(args.type)) {
            return;
        }
        for (const container of allContainers(podSpecOf(args.props as Workload))) {
            const image = container.image ?? "";
            if (image.includes("@sha256:")) {
                continue;
            }
            const tag = tagOf(image);
            if (tag === undefined || tag === "") {
                reportViolation(
                    `${describe(args)} container "${container.name}" should pin an image tag, not "${image}".`,
                );
            } else if (tag === "latest") {
                reportViolation(
                    `${describe(args)} container "${container.name}" should pin an image tag other than latest, not "${image}".`,
                );
            }
        }
    },
};
