/**
 * The proxy's readiness probe as the program renders it (an HTTP GET on its metrics port), run
 * against a proxy process of the harness: what the kubelet would conclude.
 */
import * as assert from "assert";
import * as http from "http";
import { PLAN } from "./loopback";
import type { RenderedRedis } from "./rendered";

/** Status of an HTTP GET, or 0 when nothing answers. */
function status(host: string, port: number, p: string): Promise<number> {
    return new Promise((resolve) => {
        const req = http.get({ host, port, path: p, timeout: 1000 }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
        });
        req.on("timeout", () => req.destroy());
        req.on("error", () => resolve(0));
    });
}

/** A function telling whether proxy replica j would pass its rendered readiness probe now. */
export function proxyReadiness(rendered: RenderedRedis): (j: number) => Promise<boolean> {
    const probe = rendered.haproxy.readinessProbe;
    assert.ok(probe?.httpGet, "the proxy's readiness probe is not an HTTP GET");
    const port = rendered.haproxy.ports[probe.httpGet.port] ?? Number(probe.httpGet.port);
    return async (j) => (await status(PLAN.proxy(j), port, probe.httpGet.path)) === 200;
}
