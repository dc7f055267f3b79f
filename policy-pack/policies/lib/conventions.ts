/** The recommended labels every workload, pod template and Service carries. */
export const labelKeys = {
    name: "app.kubernetes.io/name",
    instance: "app.kubernetes.io/instance",
    component: "app.kubernetes.io/component",
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
} as const;

/** The values `app.kubernetes.io/component` may take. */
export const components = [
    "queue-consumer",
    "worker",
    "php-backend",
    "redis",
    "redis-proxy",
    "scheduler",
    "orthanc",
    "frontend",
] as const;

/** Annotations the program sets and the policies read. */
export const annotationKeys = {
    critical: "sapoche.io/critical",
    scaledToZeroReason: "sapoche.io/scaled-to-zero-reason",
    reviewDate: "sapoche.io/review-date",
    promotionBypass: "sapoche.io/promotion-bypass",
} as const;

/** Whether `text` is a real calendar date written as YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
    const date = new Date(text);
    return (
        /^\d{4}-\d{2}-\d{2}$/.test(text) &&
        !isNaN(date.getTime()) &&
        date.toISOString().startsWith(text)
    );
}
