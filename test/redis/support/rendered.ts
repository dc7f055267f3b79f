/**
 * What the program renders for Redis, taken from its own output: the real `index.ts` is evaluated
 * under Pulumi mocks (lib/program.ts) and the ConfigMaps and container specs it registers
 * are read back. The behaviour tests run exactly these scripts and this configuration; nothing
 * here is a hand copy of them.
 */
import {
    evaluateProgram,
    readStackConfig,
    StackName,
    stagingRanItsConfig,
} from "../../../lib/program";
import { AdoptionPhase, releasedBefore } from "../../support/phases";
import type { RegisteredResource } from "../../../lib/mocks";

export interface Container {
    readonly name: string;
    readonly command?: string[];
    readonly args?: string[];
    /** Plain environment values; Secret references are listed in `secretEnv`. */
    readonly env: Record<string, string>;
    /** Variables the pod takes from a Secret (their values are the test's to provide). */
    readonly secretEnv: string[];
    readonly volumeMounts: { name: string; mountPath: string }[];
    /** Named container ports. */
    readonly ports: Record<string, number>;
    /** The probes and preStop hook, as rendered. */
    readonly readinessProbe?: any;
    readonly preStop?: string[];
}

export interface RenderedRedis {
    readonly stack: StackName;
    /** Data of the ConfigMap mounted at the Redis pods' `/scripts`. */
    readonly scripts: Record<string, string>;
    /** `haproxy.cfg` of the proxy's ConfigMap. */
    readonly haproxyCfg: string;
    /** Every file of the proxy's ConfigMap (`haproxy.cfg` and what it loads). */
    readonly proxyFiles: Record<string, string>;
    readonly redis: Container;
    readonly sentinel: Container;
    readonly haproxy: Container;
    /** redis_exporter beside Redis, and beside Sentinel (the image's entrypoint, these args). */
    readonly redisExporter: Container;
    readonly sentinelExporter: Container;
    /** StatefulSet name, replicas, headless Service domain, proxy replicas. */
    readonly statefulSet: string;
    readonly nodes: number;
    readonly headless: string;
    readonly proxyReplicas: number;
}

const kind = (r: RegisteredResource) => (r.props as any).kind as string;
const nameOf = (r: RegisteredResource) => (r.props as any).metadata?.name as string;

function container(c: any): Container {
    const env: Record<string, string> = {};
    const secretEnv: string[] = [];
    for (const e of c.env ?? []) {
        if (e.valueFrom) secretEnv.push(e.name);
        else env[e.name] = String(e.value);
    }
    return {
        name: c.name,
        command: c.command,
        args: c.args,
        env,
        secretEnv,
        volumeMounts: c.volumeMounts ?? [],
        ports: Object.fromEntries((c.ports ?? []).map((p: any) => [p.name, p.containerPort])),
        readinessProbe: c.readinessProbe,
        preStop: c.lifecycle?.preStop?.exec?.command,
    };
}

/**
 * Evaluates the program for `stack` and returns the Redis rendering. `edit` changes the stack
 * file's config first (the migration test sets the legacy-master flag this way).
 */
export async function renderRedis(
    stack: StackName,
    edit?: (config: Record<string, any>) => void,
): Promise<RenderedRedis> {
    const config = readStackConfig(stack);
    edit?.(config as Record<string, any>);
    // Released after the phase before the config's (stacks/adoption-history.ts).
    const phase = (config["sapoche-stack:adoption"] as { phase: AdoptionPhase }).phase;
    const rs = await evaluateProgram(stack, config, {
        stackOutputs: { ...stagingRanItsConfig(), ...releasedBefore(phase, stack) },
    });
    const find = (k: string, pred: (r: RegisteredResource) => boolean) => {
        const r = rs.find((x) => kind(x) === k && pred(x));
        if (!r) throw new Error(`the program registered no ${k} for Redis`);
        return r.props as any;
    };
    const sts = find("StatefulSet", (r) => nameOf(r) === "redis");
    const pod = sts.spec.template.spec;
    const byName = (cs: any[], n: string) => {
        const c = cs.find((x) => x.name === n);
        if (!c) throw new Error(`no container ${n}`);
        return container(c);
    };
    const scriptsVolume = pod.volumes.find((v: any) => v.name === "scripts");
    const scripts = find("ConfigMap", (r) => nameOf(r) === scriptsVolume.configMap.name).data;
    const proxy = find(
        "Deployment",
        (r) => nameOf(r) === "redis-proxy" || (r.props as any).metadata?.name === "redis-proxy",
    );
    const proxyPod = proxy.spec.template.spec;
    const cfgVolume = proxyPod.volumes.find((v: any) => v.configMap);
    const proxyCfg = find("ConfigMap", (r) => nameOf(r) === cfgVolume.configMap.name).data;
    const redis = byName(pod.containers, "redis");
    return {
        stack,
        scripts,
        haproxyCfg: proxyCfg["haproxy.cfg"],
        proxyFiles: proxyCfg,
        redis,
        sentinel: byName(pod.containers, "sentinel"),
        haproxy: byName(proxyPod.containers, "haproxy"),
        redisExporter: byName(pod.containers, "redis-exporter"),
        sentinelExporter: byName(pod.containers, "sentinel-exporter"),
        statefulSet: sts.metadata.name,
        nodes: sts.spec.replicas,
        headless: redis.env.HEADLESS,
        proxyReplicas: proxy.spec.replicas,
    };
}
