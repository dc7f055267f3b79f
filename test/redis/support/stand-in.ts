/**
 * Scripted stand-ins for a Redis node and its Sentinel, on a pod's loopback address: they answer
 * exactly the commands HAProxy's rendered checks and its Lua Sentinel poll send, with whatever
 * the test sets. A real cluster reaches the states the proxy must judge (a Sentinel still naming
 * an old master, a promoted node the proxy has not checked yet) only for a moment and by chance;
 * here a test holds each state as long as it likes, so every rule of the proxy is run on purpose.
 *
 * They speak both forms a Redis server accepts: HAProxy's `tcp-check send` writes inline
 * commands (`AUTH pw\r\n`), the Lua poll writes RESP arrays.
 */
import * as net from "net";

/** What a stand-in Sentinel says about the master set. */
export interface SentinelView {
    /** The master's address as Sentinel reports it (`GET-MASTER-ADDR-BY-NAME`, `SENTINEL MASTER`). */
    master: string;
    /** `config-epoch` of `SENTINEL MASTER`. */
    epoch: number;
}

/** Parses the commands complete in `buf`; returns them and the bytes left over. */
function commands(buf: Buffer): { cmds: string[][]; rest: Buffer } {
    const cmds: string[][] = [];
    let pos = 0;
    for (;;) {
        const eol = buf.indexOf("\r\n", pos);
        if (eol < 0) break;
        if (buf[pos] !== 0x2a /* * */) {
            cmds.push(buf.toString("utf8", pos, eol).split(" ").filter(Boolean));
            pos = eol + 2;
            continue;
        }
        const n = Number(buf.toString("utf8", pos + 1, eol));
        const args: string[] = [];
        let at = eol + 2;
        for (let i = 0; i < n; i++) {
            const e = buf.indexOf("\r\n", at);
            if (e < 0) return { cmds, rest: buf.subarray(pos) };
            const len = Number(buf.toString("utf8", at + 1, e));
            if (buf.length < e + 2 + len + 2) return { cmds, rest: buf.subarray(pos) };
            args.push(buf.toString("utf8", e + 2, e + 2 + len));
            at = e + 4 + len;
        }
        cmds.push(args);
        pos = at;
    }
    return { cmds, rest: buf.subarray(pos) };
}

const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const array = (xs: string[]) => `*${xs.length}\r\n${xs.map(bulk).join("")}`;

/** A TCP server answering with `answer(cmd)`; `null` closes the connection. */
class Scripted {
    private readonly server: net.Server;
    private readonly sockets = new Set<net.Socket>();

    constructor(
        readonly host: string,
        readonly port: number,
        answer: (cmd: string[]) => string | null,
    ) {
        this.server = net.createServer((s) => {
            this.sockets.add(s);
            s.on("close", () => this.sockets.delete(s));
            s.on("error", () => s.destroy());
            let pending = Buffer.alloc(0);
            s.on("data", (d) => {
                const { cmds, rest } = commands(Buffer.concat([pending, d]));
                pending = Buffer.from(rest);
                for (const cmd of cmds) {
                    const out = answer(cmd);
                    if (out === null) return void s.end();
                    s.write(out);
                }
            });
        });
    }

    listen(): Promise<void> {
        return new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(this.port, this.host, () => resolve());
        });
    }

    close(): Promise<void> {
        for (const s of this.sockets) s.destroy();
        return new Promise((resolve) => this.server.close(() => resolve()));
    }
}

/** A Redis node: answers `role:<role>`, and takes any other command with `+OK`, counting SETs. */
export class StandInNode extends Scripted {
    role: "master" | "slave" = "slave";
    /** Keys written through whatever reached this node. */
    readonly written: string[] = [];

    constructor(host: string) {
        super(host, 6379, (cmd) => {
            const verb = (cmd[0] ?? "").toUpperCase();
            if (verb === "QUIT") return "+OK\r\n";
            if (verb === "INFO") return bulk(`# Replication\r\nrole:${this.role}\r\n`);
            if (verb === "SET") {
                if (this.role !== "master")
                    return "-READONLY You can't write against a read only replica.\r\n";
                this.written.push(cmd[1]);
            }
            return "+OK\r\n";
        });
    }
}

/** A Sentinel: names `view.master` under `view.epoch`; `view` undefined answers errors. */
export class StandInSentinel extends Scripted {
    view: SentinelView | undefined;

    constructor(host: string, masterSet: string) {
        super(host, 26379, (cmd) => {
            const [verb = "", sub = "", name] = cmd.map((c, i) => (i < 2 ? c.toUpperCase() : c));
            if (verb === "AUTH") return "+OK\r\n";
            if (verb !== "SENTINEL" || name !== masterSet || !this.view)
                return "-ERR No such master with that name\r\n";
            if (sub === "CKQUORUM")
                return "+OK 3 usable Sentinels. Quorum and failover authorization can be reached\r\n";
            if (sub === "GET-MASTER-ADDR-BY-NAME") return array([this.view.master, "6379"]);
            if (sub === "MASTER")
                return array([
                    "name",
                    masterSet,
                    "ip",
                    this.view.master,
                    "port",
                    "6379",
                    "flags",
                    "master",
                    "config-epoch",
                    String(this.view.epoch),
                    "quorum",
                    "2",
                ]);
            return "-ERR unknown subcommand\r\n";
        });
    }
}
