/**
 * The bench's baseline: a flat program that registers BENCH_FLAT_COUNT plain ConfigMaps directly,
 * with one explicit provider, no components, no config parsing.
 */
import * as k8s from "@pulumi/kubernetes";

const count = Number(process.env.BENCH_FLAT_COUNT ?? "117");
const provider = new k8s.Provider("flat", {});
for (let i = 0; i < count - 2; i++) {
    new k8s.core.v1.ConfigMap(
        `flat-${i}`,
        { metadata: { name: `flat-${i}`, namespace: "sapoche" }, data: { index: String(i) } },
        { provider },
    );
}
